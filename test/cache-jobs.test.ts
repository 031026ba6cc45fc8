/**
 * The cache constructs composed by hand (CachePruner, CacheCleaner, CachePrecache, ImageCache),
 * inside a GlanceApi or outside one: what each checks under its own props, where it ships its
 * script, and what it refuses to build.
 */
import { App, Chart, Testing } from 'cdk8s';
import { CacheCleaner, CachePrecache, CachePruner, Glance, GlanceApi, ImageCache } from '../lib';
import { BASE_PROPS, expectInvalid, find, glanceCommandOf, Manifest } from './helpers';

const STS = 'glance-default-single';
const inAnApi = () => new Glance(new Chart(Testing.app(), 'c', { namespace: 'openstack' }), 'g',
  { ...BASE_PROPS, imageCache: { size: '1Gi' } }).apis[0];
const job = { statefulSetName: STS, replicas: 1, image: 'glance', configSecretName: `${STS}-config` };
const keystonePassword = { name: 'osp-secret', key: 'GlancePassword' };

describe('cache jobs built on their own', () => {
  test.each([-1, 1.5, NaN])('replicas %p is refused under replicas', (replicas) => {
    expectInvalid(() => new CachePruner(inAnApi(), 'extra', { ...job, replicas }), 'replicas',
      /is not a whole number of replicas.*Fix: use 0 or more/);
  });

  test('names derived from statefulSetName are reported under the prop it came from', () => {
    const long = { ...job, statefulSetName: 'g'.repeat(45), statefulSetNameProp: 'apis.big' };
    expectInvalid(() => new CachePruner(inAnApi(), 'extra', long), 'apis.big',
      /gives the CronJob name "g{45}-0-pruner" of 54 characters.*Fix: shorten apis\.big by at least 2 characters/);
    expectInvalid(() => new CachePruner(inAnApi(), 'extra', { ...job, statefulSetName: 'Glance', statefulSetNameProp: 'apis.big' }), 'apis.big',
      /DNS-1123/);
    expectInvalid(() => new CachePruner(inAnApi(), 'extra', { ...long, statefulSetNameProp: undefined }), 'statefulSetName',
      /shorten statefulSetName/);
  });

  test('the StatefulSet name is checked under statefulSetName', () => {
    expectInvalid(() => new CachePruner(inAnApi(), 'extra', { ...job, statefulSetName: 'Glance' }), 'statefulSetName', /DNS-1123/);
  });

  test('a pruner\'s schedule is checked under prunerSchedule', () => {
    expectInvalid(() => new CachePruner(inAnApi(), 'extra', { ...job, schedule: '61 * * * *' }), 'prunerSchedule', /outside 0-59/);
  });

  test('a precache Job\'s name is reported under statefulSetName unless told its prop', () => {
    const props = { ...job, statefulSetName: 'g'.repeat(40), images: ['cirros'], keystonePassword };
    expectInvalid(() => new CachePrecache(inAnApi(), 'extra', props), 'statefulSetName', /gives the Job name "g{40}-precache-[0-9a-f]{8}"/);
  });
});

describe('inside a GlanceApi', () => {
  test('a second ImageCache in an API that has one is refused', () => {
    const api = inAnApi();
    expect(() => new ImageCache(api, 'second', { size: '1Gi' })).toThrow(/glance-default-single already has an image cache/);
  });

  test('cache jobs added to an API share its cache\'s script: the same file twice is no conflict', () => {
    const api = inAnApi();
    expect(() => {
      new CachePruner(api, 'extra-pruner', { ...job, schedule: '0 5 * * *' });
      new CacheCleaner(api, 'extra-cleaner', { ...job, schedule: '0 6 * * *' });
    }).not.toThrow();
    const secret = find(Testing.synth(Chart.of(api)) as Manifest[], 'Secret', `${STS}-config`);
    expect(secret.stringData['glance-cache-jobs.py']).toContain('def precache(urls, wanted, wait)');
  });

  test('an ImageCache added to an API needs a size, named under the API', () => {
    const api = new GlanceApi(new Chart(new App(), 'c'), 'api', { apiName: 'default', common: BASE_PROPS });
    expectInvalid(() => new ImageCache(api, 'cache', {}), 'apis.default.imageCache.size', /is required/);
  });
});

describe('outside a GlanceApi', () => {
  const chart = () => new Chart(new App(), 'c');

  test('CachePrecache says it needs one', () => {
    const props = { ...job, images: ['cirros'], keystonePassword };
    const err = expectInvalid(() => new CachePrecache(chart(), 'p', props), 'CachePrecache', /this job is in none/);
    expect(err.fix).toBe('create it inside a GlanceApi (its ImageCache does)');
  });

  test('a CachePruner, which needs the cache script, says it needs one', () => {
    const err = expectInvalid(() => new CachePruner(chart(), 'p', job), 'CachePruner',
      /runs a script shipped in the config Secret of a GlanceApi, and this job is in none \(got true\)/);
    expect(err.fix).toBe('create it inside a GlanceApi (its ImageCache does)');
  });

  test('a CacheCleaner that removes orphans needs the cache script: refused under removeOrphans', () => {
    expectInvalid(() => new CacheCleaner(chart(), 'cleaner', job), 'removeOrphans', /config Secret of a GlanceApi/);
  });

  test('a CacheCleaner that keeps orphans runs glance-cache-cleaner, which needs no script', () => {
    const scope = chart();
    const plain = new CacheCleaner(scope, 'plain', { ...job, statefulSetName: 'glance-x-single', removeOrphans: false });
    expect(plain.cronJobs.map((j) => j.name)).toEqual(['glance-x-single-0-cleaner']);
    expect(scope.toJson().find((o: any) => o.kind === 'CronJob').spec.jobTemplate.spec.template.spec.containers[0].command)
      .toEqual(glanceCommandOf(['glance-cache-cleaner']));
  });
});
