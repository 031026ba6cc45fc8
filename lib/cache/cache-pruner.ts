import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CacheJobProps, createPerReplicaCronJobs } from './cache-job';
import { CONFIG_DIR } from '../pod-security';

/**
 * Runs glance-cache-pruner on every replica's cache, one CronJob per replica named
 * "<statefulset>-<N>-pruner". Glance writes to the cache even past image_cache_max_size; the
 * pruner removes the least recently used images until the cache is back under it.
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
    this.cronJobs = createPerReplicaCronJobs(this, props, {
      suffix: 'pruner',
      command: ['glance-cache-pruner', '--config-dir', CONFIG_DIR],
      defaultSchedule: CachePruner.DEFAULT_SCHEDULE,
    });
  }
}
