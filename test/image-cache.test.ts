import { readFileSync } from 'fs';
import { join } from 'path';
import { Cron, Duration } from 'cdk8s';
import { GlanceApiType, GlanceRelease, ImageBackend, ImageCacheDriver } from '../lib';
import { cron, find, glanceCommandOf, glanceConf, Manifest, ofKind, synthGlance } from './helpers';
import { resolvePodEnv } from './kubelet-env';
import { numberToFraction } from '../lib/quantity';

const STS = 'glance-default-single';
const shared = () => ImageBackend.file({ sharedStore: { storageClass: 'nfs-client' } });

describe('image_cache_max_size', () => {
  // Expected values computed by hand: bytes of the quantity × ratio, rounded down.
  test.each([
    ['10Gi', 0.85, '9126805504'], // 10 × 2^30 × 0.85
    ['500G', 0.85, '425000000000'], // 500 × 10^9 × 0.85
    ['1.5Gi', 0.85, '1369020825'], // 1610612736 × 0.85 = 1369020825.6
    ['100Mi', 0.85, '89128960'], // 104857600 × 0.85
    ['10Gi', 1, '10737418240'],
    ['100Mi', 0.5, '52428800'],
    ['2Mi', 0.75, '1572864'],
    ['1e9', 0.9, '900000000'],
  ])('%s with ratio %s is %s bytes', (size, ratio, bytes) => {
    const m = synthGlance({ imageCache: { size, maxSizeRatio: ratio } });
    expect(glanceConf(m, STS).DEFAULT.image_cache_max_size).toBe(bytes);
  });

  test('defaults to 0.85 of the volume, leaving headroom below the claim', () => {
    const m = synthGlance({ imageCache: { size: '10Gi' } });
    expect(glanceConf(m, STS).DEFAULT.image_cache_max_size).toBe('9126805504');
  });
});

describe('cache volume and config', () => {
  let m: Manifest[];
  let sts: Manifest;
  let conf: Record<string, Record<string, string>>;
  beforeEach(() => {
    m = synthGlance({ imageCache: { size: '10Gi', storageClass: 'fast-ssd' } });
    sts = find(m, 'StatefulSet', STS);
    conf = glanceConf(m, STS);
  });

  test('the claim template requests exactly the cache size, ReadWriteOnce', () => {
    const template = sts.spec.volumeClaimTemplates.find((t: any) => t.metadata.name === 'glance-cache');
    expect(template.spec.resources.requests.storage).toBe('10Gi');
    expect(template.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(template.spec.storageClassName).toBe('fast-ssd');
  });

  test('the cache volume is mounted at image_cache_dir', () => {
    const mounts = sts.spec.template.spec.containers[0].volumeMounts;
    const cacheMount = mounts.find((v: any) => v.name === 'glance-cache');
    expect(conf.DEFAULT.image_cache_dir).toBe('/var/lib/glance/image-cache');
    expect(cacheMount.mountPath).toBe(conf.DEFAULT.image_cache_dir);
  });

  test('stall time defaults to 86400 seconds', () => {
    expect(conf.DEFAULT.image_cache_stall_time).toBe('86400');
  });

  test('the caching paste flavor and the cache API policy are set', () => {
    expect(conf.paste_deploy.flavor).toBe('keystone+caching');
    const policy = find(m, 'Secret', `${STS}-config`).stringData['policy.yaml'];
    expect(policy).toContain('"cache_list": "role:admin"');
    expect(policy).toContain('"cache_image": "role:admin"');
    expect(policy).toContain('"cache_delete": "role:admin"');
  });
});

test('stall time, driver and policy come from props', () => {
  const m = synthGlance({
    imageCache: {
      size: '1Gi',
      stallTime: Duration.hours(2),
      driver: ImageCacheDriver.XATTR,
      policy: { cacheList: 'role:admin or role:reader', cacheDelete: 'role:service' },
    },
  });
  const conf = glanceConf(m, STS);
  expect(conf.DEFAULT.image_cache_stall_time).toBe('7200');
  expect(conf.DEFAULT.image_cache_driver).toBe('xattr');
  const policy = find(m, 'Secret', `${STS}-config`).stringData['policy.yaml'];
  expect(policy).toContain('"cache_list": "role:admin or role:reader"');
  expect(policy).toContain('"cache_delete": "role:service"');
  expect(policy).toContain('"cache_image": "role:admin"');
});

test.each([
  [GlanceRelease.ZED, 'sqlite'],
  [GlanceRelease.ANTELOPE, 'sqlite'],
  [GlanceRelease.CARACAL, 'centralized_db'],
  [GlanceRelease.FLAMINGO, 'centralized_db'],
])('release %s defaults the driver to %s', (release, driver) => {
  const m = synthGlance({ release, imageCache: { size: '1Gi' } });
  expect(glanceConf(m, STS).DEFAULT.image_cache_driver).toBe(driver);
});

describe('partial files of a replica that died mid-download', () => {
  test('an init container deletes the files in incomplete/ of its own cache volume, and nothing else, before glance-api starts', () => {
    const m = synthGlance({ backend: shared(), imageCache: { size: '10Gi' }, apis: { default: { replicas: 2 } } });
    const pod = find(m, 'StatefulSet', STS).spec.template.spec;
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['cache-incomplete-cleanup']);
    const [init] = pod.initContainers;
    expect(init.command).toEqual(['find', '/var/lib/glance/image-cache', '-path', '/var/lib/glance/image-cache/incomplete/*', '-type', 'f',
      '-delete', '-print']);
    expect(init.volumeMounts).toEqual([{ name: 'glance-cache', mountPath: '/var/lib/glance/image-cache' }]);
    expect(pod.volumes.map((v: any) => v.name)).not.toContain('glance-cache'); // the claim template's volume
    expect([init.image, init.imagePullPolicy]).toEqual([pod.containers[0].image, pod.containers[0].imagePullPolicy]);
    expect(init.resources.limits).toEqual({ cpu: '100m', memory: '64Mi' });
  });

  test('without a cache there is no init container', () => {
    expect(find(synthGlance({}), 'StatefulSet', STS).spec.template.spec.initContainers).toBeUndefined();
  });
});

const DB_ENV = { OS_DATABASE__CONNECTION: '<secret glance-db/connection>' };
const jobContainer = (m: ReturnType<typeof synthGlance>, job: string) => find(m, 'CronJob', job).spec.jobTemplate.spec.template.spec.containers[0];
const jobEnv = (m: ReturnType<typeof synthGlance>, job: string) =>
  resolvePodEnv(jobContainer(m, job), { name: `${job}-28061234-abcde`, namespace: 'openstack' });
const selfUrl = (replica: number) => `http://${STS}-${replica}.${STS}.openstack.svc:9292`;

test('only centralized_db pruners get the database URL, from its Secret', () => {
  expect(jobEnv(synthGlance({ release: GlanceRelease.CARACAL, imageCache: { size: '1Gi' } }), `${STS}-0-pruner`))
    .toEqual({ POD_NAMESPACE: 'openstack', OS_DEFAULT__WORKER_SELF_REFERENCE_URL: selfUrl(0), ...DB_ENV });
  expect(jobEnv(synthGlance({ release: GlanceRelease.ANTELOPE, imageCache: { size: '1Gi' } }), `${STS}-0-pruner`))
    .toEqual({ POD_NAMESPACE: 'openstack', OS_DEFAULT__WORKER_SELF_REFERENCE_URL: selfUrl(0) });
});

test.each([GlanceRelease.ZED, GlanceRelease.EPOXY])('%s: every replica\'s cache jobs resolve the worker_self_reference_url its API resolves',
  (release) => {
  // centralized_db keys a replica's cache records by this URL: a job with another string sees none of them.
    const m = synthGlance({ release, backend: shared(), imageCache: { size: '1Gi' }, apis: { default: { replicas: 3 } } });
    const api = find(m, 'StatefulSet', STS).spec.template.spec.containers[0];
    for (const replica of [0, 1, 2]) {
      const apiUrl = resolvePodEnv(api, { name: `${STS}-${replica}`, namespace: 'openstack' }).OS_DEFAULT__WORKER_SELF_REFERENCE_URL;
      expect(apiUrl).toBe(selfUrl(replica));
      for (const kind of ['pruner', 'cleaner']) {
        expect(jobEnv(m, `${STS}-${replica}-${kind}`).OS_DEFAULT__WORKER_SELF_REFERENCE_URL).toBe(apiUrl);
      }
    }
  });

describe('orphan removal (images deleted through another replica)', () => {
  test('by default the cleaner gets the database and the Secret carries the script', () => {
    const m = synthGlance({ imageCache: { size: '1Gi' } });
    expect(jobEnv(m, `${STS}-0-cleaner`)).toMatchObject(DB_ENV);
    expect(jobContainer(m, `${STS}-0-cleaner`).command).toEqual(
      glanceCommandOf(['python3', '/etc/glance/glance.conf.d/glance-cache-jobs.py'], 'clean'));
    const script = find(m, 'Secret', `${STS}-config`).stringData['glance-cache-jobs.py'];
    expect(script).toBe(readFileSync(join(__dirname, '..', 'lib', 'cache', 'glance-cache-jobs.py'), 'utf8'));
    expect(script).toContain('def remove_orphans(cache, db_api)');
  });

  test('removeOrphans: false keeps orphans and needs no database access (sqlite)', () => {
    const m = synthGlance({ imageCache: { size: '1Gi', removeOrphans: false } });
    const cleaner = jobContainer(m, `${STS}-0-cleaner`);
    expect(cleaner.command).toEqual(
      glanceCommandOf(['python3', '/etc/glance/glance.conf.d/glance-cache-jobs.py'], 'clean', '--keep-orphans'));
    expect(jobEnv(m, `${STS}-0-cleaner`).OS_DATABASE__CONNECTION).toBeUndefined();
  });
});

test('no cache size means no cache: no volume, options, flavor or jobs', () => {
  const m = synthGlance({});
  const conf = glanceConf(m, STS);
  expect(conf.DEFAULT.image_cache_dir).toBeUndefined();
  expect(conf.paste_deploy.flavor).toBe('keystone');
  expect(find(m, 'StatefulSet', STS).spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['glance']);
  expect(ofKind(m, 'CronJob').map((c) => c.metadata.name)).toEqual(['glance-db-purge']);
});

describe('pruner and cleaner', () => {
  let m: Manifest[];
  let sts: Manifest;
  beforeEach(() => {
    m = synthGlance({ backend: shared(), imageCache: { size: '10Gi' }, apis: { default: { replicas: 3 } } });
    sts = find(m, 'StatefulSet', STS);
  });

  test('two CronJobs per replica, named after the replica', () => {
    const names = ofKind(m, 'CronJob').map((c) => c.metadata.name).filter((n) => n !== 'glance-db-purge').sort();
    expect(names).toEqual([0, 1, 2].flatMap((n) => [`${STS}-${n}-cleaner`, `${STS}-${n}-pruner`]).sort());
  });

  test.each([0, 1, 2].flatMap((n) => [['pruner', n], ['cleaner', n]] as Array<[string, number]>))(
    '%s of replica %s runs next to the replica and mounts its cache claim', (kind, replica) => {
      const job = find(m, 'CronJob', `${STS}-${replica}-${kind}`);
      const pod = job.spec.jobTemplate.spec.template.spec;
      expect(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([{
        labelSelector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': `${STS}-${replica}` } },
        topologyKey: 'kubernetes.io/hostname',
      }]);
      const claims = pod.volumes.filter((v: any) => v.persistentVolumeClaim).map((v: any) => v.persistentVolumeClaim.claimName);
      expect(claims).toEqual([`glance-cache-${STS}-${replica}`]);
      const cacheVolume = pod.volumes.find((v: any) => v.persistentVolumeClaim).name;
      const mount = pod.containers[0].volumeMounts.find((v: any) => v.name === cacheVolume);
      expect(mount.mountPath).toBe('/var/lib/glance/image-cache');
    });

  test('the claim the job mounts is the one the StatefulSet template gives that replica', () => {
    // A StatefulSet names replica N's claim "<template>-<sts>-<N>".
    const template = sts.spec.volumeClaimTemplates.find((t: any) => t.metadata.name === 'glance-cache').metadata.name;
    const job = find(m, 'CronJob', `${STS}-2-cleaner`).spec.jobTemplate.spec.template.spec;
    expect(job.volumes.find((v: any) => v.persistentVolumeClaim).persistentVolumeClaim.claimName).toBe(`${template}-${STS}-2`);
  });

  test('commands, schedules and job policies', () => {
    const pruner = find(m, 'CronJob', `${STS}-0-pruner`);
    const cleaner = find(m, 'CronJob', `${STS}-0-cleaner`);
    expect(pruner.spec.jobTemplate.spec.template.spec.containers[0].command).toEqual(
      glanceCommandOf(['python3', '/etc/glance/glance.conf.d/glance-cache-jobs.py'], 'prune'));
    expect(cleaner.spec.jobTemplate.spec.template.spec.containers[0].command).toEqual(
      glanceCommandOf(['python3', '/etc/glance/glance.conf.d/glance-cache-jobs.py'], 'clean'));
    expect(pruner.spec.schedule).toBe('1 0 * * *');
    expect(cleaner.spec.schedule).toBe('*/30 * * * *');
    // A stuck run ends well before the next is due: half the period, at most two hours.
    expect(pruner.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(7200);
    expect(cleaner.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(900);
    for (const job of [pruner, cleaner]) {
      expect(job.spec.concurrencyPolicy).toBe('Forbid');
      expect(job.spec.startingDeadlineSeconds).toBe(600);
      expect(job.spec.successfulJobsHistoryLimit).toBe(3);
      expect(job.spec.failedJobsHistoryLimit).toBe(3);
      expect(job.spec.jobTemplate.spec.template.spec.restartPolicy).toBe('Never');
      expect(job.spec.jobTemplate.spec.template.spec.automountServiceAccountToken).toBe(false);
    }
  });

  test('the jobs mount the very Secret the API mounts, so they read the same cache config', () => {
    const apiSecret = sts.spec.template.spec.volumes.find((v: any) => v.name === 'config').secret;
    for (const kind of ['pruner', 'cleaner']) {
      const pod = find(m, 'CronJob', `${STS}-1-${kind}`).spec.jobTemplate.spec.template.spec;
      const secretVolume = pod.volumes.find((v: any) => v.secret);
      expect(secretVolume.secret).toEqual(apiSecret);
      const mount = pod.containers[0].volumeMounts.find((v: any) => v.name === secretVolume.name);
      expect(mount).toEqual({ name: secretVolume.name, mountPath: '/etc/glance/glance.conf.d', readOnly: true });
    }
  });
});

test.each([
  ['*/10 * * * *', 300], ['* * * * *', 30], ['@hourly', 1800], ['0 */6 * * *', 7200], ['0 0 * * 1-5', 7200], ['15,45 * * * *', 900],
])('a job scheduled "%s" must end within %s s, half its shortest period and at most two hours', (schedule, seconds) => {
  const m = synthGlance({ imageCache: { size: '1Gi', prunerSchedule: cron(schedule), cleanerSchedule: cron(schedule) } });
  for (const kind of ['pruner', 'cleaner']) expect(find(m, 'CronJob', `${STS}-0-${kind}`).spec.jobTemplate.spec.activeDeadlineSeconds).toBe(seconds);
});

test('schedules are taken from strings and from cdk8s Cron', () => {
  const m = synthGlance({
    imageCache: { size: '1Gi', prunerSchedule: cron('15 */6 * * *'), cleanerSchedule: Cron.schedule({ minute: '5', hour: '*' }) },
  });
  expect(find(m, 'CronJob', `${STS}-0-pruner`).spec.schedule).toBe('15 */6 * * *');
  expect(find(m, 'CronJob', `${STS}-0-cleaner`).spec.schedule).toBe('5 * * * *');
});

describe('inheritance from the Glance-level imageCache', () => {
  let m: Manifest[];
  beforeEach(() => {
    m = synthGlance({
      backend: shared(),
      imageCache: { size: '10Gi', stallTime: Duration.hours(6), prunerSchedule: cron('0 3 * * *'), cleanerSchedule: cron('*/10 * * * *') },
      apis: {
        inherits: {},
        overrides: { imageCache: { size: '20Gi', cleanerSchedule: cron('*/5 * * * *') } },
      },
    });
  });

  test('an API without its own imageCache gets every field, schedules included', () => {
    expect(glanceConf(m, 'glance-inherits-single').DEFAULT.image_cache_stall_time).toBe('21600');
    expect(find(m, 'CronJob', 'glance-inherits-single-0-pruner').spec.schedule).toBe('0 3 * * *');
    expect(find(m, 'CronJob', 'glance-inherits-single-0-cleaner').spec.schedule).toBe('*/10 * * * *');
  });

  test('an API overrides field by field and inherits the rest', () => {
    const conf = glanceConf(m, 'glance-overrides-single');
    expect(conf.DEFAULT.image_cache_max_size).toBe(String(Math.floor(20 * 2 ** 30 * 0.85)));
    expect(conf.DEFAULT.image_cache_stall_time).toBe('21600');
    expect(find(m, 'CronJob', 'glance-overrides-single-0-pruner').spec.schedule).toBe('0 3 * * *');
    expect(find(m, 'CronJob', 'glance-overrides-single-0-cleaner').spec.schedule).toBe('*/5 * * * *');
  });
});

test('a split API gets a cache, pruner and cleaner on both StatefulSets', () => {
  const m = synthGlance({ backend: shared(), imageCache: { size: '5Gi' }, apis: { default: { type: GlanceApiType.SPLIT, replicas: 2 } } });
  for (const sts of ['glance-default-internal', 'glance-default-external']) {
    expect(glanceConf(m, sts).DEFAULT.image_cache_max_size).toBe(String(Math.floor(5 * 2 ** 30 * 0.85)));
  }
  expect(ofKind(m, 'CronJob').map((c) => c.metadata.name).sort()).toEqual(['glance-db-purge',
    ...['glance-default-internal', 'glance-default-external'].flatMap((sts) => [0, 1].flatMap((n) => [`${sts}-${n}-pruner`,
      `${sts}-${n}-cleaner`]))].sort());
  // Each job mounts the cache claim of its own replica.
  for (const job of ofKind(m, 'CronJob').filter((c) => c.metadata.name !== 'glance-db-purge')) {
    const replica = job.metadata.name.replace(/-(pruner|cleaner)$/, '');
    const pod = job.spec.jobTemplate.spec.template.spec;
    const mount = pod.containers[0].volumeMounts.find((v: any) => v.mountPath === '/var/lib/glance/image-cache');
    expect(pod.volumes.find((v: any) => v.name === mount.name).persistentVolumeClaim.claimName).toBe(`glance-cache-${replica}`);
  }
});

test('zero replicas get no cache jobs', () => {
  const m = synthGlance({ imageCache: { size: '1Gi' }, apis: { default: { replicas: 0 } } });
  expect(ofKind(m, 'CronJob').map((c) => c.metadata.name)).toEqual(['glance-db-purge']);
});

test('tiny and exotic ratios are handled exactly (found by the fuzzer: 5e-324 crashed)', () => {
  expect(numberToFraction(0.85)).toEqual({ numerator: 85n, denominator: 100n });
  expect(numberToFraction(5e-324)).toEqual({ numerator: 5n, denominator: 10n ** 324n });
  expect(numberToFraction(1.5e-7)).toEqual({ numerator: 15n, denominator: 10n ** 8n });
  expect(numberToFraction(1)).toEqual({ numerator: 1n, denominator: 1n });
  // A ratio so small that no byte is left is our validation error, not a crash.
  expect(() => synthGlance({ imageCache: { size: '10Gi', maxSizeRatio: 5e-324 } }))
    .toThrow(/imageCache.size: leaves an image_cache_max_size of 0 bytes/);
});
