import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { Glance, GlanceApiType, ImageBackend } from '../lib';
import { find, glanceConf, Manifest } from './helpers';
import { runCli } from '../lib/cli';
import { CustomResourceOptions, glancePropsFromCustomResource } from '../lib/custom-resource';
import { GlanceValidationError } from '../lib/errors';

const REFERENCE = readFileSync(join(__dirname, 'fixtures', 'reference-control-plane.yaml'), 'utf8');
const OPTIONS: CustomResourceOptions = {
  database: { connectionSecret: { name: 'glance-db', key: 'connection' } },
  keystoneAuthUrl: 'http://keystone-internal.openstack.svc:5000',
  backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf-files' }),
};

function synthFromCr(cr: unknown, options = OPTIONS): Manifest[] {
  const chart = new Chart(Testing.app(), 'cr', { namespace: 'openstack' });
  Glance.fromCustomResource(chart, 'glance', cr, options);
  return Testing.synth(chart) as Manifest[];
}

function expectRejected(cr: unknown, path: string): void {
  let error: unknown;
  try {
    synthFromCr(cr);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(GlanceValidationError);
  expect((error as GlanceValidationError).prop).toBe(path);
  expect((error as Error).message).toMatch(/Fix: \S/);
}

describe('the reference snippet, as an OpenStackControlPlane', () => {
  const m = synthFromCr(REFERENCE);
  const sts = find(m, 'StatefulSet', 'glance-default-single');

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
    expect(find(m, 'CronJob', 'glance-default-single-2-pruner')).toBeDefined();
  });

  test('the Keystone password follows the operator convention: osp-secret / GlancePassword', () => {
    const env = sts.spec.template.spec.containers[0].env.find((e: any) => e.name === 'OS_KEYSTONE_AUTHTOKEN__PASSWORD');
    expect(env.valueFrom.secretKeyRef).toEqual({ name: 'osp-secret', key: 'GlancePassword' });
  });
});

test('a bare Glance CR, a parsed object and a spec alone give the same props', () => {
  const spec = (parseAllDocuments(REFERENCE)[0].toJSON() as any).spec.glance.template;
  const bare = `apiVersion: glance.openstack.org/v1beta1\nkind: Glance\nmetadata:\n  name: glance\nspec:\n${REFERENCE.split('    template:\n')[1].replace(/^ {6}/gm, '  ')}`;
  const fromBare = glancePropsFromCustomResource(bare, OPTIONS);
  expect(glancePropsFromCustomResource(REFERENCE, OPTIONS)).toEqual(fromBare);
  expect(glancePropsFromCustomResource({ kind: 'Glance', spec }, OPTIONS)).toEqual(fromBare);
  expect(glancePropsFromCustomResource(spec, OPTIONS)).toEqual(fromBare);
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
      imageCache: { size: '20Gi', cleanerScheduler: '*/10 * * * *', prunerSchedule: '0 2 * * *' },
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
  expect(GlanceApiType.SPLIT).toBe('split');
});

describe('unknown or unsupported fields are rejected with their path', () => {
  test.each([
    [{ kind: 'Glance', spec: { extraMounts: [] } }, 'spec.extraMounts'],
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { networkAttachments: ['x'] } } } }, 'spec.glanceAPIs.default.networkAttachments'],
    [{ kind: 'Glance', spec: { imageCache: { size: '1Gi', sizee: '2Gi' } } }, 'spec.imageCache.sizee'],
    [{ kind: 'Glance', spec: { storage: { storageRequest: '10Gi', storageClas: 'x' } } }, 'spec.storage.storageClas'],
    [{ kind: 'OpenStackControlPlane', spec: { glance: { template: {}, apiOverrides: {} } } }, 'spec.glance.apiOverrides'],
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { replicas: 'three' } } } }, 'spec.glanceAPIs.default.replicas'],
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { type: 'both' } } } }, 'spec.glanceAPIs.default.type'],
    [{ kind: 'Glance', spec: { keystoneEndpoint: 'edge1' } }, 'spec.keystoneEndpoint'],
    // Prototype names are fields like any other, not lookups into Object.prototype.
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { type: 'toString' } } } }, 'spec.glanceAPIs.default.type'],
    [JSON.parse('{"kind": "Glance", "spec": {"constructor": {}}}'), 'spec.constructor'],
    [{ kind: 'Glance', spec: { storage: { hasOwnProperty: 'x' } } }, 'spec.storage.hasOwnProperty'],
    [{ kind: 'Nova', spec: {} }, 'kind'],
    ['kind: Glance\nspec: [unclosed', 'customResource'],
    ['kind: Service\n', 'customResource'],
    [{ kind: 'OpenStackControlPlane', spec: { glance: { enabled: false, template: {} } } }, 'spec.glance.enabled'],
  ])('%j is rejected at %s', (cr, path) => expectRejected(cr, path));

  test('what the library validates is validated for CRs too', () => {
    expectRejected({ kind: 'Glance', spec: { imageCache: { size: '10 Gi' } } }, 'imageCache.size');
    expectRejected({ kind: 'Glance', spec: { customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:rbd\n' } }, 'customServiceConfig');
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
    writeFileSync(join(dir, 'cr.yaml'), 'kind: Glance\nspec:\n  extraMounts: []\n');
    const result = run('synth', '--from', join(dir, 'cr.yaml'), '-o', dir);
    expect(result.code).toBe(1);
    expect(result.err).toContain('spec.extraMounts: is not supported by cdk8s-glance');
    expect(existsSync(join(dir, 'glance.k8s.yaml'))).toBe(false);
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
