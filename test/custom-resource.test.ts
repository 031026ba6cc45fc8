import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { Glance, GlanceApiType, ImageBackend } from '../lib';
import { expectInvalid, find, glanceConf, Manifest, ofKind, synthGlance } from './helpers';
import { runCli } from '../lib/cli';
import { CustomResourceOptions, GLANCE_SPEC_FIELDS, glancePropsFromCustomResource, readCustomResource } from '../lib/custom-resource';
import { GlanceValidationError } from '../lib/errors';

const REFERENCE = readFileSync(join(__dirname, 'fixtures', 'reference-control-plane.yaml'), 'utf8');
/** Fresh each call: ImageBackend factories run inside the tests that use them. */
const crOptions = (): CustomResourceOptions => ({
  database: { connectionSecret: { name: 'glance-db', key: 'connection' } },
  keystoneAuthUrl: 'http://keystone-internal.openstack.svc:5000',
  backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf-files' }),
});

/** The options without a store, for CRs that bring their own. */
const noStore = (): CustomResourceOptions => ({ ...crOptions(), backend: undefined });
/** A bare Glance CR with this spec. */
const glance = (spec: unknown) => ({ kind: 'Glance', spec });

function synthFromCr(cr: unknown, options = crOptions()): Manifest[] {
  const chart = new Chart(Testing.app(), 'cr', { namespace: 'openstack' });
  Glance.fromCustomResource(chart, 'glance', cr, options);
  return Testing.synth(chart) as Manifest[];
}

function expectRejected(cr: unknown, path: string, options = crOptions()): void {
  let error: unknown;
  try {
    synthFromCr(cr, options);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(GlanceValidationError);
  expect((error as GlanceValidationError).prop).toBe(path);
  expect((error as Error).message).toMatch(/Fix: \S/);
}

describe('the reference snippet, as an OpenStackControlPlane', () => {
  let m: Manifest[];
  let sts: Manifest;
  beforeEach(() => {
    m = synthFromCr(REFERENCE);
    sts = find(m, 'StatefulSet', 'glance-default-single');
  });

  test('imageCache.size and storage.storageRequest size the volumes', () => {
    const sizes = Object.fromEntries(sts.spec.volumeClaimTemplates.map((t: any) => [t.metadata.name, t.spec.resources.requests.storage]));
    expect(sizes).toEqual({ 'glance': '10Gi', 'glance-cache': '10Gi' });
    expect(glanceConf(m, 'glance-default-single').DEFAULT.image_cache_max_size).toBe('9126805504');
  });

  test('storageClass "" means the default class, as in the operator', () => {
    for (const t of sts.spec.volumeClaimTemplates) expect(t.spec.storageClassName).toBeUndefined();
  });

  test('glanceAPIs, replicas, type and customServiceConfig carry over', () => {
    expect(sts.spec.replicas).toBe(3);
    expect(find(m, 'Secret', 'glance-default-single-config').stringData['50-custom.conf']).toBe('[DEFAULT]\ndebug = true\n');
    expect(ofKind(m, 'CronJob').map((c) => c.metadata.name).filter((n) => n.endsWith('-pruner')))
      .toEqual([0, 1, 2].map((n) => `glance-default-single-${n}-pruner`));
  });

  test('the Keystone password follows the operator convention: osp-secret / GlancePassword', () => {
    const env = sts.spec.template.spec.containers[0].env.find((e: any) => e.name === 'OS_KEYSTONE_AUTHTOKEN__PASSWORD');
    expect(env.valueFrom.secretKeyRef).toEqual({ name: 'osp-secret', key: 'GlancePassword' });
  });
});

test('a bare Glance CR, a parsed object and a spec alone give the same props', () => {
  const spec = (parseAllDocuments(REFERENCE)[0].toJSON() as any).spec.glance.template;
  const bare = `apiVersion: glance.openstack.org/v1beta1\nkind: Glance\nmetadata:\n  name: glance\nspec:\n${REFERENCE.split('    template:\n')[1].replace(/^ {6}/gm, '  ')}`;
  const fromBare = glancePropsFromCustomResource(bare, crOptions());
  expect(glancePropsFromCustomResource(REFERENCE, crOptions())).toEqual(fromBare);
  expect(glancePropsFromCustomResource({ kind: 'Glance', spec }, crOptions())).toEqual(fromBare);
  expect(glancePropsFromCustomResource(spec, crOptions())).toEqual(fromBare);
  expect(spec.imageCache.size).toBe('10Gi');
});

test('operator fields map to props: schedules, purge, user, secret, image, split, resources', () => {
  const m = synthFromCr({
    kind: 'Glance',
    spec: {
      containerImage: 'registry.example/glance-api:2023.1',
      serviceUser: 'glance-svc',
      secret: 'my-secret',
      passwordSelectors: { service: 'GlanceServicePassword' },
      keystoneEndpoint: 'default',
      imageCache: { size: '20Gi', cleanerScheduler: '*/10 * * * *', prunerScheduler: '0 2 * * *' },
      dbPurge: { age: 14, schedule: '0 3 * * *' },
      glanceAPIs: { default: { type: 'split', replicas: 2, resources: { requests: { cpu: 1, memory: '1Gi' } }, nodeSelector: { zone: 'a' } } },
    },
  });
  const internal = find(m, 'StatefulSet', 'glance-default-internal');
  const c = internal.spec.template.spec.containers[0];
  expect(c.image).toBe('registry.example/glance-api:2023.1');
  expect(c.resources.requests).toEqual({ 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '1536Mi' });
  expect(internal.spec.template.spec.nodeSelector).toEqual({ zone: 'a' });
  expect(c.env.find((e: any) => e.name === 'OS_KEYSTONE_AUTHTOKEN__PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'my-secret', key: 'GlanceServicePassword' });
  expect(glanceConf(m, 'glance-default-internal').keystone_authtoken.username).toBe('glance-svc');
  expect(find(m, 'StatefulSet', 'glance-default-external').spec.replicas).toBe(2);
  expect(find(m, 'CronJob', 'glance-default-external-1-cleaner').spec.schedule).toBe('*/10 * * * *');
  expect(find(m, 'CronJob', 'glance-default-internal-0-pruner').spec.schedule).toBe('0 2 * * *');
  expect(find(m, 'CronJob', 'glance-db-purge').spec.schedule).toBe('0 3 * * *');
  expect(find(m, 'CronJob', 'glance-db-purge').spec.jobTemplate.spec.template.spec.containers[0].command.slice(-1)).toEqual(['14']);
  expect(ofKind(m, 'StatefulSet').map((o) => o.metadata.name)).toEqual(['glance-default-internal', 'glance-default-external']);
});

describe('unknown or unsupported fields are rejected with their path', () => {
  test.each([
    [{ kind: 'Glance', spec: { imageCache: { size: '1Gi', prunerSchedule: '0 2 * * *' } } }, 'spec.imageCache.prunerSchedule'],
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { override: { service: { internal: { spec: { externalTrafficPolicy: 'Local' } } } } } } } },
      'spec.glanceAPIs.default.override.service.internal.spec.externalTrafficPolicy'],
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { override: { service: { internal: { spec: { type: 'Balanced' } } } } } } } },
      'spec.glanceAPIs.default.override.service.internal.spec.type'],
    [{ kind: 'Glance', spec: { quotas: { imageSizeTotal: 1000 } } }, 'spec.quotas.imageSizeTotal'],
    [{ kind: 'Glance', spec: { customServiceConfigSecrets: ['s3glance'] } }, 'spec.customServiceConfigSecrets'],
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { type: 'internal' } } } }, 'spec.glanceAPIs.default.type'],
    [{ kind: 'Glance', spec: { glanceAPIs: { az1: { customServiceConfig: '[DEFAULT]\nenabled_backends = az1:rbd\n[glance_store]\ndefault_backend = az1\n' } } } },
      'spec.glanceAPIs.az1.customServiceConfig'],
    [{ kind: 'Glance', spec: { extraMounts: [{ extraVol: [{ volumes: [{ name: 'x', hostPath: { path: '/x' } }], mounts: [{ name: 'x', mountPath: '/x' }] }] }] } },
      'spec.extraMounts[0].extraVol[0].mounts[0]'],
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { networkAttachments: ['Not A Name'] } } } }, 'spec.glanceAPIs.default.networkAttachments[0]'],
    [{ kind: 'OpenStackControlPlane', spec: { glance: { template: {}, applicationCredential: { enabled: true } } } }, 'spec.glance.applicationCredential'],
    [{ kind: 'Glance', spec: { imageCache: { size: '1Gi', sizee: '2Gi' } } }, 'spec.imageCache.sizee'],
    [{ kind: 'Glance', spec: { storage: { storageRequest: '10Gi', storageClas: 'x' } } }, 'spec.storage.storageClas'],
    [{ kind: 'OpenStackControlPlane', spec: { glance: { template: {}, apiOverride: {} } } }, 'spec.glance.apiOverride'],
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { replicas: 'three' } } } }, 'spec.glanceAPIs.default.replicas'],
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { type: 'both' } } } }, 'spec.glanceAPIs.default.type'],
    [{ kind: 'Glance', spec: { keystoneEndpoint: 'edge1' } }, 'spec.keystoneEndpoint'],
    // Prototype names are fields like any other, not lookups into Object.prototype.
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { type: 'toString' } } } }, 'spec.glanceAPIs.default.type'],
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { override: { service: { internal: { metadata: { labels: { tier: 'not a label value' } } } } } } } } },
      'spec.glanceAPIs.default.override.service.internal.metadata.labels.tier'],
    [JSON.parse('{"kind": "Glance", "spec": {"constructor": {}}}'), 'spec.constructor'],
    [{ kind: 'Glance', spec: { storage: { hasOwnProperty: 'x' } } }, 'spec.storage.hasOwnProperty'],
    [{ kind: 'Nova', spec: {} }, 'kind'],
    ['kind: Glance\nspec: [unclosed', 'customResource'],
    ['kind: Service\n', 'customResource'],
    [{ kind: 'OpenStackControlPlane', spec: { glance: { enabled: false, template: {} } } }, 'spec.glance.enabled'],
  ])('%j is rejected at %s', (cr, path) => expectRejected(cr, path));

  test('what the library validates is validated for CRs too, and named by its CR path', () => {
    expectRejected({ kind: 'Glance', spec: { imageCache: { size: '10 Gi' } } }, 'spec.imageCache.size');
    expectRejected({ kind: 'Glance', spec: { glanceAPIs: { edge1: { replicas: -1 } } } }, 'spec.glanceAPIs.edge1.replicas');
    expectRejected({ kind: 'Glance', spec: { glanceAPIs: { default: { imageCache: { size: '1Gi', prunerScheduler: '0 25 * * *' } } } } },
      'spec.glanceAPIs.default.imageCache.prunerScheduler');
    expectRejected({ kind: 'Glance', spec: { imageCache: { size: '1Gi', cleanerScheduler: 'often' } } }, 'spec.imageCache.cleanerScheduler');
    expectRejected({ kind: 'Glance', spec: { dbPurge: { age: 0 } } }, 'spec.dbPurge.age');
    expectRejected({ kind: 'Glance', spec: { secret: 'Not_A_Name' } }, 'spec.secret');
    expectRejected({ kind: 'Glance', metadata: { name: 'UPPER' }, spec: {} }, 'metadata.name');
    // The store in customServiceConfig needs its Ceph Secret mounted through extraMounts...
    const rbdInCr = { kind: 'Glance', spec: { customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:rbd\n' } };
    expectRejected(rbdInCr, 'spec.extraMounts', { ...crOptions(), backend: undefined });
    // ...and a store given both in the CR and as an option is refused.
    expectRejected(rbdInCr, 'spec.customServiceConfig');
  });

  test('the input object is not changed', () => {
    const cr = { kind: 'Glance', spec: { imageCache: { size: 1073741824 } } };
    const before = JSON.stringify(cr);
    synthFromCr(cr);
    expect(JSON.stringify(cr)).toBe(before);
  });
});

describe('cdk8s-glance synth --from', () => {
  const run = (...args: string[]) => {
    let out = '';
    let err = '';
    const code = runCli(args, (t) => { out += t; }, (t) => { err += t; });
    return { code, out, err };
  };

  test('turns the reference snippet into manifests under the output dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const cr = join(dir, 'cr.yaml');
    writeFileSync(cr, REFERENCE);
    const result = run('synth', '--from', cr, '-o', join(dir, 'out'), '--namespace', 'cloud', '--ceph-secret', 'ceph-conf-files');
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain('glance-default-single (3 replicas)');
    const docs = parseAllDocuments(readFileSync(join(dir, 'out', 'glance.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
    const sts = docs.find((d) => d.kind === 'StatefulSet');
    expect(sts.metadata).toMatchObject({ name: 'glance-default-single', namespace: 'cloud' });
    const conf = docs.find((d) => d.metadata.name === 'glance-default-single-config').stringData['00-glance.conf'];
    expect(conf).toContain('enabled_backends = default_backend:rbd');
    expect(conf).toContain('auth_url = http://keystone-internal.cloud.svc:5000');
  });

  test('reports an unsupported field and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(dir, 'cr.yaml'), 'kind: Glance\nspec:\n  notificationBusInstance: rabbitmq\n');
    const result = run('synth', '--from', join(dir, 'cr.yaml'), '-o', dir);
    expect(result.code).toBe(1);
    expect(result.err).toContain('spec.notificationBusInstance: is not supported by cdk8s-glance: notifications');
    expect(existsSync(join(dir, 'glance.k8s.yaml'))).toBe(false);
  });

  test('--version, synth --help, and --from - reads standard input', () => {
    expect(run('--version')).toMatchObject({ code: 0, out: `cdk8s-glance ${JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version}\n` });
    expect(run('synth', '--help')).toMatchObject({ code: 0, err: '' });
    expect(run('synth', '--help').out).toContain('--from FILE');
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    let out = '';
    const code = runCli(['synth', '--from', '-', '-o', dir, '--ceph-secret', 'ceph'], (t) => { out += t; }, () => undefined, () => REFERENCE);
    expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining('glance-default-single (3 replicas)') });
    expect(existsSync(join(dir, 'glance.k8s.yaml'))).toBe(true);
  });

  test('the namespace comes from the CR unless --namespace says it, and the two must agree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const cr = join(dir, 'cr.yaml');
    writeFileSync(cr, 'kind: Glance\nmetadata:\n  name: glance\n  namespace: cloud\nspec: {}\n');
    expect(run('synth', '--from', cr, '-o', join(dir, 'out'), '--shared-claim', 'images')).toMatchObject({ code: 0, err: '' });
    const docs = parseAllDocuments(readFileSync(join(dir, 'out', 'glance.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
    expect(new Set(docs.map((d) => d.metadata.namespace))).toEqual(new Set(['cloud']));
    const clash = run('synth', '--from', cr, '-o', join(dir, 'out2'), '--namespace', 'openstack', '--shared-claim', 'images');
    expect(clash).toMatchObject({ code: 1, err: expect.stringContaining('--namespace: differs from the CR\'s metadata.namespace ("cloud")') });
    expect(existsSync(join(dir, 'out2'))).toBe(false);
  });

  test.each([
    ['a directory as input', (dir: string) => ['--from', dir], 'is a directory, not a file'],
    ['a missing input', (dir: string) => ['--from', join(dir, 'missing.yaml')], 'does not exist'],
    ['an output path that is a file', (dir: string) => ['--from', join(dir, 'cr.yaml'), '-o', join(dir, 'cr.yaml')], 'exists and is not a directory'],
    ['an output under a file', (dir: string) => ['--from', join(dir, 'cr.yaml'), '-o', join(dir, 'cr.yaml', 'out')], 'is a file, not a directory'],
    ['a YAML alias bomb', (dir: string) => {
      writeFileSync(join(dir, 'bomb.yaml'), `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`).join('\n')}\nkind: Glance\nspec: {}\n`);
      return ['--from', join(dir, 'bomb.yaml')];
    }, 'customResource'],
    ['glanceAPIs with a null entry', (dir: string) => {
      writeFileSync(join(dir, 'null.yaml'), 'kind: Glance\nspec:\n  glanceAPIs:\n    default:\n  storage:\n    storageRequest: 10G\n');
      return ['--from', join(dir, 'null.yaml'), '-o', join(dir, 'null-out')];
    }, 'wrote'],
    ['an empty resources', (dir: string) => {
      writeFileSync(join(dir, 'res.yaml'), 'kind: Glance\nspec:\n  glanceAPIs:\n    default:\n      resources:\n');
      return ['--from', join(dir, 'res.yaml'), '-o', join(dir, 'res-out')];
    }, 'wrote'],
  ])('%s: a clear message, no stack trace, nothing written', (_name, args, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(dir, 'cr.yaml'), REFERENCE);
    const result = run('synth', ...args(dir), '--ceph-secret', 'ceph');
    expect(result.out + result.err).toContain(message);
    expect(result.err).not.toMatch(/\n\s+at /);
    if (message !== 'wrote') {
      expect(result.code).toBe(1);
      expect(existsSync(join(dir, 'dist'))).toBe(false);
    } else {
      expect(result.code).toBe(0);
    }
  });

  test('every flag reaches the output: database Secret, Keystone URLs, release, rbd pool and user; "--flag=value" too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(dir, 'cr.yaml'), 'kind: Glance\nspec:\n  glanceAPIs:\n    default:\n      type: single\n');
    const result = run('synth', `--from=${join(dir, 'cr.yaml')}`, '--output', join(dir, 'out'), '--database-secret', 'db:url',
      '--keystone-url=http://ks:5000', '--keystone-public-url', 'https://ks.example', '--release', 'epoxy',
      '--ceph-secret', 'ceph', '--rbd-pool', 'img', '--rbd-user', 'glance-rbd');
    expect(result).toEqual({ code: 0, err: '', out: `wrote ${join(dir, 'out', 'glance.k8s.yaml')}: glance-default-single (1 replicas)\n` });
    const docs: Manifest[] = parseAllDocuments(readFileSync(join(dir, 'out', 'glance.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
    const conf = glanceConf(docs, 'glance-default-single');
    expect(conf.keystone_authtoken).toMatchObject({ auth_url: 'http://ks:5000', www_authenticate_uri: 'https://ks.example' });
    expect(conf.default_backend).toMatchObject({ rbd_store_pool: 'img', rbd_store_user: 'glance-rbd' });
    expect(find(docs, 'Job', 'glance-db-sync-<hash>').spec.template.spec.containers[0].env).toEqual([
      { name: 'OS_DATABASE__CONNECTION', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } },
    ]);
    expect(conf.DEFAULT.enabled_backends).toBe('default_backend:rbd');
    expect(find(docs, 'StatefulSet', 'glance-default-single').metadata.namespace).toBe('openstack');
  });

  test('--shared-claim and --shared-storage-class give the file store on a ReadWriteMany claim', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(dir, 'cr.yaml'), 'kind: Glance\nspec:\n  glanceAPIs:\n    default:\n      type: single\n      replicas: 2\n');
    expect(run('synth', '--from', join(dir, 'cr.yaml'), '-o', join(dir, 'a'), '--shared-claim', 'images').code).toBe(0);
    const claimed: Manifest[] = parseAllDocuments(readFileSync(join(dir, 'a', 'glance.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
    const volumes = find(claimed, 'StatefulSet', 'glance-default-single').spec.template.spec.volumes;
    expect(volumes.filter((v: any) => v.persistentVolumeClaim).map((v: any) => v.persistentVolumeClaim.claimName)).toEqual(['images']);
    expect(ofKind(claimed, 'PersistentVolumeClaim')).toEqual([]);
    expect(run('synth', '--from', join(dir, 'cr.yaml'), '-o', join(dir, 'b'), '--shared-storage-class', 'nfs-client').code).toBe(0);
    const created: Manifest[] = parseAllDocuments(readFileSync(join(dir, 'b', 'glance.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
    expect(find(created, 'PersistentVolumeClaim', 'glance-images').spec).toMatchObject({ storageClassName: 'nfs-client', accessModes: ['ReadWriteMany'] });
  });

  test.each([
    [['synth', '--from', 'x', '--database-secret', 'db'], '--database-secret takes NAME:KEY, got "db"'],
    [['synth', '--from', 'x', '--database-secret', 'db:'], '--database-secret takes NAME:KEY, got "db:"'],
    [['synth', '--from', 'x', '--database-secret', ':k'], '--database-secret takes NAME:KEY, got ":k"'],
    [['synth', '--from', 'x', '--database-secret', 'a:b:c'], '--database-secret takes NAME:KEY, got "a:b:c"'],
    [['synth', '--from'], '--from needs a value'],
    [['synth', '-o'], '--output needs a value'],
    [['synth', 'cr.yaml'], 'unknown option "cr.yaml"'],
    [['synth', '-x', '1'], 'unknown option "-x"'],
    [['synth', '--from', 'x', '--shared-claim', 'a', '--shared-storage-class', 'b'], '--shared-claim and --shared-storage-class choose different stores; give one'],
    [['render', '--from', 'x'], 'unknown command "render"'],
    [['synth', '-o', 'out'], '--from is required'],
  ])('%j is a usage error: exit 2, the message and the usage text', (args, message) => {
    const result = run(...args);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toContain(`cdk8s-glance: ${message}\n\nusage: cdk8s-glance synth --from`);
  });

  test('no arguments print the usage to stderr (exit 2); -h and -V to stdout', () => {
    expect(run()).toEqual({ code: 2, out: '', err: expect.stringMatching(/^usage: cdk8s-glance synth --from <cr.yaml \| -> \[options\]\n/) });
    expect(run('-h')).toEqual({ code: 0, err: '', out: expect.stringMatching(/^usage: /) });
    expect(run('synth', '-h')).toEqual({ code: 0, err: '', out: expect.stringMatching(/^usage: /) });
    expect(run('-V')).toEqual(run('--version'));
    expect(run('-V').out).toMatch(/^cdk8s-glance \d+\.\d+\.\d+\n$/);
  });

  test('a validation error exits 1 with our message alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(dir, 'cr.yaml'), 'kind: Glance\nspec:\n  imageCache:\n    size: 10 Gi\n');
    const result = run('synth', '--from', join(dir, 'cr.yaml'), '-o', join(dir, 'out'), '--ceph-secret', 'ceph');
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/^cdk8s-glance: spec\.imageCache\.size: is not a Kubernetes quantity \(got "10 Gi"\)\. Fix: .*\n$/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  test('the output is written whole or not at all: no temporary file is left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(dir, 'cr.yaml'), REFERENCE);
    expect(run('synth', '--from', join(dir, 'cr.yaml'), '-o', join(dir, 'out'), '--ceph-secret', 'ceph').code).toBe(0);
    expect(readdirSync(join(dir, 'out'))).toEqual(['glance.k8s.yaml']);
  });

  test('usage errors exit 2 with the usage text', () => {
    expect(run('synth').code).toBe(2);
    expect(run('synth', '--from', 'x', '--bogus', '1').err).toContain('unknown option "--bogus"');
    expect(run('synth', '--from', 'x', '--ceph-secret', 'c', '--shared-claim', 'n').err).toContain('choose different stores');
    expect(run('synth', '--from', 'x', '--release', 'havana').err).toContain('not one of yoga, zed');
    // A numeric enum also maps 28 to "CARACAL": a number is not a release name.
    expect(run('synth', '--from', 'x', '--release', '28')).toMatchObject({ code: 2 });
    expect(run('synth', '--from', 'x', '--release', '28').err).toContain('--release "28" is not one of');
    expect(run('--help')).toMatchObject({ code: 0 });
  });

});

describe('the field table is the Glance CRD', () => {
  // Written from the operator's CRD: test/fixtures/glance-crd-fields.txt.
  const fixture = readFileSync(join(__dirname, 'fixtures', 'glance-crd-fields.txt'), 'utf8').split('\n')
    .filter((line) => line && !line.startsWith('#')).map((line) => {
      const [path, type, ...dflt] = line.split(' ');
      return { path, type, default: dflt.join(' ') === '-' ? undefined : JSON.parse(dflt.join(' ')) };
    });

  test('every CRD field has exactly one entry, and no entry names a field the CRD lacks', () => {
    expect(Object.keys(GLANCE_SPEC_FIELDS).sort()).toEqual(fixture.map((f) => f.path).sort());
  });

  test.each(fixture.map((f) => [f.path, f.type, f.default]))('%s: %s, default %j as in the CRD', (path, type, dflt) => {
    const field = GLANCE_SPEC_FIELDS[path as string];
    expect(field.default).toEqual(dflt);
    const expectedTypes: Record<string, string[]> = {
      string: ['string', 'quantity'], integer: ['integer'], boolean: ['boolean'], object: ['object', 'stringMap'], array: ['array'],
    };
    expect(expectedTypes[type as string]).toContain(field.type);
  });
});

describe('CRD defaults, as a CR exported from a cluster carries them', () => {
  const exported = {
    apiVersion: 'glance.openstack.org/v1beta1',
    kind: 'Glance',
    metadata: { name: 'glance', namespace: 'openstack' },
    spec: {
      apiTimeout: 60,
      databaseAccount: 'glance',
      databaseInstance: 'openstack',
      memcachedInstance: 'memcached',
      preserveJobs: false,
      keystoneEndpoint: '',
      serviceUser: 'glance',
      secret: 'osp-secret',
      passwordSelectors: { service: 'GlancePassword' },
      dbPurge: { age: 30, schedule: '1 0 * * *' },
      quotas: { imageCountTotal: 0, imageCountUpload: 0, imageSizeTotal: 0, imageStageTotal: 0 },
      imageCache: { size: '', cleanerScheduler: '*/30 * * * *', prunerScheduler: '1 0 * * *' },
      storage: { storageClass: 'local-storage', storageRequest: '10G' },
      customServiceConfigSecrets: [],
      extraMounts: [],
      glanceAPIs: {
        default: {
          replicas: 1,
          type: 'split',
          apiTimeout: 60,
          networkAttachments: [],
          override: {},
          imageCache: { size: '', cleanerScheduler: '*/30 * * * *', prunerScheduler: '1 0 * * *' },
        },
      },
    },
  };

  test('is accepted; type defaults to split; size "" means no cache', () => {
    const m = synthFromCr(exported);
    expect(ofKind(m, 'StatefulSet').map((s) => s.metadata.name).sort()).toEqual(['glance-default-external', 'glance-default-internal']);
    expect(ofKind(m, 'CronJob').map((c) => c.metadata.name)).toEqual(['glance-db-purge']);
  });

  test('an API without a type is split, as the CRD defaults it', () => {
    const props = glancePropsFromCustomResource({ kind: 'Glance', spec: { glanceAPIs: { default: { replicas: 1 } } } }, crOptions());
    expect(props.apis!.default.type).toBe(GlanceApiType.SPLIT);
  });

  test('storage.storageClass applies to the image cache claims too', () => {
    const m = synthFromCr({ ...exported, spec: { ...exported.spec, imageCache: { size: '20Gi' } } });
    for (const sts of ofKind(m, 'StatefulSet')) {
      expect(sts.spec.volumeClaimTemplates.map((t: any) => [t.metadata.name, t.spec.storageClassName]))
        .toEqual([['glance', 'local-storage'], ['glance-cache', 'local-storage']]);
    }
  });

  test('metadata.name prefixes every object; metadata.namespace must match the chart\'s', () => {
    const m = synthFromCr({ ...exported, metadata: { name: 'images', namespace: 'openstack' } });
    expect(ofKind(m, 'StatefulSet').map((s) => s.metadata.name).sort()).toEqual(['images-default-external', 'images-default-internal']);
    expectRejected({ ...exported, metadata: { name: 'glance', namespace: 'other' } }, 'metadata.namespace');
  });
});

test('a field older CRDs had is dropped with a warning, as the API server drops it; networkAttachments become the Multus annotation', () => {
  const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    const m = synthFromCr({ kind: 'Glance', spec: { glanceAPIs: { default: { type: 'single', preserveJobs: false, networkAttachments: ['storage', 'openstack/internalapi'] } } } });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('spec.glanceAPIs.default.preserveJobs is no field of the Glance CRD any more'), expect.anything());
    expect(find(m, 'StatefulSet', 'glance-default-single').spec.template.metadata.annotations['k8s.v1.cni.cncf.io/networks']).toBe('storage,openstack/internalapi');
  } finally {
    warn.mockRestore();
  }
});

test('a control plane names its Glance by serviceName, and may carry uniquePodNames and apiOverrides', () => {
  const m = synthFromCr({
    kind: 'OpenStackControlPlane',
    spec: {
      glance: {
        serviceName: 'image',
        uniquePodNames: true,
        apiOverrides: { default: { route: {} } },
        applicationCredential: {},
        template: { glanceAPIs: { default: { type: 'single' } } },
      },
    },
  });
  expect(find(m, 'StatefulSet', 'image-default-single').spec.replicas).toBe(1);
});

test('override.service becomes the endpoint Services\' type, annotations and labels (MetalLB, as the edge samples set it)', () => {
  const annotations = { 'metallb.universe.tf/address-pool': 'internalapi', 'metallb.universe.tf/loadBalancerIPs': '172.17.0.80' };
  const m = synthFromCr({
    kind: 'Glance',
    spec: {
      glanceAPIs: {
        default: {
          type: 'split',
          override: { service: { internal: { metadata: { annotations, labels: { service: 'glance' } }, spec: { type: 'LoadBalancer' } } } },
        },
      },
    },
  });
  const internal = find(m, 'Service', 'glance-default');
  expect(internal.spec.type).toBe('LoadBalancer');
  expect(internal.metadata.annotations).toEqual(annotations);
  expect(internal.metadata.labels.service).toBe('glance');
  expect(find(m, 'Service', 'glance-default-public').spec.type).toBe('ClusterIP');
  expect(find(m, 'Service', 'glance-default-public').metadata.annotations).toBeUndefined();
});

describe('extraMounts', () => {
  const cephControlPlane = {
    kind: 'OpenStackControlPlane',
    metadata: { name: 'openstack' },
    spec: {
      glance: {
        template: {
          customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:rbd\ndebug = true\n[glance_store]\ndefault_backend = default_backend\n'
        + '[default_backend]\nrbd_store_ceph_conf = /etc/ceph/ceph.conf\nrbd_store_pool = glance-images\nrbd_store_user = glance\n',
        },
      },
      extraMounts: [
        {
          name: 'v1',
          region: 'r1',
          extraVol: [{
            propagation: ['CinderVolume'],
            extraVolType: 'Ceph',
            volumes: [{ name: 'c', secret: { secretName: 'cinder-ceph' } }],
            mounts: [{ name: 'c', mountPath: '/etc/ceph', readOnly: true }],
          }],
        },
        {
          name: 'v2',
          region: 'r1',
          extraVol: [{
            propagation: ['GlanceAPI'],
            extraVolType: 'Ceph',
            volumes: [{ name: 'ceph', secret: { secretName: 'ceph-conf-files' } }],
            mounts: [{ name: 'ceph', mountPath: '/etc/ceph', readOnly: true }],
          }],
        },
      ],
    },
  };

  test('a Ceph Secret at /etc/ceph for Glance becomes the rbd store; the store options leave customServiceConfig', () => {
    const m = synthFromCr(cephControlPlane, { ...crOptions(), backend: undefined });
    const sts = find(m, 'StatefulSet', 'glance-default-internal');
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'ceph', secret: { secretName: 'ceph-conf-files', defaultMode: 0o440 } });
    const conf = glanceConf(m, 'glance-default-internal');
    expect(conf.default_backend).toMatchObject({ rbd_store_pool: 'glance-images', rbd_store_user: 'glance' });
    expect(find(m, 'Secret', 'glance-default-internal-config').stringData['50-custom.conf']).toBe('[DEFAULT]\ndebug = true\n');
  });
});

describe('stores from customServiceConfig and extraMounts, as the operator\'s samples give them', () => {

  test('swift with the operator\'s templates: the deployment\'s Keystone, service user and password Secret', () => {
    const m = synthFromCr({
      kind: 'Glance',
      spec: {
        customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:swift\n[glance_store]\ndefault_backend = default_backend\n[default_backend]\n'
        + 'swift_store_create_container_on_put = True\nswift_store_auth_version = 3\nswift_store_auth_address = {{ .KeystoneInternalURL }}\n'
        + 'swift_store_endpoint_type = internalURL\nswift_store_user = service:glance\nswift_store_key = {{ .ServicePassword }}\nswift_store_region = {{ .Region }}\n',
        glanceAPIs: { default: { replicas: 2, type: 'single' } },
      },
    }, noStore());
    const conf = glanceConf(m, 'glance-default-single');
    expect(conf.DEFAULT.enabled_backends).toBe('default_backend:swift');
    expect(conf.default_backend).toMatchObject({ swift_store_user: 'service:glance', swift_store_auth_address: crOptions().keystoneAuthUrl });
    expect(conf.default_backend.swift_store_key).toBeUndefined();
    const env = find(m, 'StatefulSet', 'glance-default-single').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'OS_DEFAULT_BACKEND__SWIFT_STORE_KEY').valueFrom.secretKeyRef).toEqual({ name: 'osp-secret', key: 'GlancePassword' });
    expect(find(m, 'Secret', 'glance-default-single-config').stringData['50-custom.conf']).toBeUndefined();
  });

  test('a Swift key written into customServiceConfig is refused, not copied', () => {
    expectRejected({ kind: 'Glance', spec: { customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:swift\n[default_backend]\nswift_store_key = hunter2\n' } },
      'spec.customServiceConfig [default_backend]', noStore());
  });

  test('two Ceph clusters and swift, the Ceph Secrets projected through the control plane\'s extraMounts; options we do not render stay the user\'s', () => {
    const m = synthFromCr({
      kind: 'OpenStackControlPlane',
      spec: {
        glance: {
          template: {
            customServiceConfig: '[DEFAULT]\nenabled_backends = ceph-0:rbd,ceph-1:rbd,swift-0:swift\n[glance_store]\ndefault_backend = ceph-1\n'
            + '[ceph-0]\nrbd_store_ceph_conf = /etc/ceph/ceph-0.conf\nstore_description = "first cluster"\nrbd_store_pool = images\nrbd_store_user = openstack\n'
            + 'rbd_thin_provisioning = True\n[ceph-1]\nrbd_store_ceph_conf = /etc/ceph/ceph-1.conf\nrbd_store_pool = images\nrbd_store_user = openstack\n'
            + '[swift-0]\nswift_store_auth_address = {{ .KeystoneInternalURL }}\nswift_store_key = {{ .ServicePassword }}\nswift_store_user = service:glance\n',
            glanceAPIs: { default: { type: 'split' } },
          },
        },
        extraMounts: [{
          name: 'v1',
          region: 'r1',
          extraVol: [{
            propagation: ['GlanceAPI'],
            extraVolType: 'Ceph',
            volumes: [{ name: 'ceph', projected: { sources: [{ secret: { name: 'ceph-client-conf-0' } }, { secret: { name: 'ceph-client-conf-1' } }] } }],
            mounts: [{ name: 'ceph', mountPath: '/etc/ceph', readOnly: true }],
          }],
        }],
      },
    }, noStore());
    const conf = glanceConf(m, 'glance-default-internal');
    expect(conf.DEFAULT.enabled_backends).toBe('ceph-0:rbd,ceph-1:rbd,swift-0:swift');
    expect(conf.glance_store.default_backend).toBe('ceph-1');
    expect(conf['ceph-0']).toMatchObject({ rbd_store_ceph_conf: '/etc/ceph/ceph-0.conf', store_description: 'first cluster' });
    expect(conf['ceph-1'].rbd_store_ceph_conf).toBe('/etc/ceph/ceph-1.conf');
    expect(find(m, 'Secret', 'glance-default-internal-config').stringData['50-custom.conf']).toBe('[ceph-0]\nrbd_thin_provisioning = True\n');
    const volumes = find(m, 'StatefulSet', 'glance-default-internal').spec.template.spec.volumes;
    expect(JSON.stringify(volumes)).toContain('ceph-client-conf-0');
    expect(JSON.stringify(volumes)).toContain('ceph-client-conf-1');
  });

  test('the file store on the NFS share of the control plane\'s extraMounts', () => {
    const m = synthFromCr({
      kind: 'OpenStackControlPlane',
      spec: {
        glance: {
          template: {
            customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:file\n[glance_store]\ndefault_backend = default_backend\n'
            + '[default_backend]\nfilesystem_store_datadir = /var/lib/glance/images/\n',
            glanceAPIs: { default: { replicas: 3, type: 'single' } },
          },
        },
        extraMounts: [{
          name: 'r1',
          region: 'r1',
          extraVol: [{
            propagation: ['Glance'],
            extraVolType: 'Nfs',
            volumes: [{ name: 'nfs', nfs: { server: '192.0.2.5', path: '/var/nfs' } }],
            mounts: [{ name: 'nfs', mountPath: '/var/lib/glance/images' }],
          }],
        }],
      },
    }, noStore());
    const pod = find(m, 'StatefulSet', 'glance-default-single').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'images', persistentVolumeClaim: { claimName: 'glance-images' } });
    expect(find(m, 'PersistentVolume', 'openstack-glance-images').spec.nfs).toEqual({ server: '192.0.2.5', path: '/var/nfs' });
  });

  test.each([
    ['cinder', 'needs privileged API pods'],
    ['s3', 'the s3 store'],
  ])('%s from a CR is refused by name', (type, message) => {
    let error: any;
    try {
      synthFromCr({ kind: 'Glance', spec: { customServiceConfig: `[DEFAULT]\nenabled_backends = default_backend:${type}\n` } }, noStore());
    } catch (e) {
      error = e;
    }
    expect(error.prop).toBe('spec.customServiceConfig [default_backend]');
    expect(error.message).toContain(message);
  });
});

describe('errors in the CR\'s terms: each prop path becomes the field (or CLI flag) it came from', () => {
  const translate = (cr: unknown, prop: string, options = crOptions()) =>
    readCustomResource(cr, options).inCrTerms(new GlanceValidationError(prop, 'v', 'is bad', 'the fix'));
  const controlPlane = { kind: 'OpenStackControlPlane', spec: { glance: { template: {} } } };

  test.each([
    ['name', 'metadata.name'],
    ['image', 'spec.containerImage'],
    ['release', '--release'],
    ['database', '--database-secret'],
    ['database.connectionSecret.key', '--database-secret'],
    ['keystone.passwordSecret.name', 'spec.secret'],
    ['keystone.passwordSecret.key', 'spec.passwordSelectors.service'],
    ['keystone.username', 'spec.serviceUser'],
    ['keystone.authUrl', '--keystone-url'],
    ['keystone.publicAuthUrl', '--keystone-url'],
    ['apis.default.imageCache.prunerSchedule', 'spec.glanceAPIs.default.imageCache.prunerScheduler'],
    ['apis.edge-1.imageCache.cleanerSchedule', 'spec.glanceAPIs.edge-1.imageCache.cleanerScheduler'],
    ['imageCache.prunerSchedule', 'spec.imageCache.prunerScheduler'],
    ['imageCache.cleanerSchedule', 'spec.imageCache.cleanerScheduler'],
    ['apis.a.resources.cpuRequest', 'spec.glanceAPIs.a.resources.requests.cpu'],
    ['apis.a.resources.memoryRequest', 'spec.glanceAPIs.a.resources.requests.memory'],
    ['apis.a.resources.cpuLimit', 'spec.glanceAPIs.a.resources.limits.cpu'],
    ['apis.a.resources.memoryLimit', 'spec.glanceAPIs.a.resources.limits.memory'],
    ['apis.a.endpointServices.internalService.serviceType', 'spec.glanceAPIs.a.override.service.internal.spec.type'],
    ['apis.a.endpointServices.publicService.serviceType', 'spec.glanceAPIs.a.override.service.public.spec.type'],
    ['apis.a.endpointServices.internalService.annotations.x/y', 'spec.glanceAPIs.a.override.service.internal.metadata.annotations.x/y'],
    ['apis.a.endpointServices.publicService.labels', 'spec.glanceAPIs.a.override.service.public.metadata.labels'],
    ['apis.a.replicas', 'spec.glanceAPIs.a.replicas'],
    ['apis', 'spec.glanceAPIs'],
    ['dbPurge.ageInDays', 'spec.dbPurge.age'],
    ['dbPurge.schedule', 'spec.dbPurge.schedule'],
    ['imageCache.size', 'spec.imageCache.size'],
    ['storage.storageRequest', 'spec.storage.storageRequest'],
    ['customServiceConfig', 'spec.customServiceConfig'],
    ['limits.imageSizeCap', 'limits.imageSizeCap'],
    ['imageCacheSize', 'imageCacheSize'],
  ])('%s → %s', (prop, field) => {
    const renamed = translate(glance({}), prop);
    expect(renamed.prop).toBe(field);
    expect(renamed.message).toBe(`${field}: is bad (got "v"). Fix: the fix`);
  });

  test('in a control plane the fields sit under spec.glance.template', () => {
    expect(translate(controlPlane, 'imageCache.size').prop).toBe('spec.glance.template.imageCache.size');
    expect(translate(controlPlane, 'apis.default.replicas').prop).toBe('spec.glance.template.glanceAPIs.default.replicas');
    expect(translate(controlPlane, 'image').prop).toBe('spec.glance.template.containerImage');
  });

  test('a store error names the CLI flags without a store in the CR, the CR field with one; each with its own fix', () => {
    const none = translate(glance({}), 'backend.sharedStore');
    expect(none.prop).toBe('spec.extraMounts (or --ceph-secret, --shared-claim)');
    expect(none.fix).toMatch(/^mount an NFS volume at \/var\/lib\/glance\/images through extraMounts, give --shared-claim NAME/);
    const swift = translate({ kind: 'Glance', spec: { customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:swift\n' } }, 'backend.region',
      { ...crOptions(), backend: undefined });
    expect(swift.prop).toBe('spec.customServiceConfig');
    expect(swift.fix).toBe('mount an NFS volume at /var/lib/glance/images through extraMounts, or use Ceph');
  });
});

describe('every refusal of the reader names the field, the problem and the fix', () => {
  const refused = (cr: unknown, path: string, message: RegExp, options = crOptions()) => {
    expectInvalid(() => readCustomResource(cr, options), path, message);
  };
  const mounts = (extraVol: unknown) => glance({ extraMounts: [{ extraVol }] });
  const cephAt = (volume: unknown) => mounts([{ volumes: [{ name: 'c', ...(volume as object) }], mounts: [{ name: 'c', mountPath: '/etc/ceph' }] }]);

  test.each([
    ['kind: Glance\nspec: [\n', 'customResource', /is not valid YAML.*Fix: fix the YAML syntax/],
    ['kind: Glance\nspec: {}\n---\nkind: Glance\nspec: {}\n', 'customResource', /must hold exactly one OpenStackControlPlane or Glance resource \(got "2 OpenStackControlPlane or Glance documents"\)\. Fix: give one file per Glance/],
    ['kind: Secret\n', 'customResource', /"0 OpenStackControlPlane or Glance documents"/],
  ])('YAML %j', (text, path, message) => refused(text, path, message));

  test.each([
    [42, 'customResource', /is not an object.*Fix: give a Glance CR, its spec, or YAML text/],
    [{ kind: 'OpenStackControlPlane', spec: {} }, 'spec.glance.template', /is missing.*Fix: add the Glance template/],
    [{ kind: 'OpenStackControlPlane', spec: { glance: { enabled: false, template: {} } } }, 'spec.glance.enabled', /disables Glance.*Fix: set enabled: true/],
    [{ kind: 'Glance' }, 'spec', /is missing.*Fix: give the Glance CR a spec/],
    [{ kind: 'GlanceAPI', spec: {} }, 'kind', /is neither OpenStackControlPlane nor Glance \(got "GlanceAPI"\)/],
    [{ kind: 'Glance', metadata: { name: 7 }, spec: {} }, 'metadata.name', /is not a name/],
    [{ kind: 'Glance', metadata: { namespace: 'Open_Stack' }, spec: {} }, 'metadata.namespace', /is not a Kubernetes namespace name/],
    [{ kind: 'Glance', metadata: { namespace: 'a'.repeat(64) }, spec: {} }, 'metadata.namespace', /namespace name/],
  ])('%j', (cr, path, message) => refused(cr, path, message));

  test.each([
    [{ containerImage: 5 }, 'spec.containerImage', /is not a string.*Fix: write it as a string/],
    [{ glanceAPIs: { a: { replicas: 1.5 } } }, 'spec.glanceAPIs.a.replicas', /is not a whole number/],
    [{ storage: { external: 'yes' } }, 'spec.storage.external', /is not true or false/],
    [{ dbPurge: [] }, 'spec.dbPurge', /is not a mapping/],
    [{ extraMounts: {} }, 'spec.extraMounts', /is not a list/],
    [{ storage: { storageRequest: true } }, 'spec.storage.storageRequest', /is not a quantity/],
    [{ nodeSelector: { zone: 1 } }, 'spec.nodeSelector', /is not a mapping of strings/],
    [{ imageCache: { sizes: '1Gi' } }, 'spec.imageCache.sizes', /is not a field of the Glance CRD.*fields here: cleanerScheduler, prunerScheduler, size\)/],
    [{ glanceAPIs: { a: { replica: 2 } } }, 'spec.glanceAPIs.a.replica', /fields here: apiTimeout, auth, customServiceConfig,/],
    [{ quotas: { imageCountTotal: 5 } }, 'spec.quotas.imageCountTotal', /is not supported by cdk8s-glance: Keystone unified limits \(quotas\)/],
    [{ customServiceConfigSecrets: ['x'] }, 'spec.customServiceConfigSecrets', /config files from other Secrets/],
    [{ glanceAPIs: { a: { tls: { api: { internal: { secretName: 's' } } } } } }, 'spec.glanceAPIs.a.tls', /TLS on the API pods/],
    [{ keystoneEndpoint: 'edge' }, 'spec.keystoneEndpoint', /names no entry of glanceAPIs \(got "edge"\)\. Fix: name the API whose endpoints Keystone lists/],
    [{ glanceAPIs: { a: { type: 'toString' } } }, 'spec.glanceAPIs.a.type', /is not a Glance API type.*Fix: use one of single, split, edge/],
    [{ glanceAPIs: { a: { customServiceConfig: '[glance_store]\nx = 1\n' } } }, 'spec.glanceAPIs.a.customServiceConfig', /per-API stores.*\(got "\[glance_store\]"\)/],
    [{ glanceAPIs: { a: { override: { route: {} } } } }, 'spec.glanceAPIs.a.override.route', /is not supported by cdk8s-glance: overrides of route/],
    [{ glanceAPIs: { a: { override: { service: 'x' } } } }, 'spec.glanceAPIs.a.override.service', /is not a mapping.*Fix: give internal and public/],
    [{ glanceAPIs: { a: { override: { service: { admin: {} } } } } }, 'spec.glanceAPIs.a.override.service.admin', /an override of the admin Service/],
    [{ glanceAPIs: { a: { override: { service: { internal: 'x' } } } } }, 'spec.glanceAPIs.a.override.service.internal', /is not a mapping.*Fix: give metadata and spec/],
    [{ glanceAPIs: { a: { override: { service: { internal: { spec: 'x' } } } } } }, 'spec.glanceAPIs.a.override.service.internal.spec', /Service spec overrides/],
    [{ glanceAPIs: { a: { override: { service: { public: { spec: { ports: [] } } } } } } }, 'spec.glanceAPIs.a.override.service.public.spec.ports', /Service overrides of spec\.ports/],
    [{ glanceAPIs: { a: { override: { service: { public: { metadata: { name: 'x' } } } } } } }, 'spec.glanceAPIs.a.override.service.public.metadata.name', /Service overrides of metadata\.name/],
    [{ glanceAPIs: { a: { override: { service: { public: { status: { a: 1 } } } } } } }, 'spec.glanceAPIs.a.override.service.public.status.a', /Service overrides of status\.a/],
    [{ glanceAPIs: { a: { override: { service: { public: { spec: { type: 'ExternalName' } } } } } } }, 'spec.glanceAPIs.a.override.service.public.spec.type', /is not a Service type.*Fix: use ClusterIP, NodePort or LoadBalancer/],
    [{ glanceAPIs: { a: { resources: { claims: [] } } } }, 'spec.glanceAPIs.a.resources.claims', /is not supported by cdk8s-glance.*Fix: give requests and limits only/],
    [{ glanceAPIs: { a: { resources: { limits: { 'nvidia.com/gpu': 1 } } } } }, 'spec.glanceAPIs.a.resources.limits.nvidia.com/gpu', /Fix: give cpu and memory only/],
  ])('spec %j', (spec, path, message) => refused(glance(spec), path, message));

  test('fields at their CRD default, or empty, are accepted even where unsupported', () => {
    expect(() => readCustomResource(glance({
      quotas: { imageCountTotal: 0, imageCountUpload: 0 },
      customServiceConfigSecrets: [],
      notificationBusInstance: '',
      glanceAPIs: { a: { tls: { api: { internal: {}, public: null } }, topologyRef: {}, auth: {} } },
    }), crOptions())).not.toThrow();
  });

  test.each([
    [glance({ extraMounts: [{ extraVol: {} }] }), 'spec.extraMounts[0].extraVol', /is not a list.*Fix: give extraVol as a list/],
    [mounts([{ propagation: 'Glance' }]), 'spec.extraMounts[0].extraVol[0].propagation', /is not a list.*Fix: list the services/],
    [mounts([{ volumes: [{ name: 'n', nfs: { server: 'nfs' } }], mounts: [{ name: 'n', mountPath: '/var/lib/glance/images/' }] }]),
      'spec.extraMounts[0].extraVol[0].volumes', /is an NFS volume without server and path/],
    [cephAt({ secret: {} }), 'spec.extraMounts[0].extraVol[0].volumes', /is a Secret volume without secretName/],
    [cephAt({ projected: { sources: [{ configMap: { name: 'x' } }] } }), 'spec.extraMounts[0].extraVol[0].volumes', /projects something other than Secrets into \/etc\/ceph/],
    [mounts([{ volumes: [{ name: 'c', secret: { secretName: 's' } }], mounts: [{ name: 'c', mountPath: '/etc/glance' }] }]),
      'spec.extraMounts[0].extraVol[0].mounts[0]', /only an NFS volume at \/var\/lib\/glance\/images and Ceph Secrets at \/etc\/ceph/],
  ])('extraMounts %#', (cr, path, message) => refused(cr, path, message, noStore()));

  test('mounts for other services are skipped; a propagation naming Glance in any case is read', () => {
    const cr = mounts([
      { propagation: ['CinderVolume'], volumes: [{ name: 'c', secret: { secretName: 'cinder' } }], mounts: [{ name: 'c', mountPath: '/etc/cinder' }] },
      {
        propagation: ['glanceapi'],
        volumes: [{ name: 'c', projected: { sources: [{ secret: { name: 'ceph-a' } }, { secret: { name: 'ceph-b' } }] } }],
        mounts: [{ name: 'c', mountPath: '/etc/ceph/' }],
      },
    ]);
    (cr.spec as any).customServiceConfig = '[DEFAULT]\nenabled_backends = default_backend:rbd\n';
    const backend = readCustomResource(cr, noStore()).props.backend!;
    expect(find(synthGlance({ backend }), 'StatefulSet', 'glance-default-internal').spec.template.spec.volumes
      .find((v: any) => v.projected)?.projected.sources.map((s: any) => s.secret.name)).toEqual(['ceph-a', 'ceph-b']);
  });

  test.each([
    ['[DEFAULT]\nenabled_backends = rbd\n', 'spec.customServiceConfig', /is not a list of <name>:<type> \(enabled_backends\)/],
    ['[DEFAULT]\nenabled_backends = a:swift\n[glance_store]\ndefault_backend = b\n', 'spec.customServiceConfig', /names no store of enabled_backends \(got "default_backend = b"\)/],
    ['[DEFAULT]\nenabled_backends = default_backend:file\n[default_backend]\nfilesystem_store_datadir = /images\n',
      'spec.customServiceConfig [default_backend]', /puts the file store elsewhere than \/var\/lib\/glance\/images/],
    ['[DEFAULT]\nenabled_backends = default_backend:rbd\n', 'spec.extraMounts', /is where the default_backend store's ceph.conf and keyring come from, and it mounts none at \/etc\/ceph/],
    ['[DEFAULT]\nenabled_backends = default_backend:swift\n[default_backend]\nswift_store_key = s3cr3t\n',
      'spec.customServiceConfig [default_backend]', /puts a credential in customServiceConfig \(got "swift_store_key = <hidden>"\)/],
    ['[DEFAULT]\nenabled_backends = default_backend:swift\n[default_backend]\nswift_store_auth_address = http://other:5000/v3\n',
      'spec.customServiceConfig [default_backend]', /points Swift at another Keystone than the deployment's/],
    ['[DEFAULT]\nenabled_backends = default_backend:swift\n[default_backend]\nswift_store_auth_version = 2\n',
      'spec.customServiceConfig [default_backend]', /is not Keystone v3.*Fix: use 3/],
    ['[DEFAULT]\nenabled_backends = default_backend:cinder\n', 'spec.customServiceConfig [default_backend]',
      /not supported by cdk8s-glance from a CR: the cinder store.*allowPrivilegedAttach: true/],
    ['[DEFAULT]\nenabled_backends = default_backend:s3\n', 'spec.customServiceConfig [default_backend]', /the s3 store.*s3 takes its keys from Secrets/],
  ])('customServiceConfig %j', (custom, path, message) => refused(glance({ customServiceConfig: custom }), path, message, noStore()));

  test('a store in the CR and a store option together are refused', () => {
    refused(glance({ customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:swift\n' }), 'spec.customServiceConfig',
      /configures the image store, and so does a store option.*Fix: give the store one way: remove the option/);
  });

  test('the store options leave customServiceConfig, the rest stays; a store named otherwise keeps its name', () => {
    const props = readCustomResource(glance({
      customServiceConfig: '[DEFAULT]\nenabled_backends = swift-1:swift\ndebug = true\n[glance_store]\ndefault_backend = swift-1\nstores = swift\n'
        + '[swift-1]\nswift_store_container = images\nswift_store_large_object_size = 512\n',
    }), noStore()).props;
    expect(props.customServiceConfig).toBe('[DEFAULT]\ndebug = true\n\n[swift-1]\nswift_store_large_object_size = 512\n');
    const conf = glanceConf(synthGlance({ backend: props.backend }), 'glance-default-single');
    expect(conf.DEFAULT.enabled_backends).toBe('swift-1:swift');
    expect(conf['swift-1'].swift_store_container).toBe('images');
  });
});

describe('the reader, field by field: what each unsupported field names, and the edge cases of a real CR', () => {
  const read = (cr: unknown, options = noStore()) => readCustomResource(cr, options).props;
  const refused = (cr: unknown, path: string, message: RegExp | string, options = noStore()): GlanceValidationError =>
    expectInvalid(() => readCustomResource(cr, options), path, message);
  const swift = (options: string) => glance({ customServiceConfig: `[DEFAULT]\nenabled_backends = default_backend:swift\n[default_backend]\n${options}` });
  const synthed = (cr: unknown) => synthFromCr(cr, noStore());
  const confOf = (cr: unknown) => glanceConf(synthed(cr), 'glance-default-internal');
  const podOf = (cr: unknown) => find(synthed(cr), 'StatefulSet', 'glance-default-internal').spec.template.spec;
  const swiftConf = (options: string) => confOf(swift(options)).default_backend;
  const cephSecretsOf = (cr: unknown) => podOf(cr).volumes
    .flatMap((v: any) => v.secret ? [v.secret.secretName] : v.projected?.sources.map((s: any) => s.secret?.name) ?? [])
    .filter((n: string) => n.startsWith('ceph'));
  const extraVol = (vols: unknown[]) => glance({ extraMounts: [{ extraVol: vols }] });
  const mounted = (volumes: unknown[], mounts: unknown[]) => extraVol([{ volumes, mounts }]);
  const rbd = '[DEFAULT]\nenabled_backends = default_backend:rbd\n';
  const cephSecret = (name: string) => ({ name, secret: { secretName: name } });

  test.each([
    ['glanceAPIs.a.customServiceConfigSecrets', ['x'], 'config files from other Secrets (customServiceConfigSecrets)'],
    ['glanceAPIs.a.storage', { storageRequest: '1Gi' }, 'per-API storage (glanceAPIs.*.storage)'],
    ['glanceAPIs.a.topologyRef', { name: 't' }, 'Topology resources (topologyRef)'],
    ['glanceAPIs.a.auth', { applicationCredentialSecret: 's' }, 'application credentials (auth.applicationCredentialSecret)'],
    ['topologyRef', { name: 't' }, 'Topology resources (topologyRef)'],
    ['notificationsBus', { cluster: 'rabbitmq' }, 'notifications (notificationsBus)'],
    ['notificationBusInstance', 'rabbitmq', 'notifications (notificationBusInstance)'],
    ['quotas.imageCountUpload', 2, 'Keystone unified limits (quotas)'],
    ['quotas.imageSizeTotal', 2, 'Keystone unified limits (quotas)'],
    ['quotas.imageStageTotal', 2, 'Keystone unified limits (quotas)'],
  ])('spec.%s is refused by its feature', (field, value, feature) => {
    const spec: any = {};
    const keys = field.split('.');
    keys.slice(0, -1).reduce((o, k) => (o[k] = {}), spec)[keys[keys.length - 1]] = value;
    refused(glance(spec), `spec.${field}`, `is not supported by cdk8s-glance: ${feature} (got`);
  });

  test('a control plane: applicationCredential refused by feature, enabled and serviceName default to the CRD\'s', () => {
    const plane = (glanceSection: object, extra: object = {}) => ({ kind: 'OpenStackControlPlane', spec: { glance: { template: {}, ...glanceSection }, ...extra } });
    refused(plane({ applicationCredential: { enabled: true } }), 'spec.glance.applicationCredential',
      'is not supported by cdk8s-glance: application credentials (applicationCredential)');
    expect(read(plane({})).name).toBe('glance');
    expect(read(plane({ serviceName: 'image' })).name).toBe('image');
    refused(plane({ enabled: false }), 'spec.glance.enabled', 'disables Glance (got false)');
    expect(() => read(plane({ enabled: true }))).not.toThrow();
    // A control plane without spec, and its extraMounts, which sit beside the services.
    refused({ kind: 'OpenStackControlPlane' }, 'spec.glance.template', 'is missing');
    refused(plane({}, { extraMounts: { glance: {} } }), 'spec.extraMounts', 'is not a list (got');
  });

  test('a former field warns with what became of it, under its own warning code', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      read(glance({ glanceAPIs: { a: { preserveJobs: true } } }));
      expect(warn).toHaveBeenCalledWith('cdk8s-glance: spec.glanceAPIs.a.preserveJobs is no field of the Glance CRD any more (moved to spec.preserveJobs); '
        + 'the API server drops it on apply, and so does cdk8s-glance', { code: 'CDK8S_GLANCE_FORMER_CR_FIELD' });
    } finally {
      warn.mockRestore();
    }
  });

  test('YAML: empty documents are skipped; aliases that expand too far are refused with the fix', () => {
    expect(read('---\n# nothing\n---\nkind: Glance\nmetadata:\n  name: images\nspec: {}\n').name).toBe('images');
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 6 }, (_, i) =>
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`).join('\n')}\nkind: Glance\nspec: {}\n`;
    refused(bomb, 'customResource', /cannot be read as YAML data \(got ".*"\)\. Fix: remove the aliases that expand it$/);
  });

  test('a bare spec has its fields under spec; unknown top-level fields list the top-level ones', () => {
    refused({ containerImage: 5 }, 'spec.containerImage', 'is not a string');
    const error = refused(glance({ containerImag: 'x' }), 'spec.containerImag', 'is not a field of the Glance CRD');
    expect(error.fix).toMatch(/^remove it, or check its spelling against the CRD \(fields here: apiTimeout, containerImage, customServiceConfig, customServiceConfigSecrets, databaseAccount,/);
    expect(error.fix).not.toMatch(/\bage\b|cleanerScheduler/);
  });

  test('null fields are unset; types are checked on every value', () => {
    const nulls = synthFromCr(glance({ containerImage: null, imageCache: null, extraMounts: null, storage: { storageRequest: null } }));
    expect(JSON.stringify(nulls)).toBe(JSON.stringify(synthFromCr(glance({ storage: {} }))));
    refused(glance({ dbPurge: 'daily' }), 'spec.dbPurge', 'is not a mapping');
    refused(glance({ nodeSelector: { zone: 'a', rack: 1 } }), 'spec.nodeSelector', 'is not a mapping of strings');
  });

  test('dbPurge: the CRD defaults apply to a CR without it, as the operator always purges', () => {
    expect(read(glance({})).dbPurge).toEqual({ ageInDays: 30, schedule: '1 0 * * *' });
    expect(read(glance({ dbPurge: { age: 7 } })).dbPurge).toEqual({ ageInDays: 7, schedule: '1 0 * * *' });
  });

  test('an image cache without a size is no cache', () => {
    expect(read(glance({ imageCache: { prunerScheduler: '0 * * * *' } })).imageCache).toBeUndefined();
    expect(read(glance({ glanceAPIs: { a: { imageCache: { size: '' } } } })).apis!.a.imageCache).toBeUndefined();
  });

  test('metadata.namespace may be one character, and must be text', () => {
    expect(readCustomResource({ kind: 'Glance', metadata: { namespace: 'a' }, spec: {} }, noStore()).namespace).toBe('a');
    refused({ kind: 'Glance', metadata: { namespace: 5 }, spec: {} }, 'metadata.namespace', 'is not a Kubernetes namespace name');
  });

  test('an API\'s customServiceConfig may not enable stores of its own', () => {
    refused(glance({ glanceAPIs: { a: { customServiceConfig: '[DEFAULT]\nenabled_backends = a:rbd\n' } } }), 'spec.glanceAPIs.a.customServiceConfig',
      'per-API stores (enabled_backends or [glance_store] in an API\'s customServiceConfig) (got "a:rbd")');
  });

  test('bad INI in customServiceConfig is reported at its field', () => {
    refused(glance({ customServiceConfig: 'no section\n' }), 'spec.customServiceConfig', /./);
    refused(glance({ glanceAPIs: { edge: { customServiceConfig: 'no section\n' } } }), 'spec.glanceAPIs.edge.customServiceConfig', /./);
  });

  test('resources: requests or limits alone; a resource other than cpu and memory is named', () => {
    expect(read(glance({ glanceAPIs: { a: { resources: { limits: { cpu: 2, memory: '1Gi' } } } } })).apis!.a.resources)
      .toEqual({ cpuRequest: undefined, memoryRequest: undefined, cpuLimit: '2', memoryLimit: '1Gi' });
    expect(read(glance({ glanceAPIs: { a: { resources: { requests: { cpu: '500m' } } } } })).apis!.a.resources)
      .toEqual({ cpuRequest: '500m', memoryRequest: undefined, cpuLimit: undefined, memoryLimit: undefined });
    refused(glance({ glanceAPIs: { a: { resources: { requests: { 'ephemeral-storage': '1Gi' } } } } }),
      'spec.glanceAPIs.a.resources.requests.ephemeral-storage', 'is not supported by cdk8s-glance (got "1Gi"). Fix: give cpu and memory only');
  });

  test('Service overrides: a null endpoint is skipped; spec without metadata, metadata without spec; only metadata and spec', () => {
    const apiOf = (override: object) => read(glance({ glanceAPIs: { a: { override } } })).apis!.a;
    expect(apiOf({ service: { internal: null } }).endpointServices).toBeUndefined();
    expect(apiOf({ service: { internal: undefined } }).endpointServices).toBeUndefined();
    expect(apiOf({ service: { public: { spec: { type: 'LoadBalancer' } } } }).endpointServices)
      .toEqual({ publicService: { serviceType: 'LoadBalancer', annotations: undefined, labels: undefined } });
    expect(apiOf({ service: { internal: { metadata: { labels: { a: 'b' } } } } }).endpointServices)
      .toEqual({ internalService: { serviceType: undefined, annotations: undefined, labels: { a: 'b' } } });
    refused(glance({ glanceAPIs: { a: { override: { service: { public: { status: { type: 'x' } } } } } } }),
      'spec.glanceAPIs.a.override.service.public.status.type', 'Service overrides of status.type');
  });

  describe('stores from customServiceConfig', () => {
    test('enabled_backends may have spaces around names and types', () => {
      const conf = confOf(glance({ customServiceConfig: '[DEFAULT]\nenabled_backends = a : swift ,  b:swift\n[glance_store]\ndefault_backend = b\n' }));
      expect(conf.DEFAULT.enabled_backends).toBe('a:swift,b:swift');
      expect(conf.glance_store.default_backend).toBe('b');
    });

    test('an empty store section leaves no section in the user\'s config', () => {
      const props = read(glance({ customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:swift\n[default_backend]\nswift_store_container = c\n' }));
      expect(props.customServiceConfig).toBeUndefined();
    });

    test('quotes around a value go, as oslo.config drops them: the same quote at both ends', () => {
      expect(swiftConf('swift_store_container = "images"\n').swift_store_container).toBe('images');
      expect(swiftConf('swift_store_user = \'admin:images\'\n').swift_store_user).toBe('admin:images');
      expect(swiftConf('store_description = "Fast" Swift, "B"\n').store_description).toBe('Fast" Swift, "B');
      expect(swiftConf('store_description = "Fast" Swift\n').store_description).toBe('"Fast" Swift');
      expect(swiftConf('store_description = Swift "B"\n').store_description).toBe('Swift "B"');
      expect(swiftConf('store_description = "Swift\'\n').store_description).toBe('"Swift\'');
    });

    test('swift: the operator\'s templates stand for the deployment\'s Keystone, key and region; anything else is refused with its value', () => {
      const templated = swiftConf('swift_store_auth_address = {{ .KeystoneInternalURL }}\nswift_store_key = {{.ServicePassword}}\nswift_store_region = {{  .Region  }}\n'
        + 'swift_store_user = service:glance\n');
      expect(templated).toMatchObject({ swift_store_user: 'service:glance', swift_store_auth_address: crOptions().keystoneAuthUrl });
      expect(templated.swift_store_region).toBeUndefined();
      expect(swiftConf('swift_store_region = regionTwo\n').swift_store_region).toBe('regionTwo');
      expect(swiftConf('swift_store_user = admin:images\n').swift_store_user).toBe('admin:images');
      expect(swiftConf('')).toMatchObject({ swift_store_user: 'service:glance' });
      expect(swiftConf('').swift_store_region).toBeUndefined();
      for (const address of ['http://other/{{ .KeystoneInternalURL }}', '{{ .KeystoneInternalURL }}/v3']) {
        refused(swift(`swift_store_auth_address = ${address}\n`), 'spec.customServiceConfig [default_backend]',
          `points Swift at another Keystone than the deployment's (got "swift_store_auth_address = ${address}")`);
      }
      expect(swiftConf('swift_store_region = {{ .Region }} two\n').swift_store_region).toBe('{{ .Region }} two');
      refused(swift('swift_store_auth_version = 2\n'), 'spec.customServiceConfig [default_backend]', '(got "swift_store_auth_version = 2")');
    });

    test('file: a trailing slash on the directory is the same directory; another one is refused with its value', () => {
      expect(() => read(glance({ customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:file\n[default_backend]\nfilesystem_store_datadir = /var/lib/glance/images//\n' })))
        .not.toThrow();
      refused(glance({ customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:file\n[default_backend]\nfilesystem_store_datadir = /images\n' }),
        'spec.customServiceConfig [default_backend]', '(got "filesystem_store_datadir = /images")');
    });

    test('rbd: the cluster comes from the ceph.conf file name; other paths are refused', () => {
      const withCeph = (custom: string) => {
        const cr = mounted([cephSecret('ceph')], [{ name: 'ceph', mountPath: '/etc/ceph' }]);
        (cr.spec as any).customServiceConfig = rbd + custom;
        return cr;
      };
      expect(confOf(withCeph('[default_backend]\nrbd_store_ceph_conf = /etc/ceph/site-b.conf\n')).default_backend.rbd_store_ceph_conf).toBe('/etc/ceph/site-b.conf');
      for (const conf of ['/opt/ceph.conf', '/x/etc/ceph/ceph.conf', '/etc/ceph/ceph.conf.bak']) {
        refused(withCeph(`[default_backend]\nrbd_store_ceph_conf = ${conf}\n`), 'spec.customServiceConfig [default_backend]',
          `is not a file /etc/ceph/<cluster>.conf (got "rbd_store_ceph_conf = ${conf}"). Fix: keep the Ceph files in /etc/ceph`);
      }
      refused(glance({ customServiceConfig: rbd }), 'spec.extraMounts', '(got "no Ceph Secret")');
    });

    test('an unsupported store type is named with its store', () => {
      refused(glance({ customServiceConfig: '[DEFAULT]\nenabled_backends = images:cinder\n[glance_store]\ndefault_backend = images\n' }),
        'spec.customServiceConfig [images]', '(got "images:cinder")');
    });

    test('errors of a CR\'s file store name extraMounts, of its other stores customServiceConfig', () => {
      const nfs = { ...mounted([{ name: 'n', nfs: { server: 'nfs.example', path: '/images' } }], [{ name: 'n', mountPath: '/var/lib/glance/images' }]) };
      const crOf = (custom?: string) => ({ ...nfs, spec: { ...nfs.spec as object, customServiceConfig: custom } });
      expect(readCustomResource(crOf(), noStore()).inCrTerms(new GlanceValidationError('backend.sharedStore', 'v', 'is bad', 'f')).prop).toBe('spec.extraMounts');
      expect(readCustomResource(crOf('[DEFAULT]\nenabled_backends = a:file, b:swift\n'), noStore())
        .inCrTerms(new GlanceValidationError('backend', 'v', 'is bad', 'f')).prop).toBe('spec.extraMounts');
      expect(readCustomResource(swift(''), noStore()).inCrTerms(new GlanceValidationError('backend', 'v', 'is bad', 'f')).prop).toBe('spec.customServiceConfig');
    });
  });

  describe('extraMounts', () => {
    test('an NFS volume alone is the shared file store', () => {
      const cr = mounted([{ name: 'n', nfs: { server: 'nfs.example', path: '/images' } }], [{ name: 'n', mountPath: '/var/lib/glance/images' }]);
      expect(confOf(cr).DEFAULT.enabled_backends).toBe('default_backend:file');
      expect(podOf(cr).volumes).toContainEqual({ name: 'images', persistentVolumeClaim: { claimName: 'glance-images' } });
      expect(podOf(cr).volumes.filter((v: any) => v.nfs)).toEqual([]);
    });

    test('an NFS store and a store option together name extraMounts', () => {
      refused(mounted([{ name: 'n', nfs: { server: 'nfs.example', path: '/images' } }], [{ name: 'n', mountPath: '/var/lib/glance/images' }]),
        'spec.extraMounts', 'configures the image store, and so does a store option (--ceph-secret, --shared-claim or --shared-storage-class) (got "extraMounts")', crOptions());
    });

    test('a mount finds its own volume by name, with a trailing slash on its path', () => {
      const cr = { ...mounted([{ name: 'other', nfs: { server: 'x', path: '/x' } }, cephSecret('ceph-b')], [{ name: 'ceph-b', mountPath: '/etc/ceph//' }]) };
      (cr.spec as any).customServiceConfig = rbd;
      expect(cephSecretsOf(cr)).toEqual(['ceph-b']);
    });

    test('null entries and entries without volumes or mounts add nothing', () => {
      expect(read(extraVol([null, {}, { volumes: [null], mounts: [] }])).backend).toBeUndefined();
      const cr = { ...mounted([null, cephSecret('ceph-a')], [{ name: 'ceph-a', mountPath: '/etc/ceph' }]) };
      (cr.spec as any).customServiceConfig = rbd;
      expect(cephSecretsOf(cr)).toEqual(['ceph-a']);
    });

    test('a propagation naming Glance among others is read', () => {
      const cr = { ...extraVol([{ propagation: ['CinderVolume', 'Glance'], volumes: [cephSecret('ceph-c')], mounts: [{ name: 'ceph-c', mountPath: '/etc/ceph' }] }]) };
      (cr.spec as any).customServiceConfig = rbd;
      expect(cephSecretsOf(cr)).toEqual(['ceph-c']);
      expect(read(extraVol([{ propagation: ['CinderGlance'], volumes: [cephSecret('c')], mounts: [{ name: 'c', mountPath: '/etc/cinder' }] }])).backend).toBeUndefined();
    });

    test('a propagation naming the APIs, as the operator mounts into each API pod its own name\'s: all of them read, some refused', () => {
      const cephFor = (propagation: string[], apis?: object) => {
        const cr = extraVol([{ propagation, volumes: [cephSecret('ceph-a')], mounts: [{ name: 'ceph-a', mountPath: '/etc/ceph' }] }]);
        Object.assign(cr.spec as any, { customServiceConfig: rbd, glanceAPIs: apis });
        return cr;
      };
      expect(cephSecretsOf(cephFor(['default']))).toEqual(['ceph-a']);
      const two = { az0: { type: 'edge' }, az1: { type: 'edge' } };
      refused(cephFor(['az0', 'az1'], { ...two, az2: { type: 'edge' } }), 'spec.extraMounts[0].extraVol[0].propagation', 'some of the APIs (az0, az1)');
      const both = synthed(cephFor(['az1', 'az0'], two));
      for (const sts of ['glance-az0-edge', 'glance-az1-edge']) {
        expect(find(both, 'StatefulSet', sts).spec.template.spec.volumes).toContainEqual({ name: 'ceph', secret: { secretName: 'ceph-a', defaultMode: 0o440 } });
      }
      refused(cephFor(['az0'], two), 'spec.extraMounts[0].extraVol[0].propagation',
        'is not supported by cdk8s-glance: a mount for some of the APIs (az0), where every API pod mounts the same (got ["az0"]). '
        + 'Fix: propagate it to Glance, so that every API mounts it, or remove it');
      // A name that is no API of this CR is another service's instance.
      refused(cephFor(['az9'], two), 'spec.extraMounts', 'mounts none at /etc/ceph');
    });

    test.each([
      ['an entry that is not a mapping', glance({ extraMounts: [null] }), 'spec.extraMounts[0].extraVol', 'is not a list'],
      ['a mount naming no volume', mounted([], [{ name: 'x', mountPath: '/etc/ceph' }]), 'spec.extraMounts[0].extraVol[0].mounts[0]', 'only an NFS volume'],
      ['a null mount', mounted([cephSecret('ceph')], [null]), 'spec.extraMounts[0].extraVol[0].mounts[0]', 'only an NFS volume'],
      ['an NFS volume elsewhere', mounted([{ name: 'n', nfs: { server: 'x', path: '/x' } }], [{ name: 'n', mountPath: '/etc/ceph' }]),
        'spec.extraMounts[0].extraVol[0].mounts[0]', 'only an NFS volume'],
      ['an NFS volume without path', mounted([{ name: 'n', nfs: { server: 'x' } }], [{ name: 'n', mountPath: '/var/lib/glance/images' }]),
        'spec.extraMounts[0].extraVol[0].volumes', 'is an NFS volume without server and path'],
      ['an NFS volume without server', mounted([{ name: 'n', nfs: { path: '/x' } }], [{ name: 'n', mountPath: '/var/lib/glance/images' }]),
        'spec.extraMounts[0].extraVol[0].volumes', 'is an NFS volume without server and path'],
      ['a ConfigMap at /etc/ceph', mounted([{ name: 'c', configMap: { name: 'ceph' } }], [{ name: 'c', mountPath: '/etc/ceph' }]),
        'spec.extraMounts[0].extraVol[0].mounts[0]', 'only an NFS volume'],
      ['a projection with a null source', mounted([{ name: 'c', projected: { sources: [null] } }], [{ name: 'c', mountPath: '/etc/ceph' }]),
        'spec.extraMounts[0].extraVol[0].volumes', 'projects something other than Secrets'],
      ['a projection of a Secret and a ConfigMap', mounted([{ name: 'c', projected: { sources: [{ secret: { name: 's' } }, { configMap: { name: 'm' } }] } }],
        [{ name: 'c', mountPath: '/etc/ceph' }]), 'spec.extraMounts[0].extraVol[0].volumes', 'projects something other than Secrets'],
    ])('%s is refused', (_name, cr, path, message) => {
      refused(cr, path, message);
    });

    test('a projection without sources mounts no Ceph Secret', () => {
      const cr = { ...mounted([{ name: 'c', projected: {} }], [{ name: 'c', mountPath: '/etc/ceph' }]) };
      (cr.spec as any).customServiceConfig = rbd;
      refused(cr, 'spec.extraMounts', '(got "no Ceph Secret")');
    });
  });
});

describe('the CLI: streams, defaults, flags and file errors', () => {
  const glanceCr = 'kind: Glance\nmetadata:\n  name: glance\n  namespace: cloud\nspec: {}\n';
  const swiftCr = 'kind: Glance\nspec:\n  customServiceConfig: |\n    [DEFAULT]\n    enabled_backends = default_backend:swift\n';
  const capture = (args: string[], stdin: () => string) => {
    let out = '';
    let err = '';
    const code = runCli(args, (t) => { out += t; }, (t) => { err += t; }, stdin);
    return { code, out, err };
  };
  const failingStdin = (error: object) => () => {
    throw Object.assign(new Error('failed'), error);
  };

  test('without streams it writes to the process\'s stdout and stderr, and reads its stdin', () => {
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // The module object itself: an ES import's namespace cannot be spied on.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const read = jest.spyOn(require('fs') as typeof import('fs'), 'readFileSync');
    try {
      expect(runCli(['--version'])).toBe(0);
      expect(stdout).toHaveBeenCalledWith(expect.stringMatching(/^cdk8s-glance \d+\.\d+\.\d+/));
      expect(runCli([])).toBe(2);
      expect(stderr).toHaveBeenCalledWith(expect.stringContaining('--from FILE'));
      read.mockReset().mockReturnValue(glanceCr);
      const dir = mkdtempSync(join(tmpdir(), 'cli-'));
      expect(runCli(['synth', '--from', '-', '-o', dir, '--shared-claim', 'images'])).toBe(0);
      expect(read.mock.calls).toEqual([[0, 'utf8']]);
      expect(stdout).toHaveBeenLastCalledWith(`wrote ${join(dir, 'glance.k8s.yaml')}: glance-default-internal (1 replicas), glance-default-external (1 replicas)\n`);
    } finally {
      read.mockRestore();
      stdout.mockRestore();
      stderr.mockRestore();
    }
  });

  test('without -o it writes dist/glance.k8s.yaml under the working directory; it lists every StatefulSet written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const result = capture(['synth', '--from', '-'], () => swiftCr);
      expect(result).toEqual({ code: 0, err: '', out: 'wrote dist/glance.k8s.yaml: glance-default-internal (1 replicas), glance-default-external (1 replicas)\n' });
      expect(readdirSync(join(dir, 'dist'))).toEqual(['glance.k8s.yaml']);
    } finally {
      process.chdir(cwd);
    }
  });

  test('--namespace may repeat the CR\'s namespace; a different one is refused with the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    expect(capture(['synth', '--from', '-', '-o', dir, '--namespace', 'cloud', '--shared-claim', 'images'], () => glanceCr)).toMatchObject({ code: 0, err: '' });
    expect(capture(['synth', '--from', '-', '-o', dir, '--namespace', 'openstack', '--shared-claim', 'images'], () => glanceCr).err)
      .toBe('cdk8s-glance: --namespace: differs from the CR\'s metadata.namespace ("cloud") (got "openstack"). Fix: drop --namespace, or give the CR\'s namespace\n');
  });

  test('without a store flag the CR\'s own store is used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    expect(capture(['synth', '--from', '-', '-o', dir], () => swiftCr)).toMatchObject({ code: 0, err: '' });
    expect(readFileSync(join(dir, 'glance.k8s.yaml'), 'utf8')).toContain('enabled_backends = default_backend:swift');
  });

  test('--help belongs to synth; a flag must start with two hyphens', () => {
    expect(capture(['deploy', '--help'], () => '')).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "deploy"') });
    // An en dash pasted from a document is no flag.
    expect(capture(['synth', '--from', '-', '\u2013-output', 'out'], () => glanceCr)).toMatchObject({ code: 2, err: expect.stringContaining('unknown option "\u2013-output"') });
  });

  test.each([
    [{ code: 'EACCES', path: '/srv/cr.yaml' }, '/srv/cr.yaml cannot be read or written (permission denied)'],
    [{ code: 'EROFS', path: '/srv/out' }, '/srv/out is on a read-only file system'],
    [{ code: 'EIO' }, 'a file failed: EIO'],
  ])('a file error %j is reported in words, exit 1', (error, words) => {
    expect(capture(['synth', '--from', '-'], failingStdin(error))).toEqual({ code: 1, out: '', err: `cdk8s-glance: ${words}\n` });
  });

  test.each([
    [{}],
    [{ code: 'ERR_STREAM_DESTROYED' }],
    [{ code: 'CERT_HAS_EXPIRED' }],
  ])('any other error %j is no file error: it is thrown', (error) => {
    expect(() => capture(['synth', '--from', '-'], failingStdin(error))).toThrow('failed');
  });
});
