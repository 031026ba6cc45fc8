import { readFileSync } from 'fs';
import { join } from 'path';
import Ajv from 'ajv';
import { App, Chart, Cron, Testing } from 'cdk8s';
import { parse as parseYaml } from 'yaml';
import { Glance, GlanceProps, ImageBackend } from '../lib';
import { GlanceValidationError } from '../lib/errors';

/** The S3 store's key Secrets, and an S3 and a Cinder store with their required options; tests add their own. */
export const s3Secrets = { accessKeySecret: { name: 's3-creds', key: 'access' }, secretKeySecret: { name: 's3-creds', key: 'secret' } };
export const s3 = (more: object = {}) => ImageBackend.s3({ host: 'https://s3.example.com', bucket: 'glance-images', ...s3Secrets, ...more });
export const cinder = (more: object = {}) => ImageBackend.cinder({ allowPrivilegedAttach: true, ...more });

/** Minimal valid props; tests spread their own on top. */
export const BASE_PROPS: GlanceProps = {
  database: { connectionSecret: { name: 'glance-db', key: 'connection' } },
  keystone: { authUrl: 'http://keystone.openstack.svc:5000', passwordSecret: { name: 'osp-secret', key: 'GlancePassword' } },
};

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: any }; [k: string]: any };

/** Synthesizes one Glance into a chart and returns its manifests. */
export function synthGlance(props: Partial<GlanceProps>, namespace = 'openstack'): Manifest[] {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace });
  new Glance(chart, 'glance', { ...BASE_PROPS, ...props });
  return Testing.synth(chart) as Manifest[];
}

export function synthApp(build: (app: App) => Chart): Manifest[] {
  return Testing.synth(build(Testing.app())) as Manifest[];
}

/**
 * `<kind>/<name>`, a Job's name with `<hash>` for the 8 hex digits of its template's hash
 * (nameByTemplate): what tests name objects by. find() takes either form.
 */
export function objectKey(m: Manifest): string {
  return `${m.kind}/${m.kind === 'Job' ? m.metadata.name.replace(/-[0-9a-f]{8}$/, '-<hash>') : m.metadata.name}`;
}

export function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && (m.metadata.name === name || objectKey(m) === `${kind}/${name}`));
  if (!found) {
    const have = manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ');
    throw new Error(`no ${kind}/${name} in: ${have}`);
  }
  return found;
}

export function ofKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

/** Reads an oslo ini file into { section: { key: value } } (no continuation lines). */
export function parseIniText(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section = '';
  for (const line of text.split('\n')) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header) { section = header[1]; out[section] ??= {}; continue; }
    const option = /^([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (option) out[section][option[1]] = option[2];
  }
  return out;
}

/** The generated glance.conf of a StatefulSet's config Secret. */
export function glanceConf(manifests: Manifest[], statefulSet: string): Record<string, Record<string, string>> {
  return parseIniText(find(manifests, 'Secret', `${statefulSet}-config`).stringData['00-glance.conf']);
}

/** Every pod spec in the manifests, with where it came from. */
export function podSpecs(manifests: Manifest[]): Array<{ where: string; spec: any }> {
  const out: Array<{ where: string; spec: any }> = [];
  for (const m of manifests) {
    const where = objectKey(m);
    if (m.kind === 'StatefulSet' || m.kind === 'Job') out.push({ where, spec: m.spec.template.spec });
    if (m.kind === 'CronJob') out.push({ where, spec: m.spec.jobTemplate.spec.template.spec });
  }
  return out;
}

// Two schema generations bracket Kubernetes 1.28: kubernetes-models 4.4 carries the 1.27
// schema and 4.5 a 1.30+ one. Every field we emit is valid in both, so it is valid in 1.28.
/**
 * A Glance program's container command as the library must write it: python3 doubling the `$` of
 * the OS_* variables (oslo.config's escape), the program, only the library's config files
 * (an explicit --config-file stops oslo.config's search for the image's own), then `args`.
 */
export function glanceCommandOf(program: string[], ...args: string[]): unknown[] {
  return ['python3', '-c',
    expect.stringMatching(/os\.environ\.update\(.*replace\('\$\$', '\$\$\$\$'\).*startswith\('OS_'\).*os\.execvp\(sys\.argv\[1\], sys\.argv\[1:\]\)/),
    ...program, '--config-file=/etc/glance/glance.conf.d/glance-api.conf', '--config-dir=/etc/glance/glance.conf.d', ...args];
}

export const SCHEMAS: Record<string, (group: string) => any> = {
  // The group's module is only known at run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  'kubernetes 1.27': (group) => require(`kubernetes-models-1.27/${group}`),
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  'kubernetes 1.30+': (group) => require(`kubernetes-models/${group}`),
};

/**
 * cert-manager's objects, validated against the openAPIV3Schema of the CRD the library's types were
 * generated from (crds/cert-manager/), as the API server validates them.
 */
const certManagerSchemas = new Map<string, (object: unknown) => boolean>();
function validateCertManager(manifest: Manifest): void {
  const key = `${manifest.apiVersion} ${manifest.kind}`;
  if (!certManagerSchemas.has(key)) {
    const crd = parseYaml(readFileSync(join(__dirname, '..', 'crds', 'cert-manager', `${manifest.kind.toLowerCase()}s.yaml`), 'utf8'));
    const version = crd.spec.versions.find((v: any) => `${crd.spec.group}/${v.name}` === manifest.apiVersion);
    if (!version) throw new Error(`no schema for ${key}`);
    // The Kubernetes extensions (x-kubernetes-*) and formats are annotations to ajv: types, enums and required fields are checked.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    certManagerSchemas.set(key, ajv.compile(version.schema.openAPIV3Schema));
  }
  const validate = certManagerSchemas.get(key)! as ((object: unknown) => boolean) & { errors?: unknown };
  if (!validate(manifest)) throw new Error(`${key} ${manifest.metadata.name}: ${JSON.stringify(validate.errors)}`);
}

/** Validates one manifest against one schema generation; throws on the first violation. */
export function validateSchema(manifest: Manifest, schema: (group: string) => any): void {
  if (manifest.apiVersion.startsWith('cert-manager.io/')) return validateCertManager(manifest);
  const [group, version] = manifest.apiVersion.includes('/') ? manifest.apiVersion.split('/') : ['', manifest.apiVersion];
  const Model = schema(group ? `${group}/${version}` : version)[manifest.kind];
  if (!Model) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
  new Model(manifest).validate();
}

/** The restricted pod-level security context every pod of the library has, exactly. */
export const RESTRICTED_POD_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: 42415,
  runAsGroup: 42415,
  fsGroup: 42415,
  fsGroupChangePolicy: 'OnRootMismatch',
  seccompProfile: { type: 'RuntimeDefault' },
};
/** The restricted container security context every container of the library has, exactly. */
export const RESTRICTED_CONTAINER_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: 42415,
  runAsGroup: 42415,
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The volume types Pod Security "restricted" allows (kubernetes.io/docs/concepts/security/pod-security-standards). */
export const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/**
 * Asserts Pod Security "restricted" and our own defaults on one pod spec, every setting exactly
 * and without conditions: no token, no service links, no host namespaces, the restricted pod and
 * container contexts, only the volume types restricted allows, Secrets (plain or projected) mode 0440 and mounted read-only.
 */
export function expectRestrictedPod(pod: any): void {
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(pod.enableServiceLinks).toBe(false);
  expect([pod.hostNetwork ?? false, pod.hostPID ?? false, pod.hostIPC ?? false]).toEqual([false, false, false]);
  expect(pod.securityContext).toEqual(RESTRICTED_POD_CONTEXT);
  const containers = [...pod.containers, ...(pod.initContainers ?? [])];
  expect(containers.map((c: any) => c.securityContext)).toEqual(containers.map(() => RESTRICTED_CONTAINER_CONTEXT));
  const volumes: any[] = pod.volumes ?? [];
  // Pod Security "restricted" admits these volume types only (an inline nfs: volume is refused).
  expect(volumes.filter((v) => !Object.keys(v).every((key) => key === 'name' || RESTRICTED_VOLUME_TYPES.includes(key)))).toEqual([]);
  const secretVolumes = volumes.filter((v) => v.secret !== undefined || v.projected !== undefined);
  expect(secretVolumes.map((v) => (v.secret ?? v.projected).defaultMode)).toEqual(secretVolumes.map(() => 0o440));
  const secretMounts = containers.flatMap((c: any) => (c.volumeMounts ?? []).filter((m: any) => secretVolumes.some((v) => v.name === m.name)));
  expect(secretMounts.map((m: any) => m.readOnly)).toEqual(secretMounts.map(() => true));
}

/**
 * Asserts that every volume mount of every container names a volume of its pod (or, in a
 * StatefulSet, a claim template), and that every volume and claim template is mounted: a mount of
 * a volume that does not exist is a pod Kubernetes refuses.
 */
export function expectMountsResolve(manifests: Manifest[]): void {
  for (const m of manifests) {
    const template = m.kind === 'CronJob' ? m.spec.jobTemplate.spec.template : ['StatefulSet', 'Job'].includes(m.kind) ? m.spec.template : undefined;
    if (!template) continue;
    const declared = [...(template.spec.volumes ?? []), ...(m.spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata)].map((v: any) => v.name);
    const containers = [...template.spec.containers, ...(template.spec.initContainers ?? [])];
    const mounted = containers.flatMap((c: any) => (c.volumeMounts ?? []).map((v: any) => v.name));
    const where = `${m.kind}/${m.metadata.name}`;
    expect([where, mounted.filter((name: string) => !declared.includes(name))]).toEqual([where, []]);
    expect([where, declared.filter((name: string) => !mounted.includes(name))]).toEqual([where, []]);
  }
}

/** Asserts that building fails with our error, naming the prop and the value, and giving a fix. */
export function expectInvalid(build: () => unknown, prop: string, value: string | RegExp): GlanceValidationError {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(GlanceValidationError);
  const err = error as GlanceValidationError;
  expect(err.prop).toBe(prop);
  expect(err.message.startsWith(`${prop}: `)).toBe(true);
  if (typeof value === 'string') expect(err.message).toContain(value);
  else expect(err.message).toMatch(value);
  expect(err.message).toMatch(/Fix: \S/);
  return err;
}

/**
 * A schedule prop written as cron text in a test: the cdk8s Cron of those five fields, or of an
 * @-macro of the CronJob controller (its cdk8s constant, the macro's expansion).
 */
export function cron(text: string): Cron {
  const macros: Record<string, () => Cron> = {
    '@yearly': Cron.annually,
    '@annually': Cron.annually,
    '@monthly': Cron.monthly,
    '@weekly': Cron.weekly,
    '@daily': Cron.daily,
    '@midnight': Cron.daily,
    '@hourly': Cron.hourly,
  };
  if (Object.prototype.hasOwnProperty.call(macros, text)) return macros[text]();
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`cron(${JSON.stringify(text)}): a test schedule has five fields`);
  const [minute, hour, day, month, weekDay] = fields;
  return Cron.schedule({ minute, hour, day, month, weekDay });
}
