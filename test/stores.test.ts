/**
 * The image stores: what each renders into glance.conf, the environment its credentials reach
 * Glance through, its volumes, several stores at once, and that every pod but an opted-in Cinder
 * API stays restricted. Their refusals: test/store-validation.test.ts. What real Glance makes of
 * it: test/e2e/stores.test.ts.
 */
import { createHash } from 'crypto';
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
const volumeNames = (m: Manifest[]) => apiPod(m).volumes.map((v: any) => v.name);
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
  ['file on NFS', () => ({
    backend: ImageBackend.file({ sharedStore: { nfs: { server: '192.0.2.5', path: '/exports/glance' } } }),
    apis: { default: { replicas: 2 } },
  })],
  ['two Ceph clusters and swift', () => ({ backend: twoCephAndSwift(), imageCache: { size: '1Gi' } })],
];
const keystone = {
  authUrl: 'https://keystone.example:5000/v3',
  passwordSecret: { name: 'osp-secret', key: 'GlancePassword' },
  username: 'glance-svc',
  region: 'regionOne',
};

describe('swift', () => {
  // Its section with every default: defaults.test.ts.
  test('the key comes from keystone.passwordSecret through the environment', () => {
    const { m } = onlyStore('swift', { backend: ImageBackend.swift() });
    expect(storeEnv(m)).toEqual([{ name: 'OS_DEFAULT_BACKEND__SWIFT_STORE_KEY', valueFrom: fromSecret('osp-secret', 'GlancePassword') }]);
  });

  test('no volume of its own', () => {
    expect(volumeNames(synthGlance({ backend: ImageBackend.swift() }))).toEqual(['config', 'tmp']);
  });

  test('the Keystone URL, user and region follow Keystone\'s unless given', () => {
    expect(glanceConf(synthGlance({ keystone, backend: ImageBackend.swift() }), STS).default_backend).toMatchObject({
      swift_store_auth_address: 'https://keystone.example:5000/v3', swift_store_user: 'service:glance-svc', swift_store_region: 'regionOne',
    });
  });

  test('every option is a prop', () => {
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
  test('host, bucket, bucket creation and URL format in glance.conf', () => {
    expect(onlyStore('s3', { backend: s3() }).section).toEqual({
      s3_store_host: 'https://s3.example.com',
      s3_store_bucket: 'glance-images',
      s3_store_create_bucket_on_put: 'true',
      s3_store_bucket_url_format: 'auto',
      store_description: 'S3 backend',
    });
  });

  test('both keys come through the environment', () => {
    expect(storeEnv(synthGlance({ backend: s3() }))).toEqual([
      { name: 'OS_DEFAULT_BACKEND__S3_STORE_ACCESS_KEY', valueFrom: fromSecret('s3-creds', 'access') },
      { name: 'OS_DEFAULT_BACKEND__S3_STORE_SECRET_KEY', valueFrom: fromSecret('s3-creds', 'secret') },
    ]);
  });

  test('without a CA Secret, no volume of its own', () => {
    expect(volumeNames(synthGlance({ backend: s3() }))).toEqual(['config', 'tmp']);
  });

  test('a CA bundle from a Secret key is mounted read-only where s3_store_cacert points', () => {
    const m = synthGlance({ backend: s3({ caCertSecret: { name: 's3-ca', key: 'ca.pem' } }) });
    expect(glanceConf(m, STS).default_backend.s3_store_cacert).toBe('/etc/glance/stores/default_backend/ca.crt');
    expect(apiPod(m).volumes).toContainEqual(
      { name: 's3-ca', secret: { secretName: 's3-ca', defaultMode: 0o440, items: [{ key: 'ca.pem', path: 'ca.crt' }] } });
    expect(apiContainer(m).volumeMounts).toContainEqual({ name: 's3-ca', mountPath: '/etc/glance/stores/default_backend', readOnly: true });
  });

  test('path-style URLs, no bucket creation and a host with a port are rendered as given', () => {
    const m = synthGlance({ backend: s3({ host: 'rgw.ceph.svc:8080', createBucketOnPut: false, bucketUrlFormat: S3BucketUrlFormat.PATH }) });
    expect(glanceConf(m, STS).default_backend).toMatchObject({
      s3_store_host: 'rgw.ceph.svc:8080', s3_store_create_bucket_on_put: 'false', s3_store_bucket_url_format: 'path',
    });
  });
});

describe('cinder', () => {
  // Its section with every default: defaults.test.ts. The auth address ends in /v3: glance_store
  // hands it to keystoneauth's V3Password as is, which posts to <url>/auth/tokens.
  test('the password comes from keystone.passwordSecret through the environment', () => {
    const { m } = onlyStore('cinder', { backend: cinder() });
    expect(storeEnv(m)).toEqual([{ name: 'OS_DEFAULT_BACKEND__CINDER_STORE_PASSWORD', valueFrom: fromSecret('osp-secret', 'GlancePassword') }]);
  });

  test('Keystone\'s domain, and the user, project, catalog entry, volume type and password as given', () => {
    const section = glanceConf(synthGlance({ backend: cinder() }), STS).default_backend;
    const own = synthGlance({
      keystone: { authUrl: 'http://ks:5000/v3/', passwordSecret: { name: 'osp-secret', key: 'p' }, domainName: 'Infra' },
      backend: cinder({
        user: 'images',
        projectName: 'volumes',
        catalogInfo: 'volumev3:cinderv3:publicURL',
        volumeType: 'glance-fast',
        passwordSecret: { name: 'cinder-creds', key: 'pw' },
      }),
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

  test.each([['http://ks:5000//', 'http://ks:5000/v3'], ['http://ks:5000/v3//', 'http://ks:5000/v3'],
    ['https://cloud.example/v3keystone', 'https://cloud.example/v3keystone/v3']])('the Keystone URL %s ends in one /v3: %s', (authUrl, expected) => {
    const m = synthGlance({ keystone: { ...BASE_PROPS.keystone, authUrl }, backend: cinder() });
    expect(glanceConf(m, STS).default_backend.cinder_store_auth_address).toBe(expected);
  });

  const split = () => synthGlance({ backend: cinder(), imageCache: { size: '1Gi' }, apis: { default: { type: GlanceApiType.SPLIT } } });
  const apiPods = (m: Manifest[]) => podSpecs(m).filter(({ where }) => where.startsWith('StatefulSet/'));

  test('with the opt-in, the glance-api containers are privileged', () => {
    const apis = apiPods(split());
    expect(apis.map(({ where }) => where)).toEqual(['StatefulSet/glance-default-internal', 'StatefulSet/glance-default-external']);
    for (const { spec } of apis) {
      expect(spec.containers[0].securityContext).toEqual({
        runAsNonRoot: true, runAsUser: 42415, runAsGroup: 42415, allowPrivilegeEscalation: true, privileged: true, readOnlyRootFilesystem: true,
      });
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 42415, fsGroup: 42415 });
      expect(spec.hostPID ?? false).toBe(false);
      expect(spec.hostNetwork ?? false).toBe(false);
    }
  });

  test('with the opt-in, the glance-api containers mount the node\'s device paths', () => {
    for (const { spec } of apiPods(split())) {
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
  });

  describe('nodeTools: the node\'s attach programs, as the glance-operator runs them', () => {
    const withTools = () =>
      synthGlance({ backend: cinder({ nodeTools: true, useMultipath: true }), apis: { default: { type: GlanceApiType.SINGLE } } });
    const PROGRAMS = ['/usr/sbin/iscsiadm', '/usr/sbin/multipath', '/usr/sbin/multipathd', '/lib/udev/scsi_id', '/usr/sbin/nvme'];

    test('the pod shares the node\'s PID namespace, and each program\'s path is the wrapper, read-only', () => {
      const pod = apiPod(withTools());
      expect(pod.hostPID).toBe(true);
      expect(pod.volumes).toContainEqual({ name: 'cinder-node-tools', configMap: { name: 'glance-cinder-node-tools', defaultMode: 0o555 } });
      expect(pod.containers[0].volumeMounts.filter((v: any) => v.name === 'cinder-node-tools'))
        .toEqual(PROGRAMS.map((mountPath) => ({
          name: 'cinder-node-tools',
          mountPath,
          subPath: expect.stringMatching(/^run-on-node-[0-9a-f]{10}$/),
          readOnly: true,
        })));
    });

    test('the wrapper runs the program of its own path in the node\'s namespaces', () => {
      const data = find(withTools(), 'ConfigMap', 'glance-cinder-node-tools').data;
      const [key, text] = Object.entries<string>(data)[0];
      // Its key names its digest: a new text changes the pods' subPath, and so rolls them (the kubelet never updates a subPath mount).
      expect([Object.keys(data).length, key]).toEqual([1, `run-on-node-${createHash('sha256').update(text).digest('hex').slice(0, 10)}`]);
      expect(text.split('\n').filter((line: string) => line && !line.startsWith('#')))
        .toEqual(['exec nsenter --all --target 1 -- "$(realpath --no-symlinks "$0")" "$@"']);
    });

    test('the node\'s /run, /lib/modules and os-brick\'s lock directory, which [os_brick] lock_path names', () => {
      const m = withTools();
      expect(apiPod(m).volumes.filter((v: any) => v.hostPath).slice(4)).toEqual([
        { name: 'host-run', hostPath: { path: '/run', type: 'Directory' } },
        { name: 'host-lib-modules', hostPath: { path: '/lib/modules', type: 'DirectoryOrCreate' } },
        { name: 'host-os-brick-locks', hostPath: { path: '/var/locks/openstack/os-brick', type: 'DirectoryOrCreate' } },
      ]);
      expect(apiContainer(m).volumeMounts).toContainEqual({ name: 'host-lib-modules', mountPath: '/lib/modules', readOnly: true });
      expect(glanceConf(m, STS).os_brick).toEqual({ lock_path: '/var/locks/openstack/os-brick' });
      expect(glanceConf(m, STS).default_backend.cinder_use_multipath).toBe('true');
    });

    test('several cinder stores and APIs share one wrapper ConfigMap', () => {
      const m = synthGlance({
        backend: ImageBackend.multi({ stores: { a: cinder({ nodeTools: true }), b: cinder({ nodeTools: true }) }, defaultStore: 'a' }),
        apis: { default: { type: GlanceApiType.SPLIT } },
      });
      expect(ofKind(m, 'ConfigMap').map((c) => c.metadata.name)).toEqual(['glance-cinder-node-tools']);
      for (const { spec } of apiPods(m)) expect(spec.volumes.filter((v: any) => v.configMap)).toHaveLength(1);
    });

    test('without it: no wrapper, no hostPID, no lock path on the node', () => {
      const m = synthGlance({ backend: cinder() });
      expect(ofKind(m, 'ConfigMap')).toEqual([]);
      expect(apiPod(m).hostPID).toBeUndefined();
      expect(glanceConf(m, STS).os_brick).toBeUndefined();
    });

    test.each([
      ['policyConfigMap', { policyConfigMap: 'glance-cinder-node-tools' }],
      ['extraMounts[0].configMapName', { extraMounts: [{ mountPath: '/etc/x', configMapName: 'glance-cinder-node-tools' }] }],
    ])('a ConfigMap of yours named as the wrapper\'s (%s) is refused: applying the chart would overwrite it', (prop, more) => {
      expectInvalid(() => synthGlance({ backend: cinder({ nodeTools: true }), ...more }), prop,
        'names a ConfigMap that this chart creates (the cinder store\'s nodeTools)');
    });

    test.each([['nodeTools', 'yes'], ['useMultipath', 1]])('%s must be a boolean', (option, value) => {
      expectInvalid(() => cinder({ [option]: value }), `ImageBackend.cinder().${option}`, 'is not a boolean');
    });

    test('customServiceConfig may set neither the multipath option nor, with nodeTools, os-brick\'s lock path', () => {
      expectInvalid(() => synthGlance({ backend: cinder(), customServiceConfig: '[default_backend]\ncinder_use_multipath = true\n' }),
        'customServiceConfig', /backend\.useMultipath/);
      expectInvalid(() => synthGlance({ backend: cinder({ nodeTools: true }), customServiceConfig: '[os_brick]\nlock_path = /tmp\n' }),
        'customServiceConfig', /backend\.nodeTools/);
    });
  });

  test('with the opt-in, every pod but the API pods stays restricted', () => {
    const others = podSpecs(split()).filter(({ where }) => !where.startsWith('StatefulSet/'));
    expect(others.length).toBeGreaterThanOrEqual(6); // db-sync, db-purge, a pruner and a cleaner per StatefulSet
    for (const { spec } of others) expectRestrictedPod(spec);
  });
});

describe('rbd', () => {
  const single = { default: { type: GlanceApiType.SINGLE, showImageDirectUrl: false } };

  test('one Secret is mounted read-only at /etc/ceph', () => {
    const m = synthGlance({ backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf' }), apis: single });
    expect(apiPod(m).volumes).toContainEqual({ name: 'ceph', secret: { secretName: 'ceph-conf', defaultMode: 0o440 } });
    expect(apiContainer(m).volumeMounts).toContainEqual({ name: 'ceph', mountPath: '/etc/ceph', readOnly: true });
  });

  test('a cluster name picks /etc/ceph/<cluster>.conf', () => {
    const m = synthGlance({ backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf', cluster: 'az1' }), apis: single });
    expect(glanceConf(m, STS).default_backend.rbd_store_ceph_conf).toBe('/etc/ceph/az1.conf');
  });

  test('several Secrets are projected together into /etc/ceph, each once', () => {
    const m = synthGlance({
      backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf', cephSecretNames: ['ceph-keyrings', 'ceph-conf'] }),
      apis: single,
    });
    expect(apiPod(m).volumes).toContainEqual({
      name: 'ceph', projected: { defaultMode: 0o440, sources: [{ secret: { name: 'ceph-conf' } }, { secret: { name: 'ceph-keyrings' } }] },
    });
    expect(glanceConf(m, STS).default_backend.rbd_store_ceph_conf).toBe('/etc/ceph/ceph.conf');
  });

  test('cephSecretName with an empty cephSecretNames is the one Secret', () => {
    const m = synthGlance({ backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf', cephSecretNames: [] }) });
    expect(find(m, 'StatefulSet', 'glance-default-internal').spec.template.spec.volumes)
      .toContainEqual({ name: 'ceph', secret: { secretName: 'ceph-conf', defaultMode: 0o440 } });
  });
});

describe('file store', () => {
  test('of its own, with one replica: no volume of its own, as a store without files', () => {
    const [file, swift] = [synthGlance({ backend: ImageBackend.file() }), synthGlance({ backend: ImageBackend.swift() })];
    expect(apiPod(file).volumes).toEqual(apiPod(swift).volumes);
    expect(apiContainer(file).volumeMounts).toEqual(apiContainer(swift).volumeMounts);
  });

  const onNfs = () => synthGlance({
    backend: ImageBackend.file({ sharedStore: { nfs: { server: 'nfs.example.com', path: '/var/nfs' } } }), apis: { default: { replicas: 3 } },
  });

  test('on NFS: the export is a PersistentVolume of its own, bound to the <name>-images claim', () => {
    const m = onNfs();
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
  });

  test('on NFS: every replica mounts the claim at the file store, never an inline nfs volume', () => {
    const m = onNfs();
    // Pod Security "restricted" forbids an inline nfs: volume; a claim is allowed.
    expect(apiPod(m).volumes).toContainEqual({ name: 'images', persistentVolumeClaim: { claimName: 'glance-images' } });
    expect(apiPod(m).volumes.filter((v: any) => v.nfs)).toEqual([]);
    expect(apiContainer(m).volumeMounts).toContainEqual({ name: 'images', mountPath: '/var/lib/glance/images' });
    expect(glanceConf(m, STS).default_backend).toEqual({ filesystem_store_datadir: '/var/lib/glance/images', store_description: 'File backend' });
  });

  const withoutNamespace = () => {
    const chart = new Chart(Testing.app(), 'no-namespace');
    const sharedStore = { nfs: { server: '192.0.2.5', path: '/x' }, storageRequest: '2Ti' };
    new Glance(chart, 'glance', { ...BASE_PROPS, name: 'img', backend: ImageBackend.file({ sharedStore }) });
    return Testing.synth(chart) as Manifest[];
  };

  test('on NFS: the volume takes the claim\'s size', () => {
    const m = withoutNamespace();
    expect(find(m, 'PersistentVolume', 'img-images').spec.capacity).toEqual({ storage: '2Ti' });
    expect(find(m, 'PersistentVolumeClaim', 'img-images').spec.resources).toEqual({ requests: { storage: '2Ti' } });
  });

  test('on NFS without a chart namespace: the volume is named <name>-images and binds from the claim\'s side', () => {
    const m = withoutNamespace();
    expect(find(m, 'PersistentVolume', 'img-images').spec.claimRef).toBeUndefined();
    expect(find(m, 'PersistentVolumeClaim', 'img-images').spec.volumeName).toBe('img-images');
  });
});

describe('several stores at once', () => {
  test('two Ceph clusters and swift, as the glance-operator\'s multistore sample: one section each, and the default', () => {
    const conf = glanceConf(synthGlance({ backend: twoCephAndSwift() }), STS);
    expect(conf.DEFAULT.enabled_backends).toBe('ceph-0:rbd,ceph-1:rbd,swift-0:swift');
    expect(conf.glance_store).toEqual({ default_backend: 'ceph-1' });
    expect(conf['ceph-0']).toEqual({
      rbd_store_pool: 'images',
      rbd_store_user: 'openstack',
      rbd_store_ceph_conf: '/etc/ceph/ceph-0.conf',
      store_description: 'Ceph RBD backend',
    });
    expect(conf['ceph-1']).toEqual({
      rbd_store_pool: 'glance',
      rbd_store_user: 'openstack',
      rbd_store_ceph_conf: '/etc/ceph/ceph-1.conf',
      store_description: 'RBD backend 1',
    });
    expect(conf['swift-0']).toMatchObject({ swift_store_user: 'service:glance', swift_store_auth_address: 'http://keystone.openstack.svc:5000' });
    expect(conf.default_backend).toBeUndefined();
  });

  test('the Secrets of two Ceph clusters are projected together into one /etc/ceph', () => {
    const m = synthGlance({ backend: twoCephAndSwift() });
    expect(apiPod(m).volumes.filter((v: any) => v.name === 'ceph')).toEqual([
      { name: 'ceph', projected: { defaultMode: 0o440, sources: [{ secret: { name: 'ceph-conf-0' } }, { secret: { name: 'ceph-conf-1' } }] } },
    ]);
    expect(apiContainer(m).volumeMounts.filter((v: any) => v.mountPath === '/etc/ceph'))
      .toEqual([{ name: 'ceph', mountPath: '/etc/ceph', readOnly: true }]);
  });

  test('a store\'s environment variables are named after its section', () => {
    expect(storeEnv(synthGlance({ backend: twoCephAndSwift() }))).toEqual([
      { name: 'OS_SWIFT-0__SWIFT_STORE_KEY', valueFrom: fromSecret('osp-secret', 'GlancePassword') },
    ]);
  });

  const poolsAndBuckets = () => synthGlance({
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

  test('two pools of one cluster share its Secret', () => {
    expect(apiPod(poolsAndBuckets()).volumes.filter((v: any) => v.name === 'ceph'))
      .toEqual([{ name: 'ceph', secret: { secretName: 'ceph-conf', defaultMode: 0o440 } }]);
  });

  test('two S3 stores get a CA volume each, named apart, in their sections\' directories', () => {
    const m = poolsAndBuckets();
    const pod = apiPod(m);
    expect(pod.volumes.filter((v: any) => v.name.startsWith('s3-ca')).map((v: any) => [v.name, v.secret.secretName]))
      .toEqual([['s3-ca', 'ca-east'], ['s3-ca-2', 'ca-west']]);
    expect(pod.containers[0].volumeMounts.filter((v: any) => v.name.startsWith('s3-ca'))).toEqual([
      { name: 's3-ca', mountPath: '/etc/glance/stores/east', readOnly: true },
      { name: 's3-ca-2', mountPath: '/etc/glance/stores/west', readOnly: true },
    ]);
    expect(glanceConf(m, STS).west.s3_store_cacert).toBe('/etc/glance/stores/west/ca.crt');
    expect(storeEnv(m).map((e: any) => e.name)).toEqual([
      'OS_EAST__S3_STORE_ACCESS_KEY', 'OS_EAST__S3_STORE_SECRET_KEY', 'OS_WEST__S3_STORE_ACCESS_KEY', 'OS_WEST__S3_STORE_SECRET_KEY',
    ]);
  });

  test('a shared file store beside rbd is split by default, as rbd alone, and renders its section', () => {
    const shared = ImageBackend.multi({
      stores: {
        local: ImageBackend.file({ sharedStore: { existingClaimName: 'images-rwx' } }),
        ceph: ImageBackend.rbd({ cephSecretName: 'ceph-conf' }),
      },
      defaultStore: 'ceph',
    });
    const m = synthGlance({ backend: shared });
    expect(ofKind(m, 'StatefulSet').map((s) => s.metadata.name)).toEqual(['glance-default-internal', 'glance-default-external']);
    expect(glanceConf(m, 'glance-default-internal').DEFAULT.show_image_direct_url).toBe('true');
    expect(glanceConf(m, 'glance-default-internal').local)
      .toEqual({ filesystem_store_datadir: '/var/lib/glance/images', store_description: 'File backend' });
    expect(apiPod(m, 'glance-default-internal').volumes).toContainEqual({ name: 'images', persistentVolumeClaim: { claimName: 'images-rwx' } });
  });
});

describe('image locations hold the swift and s3 credentials, so no API shows them', () => {
  const APIS = { default: {}, edge: { type: GlanceApiType.EDGE }, both: { type: GlanceApiType.SPLIT } };
  const BACKENDS: Array<[string, () => ImageBackend]> = [
    ['swift', () => ImageBackend.swift()], ['s3', () => s3()], ['rbd and swift', () => twoCephAndSwift()],
  ];

  test.each(BACKENDS)('%s: no API shows them, and the default layout is not split', (_name, backend) => {
    const m = synthGlance({ backend: backend(), apis: APIS });
    // Ceph clones need locations; these cannot show them, so the default layout is not split for them.
    expect(ofKind(m, 'StatefulSet').map((s) => s.metadata.name))
      .toEqual(['glance-default-single', 'glance-edge-edge', 'glance-both-internal', 'glance-both-external']);
    for (const sts of ofKind(m, 'StatefulSet')) expect(glanceConf(m, sts.metadata.name).DEFAULT.show_image_direct_url).toBe('false');
  });

  test.each(BACKENDS)('%s: an API that asks to show them is refused', (_name, backend) => {
    expectInvalid(() => synthGlance({ backend: backend(), apis: { e: { type: GlanceApiType.EDGE, showImageDirectUrl: true } } }),
      'apis.e.showImageDirectUrl', 'would show image locations, which hold the store credentials with the swift or s3 store (got true)');
  });
});

describe('credentials never enter the config text', () => {
  test.each(CASES)('%s: every store credential comes from a Secret through the environment, named by no Secret or ConfigMap of ours', (_n, props) => {
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

  test.each(CASES)('%s: valid under both Kubernetes schemas', (_name, props) => {
    for (const manifest of synthGlance(props())) for (const schema of Object.values(SCHEMAS)) validateSchema(manifest, schema);
  });

  test.each(CASES)('%s: every pod restricted where not opted in', (name, props) => {
    for (const { where, spec } of podSpecs(synthGlance(props()))) {
      if (!(name === 'cinder' && where.startsWith('StatefulSet/'))) expectRestrictedPod(spec);
    }
  });

  test.each(CASES)('%s: every written directory on a writable volume', (_name, props) => {
    expect(readOnlyRootViolations(synthGlance(props()))).toEqual([]);
  });
});

test('an NFS store in a chart without a namespace: its PersistentVolume and claim have none, and nothing to remove', () => {
  const chart = new Chart(Testing.app(), 'no-namespace');
  new Glance(chart, 'glance', { ...BASE_PROPS, backend: ImageBackend.file({ sharedStore: { nfs: { server: '192.0.2.5', path: '/x' } } }) });
  const manifests = Testing.synth(chart) as Manifest[];
  const volume = find(manifests, 'PersistentVolume', 'glance-images');
  expect(volume.metadata.namespace).toBeUndefined();
  expect(volume.spec.claimRef).toBeUndefined();
  expect(find(manifests, 'PersistentVolumeClaim', 'glance-images').spec.volumeName).toBe('glance-images');
});

test('the cinder store\'s image locations hold no credentials: an edge API may show them', () => {
  const m = synthGlance({ backend: cinder(), apis: { e: { type: GlanceApiType.EDGE, showImageDirectUrl: true } } });
  expect(glanceConf(m, 'glance-e-edge').DEFAULT.show_image_direct_url).toBe('true');
});
