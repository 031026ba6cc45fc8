import { App, Chart, Duration, Testing } from 'cdk8s';
import { Errors, Glance, GlanceApi, GlanceApiRole, GlanceApiType, GlanceProps, GlanceRelease, ImageBackend, ImageCacheDriver } from '../lib';
import { BASE_PROPS, cron, expectInvalid, find, glanceConf, synthGlance } from './helpers';
import { GlanceValidationError } from '../lib/errors';

const shared = () => ImageBackend.file({ sharedStore: { storageClass: 'nfs-client' } });

const withCache = (imageCache: GlanceProps['imageCache']) => () => synthGlance({ imageCache });

describe('cache size', () => {
  test.each(['10 Gi', '10GB', 'ten', '', 'Gi', '1.2.3Gi', '10gi'])('malformed %j', (size) => {
    expectInvalid(withCache({ size }), 'imageCache.size', JSON.stringify(size));
  });
  test.each(['0', '0Gi', '0.0Mi'])('zero %j', (size) => {
    expectInvalid(withCache({ size }), 'imageCache.size', /is zero/);
  });
  test('negative', () => void expectInvalid(withCache({ size: '-1Gi' }), 'imageCache.size', /"-1Gi" is negative|negative/));
  test('milli-units', () => void expectInvalid(withCache({ size: '100m' }), 'imageCache.size', /milli/));
  test('too small to leave a byte after the ratio',
    () => void expectInvalid(withCache({ size: '1', maxSizeRatio: 0.5 }), 'imageCache.size', /0 bytes/));
  test('the smallest size that leaves a byte after the ratio is accepted', () => {
    expect(glanceConf(synthGlance({ imageCache: { size: '2', maxSizeRatio: 0.5 } }), 'glance-default-single').DEFAULT.image_cache_max_size).toBe('1');
  });
  test('an API override names the API prop', () => {
    expectInvalid(() => synthGlance({ apis: { default: { imageCache: { size: '5 Gi' } } } }), 'apis.default.imageCache.size', '"5 Gi"');
  });
});

describe('maxSizeRatio', () => {
  test.each([0, -0.5, 1.01, 2, NaN, '0.5'])('%p is outside (0, 1]', (maxSizeRatio) => {
    expectInvalid(withCache({ size: '1Gi', maxSizeRatio: maxSizeRatio as number }), 'imageCache.maxSizeRatio', /is outside \(0, 1\]/);
  });

  test('a ratio of 1 keeps the whole size', () => {
    expect(glanceConf(synthGlance({ imageCache: { size: '1', maxSizeRatio: 1 } }), 'glance-default-single').DEFAULT.image_cache_max_size).toBe('1');
  });
});

describe('imageCache.storageClass and driver', () => {
  test('a storage class that is no DNS-1123 name is refused', () => {
    expectInvalid(withCache({ size: '1Gi', storageClass: 'Fast SSD' }), 'imageCache.storageClass', /DNS-1123/);
  });

  // Kubernetes validates a claim's storageClassName as a DNS-1123 subdomain (ValidateClassName): CSI drivers' classes have dots.
  test.each([
    ['imageCache.storageClass', (storageClass: string) => synthGlance({ imageCache: { size: '1Gi', storageClass } })],
    ['storage.storageClass', (storageClass: string) => synthGlance({ storage: { storageClass } })],
    ['ImageBackend.file().sharedStore.storageClass',
      (storageClass: string) => synthGlance({ backend: ImageBackend.file({ sharedStore: { storageClass } }) })],
  ])('%s is a DNS-1123 subdomain: "nfs.csi.k8s.io" is taken, as the claims\' storageClassName; "a..b", "-a.b" and 254 characters are not',
    (prop, synth) => {
      const claims = synth('nfs.csi.k8s.io').flatMap((o: any) => [o, ...(o.spec?.volumeClaimTemplates ?? [])])
        .filter((o: any) => o.kind === 'PersistentVolumeClaim' || o.spec?.resources?.requests?.storage);
      expect(claims.map((c: any) => c.spec.storageClassName)).toContain('nfs.csi.k8s.io');
      for (const bad of ['a..b', '-a.b', 'a.b-', 'A.b', `${'a'.repeat(63)}.`.repeat(4).slice(0, 254)]) {
        expectInvalid(() => synth(bad), prop, /is not a DNS-1123 subdomain/);
      }
    });

  test('a driver that is no ImageCacheDriver is refused', () => {
    expectInvalid(withCache({ size: '1Gi', driver: 'redis' as ImageCacheDriver }), 'imageCache.driver',
      /is not a cache driver.*Fix: use an ImageCacheDriver value/);
  });

  test.each([
    [GlanceRelease.ANTELOPE, /is not available in Glance 2023\.1 \(antelope\).*Fix: use ImageCacheDriver\.SQLITE or XATTR/],
    [GlanceRelease.ZED, /centralized_db/],
  ])('centralized_db before Caracal is refused (%s)', (release, message) => {
    expectInvalid(() => synthGlance({ release, imageCache: { size: '1Gi', driver: ImageCacheDriver.CENTRALIZED_DB } }), 'imageCache.driver', message);
  });
});

describe('stallTime', () => {
  test('zero', () => void expectInvalid(withCache({ size: '1Gi', stallTime: Duration.seconds(0) }), 'imageCache.stallTime', /positive whole number/));
  test('not whole seconds',
    () => void expectInvalid(withCache({ size: '1Gi', stallTime: Duration.millis(1500) }), 'imageCache.stallTime', /1 second 500 millis/));
  test('negative or not a number, as a duck-typed Duration from JavaScript can give it', () => {
    const duration = (seconds: () => number) => ({ toSeconds: seconds, toHumanString: () => 'that duration' }) as unknown as Duration;
    expectInvalid(withCache({ size: '1Gi', stallTime: duration(() => -60) }), 'imageCache.stallTime',
      /is not a positive whole number of seconds \(got "that duration"\)/);
    expectInvalid(withCache({ size: '1Gi', stallTime: duration(() => NaN) }), 'imageCache.stallTime',
      /positive whole number.*Fix: use e\.g\. Duration\.hours\(24\)/);
    expectInvalid(withCache({ size: '1Gi', stallTime: duration(() => { throw new Error('x'); }) }), 'imageCache.stallTime', /positive whole number/);
  });
  test('no Duration at all (a number of seconds from another language): named, not a TypeError', () => {
    expectInvalid(withCache({ size: '1Gi', stallTime: 3600 as unknown as Duration }), 'imageCache.stallTime',
      /is not a positive whole number of seconds \(got 3600\)/);
  });
  test('one second is the least', () => {
    expect(glanceConf(synthGlance({ imageCache: { size: '1Gi', stallTime: Duration.seconds(1) } }),
      'glance-default-single').DEFAULT.image_cache_stall_time).toBe('1');
  });
});

describe('schedules', () => {
  test.each([
    ['61 * * * *', /outside 0-59/],
    ['*/0 * * * *', /step of 0/],
    ['5-1 * * * *', /backwards/],
    ['L * * * *', /outside/],
    ['? * * * *', /"\?"/],
    ['0 0 32 * *', /outside 1-31/],
    ['0 0 * 13 *', /outside 1-12/],
    ['0 0 * * 8', /outside 0-7/],
    ['0 0 * * mon#2', /not a value/],
  ])('pruner %j', (text, problem) => {
    expectInvalid(withCache({ size: '1Gi', prunerSchedule: cron(text) }), 'imageCache.prunerSchedule', problem);
  });
  test('cleaner', () => void expectInvalid(withCache({ size: '1Gi', cleanerSchedule: cron('every 5 minutes * *') }), 'imageCache.cleanerSchedule',
    /minute field "every" is outside 0-59/));
  test('db purge', () => void expectInvalid(() => synthGlance({ dbPurge: { schedule: cron('0 25 * * *') } }), 'dbPurge.schedule', /outside 0-23/));
  test('a schedule given as text is refused under its prop, with the Cron to write', () => {
    const err = expectInvalid(withCache({ size: '1Gi', cleanerSchedule: '*/5 * * * *' as any }), 'imageCache.cleanerSchedule',
      /is text, not a cdk8s Cron/);
    expect(err.fix).toBe("write it as a Cron: Cron.schedule({ minute: '*/5' })");
  });
  test.each(['@daily', '0 0 * * SUN', '*/15 8-18 * jan-jun mon-fri', '0 0 ? * *'])('accepts %j', (text) => {
    expect(() => synthGlance({ imageCache: { size: '1Gi', cleanerSchedule: cron(text) } })).not.toThrow();
  });
});

describe('names', () => {
  test.each(['Default', 'my_api', 'api.v2', '-api', 'a'.repeat(64)])('API name %j is not a DNS label', (name) => {
    expectInvalid(() => synthGlance({ apis: { [name]: {} } }), `apis.${name}`, /DNS-1123/);
  });
  test('name prefix', () => void expectInvalid(() => synthGlance({ name: 'Glance' }), 'name', /DNS-1123/));
  test('a StatefulSet name over 52 characters', () => {
    const api = 'a'.repeat(40);
    const err = expectInvalid(() => synthGlance({ apis: { [api]: {} } }), `apis.${api}`, /over the limit of 52/);
    expect(err.message).toContain('shorten');
  });
  test('a StatefulSet name too long for its kind is named by kind, with its length', () => {
    const err = expectInvalid(() => synthGlance({ name: 'g'.repeat(46), apis: { a: { type: GlanceApiType.EDGE } } }), 'apis.a',
      /gives the StatefulSet name "g{46}-a-edge" of 53 characters, over the limit of 52/);
    expect(err.fix).toBe('shorten apis.a by at least 1 characters');
  });
  test('the db-sync Job: the longest name the db-purge CronJob allows gives a Job name within 63', () => {
    const m = synthGlance({ name: 'g'.repeat(43), apis: { a: { type: GlanceApiType.EDGE } } });
    expect(find(m, 'Job', `${'g'.repeat(43)}-db-sync-<hash>`).metadata.name).toMatch(/^g{43}-db-sync-[0-9a-f]{8}$/);
  });
  test('a db-purge CronJob name over 52 characters is named under name', () => {
    expectInvalid(() => synthGlance({ name: 'g'.repeat(44), apis: { a: { type: GlanceApiType.EDGE } } }), 'name',
      /gives the CronJob name "g{44}-db-purge" of 53 characters, over the limit of 52/);
  });
  test('a precache Job name over 63 characters is named under the API the user wrote', () => {
    // <33 g>-a-edge is 40 characters: its CronJobs "-0-precache" fit in 52, its first-run Job "-precache-<8 hex>" (58) does not.
    const err = expectInvalid(() => synthGlance({
      name: 'g'.repeat(33),
      backend: ImageBackend.rbd({ cephSecretName: 'c' }),
      apis: { a: { type: GlanceApiType.EDGE } },
      imageCache: { size: '1Gi', precache: { images: ['c'] } },
    }), 'apis.a', /gives the Job name "g{33}-a-edge-precache-[0-9a-f]{8}" of 58 characters/);
    expect(err.fix).toBe('shorten apis.a by at least 6 characters');
  });
  test('a CronJob name over 52 characters once the replica number is added', () => {
    const api = 'a'.repeat(27); // glance-<27>-single = 41 chars; "-10-cleaner" makes 52, "-10-cleaner" on 28 would make 53
    expect(() => synthGlance({ backend: shared(), imageCache: { size: '1Gi' }, apis: { [api]: { replicas: 11 } } })).not.toThrow();
    const longer = 'a'.repeat(28);
    const err = expectInvalid(() => synthGlance({ backend: shared(), imageCache: { size: '1Gi' }, apis: { [longer]: { replicas: 11 } } }),
      `apis.${longer}`,
      /CronJob name .* over the limit of 52/);
    expect(err.fix).toBe(`shorten apis.${longer} by at least 1 characters`);
  });
  test('a Service name must start with a letter', () => {
    expectInvalid(() => synthGlance({ name: '1glance' }), 'apis.default',
      'gives the Service name "1glance-default-single", which is not a valid DNS label');
  });
  test('two APIs whose derived names collide', () => {
    expectInvalid(() => synthGlance({ backend: shared(), apis: { 'a': {}, 'a-single': { type: GlanceApiType.INTERNAL } } }), 'apis.a-single',
      /Service named "glance-a-single"/);
  });
  test('no APIs at all', () => void expectInvalid(() => synthGlance({ apis: {} }), 'apis', /empty/));
});

describe('replicas and workers', () => {
  test.each([-1, 1.5, NaN])('replicas %s', (replicas) => {
    expectInvalid(() => synthGlance({ backend: shared(), apis: { default: { replicas } } }), 'apis.default.replicas', /whole number/);
  });
  test('workers 0', () => void expectInvalid(() => synthGlance({ apis: { default: { workers: 0 } } }), 'apis.default.workers', /positive/));
  test('workers 1.5', () => {
    expectInvalid(() => synthGlance({ apis: { default: { workers: 1.5 } } }), 'apis.default.workers',
      /is not a positive whole number.*Fix: use 1 or more worker processes/);
  });
});

describe('file store and replicas (the reference\'s NFS warning)', () => {
  test('one API with several replicas on an unshared file store', () => {
    const err = expectInvalid(() => synthGlance({ apis: { default: { replicas: 3 } } }), 'backend', /3 replicas/);
    expect(err.message).toMatch(/sharedStore|rbd/);
  });
  test('a split API puts two StatefulSets on an unshared file store', () => {
    expectInvalid(() => synthGlance({ apis: { default: { type: GlanceApiType.SPLIT } } }), 'backend', /2 replicas in 2 StatefulSet/);
  });
  test('external storage with an unshared file store keeps images in an emptyDir', () => {
    expectInvalid(() => synthGlance({ storage: { external: true } }), 'storage.external',
      /keeps the file store's images of apis.default in an emptyDir/);
  });
  test('a shared store needs a claim, a class or an NFS export (checked by its factory)', () => {
    expectInvalid(() => ImageBackend.file({ sharedStore: {} }), 'ImageBackend.file().sharedStore', /neither/);
  });
  test('one replica on a local file store, rbd and shared stores are fine', () => {
    expect(() => synthGlance({})).not.toThrow();
    expect(() => synthGlance({ backend: ImageBackend.rbd({ cephSecretName: 'ceph' }), apis: { default: { replicas: 5 } } })).not.toThrow();
    expect(() => synthGlance({
      backend: ImageBackend.file({ sharedStore: { existingClaimName: 'nfs-images' } }),
      apis: { default: { replicas: 5 } },
    })).not.toThrow();
  });
});

describe('other props', () => {
  test('a release name where the release value belongs (a numeric enum maps values back to names)', () => {
    expectInvalid(() => synthGlance({ release: 'CARACAL' as unknown as GlanceRelease }), 'release', '"CARACAL"');
  });
  test('customServiceConfig may not override the cache size', () => {
    const err = expectInvalid(() => synthGlance({ customServiceConfig: '[DEFAULT]\nimage_cache_max_size = 1\n' }), 'customServiceConfig',
      '[DEFAULT] image_cache_max_size');
    expect(err.message).toContain('imageCache.size');
  });
  test('customServiceConfig may not carry the database password', () => {
    expectInvalid(() => synthGlance({ customServiceConfig: '[database]\nconnection = mysql://u:p@h/g\n' }), 'customServiceConfig',
      '[database] connection');
  });
  test.each([
    ['[oslo_concurrency]\nlock_path = /run/lock\n', '[oslo_concurrency] lock_path'],
    ['[DEFAULT]\nlog_dir = /var/log/glance\n', '[DEFAULT] log_dir'],
    ['[DEFAULT]\nlog_file = /var/log/glance/api.log\n', '[DEFAULT] log_file'],
    ['[os_glance_staging_store]\nfilesystem_store_datadir = /srv\n', '[os_glance_staging_store] filesystem_store_datadir'],
    ['[os_glance_tasks_store]\nfilesystem_store_datadir = /srv\n', '[os_glance_tasks_store] filesystem_store_datadir'],
    ['[task]\nwork_dir = /srv\n', '[task] work_dir'],
    ['[default_backend]\nfilesystem_store_datadir = /srv\n', '[default_backend] filesystem_store_datadir'],
  ])('customServiceConfig may not move a directory Glance writes (read-only root): %s', (custom, named) => {
    expectInvalid(() => synthGlance({ customServiceConfig: custom }), 'customServiceConfig', named);
  });

  test('customServiceConfig must be ini', () => {
    expectInvalid(() => synthGlance({ customServiceConfig: '[DEFAULT]\nthis is not ini\n' }), 'customServiceConfig', /line 2/);
    expectInvalid(() => synthGlance({ customServiceConfig: 'debug = true\n' }), 'customServiceConfig', /before any \[section\]/);
  });
  test('per-API customServiceConfig is checked too', () => {
    expectInvalid(() => synthGlance({ apis: { default: { customServiceConfig: '[paste_deploy]\nflavor = keystone\n' } } }),
      'apis.default.customServiceConfig', '[paste_deploy] flavor');
  });
  test('keystone URL', () => {
    expectInvalid(() => synthGlance({ keystone: { ...BASE_PROPS.keystone, authUrl: 'keystone:5000' } }), 'keystone.authUrl', '"keystone:5000"');
  });
  test('database Secret key', () => {
    expectInvalid(() => synthGlance({ database: { connectionSecret: { name: 'glance-db', key: 'a/b' } } }), 'database.connectionSecret.key', '"a/b"');
  });
  test('db purge age', () => void expectInvalid(() => synthGlance({ dbPurge: { ageInDays: 0 } }), 'dbPurge.ageInDays', /at least 1/));
  test('storage request', () => void expectInvalid(() => synthGlance({ storage: { storageRequest: '10 GB' } }), 'storage.storageRequest', '"10 GB"'));
  test('resources', () => {
    expectInvalid(() => synthGlance({ apis: { default: { resources: { memoryLimit: 'lots' } } } }), 'apis.default.resources.memoryLimit', '"lots"');
  });
  test('policy rule spanning lines', () => {
    expectInvalid(withCache({ size: '1Gi', policy: { cacheList: 'role:admin\n"x": "@"' } }), 'imageCache.policy.cacheList', /one-line/);
  });
  // oslo.policy reads an empty rule as "allow everyone": never what an empty prop meant.
  test.each([
    ['cacheList', ''], ['cacheImage', ' '], ['cacheDelete', '\t'], ['cacheList', 'role:admin\r'], ['cacheImage', 'role:admin\0'], ['cacheDelete', 42],
  ])('policy.%s %j is not a one-line rule', (rule, value) => {
    expectInvalid(withCache({ size: '1Gi', policy: { [rule]: value as string } }), `imageCache.policy.${rule}`,
      /is not a one-line oslo.policy rule.*Fix: use a rule such as "role:admin"/);
  });
  test('an API\'s own cache policy names the API prop', () => {
    expectInvalid(() => synthGlance({ apis: { a: { imageCache: { size: '1Gi', policy: { cacheDelete: '' } } } } }),
      'apis.a.imageCache.policy.cacheDelete', /one-line/);
  });
  test('one StatefulSet has a role, not a layout: SPLIT cannot be typed, and is refused from JavaScript', () => {
    const glance = new Glance(new Chart(new App(), 'c'), 'glance', BASE_PROPS);
    expect(Object.values(GlanceApiRole)).not.toContain('split');
    expectInvalid(() => new GlanceApi(glance, 'api', { apiName: 'added', role: GlanceApiType.SPLIT as string as GlanceApiRole }),
      'apis.added.type', /"split" is not|not the role/);
  });
  test('a layout that is no GlanceApiType is refused at the Glance level', () => {
    expectInvalid(() => synthGlance({ apis: { a: { type: 'both' as GlanceApiType } } }), 'apis.a.type',
      /is not an API layout \(got "both"\).*Fix: use a GlanceApiType value/);
  });
  test('rbd without options, as JavaScript or another language can call it', () => {
    expectInvalid(() => (ImageBackend.rbd as any)(), 'ImageBackend.rbd()', /not given an options object/);
    expectInvalid(() => (ImageBackend.rbd as any)(null), 'ImageBackend.rbd()', /not given an options object/);
  });

  test('rbd names', () => {
    expectInvalid(() => ImageBackend.rbd({ cephSecretName: 'ceph', pool: 'images\n[DEFAULT]' }), 'ImageBackend.rbd().pool', /Ceph name/);
  });
});

test('Errors.isValidationError recognizes the error a refused prop throws', () => {
  let caught: unknown;
  try {
    synthGlance({ imageCache: { size: 'ten' } });
  } catch (e) {
    caught = e;
  }
  expect(Errors.isValidationError(caught)).toBe(true);
});

describe('errors carry the construct path beside the prop path', () => {
  const caught = (build: () => unknown): GlanceValidationError => {
    try {
      build();
    } catch (e) {
      return e as GlanceValidationError;
    }
    throw new Error('no error');
  };

  test('a Glance-level mistake names the Glance construct', () => {
    const err = caught(() => synthGlance({ dbPurge: { ageInDays: 0 } }));
    expect(err.prop).toBe('dbPurge.ageInDays');
    expect(err.constructPath).toBe('test/glance');
  });

  test('a mistake in one API\'s cache names that API\'s cache, the innermost construct', () => {
    const err = caught(() => synthGlance({ apis: { default: { imageCache: { size: '1Gi', maxSizeRatio: 2 } } } }));
    expect(err.prop).toBe('apis.default.imageCache.maxSizeRatio');
    expect(err.constructPath).toBe('test/glance/default-single/image-cache');
  });
});

describe('two Glances in one chart', () => {
  test('two Glances that would make the same objects in one chart are refused, naming both', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'openstack' });
    new Glance(chart, 'one', { ...BASE_PROPS, imageCache: { size: '1Gi' } });
    let err!: GlanceValidationError;
    try {
      new Glance(chart, 'two', { ...BASE_PROPS, imageCache: { size: '1Gi' } });
    } catch (e) {
      err = e as GlanceValidationError;
    }
    expect(err.message).toBe('name: makes the CronJob "glance-default-single-0-pruner", which the Glance at c/one in the same chart also makes '
      + '(got "glance"). Fix: give each Glance in a chart its own name (the prefix of every object it creates)');
    expect(err.constructPath).toBe('c/two');
  });

  test('a second Glance of another name is accepted', () => {
    const chart = new Chart(new App(), 'c');
    new Glance(chart, 'first', BASE_PROPS);
    expect(() => new Glance(chart, 'third', { ...BASE_PROPS, name: 'images' })).not.toThrow();
  });

  test('a Glance of the same name in another chart is accepted', () => {
    const app = new App();
    new Glance(new Chart(app, 'c'), 'first', BASE_PROPS);
    expect(() => new Glance(new Chart(app, 'd'), 'first', BASE_PROPS)).not.toThrow();
  });
});
