import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { glanceCommand } from '../pod-security';
import { CacheJobProps, cacheJobsScriptCommand, createPerReplicaCronJobs } from './cache-job';

/** Props of CacheCleaner. */
export interface CacheCleanerProps extends CacheJobProps {
  /**
   * Also remove images that Glance no longer has from the replica's cache. Deleting an image
   * purges only the cache of the replica that served the delete; without this, the other
   * replicas keep the file for good. Needs `databaseConnection`.
   * @default true
   */
  readonly removeOrphans?: boolean;
}

/**
 * Cleans every replica's cache, one CronJob per replica named `<statefulset>-<N>-cleaner`. It
 * removes invalid files, and incomplete (stalled) files older than image_cache_stall_time; then
 * it removes cached images that were deleted from Glance. It runs the cache jobs' script, which
 * it ships in its GlanceApi's config Secret; outside a GlanceApi, with removeOrphans false, it
 * runs glance-cache-cleaner instead.
 *
 * Replicas added later get their CronJobs on the next synth.
 */
export class CacheCleaner extends Construct {
  /** The default schedule: every 30 minutes. */
  public static readonly DEFAULT_SCHEDULE = '*\/30 * * * *';

  /** One CronJob per replica, in replica order. */
  public readonly cronJobs: kplus.CronJob[];

  constructor(scope: Construct, id: string, props: CacheCleanerProps) {
    super(scope, id);
    const removeOrphans = props.removeOrphans ?? true;
    const outsideApi = { prop: 'removeOrphans', fix: 'create the cleaner inside a GlanceApi (its ImageCache does), or set removeOrphans to false' };
    const command = cacheJobsScriptCommand(this, ['clean', ...removeOrphans ? [] : ['--keep-orphans']], removeOrphans ? outsideApi : undefined)
      ?? glanceCommand(['glance-cache-cleaner']);
    this.cronJobs = createPerReplicaCronJobs(this, props, { suffix: 'cleaner', command, defaultSchedule: CacheCleaner.DEFAULT_SCHEDULE });
  }
}
