import { Cron, Duration } from 'cdk8s';
import { ImageBackend } from '../lib';
import { cron, expectInvalid, expectRestrictedPod, find, glanceCommandOf, Manifest, ofKind, synthGlance } from './helpers';
import { expandKubeletVars, resolvePodEnv } from './kubelet-env';
import { policyAllowsRoles } from '../lib/cache/cache-precache';

const STS = 'glance-default-single';
const shared = () => ImageBackend.file({ sharedStore: { storageClass: 'nfs-client' } });
const CONFIG = '/etc/glance/glance.conf.d';

describe('imageCache.precache', () => {
  let m: Manifest[];
  beforeEach(() => {
    m = synthGlance({
      backend: shared(),
      imageCache: {
        size: '10Gi',
        precache: { images: ['cirros-0.6.2', '7f3c9a2e-1b4d-4c8e-9f0a-2d6b5e8c1a37'], schedule: Cron.schedule({ minute: '5' }) },
      },
      apis: { default: { replicas: 2 } },
    });
  });

  test('one CronJob per replica, named like the pruner and cleaner, on its schedule', () => {
    const names = ofKind(m, 'CronJob').map((c) => c.metadata.name).filter((n) => n.endsWith('-precache'));
    expect(names).toEqual([`${STS}-0-precache`, `${STS}-1-precache`]);
    expect(find(m, 'CronJob', `${STS}-1-precache`).spec.schedule).toBe('5 * * * *');
  });

  test('each queues the listed images through its own replica, as the Glance service user, with nothing else', () => {
    for (const replica of [0, 1]) {
      const pod = find(m, 'CronJob', `${STS}-${replica}-precache`).spec.jobTemplate.spec.template.spec;
      const container = pod.containers[0];
      expect(container.command).toEqual(glanceCommandOf(['python3', `${CONFIG}/glance-cache-jobs.py`], 'precache',
        '--image=cirros-0.6.2', '--image=7f3c9a2e-1b4d-4c8e-9f0a-2d6b5e8c1a37'));
      expect(resolvePodEnv(container, { name: `${STS}-${replica}-precache-x`, namespace: 'openstack' })).toEqual({
        POD_NAMESPACE: 'openstack',
        OS_DEFAULT__WORKER_SELF_REFERENCE_URL: `http://${STS}-${replica}.${STS}.openstack.svc:9292`,
        OS_KEYSTONE_AUTHTOKEN__PASSWORD: '<secret osp-secret/GlancePassword>',
      });
      // It talks to the API: no cache volume, no database, no need to run on the replica's node.
      expect(pod.volumes.map((v: any) => Object.keys(v).filter((k) => k !== 'name')[0]).sort()).toEqual(['emptyDir', 'secret']);
      expect(pod.affinity).toBeUndefined();
      expectRestrictedPod(pod);
      // The cache jobs' NetworkPolicy selects it: nothing may connect to it.
      expect(find(m, 'CronJob', `${STS}-${replica}-precache`).spec.jobTemplate.spec.template.metadata.labels['glance.openstack.org/cache-of'])
        .toBe(STS);
    }
  });

  test('an image named like a kubelet reference reaches the script as written, not as the password it names', () => {
    const names = ['$(OS_KEYSTONE_AUTHTOKEN__PASSWORD)', '$(POD_NAMESPACE)', 'cost-$$5'];
    const out = synthGlance({ backend: shared(), imageCache: { size: '10Gi', precache: { images: names } }, apis: { default: { replicas: 1 } } });
    const firstRun = ofKind(out, 'Job').find((j) => j.metadata.name.startsWith(`${STS}-precache-`))!.spec.template.spec.containers[0];
    for (const container of [find(out, 'CronJob', `${STS}-0-precache`).spec.jobTemplate.spec.template.spec.containers[0], firstRun]) {
      const env = { ...resolvePodEnv(container, { name: 'p', namespace: 'openstack' }), OS_KEYSTONE_AUTHTOKEN__PASSWORD: 'the-password' };
      const argv = container.command.map((arg: string) => expandKubeletVars(arg, env));
      expect(argv.filter((arg: string) => arg.startsWith('--image'))).toEqual(names.map((name) => `--image=${name}`));
      expect(argv.join(' ')).not.toContain('the-password');
      // The escape script reaches python3 as written: it doubles each "$" of the OS_* variables.
      expect(argv[2]).toContain("v.replace('$', '$$')");
    }
    // The library's own reference still expands: each replica's URL names the namespace.
    expect(firstRun.command.map((arg: string) => expandKubeletVars(arg, { POD_NAMESPACE: 'openstack' })))
      .toContain(`http://${STS}-0.${STS}.openstack.svc:9292`);
  });

  test('a Job warms every replica at first deployment, waiting for each to answer, then until each has cached the images', () => {
    const jobs = ofKind(m, 'Job').filter((j) => j.metadata.name.startsWith(`${STS}-precache-`));
    expect(jobs).toHaveLength(1);
    const job = jobs[0];
    expect(job.metadata.name).toMatch(new RegExp(`^${STS}-precache-[0-9a-f]{8}$`));
    const command = job.spec.template.spec.containers[0].command;
    expect(command).toEqual(glanceCommandOf(['python3', `${CONFIG}/glance-cache-jobs.py`], 'precache',
      '--image=cirros-0.6.2', '--image=7f3c9a2e-1b4d-4c8e-9f0a-2d6b5e8c1a37',
      '--url', `http://${STS}-0.${STS}.$(POD_NAMESPACE).svc:9292`, '--url', `http://${STS}-1.${STS}.$(POD_NAMESPACE).svc:9292`, '--wait',
      '--wait-cached=1800'));
    // Its deadline leaves the hour it had for the replicas to answer, beside the wait.
    expect(job.spec.activeDeadlineSeconds).toBe(3600 + 1800);
    expect(job.spec.ttlSecondsAfterFinished).toBe(86400);
    expectRestrictedPod(job.spec.template.spec);
  });

  test('waitUntilCached sets the first run\'s wait and deadline; 0 only queues; the CronJobs do not wait by default', () => {
    const jobOf = (precache: object) => {
      const manifests = synthGlance({ imageCache: { size: '1Gi', precache: { images: ['cirros'], ...precache } } });
      return {
        job: ofKind(manifests, 'Job').find((j) => j.metadata.name.startsWith(`${STS}-precache-`))!.spec,
        cron: find(manifests, 'CronJob', `${STS}-0-precache`).spec.jobTemplate.spec,
      };
    };
    const waitOf = (command: string[]) => command.filter((arg) => arg.startsWith('--wait-cached'));
    const tenMinutes = jobOf({ waitUntilCached: Duration.minutes(10) });
    expect(waitOf(tenMinutes.job.template.spec.containers[0].command)).toEqual(['--wait-cached=600']);
    expect(tenMinutes.job.activeDeadlineSeconds).toBe(4200);
    expect(waitOf(tenMinutes.cron.template.spec.containers[0].command)).toEqual([]);
    const queueOnly = jobOf({ waitUntilCached: Duration.seconds(0) });
    expect(waitOf(queueOnly.job.template.spec.containers[0].command)).toEqual([]);
    expect(queueOnly.job.activeDeadlineSeconds).toBe(3600);
  });

  test('cronJobsWaitUntilCached: each CronJob waits for its run\'s deadline less 2 minutes', () => {
    const cronOf = (schedule?: Cron) => find(synthGlance({
      imageCache: { size: '1Gi', precache: { images: ['cirros'], schedule, cronJobsWaitUntilCached: true } },
    }), 'CronJob', `${STS}-0-precache`).spec.jobTemplate.spec;
    // Every 15 minutes: a 450 s deadline; hourly: 1800 s; daily: capped at 2 hours.
    const cases = [[undefined, 450], [Cron.schedule({ minute: '5' }), 1800], [Cron.schedule({ minute: '0', hour: '3' }), 7200]] as const;
    for (const [schedule, deadline] of cases) {
      const spec = cronOf(schedule);
      const wait = spec.template.spec.containers[0].command.filter((a: string) => a.startsWith('--wait-cached'));
      expect({ deadline: spec.activeDeadlineSeconds, wait }).toEqual({ deadline, wait: [`--wait-cached=${deadline - 120}`] });
    }
  });

  describe('the first run\'s name carries its template\'s hash', () => {
    const firstRun = (images: string[], image?: string) => ofKind(synthGlance({ image, imageCache: { size: '1Gi', precache: { images } } }), 'Job')
      .map((j) => j.metadata.name).filter((n) => n.includes('precache'));

    test('the same list gives the same name', () => {
      const [base] = firstRun(['cirros']);
      expect(base).toMatch(/^glance-default-single-precache-[0-9a-f]{8}$/);
      expect(firstRun(['cirros'])).toEqual([base]);
    });

    test('a new image list is a new Job', () => {
      expect(firstRun(['cirros', 'fedora'])).not.toEqual(firstRun(['cirros']));
    });

    test('a new container image is a new Job', () => {
      expect(firstRun(['cirros'], 'glance:2')).not.toEqual(firstRun(['cirros']));
    });
  });

  test('the script ships once in the config Secret, beside the pruner\'s and cleaner\'s', () => {
    expect(find(m, 'Secret', `${STS}-config`).stringData['glance-cache-jobs.py']).toContain('def precache(urls, wanted, wait, warm_seconds)');
  });

  test('without precache there is no precache job', () => {
    const plain = synthGlance({ imageCache: { size: '1Gi' } });
    expect([...ofKind(plain, 'CronJob'), ...ofKind(plain, 'Job')].map((j) => j.metadata.name).filter((n) => n.includes('precache'))).toEqual([]);
  });
});

describe('precache validation', () => {
  test.each([
    [{ images: [] }, 'imageCache.precache.images', /is not a non-empty list of image IDs or names.*Fix: list the images to keep cached/],
    [{ images: 'cirros' }, 'imageCache.precache.images', /is not a non-empty list/],
    [{}, 'imageCache.precache.images', /is not a non-empty list/],
    [{ images: [' '] }, 'imageCache.precache.images[0]',
      /is not an image ID or name.*Fix: give an ID or a one-line name that does not start with "-"/],
    [{ images: ['cirros', ''] }, 'imageCache.precache.images[1]', /is not an image ID or name/],
    [{ images: ['-rf'] }, 'imageCache.precache.images[0]', /is not an image ID or name/],
    [{ images: ['--url=http://evil'] }, 'imageCache.precache.images[0]', /is not an image ID or name/],
    [{ images: ['two\nlines'] }, 'imageCache.precache.images[0]', /is not an image ID or name/],
    [{ images: ['ok', 'a\tb'] }, 'imageCache.precache.images[1]', /is not an image ID or name/],
    [{ images: ['ok', 7] }, 'imageCache.precache.images[1]', /is not an image ID or name/],
    [{ images: ['cirros'], schedule: cron('0 25 * * *') }, 'imageCache.precache.schedule', /hour field "25" is outside 0-23/],
    [{ images: ['cirros'], waitUntilCached: Duration.millis(1500) }, 'imageCache.precache.waitUntilCached',
      /is not a whole number of seconds from 0 to 43200 \(12 hours\).*Fix: use e.g. Duration.minutes\(30\)/],
    [{ images: ['cirros'], waitUntilCached: Duration.hours(13) }, 'imageCache.precache.waitUntilCached', /from 0 to 43200/],
    [{ images: ['cirros'], waitUntilCached: 600 }, 'imageCache.precache.waitUntilCached', /is not a whole number of seconds/],
    [{ images: ['cirros'], cronJobsWaitUntilCached: 'yes' }, 'imageCache.precache.cronJobsWaitUntilCached',
      /is not a boolean.*Fix: use true or false/],
  ])('%j is refused at %s', (precache, prop, message) => {
    expectInvalid(() => synthGlance({ imageCache: { size: '1Gi', precache: precache as any } }), prop, message);
  });

  test('image names with spaces and UUIDs are queued as written', () => {
    const images = ['Ubuntu 24.04', '3f2a1c9e-0000-4000-8000-000000000000'];
    const job = find(synthGlance({ imageCache: { size: '1Gi', precache: { images } } }), 'CronJob', `${STS}-0-precache`);
    expect(job.spec.jobTemplate.spec.template.spec.containers[0].command.filter((arg: string) => arg.startsWith('--image=')))
      .toEqual(['--image=Ubuntu 24.04', '--image=3f2a1c9e-0000-4000-8000-000000000000']);
  });

  test.each([
    [{ cacheImage: 'role:cache_operator' }, 'imageCache.policy.cacheImage',
      /does not let the Glance service user .* queue cached images, which precache does as that user/],
    [{ cacheList: 'role:reader and role:member' }, 'imageCache.policy.cacheList', /list cached images/],
    [{ cacheList: 'role:member' }, 'imageCache.policy.cacheList',
      /does not let the Glance service user \(roles admin and service in the service project\) list/],
  ])('with precache, a cache policy %j that would lock the service user out is refused', (policy, prop, message) => {
    expectInvalid(() => synthGlance({ imageCache: { size: '1Gi', policy, precache: { images: ['cirros'] } } }), prop, message);
  });

  test('without precache, a cache policy that locks the service user out is the user\'s business', () => {
    expect(() => synthGlance({ imageCache: { size: '1Gi', policy: { cacheImage: 'role:cache_operator' } } })).not.toThrow();
  });

  test('with precache, a cache policy the service user passes is accepted', () => {
    const m = synthGlance({
      imageCache: {
        size: '1Gi',
        policy: { cacheImage: 'role:admin or role:cache_operator' },
        precache: { images: ['cirros'] },
      },
    });
    expect(find(m, 'Secret', `${STS}-config`).stringData['policy.yaml']).toContain('"cache_image": "role:admin or role:cache_operator"');
  });
});

describe('the policy evaluator reads oslo.policy\'s grammar', () => {
  // The roles the library checks a precache policy for: the Glance service user's.
  test.each([
    ['role:admin', true], ['role:ADMIN', true], ['role:member', false], ['role:admin or role:cache_operator', true],
    ['role:cache_operator or (role:service and role:admin)', true], ['role:admin and role:reader', false], ['not role:admin', false],
    ['@', true], ['!', false], ['project_id:%(project_id)s', false], ['rule:context_is_admin', false], ['(role:member or role:service)', true],
  ])('%j: %s for roles admin and service', (rule, allowed) => {
    expect(policyAllowsRoles(rule, ['admin', 'service'])).toBe(allowed);
  });

  // Roles as a token can give them, in another case.
  test.each([
    ['not role:reader', true],
    ['NOT role:admin', false],
    ['not not role:admin', true],
    ['(role:reader or role:admin) and role:service', true],
    ['( role:reader or role:member ) and role:service', false],
    ['role:reader or (role:admin)', true],
    ['role:reader OR role:ADMIN', true],
    ['role:admin AND role:service', true],
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
  ])('%j: %p for roles Admin and service', (rule, allowed) => {
    expect(policyAllowsRoles(rule, ['Admin', 'service'])).toBe(allowed);
  });
});
