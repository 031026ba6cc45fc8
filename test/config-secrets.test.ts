/**
 * configSecrets: Secrets of oslo.config text, checked in the API pod by an init container before
 * glance-api starts (the check itself runs on real Glance in test/e2e/config-secrets.test.ts and
 * test/e2e/ini-differential.test.ts (c)).
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { GlanceApiType, ImageBackend } from '../lib';
import { BASE_PROPS, expectInvalid, expectMountsResolve, find, ofKind, synthGlance } from './helpers';
import { readOnlyRootViolations } from './writable-dirs';
import { MANAGED_OPTIONS } from '../lib/config-guard';
import { CONFIG_SECRETS_RULES, CONFIG_SECRETS_SCRIPT } from '../lib/config-secrets';
import { resolveCommonProps } from '../lib/service-config';

const SCRIPT = readFileSync(join(__dirname, '..', 'lib', 'glance-config-secrets.py'), 'utf8');
const podOf = (manifests: any[], sts: string) => find(manifests, 'StatefulSet', sts).spec.template.spec;
const rulesOf = (manifests: any[], sts: string) => JSON.parse(find(manifests, 'Secret', `${sts}-config`).stringData[CONFIG_SECRETS_RULES]);

describe('configSecrets', () => {
  const manifests = synthGlance({
    configSecrets: ['glance-s3-keys', 'glance-more'],
    imageCache: { size: '10Gi' },
    apis: { default: {} },
  });
  const pod = podOf(manifests, 'glance-default-single');
  const api = pod.containers.find((c: any) => c.name === 'glance-api');
  const init = pod.initContainers.find((c: any) => c.name === 'config-secrets');

  test('each Secret is a volume of its own, read-only to the glance group; the config directory is an emptyDir in memory', () => {
    expect(pod.volumes).toContainEqual({ name: 'config-secret-0', secret: { secretName: 'glance-s3-keys', defaultMode: 0o440 } });
    expect(pod.volumes).toContainEqual({ name: 'config-secret-1', secret: { secretName: 'glance-more', defaultMode: 0o440 } });
    expect(pod.volumes).toContainEqual({ name: 'config-dir', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } });
    expectMountsResolve(manifests);
  });

  test('glance-api reads its config from that emptyDir, read-only, and mounts neither the Secrets nor the library\'s config Secret', () => {
    const mounts = api.volumeMounts.filter((m: any) => m.mountPath.startsWith('/etc/glance'));
    expect(mounts).toEqual([{ name: 'config-dir', mountPath: '/etc/glance/glance.conf.d', readOnly: true }]);
  });

  test('the init container checks and writes them: the library\'s config and each Secret read-only, the emptyDir writable', () => {
    expect(init.command).toEqual(['python3', '/etc/glance/glance.conf.library/glance-config-secrets.py',
      '/etc/glance/glance.conf.library/config-secrets-rules.json', '/etc/glance/glance.conf.library', '/etc/glance/config-secrets',
      '/etc/glance/glance.conf.d']);
    expect(init.volumeMounts).toEqual([
      { name: 'config', mountPath: '/etc/glance/glance.conf.library', readOnly: true },
      { name: 'config-secret-0', mountPath: '/etc/glance/config-secrets/0', readOnly: true },
      { name: 'config-secret-1', mountPath: '/etc/glance/config-secrets/1', readOnly: true },
      { name: 'config-dir', mountPath: '/etc/glance/glance.conf.d' },
    ]);
    expect(init.image).toBe(api.image);
    expect(init.securityContext).toEqual(api.securityContext);
    expect(init.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(init.env).toBeUndefined();
    // A refusal is what `kubectl describe pod` shows.
    expect(init.terminationMessagePolicy).toBe('FallbackToLogsOnError');
    // After the cache's cleanup, which needs nothing of it.
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['cache-incomplete-cleanup', 'config-secrets']);
  });

  test('the API\'s config Secret ships the check as written and its rules: those of customServiceConfig for this API', () => {
    const secret = find(manifests, 'Secret', 'glance-default-single-config').stringData;
    expect(secret[CONFIG_SECRETS_SCRIPT]).toBe(SCRIPT);
    const rules = rulesOf(manifests, 'glance-default-single');
    expect(rules.prop).toBe('configSecrets');
    expect(rules.secrets).toEqual(['glance-s3-keys', 'glance-more']);
    expect(rules.managed).toEqual(resolveCommonProps(BASE_PROPS).managedOptions);
    expect(rules.managed['paste_deploy.flavor']).toBe(MANAGED_OPTIONS['paste_deploy.flavor']);
    expect(rules.aliases['DEFAULT.sql_connection']).toBe('database.connection');
    expect(Object.keys(rules.meta)).toContain('config_dir');
    expect(rules.guarded.keystone_authtoken.allowed).toContain('memcached_servers');
    expect(rules.substitution).toBe(false);
    // Neither name ends in .conf: oslo.config does not read them as config.
    expect([CONFIG_SECRETS_SCRIPT, CONFIG_SECRETS_RULES].some((name) => name.endsWith('.conf'))).toBe(false);
  });

  test('a change of the list or of the rules rolls the pods (the config hash); the Secrets\' own text applies at the next pod', () => {
    const hash = (m: any[]) => find(m, 'StatefulSet', 'glance-default-single').spec.template.metadata.annotations['glance.openstack.org/config-hash'];
    const other = synthGlance({ configSecrets: ['glance-s3-keys'], imageCache: { size: '10Gi' }, apis: { default: {} } });
    expect(hash(other)).not.toBe(hash(manifests));
  });

  test('customServiceConfigSubstitution applies to them too', () => {
    const m = synthGlance({ configSecrets: ['a'], customServiceConfigSubstitution: true, apis: { default: {} } });
    expect(rulesOf(m, 'glance-default-single').substitution).toBe(true);
  });

  test('the jobs do not read them: only glance-api does', () => {
    const specs = [...ofKind(manifests, 'CronJob').map((c) => c.spec.jobTemplate.spec.template.spec),
      ...ofKind(manifests, 'Job').map((j) => j.spec.template.spec)];
    expect(specs.length).toBeGreaterThan(2);
    for (const spec of specs) {
      expect((spec.volumes ?? []).filter((v: any) => ['glance-s3-keys', 'glance-more'].includes(v.secret?.secretName))).toEqual([]);
    }
  });

  test('the memory emptyDir adds nothing to the ephemeral storage glance-api requests', () => {
    const without = podOf(synthGlance({ imageCache: { size: '10Gi' }, apis: { default: {} } }), 'glance-default-single');
    const withoutApi = without.containers.find((c: any) => c.name === 'glance-api');
    expect(api.resources).toEqual(withoutApi.resources);
  });

  test('without them, the pod is as before: the config Secret at the config directory, no init container of theirs', () => {
    const without = podOf(synthGlance({ apis: { default: {} } }), 'glance-default-single');
    expect(without.initContainers).toBeUndefined();
    expect(without.containers[0].volumeMounts[0]).toEqual({ name: 'config', mountPath: '/etc/glance/glance.conf.d', readOnly: true });
    expect(without.volumes.some((v: any) => v.name === 'config-dir')).toBe(false);
    const secret = find(synthGlance({ apis: { default: {} } }), 'Secret', 'glance-default-single-config').stringData;
    expect(secret[CONFIG_SECRETS_SCRIPT]).toBeUndefined();
  });
});

describe('an API\'s own configSecrets', () => {
  const manifests = synthGlance({
    configSecrets: ['glance-top'],
    backend: ImageBackend.rbd({ cephSecretName: 'ceph-central' }),
    apis: {
      default: { type: GlanceApiType.SPLIT },
      edge: { type: GlanceApiType.EDGE, configSecrets: ['glance-edge'], backend: ImageBackend.rbd({ cephSecretName: 'ceph-edge' }) },
      none: { type: GlanceApiType.EDGE, configSecrets: [] },
    },
  });

  test('replace the deployment\'s, as the glance-operator\'s do; the API\'s prop is what the pod\'s messages name', () => {
    expect(rulesOf(manifests, 'glance-default-internal')).toMatchObject({ prop: 'configSecrets', secrets: ['glance-top'] });
    expect(rulesOf(manifests, 'glance-default-external')).toMatchObject({ prop: 'configSecrets', secrets: ['glance-top'] });
    expect(rulesOf(manifests, 'glance-edge-edge')).toMatchObject({ prop: 'apis.edge.configSecrets', secrets: ['glance-edge'] });
    const edge = podOf(manifests, 'glance-edge-edge');
    expect(edge.volumes.filter((v: any) => v.name.startsWith('config-secret-'))).toEqual([
      { name: 'config-secret-0', secret: { secretName: 'glance-edge', defaultMode: 0o440 } },
    ]);
  });

  test('[] for none: that API\'s pod is as without them', () => {
    const none = podOf(manifests, 'glance-none-edge');
    expect(none.initContainers).toBeUndefined();
    expect(find(manifests, 'Secret', 'glance-none-edge-config').stringData[CONFIG_SECRETS_RULES]).toBeUndefined();
  });

  test('an API with stores of its own checks them with its stores\' options managed', () => {
    const edge = rulesOf(manifests, 'glance-edge-edge').managed;
    const central = rulesOf(manifests, 'glance-default-internal').managed;
    expect(edge).toEqual(central);
    const options = Object.keys(edge).filter((o) => o.startsWith('default_backend.'));
    expect(options).toContain('default_backend.rbd_store_ceph_conf');
  });
});

describe('configSecrets refused at synth time', () => {
  test.each([
    ['not a list', 'glance-keys', 'configSecrets', 'glance-keys'],
    ['a name Kubernetes would reject', ['Glance_Keys'], 'configSecrets[0]', 'Glance_Keys'],
    ['an empty name', ['ok', ''], 'configSecrets[1]', ''],
    ['the same Secret twice', ['a', 'b', 'a'], 'configSecrets[2]', 'a'],
  ])('%s', (_what, value, prop, shown) => {
    const error = expectInvalid(() => synthGlance({ configSecrets: value as any }), prop, shown);
    expect(error.message).toMatch(/Fix: /);
  });

  test('an API\'s, naming the API\'s prop', () => {
    expectInvalid(() => synthGlance({ apis: { edge: { type: GlanceApiType.EDGE, configSecrets: ['x', 'x'] } } }), 'apis.edge.configSecrets[1]', 'x');
  });
});

describe('ImageBackend.s3({ fromConfigSecrets: true })', () => {
  const s3 = (options: object) => ImageBackend.s3({ fromConfigSecrets: true, ...options } as any);
  const build = (options: object, configSecrets: string[] | undefined = ['glance-s3']) =>
    synthGlance({ backend: s3(options), configSecrets, apis: { default: {} } });

  test('leaves the endpoint, bucket and keys to configSecrets: not in the config, not managed, required by the pod\'s check', () => {
    const m = build({});
    const rules = rulesOf(m, 'glance-default-single');
    const required = ['default_backend.s3_store_access_key', 'default_backend.s3_store_bucket', 'default_backend.s3_store_host',
      'default_backend.s3_store_secret_key'];
    expect(Object.keys(rules.required).sort()).toEqual(required);
    expect(rules.required['default_backend.s3_store_host']).toBe('backend (ImageBackend.s3() with fromConfigSecrets)');
    for (const option of required) expect(rules.managed[option]).toBeUndefined();
    expect(rules.managed['default_backend.s3_store_create_bucket_on_put']).toBeDefined();
    const conf = find(m, 'Secret', 'glance-default-single-config').stringData['00-glance.conf'];
    expect(conf).toMatch(/\[default_backend\]\ns3_store_create_bucket_on_put = true\ns3_store_bucket_url_format = auto\n/);
    expect(podOf(m, 'glance-default-single').containers[0].env.filter((e: any) => /S3_STORE/.test(e.name))).toEqual([]);
  });

  test('what the props give stays theirs: written, managed, and not asked of the Secrets', () => {
    const m = build({ host: 'https://s3.example.com', bucket: 'glance', accessKeySecret: { name: 's3', key: 'access' } });
    const rules = rulesOf(m, 'glance-default-single');
    expect(Object.keys(rules.required)).toEqual(['default_backend.s3_store_secret_key']);
    expect(rules.managed['default_backend.s3_store_host']).toBe('backend.host');
    const env = podOf(m, 'glance-default-single').containers[0].env.map((e: any) => e.name);
    expect(env).toContain('OS_DEFAULT_BACKEND__S3_STORE_ACCESS_KEY');
    expect(env).not.toContain('OS_DEFAULT_BACKEND__S3_STORE_SECRET_KEY');
  });

  test('in a multi-store, in the store\'s own section', () => {
    const m = synthGlance({
      backend: ImageBackend.multi({ stores: { objects: s3({}), ceph0: ImageBackend.rbd({ cephSecretName: 'ceph' }) }, defaultStore: 'ceph0' }),
      configSecrets: ['glance-s3'],
      apis: { default: {} },
    });
    expect(Object.keys(rulesOf(m, 'glance-default-single').required)).toContain('objects.s3_store_host');
  });

  test('an API without configSecrets is refused at synth time, naming where they are missing', () => {
    expectInvalid(() => build({}, []), 'configSecrets', /lists no Secret, and apis\.default's store takes \[default_backend\] s3_store_host/);
  });

  test('without fromConfigSecrets, the endpoint, bucket and keys are required as before', () => {
    expectInvalid(() => ImageBackend.s3({ bucket: 'glance', accessKeySecret: { name: 'a', key: 'b' }, secretKeySecret: { name: 'a', key: 'c' } }),
      'ImageBackend.s3().host', /is not an S3 endpoint/);
    expectInvalid(() => ImageBackend.s3({ fromConfigSecrets: 'yes' } as any), 'ImageBackend.s3().fromConfigSecrets', /is not a boolean/);
    expectInvalid(() => s3({ host: 'not a host' }), 'ImageBackend.s3().host', /is not an S3 endpoint/);
  });
});

describe('the static check of writable directories (test/writable-dirs.ts) through the config check\'s emptyDir', () => {
  const fresh = () => JSON.parse(JSON.stringify(synthGlance({ configSecrets: ['k'], imageCache: { size: '10Gi' }, apis: { default: {} } })));

  test('as synthesized: the check writes a writable volume; glance-api\'s directories, read from the Secret the check copies, too', () => {
    expect(readOnlyRootViolations(fresh())).toEqual([]);
  });

  test('it would see the check writing a read-only mount, and glance-api\'s lock_path moved off its volumes in the copied Secret', () => {
    const m = fresh();
    const pod = podOf(m, 'glance-default-single');
    pod.initContainers.find((c: any) => c.name === 'config-secrets').volumeMounts.find((v: any) => v.name === 'config-dir').readOnly = true;
    const secret = find(m, 'Secret', 'glance-default-single-config');
    secret.stringData['00-glance.conf'] = secret.stringData['00-glance.conf'].replace(/^lock_path = .*$/m, 'lock_path = /opt/locks');
    const violations = readOnlyRootViolations(m);
    expect(violations).toEqual(expect.arrayContaining([
      expect.stringMatching(/^StatefulSet\/glance-default-single\/glance-api: oslo_concurrency.lock_path = \/opt\/locks is on no writable volume/),
      expect.stringMatching(/^StatefulSet\/glance-default-single\/config-secrets: <config dir> = \/etc\/glance\/glance.conf.d is on no writable/),
    ]));
    // The pruner and cleaner read the same Secret, mounted as it is.
    expect(violations).toHaveLength(4);
  });
});
