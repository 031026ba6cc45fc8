import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { GlanceValidationError } from './errors';
import { baseServiceConfig } from './glance-conf';
import { DbPurgeOptions } from './glance-props';
import { renderIni } from './ini';
import { checkDerivedName, NameKind } from './names';
import {
  CONFIG_ANCHOR, CONFIG_DIR, CRON_JOB_DEFAULTS, glanceCommand, glanceLabels, hardenJobPod, JOB_POD_DEFAULTS, nameByTemplate,
  RESTRICTED_KPLUS_CONTAINER_SECURITY, SECRET_MODE,
  STATE_LOCK_DIR,
} from './pod-security';
import { scheduleOf } from './schedule';
import { ResolvedCommonProps } from './service-config';
import { trustForJob } from './tls/trust';

/**
 * The database tools of a deployment: their config Secret, the db-sync Job and the db-purge
 * CronJob, all running glance-manage with the user's connection Secret.
 * @internal
 */
export class GlanceDatabase extends Construct {
  /**
   * Its id under Glance. Constructs named "Default" are left out of construct addresses, so its
   * Jobs keep the pod labels they had when Glance made them itself.
   */
  public static readonly ID = 'Default';

  public readonly configSecretName: string;
  public readonly syncJobName: string;
  /** The NetworkPolicy that denies the database jobs all ingress, when NetworkPolicies are on. */
  public readonly networkPolicyName?: string;

  constructor(scope: Construct, common: ResolvedCommonProps, dbPurge: DbPurgeOptions | undefined) {
    super(scope, GlanceDatabase.ID);
    const ageInDays = dbPurge?.ageInDays ?? 30;
    if (!Number.isInteger(ageInDays) || ageInDays < 1) {
      throw new GlanceValidationError('dbPurge.ageInDays', ageInDays, 'is not a whole number of days of at least 1', 'use e.g. 30');
    }
    const schedule = scheduleOf('dbPurge.schedule', dbPurge?.schedule, '1 0 * * *');
    // The pods of both jobs, for their NetworkPolicy.
    const podLabel = { 'glance.openstack.org/db-of': common.name };
    const purgeName = `${common.name}-db-purge`;
    // With a name short enough for this CronJob (52), "<name>-db-sync-<hash>" is at most 60 (63 for a Job).
    checkDerivedName('name', purgeName, NameKind.CRON_JOB, 'CronJob');

    // The same generated config as the APIs, without the cache options.
    this.configSecretName = `${common.name}-db-config`;
    const files: Record<string, string> = {
      '00-glance.conf': renderIni(baseServiceConfig(common, { workers: 1, showImageDirectUrl: false })),
      [CONFIG_ANCHOR.name]: CONFIG_ANCHOR.text,
    };
    // Stryker disable next-line ConditionalExpression: cdk8s leaves an undefined value out of stringData, so no file either way
    if (common.customServiceConfig) files['50-custom.conf'] = common.customServiceConfig;
    new kplus.Secret(this, 'db-config', { metadata: { name: this.configSecretName, labels: glanceLabels() }, stringData: files });
    const config = kplus.Volume.fromSecret(this, 'db-config-volume',
      kplus.Secret.fromSecretName(this, 'db-config-ref', this.configSecretName), { defaultMode: SECRET_MODE });
    // glance-manage's lock_path: the root filesystem is read-only and these pods have no state volume.
    const locks = kplus.Volume.fromEmptyDir(this, 'db-locks', 'locks', { sizeLimit: Size.mebibytes(16) });
    const dbSecret = kplus.Secret.fromSecretName(this, 'db-secret', common.database.connectionSecret.name);
    // The CA bundle: the database (database.tls) and Keystone may be reached over TLS.
    const trust = trustForJob(this, common.tls);
    const toolContainer = (name: string, args: string[]): kplus.ContainerProps => ({
      name,
      image: common.image,
      imagePullPolicy: common.imagePullPolicy,
      command: glanceCommand(['glance-manage'], args),
      envVariables: {
        OS_DATABASE__CONNECTION: kplus.EnvValue.fromSecretValue({ secret: dbSecret, key: common.database.connectionSecret.key }),
        ...trust.env,
      },
      securityContext: RESTRICTED_KPLUS_CONTAINER_SECURITY,
      // Schema migrations and a purge: bounded, and far below cdk8s-plus's default of one CPU.
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(1000) },
        memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
      },
      volumeMounts: [{ volume: config, path: CONFIG_DIR, readOnly: true }, { volume: locks, path: STATE_LOCK_DIR }, ...trust.mounts],
    });

    const sync = new kplus.Job(this, 'db-sync', {
      ...JOB_POD_DEFAULTS,
      metadata: { labels: glanceLabels('db-sync') },
      podMetadata: { labels: glanceLabels('db-sync', podLabel) },
      backoffLimit: 6,
      containers: [toolContainer('db-sync', ['db_sync'])],
    });
    const purge = new kplus.CronJob(this, 'db-purge', {
      ...JOB_POD_DEFAULTS,
      ...CRON_JOB_DEFAULTS,
      metadata: { name: purgeName, labels: glanceLabels('db-purge') },
      podMetadata: { labels: glanceLabels('db-purge', podLabel) },
      schedule,
      containers: [toolContainer('db-purge', ['db', 'purge', '--age_in_days', String(ageInDays)])],
    });
    hardenJobPod(sync);
    hardenJobPod(purge);
    // A new image or pod setting is a new Job, which runs db_sync again: the old one, if finished, may be deleted.
    this.syncJobName = nameByTemplate(sync, `${common.name}-db-sync`);
    if (common.networkPolicy?.enabled ?? true) {
      // Within 63 characters: the name is at most 45, as every StatefulSet name (52) starts with it.
      this.networkPolicyName = `${common.name}-db-jobs`;
      new k8s.KubeNetworkPolicy(this, 'network-policy', {
        metadata: { name: this.networkPolicyName, labels: glanceLabels('database') },
        // Selected, with no ingress rule: nothing may connect to db-sync or db-purge.
        spec: { podSelector: { matchLabels: podLabel }, policyTypes: ['Ingress'] },
      });
    }
  }
}
