/**
 * The image stores: what each renders into glance.conf, the environment its credentials reach
 * Glance through, its volumes, several stores at once, validation, the Cinder opt-in, and that
 * every pod but an opted-in Cinder API stays restricted. What real Glance makes of it: test/e2e/stores.test.ts.
 */
import { Chart, Testing } from 'cdk8s';
import { Glance, GlanceApiType, GlanceProps, ImageBackend, S3BucketUrlFormat } from '../lib';
import {
  BASE_PROPS, cinder, expectInvalid, expectRestrictedPod, find, glanceConf, Manifest, ofKind, podSpecs, s3, SCHEMAS, synthGlance, validateSchema,
} from './helpers';
import { readOnlyRootViolations } from './writable-dirs';

const STS = 'glance-default-single';
const ceph0 = () => ImageBackend.rbd({ cephSecretName: 'ceph-conf-0', cluster: 'ceph-0' });
const ceph1 = () => ImageBackend.rbd({ cephSecretName: 'ceph-conf-1', cluster: 'ceph-1', pool: 'glance', description: 'RBD backend 1' });
const twoCephAndSwift = () => ImageBackend.multi({
  stores: { 'ceph-0': ceph0(), 'ceph-1': ceph1(), 'swift-0': ImageBackend.swift() },
  defaultStore: 'ceph-1',
});

const apiPod = (m: Manifest[], sts = STS) => find(m, 'StatefulSet', sts).spec.template.spec;
const apiContainer = (m: Manifest[], sts = STS) => apiPod(m, sts).containers[0];
/** The env entries a store adds after the library's own (POD_NAME ... OS_KEYSTONE_AUTHTOKEN__PASSWORD). */
const storeEnv = (m: Manifest[], sts = STS) => apiContainer(m, sts).env.filter((e: any) => /^OS_/.test(e.name)
  && !['OS_DEFAULT__WORKER_SELF_REFERENCE_URL', 'OS_DATABASE__CONNECTION', 'OS_KEYSTONE_AUTHTOKEN__PASSWORD'].includes(e.name));
const fromSecret = (name: string, key: string) => ({ secretKeyRef: { name, key } });
/** Synthesizes a deployment whose only store is of `type`, checks that it is, and returns the manifests and the store's section. */
function onlyStore(type: string, props: Partial<GlanceProps>): { m: Manifest[]; section: Record<string, string> } {
  const m = synthGlance(props);
  const conf = glanceConf(m, STS);
  expect(conf.DEFAULT.enabled_backends).toBe(`default_backend:${type}`);
  expect(conf.glance_store).toEqual({ default_backend: 'default_backend' });
  return { m, section: conf.default_backend };
}
/** Every store case below, for the checks that hold for all of them. */
const CASES: Array<[string, () => Partial<GlanceProps>]> = [
  ['swift', () => ({ backend: ImageBackend.swift() })],
  ['s3', () => ({ backend: s3({ caCertSecret: { name: 's3-ca', key: 'ca.pem' } }) })],
  ['cinder', () => ({ backend: cinder({ volumeType: 'fast' }), imageCache: { size: '1Gi' } })],
  ['rbd, two Secrets', () => ({ backend: ImageBackend.rbd({ cephSecretNames: ['ceph-conf-0', 'ceph-conf-1'] }) })],
  ['file on NFS', () => ({ backend: ImageBackend.file({ sharedStore: { nfs: { server: '192.0.2.5', path: '/exports/glance' } } }), apis: { default: { replicas: 2 } } })],
  ['two Ceph clusters and swift', () => ({ backend: twoCephAndSwift(), imageCache: { size: '1Gi' } })],
];

describe('swift', () => {
  test('the key from keystone.passwordSecret through the environment; no volume of its own', () => {
    // Its section with every default: defaults.test.ts.
    const { m } = onlyStore('swift', { backend: ImageBackend.swift() });
    expect(storeEnv(m)).toEqual([{ name: 'OS_DEFAULT_BACKEND__SWIFT_STORE_KEY', valueFrom: fromSecret('osp-secret', 'GlancePassword') }]);
    expect(apiPod(m).volumes.map((v: any) => v.name)).toEqual(['config', 'tmp']);
  });

  test('every option is a prop; the region follows Keystone\'s unless given', () => {
    const keystone = { authUrl: 'https://keystone.example:5000/v3', passwordSecret: { name: 'osp-secret', key: 'GlancePassword' }, username: 'glance-svc', region: 'regionOne' };
    expect(glanceConf(synthGlance({ keystone, backend: ImageBackend.swift() }), STS).default_backend).toMatchObject({
      swift_store_auth_address: 'https://keystone.example:5000/v3', swift_store_user: 'service:glance-svc', swift_store_region: 'regionOne',
    });
    const m = synthGlance({
      keystone,
      backend: ImageBackend.swift({
        keySecret: { name: 'swift-creds', key: 'key' },
        user: 'images',
        projectName: 'infra',
        container: 'images_v1',
        region: 'regionTwo',
        endpointType: 'publicURL',
        description: 'Object storage',
      }),
    });
    const defaults = glanceConf(synthGlance({ backend: ImageBackend.swift() }), STS).default_backend;
    expect(glanceConf(m, STS).default_backend).toEqual({
      ...defaults,
      swift_store_auth_address: 'https://keystone.example:5000/v3',
      swift_store_user: 'infra:images',
      swift_store_endpoint_type: 'publicURL',
      swift_store_region: 'regionTwo',
      swift_store_container: 'images_v1',
      store_description: 'Object storage',
    });
    expect(storeEnv(m)).toEqual([{ name: 'OS_DEFAULT_BACKEND__SWIFT_STORE_KEY', valueFrom: fromSecret('swift-creds', 'key') }]);
  });
});

describe('s3', () => {
  test('host, bucket, creation and URL format in glance.conf; both keys through the environment; no volume without a CA', () => {
    const { m, section } = onlyStore('s3', { backend: s3() });
    expect(section).toEqual({
      s3_store_host: 'https://s3.example.com',
      s3_store_bucket: 'glance-images',
      s3_store_create_bucket_on_put: 'true',
      s3_store_bucket_url_format: 'auto',
      store_description: 'S3 backend',
    });
    expect(storeEnv(m)).toEqual([
      { name: 'OS_DEFAULT_BACKEND__S3_STORE_ACCESS_KEY', valueFrom: fromSecret('s3-creds', 'access') },
      { name: 'OS_DEFAULT_BACKEND__S3_STORE_SECRET_KEY', valueFrom: fromSecret('s3-creds', 'secret') },
    ]);
    expect(apiPod(m).volumes.map((v: any) => v.name)).toEqual(['config', 'tmp']);
  });

  test('a CA bundle from a Secret key, mounted read-only where s3_store_cacert points; path-style URLs; no bucket creation', () => {
    const m = synthGlance({ backend: s3({ host: 'rgw.ceph.svc:8080', createBucketOnPut: false, bucketUrlFormat: S3BucketUrlFormat.PATH, caCertSecret: { name: 's3-ca', key: 'ca.pem' } }) });
    expect(glanceConf(m, STS).default_backend).toMatchObject({
      s3_store_host: 'rgw.ceph.svc:8080',
      s3_store_create_bucket_on_put: 'false',
      s3_store_bucket_url_format: 'path',
      s3_store_cacert: '/etc/glance/stores/default_backend/ca.crt',
    });
    expect(apiPod(m).volumes).toContainEqual({ name: 's3-ca', secret: { secretName: 's3-ca', defaultMode: 0o440, items: [{ key: 'ca.pem', path: 'ca.crt' }] } });
    expect(apiContainer(m).volumeMounts).toContainEqual({ name: 's3-ca', mountPath: '/etc/glance/stores/default_backend', readOnly: true });
  });
});

describe('cinder', () => {
  test('is refused without the opt-in, and the error says why', () => {
    const err = expectInvalid(() => synthGlance({ backend: ImageBackend.cinder() }), 'backend.allowPrivilegedAttach', /restricted.*root.*sudo glance-rootwrap.*privsep/);
    expect(err.message).toMatch(/Fix: set allowPrivilegedAttach: true/);
    expectInvalid(() => synthGlance({ backend: ImageBackend.cinder({ allowPrivilegedAttach: 'yes' as any }) }), 'backend.allowPrivilegedAttach', '"yes"');
    expectInvalid(() => synthGlance({ backend: ImageBackend.multi({ stores: { vol: ImageBackend.cinder() }, defaultStore: 'vol' }) }),
      'backend.stores.vol.allowPrivilegedAttach', /restricted/);
  });

  test('Keystone v3 URL, user, project and domains of the deployment; the catalog entry; the password through the environment', () => {
    // Its section with every default: defaults.test.ts. The auth address ends in /v3: glance_store
    // hands it to keystoneauth's V3Password as is, which posts to <url>/auth/tokens.
    const { m, section } = onlyStore('cinder', { backend: cinder() });
    expect(storeEnv(m)).toEqual([{ name: 'OS_DEFAULT_BACKEND__CINDER_STORE_PASSWORD', valueFrom: fromSecret('osp-secret', 'GlancePassword') }]);
    const own = synthGlance({
      keystone: { authUrl: 'http://ks:5000/v3/', passwordSecret: { name: 'osp-secret', key: 'p' }, domainName: 'Infra' },
      backend: cinder({ user: 'images', projectName: 'volumes', catalogInfo: 'volumev3:cinderv3:publicURL', volumeType: 'glance-fast', passwordSecret: { name: 'cinder-creds', key: 'pw' } }),
    });
    expect(glanceConf(own, STS).default_backend).toEqual({
      ...section,
      cinder_store_auth_address: 'http://ks:5000/v3',
      cinder_store_user_name: 'images',
      cinder_store_project_name: 'volumes',
      cinder_store_user_domain_name: 'Infra',
      cinder_store_project_domain_name: 'Infra',
      cinder_catalog_info: 'volumev3:cinderv3:publicURL',
      cinder_volume_type: 'glance-fast',
    });
    expect(storeEnv(own)).toEqual([{ name: 'OS_DEFAULT_BACKEND__CINDER_STORE_PASSWORD', valueFrom: fromSecret('cinder-creds', 'pw') }]);
  });

  test('with the opt-in only the glance-api containers are privileged, with the node\'s device paths; every other pod stays restricted', () => {
    const m = synthGlance({ backend: cinder(), imageCache: { size: '1Gi' }, apis: { default: { type: GlanceApiType.SPLIT } } });
    const pods = podSpecs(m);
    const apis = pods.filter(({ where }) => where.startsWith('StatefulSet/'));
    expect(apis.map(({ where }) => where)).toEqual(['StatefulSet/glance-default-internal', 'StatefulSet/glance-default-external']);
    for (const { spec } of apis) {
      expect(spec.containers[0].securityContext).toEqual({
        runAsNonRoot: true, runAsUser: 42415, runAsGroup: 42415, allowPrivilegeEscalation: true, privileged: true, readOnlyRootFilesystem: true,
      });
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 42415, fsGroup: 42415 });
      expect(spec.hostPID ?? false).toBe(false);
      expect(spec.hostNetwork ?? false).toBe(false);
      expect(spec.volumes.filter((v: any) => v.hostPath)).toEqual([
        { name: 'host-dev', hostPath: { path: '/dev', type: 'Directory' } },
        { name: 'host-sys', hostPath: { path: '/sys', type: 'Directory' } },
        { name: 'host-etc-iscsi', hostPath: { path: '/etc/iscsi', type: 'DirectoryOrCreate' } },
        { name: 'host-etc-nvme', hostPath: { path: '/etc/nvme', type: 'DirectoryOrCreate' } },
      ]);
      expect(spec.containers[0].volumeMounts.filter((v: any) => v.name.startsWith('host-'))).toEqual([
        { name: 'host-dev', mountPath: '/dev' },
        { name: 'host-sys', mountPath: '/sys' },
        { name: 'host-etc-iscsi', mountPath: '/etc/iscsi', readOnly: true },
        { name: 'host-etc-nvme', mountPath: '/etc/nvme' },
      ]);
    }
    const others = pods.filter(({ where }) => !where.startsWith('StatefulSet/'));
    expect(others.length).toBeGreaterThanOrEqual(6); // db-sync, db-purge, a pruner and a cleaner per StatefulSet
    for (const { spec } of others) expectRestrictedPod(spec);
  });
});

describe('rbd', () => {
  test('one Secret is mounted as before; a cluster name picks /etc/ceph/<cluster>.conf', () => {
    const m = synthGlance({ backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf', cluster: 'az1' }), apis: { default: { type: GlanceApiType.SINGLE, showImageDirectUrl: false } } });
    expect(glanceConf(m, STS).default_backend.rbd_store_ceph_conf).toBe('/etc/ceph/az1.conf');
    expect(apiPod(m).volumes).toContainEqual({ name: 'ceph', secret: { secretName: 'ceph-conf', defaultMode: 0o440 } });
    expect(apiContainer(m).volumeMounts).toContainEqual({ name: 'ceph', mountPath: '/etc/ceph', readOnly: true });
  });

  test('several Secrets are projected together into /etc/ceph', () => {
    const m = synthGlance({
      backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf', cephSecretNames: ['ceph-keyrings', 'ceph-conf'] }),
      apis: { default: { type: GlanceApiType.SINGLE, showImageDirectUrl: false } },
    });
    expect(apiPod(m).volumes).toContainEqual({ name: 'ceph', projected: { defaultMode: 0o440, sources: [{ secret: { name: 'ceph-conf' } }, { secret: { name: 'ceph-keyrings' } }] } });
    expect(glanceConf(m, STS).default_backend.rbd_store_ceph_conf).toBe('/etc/ceph/ceph.conf');
  });
});

describe('file store on an NFS export', () => {
  test('the export is a PersistentVolume bound to the <name>-images claim, mounted at the file store; several replicas may share it', () => {
    const m = synthGlance({ backend: ImageBackend.file({ sharedStore: { nfs: { server: 'nfs.example.com', path: '/var/nfs' } } }), apis: { default: { replicas: 3 } } });
    // Pod Security "restricted" forbids an inline nfs: volume; a claim is allowed.
    expect(apiPod(m).volumes).toContainEqual({ name: 'images', persistentVolumeClaim: { claimName: 'glance-images' } });
    expect(apiPod(m).volumes.filter((v: any) => v.nfs)).toEqual([]);
    expect(apiContainer(m).volumeMounts).toContainEqual({ name: 'images', mountPath: '/var/lib/glance/images' });
    const pv = find(m, 'PersistentVolume', 'openstack-glance-images');
    expect(pv.metadata.namespace).toBeUndefined();
    expect(pv.spec).toEqual({
      accessModes: ['ReadWriteMany'],
      capacity: { storage: '100Gi' },
      nfs: { server: 'nfs.example.com', path: '/var/nfs' },
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '',
      claimRef: { namespace: 'openstack', name: 'glance-images' },
    });
    expect(find(m, 'PersistentVolumeClaim', 'glance-images').spec).toEqual({
      accessModes: ['ReadWriteMany'], storageClassName: '', volumeName: 'openstack-glance-images', resources: { requests: { storage: '100Gi' } },
    });
    expect(glanceConf(m, STS).default_backend).toEqual({ filesystem_store_datadir: '/var/lib/glance/images', store_description: 'File backend' });
  });

  test('the volume takes the claim\'s size; without a chart namespace it is named <name>-images and binds from the claim\'s side', () => {
    const chart = new Chart(Testing.app(), 'no-namespace');
    new Glance(chart, 'glance', { ...BASE_PROPS, name: 'img', backend: ImageBackend.file({ sharedStore: { nfs: { server: '192.0.2.5', path: '/x' }, storageRequest: '2Ti' } }) });
    const m = Testing.synth(chart) as Manifest[];
    const pv = find(m, 'PersistentVolume', 'img-images');
    expect(pv.spec.capacity).toEqual({ storage: '2Ti' });
    expect(pv.spec.claimRef).toBeUndefined();
    expect(find(m, 'PersistentVolumeClaim', 'img-images').spec).toMatchObject({ volumeName: 'img-images', resources: { requests: { storage: '2Ti' } } });
  });

  test.each([
    [{ nfs: { server: 'nfs example', path: '/x' } }, 'backend.sharedStore.nfs.server', /host name/],
    [{ nfs: { server: 'nfs.example.com', path: 'exports' } }, 'backend.sharedStore.nfs.path', /absolute/],
    [{ nfs: { server: 'nfs.example.com', path: '/exports/../etc' } }, 'backend.sharedStore.nfs.path', /absolute/],
    [{ nfs: { server: 'nfs.example.com' } }, 'backend.sharedStore.nfs.path', /undefined/],
    [{ nfs: 'nfs.example.com:/exports' }, 'backend.sharedStore.nfs', /not an NFS export/],
    [{ nfs: { server: 'n', path: '/x' }, storageClass: 'nfs-client' }, 'backend.sharedStore.nfs', /together with existingClaimName or storageClass/],
  ])('rejects %j', (sharedStore, prop, message) => {
    expectInvalid(() => synthGlance({ backend: ImageBackend.file({ sharedStore: sharedStore as any }) }), prop, message);
  });
});

describe('several stores at once', () => {
  test('two Ceph clusters and swift, as the glance-operator\'s multistore sample: one section each, the default, one /etc/ceph', () => {
    const m = synthGlance({ backend: twoCephAndSwift() });
    const conf = glanceConf(m, STS);
    expect(conf.DEFAULT.enabled_backends).toBe('ceph-0:rbd,ceph-1:rbd,swift-0:swift');
    expect(conf.glance_store).toEqual({ default_backend: 'ceph-1' });
    expect(conf['ceph-0']).toEqual({ rbd_store_pool: 'images', rbd_store_user: 'openstack', rbd_store_ceph_conf: '/etc/ceph/ceph-0.conf', store_description: 'Ceph RBD backend' });
    expect(conf['ceph-1']).toEqual({ rbd_store_pool: 'glance', rbd_store_user: 'openstack', rbd_store_ceph_conf: '/etc/ceph/ceph-1.conf', store_description: 'RBD backend 1' });
    expect(conf['swift-0']).toMatchObject({ swift_store_user: 'service:glance', swift_store_auth_address: 'http://keystone.openstack.svc:5000' });
    expect(conf.default_backend).toBeUndefined();
    expect(apiPod(m).volumes.filter((v: any) => v.name === 'ceph')).toEqual([
      { name: 'ceph', projected: { defaultMode: 0o440, sources: [{ secret: { name: 'ceph-conf-0' } }, { secret: { name: 'ceph-conf-1' } }] } },
    ]);
    expect(apiContainer(m).volumeMounts.filter((v: any) => v.mountPath === '/etc/ceph')).toEqual([{ name: 'ceph', mountPath: '/etc/ceph', readOnly: true }]);
    expect(storeEnv(m)).toEqual([{ name: 'OS_SWIFT-0__SWIFT_STORE_KEY', valueFrom: fromSecret('osp-secret', 'GlancePassword') }]);
  });

  test('two pools of one cluster share its Secret; two S3 stores get a CA volume each, named apart', () => {
    const m = synthGlance({
      backend: ImageBackend.multi({
        stores: {
          fast: ImageBackend.rbd({ cephSecretName: 'ceph-conf', pool: 'fast' }),
          slow: ImageBackend.rbd({ cephSecretName: 'ceph-conf', pool: 'slow' }),
          east: s3({ caCertSecret: { name: 'ca-east', key: 'ca.pem' } }),
          west: s3({ caCertSecret: { name: 'ca-west', key: 'ca.pem' } }),
        },
        defaultStore: 'fast',
      }),
      apis: { default: { type: GlanceApiType.SINGLE } },
    });
    const pod = apiPod(m);
    expect(pod.volumes.filter((v: any) => v.name === 'ceph')).toEqual([{ name: 'ceph', secret: { secretName: 'ceph-conf', defaultMode: 0o440 } }]);
    expect(pod.volumes.filter((v: any) => v.name.startsWith('s3-ca')).map((v: any) => [v.name, v.secret.secretName])).toEqual([['s3-ca', 'ca-east'], ['s3-ca-2', 'ca-west']]);
    expect(pod.containers[0].volumeMounts.filter((v: any) => v.name.startsWith('s3-ca'))).toEqual([
      { name: 's3-ca', mountPath: '/etc/glance/stores/east', readOnly: true },
      { name: 's3-ca-2', mountPath: '/etc/glance/stores/west', readOnly: true },
    ]);
    expect(glanceConf(m, STS).west.s3_store_cacert).toBe('/etc/glance/stores/west/ca.crt');
    expect(storeEnv(m).map((e: any) => e.name)).toEqual([
      'OS_EAST__S3_STORE_ACCESS_KEY', 'OS_EAST__S3_STORE_SECRET_KEY', 'OS_WEST__S3_STORE_ACCESS_KEY', 'OS_WEST__S3_STORE_SECRET_KEY',
    ]);
  });

  test('a file store beside rbd; split by default as with rbd alone; the file store still needs sharing for several replicas', () => {
    const backend = ImageBackend.multi({ stores: { local: ImageBackend.file(), ceph: ImageBackend.rbd({ cephSecretName: 'ceph-conf' }) }, defaultStore: 'ceph' });
    expectInvalid(() => synthGlance({ backend }), 'backend.stores.local', /2 replicas in 2 StatefulSet/);
    const shared = ImageBackend.multi({
      stores: { local: ImageBackend.file({ sharedStore: { existingClaimName: 'images-rwx' } }), ceph: ImageBackend.rbd({ cephSecretName: 'ceph-conf' }) },
      defaultStore: 'ceph',
    });
    const m = synthGlance({ backend: shared });
    expect(ofKind(m, 'StatefulSet').map((s) => s.metadata.name)).toEqual(['glance-default-internal', 'glance-default-external']);
    expect(glanceConf(m, 'glance-default-internal').DEFAULT.show_image_direct_url).toBe('true');
    expect(glanceConf(m, 'glance-default-internal').local).toEqual({ filesystem_store_datadir: '/var/lib/glance/images', store_description: 'File backend' });
  });

  test('the Ceph Secrets of a multi-store are checked against ours under their store\'s prop', () => {
    const backend = ImageBackend.multi({
      stores: { a: ImageBackend.rbd({ cephSecretName: 'ceph-a' }), b: ImageBackend.rbd({ cephSecretNames: ['glance-default-internal-config'] }) },
      defaultStore: 'a',
    });
    expectInvalid(() => synthGlance({ backend }), 'backend.stores.b.cephSecretNames[0]', /this chart creates for/);
  });
});

describe('image locations hold the swift and s3 credentials, so no API shows them', () => {
  test.each([
    ['swift', () => ImageBackend.swift()],
    ['s3', () => s3()],
    ['rbd and swift', () => twoCephAndSwift()],
  ])('%s', (_name, backend) => {
    const m = synthGlance({ backend: backend(), apis: { default: {}, edge: { type: GlanceApiType.EDGE }, both: { type: GlanceApiType.SPLIT } } });
    // Ceph clones need locations; these cannot show them, so the default layout is not split for them.
    expect(ofKind(m, 'StatefulSet').map((s) => s.metadata.name)).toEqual(['glance-default-single', 'glance-edge-edge', 'glance-both-internal', 'glance-both-external']);
    for (const sts of ofKind(m, 'StatefulSet')) expect(glanceConf(m, sts.metadata.name).DEFAULT.show_image_direct_url).toBe('false');
    expectInvalid(() => synthGlance({ backend: backend(), apis: { e: { type: GlanceApiType.EDGE, showImageDirectUrl: true } } }),
      'apis.e.showImageDirectUrl', /hold the store credentials/);
  });
});

describe('credentials never enter the config text', () => {
  test.each(CASES)('%s: every store credential comes from a Secret through the environment, and no Secret or ConfigMap we write names one', (_name, props) => {
    const m = synthGlance(props());
    expect(ofKind(m, 'ConfigMap')).toEqual([]);
    const written = ofKind(m, 'Secret').map((s) => JSON.stringify([s.stringData ?? {}, s.data ?? {}])).join('\n');
    expect(written).not.toMatch(/swift_store_key|s3_store_access_key|s3_store_secret_key|cinder_store_password|GlancePassword|s3-creds/);
    for (const sts of ofKind(m, 'StatefulSet')) {
      for (const variable of storeEnv(m, sts.metadata.name)) {
        expect(variable.value).toBeUndefined();
        expect(Object.keys(variable.valueFrom)).toEqual(['secretKeyRef']);
      }
    }
  });

  test.each(CASES)('%s: valid under both Kubernetes schemas, restricted where not opted in, every written directory on a writable volume', (name, props) => {
    const m = synthGlance(props());
    for (const manifest of m) for (const schema of Object.values(SCHEMAS)) validateSchema(manifest, schema);
    for (const { where, spec } of podSpecs(m)) if (!(name === 'cinder' && where.startsWith('StatefulSet/'))) expectRestrictedPod(spec);
    expect(readOnlyRootViolations(m)).toEqual([]);
  });
});

describe('customServiceConfig may not set what a store manages, in any section spelling', () => {
  test.each([
    ['swift key', () => ImageBackend.swift(), '[default_backend]\nswift_store_key = plain\n', /\[default_backend\] swift_store_key.*Fix: remove it and set backend.keySecret/],
    ['swift user, other spelling', () => ImageBackend.swift(), '[DEFAULT_BACKEND]\nswift-store-user = admin:admin\n', /backend.projectName and backend.user/],
    ['s3 secret key', () => s3(), '[default_backend]\ns3_store_secret_key = plain\n', /backend.secretKeySecret/],
    ['cinder password', () => cinder(), '[default_backend]\ncinder_store_password = plain\n', /backend.passwordSecret/],
    ['rbd Ceph config', () => ImageBackend.rbd({ cephSecretName: 'c' }), '[default_backend]\nrbd_store_ceph_conf = /tmp/ceph.conf\n', /backend.cluster/],
    ['multi-store swift key', () => twoCephAndSwift(), '[swift-0]\nswift_store_key = plain\n', /backend.stores.swift-0.keySecret/],
    ['multi-store pool, upper-case section', () => twoCephAndSwift(), '[Ceph-1]\nrbd_store_pool = other\n', /reads it as \[ceph-1\] rbd_store_pool.*backend.stores.ceph-1.pool/],
  ])('%s', (_name, backendOf, custom, message) => {
    const backend = backendOf();
    expectInvalid(() => synthGlance({ backend, apis: { default: { type: GlanceApiType.SINGLE } }, customServiceConfig: custom }), 'customServiceConfig', message);
    expectInvalid(() => synthGlance({ backend, apis: { default: { type: GlanceApiType.SINGLE, customServiceConfig: custom } } }), 'apis.default.customServiceConfig', message);
  });

  test('options no store writes, and sections no store has, stay the user\'s', () => {
    const custom = '[ceph-0]\nrbd_store_chunk_size = 4\n[swift-0]\nswift_store_large_object_size = 1024\n[default_backend]\nswift_store_key = not-a-store-here\n';
    const m = synthGlance({ backend: twoCephAndSwift(), customServiceConfig: custom });
    expect(find(m, 'Secret', `${STS}-config`).stringData['50-custom.conf']).toBe(custom);
  });

  test('every option a store renders or takes from a Secret is managed', () => {
    const backend = ImageBackend.multi({
      stores: {
        f: ImageBackend.file({ description: 'f' }),
        r: ImageBackend.rbd({ cephSecretName: 'c', cluster: 'x', pool: 'p', user: 'u', description: 'r' }),
        sw: ImageBackend.swift({ keySecret: { name: 'k', key: 'k' }, user: 'u', projectName: 'p', container: 'c', region: 'r', endpointType: 'adminURL', description: 's' }),
        s: s3({ caCertSecret: { name: 'ca', key: 'ca' }, createBucketOnPut: false, bucketUrlFormat: S3BucketUrlFormat.VIRTUAL, description: 's3' }),
        c: cinder({ volumeType: 'v', catalogInfo: 'volumev3::publicURL', user: 'u', projectName: 'p', passwordSecret: { name: 'p', key: 'p' }, description: 'c' }),
      },
      defaultStore: 'r',
    });
    const m = synthGlance({ backend, storage: { external: false }, apis: { default: { type: GlanceApiType.SINGLE } } });
    const conf = glanceConf(m, STS);
    const written = ['f', 'r', 'sw', 's', 'c'].flatMap((section) => Object.keys(conf[section]).map((option) => `${section}.${option}`));
    const fromEnv = storeEnv(m).map((e: any) => /^OS_(.+)__(.+)$/.exec(e.name)!).map(([, group, option]: string[]) => `${group.toLowerCase()}.${option.toLowerCase()}`);
    expect(fromEnv).toEqual(['sw.swift_store_key', 's.s3_store_access_key', 's.s3_store_secret_key', 'c.cinder_store_password']);
    backend._validate();
    const managed = backend._managedOptions();
    for (const option of [...written, ...fromEnv]) expect([option, managed[option]]).toEqual([option, expect.any(String)]);
  });
});

describe('validation names the prop path', () => {
  const multi = (store: ImageBackend) => ImageBackend.multi({ stores: { swift0: store }, defaultStore: 'swift0' });
  test.each([
    ['backend.region', () => ImageBackend.swift({ region: ' ' }), /empty or spans lines/],
    ['backend.stores.swift0.region', () => multi(ImageBackend.swift({ region: 'a\nb' })), /spans lines/],
    ['backend.stores.swift0.endpointType', () => multi(ImageBackend.swift({ endpointType: 'internal' })), /not one of internalURL/],
    ['backend.stores.swift0.user', () => multi(ImageBackend.swift({ user: 'admin:admin' })), /contains ":"/],
    ['backend.stores.swift0.container', () => multi(ImageBackend.swift({ container: 'a/b' })), /container name/],
    ['backend.stores.swift0.keySecret.name', () => multi(ImageBackend.swift({ keySecret: { name: 'Bad', key: 'k' } })), /DNS-1123/],
    ['backend.stores.swift0.description', () => multi(ImageBackend.swift({ description: '' })), /empty/],
    ['backend.host', () => s3({ host: 'ftp://s3.example.com' }), /not an S3 endpoint/],
    ['backend.host', () => s3({ host: 'https://s3.example.com:99999' }), /not an S3 endpoint/],
    ['backend.bucket', () => s3({ bucket: 'Glance_Images' }), /bucket name/],
    ['backend.accessKeySecret', () => s3({ accessKeySecret: undefined }), /is required/],
    ['backend.secretKeySecret.key', () => s3({ secretKeySecret: { name: 's3', key: 'a b' } }), /Secret key/],
    ['backend.bucketUrlFormat', () => s3({ bucketUrlFormat: 'dns' }), /not one of auto, path, virtual/],
    ['backend.createBucketOnPut', () => s3({ createBucketOnPut: 'yes' }), /boolean/],
    ['backend.catalogInfo', () => cinder({ catalogInfo: 'volumev3' }), /service_type/],
    ['backend.volumeType', () => cinder({ volumeType: '\n' }), /spans lines/],
    ['backend.passwordSecret.key', () => cinder({ passwordSecret: { name: 'x' } }), /Secret key/],
    ['backend.cephSecretNames', () => ImageBackend.rbd({ cephSecretNames: [] }), /list of Secret names/],
    ['backend.cephSecretNames[1]', () => ImageBackend.rbd({ cephSecretNames: ['ok', 'Not_OK'] }), /DNS-1123/],
    ['backend.cluster', () => ImageBackend.rbd({ cephSecretName: 'c', cluster: 'ceph/../x' }), /cluster name/],
    ['backend.cephSecretName', () => ImageBackend.rbd({}), /DNS-1123/],
  ])('%s (case %#)', (prop, backend, message) => {
    expectInvalid(() => synthGlance({ backend: (backend as () => ImageBackend)() }), prop, message);
  });

  test.each([
    [() => ({}), 'backend.stores', /names no store/],
    [() => ({ stores: [] }), 'backend.stores', /names no store/],
    [() => ({ stores: { a: ImageBackend.swift() } }), 'backend.defaultStore', /names no store.*Fix: use one of "a"/],
    [() => ({ stores: { a: ImageBackend.swift() }, defaultStore: 'b' }), 'backend.defaultStore', /"b"/],
    [() => ({ stores: { Swift: ImageBackend.swift() }, defaultStore: 'Swift' }), 'backend.stores.Swift', /not a store name/],
    [() => ({ stores: { '0swift': ImageBackend.swift() }, defaultStore: '0swift' }), 'backend.stores.0swift', /not a store name/],
    [() => ({ stores: { glance_store: ImageBackend.swift() }, defaultStore: 'glance_store' }), 'backend.stores.glance_store', /option group/],
    [() => ({ stores: { keystone_authtoken: ImageBackend.swift() }, defaultStore: 'keystone_authtoken' }), 'backend.stores.keystone_authtoken', /option group/],
    [() => ({ stores: { os_glance_cache: ImageBackend.swift() }, defaultStore: 'os_glance_cache' }), 'backend.stores.os_glance_cache', /option group/],
    [() => ({ stores: { a: ImageBackend.multi({ stores: {}, defaultStore: 'x' }) }, defaultStore: 'a' }), 'backend.stores.a', /does not nest/],
    [() => ({ stores: { a: { isShared: true } } }), 'backend.stores.a', /not an ImageBackend/],
    [() => ({ stores: { a: null }, defaultStore: 'a' }), 'backend.stores.a', /not an ImageBackend/],
    [() => ({ stores: { a: ImageBackend.file(), b: ImageBackend.file() }, defaultStore: 'a' }), 'backend.stores.b', /as store "a" does/],
  ])('multi %#', (options, prop, message) => {
    expectInvalid(() => synthGlance({ backend: ImageBackend.multi(options() as any) }), prop, message);
  });

  test.each([
    ['file', null], ['rbd', undefined], ['rbd', null], ['swift', null], ['s3', undefined], ['s3', 'bucket'], ['cinder', null], ['multi', undefined], ['multi', null],
  ])('ImageBackend.%s(%p) from JavaScript is our error, not a TypeError', (factory, options) => {
    expectInvalid(() => synthGlance({ backend: (ImageBackend as any)[factory](options) }), 'backend', /without its options|not an options object/);
  });

  test('a backend that is no ImageBackend', () => {
    expectInvalid(() => synthGlance({ backend: { isShared: true } as any }), 'backend', /not an ImageBackend/);
  });
});

describe('Secrets the stores name are checked against ours', () => {
  test.each([
    ['backend.keySecret.name', () => ImageBackend.swift({ keySecret: { name: 'glance-default-single-config', key: 'k' } })],
    ['backend.secretKeySecret.name', () => s3({ secretKeySecret: { name: 'glance-db-config', key: 'k' } })],
    ['backend.caCertSecret.name', () => s3({ caCertSecret: { name: 'glance-db-config', key: 'k' } })],
    ['backend.passwordSecret.name', () => cinder({ passwordSecret: { name: 'glance-default-single-config', key: 'k' } })],
    ['backend.stores.swift-0.keySecret.name', () => ImageBackend.multi({ stores: { 'swift-0': ImageBackend.swift({ keySecret: { name: 'glance-db-config', key: 'k' } }) }, defaultStore: 'swift-0' })],
  ])('%s', (prop, backend) => {
    expectInvalid(() => synthGlance({ backend: backend() }), prop, /this chart creates for .* overwrite yours/);
  });
});
