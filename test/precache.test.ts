import { Cron } from 'cdk8s';
import { ImageBackend } from '../lib';
import { expectInvalid, expectRestrictedPod, find, glanceCommandOf, Manifest, ofKind, synthGlance } from './helpers';
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
      imageCache: { size: '10Gi', precache: { images: ['cirros-0.6.2', '7f3c9a2e-1b4d-4c8e-9f0a-2d6b5e8c1a37'], schedule: Cron.schedule({ minute: '5' }) } },
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
      expect(find(m, 'CronJob', `${STS}-${replica}-precache`).spec.jobTemplate.spec.template.metadata.labels['glance.openstack.org/cache-of']).toBe(STS);
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

  test('a Job warms every replica at first deployment, waiting for each; a new list is a new Job', () => {
    const jobs = ofKind(m, 'Job').filter((j) => j.metadata.name.startsWith(`${STS}-precache-`));
    expect(jobs).toHaveLength(1);
    const job = jobs[0];
    expect(job.metadata.name).toMatch(new RegExp(`^${STS}-precache-[0-9a-f]{8}$`));
    const command = job.spec.template.spec.containers[0].command;
    expect(command).toEqual(glanceCommandOf(['python3', `${CONFIG}/glance-cache-jobs.py`], 'precache', '--image=cirros-0.6.2', '--image=7f3c9a2e-1b4d-4c8e-9f0a-2d6b5e8c1a37',
      '--url', `http://${STS}-0.${STS}.$(POD_NAMESPACE).svc:9292`, '--url', `http://${STS}-1.${STS}.$(POD_NAMESPACE).svc:9292`, '--wait'));
    expect(job.spec.ttlSecondsAfterFinished).toBe(86400);
    expectRestrictedPod(job.spec.template.spec);
    const other = synthGlance({ backend: shared(), imageCache: { size: '10Gi', precache: { images: ['ubuntu-24.04'] } }, apis: { default: { replicas: 2 } } });
    const otherJob = ofKind(other, 'Job').find((j) => j.metadata.name.startsWith(`${STS}-precache-`))!;
    expect(otherJob.metadata.name).not.toBe(job.metadata.name);
    expect(find(other, 'CronJob', `${STS}-0-precache`).spec.schedule).toBe('*/15 * * * *');
  });

  test('the script ships once in the config Secret, beside the pruner\'s and cleaner\'s', () => {
    expect(find(m, 'Secret', `${STS}-config`).stringData['glance-cache-jobs.py']).toContain('def precache(urls, wanted, wait)');
  });

  test('without precache there is no precache job', () => {
    const plain = synthGlance({ imageCache: { size: '1Gi' } });
    expect([...ofKind(plain, 'CronJob'), ...ofKind(plain, 'Job')].map((j) => j.metadata.name).filter((n) => n.includes('precache'))).toEqual([]);
  });
});

describe('precache validation', () => {
  test.each([
    [{ images: [] }, 'imageCache.precache.images'],
    [{ images: 'cirros' }, 'imageCache.precache.images'],
    [{ images: ['cirros', ''] }, 'imageCache.precache.images[1]'],
    [{ images: ['--url=http://evil'] }, 'imageCache.precache.images[0]'],
    [{ images: ['two\nlines'] }, 'imageCache.precache.images[0]'],
    [{ images: ['cirros'], schedule: '0 25 * * *' }, 'imageCache.precache.schedule'],
  ])('%j is refused at %s', (precache, prop) => {
    expectInvalid(() => synthGlance({ imageCache: { size: '1Gi', precache: precache as any } }), prop, /./);
  });

  test('a cache policy that would lock the service user out is refused at synth time', () => {
    expectInvalid(() => synthGlance({ imageCache: { size: '1Gi', policy: { cacheImage: 'role:cache_operator' }, precache: { images: ['cirros'] } } }),
      'imageCache.policy.cacheImage', /does not let the Glance service user .* queue cached images/);
    expectInvalid(() => synthGlance({ imageCache: { size: '1Gi', policy: { cacheList: 'role:reader and role:member' }, precache: { images: ['cirros'] } } }),
      'imageCache.policy.cacheList', /list cached images/);
    // Without precache, that policy is the user's business.
    expect(() => synthGlance({ imageCache: { size: '1Gi', policy: { cacheImage: 'role:cache_operator' } } })).not.toThrow();
    expect(() => synthGlance({ imageCache: { size: '1Gi', policy: { cacheImage: 'role:admin or role:cache_operator' }, precache: { images: ['cirros'] } } })).not.toThrow();
  });
});

test.each([
  ['role:admin', true], ['role:ADMIN', true], ['role:member', false], ['role:admin or role:cache_operator', true],
  ['role:cache_operator or (role:service and role:admin)', true], ['role:admin and role:reader', false], ['not role:admin', false],
  ['@', true], ['!', false], ['project_id:%(project_id)s', false], ['rule:context_is_admin', false], ['(role:member or role:service)', true],
])('policy %j lets a user with roles admin and service: %s', (rule, allowed) => {
  expect(policyAllowsRoles(rule, ['admin', 'service'])).toBe(allowed);
});
