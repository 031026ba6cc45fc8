/**
 * Each store's refusals, by the prop the user wrote, and what a customServiceConfig that sets a
 * store's own option is told to set instead. The expected texts are written out, not read from
 * the library, so that a lost check or a wrong prop fails here.
 */
import { App, Chart } from 'cdk8s';
import { GlanceApi, ImageBackend } from '../lib';
import { BASE_PROPS, cinder, expectInvalid, find, Manifest, s3, synthGlance } from './helpers';

const STS = 'glance-default-single';
const rbd = (more: object = {}) => ImageBackend.rbd({ cephSecretName: 'ceph-conf', ...more });
const invalid = (backend: () => ImageBackend, prop: string, message: string | RegExp) =>
  expectInvalid(() => synthGlance({ backend: backend() }), prop, message);
const pod = (m: Manifest[]) => find(m, 'StatefulSet', STS).spec.template.spec;
const fromSecret = '(the key reaches Glance from its Secret as an environment variable, never in a file)';

describe('customServiceConfig may not set a store\'s own options: the fix names the prop to set', () => {
  const STORES: Record<string, () => ImageBackend> = { file: () => ImageBackend.file(), rbd, swift: () => ImageBackend.swift(), s3, cinder };
  const STORE_OPTIONS: Array<[string, string, string]> = [
    ['file', 'filesystem_store_datadir', 'backend (ImageBackend.file() mounts the store at /var/lib/glance/images)'],
    ['file', 'store_description', 'backend.description'],
    ['rbd', 'rbd_store_pool', 'backend.pool'],
    ['rbd', 'rbd_store_user', 'backend.user'],
    ['rbd', 'rbd_store_ceph_conf', 'backend.cluster (the Ceph Secrets are mounted at /etc/ceph)'],
    ['rbd', 'store_description', 'backend.description'],
    ['swift', 'swift_store_auth_version', 'backend (Keystone v3)'],
    ['swift', 'swift_store_auth_address', 'keystone.authUrl (the Swift store authenticates against the deployment\'s Keystone)'],
    ['swift', 'swift_store_user', 'backend.projectName and backend.user'],
    ['swift', 'swift_store_key', `backend.keySecret ${fromSecret}`],
    ['swift', 'swift_store_endpoint_type', 'backend.endpointType'],
    ['swift', 'swift_store_region', 'backend.region'],
    ['swift', 'swift_store_container', 'backend.container'],
    ['swift', 'swift_store_create_container_on_put', 'backend (the container is created on the first upload)'],
    ['swift', 'swift_store_config_file', 'backend (the credentials come from glance.conf and the key\'s Secret)'],
    ['swift', 'store_description', 'backend.description'],
    ['s3', 's3_store_host', 'backend.host'],
    ['s3', 's3_store_bucket', 'backend.bucket'],
    ['s3', 's3_store_create_bucket_on_put', 'backend.createBucketOnPut'],
    ['s3', 's3_store_bucket_url_format', 'backend.bucketUrlFormat'],
    ['s3', 's3_store_cacert', 'backend.caCertSecret'],
    ['s3', 's3_store_access_key', `backend.accessKeySecret ${fromSecret}`],
    ['s3', 's3_store_secret_key', `backend.secretKeySecret ${fromSecret}`],
    ['s3', 'store_description', 'backend.description'],
    ['cinder', 'cinder_store_auth_address', 'keystone.authUrl (the Cinder store authenticates against the deployment\'s Keystone)'],
    ['cinder', 'cinder_store_user_name', 'backend.user'],
    ['cinder', 'cinder_store_project_name', 'backend.projectName'],
    ['cinder', 'cinder_store_user_domain_name', 'keystone.domainName'],
    ['cinder', 'cinder_store_project_domain_name', 'keystone.domainName'],
    ['cinder', 'cinder_store_password', 'backend.passwordSecret (the password reaches Glance from its Secret as an environment variable, never in a file)'],
    ['cinder', 'cinder_catalog_info', 'backend.catalogInfo'],
    ['cinder', 'cinder_volume_type', 'backend.volumeType'],
    ['cinder', 'store_description', 'backend.description'],
  ];

  test.each(STORE_OPTIONS)('%s: [default_backend] %s', (type, option, setInstead) => {
    const error = expectInvalid(() => synthGlance({ backend: STORES[type](), customServiceConfig: `[default_backend]\n${option} = x\n` }),
      'customServiceConfig', `[default_backend] ${option}`);
    expect(error.fix).toBe(`remove it and set ${setInstead}`);
  });

  test('in several stores, each store\'s section and props by its name', () => {
    const backend = ImageBackend.multi({ stores: { ceph0: rbd(), swift0: ImageBackend.swift() }, defaultStore: 'ceph0' });
    const error = expectInvalid(() => synthGlance({ backend, customServiceConfig: '[swift0]\nswift_store_container = x\n' }), 'customServiceConfig', '[swift0] swift_store_container');
    expect(error.fix).toBe('remove it and set backend.stores.swift0.container');
  });
});

describe('store names: a glance.conf section of their own', () => {
  const RESERVED = [
    'barbican', 'barbican_service_user', 'cinder', 'cors', 'database', 'default', 'file', 'glance_download_opts', 'glance_store',
    'healthcheck', 'image_conversion', 'image_format', 'image_import_opts', 'import_filtering_opts', 'inject_metadata_properties',
    'key_manager', 'keystone_authtoken', 'os_brick', 'paste_deploy', 'profiler', 'profiler_jaeger', 'profiler_otlp',
    'store_type_location_strategy', 'task', 'taskflow_executor', 'vault', 'wsgi',
    'os_glance_staging_store', 'oslo_policy', 'privsep_osbrick',
  ];
  const named = (name: string) => () => ImageBackend.multi({ stores: { [name]: ImageBackend.swift(), swift1: ImageBackend.swift() }, defaultStore: 'swift1' });

  test.each(RESERVED)('%s is an option group of Glance or its libraries', (name) => {
    invalid(named(name), `backend.stores.${name}`, 'is the name of an option group of Glance or its libraries, whose section the store would share');
  });

  test.each(['ceph.0', 'Ceph0', '0ceph', 'a'.repeat(64)])('%s is not a store name', (name) => {
    invalid(named(name), `backend.stores.${name}`, 'is not a store name');
  });

  test.each(['ceph-0', 'swift_east', 'a'.repeat(63)])('%s is', (name) => {
    expect(() => synthGlance({ backend: named(name)() })).not.toThrow();
  });
});

describe('ImageBackend.multi()', () => {
  test('needs stores, single ones, and a default among them', () => {
    invalid(() => ImageBackend.multi('x' as any), 'backend',
      'is ImageBackend.multi() without its options (got "x"). Fix: give at least { stores: { ceph0: ImageBackend.rbd({ ... }), swift0: ImageBackend.swift() }, defaultStore: "ceph0" }');
    invalid(() => ImageBackend.multi({ stores: {}, defaultStore: 'a' }), 'backend.stores', 'names no store');
    const inner = ImageBackend.multi({ stores: { a: ImageBackend.swift() }, defaultStore: 'a' });
    invalid(() => ImageBackend.multi({ stores: { a: inner }, defaultStore: 'a' }), 'backend.stores.a', 'is ImageBackend.multi(), which does not nest (got "ImageBackend.multi()")');
    for (const defaultStore of ['c', 'toString', 'constructor']) {
      const error = invalid(() => ImageBackend.multi({ stores: { a: ImageBackend.swift(), b: ImageBackend.swift() }, defaultStore }), 'backend.defaultStore', 'names no store of stores');
      expect(error.fix).toBe('use one of "a", "b"');
    }
  });

  test('is shared when every store is; before validation, or without stores, it has none to ask', () => {
    const shared = { sharedStore: { storageClass: 'nfs' } };
    expect(ImageBackend.multi({ stores: { a: ImageBackend.file(shared), b: rbd() }, defaultStore: 'a' }).isShared).toBe(true);
    expect(ImageBackend.multi({ stores: { a: ImageBackend.file(), b: rbd() }, defaultStore: 'a' }).isShared).toBe(false);
    expect(ImageBackend.multi({ stores: { a: 'x' as any, b: ImageBackend.file() }, defaultStore: 'a' }).isShared).toBe(false);
    expect(ImageBackend.multi({ stores: { a: 'x' as any }, defaultStore: 'a' }).isShared).toBe(true);
    expect(ImageBackend.multi('x' as any).isShared).toBe(true);
  });
});

test('every store but an unshared file store is shared by the replicas', () => {
  expect([rbd(), ImageBackend.swift(), s3(), cinder(), ImageBackend.file({ sharedStore: { existingClaimName: 'rwx' } })].map((b) => b.isShared)).toEqual([true, true, true, true, true]);
  expect(ImageBackend.file().isShared).toBe(false);
});

describe('the file store', () => {
  test.each([
    [{ existingClaimName: 'Images_RWX' }, 'backend.sharedStore.existingClaimName'],
    [{ storageClass: 'nfs', storageRequest: 'lots' }, 'backend.sharedStore.storageRequest'],
    [{ existingClaimName: 'rwx', nfs: { server: 'n', path: '/x' } }, 'backend.sharedStore.nfs'],
    [{ nfs: { server: 5, path: '/x' } }, 'backend.sharedStore.nfs.server'],
    [{ nfs: { server: ['nfs.example'], path: '/x' } }, 'backend.sharedStore.nfs.server'],
    [{ nfs: { server: 'n', path: ['/exports'] } }, 'backend.sharedStore.nfs.path'],
    [{ nfs: { server: 'n', path: 'exports/glance' } }, 'backend.sharedStore.nfs.path'],
    [{ nfs: { server: 'n', path: '/exports/my images' } }, 'backend.sharedStore.nfs.path'],
  ])('sharedStore %j is refused at its prop', (sharedStore, prop) => {
    invalid(() => ImageBackend.file({ sharedStore: sharedStore as any }), prop, /./);
  });

  test('without options object', () => {
    invalid(() => ImageBackend.file('nfs' as any), 'backend',
      'is ImageBackend.file() without its options (got "nfs"). Fix: give nothing, or an object such as { sharedStore: { storageClass: "nfs-client" } }');
  });

  test('unshared: several replicas in a deployment, or in one API built alone, are refused', () => {
    expectInvalid(() => synthGlance({ backend: ImageBackend.file(), apis: { default: { replicas: 2 } } }), 'backend',
      'gives each replica its own file store, so replicas cannot serve each other\'s images (got "file store, 2 replicas in 1 StatefulSet(s)")');
    for (const backend of [ImageBackend.file(), ImageBackend.multi({ stores: { local: ImageBackend.file(), ceph: rbd() }, defaultStore: 'local' })]) {
      expectInvalid(() => new GlanceApi(new Chart(new App(), 'c'), 'api', { apiName: 'default', replicas: 3, common: { ...BASE_PROPS, backend } }),
        'apis.default.replicas', 'runs several replicas on a file store that is not shared (got 3)');
    }
  });

  test('unshared, one replica: no volume of its own, as a store without files', () => {
    const m = synthGlance({ backend: ImageBackend.file() });
    const swift = synthGlance({ backend: ImageBackend.swift() });
    expect(pod(m).volumes).toEqual(pod(swift).volumes);
    expect(pod(m).containers[0].volumeMounts).toEqual(pod(swift).containers[0].volumeMounts);
  });
});

describe('the rbd store', () => {
  test.each([
    [{ cephSecretName: 'Ceph_Conf', cephSecretNames: ['ceph-a'] }, 'backend.cephSecretName'],
    [{ pool: ['images'] }, 'backend.pool'],
    [{ user: 'glance user' }, 'backend.user'],
    [{ cluster: ['ceph'] }, 'backend.cluster'],
  ])('%j is refused at its prop', (options, prop) => {
    invalid(() => rbd(options), prop, /./);
  });

  test('cephSecretName with an empty cephSecretNames is the one Secret', () => {
    expect(find(synthGlance({ backend: rbd({ cephSecretNames: [] }) }), 'StatefulSet', 'glance-default-internal').spec.template.spec.volumes)
      .toContainEqual({ name: 'ceph', secret: { secretName: 'ceph-conf', defaultMode: 0o440 } });
  });

  test('without options object', () => {
    invalid(() => ImageBackend.rbd(undefined as any), 'backend',
      'is ImageBackend.rbd() without its options (got undefined). Fix: give at least { cephSecretName: "<Secret with ceph.conf and the keyring>" }');
  });
});

describe('the swift store', () => {
  test.each([
    [{ user: 'glance\nadmin' }, 'backend.user', 'Fix: use a single-line Keystone name'],
    [{ projectName: 'service:x' }, 'backend.projectName', 'contains ":"'],
    [{ container: ['glance'] }, 'backend.container', 'is not a Swift container name'],
    [{ endpointType: 'privateURL' }, 'backend.endpointType', 'is not one of internalURL, publicURL, adminURL (got "privateURL"). Fix: use one of "internalURL", "publicURL", "adminURL"'],
  ])('%j is refused at its prop', (options, prop, message) => {
    invalid(() => ImageBackend.swift(options as any), prop, message);
  });

  test('without options object', () => {
    invalid(() => ImageBackend.swift('x' as any), 'backend', 'is ImageBackend.swift() without its options (got "x"). Fix: give nothing, or an object such as { container: "glance" }');
  });
});

describe('the s3 store', () => {
  test.each(['http://rgw.ceph.svc:8080', 'https://[2001:db8::1]:8443/', 's3.example.com:1', 's3.example.com:65535'])('host %s is an endpoint', (host) => {
    expect(() => synthGlance({ backend: s3({ host }) })).not.toThrow();
  });

  test.each([5, 'ftp://s3.example.com', 's3.example.com:0', 's3.example.com:65536', '[2001:db8::1'])('host %j is refused', (host) => {
    invalid(() => s3({ host }), 'backend.host', 'is not an S3 endpoint');
  });

  test.each([['glance-images'], 'glance_images', 'Glance'])('bucket %j is refused', (bucket) => {
    invalid(() => s3({ bucket }), 'backend.bucket', 'is not an S3 bucket name');
  });

  test('a bad CA Secret reference is refused at caCertSecret', () => {
    invalid(() => s3({ caCertSecret: { name: 'CA', key: 'ca.pem' } }), 'backend.caCertSecret.name', /./);
  });

  test('without a CA Secret: no volume of its own', () => {
    const [withS3, withSwift] = [pod(synthGlance({ backend: s3() })), pod(synthGlance({ backend: ImageBackend.swift() }))];
    expect(withS3.volumes).toEqual(withSwift.volumes);
    expect(withS3.containers[0].volumeMounts).toEqual(withSwift.containers[0].volumeMounts);
  });

  test('without options object', () => {
    invalid(() => ImageBackend.s3(undefined as any), 'backend', 'is ImageBackend.s3() without its options (got undefined). Fix: give at least '
      + '{ host: "https://s3.example.com", bucket: "glance", accessKeySecret: { name, key }, secretKeySecret: { name, key } }');
  });
});

describe('the cinder store', () => {
  test.each([['volumev3::publicURL'], 'volume v3::publicURL', 'volumev3::publicURLs'])('catalogInfo %j is refused', (catalogInfo) => {
    invalid(() => cinder({ catalogInfo }), 'backend.catalogInfo', /./);
  });

  test.each([['user', 'cinder:glance'], ['projectName', 'service:x']])('%s with ":" is refused', (prop, value) => {
    invalid(() => cinder({ [prop]: value }), `backend.${prop}`, 'contains ":"');
  });

  test('without options object', () => {
    invalid(() => ImageBackend.cinder('x' as any), 'backend', 'is ImageBackend.cinder() without its options (got "x"). Fix: give { allowPrivilegedAttach: true }');
  });
});

describe('a store\'s Secret may not be one the chart writes: applying it would overwrite yours', () => {
  const chartSecret = 'glance-db-config';
  test.each([
    ['backend.cephSecretName', () => rbd({ cephSecretName: chartSecret })],
    ['backend.keySecret.name', () => ImageBackend.swift({ keySecret: { name: chartSecret, key: 'k' } })],
    ['backend.accessKeySecret.name', () => s3({ accessKeySecret: { name: chartSecret, key: 'a' } })],
    ['backend.secretKeySecret.name', () => s3({ secretKeySecret: { name: chartSecret, key: 's' } })],
    ['backend.caCertSecret.name', () => s3({ caCertSecret: { name: chartSecret, key: 'ca' } })],
    ['backend.passwordSecret.name', () => cinder({ passwordSecret: { name: chartSecret, key: 'p' } })],
    ['backend.stores.east.caCertSecret.name',
      () => ImageBackend.multi({ stores: { east: s3({ caCertSecret: { name: chartSecret, key: 'ca' } }) }, defaultStore: 'east' })],
  ])('%s', (prop, backend) => {
    invalid(backend, prop, 'names a Secret that this chart creates for name, so applying the chart would overwrite yours');
  });
});

test('the cinder store\'s Keystone URL ends in one /v3, whatever the slashes, after any path', () => {
  const authOf = (authUrl: string) => {
    const m = synthGlance({ keystone: { ...BASE_PROPS.keystone, authUrl }, backend: cinder() });
    return find(m, 'Secret', `${STS}-config`).stringData['00-glance.conf'].match(/^cinder_store_auth_address = (.*)$/m)[1];
  };
  expect(authOf('http://ks:5000//')).toBe('http://ks:5000/v3');
  expect(authOf('http://ks:5000/v3//')).toBe('http://ks:5000/v3');
  expect(authOf('https://cloud.example/v3keystone')).toBe('https://cloud.example/v3keystone/v3');
});

test('ImageBackend.multi() without options has no store to ask whether it is shared', () => {
  expect(ImageBackend.multi(null as any).isShared).toBe(true);
});
