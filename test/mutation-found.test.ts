/**
 * Properties the first mutation run showed untested (README, "Mutation testing"): each test here
 * pins one behaviour a surviving mutant changed without any test noticing.
 */
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CachePrecache, CachePruner, Glance, GlanceApiType, GlanceRelease, ImageBackend, ImageCacheDriver } from '../lib';
import { BASE_PROPS, expectInvalid, find, glanceConf, Manifest, ofKind, synthGlance } from './helpers';
import { policyAllowsRoles, validatePrecacheImages } from '../lib/cache/cache-precache';
import { parseIni } from '../lib/ini';
import { checkDerivedName, HTTP_URL, NameKind } from '../lib/names';

describe('GlanceRelease.of', () => {
  test('names in any case and with white space around; numbers of later releases, with their Glance major', () => {
    expect(GlanceRelease.of(' EPOXY ')).toBe(GlanceRelease.EPOXY);
    expect(GlanceRelease.of('2026.2').glanceMajor).toBe(33);
    expect(GlanceRelease.of('2027.1').glanceMajor).toBe(34);
    expect(GlanceRelease.of('2026.1').toString()).toBe('2026.1');
    expect(GlanceRelease.of('2026.1').codeName).toBe('2026.1');
  });

  test.each(['x2025.1', '2025.1x', '2021.2', '1999.1', '2025.3'])('%j is refused', (text) => {
    expectInvalid(() => GlanceRelease.of(text), 'release', /is not a supported OpenStack release.*Fix: use a release number from 2022\.1 on/);
  });

  test('a value that is not text is our error, not a TypeError', () => {
    expectInvalid(() => GlanceRelease.of(2025.1 as any), 'release', /is not a supported OpenStack release \(got 2025\.1\)/);
  });
});

describe('ini and name patterns are anchored', () => {
  test.each(['[DEFAULT] trailing\n', '[DEFAULT]\na b = c\n'])('%j is refused', (text) => {
    expectInvalid(() => parseIni('p', text), 'p', /is neither a \[section\]/);
  });

  test('Service names: DNS-1035, one letter is enough', () => {
    expect(() => checkDerivedName('p', 'a', NameKind.SERVICE, 'Service')).not.toThrow();
    expectInvalid(() => checkDerivedName('p', 'ab_', NameKind.SERVICE, 'Service'), 'p', /not a valid DNS label/);
    expectInvalid(() => checkDerivedName('p', 'ab-', NameKind.SERVICE, 'Service'), 'p', /not a valid DNS label/);
    expect(HTTP_URL.test('xhttp://ks:5000')).toBe(false);
  });
});

describe('the policy evaluator reads oslo.policy\'s grammar', () => {
  test.each([
    ['not role:reader', true],
    ['NOT role:admin', false],
    ['not not role:admin', true],
    ['(role:reader or role:admin) and role:service', true],
    ['( role:reader or role:member ) and role:service', false],
    ['role:reader or (role:admin)', true],
    ['role:reader OR role:ADMIN', true],
    ['role:admin AND role:service', true],
    ['@', true],
    ['!', false],
    ['role:admin and !', false],
    ['rule:admin_only', false],
    ['role:', false],
    ['', false],
    ['is_admin:True', false],
    ['(role:reader or role:admin) and role:member', false],
    ['(role:reader) or role:admin', true],
    ['role:admin and', false],
    ['  role:admin', true],
    ['role:reader  or  role:admin', true],
    ['project_role:admin', false],
    ['role', false],
    ['Role:Admin', true],
    ['(role:admin or role:reader) and role:member', false],
  ])('%j: %p for admin and service', (rule, allowed) => {
    expect(policyAllowsRoles(rule, ['Admin', 'service'])).toBe(allowed);
  });
});

describe('precache images', () => {
  test.each([
    [[], 'imageCache.precache.images', /is not a non-empty list of image IDs or names.*Fix: list the images to keep cached/],
    ['cirros', 'imageCache.precache.images', /is not a non-empty list/],
    [[' '], 'imageCache.precache.images[0]', /is not an image ID or name.*Fix: give an ID or a one-line name that does not start with "-"/],
    [['-rf'], 'imageCache.precache.images[0]', /is not an image ID or name/],
    [['ok', 'a\tb'], 'imageCache.precache.images[1]', /is not an image ID or name/],
    [['ok', 7], 'imageCache.precache.images[1]', /is not an image ID or name/],
  ])('%j is refused', (images, prop, message) => {
    expectInvalid(() => validatePrecacheImages('imageCache.precache', images), prop, message);
  });

  test('names with spaces and UUIDs are fine', () => {
    expect(validatePrecacheImages('p', ['Ubuntu 24.04', '3f2a1c9e-0000-4000-8000-000000000000'])).toEqual(['Ubuntu 24.04', '3f2a1c9e-0000-4000-8000-000000000000']);
  });
});

describe('image cache options', () => {
  test.each([
    [{ size: '1Gi', maxSizeRatio: '0.5' }, 'imageCache.maxSizeRatio', /is outside \(0, 1\]/],
    [{ size: '1Gi', storageClass: 'Fast SSD' }, 'imageCache.storageClass', /DNS-1123/],
    [{ size: '1Gi', driver: 'redis' }, 'imageCache.driver', /is not a cache driver.*Fix: use an ImageCacheDriver value/],
    [{ size: '1Gi', driver: ImageCacheDriver.CENTRALIZED_DB }, 'imageCache.driver', /is not available in Glance 2023\.1 \(antelope\).*Fix: use ImageCacheDriver\.SQLITE or XATTR/],
    [{ size: '1Gi', precache: {} }, 'imageCache.precache.images', /is not a non-empty list/],
    [{ size: '1Gi', policy: { cacheList: 'role:member' }, precache: { images: ['cirros'] } }, 'imageCache.policy.cacheList',
      /does not let the Glance service user \(roles admin and service in the service project\) list/],
  ])('%j', (imageCache, prop, message) => {
    expectInvalid(() => synthGlance({ imageCache: imageCache as any }), prop, message);
  });

  test('a ratio of 1 and the smallest size that leaves a byte are fine', () => {
    expect(glanceConf(synthGlance({ imageCache: { size: '1', maxSizeRatio: 1 } }), 'glance-default-single').DEFAULT.image_cache_max_size).toBe('1');
    expect(glanceConf(synthGlance({ imageCache: { size: '2', maxSizeRatio: 0.5 } }), 'glance-default-single').DEFAULT.image_cache_max_size).toBe('1');
  });

  test('an API inherits every unset field of the Glance-level cache, and overrides the set ones', () => {
    const m = synthGlance({
      backend: ImageBackend.rbd({ cephSecretName: 'c' }),
      imageCache: { size: '2Gi', maxSizeRatio: 0.5, prunerSchedule: '0 3 * * *' },
      apis: { a: { type: GlanceApiType.EDGE, imageCache: { size: '4Gi', prunerSchedule: undefined } }, b: { type: GlanceApiType.EDGE, imageCache: {} }, c: { type: GlanceApiType.EDGE } },
    });
    expect(['glance-a-edge', 'glance-b-edge', 'glance-c-edge'].map((s) => glanceConf(m, s).DEFAULT.image_cache_max_size))
      .toEqual([String(2 * 2 ** 30), String(2 ** 30), String(2 ** 30)]);
    expect(find(m, 'CronJob', 'glance-a-edge-0-pruner').spec.schedule).toBe('0 3 * * *');
    const none = synthGlance({ backend: ImageBackend.rbd({ cephSecretName: 'c' }), apis: { a: { type: GlanceApiType.EDGE, imageCache: { size: '1Gi' } }, b: { type: GlanceApiType.EDGE } } });
    expect(ofKind(none, 'CronJob').map((c) => c.metadata.name).sort()).toEqual(['glance-a-edge-0-cleaner', 'glance-a-edge-0-pruner', 'glance-db-purge']);
  });
});

test('a Glance-level imageCache without a size gives its fields to the APIs that size their own; dbPurge takes a day', () => {
  const m = synthGlance({
    backend: ImageBackend.rbd({ cephSecretName: 'c' }),
    imageCache: { prunerSchedule: '0 4 * * *' },
    apis: { a: { type: GlanceApiType.EDGE, imageCache: { size: '1Gi' } } },
    dbPurge: { ageInDays: 1 },
  });
  expect(find(m, 'CronJob', 'glance-a-edge-0-pruner').spec.schedule).toBe('0 4 * * *');
  expect(find(m, 'CronJob', 'glance-db-purge').spec.jobTemplate.spec.template.spec.containers[0].command).toEqual(expect.arrayContaining(['--age_in_days', '1']));
});

test('an API takes one image cache and one text per config file; without a namespace its replicas are named in the chart\'s', () => {
  const api = new Glance(new Chart(Testing.app(), 'c'), 'g', { ...BASE_PROPS, imageCache: { size: '1Gi' } }).apis[0];
  expect(() => api._addCache({} as any)).toThrow('glance-default-single already has an image cache');
  api._addConfigFile('extra.py', 'a');
  api._addConfigFile('extra.py', 'a');
  expect(() => api._addConfigFile('extra.py', 'b')).toThrow('glance-default-single-config already has a different file extra.py');
  expect(api.replicaHostname(0)).toBe('glance-default-single-0.glance-default-single');
});

describe('cache jobs built on their own', () => {
  const inAnApi = () => new Glance(new Chart(Testing.app(), 'c', { namespace: 'openstack' }), 'g', { ...BASE_PROPS, imageCache: { size: '1Gi' } }).apis[0];
  const job = { statefulSetName: 'glance-default-single', replicas: 1, image: 'glance', configSecretName: 'glance-default-single-config' };

  test('replicas must be a whole number of 0 or more; the error names the prop', () => {
    for (const replicas of [-1, 1.5, NaN]) {
      expectInvalid(() => new CachePruner(inAnApi(), 'extra', { ...job, replicas }), 'replicas', /is not a whole number of replicas.*Fix: use 0 or more/);
    }
  });

  test('names derived from statefulSetName are reported under the prop it came from', () => {
    const long = { ...job, statefulSetName: 'g'.repeat(45), statefulSetNameProp: 'apis.big' };
    expectInvalid(() => new CachePruner(inAnApi(), 'extra', long), 'apis.big', /gives the CronJob name "g{45}-0-pruner" of 54 characters.*Fix: shorten apis\.big by at least 2 characters/);
    expectInvalid(() => new CachePruner(inAnApi(), 'extra', { ...job, statefulSetName: 'Glance', statefulSetNameProp: 'apis.big' }), 'apis.big', /DNS-1123/);
    expectInvalid(() => new CachePruner(inAnApi(), 'extra', { ...long, statefulSetNameProp: undefined }), 'statefulSetName', /shorten statefulSetName/);
  });

  test('the state name and the schedule are checked under their own props', () => {
    expectInvalid(() => new CachePruner(inAnApi(), 'extra', { ...job, statefulSetName: 'Glance' }), 'statefulSetName', /DNS-1123/);
    expectInvalid(() => new CachePruner(inAnApi(), 'extra', { ...job, schedule: '61 * * * *' }), 'prunerSchedule', /outside 0-59/);
  });

  test('a precache Job\'s name is reported under statefulSetName unless told its prop', () => {
    const props = { ...job, statefulSetName: 'g'.repeat(40), images: ['cirros'], keystonePassword: { name: 'osp-secret', key: 'GlancePassword' } };
    expectInvalid(() => new CachePrecache(inAnApi(), 'extra', props), 'statefulSetName', /gives the Job name "g{40}-precache-[0-9a-f]{8}"/);
  });

  test('outside a GlanceApi, CachePrecache says so', () => {
    const props = { ...job, images: ['cirros'], keystonePassword: { name: 'osp-secret', key: 'GlancePassword' } };
    const err = expectInvalid(() => new CachePrecache(new Chart(new App(), 'c'), 'p', props), 'CachePrecache', /this job is in none/);
    expect(err.fix).toBe('create it inside a GlanceApi (its ImageCache does)');
  });

  test('outside a GlanceApi, a job that needs the cache script says so', () => {
    const chart = new Chart(new App(), 'c');
    const err = expectInvalid(() => new CachePruner(chart, 'p', job), 'CachePruner',
      /runs a script shipped in the config Secret of a GlanceApi, and this job is in none \(got true\)/);
    expect(err.fix).toBe('create it inside a GlanceApi (its ImageCache does)');
  });
});

describe('derived names too long for their kind, named by kind', () => {
  test('the StatefulSet, and the Service of the same name, which must start with a letter', () => {
    expectInvalid(() => synthGlance({ name: 'g'.repeat(46), apis: { a: { type: GlanceApiType.EDGE } } }), 'apis.a',
      /gives the StatefulSet name "g{46}-a-edge" of 53 characters, over the limit of 52/);
    expectInvalid(() => synthGlance({ name: '1glance' }), 'apis.default', 'gives the Service name "1glance-default-single", which is not a valid DNS label');
  });

  test('the db-sync Job: the longest name the db-purge CronJob allows gives a Job name within 63', () => {
    const m = synthGlance({ name: 'g'.repeat(43), apis: { a: { type: GlanceApiType.EDGE } } });
    expect(find(m, 'Job', `${'g'.repeat(43)}-db-sync-<hash>`).metadata.name).toMatch(/^g{43}-db-sync-[0-9a-f]{8}$/);
  });

  test('the db-purge CronJob', () => {
    expectInvalid(() => synthGlance({ name: 'g'.repeat(44), apis: { a: { type: GlanceApiType.EDGE } } }), 'name',
      /gives the CronJob name "g{44}-db-purge" of 53 characters, over the limit of 52/);
  });

  test('a precache Job, named under the API the user wrote', () => {
    // <33 g>-a-edge is 40 characters: its CronJobs "-0-precache" fit in 52, its first-run Job "-precache-<8 hex>" (58) does not.
    const err = expectInvalid(() => synthGlance({
      name: 'g'.repeat(33),
      backend: ImageBackend.rbd({ cephSecretName: 'c' }),
      apis: { a: { type: GlanceApiType.EDGE } },
      imageCache: { size: '1Gi', precache: { images: ['c'] } },
    }), 'apis.a', /gives the Job name "g{33}-a-edge-precache-[0-9a-f]{8}" of 58 characters/);
    expect(err.fix).toBe('shorten apis.a by at least 6 characters');
  });
});

describe('namespaces and names across Glances', () => {
  test('a CR\'s namespace must be the chart\'s, when both are set', () => {
    const cr = { kind: 'Glance', metadata: { namespace: 'cloud' }, spec: { glanceAPIs: { default: { type: 'single' } } } };
    const options = { database: BASE_PROPS.database, keystoneAuthUrl: 'http://ks:5000' };
    expectInvalid(() => Glance.fromCustomResource(new Chart(Testing.app(), 'c', { namespace: 'openstack' }), 'g', cr, options), 'metadata.namespace',
      /differs from the namespace of the chart it is synthesized in \("openstack"\)/);
    expect(() => Glance.fromCustomResource(new Chart(Testing.app(), 'c', { namespace: 'cloud' }), 'g', cr, options)).not.toThrow();
    expect(() => Glance.fromCustomResource(new Chart(Testing.app(), 'c'), 'g', cr, options)).not.toThrow();
  });

  test('an API type from JavaScript that is no layout', () => {
    expectInvalid(() => synthGlance({ apis: { a: { type: 'double' as GlanceApiType } } }), 'apis.a.type', /is not an API layout.*Fix: use a GlanceApiType value/);
  });

  test('two Glances in one chart that make the same objects are refused, naming both', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'openstack' });
    new Glance(chart, 'one', { ...BASE_PROPS, imageCache: { size: '1Gi' } });
    expect(() => new Glance(chart, 'two', { ...BASE_PROPS, imageCache: { size: '1Gi' } })).toThrow(
      /^name: makes the CronJob "glance-default-single-0-pruner", which the Glance at c\/one in the same chart also makes \(got "glance"\)\. Fix: give each Glance in a chart its own name \(the prefix of every object it creates\)$/);
  });
});

test('endpoint Services keep their own type and the rest of the props', () => {
  const m: Manifest[] = synthGlance({ backend: ImageBackend.rbd({ cephSecretName: 'c' }), apis: { default: { publicServiceType: kplus.ServiceType.NODE_PORT } } });
  // SPLIT: the internal endpoint is the internal API's, the public one the external API's, of publicServiceType.
  expect(find(m, 'Service', 'glance-default-public').spec.type).toBe('NodePort');
  expect(find(m, 'Service', 'glance-default').spec.type).toBe('ClusterIP');
});

describe('endpoint Service annotations and labels, and extra networks', () => {
  const withService = (internalService: object) => () => synthGlance({ apis: { default: { endpointServices: { internalService } } } });
  const prop = 'apis.default.endpointServices.internalService';

  test.each([
    ['annotations', { 'bad key': 'v' }, 'annotations.bad key', /is not a valid annotation/],
    ['annotations', { '-x': 'v' }, 'annotations.-x', /is not a valid annotation/],
    ['annotations', { 'Example.com/x': 'v' }, 'annotations.Example.com/x', /is not a valid annotation/],
    ['annotations', { 'x.': 'v' }, 'annotations.x.', /is not a valid annotation/],
    ['annotations', { [`${'a'.repeat(64)}`]: 'v' }, `annotations.${'a'.repeat(64)}`, /is not a valid annotation/],
    ['annotations', { ok: 5 }, 'annotations.ok', /is not a valid annotation \(got 5\).*Fix: use a qualified key \("\[prefix\/\]name"\) and a string value/],
    ['labels', { tier: 'a b' }, 'labels.tier', /is not a valid label \(got "a b"\)/],
    ['labels', { tier: '-a' }, 'labels.tier', /is not a valid label/],
    ['labels', { tier: 'a-' }, 'labels.tier', /is not a valid label/],
    ['labels', { tier: 'a'.repeat(64) }, 'labels.tier', /is not a valid label/],
  ])('%s %j is refused', (_field, map, path, message) => {
    const field = path.split('.')[0];
    expectInvalid(withService({ [field]: map }), `${prop}.${path}`, message);
  });

  test('what Kubernetes takes is kept: prefixed keys, an empty label value, long annotation values', () => {
    const m = withService({
      annotations: { 'metallb.universe.tf/address-pool': 'internal api, with spaces', 'a': '' },
      labels: { 'example.com/tier': '', 'x': 'a'.repeat(63), 'y': 'A_b.c-1' },
    })();
    const svc = find(m, 'Service', 'glance-default');
    expect(svc.metadata.annotations).toEqual({ 'metallb.universe.tf/address-pool': 'internal api, with spaces', 'a': '' });
    expect(svc.metadata.labels).toMatchObject({ 'example.com/tier': '', 'x': 'a'.repeat(63), 'y': 'A_b.c-1' });
  });

  test('an endpointServices entry of null is no override', () => {
    const m = synthGlance({ apis: { default: { endpointServices: { internalService: null as any } } } });
    expect(find(m, 'Service', 'glance-default').metadata.annotations).toBeUndefined();
  });

  test.each([
    [['Storage'], 'apis.default.networkAttachments[0]'],
    [['ok', 'ns/'], 'apis.default.networkAttachments[1]'],
    [['/storage'], 'apis.default.networkAttachments[0]'],
    [['ns_1/storage'], 'apis.default.networkAttachments[0]'],
    [['storage-'], 'apis.default.networkAttachments[0]'],
    [[`${'a'.repeat(254)}`], 'apis.default.networkAttachments[0]'],
    [[7], 'apis.default.networkAttachments[0]'],
  ])('networkAttachments %j is refused', (networks, path) => {
    expectInvalid(() => synthGlance({ apis: { default: { networkAttachments: networks as string[] } } }), path,
      /is not a NetworkAttachmentDefinition name.*Fix: give "<name>" or "<namespace>\/<name>" in DNS-1123 form/);
  });

  test('networkAttachments that is no list, an empty list, and the longest name', () => {
    expectInvalid(() => synthGlance({ apis: { default: { networkAttachments: 'storage' as any } } }), 'apis.default.networkAttachments',
      /is not a list of network names.*Fix: give e\.g\. \["storage"\]/);
    const annotations = (networks: string[]) => find(synthGlance({ apis: { default: { networkAttachments: networks } } }), 'StatefulSet', 'glance-default-single')
      .spec.template.metadata.annotations;
    expect(annotations([])['k8s.v1.cni.cncf.io/networks']).toBeUndefined();
    const longest = `${'a'.repeat(63)}/${'b'.repeat(189)}`;
    expect(annotations([longest, 'c.d'])['k8s.v1.cni.cncf.io/networks']).toBe(`${longest},c.d`);
  });

  test('workers: one is the least; a CPU limit is set only when given', () => {
    const m = synthGlance({ apis: { default: { workers: 1, resources: { cpuLimit: '2' } } } });
    expect(glanceConf(m, 'glance-default-single').DEFAULT.workers).toBe('1');
    expect(find(m, 'StatefulSet', 'glance-default-single').spec.template.spec.containers[0].resources.limits).toEqual({ 'cpu': '2', 'memory': '2Gi', 'ephemeral-storage': '1536Mi' });
    expectInvalid(() => synthGlance({ apis: { default: { workers: 1.5 } } }), 'apis.default.workers', /is not a positive whole number.*Fix: use 1 or more worker processes/);
  });

  test('each API\'s own customServiceConfig is its own file; without one there is none', () => {
    const m = synthGlance({
      backend: ImageBackend.file({ sharedStore: { storageClass: 'nfs' } }),
      customServiceConfig: '[DEFAULT]\ndebug = true\n',
      apis: { a: { customServiceConfig: '[DEFAULT]\nworkers_x = 1\n' }, b: {} },
    });
    expect(Object.keys(find(m, 'Secret', 'glance-a-single-config').stringData).sort()).toEqual(['00-glance.conf', '50-custom.conf', '60-a-custom.conf', 'glance-api.conf', 'policy.yaml']);
    expect(Object.keys(find(m, 'Secret', 'glance-b-single-config').stringData).sort()).toEqual(['00-glance.conf', '50-custom.conf', 'glance-api.conf', 'policy.yaml']);
    expect(Object.keys(find(synthGlance({}), 'Secret', 'glance-default-single-config').stringData).sort()).toEqual(['00-glance.conf', 'glance-api.conf', 'policy.yaml']);
    expect(Object.keys(find(synthGlance({}), 'Secret', 'glance-db-config').stringData).sort()).toEqual(['00-glance.conf', 'glance-api.conf']);
  });
});
