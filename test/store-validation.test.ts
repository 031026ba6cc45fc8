/**
 * Each store's refusals, by what the user wrote. A store's factory checks its options at once and
 * names its own option ("ImageBackend.rbd().pool"): it cannot know whether it will be the backend or
 * a store of ImageBackend.multi(). ImageBackend.multi() is only ever the backend prop, so its refusals
 * name "backend.stores.<name>", as do the checks at the deployment (replicas, Secrets, the options a
 * customServiceConfig may not set). The expected texts are written out, not read from the library,
 * so that a lost check or a wrong prop fails here.
 */
import { App, Chart } from 'cdk8s';
import { Glance, GlanceApi, GlanceApiType, ImageBackend, S3BucketUrlFormat } from '../lib';
import { BASE_PROPS, cinder, expectInvalid, glanceConf, s3, synthGlance } from './helpers';

const STS = 'glance-default-single';
const rbd = (more: object = {}) => ImageBackend.rbd({ cephSecretName: 'ceph-conf', ...more });
const nfs = { server: 'nfs.example.com', path: '/exports/glance' };
const multi = (stores: Record<string, unknown>, defaultStore = Object.keys(stores)[0]) => ImageBackend.multi({ stores: stores as any, defaultStore });
const fromSecret = 'reaches Glance from its Secret as an environment variable, never in a file';

describe('a store\'s factory refuses a bad option at once, naming its own option', () => {
  const REFUSED: Array<[string, () => ImageBackend, string, string | RegExp]> = [
    ['file: a shared store of nothing', () => ImageBackend.file({ sharedStore: {} }), 'ImageBackend.file().sharedStore',
      'names neither an existing claim, a storage class nor an NFS export (got {}). Fix: set sharedStore.existingClaimName to a ReadWriteMany '
      + 'claim, sharedStore.storageClass to an NFS (ReadWriteMany) storage class, or sharedStore.nfs to { server, path }'],
    ['file: a claim name', () => ImageBackend.file({ sharedStore: { existingClaimName: 'Images_RWX' } }),
      'ImageBackend.file().sharedStore.existingClaimName', /DNS-1123/],
    ['file: a size', () => ImageBackend.file({ sharedStore: { storageClass: 'nfs', storageRequest: 'lots' } }),
      'ImageBackend.file().sharedStore.storageRequest', /"lots"/],
    ['file: NFS beside a claim', () => ImageBackend.file({ sharedStore: { existingClaimName: 'rwx', nfs } }), 'ImageBackend.file().sharedStore.nfs',
      'is given together with existingClaimName or storageClass'],
    ['file: NFS beside a class', () => ImageBackend.file({ sharedStore: { storageClass: 'nfs-client', nfs } }), 'ImageBackend.file().sharedStore.nfs',
      'is given together with existingClaimName or storageClass'],
    ['file: NFS as text', () => ImageBackend.file({ sharedStore: { nfs: 'nfs.example.com:/exports' as any } }), 'ImageBackend.file().sharedStore.nfs',
      'is not an NFS export'],
    ['file: an NFS server number', () => ImageBackend.file({ sharedStore: { nfs: { ...nfs, server: 5 as any } } }),
      'ImageBackend.file().sharedStore.nfs.server', 'is not a host name or IP address (got 5)'],
    ['file: an NFS server list', () => ImageBackend.file({ sharedStore: { nfs: { ...nfs, server: ['nfs.example'] as any } } }),
      'ImageBackend.file().sharedStore.nfs.server', 'is not a host name or IP address'],
    ['file: an NFS server with a space', () => ImageBackend.file({ sharedStore: { nfs: { ...nfs, server: 'nfs example' } } }),
      'ImageBackend.file().sharedStore.nfs.server', 'is not a host name or IP address'],
    ['file: no NFS path', () => ImageBackend.file({ sharedStore: { nfs: { server: 'nfs.example.com' } as any } }),
      'ImageBackend.file().sharedStore.nfs.path', 'is not an absolute export path (got undefined)'],
    ['file: an NFS path list', () => ImageBackend.file({ sharedStore: { nfs: { ...nfs, path: ['/exports'] as any } } }),
      'ImageBackend.file().sharedStore.nfs.path', 'is not an absolute export path'],
    ['file: a relative NFS path', () => ImageBackend.file({ sharedStore: { nfs: { ...nfs, path: 'exports/glance' } } }),
      'ImageBackend.file().sharedStore.nfs.path', 'is not an absolute export path'],
    ['file: an NFS path with a space', () => ImageBackend.file({ sharedStore: { nfs: { ...nfs, path: '/exports/my images' } } }),
      'ImageBackend.file().sharedStore.nfs.path', 'is not an absolute export path'],
    ['file: an NFS path with ".."', () => ImageBackend.file({ sharedStore: { nfs: { ...nfs, path: '/exports/../etc' } } }),
      'ImageBackend.file().sharedStore.nfs.path', 'is not an absolute export path'],
    ['file: an empty description', () => ImageBackend.file({ description: '' }), 'ImageBackend.file().description', /empty/],
    ['rbd: no Secret', () => ImageBackend.rbd({}), 'ImageBackend.rbd().cephSecretName', /DNS-1123/],
    ['rbd: a Secret name beside Secret names', () => rbd({ cephSecretName: 'Ceph_Conf', cephSecretNames: ['ceph-a'] }),
      'ImageBackend.rbd().cephSecretName', /DNS-1123/],
    ['rbd: no Secret names', () => ImageBackend.rbd({ cephSecretNames: [] }), 'ImageBackend.rbd().cephSecretNames', 'is not a list of Secret names'],
    ['rbd: a bad second Secret name', () => ImageBackend.rbd({ cephSecretNames: ['ok', 'Not_OK'] }),
      'ImageBackend.rbd().cephSecretNames[1]', /DNS-1123/],
    ['rbd: a pool list', () => rbd({ pool: ['images'] }), 'ImageBackend.rbd().pool', 'is not a Ceph name'],
    ['rbd: a pool with a section', () => rbd({ pool: 'images\n[DEFAULT]' }), 'ImageBackend.rbd().pool', 'is not a Ceph name'],
    ['rbd: a user with a space', () => rbd({ user: 'glance user' }), 'ImageBackend.rbd().user', 'is not a Ceph name'],
    ['rbd: a cluster list', () => rbd({ cluster: ['ceph'] }), 'ImageBackend.rbd().cluster', 'is not a Ceph cluster name'],
    ['rbd: a cluster path', () => rbd({ cluster: 'ceph/../x' }), 'ImageBackend.rbd().cluster', 'is not a Ceph cluster name'],
    ['swift: a user on two lines', () => ImageBackend.swift({ user: 'glance\nadmin' }),
      'ImageBackend.swift().user', 'Fix: use a single-line Keystone name'],
    ['swift: a user with ":"', () => ImageBackend.swift({ user: 'admin:admin' }), 'ImageBackend.swift().user', 'contains ":"'],
    ['swift: a project with ":"', () => ImageBackend.swift({ projectName: 'service:x' }), 'ImageBackend.swift().projectName', 'contains ":"'],
    ['swift: a container list', () => ImageBackend.swift({ container: ['glance'] as any }),
      'ImageBackend.swift().container', 'is not a Swift container name'],
    ['swift: a container with "/"', () => ImageBackend.swift({ container: 'a/b' }),
      'ImageBackend.swift().container', 'is not a Swift container name'],
    ['swift: an endpoint type', () => ImageBackend.swift({ endpointType: 'privateURL' }), 'ImageBackend.swift().endpointType',
      'is not one of internalURL, publicURL, adminURL (got "privateURL"). Fix: use one of "internalURL", "publicURL", "adminURL"'],
    ['swift: a blank region', () => ImageBackend.swift({ region: ' ' }), 'ImageBackend.swift().region', /empty or spans lines/],
    ['swift: a region on two lines', () => ImageBackend.swift({ region: 'a\nb' }), 'ImageBackend.swift().region', /spans lines/],
    ['swift: a key Secret name', () => ImageBackend.swift({ keySecret: { name: 'Bad', key: 'k' } }),
      'ImageBackend.swift().keySecret.name', /DNS-1123/],
    ['swift: an empty description', () => ImageBackend.swift({ description: '' }), 'ImageBackend.swift().description', /empty/],
    ['s3: a host number', () => s3({ host: 5 }), 'ImageBackend.s3().host', 'is not an S3 endpoint'],
    ['s3: an ftp host', () => s3({ host: 'ftp://s3.example.com' }), 'ImageBackend.s3().host', 'is not an S3 endpoint'],
    ['s3: port 0', () => s3({ host: 's3.example.com:0' }), 'ImageBackend.s3().host', 'is not an S3 endpoint'],
    ['s3: port 65536', () => s3({ host: 's3.example.com:65536' }), 'ImageBackend.s3().host', 'is not an S3 endpoint'],
    ['s3: port 99999 after a scheme', () => s3({ host: 'https://s3.example.com:99999' }), 'ImageBackend.s3().host', 'is not an S3 endpoint'],
    ['s3: an open IPv6 bracket', () => s3({ host: '[2001:db8::1' }), 'ImageBackend.s3().host', 'is not an S3 endpoint'],
    ['s3: a bucket list', () => s3({ bucket: ['glance-images'] }), 'ImageBackend.s3().bucket', 'is not an S3 bucket name'],
    ['s3: a bucket with "_"', () => s3({ bucket: 'glance_images' }), 'ImageBackend.s3().bucket', 'is not an S3 bucket name'],
    ['s3: an upper-case bucket', () => s3({ bucket: 'Glance' }), 'ImageBackend.s3().bucket', 'is not an S3 bucket name'],
    ['s3: no access key', () => s3({ accessKeySecret: undefined }), 'ImageBackend.s3().accessKeySecret', /is required/],
    ['s3: a secret key with a space', () => s3({ secretKeySecret: { name: 's3', key: 'a b' } }),
      'ImageBackend.s3().secretKeySecret.key', /Secret key/],
    ['s3: a CA Secret name', () => s3({ caCertSecret: { name: 'CA', key: 'ca.pem' } }), 'ImageBackend.s3().caCertSecret.name', /DNS-1123/],
    ['s3: a URL format', () => s3({ bucketUrlFormat: 'dns' }), 'ImageBackend.s3().bucketUrlFormat', 'is not one of auto, path, virtual'],
    ['s3: bucket creation as text', () => s3({ createBucketOnPut: 'yes' }), 'ImageBackend.s3().createBucketOnPut', 'is not a boolean'],
    ['cinder: no opt-in', () => ImageBackend.cinder(), 'ImageBackend.cinder().allowPrivilegedAttach',
      /is not true, and the Cinder store cannot work in a Pod Security "restricted" pod.*root.*sudo glance-rootwrap.*privsep.*Fix: set allow/],
    ['cinder: an opt-in as text', () => ImageBackend.cinder({ allowPrivilegedAttach: 'yes' as any }),
      'ImageBackend.cinder().allowPrivilegedAttach', '(got "yes")'],
    ['cinder: a catalog list', () => cinder({ catalogInfo: ['volumev3::publicURL'] }), 'ImageBackend.cinder().catalogInfo', /service_type/],
    ['cinder: a catalog service with a space', () => cinder({ catalogInfo: 'volume v3::publicURL' }),
      'ImageBackend.cinder().catalogInfo', /service_type/],
    ['cinder: a catalog interface', () => cinder({ catalogInfo: 'volumev3::publicURLs' }), 'ImageBackend.cinder().catalogInfo', /service_type/],
    ['cinder: a catalog type alone', () => cinder({ catalogInfo: 'volumev3' }), 'ImageBackend.cinder().catalogInfo', /service_type/],
    ['cinder: a user with ":"', () => cinder({ user: 'cinder:glance' }), 'ImageBackend.cinder().user', 'contains ":"'],
    ['cinder: a project with ":"', () => cinder({ projectName: 'service:x' }), 'ImageBackend.cinder().projectName', 'contains ":"'],
    ['cinder: a volume type of a line break', () => cinder({ volumeType: '\n' }), 'ImageBackend.cinder().volumeType', /spans lines/],
    ['cinder: a password Secret without key', () => cinder({ passwordSecret: { name: 'x' } }),
      'ImageBackend.cinder().passwordSecret.key', /Secret key/],
  ];

  test.each(REFUSED)('%s', (_name, build, prop, message) => {
    expectInvalid(build, prop, message);
  });

  const HOSTS = ['http://rgw.ceph.svc:8080', 'https://[2001:db8::1]:8443/', 's3.example.com:1', 's3.example.com:65535'];
  test.each(HOSTS)('s3 host %s is an endpoint', (host) => {
    expect(glanceConf(synthGlance({ backend: s3({ host }) }), STS).default_backend.s3_store_host).toBe(host);
  });
});

describe('a factory called from JavaScript without an options object refuses it, with an example', () => {
  const S3_EXAMPLE = 'at least { host: "https://s3.example.com", bucket: "glance", accessKeySecret: { name, key }, secretKeySecret: { name, key } }';
  test.each([
    ['file', null, 'nothing, or an object such as { sharedStore: { storageClass: "nfs-client" } }'],
    ['file', 'nfs', 'nothing, or an object such as { sharedStore: { storageClass: "nfs-client" } }'],
    ['rbd', undefined, 'at least { cephSecretName: "<Secret with ceph.conf and the keyring>" }'],
    ['rbd', null, 'at least { cephSecretName: "<Secret with ceph.conf and the keyring>" }'],
    ['swift', null, 'nothing, or an object such as { container: "glance" }'],
    ['swift', 'x', 'nothing, or an object such as { container: "glance" }'],
    ['s3', undefined, S3_EXAMPLE],
    ['s3', 'bucket', S3_EXAMPLE],
    ['cinder', null, '{ allowPrivilegedAttach: true }'],
    ['cinder', 'x', '{ allowPrivilegedAttach: true }'],
  ])('ImageBackend.%s(%p)', (factory, options, example) => {
    expectInvalid(() => (ImageBackend as any)[factory](options), `ImageBackend.${factory}()`,
      `ImageBackend.${factory}(): is not given an options object (got ${JSON.stringify(options) ?? 'undefined'}). Fix: give ${example}`);
  });

  test.each([undefined, null, 'x'])('ImageBackend.multi(%p)', (options) => {
    const got = JSON.stringify(options) ?? 'undefined';
    expectInvalid(() => ImageBackend.multi(options as any), 'backend', `is ImageBackend.multi() without its options (got ${got}). `
      + 'Fix: give at least { stores: { ceph0: ImageBackend.rbd({ ... }), swift0: ImageBackend.swift() }, defaultStore: "ceph0" }');
  });
});

describe('ImageBackend.multi() refuses what it is given at once, under backend', () => {
  const RESERVED = [
    'barbican', 'barbican_service_user', 'cinder', 'cors', 'database', 'default', 'file', 'glance_download_opts', 'glance_store',
    'healthcheck', 'image_conversion', 'image_format', 'image_import_opts', 'import_filtering_opts', 'inject_metadata_properties',
    'key_manager', 'keystone_authtoken', 'os_brick', 'paste_deploy', 'profiler', 'profiler_jaeger', 'profiler_otlp',
    'store_type_location_strategy', 'task', 'taskflow_executor', 'vault', 'wsgi',
    'os_glance_staging_store', 'os_glance_cache', 'oslo_policy', 'privsep_osbrick',
  ];
  const named = (name: string) => () => multi({ [name]: ImageBackend.swift(), swift1: ImageBackend.swift() }, 'swift1');

  test.each(RESERVED)('store name %s is an option group of Glance or its libraries', (name) => {
    expectInvalid(named(name), `backend.stores.${name}`,
      'is the name of an option group of Glance or its libraries, whose section the store would share');
  });

  test.each(['ceph.0', 'Ceph0', 'Swift', '0ceph', '0swift', 'a'.repeat(64)])('%s is not a store name', (name) => {
    expectInvalid(named(name), `backend.stores.${name}`, 'is not a store name');
  });

  test.each(['ceph-0', 'swift_east', 'a'.repeat(63)])('%s is a store name', (name) => {
    expect(glanceConf(synthGlance({ backend: named(name)() }), STS).DEFAULT.enabled_backends).toBe(`${name}:swift,swift1:swift`);
  });

  test.each([[{}], [[]], [undefined]])('stores %j names no store', (stores) => {
    expectInvalid(() => ImageBackend.multi({ stores, defaultStore: 'a' } as any), 'backend.stores', 'names no store');
  });

  test('a multi-store does not nest', () => {
    const inner = multi({ a: ImageBackend.swift() });
    expectInvalid(() => multi({ a: inner }), 'backend.stores.a', 'is ImageBackend.multi(), which does not nest (got "ImageBackend.multi()")');
  });

  test.each([[{ isShared: true }], [null], ['swift']])('store %j is not an ImageBackend', (store) => {
    expectInvalid(() => multi({ a: store }), 'backend.stores.a', 'is not an ImageBackend');
  });

  test('at most one file store', () => {
    expectInvalid(() => multi({ a: ImageBackend.file(), b: ImageBackend.file() }), 'backend.stores.b',
      'keeps its images in /var/lib/glance/images, as store "a" does (got "b")');
  });

  test.each(['c', 'toString', 'constructor', undefined])('defaultStore %p names no store', (defaultStore) => {
    const stores = { a: ImageBackend.swift(), b: ImageBackend.swift() };
    const error = expectInvalid(() => ImageBackend.multi({ stores, defaultStore: defaultStore as any }),
      'backend.defaultStore', 'names no store of stores');
    expect(error.fix).toBe('use one of "a", "b"');
  });
});

describe('isShared: whether every replica sees the same images', () => {
  test.each([
    ['rbd', () => rbd()],
    ['swift', () => ImageBackend.swift()],
    ['s3', () => s3()],
    ['cinder', () => cinder()],
    ['a file store on a claim', () => ImageBackend.file({ sharedStore: { existingClaimName: 'rwx' } })],
    ['several stores, each shared', () => multi({ a: ImageBackend.file({ sharedStore: { storageClass: 'nfs' } }), b: rbd() })],
  ])('%s is shared', (_name, backend) => {
    expect(backend().isShared).toBe(true);
  });

  test.each([
    ['a file store of its own', () => ImageBackend.file()],
    ['several stores, one a file store of its own', () => multi({ a: ImageBackend.file(), b: rbd() })],
  ])('%s is not shared', (_name, backend) => {
    expect(backend().isShared).toBe(false);
  });
});

describe('a file store that is not shared serves one replica only', () => {
  test('several replicas in a deployment are refused under backend', () => {
    expectInvalid(() => synthGlance({ backend: ImageBackend.file(), apis: { default: { replicas: 2 } } }), 'backend',
      'gives each replica its own file store, so replicas cannot serve each other\'s images (got "file store, 2 replicas in 1 StatefulSet(s)")');
  });

  test('in several stores, the file store is refused under its name', () => {
    const backend = multi({ local: ImageBackend.file(), ceph: rbd() }, 'ceph');
    expectInvalid(() => synthGlance({ backend }), 'backend.stores.local',
      'cannot serve each other\'s images (got "file store, 2 replicas in 2 StatefulSet(s)")');
  });

  test.each([
    ['alone', () => ImageBackend.file()],
    ['beside rbd', () => multi({ local: ImageBackend.file(), ceph: rbd() })],
  ])('several replicas of one API added to a Glance by hand are refused at its replicas: a file store %s', (_name, backend) => {
    const glance = new Glance(new Chart(new App(), 'c'), 'glance', {
      ...BASE_PROPS,
      backend: backend(),
      apis: { default: { type: GlanceApiType.SINGLE } },
    });
    expectInvalid(() => new GlanceApi(glance, 'api', { apiName: 'added', replicas: 3 }),
      'apis.added.replicas', 'runs several replicas on a file store that is not shared (got 3)');
  });
});

describe('a store\'s Secret may not be one the chart writes: applying it would overwrite yours', () => {
  const chartSecret = 'glance-db-config';
  const apiSecret = 'glance-default-single-config';
  test.each([
    ['backend.cephSecretName', () => rbd({ cephSecretName: chartSecret })],
    ['backend.keySecret.name', () => ImageBackend.swift({ keySecret: { name: chartSecret, key: 'k' } })],
    ['backend.keySecret.name', () => ImageBackend.swift({ keySecret: { name: apiSecret, key: 'k' } })],
    ['backend.accessKeySecret.name', () => s3({ accessKeySecret: { name: chartSecret, key: 'a' } })],
    ['backend.secretKeySecret.name', () => s3({ secretKeySecret: { name: chartSecret, key: 's' } })],
    ['backend.caCertSecret.name', () => s3({ caCertSecret: { name: chartSecret, key: 'ca' } })],
    ['backend.passwordSecret.name', () => cinder({ passwordSecret: { name: chartSecret, key: 'p' } })],
    ['backend.passwordSecret.name', () => cinder({ passwordSecret: { name: apiSecret, key: 'p' } })],
    ['backend.stores.east.caCertSecret.name', () => multi({ east: s3({ caCertSecret: { name: chartSecret, key: 'ca' } }) })],
    ['backend.stores.swift-0.keySecret.name', () => multi({ 'swift-0': ImageBackend.swift({ keySecret: { name: chartSecret, key: 'k' } }) })],
    ['backend.stores.b.cephSecretNames[0]', () => multi({ a: rbd(), b: ImageBackend.rbd({ cephSecretNames: ['glance-default-internal-config'] }) })],
  ])('%s (case %#)', (prop, backend) => {
    expectInvalid(() => synthGlance({ backend: backend() }), prop,
      /names a Secret that this chart creates for .*, so applying the chart would overwrite yours/);
  });
});

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
    ['swift', 'swift_store_key', `backend.keySecret (the key ${fromSecret})`],
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
    ['s3', 's3_store_cacert', 'backend.caCertSecret, or tls.caBundleSecret'],
    ['s3', 's3_store_access_key', `backend.accessKeySecret (the key ${fromSecret})`],
    ['s3', 's3_store_secret_key', `backend.secretKeySecret (the key ${fromSecret})`],
    ['s3', 'store_description', 'backend.description'],
    ['cinder', 'cinder_store_auth_address', 'keystone.authUrl (the Cinder store authenticates against the deployment\'s Keystone)'],
    ['cinder', 'cinder_store_user_name', 'backend.user'],
    ['cinder', 'cinder_store_project_name', 'backend.projectName'],
    ['cinder', 'cinder_store_user_domain_name', 'keystone.domainName'],
    ['cinder', 'cinder_store_project_domain_name', 'keystone.domainName'],
    ['cinder', 'cinder_store_password', `backend.passwordSecret (the password ${fromSecret})`],
    ['cinder', 'cinder_catalog_info', 'backend.catalogInfo'],
    ['cinder', 'cinder_volume_type', 'backend.volumeType'],
    ['cinder', 'store_description', 'backend.description'],
  ];

  test.each(STORE_OPTIONS)('%s: [default_backend] %s', (type, option, setInstead) => {
    const error = expectInvalid(() => synthGlance({ backend: STORES[type](), customServiceConfig: `[default_backend]\n${option} = x\n` }),
      'customServiceConfig', `[default_backend] ${option}`);
    expect(error.fix).toBe(`remove it and set ${setInstead}`);
  });

  const twoCephAndSwift = () => multi({ 'ceph-0': rbd(), 'ceph-1': rbd({ cluster: 'ceph-1' }), 'swift-0': ImageBackend.swift() }, 'ceph-1');
  test.each([
    ['several stores: the store\'s section and props by its name', twoCephAndSwift, '[swift-0]\nswift_store_key = plain\n',
      '[swift-0] swift_store_key', `remove it and set backend.stores.swift-0.keySecret (the key ${fromSecret})`],
    ['a section spelled in upper case', twoCephAndSwift, '[Ceph-1]\nrbd_store_pool = other\n', 'reads it as [ceph-1] rbd_store_pool',
      'remove it and set backend.stores.ceph-1.pool'],
    ['an option spelled with "-"', () => ImageBackend.swift(), '[DEFAULT_BACKEND]\nswift-store-user = admin:admin\n', 'swift_store_user',
      'remove it and set backend.projectName and backend.user'],
  ])('%s', (_name, backend, custom, message, fix) => {
    const apis = { default: { type: GlanceApiType.SINGLE } };
    expect(expectInvalid(() => synthGlance({ backend: backend(), apis, customServiceConfig: custom }), 'customServiceConfig', message).fix).toBe(fix);
  });

  test('an API\'s customServiceConfig may not set them either', () => {
    const apis = { default: { type: GlanceApiType.SINGLE, customServiceConfig: '[default_backend]\ns3_store_secret_key = plain\n' } };
    const error = expectInvalid(() => synthGlance({ backend: s3(), apis }), 'apis.default.customServiceConfig',
      '[default_backend] s3_store_secret_key');
    expect(error.fix).toBe(`remove it and set backend.secretKeySecret (the key ${fromSecret})`);
  });

  test('options no store writes, and sections no store has, stay the user\'s', () => {
    const custom = '[ceph-0]\nrbd_store_chunk_size = 4\n[swift-0]\nswift_store_large_object_size = 1024\n'
      + '[default_backend]\nswift_store_key = not-a-store-here\n';
    const m = synthGlance({ backend: twoCephAndSwift(), customServiceConfig: custom });
    expect(m.find((o) => o.kind === 'Secret' && o.metadata.name === `${STS}-config`)!.stringData['50-custom.conf']).toBe(custom);
  });

  test('every option a store renders, or takes from a Secret, is one customServiceConfig may not set', () => {
    const backend = () => multi({
      f: ImageBackend.file({ description: 'f' }),
      r: ImageBackend.rbd({ cephSecretName: 'c', cluster: 'x', pool: 'p', user: 'u', description: 'r' }),
      sw: ImageBackend.swift({
        keySecret: { name: 'k', key: 'k' }, user: 'u', projectName: 'p', container: 'c', region: 'r', endpointType: 'adminURL',
      }),
      s: s3({ caCertSecret: { name: 'ca', key: 'ca' }, createBucketOnPut: false, bucketUrlFormat: S3BucketUrlFormat.VIRTUAL, description: 's3' }),
      c: cinder({ volumeType: 'v', catalogInfo: 'volumev3::publicURL', user: 'u', projectName: 'p', passwordSecret: { name: 'p', key: 'p' } }),
    }, 'r');
    const props = { storage: { external: false }, apis: { default: { type: GlanceApiType.SINGLE } } };
    const m = synthGlance({ ...props, backend: backend() });
    const conf = glanceConf(m, STS);
    const written = ['f', 'r', 'sw', 's', 'c'].flatMap((section) => Object.keys(conf[section]).map((option) => [section, option]));
    const env: Array<{ name: string }> = m.find((o) => o.kind === 'StatefulSet')!.spec.template.spec.containers[0].env;
    const fromEnv = env.map((e) => /^OS_(F|R|SW|S|C)__(.+)$/.exec(e.name)).filter((match) => match !== null)
      .map((match) => [match![1].toLowerCase(), match![2].toLowerCase()]);
    expect(fromEnv).toEqual([['sw', 'swift_store_key'], ['s', 's3_store_access_key'], ['s', 's3_store_secret_key'], ['c', 'cinder_store_password']]);
    expect(written.length).toBe(28);
    for (const [section, option] of [...written, ...fromEnv]) {
      expectInvalid(() => synthGlance({ ...props, backend: backend(), customServiceConfig: `[${section}]\n${option} = x\n` }), 'customServiceConfig',
        `[${section}] ${option}`);
    }
  });
});
