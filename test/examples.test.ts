import { find, glanceConf, Manifest, objectKey, SCHEMAS, synthApp, validateSchema } from './helpers';
import { edgeSite } from '../examples/edge-site';
import { imageCacheCeph } from '../examples/image-cache-ceph';
import { imageCacheNfs } from '../examples/image-cache-nfs';
import { imageCacheTls } from '../examples/image-cache-tls';

// Each test synthesizes its example itself, so that a mutation run maps library code to the tests that read it.
const EXAMPLES: Array<[string, () => Manifest[]]> = [
  ['image-cache-ceph', () => synthApp(imageCacheCeph)],
  ['image-cache-nfs', () => synthApp(imageCacheNfs)],
  ['edge-site', () => synthApp(edgeSite)],
  ['image-cache-tls', () => synthApp(imageCacheTls)],
];

describe.each(EXAMPLES)('example %s', (_name, synthExample) => {
  let manifests: Manifest[];
  beforeEach(() => {
    manifests = synthExample();
  });

  test('matches the snapshot (guards object names and every field)', () => {
    expect(manifests).toMatchSnapshot();
  });

  test.each(Object.keys(SCHEMAS))('every object validates against the %s schema', (schemaName) => {
    expect(manifests.length).toBeGreaterThan(10);
    for (const manifest of manifests) {
      try {
        validateSchema(manifest, SCHEMAS[schemaName]);
      } catch (e) {
        throw new Error(`${manifest.kind}/${manifest.metadata.name}: ${(e as Error).message}`);
      }
    }
  });

  test('names are unique per kind, DNS-1123 and within 63 characters', () => {
    const seen = new Set<string>();
    for (const m of manifests) {
      const key = `${m.kind}/${m.metadata.name}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(m.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(m.metadata.name.length).toBeLessThanOrEqual(m.kind === 'CronJob' || m.kind === 'StatefulSet' ? 52 : 63);
      expect(m.metadata.namespace).toBe('openstack');
    }
  });
});

test('the schema check rejects what Kubernetes rejects', () => {
  const sts = find(EXAMPLES[0][1](), 'StatefulSet', 'glance-default-single');
  const broken = JSON.parse(JSON.stringify(sts));
  broken.spec.replicas = 'three';
  for (const schema of Object.values(SCHEMAS)) expect(() => validateSchema(broken, schema)).toThrow(/replicas/);
});

test('ceph example: the reference sample, by name', () => {
  const m = EXAMPLES[0][1]();
  expect(m.map(objectKey).sort()).toEqual([
    'CronJob/glance-db-purge',
    ...[0, 1, 2].flatMap((n) => [`CronJob/glance-default-single-${n}-cleaner`, `CronJob/glance-default-single-${n}-pruner`]),
    'Job/glance-db-sync-<hash>',
    'NetworkPolicy/glance-db-jobs',
    'NetworkPolicy/glance-default-single',
    'NetworkPolicy/glance-default-single-cache-jobs',
    'PodDisruptionBudget/glance-default-single',
    'Secret/glance-db-config',
    'Secret/glance-default-single-config',
    'Service/glance-default',
    'Service/glance-default-public',
    'Service/glance-default-single',
    'StatefulSet/glance-default-single',
  ].sort());
  const sts = find(m, 'StatefulSet', 'glance-default-single');
  const sizes = Object.fromEntries(sts.spec.volumeClaimTemplates.map((t: any) => [t.metadata.name, t.spec.resources.requests.storage]));
  expect(sizes).toEqual({ 'glance': '10Gi', 'glance-cache': '10Gi' });
  const conf = glanceConf(m, 'glance-default-single');
  expect(conf.DEFAULT.image_cache_max_size).toBe('9126805504');
  expect(conf.DEFAULT.enabled_backends).toBe('default_backend:rbd');
});

test('nfs example: three replicas on a shared ReadWriteMany store', () => {
  const m = EXAMPLES[1][1]();
  expect(find(m, 'StatefulSet', 'glance-default-single').spec.replicas).toBe(3);
  expect(find(m, 'PersistentVolumeClaim', 'glance-images').spec.accessModes).toEqual(['ReadWriteMany']);
  const conf = glanceConf(m, 'glance-default-single');
  expect(conf.DEFAULT.image_cache_max_size).toBe(String(Math.floor(20 * 2 ** 30 * 0.85)));
  expect(conf.DEFAULT.image_cache_stall_time).toBe('43200');
  expect(find(m, 'CronJob', 'glance-default-single-2-pruner').spec.schedule).toBe('15 */6 * * *');
  expect(find(m, 'CronJob', 'glance-default-single-2-cleaner').spec.schedule).toBe('*/30 * * * *');
});

test('tls example: the operator\'s certificates from its issuers, a terminator in every API pod, the bundle everywhere', () => {
  const m = EXAMPLES[3][1]();
  const certificates = m.filter((o) => o.kind === 'Certificate');
  expect(certificates.map((c) => [c.metadata.name, c.spec.issuerRef.name, c.spec.secretName])).toEqual([
    ['glance-default-internal-svc', 'rootca-internal', 'cert-glance-default-internal-svc'],
    ['glance-default-public-svc', 'rootca-public', 'cert-glance-default-public-svc'],
  ]);
  expect(certificates[1].spec.dnsNames).toContain('glance.example.com');
  for (const sts of ['glance-default-internal', 'glance-default-external']) {
    const spec = find(m, 'StatefulSet', sts).spec.template.spec;
    expect([sts, spec.containers.map((c: any) => c.name)]).toEqual([sts, ['glance-api', 'glance-httpd']]);
    expect(glanceConf(m, sts).keystone_authtoken.cafile).toBe('/etc/glance/tls/ca/tls-ca-bundle.pem');
  }
});
