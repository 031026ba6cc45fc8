import { createHash } from 'crypto';
import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';

/** The glance user and group in the usual Glance images (kolla, TCIB). */
export const GLANCE_UID = 42415;

/** Where every Glance process reads its configuration from (oslo --config-dir). */
export const CONFIG_DIR = '/etc/glance/glance.conf.d';

/**
 * A file every config Secret holds, empty but for a comment: named on the command line with
 * --config-file, it keeps oslo.config from searching for the image's own config files (given
 * --config-dir alone, it loads /etc/glance/glance-api.conf and glance.conf, so an image's
 * region_name or auth_url would reach Glance), and --config-dir keeps it from loading the image's
 * *.conf.d directories. Its name is glance-api's: glance-api finds its paste pipeline by the last
 * config file's name (glance-api-paste.ini, from the image, as before).
 */
export const CONFIG_ANCHOR = { name: 'glance-api.conf', text: '# Empty: the configuration is in the other *.conf files here, read in name order.\n' };

/**
 * The configuration arguments of every Glance program: exactly the files the library writes
 * (CONFIG_ANCHOR). Written "--option=value", so that a program's own argument parser (the cache
 * jobs' argparse) cannot take a value for a positional argument.
 */
export const CONFIG_ARGS = [`--config-file=${CONFIG_DIR}/${CONFIG_ANCHOR.name}`, `--config-dir=${CONFIG_DIR}`];

/**
 * Run by python3 before a Glance program: oslo.config expands `$name` and `${group.name}` in every
 * value it reads, OS_<GROUP>__<OPTION> variables included, so a `$` in a password or database URL
 * from a Secret would be read as a reference (and a missing one stops glance-api). It doubles every
 * `$` of those variables, oslo.config's escape, then becomes the program.
 */
export const OSLO_ENV_ESCAPE = "import os, sys; os.environ.update({k: v.replace('$', '$$') for k, v in os.environ.items() if k.startswith('OS_')}); "
  + 'os.execvp(sys.argv[1], sys.argv[1:])';

/**
 * Command and args as the kubelet must receive them: it expands `$(VAR)` in both, so every `$`
 * is written `$$` and reaches the program as written.
 */
export function kubeletLiteral(argv: readonly string[]): string[] {
  return argv.map((arg) => arg.replace(/\$/g, '$$$$'));
}

/**
 * The command of a container that runs Glance code: the program, the configuration arguments
 * (CONFIG_ARGS), then `args`, with the OS_* variables escaped for oslo.config (OSLO_ENV_ESCAPE).
 * The kubelet still expands `$(VAR)` in `args`, as the library's own references such as
 * `$(POD_NAMESPACE)` need: what a user wrote goes through kubeletLiteral first.
 */
export function glanceCommand(program: readonly string[], args: readonly string[] = []): string[] {
  return [...kubeletLiteral(['python3', '-c', OSLO_ENV_ESCAPE, ...program, ...CONFIG_ARGS]), ...args];
}

/** Glance's state directory: staging, tasks and, with the file store, the images. */
export const STATE_DIR = '/var/lib/glance';
/** image_cache_dir: each replica's own cache volume is mounted here. */
export const CACHE_DIR = '/var/lib/glance/image-cache';
/**
 * lock_path of a replica with a cache: on its cache volume, which the API and the replica's cache
 * jobs all mount, so that Glance's inter-process cache locks (the sqlite driver's database
 * creation, the prefetcher) hold across the pods that share the cache.
 */
export const CACHE_LOCK_DIR = '/var/lib/glance/image-cache/locks';
/** lock_path without a cache: on the state volume of the API, or an emptyDir of the db jobs. */
export const STATE_LOCK_DIR = '/var/lib/glance/tmp';
/** filesystem_store_datadir of the file store. */
export const FILE_STORE_DIR = '/var/lib/glance/images';

/** Where glance-api reads the policy files of policyConfigMap (oslo.policy's policy_dirs). */
export const POLICY_DIR = '/etc/glance/policy.d';
/** Secrets are readable by the glance group only. */
export const SECRET_MODE = 0o440;

/** Pod-level settings for Pod Security "restricted", as the low-level API spells them. */
export const RESTRICTED_POD_SECURITY = {
  runAsNonRoot: true,
  runAsUser: GLANCE_UID,
  runAsGroup: GLANCE_UID,
  fsGroup: GLANCE_UID,
  fsGroupChangePolicy: 'OnRootMismatch',
  seccompProfile: { type: 'RuntimeDefault' },
};

/** Container-level settings for Pod Security "restricted", as the low-level API spells them. */
export const RESTRICTED_CONTAINER_SECURITY = {
  runAsNonRoot: true,
  runAsUser: GLANCE_UID,
  runAsGroup: GLANCE_UID,
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The same restricted settings, as cdk8s-plus spells them. */
export const RESTRICTED_KPLUS_POD_SECURITY: kplus.PodSecurityContextProps = {
  ensureNonRoot: true,
  user: GLANCE_UID,
  group: GLANCE_UID,
  fsGroup: GLANCE_UID,
  fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
};

export const RESTRICTED_KPLUS_CONTAINER_SECURITY: kplus.ContainerSecurityContextProps = {
  ensureNonRoot: true,
  user: GLANCE_UID,
  group: GLANCE_UID,
  privileged: false,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: [kplus.Capability.ALL] },
  seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
};

/** What every Job and CronJob pod of the library shares: restricted, no token, no restarts. */
export const JOB_POD_DEFAULTS = {
  automountServiceAccountToken: false,
  securityContext: RESTRICTED_KPLUS_POD_SECURITY,
  restartPolicy: kplus.RestartPolicy.NEVER,
};

/** What every CronJob of the library shares: one run at a time, a missed run skipped after 10 minutes. */
export const CRON_JOB_DEFAULTS = {
  concurrencyPolicy: kplus.ConcurrencyPolicy.FORBID,
  // A run missed by more than this is skipped; the next one catches up.
  startingDeadline: Duration.minutes(10),
  successfulJobsRetained: 3,
  failedJobsRetained: 3,
};

/** The labels of every object the library creates: app.kubernetes.io/name=glance, a component, and more. */
export function glanceLabels(component?: string, more: Record<string, string> = {}): Record<string, string> {
  return { 'app.kubernetes.io/name': 'glance', ...(component ? { 'app.kubernetes.io/component': component } : {}), ...more };
}

/**
 * What cdk8s-plus cannot say on a Job's pod, and the API pods have: the pod-level seccomp
 * profile, and no service links (no environment variables for every Service in the namespace);
 * and what it says that the library does not want there (the construct-path label). Every Job and
 * CronJob of the library gets it.
 */
export function hardenJobPod(workload: kplus.Job | kplus.CronJob): void {
  const template = workload instanceof kplus.CronJob ? '/spec/jobTemplate/spec/template' : '/spec/template';
  ApiObject.of(workload).addJsonPatch(
    JsonPatch.add(`${template}/spec/enableServiceLinks`, false),
    JsonPatch.add(`${template}/spec/securityContext/seccompProfile`, { type: 'RuntimeDefault' }),
    // cdk8s-plus labels every pod with its construct path (cdk8s.io/metadata.addr), which nothing
    // selects a job's pods by: in a Job's template it would rename the Job (nameByTemplate) when the
    // construct tree is refactored, and an unrenamed Job with a changed template is refused.
    JsonPatch.remove(`${template}/metadata/labels/${kplus.Pod.ADDRESS_LABEL.replace('/', '~1')}`),
  );
}

/**
 * Resources of the short tool jobs (cache jobs, precache): small, and bounded, so that a namespace
 * with a limits quota admits them.
 */
export const TOOL_JOB_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
  memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
};

/**
 * Names a Job `<base>-<8 hex digits of its pod template's hash>` and returns the name. A Job's pod
 * template is immutable: an apply that changes it (a new image, a new setting) is refused with
 * "field is immutable". Named by its template, a changed Job is a new Job, which runs again, and
 * an unchanged one keeps its name. Call it once the Job is complete: it hashes the template as rendered.
 */
export function nameByTemplate(job: kplus.Job, base: string): string {
  const apiObject = ApiObject.of(job);
  const hash = createHash('sha256').update(JSON.stringify(apiObject.toJson().spec.template)).digest('hex').slice(0, 8);
  const name = `${base}-${hash}`;
  apiObject.addJsonPatch(JsonPatch.replace('/metadata/name', name));
  return name;
}
