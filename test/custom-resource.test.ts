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
  expect(c.resources.requests).toEqual({ cpu: '1', memory: '1Gi' });
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
    expect(find(docs, 'Job', 'glance-db-sync').spec.template.spec.containers[0].env).toEqual([
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
  const noStore = (): CustomResourceOptions => ({ ...crOptions(), backend: undefined });

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
    expect(pod.volumes).toContainEqual(expect.objectContaining({ nfs: { server: '192.0.2.5', path: '/var/nfs' } }));
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
  const glance = { kind: 'Glance', spec: {} };
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
    const renamed = translate(glance, prop);
    expect(renamed.prop).toBe(field);
    expect(renamed.message).toBe(`${field}: is bad (got "v"). Fix: the fix`);
  });

  test('in a control plane the fields sit under spec.glance.template', () => {
    expect(translate(controlPlane, 'imageCache.size').prop).toBe('spec.glance.template.imageCache.size');
    expect(translate(controlPlane, 'apis.default.replicas').prop).toBe('spec.glance.template.glanceAPIs.default.replicas');
    expect(translate(controlPlane, 'image').prop).toBe('spec.glance.template.containerImage');
  });

  test('a store error names the CLI flags without a store in the CR, the CR field with one; each with its own fix', () => {
    const none = translate(glance, 'backend.sharedStore');
    expect(none.prop).toBe('spec.extraMounts (or --ceph-secret, --shared-claim)');
    expect(none.fix).toMatch(/^mount an NFS volume at \/var\/lib\/glance\/images through extraMounts, give --shared-claim NAME/);
    const swift = translate({ kind: 'Glance', spec: { customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:swift\n' } }, 'backend.region',
      { ...crOptions(), backend: undefined });
    expect(swift.prop).toBe('spec.customServiceConfig');
    expect(swift.fix).toBe('mount an NFS volume at /var/lib/glance/images through extraMounts, or use Ceph');
  });
});

describe('every refusal of the reader names the field, the problem and the fix', () => {
  const noStore = (): CustomResourceOptions => ({ ...crOptions(), backend: undefined });
  const refused = (cr: unknown, path: string, message: RegExp, options = crOptions()) => {
    expectInvalid(() => readCustomResource(cr, options), path, message);
  };
  const glance = (spec: unknown) => ({ kind: 'Glance', spec });
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
