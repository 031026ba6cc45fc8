import { Cron, Duration } from 'cdk8s';

/** Who may use the cache API (/v2/cache) of a replica, as oslo.policy rules. */
export interface CachePolicyRules {
  /** @default "role:admin" */
  readonly cacheList?: string;
  /** @default "role:admin" */
  readonly cacheImage?: string;
  /** @default "role:admin" */
  readonly cacheDelete?: string;
}

/**
 * The image cache of a Glance API. Set at the top of a Glance, it is inherited by every API;
 * an API's own imageCache overrides it field by field, schedules included.
 */
export interface ImageCacheOptions {
  /**
   * Size of each replica's cache volume, as a Kubernetes quantity ("10Gi", "500G").
   * @default - no image cache
   */
  readonly size?: string;
  /**
   * image_cache_max_size as a fraction of size. Glance keeps writing past the maximum until the
   * pruner runs; with a maximum equal to the volume size (as the glance-operator sets it) the
   * volume fills up and caching fails. The headroom absorbs the writes between two pruner runs.
   * @default 0.85
   */
  readonly maxSizeRatio?: number;
  /**
   * How long an incomplete cache file may stay before the cleaner deletes it
   * (image_cache_stall_time). Whole seconds.
   * @default Duration.seconds(86400)
   */
  readonly stallTime?: Duration;
  /**
   * The cache metadata driver (image_cache_driver).
   * @default - centralized_db from 2024.1 (Caracal) on, sqlite before
   */
  readonly driver?: ImageCacheDriver;
  /**
   * Storage class of the cache volumes.
   * @default - the cluster's default storage class
   */
  readonly storageClass?: string;
  /**
   * When the pruner runs.
   * @default "1 0 * * *"
   */
  readonly prunerSchedule?: Cron;
  /**
   * When the cleaner runs.
   * @default "*\/30 * * * *"
   */
  readonly cleanerSchedule?: Cron;
  /**
   * Let each replica's cleaner also drop images deleted from Glance (see CacheCleaner).
   * @default true
   */
  readonly removeOrphans?: boolean;
  /**
   * Policy rules of the cache API.
   * @default - admin only
   */
  readonly policy?: CachePolicyRules;
  /**
   * Images every replica keeps cached: a CronJob per replica queues those it has not cached,
   * and a Job warms every replica at once after a deployment.
   * @default - none
   */
  readonly precache?: PrecacheOptions;
}

/** Images every replica of an API keeps cached, as an edge site wants them before the first boot. */
export interface PrecacheOptions {
  /**
   * Image IDs or names. A name must name exactly one image; an image that does not exist is
   * reported by the job, not fatal.
   */
  readonly images: string[];
  /**
   * When each replica's precache CronJob runs.
   * @default "*\/15 * * * *"
   */
  readonly schedule?: Cron;
  /**
   * How long the first-run Job waits, once it has queued the images, until every replica lists
   * every image it could queue as cached. It says so and completes when they are, and fails when
   * they are not by then: gate a rollout on its completion (README, "Pre-caching images").
   * Duration.seconds(0) only queues.
   * @default Duration.minutes(30)
   */
  readonly waitUntilCached?: Duration;
  /**
   * Whether each replica's CronJob also waits until its replica lists the images as cached, for
   * at most its run's deadline (half the schedule's interval, at most 2 hours) less 2 minutes; it
   * fails when they are not cached by then.
   * @default false
   */
  readonly cronJobsWaitUntilCached?: boolean;
}

/** Where Glance keeps the metadata of its local image cache. */
export enum ImageCacheDriver {
  /** A sqlite database inside each replica's cache directory. Deprecated from 2024.1. */
  SQLITE = 'sqlite',
  /** Extended attributes on the cache files; the cache filesystem must support user xattrs. */
  XATTR = 'xattr',
  /** Glance's own database (2024.1 and later). Needs worker_self_reference_url per replica. */
  CENTRALIZED_DB = 'centralized_db',
}
