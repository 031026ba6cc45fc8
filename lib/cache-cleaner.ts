import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CacheJobProps, createPerReplicaCronJobs } from './cache-job';
import { CONFIG_DIR } from './pod-security';

/**
 * Runs glance-cache-cleaner on every replica's cache, one CronJob per replica named
 * "<statefulset>-<N>-cleaner". It removes invalid files, and incomplete (stalled) files older
 * than image_cache_stall_time.
 *
 * Replicas added later get their CronJobs on the next synth.
 */
export class CacheCleaner extends Construct {
  /** The default schedule: every 30 minutes. */
  public static readonly DEFAULT_SCHEDULE = '*/30 * * * *';

  /** One CronJob per replica, in replica order. */
  public readonly cronJobs: kplus.CronJob[];

  constructor(scope: Construct, id: string, props: CacheJobProps) {
    super(scope, id);
    this.cronJobs = createPerReplicaCronJobs(this, props, {
      suffix: 'cleaner',
      command: ['glance-cache-cleaner', '--config-dir', CONFIG_DIR],
      defaultSchedule: CacheCleaner.DEFAULT_SCHEDULE,
    });
  }
}
