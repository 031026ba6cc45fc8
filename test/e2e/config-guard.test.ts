/**
 * What real Glance (25.1.0; 30.0.0 for the alias table) reads from our config files, loaded as glance-api loads them, in the
 * API pod's sandbox: the managed-options guard stops every spelling oslo.config would honour, the
 * spellings it lets through change nothing Glance loads, and only internal APIs show image
 * locations. The alias table the guard uses is regenerated from Glance's own option definitions.
 */
import { execFileSync } from 'child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { GlanceApiType, ImageBackend } from '../../lib';
import { checkCustomServiceConfig, GUARDED_SECTIONS, MANAGED_OPTIONS, META_OPTIONS } from '../../lib/config-guard';
import { expectInvalid, find, glanceConf, Manifest, synthGlance } from '../helpers';
import { GLANCE_IMAGES, requireRealGlance } from './sandboxed-glance';
import { SandboxNode } from '../sandbox/pod-sandbox';

const CONFIG_DIR = '/etc/glance/glance.conf.d';
// Parses the config as glance-api does: run in glance-api's place in the container's command, with its
// arguments and environment, under its program name (oslo.config searches default files by it).
const LOADER = `
import json, sys
args = sys.argv[1:]
sys.argv[0] = '/usr/bin/glance-api'
from oslo_config import cfg
from glance.common import config
import glance.api.policy
import glance.common.wsgi
from oslo_policy import opts as policy_opts
policy_opts.set_defaults(cfg.CONF)
config.parse_args(args)
C = cfg.CONF
# keystonemiddleware registers its options when the pipeline loads: as it does, with the password plugin's.
from keystoneauth1 import loading
from keystonemiddleware.auth_token import _opts
C.register_opts(_opts._OPTS, group='keystone_authtoken')
C.register_opts(loading.get_auth_plugin_conf_options('password'), group='keystone_authtoken')
print(json.dumps({'config_files': C.config_file, 'config_dirs': C.config_dir, 'region_name': C.keystone_authtoken.region_name,
                  'auth_url': C.keystone_authtoken.auth_url, 'workers': C.workers, 'flavor': C.paste_deploy.flavor, \
'policy_file': C.oslo_policy.policy_file,
                  'show_image_direct_url': C.show_image_direct_url, 'import_methods': C.enabled_import_methods,
                  'enforce_new_defaults': C.oslo_policy.enforce_new_defaults, 'enforce_scope': C.oslo_policy.enforce_scope}))
`;

const SECRETS = {
  'glance-db': { connection: 'mysql+pymysql://glance:x@openstack.openstack.svc/glance' },
  'osp-secret': { GlancePassword: 'x' },
  'ceph-conf': { 'ceph.conf': '[global]\n', 'ceph.client.openstack.keyring': '' },
};

/** What glance-api loads from replica 0's config, as its pod sees it (in the image at imageRoot). */
async function loaded(manifests: Manifest[], statefulSet: string, imageRoot = '/'): Promise<Record<string, any>> {
  const node = new SandboxNode(manifests, 'openstack', SECRETS, {}, imageRoot);
  try {
    const result = await node.pod('StatefulSet', statefulSet, 0).run({
      replaceProgram: {
        from: 'glance-api',
        to: ['/usr/bin/python3', '-c',
          LOADER],
      },
    });
    if (result.code !== 0) throw new Error(result.stderr.slice(-3000));
    return JSON.parse(result.stdout.trim().split('\n').pop()!);
  } finally {
    node.destroy();
  }
}

/** Today's output with a custom file the old, case-sensitive guard let through. */
function withUncheckedCustomFile(text: string): Manifest[] {
  const manifests = synthGlance({ imageCache: { size: '1Gi' } });
  find(manifests, 'Secret', 'glance-default-single-config').stringData['50-custom.conf'] = text;
  return manifests;
}

beforeAll(() => requireRealGlance());

test('the alias table is what Glance\'s own option definitions say', () => {
  const generated = execFileSync('/usr/bin/python3', [join(__dirname, '..', '..', 'scripts', 'managed-option-aliases.py')],
    { input: JSON.stringify(Object.keys(MANAGED_OPTIONS)), encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
  expect(generated).toBe(readFileSync(join(__dirname, '..', '..', 'lib', 'managed-option-aliases.ts'), 'utf8'));
});

test('the alias table also covers every alias of Glance 30.0.0 (2025.1), read in its own image', () => {
  const image = GLANCE_IMAGES.trixie;
  requireRealGlance(image);
  const dir = mkdtempSync(join(tmpdir(), 'aliases-'));
  try {
    copyFileSync(join(__dirname, '..', '..', 'scripts', 'managed-option-aliases.py'), join(dir, 'aliases.py'));
    const generated = execFileSync('bwrap', ['--ro-bind', image.root, '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
      '--ro-bind', dir, '/mnt', 'python3', '/mnt/aliases.py'],
    { input: JSON.stringify(Object.keys(MANAGED_OPTIONS)), encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
    expect(generated).toContain('from the installed Glance 30.0.0');
    const aliases = (text: string) => text.split('\n').filter((line) => /^ {2}'/.test(line));
    expect(aliases(generated).length).toBeGreaterThan(0);
    expect(aliases(readFileSync(join(__dirname, '..', '..', 'lib', 'managed-option-aliases.ts'),
      'utf8'))).toEqual(expect.arrayContaining(aliases(generated)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('bypasses the first guard let through: Glance honours them, synth now refuses them', () => {
  test.each([
    ['[PASTE_DEPLOY]\nflavor = caching\n', { flavor: 'caching' }],
    ['[OSLO_POLICY]\npolicy_file = /tmp/swapped.yaml\n', { policy_file: '/tmp/swapped.yaml' }],
    ['[DEFAULT]\npolicy_file = /tmp/swapped.yaml\n', { policy_file: '/tmp/swapped.yaml' }],
  ])('%j', async (custom, effect) => {
    expect(await loaded(withUncheckedCustomFile(custom), 'glance-default-single')).toMatchObject(effect);
    expectInvalid(() => synthGlance({ imageCache: { size: '1Gi' }, customServiceConfig: custom }), 'customServiceConfig',
      /overrides an option cdk8s-glance manages/);
  });
});

test('spellings the guard accepts change neither the pipeline nor the policy file Glance loads', async () => {
  const custom = '[default]\nflavor = caching\npolicy_file = /tmp/swapped.yaml\n' +
    '[DEFAULT]\nflavor = caching\n[paste_deploy_extra]\nflavor = caching\n';
  expect(await loaded(synthGlance({ imageCache: { size: '1Gi' }, customServiceConfig: custom }), 'glance-default-single')).toMatchObject({
    flavor: 'keystone+caching', policy_file: `${CONFIG_DIR}/policy.yaml`,
  });
});

test('image locations (OSSN-0090): Glance shows them on the internal API of a Ceph pair only, and web-download is off', async () => {
  const split = synthGlance({ backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf' }) });
  const internal = await loaded(split, 'glance-default-internal');
  const external = await loaded(split, 'glance-default-external');
  expect(internal).toMatchObject({ show_image_direct_url: true, import_methods: ['glance-direct', 'copy-image'] });
  expect(external).toMatchObject({ show_image_direct_url: false, import_methods: ['glance-direct', 'copy-image'] });
  // A SINGLE API on Ceph also serves the public endpoint: by default it keeps them hidden (the first release showed them).
  const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  const single = synthGlance({ backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf' }), apis: { default: { type: GlanceApiType.SINGLE } } });
  warn.mockRestore();
  expect(await loaded(single, 'glance-default-single')).toMatchObject({ show_image_direct_url: false });
  // The policy settings the operator uses reach Glance.
  expect(internal).toMatchObject({ enforce_new_defaults: true, enforce_scope: true });
});

describe('the image\'s own config files never reach Glance', () => {
  // An image whose glance-api.conf (and a glance-api.conf.d/ file) set values the library does not
  // write, or writes otherwise: Debian's own ships region_name = regionOne, which broke every
  // authenticated request against a Keystone of another region on a real cluster.
  const IMAGE_CONF = '[DEFAULT]\nworkers = 7\n[keystone_authtoken]\nregion_name = regionOne\nauth_url = http://elsewhere.example:5000\n[paste_deploy]\nflavor = caching\n';

  test.each([GLANCE_IMAGES.bookworm, GLANCE_IMAGES.trixie])('$name: region, auth_url, flavor and workers are the library\'s', async (image) => {
    requireRealGlance(image);
    const dir = mkdtempSync(join(tmpdir(), 'image-conf-'));
    const merged = join(dir, 'merged');
    try {
      // The image with two more files: an overlay mount over its root.
      for (const sub of ['upper/etc/glance/glance-api.conf.d', 'work', 'merged']) mkdirSync(join(dir, sub), { recursive: true });
      writeFileSync(join(dir, 'upper/etc/glance/glance-api.conf'), IMAGE_CONF);
      writeFileSync(join(dir, 'upper/etc/glance/glance-api.conf.d/10-image.conf'), '[DEFAULT]\nworkers = 9\n');
      execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${image.root},upperdir=${dir}/upper,workdir=${dir}/work`, merged]);
      const manifests = synthGlance({ release: image.release, imageCache: { size: '1Gi' }, keystone: { authUrl: 'http://keystone.openstack.svc:5000', passwordSecret: { name: 'osp-secret', key: 'GlancePassword' } } });
      const seen = await loaded(manifests, 'glance-default-single', merged);
      expect(seen).toMatchObject({ config_files: [`${CONFIG_DIR}/glance-api.conf`], config_dirs: [CONFIG_DIR], region_name: null, auth_url: 'http://keystone.openstack.svc:5000', flavor: 'keystone+caching' });
      expect(seen.workers).toBe(Number(glanceConf(manifests, 'glance-default-single').DEFAULT.workers));
    } finally {
      execFileSync('umount', ['-l', merged], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Every option name (and deprecated name) by group, from the option definitions of the Glance in the image, as glance-api registers them. */
const OPTION_NAMES = `
import json, sys
sys.argv[0] = '/usr/bin/glance-api'
from oslo_config import generator
from keystoneauth1 import loading
NAMESPACES = ['glance', 'glance.api', 'glance.store', 'glance.multi_store', 'glance.cache', 'glance.manage',
              'keystonemiddleware.auth_token', 'oslo.concurrency', 'oslo.db', 'oslo.log', 'oslo.middleware',
              'oslo.middleware.http_proxy_to_wsgi', 'oslo.policy']
names = {}
def add(group, name):
    group = group or 'DEFAULT'
    names.setdefault(group if group == 'DEFAULT' else group.lower(), set()).add(name.replace('-', '_'))
for namespace, groups in generator._list_opts(NAMESPACES):
    for group, opts in groups:
        group = getattr(group, 'name', group)
        for opt in opts:
            add(group, opt.name)
            for dep in opt.deprecated_opts:
                add(dep.group or group, dep.name or opt.name)
# keystonemiddleware loads the auth plugin's options (password) into its group at start.
for opt in loading.get_auth_plugin_conf_options('password'):
    add('keystone_authtoken', opt.name)
print(json.dumps({group: sorted(n) for group, n in names.items()}))
`;

describe.each([GLANCE_IMAGES.bookworm, GLANCE_IMAGES.trixie])('the trust boundary against the option definitions of $name', (image) => {
  let names: Record<string, string[]>;
  beforeAll(() => {
    requireRealGlance(image);
    names = JSON.parse(execFileSync('bwrap', ['--ro-bind', image.root, '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
      '/usr/bin/python3', '-c', OPTION_NAMES],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  });

  test('every option customServiceConfig may set in a guarded section is one its library defines', () => {
    for (const [group, { allowed }] of Object.entries(GUARDED_SECTIONS)) {
      expect([group, allowed.filter((name) => !names[group]?.includes(name))]).toEqual([group, []]);
    }
  });

  test('every other option of a guarded section, deprecated names and the auth plugin\'s included, is refused', () => {
    const refused: string[] = [];
    for (const [group, { allowed }] of Object.entries(GUARDED_SECTIONS)) {
      const others = (names[group] ?? []).filter((name) => !allowed.includes(name));
      expect(others.length).toBeGreaterThan(0);
      for (const name of others) {
        expect(() => checkCustomServiceConfig('customServiceConfig', `[${group}]\n${name} = x\n`)).toThrow(/customServiceConfig/);
        refused.push(`${group}.${name}`);
      }
    }
    expect(refused).toEqual(expect.arrayContaining(['keystone_authtoken.auth_url', 'keystone_authtoken.auth_type',
      'keystone_authtoken.delay_auth_decision',
      'keystone_authtoken.www_authenticate_uri', 'keystone_authtoken.auth_uri', 'paste_deploy.config_file', 'oslo_policy.enforce_new_defaults',
      'oslo_policy.policy_dirs']));
  });

  test('each meta option is one Glance reads (config_file, config_dir and config_source are oslo.config\'s own)', () => {
    const defined = new Set(Object.values(names).flat());
    const own = ['config_file', 'config_dir', 'config_source'];
    expect(Object.keys(META_OPTIONS).filter((name) => !own.includes(name) && !defined.has(name))).toEqual([]);
  });
});
