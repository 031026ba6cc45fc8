/**
 * The props every API shares (service-config.ts): each refusal with its message and fix, and
 * the boundaries of what is accepted.
 */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Glance, GlanceApiType, GlanceRelease, ImageBackend } from '../lib';
import { BASE_PROPS, expectInvalid, find, glanceConf, Manifest, synthGlance } from './helpers';

describe('refusals', () => {
  test.each([
    [{ image: '' }, 'image', /is not a container image reference.*Fix: use e\.g\. "registry\.example\/glance-api:2023\.1"/],
    [{ image: 'glance api' }, 'image', /is not a container image reference/],
    [{ image: 7 }, 'image', /is not a container image reference/],
    [{ release: '2025.1' }, 'release', /is not a GlanceRelease.*Fix: use a constant such as GlanceRelease\.EPOXY/],
    [{ database: undefined }, 'database.connectionSecret', /is required/],
    [{ keystone: undefined }, 'keystone', /is required.*Fix: give authUrl and passwordSecret/],
    // Found by this test: without authUrl, glance.conf said "auth_url = undefined".
    [{ keystone: { passwordSecret: { name: 'p', key: 'k' } } }, 'keystone.authUrl',
      /is not an http\(s\) URL \(got undefined\).*Fix: use e\.g\. "http:\/\/keystone-internal/],
    [{ keystone: { authUrl: 'keystone:5000', passwordSecret: { name: 'p', key: 'k' } } }, 'keystone.authUrl', /is not an http\(s\) URL/],
    [{ keystone: { authUrl: 'http://ks:5000', publicAuthUrl: 'ks', passwordSecret: { name: 'p', key: 'k' } } }, 'keystone.publicAuthUrl',
      /is not an http\(s\) URL/],
    [{ keystone: { authUrl: 'http://ks:5000' } }, 'keystone.passwordSecret', /is required/],
    [{ keystone: { ...BASE_PROPS.keystone, username: '' } }, 'keystone.username', /is empty or spans lines.*Fix: use a single-line Keystone name/],
    [{ keystone: { ...BASE_PROPS.keystone, projectName: 'a\nb' } }, 'keystone.projectName', /spans lines/],
    [{ keystone: { ...BASE_PROPS.keystone, domainName: ' ' } }, 'keystone.domainName', /is empty/],
    [{ keystone: { ...BASE_PROPS.keystone, region: '\r' } }, 'keystone.region', /spans lines/],
    [{ backend: { isShared: false } }, 'backend',
      /is not an ImageBackend.*Fix: use ImageBackend\.file\(\), rbd\(\), swift\(\), s3\(\), cinder\(\) or multi\(\)/],
    [{ storage: { storageClass: 'Fast_SSD' } }, 'storage.storageClass', /DNS-1123/],
    [{ storage: { storageRequest: '1Gi' }, limits: { imageSizeCap: '1Gi' } }, 'limits.imageSizeCap',
      /is not below the staging volume \(storage\.storageRequest 1Gi\).*Fix: lower limits\.imageSizeCap, or raise storage\.storageRequest/],
    [{ limits: { imageSizeCap: '0' } }, 'limits.imageSizeCap', /is zero/],
    [{ limits: { userStorageQuota: '-1Gi' } }, 'limits.userStorageQuota', /is negative/],
    [{ limits: { userStorageQuota: 'lots' } }, 'limits.userStorageQuota', /is not a Kubernetes quantity \(got "lots"\)/],
    [{ webDownload: { allowedHosts: 'example.com' } }, 'webDownload.allowedHosts', /is empty.*Fix: list the hosts Glance may download images from/],
    [{ webDownload: { allowedHosts: [] } }, 'webDownload.allowedHosts', /is empty.*Fix: list the hosts Glance may download images from/],
    [{ webDownload: { allowedHosts: ['a b'] } }, 'webDownload.allowedHosts[0]', /is not a host name or IP address/],
    [{ webDownload: { allowedHosts: ['ok.example', 'x,y'] } }, 'webDownload.allowedHosts[1]', /is not a host name or IP address/],
    [{ webDownload: { allowedHosts: ['ok.example', 'http://x'] } }, 'webDownload.allowedHosts[1]',
      /is not a host name or IP address.*Fix: use e\.g\. "cloud-images/],
    [{ webDownload: { allowedHosts: ['a.example'], allowedSchemes: ['https', 'file'] } }, 'webDownload.allowedSchemes[1]',
      /is not a scheme Glance downloads with.*Fix: use "https", "http" or "ftp"/],
    [{ webDownload: { allowedHosts: ['a.example'], allowedPorts: [0] } }, 'webDownload.allowedPorts[0]',
      /is not a TCP port.*Fix: use a whole number from 1 to 65535/],
    [{ webDownload: { allowedHosts: ['a.example'], allowedPorts: [443, 65536] } }, 'webDownload.allowedPorts[1]', /is not a TCP port/],
    [{ webDownload: { allowedHosts: ['a.example'], allowedPorts: [80.5] } }, 'webDownload.allowedPorts[0]', /is not a TCP port/],
    [{ networkPolicy: { allowedNamespaces: ['ok', 'Not OK'] } }, 'networkPolicy.allowedNamespaces[1]', /DNS-1123/],
    [{ imagePullPolicy: 'Sometimes' }, 'imagePullPolicy', /is not a pull policy.*Fix: use an ImagePullPolicy value/],
  ])('%j at %s', (props, prop, message) => {
    expectInvalid(() => synthGlance(props as any), prop, message);
  });

  // Found by this test: 999.1.1.1/99 and ::/200 reached the NetworkPolicy, which Kubernetes rejects.
  test.each(['10.0.0.0', '999.1.1.1/8', '10.0.0.0/33', '10.0.0.0/8/8', '10.0.0/8', '::/129', 'fe80::1/x', 'example.com/8', '[::1]/64', '', 7])(
    'networkPolicy.allowedCidrs %j is not a CIDR', (cidr) => {
      expectInvalid(() => synthGlance({ networkPolicy: { allowedCidrs: ['192.0.2.0/24', cidr as string] } }), 'networkPolicy.allowedCidrs[1]',
        /is not a CIDR.*Fix: use e\.g\. "10\.0\.0\.0\/16"/);
    });
});

describe('what is accepted', () => {
  // /0 ranges need networkPolicy.allowAnyAddress: test/network-policy.test.ts.
  test.each(['255.255.255.255/32', '10.0.0.0/8', '0.0.0.0/1', '2001:db8::/32', 'fe80::1/128', '::/1'])('networkPolicy.allowedCidrs %j', (cidr) => {
    const m = synthGlance({ networkPolicy: { allowedCidrs: [cidr] } });
    expect(find(m, 'NetworkPolicy', 'glance-default-single').spec.ingress[0].from).toContainEqual({ ipBlock: { cidr } });
  });

  test('a cap just below the staging volume, ports 1 and 65535, every scheme, a quota', () => {
    const conf = glanceConf(synthGlance({
      storage: { storageRequest: '1Gi' },
      limits: { imageSizeCap: '1073741823', userStorageQuota: '1.5Gi' },
      webDownload: { allowedHosts: ['192.0.2.7', 'images.example'], allowedSchemes: ['http', 'https', 'ftp'], allowedPorts: [1, 65535] },
    }), 'glance-default-single');
    expect(conf.DEFAULT.image_size_cap).toBe('1073741823');
    expect(conf.DEFAULT.user_storage_quota).toBe(String(1.5 * 2 ** 30));
    expect(conf.DEFAULT.enabled_import_methods).toBe('[glance-direct,web-download,copy-image]');
    expect(conf.import_filtering_opts)
      .toEqual({ allowed_schemes: '[http,https,ftp]', allowed_hosts: '[192.0.2.7,images.example]', allowed_ports: '[1,65535]' });
  });

  const keystoneSection = () => glanceConf(synthGlance({
    keystone: {
      ...BASE_PROPS.keystone,
      publicAuthUrl: 'https://keystone.example',
      username: 'img',
      projectName: 'svc',
      domainName: 'ops',
      region: 'r1',
    },
  }), 'glance-default-single').keystone_authtoken;

  test('keystone names and region reach [keystone_authtoken], and nothing more: no password', () => {
    const { www_authenticate_uri: _public, ...rest } = keystoneSection();
    expect(rest).toEqual({
      auth_url: 'http://keystone.openstack.svc:5000',
      auth_type: 'password',
      username: 'img',
      project_name: 'svc',
      user_domain_name: 'ops',
      project_domain_name: 'ops',
      region_name: 'r1',
    });
  });

  test('publicAuthUrl is the URL clients are sent to (www_authenticate_uri)', () => {
    expect(keystoneSection().www_authenticate_uri).toBe('https://keystone.example');
  });

  test('an explicit pull policy wins over the digest rule', () => {
    const m = synthGlance({ image: `q.example/glance@sha256:${'0'.repeat(64)}`, imagePullPolicy: kplus.ImagePullPolicy.ALWAYS });
    expect(find(m, 'StatefulSet', 'glance-default-single').spec.template.spec.containers[0].imagePullPolicy).toBe('Always');
  });

  test('releases before Antelope have neither enforce_new_defaults nor enforce_scope', () => {
    expect(glanceConf(synthGlance({ release: GlanceRelease.ZED }), 'glance-default-single').oslo_policy)
      .toEqual({ policy_file: '/etc/glance/glance.conf.d/policy.yaml' });
  });

  test('storage.storageClass reaches the state claims', () => {
    const m = synthGlance({ storage: { storageClass: 'ceph-block' }, backend: ImageBackend.rbd({ cephSecretName: 'c' }) });
    expect(find(m, 'StatefulSet', 'glance-default-internal').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('ceph-block');
  });
});

describe('values of another type where text is due', () => {
  test.each([
    [{ backend: 5 }, 'backend', 'is not an ImageBackend'],
    [{ webDownload: { allowedHosts: [5] } }, 'webDownload.allowedHosts[0]', 'is not a host name or IP address'],
    [{ keystone: { ...BASE_PROPS.keystone, authUrl: ['http://ks:5000'] } }, 'keystone.authUrl', 'is not an http(s) URL'],
    [{ networkPolicy: { allowedCidrs: ['10.0.0.0/16x'] } }, 'networkPolicy.allowedCidrs[0]', 'is not a CIDR'],
    [{ networkPolicy: { allowedCidrs: ['10.0.0.0/x16'] } }, 'networkPolicy.allowedCidrs[0]', 'is not a CIDR'],
    [{ networkPolicy: { allowedCidrs: ['1.2.3.4.5/16'] } }, 'networkPolicy.allowedCidrs[0]', 'is not a CIDR'],
    [{ networkPolicy: { allowedCidrs: ['10.0.0.0'] } }, 'networkPolicy.allowedCidrs[0]', 'is not a CIDR'],
  ])('%j is refused at %s', (props, prop, message) => {
    expectInvalid(() => synthGlance(props as any), prop, message);
  });
});

describe('an API\'s own options', () => {
  const sts = (m: Manifest[]) => find(m, 'StatefulSet', 'glance-default-single');
  test('one-character namespaces and names are valid networks', () => {
    const m = synthGlance({ apis: { default: { networkAttachments: ['a/storage', 'x'] } } });
    expect(sts(m).spec.template.metadata.annotations['k8s.v1.cni.cncf.io/networks']).toBe('a/storage,x');
  });

  test('one-character prefixes and names are valid annotation and label keys', () => {
    const m = synthGlance({ apis: { default: { endpointServices: { internalService: { annotations: { 'x/y': 'v' }, labels: { 'k/l': 'a' } } } } } });
    expect(find(m, 'Service', 'glance-default').metadata)
      .toMatchObject({ annotations: { 'x/y': 'v' }, labels: expect.objectContaining({ 'k/l': 'a' }) });
  });

  test('networkAttachments of null are no networks', () => {
    const m = synthGlance({ apis: { default: { networkAttachments: null as any } } });
    expect(sts(m).spec.template.metadata.annotations?.['k8s.v1.cni.cncf.io/networks']).toBeUndefined();
  });

  test('a bad request or limit is named by its group', () => {
    expectInvalid(() => synthGlance({ apis: { default: { resources: { cpuRequest: 'lots' } } } }), 'apis.default.resources.cpuRequest', /./);
    expectInvalid(() => synthGlance({ apis: { default: { resources: { memoryLimit: 'lots' } } } }), 'apis.default.resources.memoryLimit', /./);
  });

  test('without an image cache its policy file is an empty mapping', () => {
    expect(find(synthGlance({}), 'Secret', 'glance-default-single-config').stringData['policy.yaml']).toBe('{}\n');
  });
});

describe('only an image pinned by a whole sha256 digest is pulled if not present', () => {
  const policyOf = (image: string) => find(synthGlance({ image }), 'StatefulSet',
    'glance-default-single').spec.template.spec.containers[0].imagePullPolicy;

  test('64 hex digits: IfNotPresent', () => {
    expect(policyOf(`quay.io/glance@sha256:${'a'.repeat(64)}`)).toBe('IfNotPresent');
  });

  test.each([
    ['65 hex digits', `quay.io/glance@sha256:${'a'.repeat(65)}`],
    ['63 hex digits', `q.example/glance@sha256:${'0'.repeat(63)}`],
    ['a tag', 'quay.io/glance:2025.1'],
  ])('%s: Always', (_what, image) => {
    expect(policyOf(image)).toBe('Always');
  });
});

test('each API lists the endpoint Services it serves', () => {
  const glance = new Glance(new Chart(Testing.app(), 'c'), 'g', {
    ...BASE_PROPS, backend: ImageBackend.swift(), apis: { a: { type: GlanceApiType.SINGLE }, b: { type: GlanceApiType.SPLIT } },
  });
  expect(glance.apis.map((api) => [api.statefulSetName, api.endpointServiceNames])).toEqual([
    ['glance-a-single', ['glance-a', 'glance-a-public']],
    ['glance-b-internal', ['glance-b']],
    ['glance-b-external', ['glance-b-public']],
  ]);
});

test('the smallest staging volume has room for a default cap of one byte, under it', () => {
  for (const storageRequest of ['.5', '1', '1.5']) {
    expectInvalid(() => synthGlance({ storage: { storageRequest } }), 'storage.storageRequest',
      `leaves no room to stage an image under the default cap (90 % of it, in whole bytes) (got "${storageRequest}")`);
  }
  expect(glanceConf(synthGlance({ storage: { storageRequest: '2' } }), 'glance-default-single').DEFAULT.image_size_cap).toBe('1');
  expectInvalid(() => synthGlance({ storage: { storageRequest: '0.9' }, limits: { imageSizeCap: '1' } }), 'limits.imageSizeCap',
    'is not below the staging volume (storage.storageRequest 0.9) (got "1")');
});
