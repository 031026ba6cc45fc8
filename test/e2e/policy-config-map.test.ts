/**
 * policyConfigMap on real Glance 25.1.0 (Debian bookworm) and 30.0.0 (Debian trixie), behind a real
 * Keystone (../sandbox/keystone.ts) with a real MariaDB, each Glance process in its pod sandbox. The
 * user's ConfigMap holds two policy files; the pod sandbox lays it out as the kubelet lays out a
 * ConfigMap volume (`..data` and a symlink per key), at the mount of our output. Nothing of the policy
 * is overlaid: the overlay sets only bind_host.
 *
 * What a user of the ConfigMap relies on: a rule of it replaces Glance's default (a member may no
 * longer create images), a rule of another of its files replaces the library's cache rule, the cache
 * rules it does not name stay the library's, and a changed rule applies without a restart; a removed
 * one only once glance-api restarts, since Glance's enforcer merges the rules it reloads.
 */
import { configMapVolumeCommand, configMapVolumeLayout, configMapVolumeLayoutOf } from '../sandbox/pod-sandbox';
import { until } from '../waiting';
import { GLANCE_IMAGES, glanceVersion, keystoneForFile, realKeystone, SandboxedGlance, synthesizeWithKeystone } from './sandboxed-glance';

const STS = 'glance-default-single';
const NAMESPACE = 'openstack';
const GLANCE_PASSWORD = 'e2e-glance-service-password';
const KEYSTONE_HOST = `keystone-internal.${NAMESPACE}.svc`;
const CONFIG_MAP = 'glance-policy';
/** Two files, as `kubectl create configmap glance-policy --from-file=...` of two files makes them. */
const POLICY = {
  'policy.yaml': '# Only admins create images.\n"add_image": "role:admin"\n',
  'cache.yaml': '# Members may list the cache (the library gives cache_list to admins).\n"cache_list": "role:admin or role:member"\n',
};

const file = keystoneForFile('policyConfigMap, the statuses each user got:', GLANCE_PASSWORD, NAMESPACE);
const { keystone, lines } = file;

describe.each([['Glance 25.1.0', GLANCE_IMAGES.bookworm], ['Glance 30.0.0', GLANCE_IMAGES.trixie]])('%s: policyConfigMap', (release, image) => {
  let glance: SandboxedGlance;
  const tokens: Record<'member' | 'admin', string> = { member: '', admin: '' };

  /** One request to replica 0 as a user: the status. */
  async function status(user: 'member' | 'admin', method: string, path: string, body?: unknown): Promise<number> {
    const answer = (await glance.request(0, tokens[user], method, path, body)).status;
    lines.push(`${release.padEnd(14)} ${user.padEnd(6)} ${method} ${path}: ${answer}`);
    return answer;
  }
  const createImage = (user: 'member' | 'admin') =>
    status(user, 'POST', '/v2/images', { name: `by-${user}`, disk_format: 'raw', container_format: 'bare' });

  beforeAll(async () => {
    expect(glanceVersion(image)).toBe(release.replace('Glance ', ''));
    const manifests = synthesizeWithKeystone(image, keystone.urlAt(KEYSTONE_HOST),
      { policyConfigMap: CONFIG_MAP, imageCache: { size: '256Mi' }, apis: { default: {} } });
    glance = new SandboxedGlance(manifests, STS, NAMESPACE, { 'glance-images-nfs': '1Gi' }, image,
      { 'osp-secret': { GlancePassword: GLANCE_PASSWORD } }, { keystone: realKeystone(keystone, KEYSTONE_HOST) });
    glance.node.setConfigMap(CONFIG_MAP, { ...POLICY });
    await glance.prepare();
    await glance.start(0);
    tokens.member = await keystone.token(file.member.name, file.member.password, 'demo');
    tokens.admin = await keystone.adminToken();
  });

  afterAll(async () => {
    await glance?.destroy();
  });

  test(`${release}: the ConfigMap's files are where our output points oslo.policy, read by glance-api's user`, async () => {
    expect(glance.glanceConf.oslo_policy.policy_dirs).toBe('/etc/glance/policy.d');
    // As `kubectl exec` into the glance-api container: its user, its mounts.
    const layout = await glance.pod(0).run({ exec: configMapVolumeCommand('/etc/glance/policy.d', 'policy.yaml') });
    expect(configMapVolumeLayoutOf(layout.stdout)).toEqual(configMapVolumeLayout(['policy.yaml', 'cache.yaml']));
    const read = await glance.pod(0).run({ exec: ['sh', '-c', 'id -u && cat /etc/glance/policy.d/cache.yaml'] });
    expect(read.stdout).toBe(`42415\n${POLICY['cache.yaml']}`);
  });

  test(`${release}: a rule of the ConfigMap replaces Glance's default: a member may no longer create an image, an admin still may`, async () => {
    expect(await createImage('member')).toBe(403);
    expect(await createImage('admin')).toBe(201);
  });

  test(`${release}: a rule of its other file replaces the library's cache rule; the cache rules it does not name stay the library's`, async () => {
    expect(await status('member', 'GET', '/v2/cache')).toBe(200);
    expect(await status('admin', 'GET', '/v2/cache')).toBe(200);
    // cache_delete is the library's (admins only): the ConfigMap does not name it.
    expect(await status('member', 'DELETE', '/v2/cache')).toBe(403);
  });

  test(`${release}: a changed rule applies without a restart; a removed one stays until glance-api restarts (Glance merges reloaded rules)`,
    async () => {
      const process = glance.process(0);
      // policy.yaml lets members create images now; cache.yaml is gone.
      glance.node.setConfigMap(CONFIG_MAP, { 'policy.yaml': '"add_image": "role:admin or role:member"\n' });
      expect(glance.pod(0).refreshConfigMapVolumes(CONFIG_MAP)).toEqual(['policy']);
      // Laid out as the kubelet lays out an updated volume (the cluster tier measures it): cache.yaml's file is gone.
      const layout = await glance.pod(0).run({ exec: configMapVolumeCommand('/etc/glance/policy.d', 'policy.yaml') });
      expect(configMapVolumeLayoutOf(layout.stdout)).toEqual(configMapVolumeLayout(['policy.yaml']));
      await until('a member may create images again', async () => (await createImage('member')) === 201, { everyMs: 500 });
      // The same glance-api process, still running.
      expect(glance.process(0)).toBe(process);
      expect(process?.exitCode).toBeNull();
      // glance/api/policy.py's Enforcer has overwrite=False: oslo.policy adds the reloaded files' rules to those it holds.
      expect(await status('member', 'GET', '/v2/cache')).toBe(200);
      // A restart of the container (the pod's volumes stay) reads the files as they are: the library's cache rule again.
      await glance.stop(0);
      await glance.start(0);
      expect(await status('member', 'GET', '/v2/cache')).toBe(403);
      expect(await createImage('member')).toBe(201);
    });
});
