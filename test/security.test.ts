/**
 * Secure by default (issue 13): each finding of the security review, on the synthesized output.
 * What real Glance makes of the config is checked in test/e2e (config-guard, real-glance).
 */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Glance, GlanceApiType, GlanceRelease, ImageBackend } from '../lib';
import { BASE_PROPS, expectInvalid, find, glanceConf, Manifest, ofKind, podSpecs, synthGlance } from './helpers';

const rbd = () => ImageBackend.rbd({ cephSecretName: 'ceph-conf' });
const DIGEST = 'quay.io/example/glance-api@sha256:' + 'ab'.repeat(32);

describe('1. image locations (OSSN-0090)', () => {
  test('with rbd the default layout is split: only the internal API shows image locations', () => {
    const m = synthGlance({ backend: rbd() });
    expect(ofKind(m, 'StatefulSet').map((s) => s.metadata.name)).toEqual(['glance-default-internal', 'glance-default-external']);
    expect(glanceConf(m, 'glance-default-internal').DEFAULT.show_image_direct_url).toBe('true');
    expect(glanceConf(m, 'glance-default-external').DEFAULT.show_image_direct_url).toBe('false');
    expect(find(m, 'Service', 'glance-default-public').spec.selector['glance.openstack.org/statefulset']).toBe('glance-default-external');
  });

  test('a SINGLE API on rbd (public endpoint too) hides them unless opted in, and says so at synth time', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const hidden = synthGlance({ backend: rbd(), apis: { default: { type: GlanceApiType.SINGLE } } });
      expect(glanceConf(hidden, 'glance-default-single').DEFAULT.show_image_direct_url).toBe('false');
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/apis\.default is a SINGLE API on the rbd store.*OSSN-0090.*showImageDirectUrl/),
        { code: 'CDK8S_GLANCE_OSSN_0090' });
      warn.mockClear();
      const shown = synthGlance({ backend: rbd(), apis: { default: { type: GlanceApiType.SINGLE, showImageDirectUrl: true } } });
      expect(glanceConf(shown, 'glance-default-single').DEFAULT.show_image_direct_url).toBe('true');
      synthGlance({ backend: rbd(), apis: { default: { type: GlanceApiType.SINGLE, showImageDirectUrl: false } } });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  test('the warning comes once per app, and again in the next app', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const app = Testing.app();
      for (const id of ['a', 'b']) new Glance(new Chart(app, id, { namespace: id }), 'glance', { ...BASE_PROPS, backend: rbd(), apis: { default: { type: GlanceApiType.SINGLE } } });
      expect(warn).toHaveBeenCalledTimes(1);
      synthGlance({ backend: rbd(), apis: { default: { type: GlanceApiType.SINGLE } } });
      expect(warn).toHaveBeenCalledTimes(2);
    } finally {
      warn.mockRestore();
    }
  });

  test('an external API never shows them: asking for it is an error', () => {
    expectInvalid(() => synthGlance({ backend: rbd(), apis: { default: { type: GlanceApiType.SPLIT, showImageDirectUrl: true } } }),
      'apis.default.showImageDirectUrl', /public endpoint \(OSSN-0090\)/);
  });

  test('internal and edge APIs follow the store; the file store shows nothing', () => {
    expect(glanceConf(synthGlance({ backend: rbd(), apis: { e: { type: GlanceApiType.EDGE } } }), 'glance-e-edge').DEFAULT.show_image_direct_url).toBe('true');
    expect(glanceConf(synthGlance({ apis: { i: { type: GlanceApiType.INTERNAL } } }), 'glance-i-internal').DEFAULT.show_image_direct_url).toBe('false');
    expect(glanceConf(synthGlance({}), 'glance-default-single').DEFAULT.show_image_direct_url).toBe('false');
  });

  test('customServiceConfig cannot turn them back on', () => {
    expectInvalid(() => synthGlance({ customServiceConfig: '[DEFAULT]\nshow_image_direct_url = true\n' }), 'customServiceConfig', '[DEFAULT] show_image_direct_url');
    expectInvalid(() => synthGlance({ customServiceConfig: '[DEFAULT]\nshow_multiple_locations = true\n' }), 'customServiceConfig', /OSSN-0065/);
  });
});

describe('2. web-download (SSRF)', () => {
  test('is not offered by default', () => {
    const conf = glanceConf(synthGlance({}), 'glance-default-single');
    expect(conf.DEFAULT.enabled_import_methods).toBe('[glance-direct,copy-image]');
    expect(conf.import_filtering_opts).toBeUndefined();
  });

  test('is offered only with an allow-list, https on 443 unless widened', () => {
    const conf = glanceConf(synthGlance({ webDownload: { allowedHosts: ['cloud-images.ubuntu.com', 'download.cirros-cloud.net'] } }), 'glance-default-single');
    expect(conf.DEFAULT.enabled_import_methods).toBe('[glance-direct,web-download,copy-image]');
    expect(conf.import_filtering_opts).toEqual({
      allowed_schemes: '[https]', allowed_hosts: '[cloud-images.ubuntu.com,download.cirros-cloud.net]', allowed_ports: '[443]',
    });
    const wide = glanceConf(synthGlance({ webDownload: { allowedHosts: ['mirror.example'], allowedSchemes: ['http', 'https'], allowedPorts: [80, 443] } }), 'glance-default-single');
    expect(wide.import_filtering_opts).toEqual({ allowed_schemes: '[http,https]', allowed_hosts: '[mirror.example]', allowed_ports: '[80,443]' });
  });

  test.each([
    [{ allowedHosts: [] }, 'webDownload.allowedHosts', /is empty/],
    [{ allowedHosts: ['a b'] }, 'webDownload.allowedHosts[0]', /not a host name/],
    [{ allowedHosts: ['ok.example', 'x,y'] }, 'webDownload.allowedHosts[1]', /not a host name/],
    [{ allowedHosts: ['ok.example'], allowedSchemes: ['file'] }, 'webDownload.allowedSchemes[0]', /not a scheme/],
    [{ allowedHosts: ['ok.example'], allowedPorts: [0] }, 'webDownload.allowedPorts[0]', /not a TCP port/],
    [{ allowedHosts: ['ok.example'], allowedPorts: [65536] }, 'webDownload.allowedPorts[0]', /not a TCP port/],
  ])('rejects %j', (webDownload, prop, message) => {
    expectInvalid(() => synthGlance({ webDownload: webDownload as any }), prop, message);
  });

  test('customServiceConfig cannot enable it or loosen the filter', () => {
    expectInvalid(() => synthGlance({ customServiceConfig: '[DEFAULT]\nenabled_import_methods = [web-download]\n' }), 'customServiceConfig', 'enabled_import_methods');
    expectInvalid(() => synthGlance({ customServiceConfig: '[import_filtering_opts]\ndisallowed_hosts =\n' }), 'customServiceConfig', 'disallowed_hosts');
  });
});

describe('3. the managed-options guard follows oslo.config', () => {
  test.each([
    ['[PASTE_DEPLOY]\nflavor = caching\n', '[PASTE_DEPLOY] flavor'],
    ['[Paste_Deploy]\nflavor = keystone\n', '[Paste_Deploy] flavor'],
    ['[OSLO_POLICY]\npolicy_file = /tmp/p.yaml\n', '[OSLO_POLICY] policy_file'],
    ['[DEFAULT]\npolicy_file = /tmp/p.yaml\n', /reads it as \[oslo_policy\] policy_file.*\[DEFAULT\] policy_file/],
    ['[DEFAULT]\nsql_connection = mysql://x\n', /reads it as \[database\] connection/],
    ['[sql]\nconnection = mysql://x\n', /reads it as \[database\] connection/],
    ['[DEFAULT]\nlock_path = /run/lock\n', /reads it as \[oslo_concurrency\] lock_path/],
    ['[DEFAULT]\nlogfile = /var/log/glance/api.log\n', /reads it as \[DEFAULT\] log_file/],
    ['[DEFAULT]\nimage-cache-dir = /tmp\n', '[DEFAULT] image_cache_dir'],
    ['[KEYSTONE_AUTHTOKEN]\npassword = x\n', '[KEYSTONE_AUTHTOKEN] password'],
  ])('rejects %j', (custom, message) => {
    expectInvalid(() => synthGlance({ customServiceConfig: custom }), 'customServiceConfig', message);
  });

  test.each([
    '[default]\nflavor = caching\npolicy_file = /tmp/p.yaml\n',
    '[DEFAULT]\nflavor = caching\n',
    '[paste_deploy_extra]\nflavor = caching\n',
  ])('accepts %j: oslo.config does not read it as a managed option', (custom) => {
    expect(glanceConf(synthGlance({ customServiceConfig: custom }), 'glance-default-single').paste_deploy.flavor).toBe('keystone');
  });
});

describe('4. NetworkPolicy', () => {
  let m: Manifest[];
  beforeEach(() => {
    m = synthGlance({ backend: ImageBackend.file({ sharedStore: { storageClass: 'nfs' } }), imageCache: { size: '1Gi' }, apis: { default: { replicas: 2 } } });
  });

  test('admits the chart\'s namespace on 9292 only, to the API pods only', () => {
    const policy = find(m, 'NetworkPolicy', 'glance-default-single');
    const sts = find(m, 'StatefulSet', 'glance-default-single');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: sts.spec.selector.matchLabels },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ protocol: 'TCP', port: 9292 }], from: [{ podSelector: {} }] }],
    });
  });

  test('the cache jobs get no ingress at all, and no API Service selects them', () => {
    const policy = find(m, 'NetworkPolicy', 'glance-default-single-cache-jobs');
    expect(policy.spec).toEqual({ podSelector: { matchLabels: { 'glance.openstack.org/cache-of': 'glance-default-single' } }, policyTypes: ['Ingress'] });
    for (const job of ofKind(m, 'CronJob').filter((j) => j.metadata.name.startsWith('glance-default-single-'))) {
      const labels = job.spec.jobTemplate.spec.template.metadata.labels;
      expect(labels['glance.openstack.org/cache-of']).toBe('glance-default-single');
      for (const service of ofKind(m, 'Service')) {
        const selects = Object.entries(service.spec.selector).every(([k, v]) => labels[k] === v);
        expect(selects).toBe(false);
      }
    }
  });

  test('other namespaces and address ranges are added on request; it can be turned off', () => {
    const wide = synthGlance({ networkPolicy: { allowedNamespaces: ['openstack-edge'], allowedCidrs: ['192.0.2.0/24'] } });
    expect(find(wide, 'NetworkPolicy', 'glance-default-single').spec.ingress[0].from).toEqual([
      { podSelector: {} },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openstack-edge' } } },
      { ipBlock: { cidr: '192.0.2.0/24' } },
    ]);
    expect(ofKind(synthGlance({ imageCache: { size: '1Gi' }, networkPolicy: { enabled: false } }), 'NetworkPolicy')).toEqual([]);
  });

  test.each([
    [{ allowedNamespaces: ['Not_A_Namespace'] }, 'networkPolicy.allowedNamespaces[0]'],
    [{ allowedCidrs: ['10.0.0.0'] }, 'networkPolicy.allowedCidrs[0]'],
  ])('rejects %j', (networkPolicy, prop) => {
    expectInvalid(() => synthGlance({ networkPolicy }), prop, /is not/);
  });
});

describe('5. bounded staging', () => {
  test('staging is always on a size-limited volume, and image_size_cap stays below it', () => {
    const claim = synthGlance({ storage: { storageRequest: '20Gi' } });
    expect(find(claim, 'StatefulSet', 'glance-default-single').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
    expect(glanceConf(claim, 'glance-default-single').DEFAULT.image_size_cap).toBe(String(Math.floor(20 * 2 ** 30 * 0.9)));
    expect(glanceConf(claim, 'glance-default-single').DEFAULT.user_storage_quota).toBe('0');
    const external = synthGlance({ backend: rbd(), storage: { external: true, storageRequest: '50Gi' } });
    for (const sts of ofKind(external, 'StatefulSet')) {
      expect(sts.spec.template.spec.volumes.find((v: any) => v.name === 'glance')).toEqual({ name: 'glance', emptyDir: { sizeLimit: '50Gi' } });
    }
  });

  test('the cap and a per-user quota are props', () => {
    const conf = glanceConf(synthGlance({ limits: { imageSizeCap: '8Gi', userStorageQuota: '1Ti' } }), 'glance-default-single');
    expect(conf.DEFAULT.image_size_cap).toBe(String(8 * 2 ** 30));
    expect(conf.DEFAULT.user_storage_quota).toBe(String(2 ** 40));
  });

  test('a cap at or above the staging volume is refused', () => {
    expectInvalid(() => synthGlance({ limits: { imageSizeCap: '10Gi' } }), 'limits.imageSizeCap', /not below the staging volume/);
    expectInvalid(() => synthGlance({ storage: { storageRequest: '5Gi' }, limits: { imageSizeCap: '6Gi' } }), 'limits.imageSizeCap', /storage.storageRequest 5Gi/);
    expectInvalid(() => synthGlance({ limits: { userStorageQuota: 'lots' } }), 'limits.userStorageQuota', '"lots"');
  });
});

describe('6. policy defaults and proxies', () => {
  test('enforce_new_defaults and enforce_scope as the glance-operator sets them, from Antelope on', () => {
    expect(glanceConf(synthGlance({}), 'glance-default-single').oslo_policy).toMatchObject({ enforce_new_defaults: 'true', enforce_scope: 'true' });
    expect(glanceConf(synthGlance({ release: GlanceRelease.EPOXY }), 'glance-default-single').oslo_policy.enforce_scope).toBe('true');
    const zed = glanceConf(synthGlance({ release: GlanceRelease.ZED }), 'glance-default-single').oslo_policy;
    expect(zed.enforce_new_defaults).toBeUndefined();
    expect(zed.enforce_scope).toBeUndefined();
  });

  test('proxy headers are honoured behind a TLS-terminating proxy only', () => {
    expect(glanceConf(synthGlance({}), 'glance-default-single').oslo_middleware.enable_proxy_headers_parsing).toBe('false');
    expect(glanceConf(synthGlance({ behindTlsProxy: true }), 'glance-default-single').oslo_middleware.enable_proxy_headers_parsing).toBe('true');
  });
});

describe('7. image and pull policy', () => {
  const containers = (m: Manifest[]) => podSpecs(m).flatMap(({ where, spec }) => spec.containers.map((c: any) => ({ where, c })));

  test('every container has an explicit pull policy: Always for a tag, which can move', () => {
    const all = containers(synthGlance({ imageCache: { size: '1Gi' } }));
    expect(all.length).toBeGreaterThanOrEqual(5);
    for (const { c } of all) expect(c.imagePullPolicy).toBe('Always');
  });

  test('a digest-pinned image is accepted and pulled IfNotPresent', () => {
    for (const { c } of containers(synthGlance({ image: DIGEST, imageCache: { size: '1Gi' } }))) {
      expect(c.image).toBe(DIGEST);
      expect(c.imagePullPolicy).toBe('IfNotPresent');
    }
  });

  test('the policy can be set', () => {
    for (const { c } of containers(synthGlance({ imagePullPolicy: kplus.ImagePullPolicy.NEVER, imageCache: { size: '1Gi' } }))) expect(c.imagePullPolicy).toBe('Never');
  });
});

describe('8. names', () => {
  test.each([
    ['database.connectionSecret.name', () => ({ database: { connectionSecret: { name: 'glance-db-config', key: 'connection' } } })],
    ['keystone.passwordSecret.name', () => ({ keystone: { authUrl: 'http://ks:5000', passwordSecret: { name: 'glance-default-single-config', key: 'p' } } })],
    ['backend.cephSecretName', () => ({ backend: ImageBackend.rbd({ cephSecretName: 'glance-default-internal-config' }) })],
  ])('a Secret of yours named like one of ours is refused: %s', (prop, props) => {
    expectInvalid(() => synthGlance(props()), prop, /this chart creates for .* overwrite yours/);
  });
});

test('every pod template is selected by a NetworkPolicy of the chart (checkov cannot see CronJob pods)', () => {
  for (const props of [{ imageCache: { size: '1Gi', precache: { images: ['cirros'] } } }, {}]) {
    const m = synthGlance(props);
    const policies = m.filter((o) => o.kind === 'NetworkPolicy').map((p) => p.spec.podSelector.matchLabels);
    const templates = m.flatMap((o) => o.kind === 'StatefulSet' || o.kind === 'Job' ? [[o, o.spec.template]]
      : o.kind === 'CronJob' ? [[o, o.spec.jobTemplate.spec.template]] : []);
    expect(templates.length).toBeGreaterThanOrEqual(3);
    const unselected = templates.filter(([, t]: any) => !policies.some((sel) => Object.entries(sel).every(([k, v]) => t.metadata.labels[k] === v)))
      .map(([o]: any) => `${o.kind}/${o.metadata.name}`);
    expect(unselected).toEqual([]);
  }
});
