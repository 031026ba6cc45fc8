import { readFileSync } from 'fs';
import { join } from 'path';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { GlanceApiBase } from '../api-host';
import { GlanceValidationError } from '../errors';
import { CONFIG_DIR } from '../pod-security';
import { CacheJobProps, createPerReplicaCronJobs } from './cache-job';

let orphansScriptText: string | undefined;

/** Props of CacheCleaner. */
export interface CacheCleanerProps extends CacheJobProps {
  /**
   * Also remove images that Glance no longer has from the replica's cache. Deleting an image
   * purges only the cache of the replica that served the delete; without this, the other
   * replicas keep the file for good. Needs `databaseConnection`, and the config Secret must
   * carry the script (ImageCache puts it there).
   * @default true
   */
  readonly removeOrphans?: boolean;
}

/**
 * Runs glance-cache-cleaner on every replica's cache, one CronJob per replica named
 * "<statefulset>-<N>-cleaner". It removes invalid files, and incomplete (stalled) files older
 * than image_cache_stall_time; then it removes cached images that were deleted from Glance.
 *
 * Replicas added later get their CronJobs on the next synth.
 */
export class CacheCleaner extends Construct {
  /** The default schedule: every 30 minutes. */
  public static readonly DEFAULT_SCHEDULE = '*\/30 * * * *';
  /** File name of the orphan-removal script in the config Secret. */
  public static readonly ORPHANS_SCRIPT_NAME = 'glance-cache-orphans.py';

  /** The orphan-removal script (Python, run with the Glance image's python3). */
  public static orphansScript(): string {
    // Read once: every API with a cache puts it in its config Secret.
    orphansScriptText ??= readFileSync(join(__dirname, CacheCleaner.ORPHANS_SCRIPT_NAME), 'utf8');
    return orphansScriptText;
  }

  /** One CronJob per replica, in replica order. */
  public readonly cronJobs: kplus.CronJob[];

  constructor(scope: Construct, id: string, props: CacheCleanerProps) {
    super(scope, id);
    const cleaner = `glance-cache-cleaner --config-dir ${CONFIG_DIR}`;
    const orphans = `python3 ${CONFIG_DIR}/${CacheCleaner.ORPHANS_SCRIPT_NAME} --config-dir ${CONFIG_DIR}`;
    if (props.removeOrphans ?? true) {
      // The jobs mount the API's config Secret: the script ships there.
      const api = GlanceApiBase._of(this);
      if (!api) {
        throw new GlanceValidationError('removeOrphans', true, 'ships its script in the config Secret of a GlanceApi, and this cleaner is in none',
          'create the cleaner inside a GlanceApi (its ImageCache does), or set removeOrphans to false');
      }
      api._addConfigFile(CacheCleaner.ORPHANS_SCRIPT_NAME, CacheCleaner.orphansScript());
    }
    this.cronJobs = createPerReplicaCronJobs(this, props, {
      suffix: 'cleaner',
      command: (props.removeOrphans ?? true) ? ['/bin/sh', '-ec', `${cleaner}\n${orphans}`] : cleaner.split(' '),
      defaultSchedule: CacheCleaner.DEFAULT_SCHEDULE,
    });
  }
}
