/**
 * Every image store against real Glance, 25.1.0 (bookworm) and 30.0.0 (trixie): the deployment is
 * synthesized with the store, one glance-api replica starts from the synthesized StatefulSet in
 * its pod sandbox (with the e2e overlay, see sandboxed-glance.ts), and GET /v2/info/stores must
 * list exactly the configured stores. Keystone, Swift, S3 and Cinder are not reachable and need
 * not be: Glance configures those stores without them. Ceph is a monitor per cluster (no OSD) on
 * this machine: glance_store connects to the cluster when it configures an rbd store, and Glance
 * does not start with a single rbd store whose cluster does not answer.
 *
 * Then, in the API pod's sandbox, glance_store itself loads the stores from the same config files
 * and environment (as glance-api does) and reports what each store object holds: the credentials
 * come from the env vars, from the test's Secrets, and no file carries them. It also shows why
 * the library never shows swift and s3 image locations (they hold the credentials), and why the
 * cinder store needs its opt-in (a restricted pod cannot become root the way the driver does).
 */
import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import { Chart, Testing } from 'cdk8s';
import { Glance, GlanceApiType, GlanceProps, ImageBackend } from '../../lib';
import { BASE_PROPS, expectInvalid, find, Manifest } from '../helpers';
import { GLANCE_IMAGES, GlanceImage, glanceVersion, requireRealGlance, SandboxedGlance } from './sandboxed-glance';
import { CEPH_INSTALL_HINT, CephMon } from '../sandbox/ceph-mon';
import { SandboxNode, SecretValues } from '../sandbox/pod-sandbox';

const NAMESPACE = 'openstack';
const STS = 'glance-default-single';

/** The Ceph clusters, by name: each a monitor of its own, with its fsid. */
const CLUSTERS: Record<string, { fsid: string; port: number; secret: string }> = {
  'ceph': { fsid: '0b35c1a4-0f2b-4d63-9a52-9c4f2e6d1a10', port: 6789, secret: 'ceph-conf' },
  'ceph-0': { fsid: '6f9ac3d2-8d4b-4a57-b0d2-1e0c1a2b3c40', port: 6790, secret: 'ceph-conf-0' },
  'ceph-1': { fsid: '7a1bd4e3-9e5c-4b68-a1e3-2f1d2b3c4d51', port: 6791, secret: 'ceph-conf-1' },
};

/** The credentials of the user's Secrets: values no manifest holds. */
const CREDENTIALS: SecretValues = {
  'osp-secret': { GlancePassword: 'keystone-password-only-in-its-secret' },
  'swift-creds': { key: 'swift-key-only-in-its-secret' },
  's3-creds': { access: 's3-access-only-in-its-secret', secret: 's3-secret-only-in-its-secret' },
};

/** The Secrets the user creates beside the chart: the credentials, and each cluster's <cluster>.conf and keyring. */
function userSecrets(mons: Record<string, CephMon>): SecretValues {
  const ceph = Object.fromEntries(Object.entries(CLUSTERS).map(([cluster, { secret }]) => [secret, {
    [`${cluster}.conf`]: mons[cluster].clientConf(`/etc/ceph/${cluster}.client.openstack.keyring`),
    [`${cluster}.client.openstack.keyring`]: mons[cluster].keyring('openstack'),
  }]));
  return { ...CREDENTIALS, ...ceph };
}

interface StoreCase {
  readonly name: string;
  readonly backend: () => ImageBackend;
  /** The user's customServiceConfig: options of a store section that no prop sets are the user's. */
  readonly custom?: string;
  /** GET /v2/info/stores, exactly. */
  readonly listed: Array<{ id: string; description: string; default?: 'true' }>;
  /** What glance_store's store objects hold, by store id (a subset of what the loader prints). */
  readonly seen: Record<string, Record<string, unknown>>;
}

const CASES: StoreCase[] = [
  {
    name: 'swift',
    backend: () => ImageBackend.swift({ keySecret: { name: 'swift-creds', key: 'key' } }),
    listed: [{ id: 'default_backend', description: 'Swift backend', default: 'true' }],
    seen: {
      default_backend: {
        type: 'swift',
        writable: true,
        user: 'service:glance',
        key: 'swift-key-only-in-its-secret',
        auth_address: 'http://keystone.openstack.svc:5000',
        // Glance writes the credentials into each image location: why no API shows locations with swift.
        location: 'swift+http://service%3Aglance:swift-key-only-in-its-secret@keystone.openstack.svc:5000/glance/IMAGE',
      },
    },
  },
  {
    name: 's3',
    backend: () => ImageBackend.s3({
      host: 'http://rgw.ceph.svc:8080', bucket: 'glance-images', accessKeySecret: { name: 's3-creds', key: 'access' }, secretKeySecret: { name: 's3-creds', key: 'secret' },
    }),
    listed: [{ id: 'default_backend', description: 'S3 backend', default: 'true' }],
    seen: {
      default_backend: {
        type: 's3',
        writable: true,
        access_key: 's3-access-only-in-its-secret',
        secret_key: 's3-secret-only-in-its-secret',
        location: 's3://s3-access-only-in-its-secret:s3-secret-only-in-its-secret@rgw.ceph.svc:8080/glance-images',
      },
    },
  },
  {
    name: 'cinder',
    backend: () => ImageBackend.cinder({ allowPrivilegedAttach: true }),
    listed: [{ id: 'default_backend', description: 'Cinder backend', default: 'true' }],
    seen: {
      default_backend: {
        type: 'cinder',
        writable: true,
        password: 'keystone-password-only-in-its-secret',
        user: 'glance',
        auth_address: 'http://keystone.openstack.svc:5000/v3',
        root_helper: 'sudo glance-rootwrap /etc/glance/rootwrap.conf',
      },
    },
  },
  {
    name: 'rbd',
    backend: () => ImageBackend.rbd({ cephSecretName: 'ceph-conf' }),
    listed: [{ id: 'default_backend', description: 'Ceph RBD backend', default: 'true' }],
    seen: {
      default_backend: {
        type: 'rbd',
        writable: true,
        conf_file: '/etc/ceph/ceph.conf',
        pool: 'images',
        user: 'openstack',
        // glance_store asked the cluster for its fsid: it authenticated with the Secret's keyring.
        location_prefix: `rbd://${CLUSTERS.ceph.fsid}/images/`,
        keyring: '/etc/ceph/ceph.client.openstack.keyring',
      },
    },
  },
  {
    name: 'file on an inline NFS volume',
    backend: () => ImageBackend.file({ sharedStore: { nfs: { server: '192.0.2.20', path: '/exports/glance' } } }),
    listed: [{ id: 'default_backend', description: 'File backend', default: 'true' }],
    seen: { default_backend: { type: 'file', writable: true, datadir: '/var/lib/glance/images', datadir_writable: true } },
  },
  {
    name: 'two Ceph clusters and swift',
    backend: () => ImageBackend.multi({
      stores: {
        'ceph-0': ImageBackend.rbd({ cephSecretName: 'ceph-conf-0', cluster: 'ceph-0', description: 'RBD backend' }),
        'ceph-1': ImageBackend.rbd({ cephSecretName: 'ceph-conf-1', cluster: 'ceph-1', description: 'RBD backend 1' }),
        'swift-0': ImageBackend.swift(),
      },
      defaultStore: 'ceph-1',
    }),
    custom: '[ceph-0]\nrbd_store_chunk_size = 4\n',
    listed: [
      { id: 'ceph-0', description: 'RBD backend' },
      { id: 'ceph-1', description: 'RBD backend 1', default: 'true' },
      { id: 'swift-0', description: 'Swift backend' },
    ],
    seen: {
      // Each store reached its own cluster, with the files of its own Secret, projected together into /etc/ceph.
      'ceph-0': { type: 'rbd', writable: true, conf_file: '/etc/ceph/ceph-0.conf', location_prefix: `rbd://${CLUSTERS['ceph-0'].fsid}/images/`, chunk_size: 4 * 2 ** 20 },
      'ceph-1': { type: 'rbd', writable: true, conf_file: '/etc/ceph/ceph-1.conf', location_prefix: `rbd://${CLUSTERS['ceph-1'].fsid}/images/`, chunk_size: 8 * 2 ** 20 },
      // The key reaches the store of a section with a "-" in its name too (OS_SWIFT-0__SWIFT_STORE_KEY).
      'swift-0': { type: 'swift', writable: true, user: 'service:glance', key: 'keystone-password-only-in-its-secret' },
    },
  },
];

/**
 * Loads the stores as glance-api does (same config files, same environment) and prints, per store,
 * what its glance_store object holds.
 */
const LOADER = `
import json, os, sys
args = sys.argv[1:]
sys.argv[0] = '/usr/bin/glance-api'
from oslo_config import cfg
from glance.common import config, wsgi
import glance_store
from glance_store import capabilities, multi_backend
config.parse_args(args)
CONF = cfg.CONF
glance_store.register_store_opts(CONF, reserved_stores=wsgi.RESERVED_STORES)
glance_store.create_multi_stores(CONF, reserved_stores=wsgi.RESERVED_STORES)
glance_store.verify_store()
out = {}
for sid, stype in list(CONF.enabled_backends.items()):
    if sid.startswith('os_glance_'):
        continue
    store = multi_backend.get_store_from_store_identifier(sid)
    info = {'type': stype, 'writable': store.is_capable(capabilities.BitMasks.WRITE_ACCESS)}
    if stype == 'swift':
        info.update(user=store.user, key=store.key, auth_address=store.auth_address,
                    location=store.create_location('IMAGE').get_uri())
    elif stype == 's3':
        info.update(access_key=store.access_key, secret_key=store.secret_key, location=store._url_prefix)
    elif stype == 'cinder':
        conf = store.store_conf
        info.update(password=conf.cinder_store_password, user=conf.cinder_store_user_name,
                    auth_address=conf.cinder_store_auth_address, root_helper=store.get_root_helper())
    elif stype == 'rbd':
        import rados
        keyring = rados.Rados(conffile=store.conf_file, rados_id=store.user).conf_get('keyring')
        info.update(conf_file=store.conf_file, pool=store.pool, user=store.user, keyring=keyring, location_prefix=store._url_prefix,
                    chunk_size=store.chunk_size)
    elif stype == 'file':
        info.update(datadir=store.datadir, datadir_writable=os.access(store.datadir, os.W_OK))
    out[sid] = info
print(json.dumps(out))
`;

/** Every option group of Glance and the libraries it loads, as oslo-config-generator lists them. */
const GROUPS = `
import json
from oslo_config import generator
groups = set()
for namespace in ['glance', 'glance.api', 'glance.store', 'glance.multi_store', 'glance.cache', 'glance.manage', 'glance.scrubber',
                  'keystonemiddleware.auth_token', 'oslo.concurrency', 'oslo.db', 'oslo.log', 'oslo.middleware', 'oslo.policy',
                  'oslo.messaging', 'osprofiler', 'castellan.config', 'os_brick']:
    try:
        for _, opts in generator._list_opts([namespace]):
            groups.update((getattr(group, 'name', group) or 'DEFAULT').lower() for group, _ in opts)
    except Exception:
        pass
print(json.dumps(sorted(groups)))
`;

/** Every option of glance_store's drivers that oslo.config also reads under another (deprecated) name. */
const DEPRECATED_STORE_OPTIONS = `
import json
from glance_store import multi_backend
print(json.dumps(sorted(opt.name for opts in multi_backend._list_driver_opts().values() for opt in opts if opt.deprecated_opts)))
`;

function synth(backend: ImageBackend, image: GlanceImage, customServiceConfig?: string): Manifest[] {
  const app = Testing.app();
  const chart = new Chart(app, 'stores', { namespace: NAMESPACE });
  // With a cache: the e2e overlay's noauth flavor keeps the cache middleware on, which needs one.
  const props: GlanceProps = {
    ...BASE_PROPS,
    release: image.release,
    backend,
    customServiceConfig,
    imageCache: { size: '1Gi' },
    apis: {
      default: {
        type: GlanceApiType.SINGLE,
        showImageDirectUrl: false,
      },
    },
  };
  new Glance(chart, 'glance', props);
  return Testing.synth(chart) as Manifest[];
}

/** Runs a command in a fresh pod of the API StatefulSet's replica 0, as `kubectl exec` into a new replica would. */
async function execInApiPod(manifests: Manifest[], image: GlanceImage, secrets: SecretValues, program: string[])
  : Promise<{ code: number | null; stdout: string; stderr: string }> {
  const node = new SandboxNode(manifests, NAMESPACE, { 'glance-db': { connection: 'mysql+pymysql://glance:x@openstack.openstack.svc/glance' }, ...secrets }, {}, image.root);
  try {
    return await node.pod('StatefulSet', STS, 0).run({ replaceProgram: { from: 'glance-api', to: program } });
  } finally {
    node.destroy();
  }
}

describe.each([GLANCE_IMAGES.bookworm, GLANCE_IMAGES.trixie])('$name', (image) => {
  let glance: SandboxedGlance | undefined;
  let started = false;
  const mons: Record<string, CephMon> = {};
  let secrets: SecretValues = {};

  beforeAll(async () => {
    requireRealGlance(image);
    if (!existsSync('/usr/bin/ceph-mon')) throw new Error(CEPH_INSTALL_HINT);
    process.stdout.write(`stores e2e on ${image.name}: glance-api ${glanceVersion(image)}\n`);
    for (const [cluster, { fsid, port }] of Object.entries(CLUSTERS)) {
      mons[cluster] = new CephMon(fsid, port);
      await mons[cluster].start(['openstack']);
    }
    secrets = userSecrets(mons);
    glance = new SandboxedGlance(synth(CASES[0].backend(), image, CASES[0].custom), STS, NAMESPACE, {}, image, secrets);
    await glance.prepare();
  });

  afterAll(async () => {
    await glance?.destroy();
    for (const mon of Object.values(mons)) mon.stop();
  });

  test.each(CASES)('$name: GET /v2/info/stores lists exactly the configured stores; the store objects hold the Secrets\' values', async (c) => {
    const manifests = synth(c.backend(), image, c.custom);
    // Every Secret the chart writes is free of every credential of the user's Secrets.
    const written = JSON.stringify(manifests.filter((m) => m.kind === 'Secret' || m.kind === 'ConfigMap'));
    const keys = Object.values(mons).map((mon) => mon.key('openstack'));
    for (const value of [...Object.values(CREDENTIALS).flatMap((secret) => Object.values(secret)), ...keys]) {
      expect(written).not.toContain(value);
    }
    // The same StatefulSet, applied with the new store: db-sync again, the replica replaced.
    if (started) {
      await glance!.apply(manifests);
    } else {
      glance!.manifests = manifests;
      glance!.node.apply(manifests);
      await glance!.start(0);
      started = true;
    }
    const response = await fetch(`${glance!.podUrl(0)}/v2/info/stores`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).stores).toEqual(c.listed);

    const loaded = await execInApiPod(manifests, image, secrets, ['/usr/bin/python3', '-c', LOADER]);
    if (loaded.code !== 0) throw new Error(`the store loader failed:\n${loaded.stderr.slice(-3000)}`);
    const seen = JSON.parse(loaded.stdout.trim().split('\n').pop()!);
    expect(Object.keys(seen)).toEqual(c.listed.map((s) => s.id));
    for (const [id, expected] of Object.entries(c.seen)) expect([id, seen[id]]).toEqual([id, expect.objectContaining(expected)]);
  });

  test('every option group of Glance and its libraries is refused as a store name (it would share the store\'s section)', () => {
    const groups: string[] = JSON.parse(execFileSync('bwrap', ['--ro-bind', image.root, '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
      '/usr/bin/python3', '-c', GROUPS], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const named = groups.filter((group) => /^[a-z][a-z0-9_-]*$/.test(group));
    expect(named).toEqual(expect.arrayContaining(['glance_store', 'keystone_authtoken', 'paste_deploy', 'oslo_policy']));
    for (const group of named) {
      expectInvalid(() => synth(ImageBackend.multi({ stores: { [group]: ImageBackend.swift() }, defaultStore: group }), image),
        `backend.stores.${group}`, /option group/);
    }
  });

  test('no option a store manages has another name oslo.config would read it by, so the guard needs no alias for them', () => {
    const deprecated: string[] = JSON.parse(execFileSync('bwrap', ['--ro-bind', image.root, '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs',
      '/tmp',
      '/usr/bin/python3', '-c', DEPRECATED_STORE_OPTIONS], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    expect(deprecated).toContain('cinder_os_region_name'); // which the Cinder store leaves alone
    const every = ImageBackend.multi({
      // One store of each single-store case.
      stores: Object.fromEntries(CASES.filter((c) => c.listed.length === 1).map((c, i) => [`s${i}`, c.backend()])),
      defaultStore: 's0',
    });
    const managed = Object.keys(every._managedOptions()).map((option) => option.split('.')[1]);
    expect(managed).toEqual(expect.arrayContaining(['swift_store_key', 's3_store_secret_key', 'cinder_store_password', 'rbd_store_ceph_conf']));
    expect(managed.filter((option) => deprecated.includes(option))).toEqual([]);
  });

  test('a restricted API pod cannot run the cinder driver\'s root helper: no_new_privs stops sudo (hence allowPrivilegedAttach)', async () => {
    const manifests = synth(ImageBackend.swift(), image);
    expect(find(manifests, 'StatefulSet', STS).spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation).toBe(false);
    const result = await execInApiPod(manifests, image, secrets, ['sudo', 'glance-rootwrap', '/etc/glance/rootwrap.conf', 'privsep-helper',
      '--help']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/"no new privileges" flag is set, which prevents sudo from running as root/);
  });
});
