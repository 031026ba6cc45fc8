import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CacheJobProps, cacheJobsScriptCommand, createPerReplicaCronJobs, INSIDE_AN_API } from './cache-job';

/**
 * Prunes every replica's cache, one CronJob per replica named `<statefulset>-<N>-pruner`. Glance
 * writes to the cache even past image_cache_max_size; the pruner removes the least recently used
 * images until the cache is back under it, and fails where glance-cache-pruner would loop. It
 * runs the cache jobs' script, which it ships in its GlanceApi's config Secret, so it must be
 * created inside a GlanceApi (its ImageCache does).
 *
 * Replicas added later get their CronJobs on the next synth.
 */
export class CachePruner extends Construct {
  /** The default schedule: daily at 00:01. */
  public static readonly DEFAULT_SCHEDULE = '1 0 * * *';

  /** One CronJob per replica, in replica order. */
  public readonly cronJobs: kplus.CronJob[];

  constructor(scope: Construct, id: string, props: CacheJobProps) {
    super(scope, id);
    const command = cacheJobsScriptCommand(this, ['prune'], { prop: 'CachePruner', fix: INSIDE_AN_API })!;
    this.cronJobs = createPerReplicaCronJobs(this, props, { suffix: 'pruner', command, defaultSchedule: CachePruner.DEFAULT_SCHEDULE });
  }
}
