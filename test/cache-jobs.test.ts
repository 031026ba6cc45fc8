/**
 * The cache constructs composed by hand (CachePruner, CacheCleaner, CachePrecache, ImageCache),
 * inside a GlanceApi or outside one: what each checks under its own props, where it ships its
 * script, and what it refuses to build.
 */
import { App, Chart, Testing } from 'cdk8s';
import { CacheCleaner, CachePrecache, CachePruner, Glance, ImageCache } from '../lib';
import { BASE_PROPS, cron, expectInvalid, find, glanceCommandOf, Manifest } from './helpers';

const STS = 'glance-default-single';
const inAnApi = () => new Glance(new Chart(Testing.app(), 'c', { namespace: 'openstack' }), 'g',
  { ...BASE_PROPS, imageCache: { size: '1Gi' } }).apis[0];
const job = { statefulSetName: STS, replicas: 1, image: 'glance', configSecretName: `${STS}-config` };
const keystonePassword = { name: 'osp-secret', key: 'GlancePassword' };

describe('a CacheCleaner built on its own, outside any API, checks its props', () => {
  const alone = (props: object) => new CacheCleaner(new Chart(new App(), 'c'), 'cleaner', { ...job, removeOrphans: false, ...props });

  test.each([-1, 1.5, NaN])('replicas %p is refused under replicas', (replicas) => {
    expectInvalid(() => alone({ replicas }), 'replicas', /is not a whole number of replicas.*Fix: use 0 or more/);
  });

  test('names derived from statefulSetName are reported under statefulSetName', () => {
    expectInvalid(() => alone({ statefulSetName: 'g'.repeat(45) }), 'statefulSetName',
      /gives the CronJob name "g{45}-0-cleaner" of 55 characters.*Fix: shorten statefulSetName by at least 3 characters/);
  });

  test('the StatefulSet name is checked under statefulSetName', () => {
    expectInvalid(() => alone({ statefulSetName: 'Glance' }), 'statefulSetName', /DNS-1123/);
  });

  test('its schedule is checked under cleanerSchedule', () => {
    expectInvalid(() => alone({ schedule: cron('61 * * * *') }), 'cleanerSchedule', /outside 0-59/);
  });
});

describe('inside a GlanceApi, the names derived from the StatefulSet are the API\'s to shorten', () => {
  test('a cache CronJob\'s name too long is reported under the API', () => {
    const apiName = 'a'.repeat(30);
    expectInvalid(() => new Glance(new Chart(Testing.app(), 'c'), 'g', {
      ...BASE_PROPS, apis: { [apiName]: { imageCache: { size: '1Gi', precache: { images: ['cirros'] } } } },
    }), `apis.${apiName}`, /gives the CronJob name "glance-a{30}-single-0-pruner" of 53 characters.*Fix: shorten apis\.a{30} by at least 1/);
  });
});

describe('inside a GlanceApi', () => {
  test('a second ImageCache in an API that has one is refused', () => {
    expectInvalid(() => new ImageCache(inAnApi(), 'second', { size: '1Gi' }), 'apis.default.imageCache', /is added to an API that has one/);
  });

  test('the pruner and cleaner of one cache ship one copy of the script', () => {
    const api = inAnApi();
    const manifests = Testing.synth(Chart.of(api)) as Manifest[];
    const secret = find(manifests, 'Secret', `${STS}-config`);
    expect(secret.stringData['glance-cache-jobs.py']).toContain('def precache(urls, wanted, wait, warm_seconds)');
    for (const kind of ['pruner', 'cleaner']) {
      const command = find(manifests, 'CronJob', `${STS}-0-${kind}`).spec.jobTemplate.spec.template.spec.containers[0].command;
      expect(command).toContain('/etc/glance/glance.conf.d/glance-cache-jobs.py');
    }
  });

  test('an ImageCache added to an API needs a size, named under the API', () => {
    const glance = new Glance(new Chart(new App(), 'c'), 'glance', BASE_PROPS);
    expectInvalid(() => new ImageCache(glance.apis[0], 'cache', {}), 'apis.default.imageCache.size', /is required/);
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
