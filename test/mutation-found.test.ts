/**
 * Properties the first mutation run showed untested (README, "Mutation testing"): each test here
 * pins one behaviour a surviving mutant changed without any test noticing.
 */
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CachePruner, Glance, GlanceApiType, GlanceRelease, ImageBackend, ImageCacheDriver } from '../lib';
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

describe('cache jobs built on their own', () => {
  const inAnApi = () => new Glance(new Chart(Testing.app(), 'c', { namespace: 'openstack' }), 'g', { ...BASE_PROPS, imageCache: { size: '1Gi' } }).apis[0];
  const job = { statefulSetName: 'glance-default-single', replicas: 1, image: 'glance', configSecretName: 'glance-default-single-config' };

  test('replicas must be a whole number of 0 or more; the error names the prop', () => {
    for (const replicas of [-1, 1.5, NaN]) {
      expectInvalid(() => new CachePruner(inAnApi(), 'extra', { ...job, replicas }), 'replicas', /is not a whole number of replicas.*Fix: use 0 or more/);
    }
  });

  test('the state name and the schedule are checked under their own props', () => {
    expectInvalid(() => new CachePruner(inAnApi(), 'extra', { ...job, statefulSetName: 'Glance' }), 'statefulSetName', /DNS-1123/);
    expectInvalid(() => new CachePruner(inAnApi(), 'extra', { ...job, schedule: '61 * * * *' }), 'prunerSchedule', /outside 0-59/);
  });

  test('outside a GlanceApi, a job that needs the cache script says so', () => {
    const chart = new Chart(new App(), 'c');
    const err = expectInvalid(() => new CachePruner(chart, 'p', job), 'CachePruner',
      /runs a script shipped in the config Secret of a GlanceApi, and this job is in none \(got true\)/);
    expect(err.fix).toBe('create it inside a GlanceApi (its ImageCache does)');
  });
});

describe('derived names too long for their kind, named by kind', () => {
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
