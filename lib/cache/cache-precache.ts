import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  cacheJobContainer, CacheJobProps, cacheJobsScriptCommand, createPerReplicaCronJobs, cronRunDeadlineSeconds, INSIDE_AN_API, statefulSetNameProp,
} from './cache-job';
import { GlanceApiBase } from '../api-host';
import { GlanceValidationError } from '../errors';
import { credentialEnv } from '../keystone/credentials';
import { checkDerivedName, NameKind, SecretKeySelector, workerSelfReferenceUrl } from '../names';
import { CONFIG_DIR, glanceLabels, hardenJobPod, JOB_POD_DEFAULTS, kubeletLiteral, nameByTemplate, SECRET_MODE } from '../pod-security';
import { wholeSeconds } from '../quantity';
import { scheduleOf } from '../schedule';
import { trustForJob } from '../tls/trust';

/** Props of CachePrecache. */
export interface CachePrecacheProps extends CacheJobProps {
  /** The images to keep cached. */
  readonly images: string[];
  /** The Glance service user's Keystone password; the jobs authenticate as that user. */
  readonly keystonePassword: SecretKeySelector;
  /**
   * The Secret of the service user's application credential (AC_ID, AC_SECRET), which the jobs
   * then authenticate with instead of the password.
   * @default - the password
   */
  readonly keystoneApplicationCredentialSecret?: string;
  /**
   * How long the first-run Job waits, once it has queued the images, until every replica lists
   * them as cached; it fails when they are not by then. Duration.seconds(0) only queues.
   * @default Duration.minutes(30)
   */
  readonly waitUntilCached?: Duration;
  /**
   * Whether each CronJob also waits until its replica lists the images as cached (at most its
   * run's deadline less 2 minutes), failing when they are not.
   * @default false
   */
  readonly cronJobsWaitUntilCached?: boolean;
}

/** The first-run Job's default wait until the images are cached. */
const DEFAULT_WAIT_UNTIL_CACHED = Duration.minutes(30);
/** The longest wait: the first-run Job's deadline is an hour more. */
const MAX_WAIT_UNTIL_CACHED_SECONDS = 12 * 3600;

/**
 * Keeps images cached on every replica: one CronJob per replica (`<sts>-<N>-precache`) that
 * authenticates to Keystone as the Glance service user (the API's own keystone_authtoken
 * settings and password), resolves names to IDs, and queues through the replica's own hostname
 * each image it has not cached yet; an image that cannot be cached as it is (missing, not active,
 * not visible) is skipped and reported, and a run fails only when nothing could be done. A Job
 * (`<sts>-precache-<hash>`, named after the image list) warms every replica as soon as it is up,
 * without waiting for the schedule, and waits until they have cached the images.
 */
export class CachePrecache extends Construct {
  /** The default schedule: every 15 minutes. */
  public static readonly DEFAULT_SCHEDULE = '*\/15 * * * *';

  /** One CronJob per replica, in replica order. */
  public readonly cronJobs: kplus.CronJob[];
  /** The first-run Job's name. */
  public readonly firstRunJobName: string;

  constructor(scope: Construct, id: string, props: CachePrecacheProps) {
    super(scope, id);
    // kubeletLiteral: "$(VAR)" in an image name reaches the script as written.
    const images = kubeletLiteral(props.images.map((image) => `--image=${image}`));
    const outsideApi = { prop: 'CachePrecache', fix: INSIDE_AN_API };
    const schedule = scheduleOf('precacheSchedule', props.schedule, CachePrecache.DEFAULT_SCHEDULE);
    const waitSeconds = validateWaitUntilCached('waitUntilCached', props.waitUntilCached);
    // A CronJob waits for at most its run's deadline, less 2 minutes to report.
    const cronWait = props.cronJobsWaitUntilCached === true ? [`--wait-cached=${Math.max(60, cronRunDeadlineSeconds(schedule) - 120)}`] : [];
    const command = cacheJobsScriptCommand(this, ['precache', ...images, ...cronWait], outsideApi)!;
    // The service user's password or application credential, as [keystone_authtoken] of the API reads it.
    const credentials: Record<string, kplus.EnvValue> = Object.fromEntries(credentialEnv('keystone_authtoken',
      { passwordSecret: props.keystonePassword, applicationCredentialSecret: props.keystoneApplicationCredentialSecret })
      .map(({ name, secret }, i) => [name, kplus.EnvValue.fromSecretValue({
        secret: kplus.Secret.fromSecretName(this, i === 0 ? 'keystone-secret' : `keystone-secret-${i}`, secret.name), key: secret.key,
      })]));
    this.cronJobs = createPerReplicaCronJobs(this, { ...props, schedule }, {
      suffix: 'precache',
      command,
      defaultSchedule: CachePrecache.DEFAULT_SCHEDULE,
      onCacheVolume: false,
      env: credentials,
    });

    // The first run: every replica, each waited for. A new image list (or image, or setting) is a new Job.
    // Its name ends in 8 hex digits of its template's hash (nameByTemplate, below).
    checkDerivedName(statefulSetNameProp(this), `${props.statefulSetName}-precache-00000000`, NameKind.CRON_JOB, 'Job');
    const settings = GlanceApiBase._of(this)?._settings;
    const urls = Array.from({ length: props.replicas },
      (_, n) => ['--url', workerSelfReferenceUrl(props.statefulSetName, `${props.statefulSetName}-${n}`, settings?.https)]).flat();
    const trust = trustForJob(this, settings?.tls);
    const config = kplus.Volume.fromSecret(this, 'first-run-config',
      kplus.Secret.fromSecretName(this, 'first-run-config-secret', props.configSecretName), { defaultMode: SECRET_MODE });
    const tmp = kplus.Volume.fromEmptyDir(this, 'first-run-tmp', 'tmp', { sizeLimit: Size.mebibytes(64) });
    const firstRun = new kplus.Job(this, 'first-run', {
      ...JOB_POD_DEFAULTS,
      metadata: { labels: glanceLabels('cache-precache') },
      podMetadata: { labels: glanceLabels('cache-precache', { 'glance.openstack.org/cache-of': props.statefulSetName }) },
      backoffLimit: 6,
      activeDeadline: Duration.seconds(3600 + waitSeconds),
      ttlAfterFinished: Duration.days(1),
      containers: [cacheJobContainer(props, 'precache', cacheJobsScriptCommand(this,
        ['precache', ...images, ...urls, '--wait', ...waitSeconds > 0 ? [`--wait-cached=${waitSeconds}`] : []], outsideApi),
      { POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE), ...credentials, ...trust.env },
      [{ volume: config, path: CONFIG_DIR, readOnly: true }, { volume: tmp, path: '/tmp' }, ...trust.mounts])],
    });
    hardenJobPod(firstRun);
    this.firstRunJobName = nameByTemplate(firstRun, `${props.statefulSetName}-precache`);
  }
}

/**
 * Checks how long precache waits until the images are cached: its seconds.
 * @internal
 */
export function validateWaitUntilCached(path: string, wait: Duration | undefined): number {
  return wholeSeconds(path, wait ?? DEFAULT_WAIT_UNTIL_CACHED, { min: 0, max: MAX_WAIT_UNTIL_CACHED_SECONDS },
    `is not a whole number of seconds from 0 to ${MAX_WAIT_UNTIL_CACHED_SECONDS} (12 hours)`,
    'use e.g. Duration.minutes(30), or Duration.seconds(0) to only queue');
}

/**
 * Checks a precache image list; names errors under `path`.
 * @internal
 */
export function validatePrecacheImages(path: string, images: unknown): string[] {
  if (!Array.isArray(images) || images.length === 0) {
    throw new GlanceValidationError(`${path}.images`, images, 'is not a non-empty list of image IDs or names',
      'list the images to keep cached, e.g. ["cirros-0.6.2"]');
  }
  images.forEach((image, i) => {
    if (typeof image !== 'string' || image.trim() === '' || image.startsWith('-') || /[\0-\x1f]/.test(image)) {
      throw new GlanceValidationError(`${path}.images[${i}]`, image, 'is not an image ID or name',
        'give an ID or a one-line name that does not start with "-"');
    }
  });
  return images;
}

/** Whether the rule can match a user with these roles, reading only role checks. */
export function policyAllowsRoles(rule: string, roles: string[]): boolean {
  const tokens = rule.replace(/\(/g, ' ( ').replace(/\)/g, ' ) ').trim().split(/\s+/);
  let position = 0;
  const has = new Set(roles.map((r) => r.toLowerCase()));
  // oslo.policy's grammar: or binds loosest, then and, then not.
  const parseOr = (): boolean => {
    let value = parseAnd();
    while (tokens[position]?.toLowerCase() === 'or') { position++; value = parseAnd() || value; }
    return value;
  };
  const parseAnd = (): boolean => {
    let value = parseNot();
    while (tokens[position]?.toLowerCase() === 'and') { position++; value = parseNot() && value; }
    return value;
  };
  const parseNot = (): boolean => {
    if (tokens[position]?.toLowerCase() === 'not') { position++; return !parseNot(); }
    const token = tokens[position++];
    if (token === '(') { const value = parseOr(); position++; return value; }
    if (token === '@') return true;
    // "!", the end of the rule, and every check but a role check count as not matching: only
    // role checks are decidable here.
    const role = /^role:(.*)/is.exec(String(token));
    return role !== null && has.has(role[1].toLowerCase());
  };
  return parseOr();
}
