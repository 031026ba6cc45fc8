/**
 * Secure by default (issue 13): each finding of the security review, on the synthesized output.
 * Findings 2 (web-download) and 3 (the managed-options guard) have files of their own:
 * test/web-download.test.ts and test/managed-options.test.ts; the NetworkPolicies' ingress lists
 * test/network-policy.test.ts. What real Glance makes of the config is checked in test/e2e.
 */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Glance, GlanceApi, GlanceApiRole, GlanceApiType, GlanceRelease, ImageBackend } from '../lib';
import { BASE_PROPS, expectInvalid, find, glanceConf, Manifest, ofKind, podSpecs, synthGlance } from './helpers';

const rbd = () => ImageBackend.rbd({ cephSecretName: 'ceph-conf' });
const DIGEST = 'quay.io/example/glance-api@sha256:' + 'ab'.repeat(32);
/** The OSSN-0090 warnings among those a spy saw (a plain public endpoint warns too). */
const ossnWarnings = (warn: jest.SpyInstance) => warn.mock.calls.filter((call) => call[1]?.code === 'CDK8S_GLANCE_OSSN_0090');

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
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('cdk8s-glance: apis.default is a SINGLE API on the rbd store, '
        + 'which also serves the public endpoint, so it does not show image locations (show_image_direct_url, OSSN-0090) '
        + 'and Nova and Cinder cannot clone its images in Ceph. '
        + 'Use type SPLIT (the rbd default) for clones, or set apis.default.showImageDirectUrl to true'),
      { code: 'CDK8S_GLANCE_OSSN_0090' });
      warn.mockClear();
      const shown = synthGlance({ backend: rbd(), apis: { default: { type: GlanceApiType.SINGLE, showImageDirectUrl: true } } });
      expect(glanceConf(shown, 'glance-default-single').DEFAULT.show_image_direct_url).toBe('true');
      synthGlance({ backend: rbd(), apis: { default: { type: GlanceApiType.SINGLE, showImageDirectUrl: false } } });
      expect(ossnWarnings(warn)).toHaveLength(0);
    } finally {
      warn.mockRestore();
    }
  });

  test('the warning comes once per app, and again in the next app', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const app = Testing.app();
      for (const id of ['a', 'b']) {
        new Glance(new Chart(app, id, { namespace: id }), 'glance',
          { ...BASE_PROPS, backend: rbd(), apis: { default: { type: GlanceApiType.SINGLE } } });
      }
      expect(ossnWarnings(warn)).toHaveLength(1);
      synthGlance({ backend: rbd(), apis: { default: { type: GlanceApiType.SINGLE } } });
      expect(ossnWarnings(warn)).toHaveLength(2);
    } finally {
      warn.mockRestore();
    }
  });

  test('an external API never shows them: asking for it is an error', () => {
    expectInvalid(() => synthGlance({ backend: rbd(), apis: { default: { type: GlanceApiType.SPLIT, showImageDirectUrl: true } } }),
      'apis.default.showImageDirectUrl', /public endpoint \(OSSN-0090\)/);
  });

  // An EDGE API on rbd, and a SINGLE API on the file store: test/defaults.test.ts.
  test('an INTERNAL API on the file store shows none: the file store has no locations to show', () => {
    expect(glanceConf(synthGlance({ apis: { i: { type: GlanceApiType.INTERNAL } } }), 'glance-i-internal').DEFAULT.show_image_direct_url)
      .toBe('false');
  });

});

describe('4. NetworkPolicy', () => {
  let m: Manifest[];
  beforeEach(() => {
    m = synthGlance({
      backend: ImageBackend.file({ sharedStore: { storageClass: 'nfs' } }),
      imageCache: { size: '1Gi' },
      apis: { default: { replicas: 2 } },
    });
  });

  test('the cache jobs get no ingress at all, and no API Service selects them', () => {
    const policy = find(m, 'NetworkPolicy', 'glance-default-single-cache-jobs');
    expect(policy.spec)
      .toEqual({ podSelector: { matchLabels: { 'glance.openstack.org/cache-of': 'glance-default-single' } }, policyTypes: ['Ingress'] });
    for (const job of ofKind(m, 'CronJob').filter((j) => j.metadata.name.startsWith('glance-default-single-'))) {
      const labels = job.spec.jobTemplate.spec.template.metadata.labels;
      expect(labels['glance.openstack.org/cache-of']).toBe('glance-default-single');
      for (const service of ofKind(m, 'Service')) {
        const selects = Object.entries(service.spec.selector).every(([k, v]) => labels[k] === v);
        expect(selects).toBe(false);
      }
    }
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
    expectInvalid(() => synthGlance({ storage: { storageRequest: '5Gi' }, limits: { imageSizeCap: '6Gi' } }), 'limits.imageSizeCap',
      /storage.storageRequest 5Gi/);
  });
});

describe('6. policy defaults and proxies', () => {
  // Antelope, the default, and the releases before it: test/defaults.test.ts and test/common-props.test.ts.
  test('enforce_new_defaults and enforce_scope as the glance-operator sets them, in later releases too', () => {
    expect(glanceConf(synthGlance({ release: GlanceRelease.EPOXY }), 'glance-default-single').oslo_policy)
      .toMatchObject({ enforce_new_defaults: 'true', enforce_scope: 'true' });
  });

  // Not behind a proxy, the default: test/defaults.test.ts.
  test('proxy headers are honoured behind a TLS-terminating proxy', () => {
    expect(glanceConf(synthGlance({ behindTlsProxy: true }), 'glance-default-single').oslo_middleware)
      .toEqual({ enable_proxy_headers_parsing: 'true' });
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
    for (const { c } of containers(synthGlance({
      imagePullPolicy: kplus.ImagePullPolicy.NEVER,
      imageCache: { size: '1Gi' },
    }))) expect(c.imagePullPolicy).toBe('Never');
  });
});

describe('8. names', () => {
  test.each([
    ['database.connectionSecret.name', () => ({ database: { connectionSecret: { name: 'glance-db-config', key: 'connection' } } })],
    ['keystone.passwordSecret.name',
      () => ({ keystone: { authUrl: 'http://ks:5000', passwordSecret: { name: 'glance-default-single-config', key: 'p' } } })],
    ['backend.cephSecretName', () => ({ backend: ImageBackend.rbd({ cephSecretName: 'glance-default-internal-config' }) })],
  ])('a Secret of yours named like one of ours is refused: %s', (prop, props) => {
    expectInvalid(() => synthGlance(props()), prop, /this chart creates for .* overwrite yours/);
  });

  test('the error names what the Secret of ours is for: the database jobs\' config is the name\'s', () => {
    const props = { database: { connectionSecret: { name: 'glance-db-config', key: 'connection' } } };
    expectInvalid(() => synthGlance(props), 'database.connectionSecret.name', 'names a Secret that this chart creates for name,');
  });

  test('an API added to a built Glance may not take the name of a Secret of yours either', () => {
    const keystone = { authUrl: 'http://ks:5000', passwordSecret: { name: 'glance-extra-single-config', key: 'p' } };
    const glance = new Glance(Testing.chart(), 'glance', { ...BASE_PROPS, keystone, backend: ImageBackend.rbd({ cephSecretName: 'ceph' }) });
    expectInvalid(() => new GlanceApi(glance, 'extra', { apiName: 'extra', role: GlanceApiRole.SINGLE }),
      'keystone.passwordSecret.name', 'names a Secret that this chart creates for apis.extra,');
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
