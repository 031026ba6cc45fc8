/**
 * The public constructs compose in any order: a GlanceApi added to a Glance after it was built, an
 * ImageCache added to an API after its siblings, each ends up in the manifests (the API's Secret,
 * glance.conf, claim templates, config hash). Where an order cannot work, the construct throws a
 * clear error at once; it never writes a manifest that mounts what nobody creates.
 */
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { CacheCleaner, CachePrecache, CachePruner, Glance, GlanceApi, GlanceApiRole, GlanceProps, ImageBackend, ImageCache } from '../lib';
import { BASE_PROPS, expectInvalid, find, glanceConf, Manifest, objectKey } from './helpers';
import { expectWellComposed } from './well-composed';

const NFS = ImageBackend.file({ sharedStore: { storageClass: 'nfs-client' } });
const JOB = { statefulSetName: 'glance-default-single', replicas: 1, image: 'glance', configSecretName: 'glance-default-single-config' };

function build(props: Partial<GlanceProps>, more: (glance: Glance, chart: Chart) => void = () => {}): Manifest[] {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'openstack' });
  const glance = new Glance(chart, 'glance', { ...BASE_PROPS, ...props });
  more(glance, chart);
  return Testing.synth(chart) as Manifest[];
}

const hashOf = (m: Manifest[], sts: string) => find(m, 'StatefulSet', sts).spec.template.metadata.annotations['glance.openstack.org/config-hash'];
const byKey = (m: Manifest[]) => Object.fromEntries(m.map((o) => [objectKey(o), o]));
const claimTemplates = (m: Manifest[], sts: string) => find(m, 'StatefulSet', sts).spec.volumeClaimTemplates.map((t: any) => t.metadata.name);

describe('an ImageCache added to an API after the API was built', () => {
  // The id the API gives its own cache: cdk8s-plus labels job pods with their construct address.
  const late = build({}, (glance) => new ImageCache(glance.apis[0], 'image-cache', { size: '10Gi' }));
  const fromProps = build({ apis: { default: { imageCache: { size: '10Gi' } } } });

  test('gives the same manifests as the API\'s imageCache.size', () => {
    expect(byKey(late)).toEqual(byKey(fromProps));
  });

  test('puts its options in glance.conf and its claim template in the StatefulSet', () => {
    expect(glanceConf(late, 'glance-default-single').DEFAULT.image_cache_max_size).toBe(String(Math.floor(10 * 2 ** 30 * 0.85)));
    expect(claimTemplates(late, 'glance-default-single')).toEqual(['glance', 'glance-cache']);
  });

  test('ships the cache jobs\' script in the API\'s Secret and changes the config hash', () => {
    expect(Object.keys(find(late, 'Secret', 'glance-default-single-config').stringData)).toContain('glance-cache-jobs.py');
    expect(hashOf(late, 'glance-default-single')).not.toEqual(hashOf(build({}), 'glance-default-single'));
  });

  test('is what api.imageCache returns', () => {
    const chart = new Chart(Testing.app(), 'test');
    const glance = new Glance(chart, 'glance', BASE_PROPS);
    expect(glance.apis[0].imageCache).toBeUndefined();
    const cache = new ImageCache(glance.apis[0], 'cache', { size: '10Gi' });
    expect(glance.apis[0].imageCache).toBe(cache);
  });

  test('passes the checks the examples pass', () => expectWellComposed(late));
});

describe('a GlanceApi added to a Glance after the Glance was built', () => {
  const addExtra = (glance: Glance) => new GlanceApi(glance, 'extra', { apiName: 'extra', replicas: 2 });

  test('takes the shared settings and the Glance-level cache, as an entry of apis would', () => {
    const late = build({ backend: NFS, imageCache: { size: '5Gi' } }, addExtra);
    const fromProps = build({ backend: NFS, imageCache: { size: '5Gi' }, apis: { default: {}, extra: { replicas: 2 } } });
    expect(late.map(objectKey).sort()).toEqual(fromProps.map(objectKey).sort());
    expect(find(late, 'StatefulSet', 'glance-extra-single')).toEqual(find(fromProps, 'StatefulSet', 'glance-extra-single'));
    expect(find(late, 'Secret', 'glance-extra-single-config')).toEqual(find(fromProps, 'Secret', 'glance-extra-single-config'));
    expectWellComposed(late);
  });

  test('is listed in glance.apis', () => {
    const chart = new Chart(Testing.app(), 'test');
    const glance = new Glance(chart, 'glance', { ...BASE_PROPS, backend: NFS });
    const extra = addExtra(glance);
    expect(glance.apis.map((api) => api.statefulSetName)).toEqual(['glance-default-single', 'glance-extra-single']);
    expect(glance.apis[1]).toBe(extra);
  });

  test('mounts the shared store\'s claim, which its Glance creates', () => {
    const late = build({ backend: NFS }, addExtra);
    const volumes = find(late, 'StatefulSet', 'glance-extra-single').spec.template.spec.volumes;
    expect(volumes.map((v: any) => v.persistentVolumeClaim?.claimName)).toContain('glance-images');
    expect(find(late, 'PersistentVolumeClaim', 'glance-images')).toBeDefined();
  });

  test('comes after the objects its pods need in the YAML, as the APIs built with the Glance', () => {
    const late = build({ backend: NFS }, (glance) => new ImageCache(addExtra(glance), 'cache', { size: '1Gi' }));
    const index = (key: string) => late.map(objectKey).indexOf(key);
    for (const prerequisite of ['Secret/glance-extra-single-config', 'Service/glance-extra-single', 'PersistentVolumeClaim/glance-images',
      'NetworkPolicy/glance-extra-single', 'NetworkPolicy/glance-extra-single-cache-jobs']) {
      expect([prerequisite, index(prerequisite) >= 0]).toEqual([prerequisite, true]);
      for (const workload of ['StatefulSet/glance-extra-single', 'CronJob/glance-extra-single-0-pruner', 'StatefulSet/glance-default-single']) {
        expect([prerequisite, workload, index(prerequisite) < index(workload)]).toEqual([prerequisite, workload, true]);
      }
    }
  });

  test('on a file store that is not shared, counts toward the replicas across APIs', () => {
    expectInvalid(() => build({}, (glance) => new GlanceApi(glance, 'extra', { apiName: 'extra' })),
      'backend', 'file store, 2 replicas in 2 StatefulSet(s)');
  });

  test('with the name of an API the Glance has is refused, naming both', () => {
    expectInvalid(() => build({ backend: NFS }, (glance) => new GlanceApi(glance, 'again', { apiName: 'default' })),
      'apis.default', /glance-default-single/);
  });
});

describe('orders that cannot work throw at once, with the fix', () => {
  test('a GlanceApi outside a Glance', () => {
    const chart = new Chart(Testing.app(), 'test');
    expectInvalid(() => new GlanceApi(chart, 'api', { apiName: 'default' }), 'GlanceApi', 'is not inside a Glance');
    expectInvalid(() => new GlanceApi(new Construct(chart, 'group'), 'api', { apiName: 'default' }), 'GlanceApi', /new GlanceApi\(glance/);
  });

  test('an ImageCache outside a GlanceApi', () => {
    const chart = new Chart(Testing.app(), 'test');
    expectInvalid(() => new ImageCache(chart, 'cache', { size: '1Gi' }), 'ImageCache', 'is not inside a GlanceApi');
    const glance = new Glance(chart, 'glance', BASE_PROPS);
    expectInvalid(() => new ImageCache(glance, 'cache', { size: '1Gi' }), 'ImageCache', 'is not inside a GlanceApi');
  });

  test('a second ImageCache on an API', () => {
    const run = (props: Partial<GlanceProps>) => build(props, (glance) => new ImageCache(glance.apis[0], 'second', { size: '2Gi' }));
    expectInvalid(() => run({ imageCache: { size: '1Gi' } }), 'apis.default.imageCache',
      'is added to an API that has one (got "a second ImageCache")');
    expectInvalid(() => build({}, (glance) => {
      new ImageCache(glance.apis[0], 'first', { size: '1Gi' });
      new ImageCache(glance.apis[0], 'second', { size: '1Gi' });
    }), 'apis.default.imageCache', 'is added to an API that has one');
  });

  // The probe (a): a pruner on an API without a cache mounted claims nobody creates.
  test.each([
    ['pruner', (api: GlanceApi) => new CachePruner(api, 'late', JOB)],
    ['cleaner', (api: GlanceApi) => new CacheCleaner(api, 'late', JOB)],
    ['precache', (api: GlanceApi) => new CachePrecache(api, 'late', { ...JOB, images: ['cirros'], keystonePassword: { name: 'k', key: 'p' } })],
  ])('a %s on an API without a cache', (kind, add) => {
    expectInvalid(() => build({}, (glance) => add(glance.apis[0])), 'apis.default.imageCache', `has no image cache for a ${kind} to work on`);
  });

  test.each([
    ['pruner', (api: GlanceApi) => new CachePruner(api, 'late', JOB)],
    ['cleaner', (api: GlanceApi) => new CacheCleaner(api, 'late', JOB)],
  ])('a second %s on an API whose cache made one', (kind, add) => {
    expectInvalid(() => build({ imageCache: { size: '1Gi' } }, (glance) => add(glance.apis[0])), 'apis.default.imageCache', `already has a ${kind}`);
    expectInvalid(() => build({}, (glance) => add(new ImageCache(glance.apis[0], 'cache', { size: '1Gi' }) && glance.apis[0])),
      'apis.default.imageCache', `already has a ${kind}`);
  });
});

describe('the same deployment, built in any order, gives the same manifests', () => {
  const props: Partial<GlanceProps> = { backend: NFS, apis: { a: { replicas: 2 }, b: {} } };
  const reference = build({ ...props, apis: { a: { replicas: 2, imageCache: { size: '3Gi' } }, b: { imageCache: { size: '4Gi' } } } });

  test.each([
    ['a then b', (g: Glance) => { new ImageCache(g.apis[0], 'c', { size: '3Gi' }); new ImageCache(g.apis[1], 'c', { size: '4Gi' }); }],
    ['b then a', (g: Glance) => { new ImageCache(g.apis[1], 'c', { size: '4Gi' }); new ImageCache(g.apis[0], 'c', { size: '3Gi' }); }],
  ])('caches added %s', (_order, add) => {
    const late = build(props, add);
    expect(late.map(objectKey).sort()).toEqual(reference.map(objectKey).sort());
    for (const key of ['StatefulSet/glance-a-single', 'Secret/glance-a-single-config', 'StatefulSet/glance-b-single',
      'Secret/glance-b-single-config']) {
      const [kind, name] = key.split('/');
      expect([key, find(late, kind, name)]).toEqual([key, find(reference, kind, name)]);
    }
    expectWellComposed(late);
  });
});

test('README\'s "Composing by hand" example gives a well-composed chart', () => {
  const manifests = build({ backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf-files' }), storage: { external: true } }, (glance) => {
    new GlanceApi(glance, 'edge', { apiName: 'edge', role: GlanceApiRole.EDGE, replicas: 2 });
    new ImageCache(glance.apis[0], 'image-cache', { size: '20Gi' });
  });
  expect(find(manifests, 'StatefulSet', 'glance-edge-edge').spec.replicas).toBe(2);
  expect(claimTemplates(manifests, 'glance-default-internal')).toEqual(['glance-cache']);
  expectWellComposed(manifests);
});
