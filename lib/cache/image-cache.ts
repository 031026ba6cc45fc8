import { Cron, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { GlanceApiBase, objectsAdded } from '../api-host';
import { CacheCleaner } from './cache-cleaner';
import { cacheJobsNetworkPolicyName } from './cache-job';
import { CachePolicyRules, ImageCacheDriver, ImageCacheOptions } from './cache-options';
import { CachePrecache, policyAllowsRoles, validatePrecacheImages, validateWaitUntilCached } from './cache-precache';
import { CachePruner } from './cache-pruner';
import { GlanceValidationError, locate } from '../errors';
import { checkBoolean, checkSubdomain } from '../names';
import { CACHE_DIR, glanceLabels } from '../pod-security';
import { floorProduct, numberToFraction, parseStorageSize, wholeSeconds } from '../quantity';
import { GlanceRelease } from '../release';
import { scheduleOf } from '../schedule';

/** The default maxSizeRatio. */
const DEFAULT_RATIO = 0.85;
/** The default stall time, as Glance's own default. */
const DEFAULT_STALL_SECONDS = 86400;

/**
 * A per-replica local image cache: a ReadWriteOnce volume per replica mounted at
 * image_cache_dir, the cache options of glance.conf, the cache API policy, and the pruner and
 * cleaner CronJobs.
 */
export class ImageCache extends Construct {
  /** Name of the volumeClaimTemplate; replica N's claim is "glance-cache-<statefulset>-<N>". */
  public static readonly CLAIM_TEMPLATE_NAME = 'glance-cache';

  /** The volume size as given. */
  public readonly size: string;
  /** image_cache_max_size in bytes, as decimal text (it may exceed 2^53). */
  public readonly maxSizeBytes: string;
  /** image_cache_stall_time in seconds. */
  public readonly stallTimeSeconds: number;
  /** image_cache_driver. */
  public readonly driver: ImageCacheDriver;
  /** Whether the cleaner also removes images deleted from Glance. */
  public readonly removeOrphans: boolean;
  /** The pruner CronJobs. */
  public readonly pruner: CachePruner;
  /** The cleaner CronJobs. */
  public readonly cleaner: CacheCleaner;
  /** The precache CronJobs and first-run Job, when precache lists images. */
  public readonly precache?: CachePrecache;

  /**
   * The cache of one API StatefulSet: its replicas get a cache volume each, and the cache pushes
   * its options, policy rules, files and claim template into the API. Add it to an API without
   * imageCache.size, at any time before synthesis; an API has one cache.
   * @param scope the GlanceApi the cache belongs to
   * @param options the cache options (an API's imageCache, merged with the Glance-level one, gives them)
   */
  constructor(scope: Construct, id: string, options: ImageCacheOptions) {
    super(scope, id);
    try {
      const api = GlanceApiBase._of(this);
      if (!api) {
        throw new GlanceValidationError('ImageCache', this.node.path, 'is not inside a GlanceApi, whose replicas it caches for',
          'create it with the API as its scope: new ImageCache(api, "cache", { size: "10Gi" }), or set the API\'s imageCache.size');
      }
      const settings = api._settings;
      const path = `${settings.propPath}.imageCache`;
      if (options.size === undefined) {
        throw new GlanceValidationError(`${path}.size`, undefined, 'is required for an image cache', 'set a size such as "10Gi"');
      }
      const resolved = validateImageCacheOptions(path, options, settings.release);
      this.stallTimeSeconds = resolved.stallTimeSeconds;
      this.driver = resolved.driver;
      this.size = options.size;
      this.maxSizeBytes = resolved.maxSizeBytes!.toString();
      this.removeOrphans = options.removeOrphans ?? true;

      // Pushed first: the cache jobs find it when they register.
      const policy = resolved.policy;
      api._addCache({
        options: {
          image_cache_dir: CACHE_DIR,
          image_cache_max_size: this.maxSizeBytes,
          image_cache_stall_time: String(this.stallTimeSeconds),
          image_cache_driver: this.driver,
        },
        policyRules: { cache_list: policy.cacheList, cache_image: policy.cacheImage, cache_delete: policy.cacheDelete },
        // One ReadWriteOnce volume of `size` per replica.
        claimTemplate: {
          metadata: { name: ImageCache.CLAIM_TEMPLATE_NAME, labels: { 'app.kubernetes.io/component': 'image-cache' } },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: options.storageClass,
            resources: { requests: { storage: k8s.Quantity.fromString(options.size) } },
          },
        },
        mountPath: CACHE_DIR,
      }, this);
      const sts = api.statefulSetName;
      const centralized = this.driver === ImageCacheDriver.CENTRALIZED_DB;
      const jobProps = {
        statefulSetName: sts,
        replicas: api.replicas,
        image: settings.image,
        configSecretName: api.configSecretName,
        imagePullPolicy: settings.imagePullPolicy,
      };
      this.pruner = new CachePruner(this, 'pruner', {
        ...jobProps,
        schedule: resolved.prunerSchedule,
        databaseConnection: centralized ? settings.databaseConnection : undefined,
      });
      this.cleaner = new CacheCleaner(this, 'cleaner', {
        ...jobProps,
        schedule: resolved.cleanerSchedule,
        removeOrphans: this.removeOrphans,
        databaseConnection: centralized || this.removeOrphans ? settings.databaseConnection : undefined,
      });
      if (resolved.precache) {
        this.precache = new CachePrecache(this, 'precache', {
          ...jobProps,
          schedule: resolved.precache.schedule,
          images: resolved.precache.images,
          waitUntilCached: resolved.precache.waitUntilCached,
          cronJobsWaitUntilCached: resolved.precache.cronJobsWaitUntilCached,
          keystonePassword: settings.keystonePassword,
          keystoneApplicationCredentialSecret: settings.keystoneApplicationCredentialSecret,
        });
      }
      if (settings.networkPolicies) {
        // Within 63 characters: the StatefulSet name is at most 52.
        const name = cacheJobsNetworkPolicyName(sts);
        new k8s.KubeNetworkPolicy(this, 'network-policy', {
          metadata: { name, labels: glanceLabels('image-cache') },
          // Selected, with no ingress rule: nothing may connect to a pruner or cleaner.
          spec: { podSelector: { matchLabels: { 'glance.openstack.org/cache-of': sts } }, policyTypes: ['Ingress'] },
        });
      }
      objectsAdded(this);

    } catch (e) {
      throw locate(e, this);
    }
  }
}

/** The checked and defaulted values of ImageCacheOptions. */
interface ResolvedImageCache {
  readonly maxSizeBytes?: bigint;
  readonly stallTimeSeconds: number;
  readonly driver: ImageCacheDriver;
  readonly policy: Required<CachePolicyRules>;
  readonly prunerSchedule: Cron;
  readonly cleanerSchedule: Cron;
  readonly precache?: {
    readonly images: string[];
    readonly schedule: Cron;
    readonly waitUntilCached: Duration;
    readonly cronJobsWaitUntilCached: boolean;
  };
}

/**
 * Checks every field of ImageCacheOptions, naming errors under `path`. Glance runs it on its
 * top-level options too, so an inherited mistake is reported where it was written.
 */
export function validateImageCacheOptions(path: string, options: ImageCacheOptions, release: GlanceRelease): ResolvedImageCache {
  let maxSizeBytes: bigint | undefined;
  const ratio = options.maxSizeRatio ?? DEFAULT_RATIO;
  if (typeof ratio !== 'number' || !(ratio > 0 && ratio <= 1)) {
    throw new GlanceValidationError(`${path}.maxSizeRatio`, ratio, 'is outside (0, 1]',
      'use a fraction of the volume such as 0.85; above 1 the cache outgrows its volume');
  }
  if (options.size !== undefined) {
    const bytes = parseStorageSize(`${path}.size`, options.size);
    maxSizeBytes = floorProduct(bytes, numberToFraction(ratio));
    if (maxSizeBytes < 1n) {
      throw new GlanceValidationError(`${path}.size`, options.size, `leaves an image_cache_max_size of ${maxSizeBytes} bytes`, 'use a larger size');
    }
  }
  const stallTimeSeconds = stallSeconds(`${path}.stallTime`, options.stallTime);
  if (options.storageClass !== undefined) checkSubdomain(`${path}.storageClass`, options.storageClass);
  const driver = options.driver ?? (release.isAtLeast(GlanceRelease.CARACAL) ? ImageCacheDriver.CENTRALIZED_DB : ImageCacheDriver.SQLITE);
  if (!Object.values(ImageCacheDriver).includes(driver)) {
    throw new GlanceValidationError(`${path}.driver`, driver, 'is not a cache driver', 'use an ImageCacheDriver value');
  }
  if (driver === ImageCacheDriver.CENTRALIZED_DB && !release.isAtLeast(GlanceRelease.CARACAL)) {
    throw new GlanceValidationError(`${path}.driver`, driver, `is not available in Glance ${release}`,
      'use ImageCacheDriver.SQLITE or XATTR, or set release to CARACAL or later');
  }
  const policy = {
    cacheList: policyRule(`${path}.policy.cacheList`, options.policy?.cacheList),
    cacheImage: policyRule(`${path}.policy.cacheImage`, options.policy?.cacheImage),
    cacheDelete: policyRule(`${path}.policy.cacheDelete`, options.policy?.cacheDelete),
  };
  let precache: ResolvedImageCache['precache'];
  if (options.precache !== undefined) {
    const cronJobsWait = options.precache.cronJobsWaitUntilCached ?? false;
    checkBoolean(`${path}.precache.cronJobsWaitUntilCached`, cronJobsWait);
    precache = {
      images: validatePrecacheImages(`${path}.precache`, options.precache.images),
      schedule: scheduleOf(`${path}.precache.schedule`, options.precache.schedule, CachePrecache.DEFAULT_SCHEDULE),
      waitUntilCached: Duration.seconds(validateWaitUntilCached(`${path}.precache.waitUntilCached`, options.precache.waitUntilCached)),
      cronJobsWaitUntilCached: cronJobsWait,
    };
    // The precache jobs list and queue as the Glance service user: the policy must let it.
    for (const [rule, what] of [['cacheList', 'list'], ['cacheImage', 'queue']] as const) {
      if (!policyAllowsRoles(policy[rule], SERVICE_USER_ROLES)) {
        throw new GlanceValidationError(`${path}.policy.${rule}`, policy[rule],
          `does not let the Glance service user (roles ${SERVICE_USER_ROLES.join(' and ')} in the service project) ${what} cached images, which ` +
            'precache does as that user',
          `allow it, e.g. "${policy[rule]} or role:admin", or remove precache`);
      }
    }
  }
  return {
    maxSizeBytes,
    stallTimeSeconds,
    driver,
    policy,
    prunerSchedule: scheduleOf(`${path}.prunerSchedule`, options.prunerSchedule, CachePruner.DEFAULT_SCHEDULE),
    cleanerSchedule: scheduleOf(`${path}.cleanerSchedule`, options.cleanerSchedule, CacheCleaner.DEFAULT_SCHEDULE),
    precache,
  };
}

/** The roles OpenStack deployment tools grant the Glance service user in the service project. */
const SERVICE_USER_ROLES = ['admin', 'service'];

function stallSeconds(prop: string, stallTime: Duration | undefined): number {
  if (stallTime === undefined) return DEFAULT_STALL_SECONDS;
  return wholeSeconds(prop, stallTime, { min: 1 }, 'is not a positive whole number of seconds',
    'use e.g. Duration.hours(24); Glance reads image_cache_stall_time as whole seconds');
}

function policyRule(prop: string, rule: string | undefined): string {
  const value = rule ?? 'role:admin';
  if (typeof value !== 'string' || value.trim() === '' || /[\r\n\0]/.test(value)) {
    throw new GlanceValidationError(prop, value, 'is not a one-line oslo.policy rule',
      'use a rule such as "role:admin" or "role:admin or role:service"');
  }
  return value;
}
