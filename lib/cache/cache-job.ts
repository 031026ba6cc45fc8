import { readFileSync } from 'fs';
import { join } from 'path';
import { Cron, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { GlanceApiBase } from '../api-host';
import { GlanceValidationError } from '../errors';
import { checkDerivedName, checkNamePart, NameKind, SecretKeySelector, workerSelfReferenceUrl } from '../names';
import {
  CACHE_DIR, CONFIG_DIR, CRON_JOB_DEFAULTS, glanceCommand, glanceLabels, hardenJobPod, JOB_POD_DEFAULTS,
  RESTRICTED_KPLUS_CONTAINER_SECURITY, SECRET_MODE,
  TOOL_JOB_RESOURCES,
} from '../pod-security';
import { scheduleOf, shortestIntervalMinutes } from '../schedule';
import { trustForJob } from '../tls/trust';

/** What a per-replica cache job needs to know about the replicas it serves. */
export interface CacheJobProps {
  /** The Glance API StatefulSet whose replicas' caches the jobs maintain. */
  readonly statefulSetName: string;
  /** How many replicas; one CronJob is created for each. */
  readonly replicas: number;
  /** The Glance container image (it ships the glance-cache-* tools). */
  readonly image: string;
  /** The Secret with the API's configuration files, mounted exactly as the API mounts it. */
  readonly configSecretName: string;
  /**
   * Secret key with the database URL, for the centralized_db driver.
   * @default - no database access
   */
  readonly databaseConnection?: SecretKeySelector;
  /**
   * When the job runs, as five cron fields or a cdk8s Cron.
   * @default - the job's own default
   */
  readonly schedule?: Cron;
  /**
   * Pull policy of the job's container.
   * @default kplus.ImagePullPolicy.IF_NOT_PRESENT
   */
  readonly imagePullPolicy?: kplus.ImagePullPolicy;
}

/** File name of the cache jobs' script (prune, clean) in the API's config Secret. */
export const CACHE_JOBS_SCRIPT = 'glance-cache-jobs.py';
/** The script's text, shipped beside this module (projen's package includes lib/cache/*.py). */
const CACHE_JOBS_SCRIPT_TEXT = readFileSync(join(__dirname, CACHE_JOBS_SCRIPT), 'utf8');

/**
 * Ships the cache jobs' script in the config Secret of the job's GlanceApi (which the jobs mount)
 * and returns the command that runs it with `args`. Outside a GlanceApi it fails when the job
 * needs the script (`required` names the prop and the fix), and returns undefined otherwise.
 */
export function cacheJobsScriptCommand(job: Construct, args: string[], required?: { prop: string; fix: string }): string[] | undefined {
  const api = GlanceApiBase._of(job);
  if (!api) {
    if (!required) return undefined;
    throw new GlanceValidationError(required.prop, true, 'runs a script shipped in the config Secret of a GlanceApi, and this job is in none',
      required.fix);
  }
  api._addConfigFile(CACHE_JOBS_SCRIPT, CACHE_JOBS_SCRIPT_TEXT);
  return glanceCommand(['python3', `${CONFIG_DIR}/${CACHE_JOBS_SCRIPT}`], args);
}

/** What a cache job created outside a GlanceApi is told to do instead. */
export const INSIDE_AN_API = 'create it inside a GlanceApi (its ImageCache does)';

/** How one kind of cache job differs from the others. */
export interface CacheJobKind {
  readonly suffix: string;
  readonly command: string[];
  readonly defaultSchedule: string;
  /**
   * Whether the job works on the replica's cache volume, and so runs on its node and mounts it.
   * The precache job talks to the replica's API instead.
   * @default true
   */
  readonly onCacheVolume?: boolean;
  /** Env entries after the replica's own URL and the database URL. @default - none */
  readonly env?: Record<string, kplus.EnvValue>;
}

/**
 * Labels of a cache job's pods. They never carry the API's selector label
 * (glance.openstack.org/statefulset), so no API Service selects them.
 */
function cacheJobPodLabels(statefulSetName: string, suffix: string, podName: string): Record<string, string> {
  return glanceLabels(`cache-${suffix}`, { 'glance.openstack.org/cache-of': statefulSetName, 'glance.openstack.org/replica': podName });
}

/** Name of the NetworkPolicy that denies a StatefulSet's cache jobs all ingress. */
export function cacheJobsNetworkPolicyName(statefulSetName: string): string {
  return `${statefulSetName}-cache-jobs`;
}

/**
 * The prop errors about names derived from statefulSetName report under: inside a GlanceApi, the
 * API's (the user shortens its name there), else statefulSetName.
 */
export function statefulSetNameProp(job: Construct): string {
  return GlanceApiBase._of(job)?._settings.propPath ?? 'statefulSetName';
}

/** The container of a cache job: the API's image, restricted, with the tools' small resources. */
export function cacheJobContainer(props: CacheJobProps, name: string, command: string[] | undefined, env: Record<string, kplus.EnvValue>,
  mounts: kplus.VolumeMount[]): kplus.ContainerProps {
  return {
    name,
    image: props.image,
    imagePullPolicy: props.imagePullPolicy ?? kplus.ImagePullPolicy.IF_NOT_PRESENT,
    command,
    envVariables: env,
    securityContext: RESTRICTED_KPLUS_CONTAINER_SECURITY,
    // The cache tools walk one directory: small and short-lived.
    resources: TOOL_JOB_RESOURCES,
    volumeMounts: mounts,
  };
}

/** Name of the cache claim a StatefulSet's volumeClaimTemplate "glance-cache" gives replica N. */
export function cacheClaimName(statefulSetName: string, replica: number): string {
  return `glance-cache-${statefulSetName}-${replica}`;
}

/** A cache CronJob run's deadline: a stuck run must end well before the next one is due (concurrencyPolicy Forbid skips it). */
export function cronRunDeadlineSeconds(schedule: Cron): number {
  return Math.floor(Math.min(120, shortestIntervalMinutes(schedule) / 2) * 60);
}

/**
 * Creates one CronJob per replica. Each cache volume is ReadWriteOnce, so the job must run on the
 * replica's node (required pod affinity on the replica's pod name) and mount that replica's claim.
 */
export function createPerReplicaCronJobs(scope: Construct, props: CacheJobProps, kind: CacheJobKind): kplus.CronJob[] {
  // Inside an API: the API's cache must exist, and has one job of each kind.
  const api = GlanceApiBase._of(scope);
  api?._addCacheJob(kind.suffix);
  // The CA bundle: the precache calls the replica over HTTPS, and every cache job may reach the database over TLS.
  const trust = trustForJob(scope, api?._settings.tls);
  const nameProp = statefulSetNameProp(scope);
  checkNamePart(nameProp, props.statefulSetName);
  if (!Number.isInteger(props.replicas) || props.replicas < 0) {
    throw new GlanceValidationError('replicas', props.replicas, 'is not a whole number of replicas', 'use 0 or more');
  }
  const schedule = scheduleOf(`${kind.suffix}Schedule`, props.schedule, kind.defaultSchedule);
  const deadline = Duration.seconds(cronRunDeadlineSeconds(schedule));
  const config = kplus.Volume.fromSecret(scope, 'config',
    kplus.Secret.fromSecretName(scope, 'config-secret', props.configSecretName), { defaultMode: SECRET_MODE });
  const tmp = kplus.Volume.fromEmptyDir(scope, 'tmp', 'tmp', { sizeLimit: Size.mebibytes(256) });
  const dbEnv: Record<string, kplus.EnvValue> = {};
  if (props.databaseConnection) {
    const secret = kplus.Secret.fromSecretName(scope, 'db-secret', props.databaseConnection.name);
    dbEnv.OS_DATABASE__CONNECTION = kplus.EnvValue.fromSecretValue({ secret, key: props.databaseConnection.key });
  }

  const jobs: kplus.CronJob[] = [];
  for (let replica = 0; replica < props.replicas; replica++) {
    const podName = `${props.statefulSetName}-${replica}`;
    const name = `${podName}-${kind.suffix}`;
    checkDerivedName(nameProp, name, NameKind.CRON_JOB, 'CronJob');
    const onCacheVolume = kind.onCacheVolume ?? true;
    const mounts: kplus.VolumeMount[] = [{ volume: config, path: CONFIG_DIR, readOnly: true }];
    if (onCacheVolume) {
      const claim = kplus.PersistentVolumeClaim.fromClaimName(scope, `claim-${replica}`, cacheClaimName(props.statefulSetName, replica));
      mounts.push({ volume: kplus.Volume.fromPersistentVolumeClaim(scope, `cache-${replica}`, claim), path: CACHE_DIR });
    }
    mounts.push({ volume: tmp, path: '/tmp' }, ...trust.mounts);
    // The replica's own name, exactly as its API resolves it: the centralized_db driver keys
    // the replica's cache records by it. $(POD_NAMESPACE) expands from the entry before it.
    const env: Record<string, kplus.EnvValue> = {
      POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
      OS_DEFAULT__WORKER_SELF_REFERENCE_URL: kplus.EnvValue.fromValue(workerSelfReferenceUrl(props.statefulSetName, podName, api?._settings.https)),
      ...dbEnv,
      ...kind.env,
      ...trust.env,
    };
    const job = new kplus.CronJob(scope, `replica-${replica}`, {
      metadata: {
        name,
        labels: glanceLabels(`cache-${kind.suffix}`, { 'glance.openstack.org/replica': podName }),
      },
      ...JOB_POD_DEFAULTS,
      ...CRON_JOB_DEFAULTS,
      schedule,
      backoffLimit: 2,
      activeDeadline: deadline,
      podMetadata: { labels: cacheJobPodLabels(props.statefulSetName, kind.suffix, podName) },
      containers: [cacheJobContainer(props, kind.suffix, kind.command, env, mounts)],
    });
    hardenJobPod(job);
    if (onCacheVolume) {
      const replicaPod = kplus.Pods.select(scope, `pod-${replica}`, { labels: { 'statefulset.kubernetes.io/pod-name': podName } });
      // On the replica's node (cdk8s-plus colocates by hostname).
      job.scheduling.colocate(replicaPod);
    }
    jobs.push(job);
  }
  return jobs;
}
