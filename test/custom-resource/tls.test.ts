/**
 * TLS of a CR: a Glance CR's glanceAPIs.*.tls (its Secrets and CA bundle), and a control plane's
 * spec.tls (pod-level TLS, on by default), with the names the openstack-operator gives them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { crOptions, expectRejected, glance, ROUTE_URL, runCapturing, synthFromCr } from './cr-helpers';
import { Glance } from '../../lib';
import { readCustomResource } from '../../lib/custom-resource';
import { expectInvalid, find, glanceConf, Manifest, ofKind } from '../helpers';

const read = (cr: unknown, options = crOptions()) => readCustomResource(cr, options).props;
const refused = (cr: unknown, path: string, message: RegExp | string, options = crOptions()) =>
  expectInvalid(() => readCustomResource(cr, options), path, message);
/** A control plane with this spec.tls (absent when undefined) and these glanceAPIs. */
const plane = (tls: unknown, glanceAPIs: object = { default: { type: 'single' } }) => ({
  kind: 'OpenStackControlPlane',
  metadata: { name: 'openstack', namespace: 'openstack' },
  spec: { glance: { template: { glanceAPIs } }, ...(tls === undefined ? {} : { tls }) },
});
const tlsApi = (internal?: string, publicName?: string, bundle?: string) => ({
  api: {
    ...(internal === undefined ? {} : { internal: { secretName: internal } }),
    ...(publicName === undefined ? {} : { public: { secretName: publicName } }),
  },
  ...(bundle === undefined ? {} : { caBundleSecretName: bundle }),
});
/** Secret name of each TLS volume of a StatefulSet, by volume name. */
const certSecrets = (m: Manifest[], sts: string) => Object.fromEntries(find(m, 'StatefulSet', sts).spec.template.spec.volumes
  .filter((v: any) => v.name.startsWith('tls-')).map((v: any) => [v.name, v.secret.secretName]));
const bundleVolume = (m: Manifest[], sts: string) => find(m, 'StatefulSet', sts).spec.template.spec.volumes.find((v: any) => v.name === 'ca-bundle');
const probeSchemes = (m: Manifest[], sts: string) => find(m, 'StatefulSet', sts).spec.template.spec.containers
  .filter((c: any) => c.readinessProbe).map((c: any) => c.readinessProbe.httpGet.scheme ?? 'HTTP');
const certificates = (m: Manifest[]) => Object.fromEntries(ofKind(m, 'Certificate').map((c) => [c.metadata.name, c.spec]));
const dbParameters = (m: Manifest[], sts: string) => glanceConf(m, sts).database?.connection_parameters;

describe('a Glance CR: glanceAPIs.<api>.tls', () => {
  test('the Secrets of tls.api become the API\'s certificates, caBundleSecretName its CA bundle (key tls-ca-bundle.pem)', () => {
    const props = read(glance({ glanceAPIs: { default: { type: 'single', tls: tlsApi('cert-i', 'cert-p', 'my-bundle') } } }));
    expect(props.apis?.default.tls).toEqual({ internalSecretName: 'cert-i', publicSecretName: 'cert-p' });
    expect(props.tls).toEqual({ caBundleSecret: { name: 'my-bundle', key: 'tls-ca-bundle.pem' } });
    const m = synthFromCr(glance({ glanceAPIs: { default: { type: 'single', tls: tlsApi('cert-i', 'cert-p', 'my-bundle') } } }));
    expect(certSecrets(m, 'glance-default-single')).toEqual({ 'tls-internal': 'cert-i', 'tls-public': 'cert-p' });
    expect(bundleVolume(m, 'glance-default-single').secret).toMatchObject({ secretName: 'my-bundle', items: [{ key: 'tls-ca-bundle.pem' }] });
    expect(probeSchemes(m, 'glance-default-single')).toEqual(['HTTPS']);
    // Secrets you bring: the library issues nothing.
    expect(ofKind(m, 'Certificate')).toEqual([]);
  });

  test('a CA bundle turns database TLS on, as the operator asks MariaDB for it (ssl=1 when the server supports TLS)', () => {
    const m = synthFromCr(glance({ glanceAPIs: { default: { tls: tlsApi(undefined, undefined, 'combined-ca-bundle') } } }));
    expect(dbParameters(m, 'glance-default-internal-api')).toMatch(/^ssl_ca=\S+tls-ca-bundle\.pem$/);
    // A bundle without Secrets: plain HTTP, but the containers trust the bundle.
    expect(probeSchemes(m, 'glance-default-internal-api')).toEqual(['HTTP']);
    expect(bundleVolume(m, 'glance-default-internal-api').secret.secretName).toBe('combined-ca-bundle');
  });

  test('database TLS stays off without a CA bundle, and options.database.tls (--database-tls) overrides the default', () => {
    expect(read(glance({})).database.tls).toBe(false);
    const cr = glance({ glanceAPIs: { default: { tls: tlsApi(undefined, undefined, 'combined-ca-bundle') } } });
    const off = { ...crOptions(), database: { ...crOptions().database, tls: false } };
    expect(read(cr, off).database.tls).toBe(false);
    expect(dbParameters(synthFromCr(cr, off), 'glance-default-internal-api')).toBeUndefined();
  });

  test('an empty secretName or caBundleSecretName is none, as the operator reads it', () => {
    const props = read(glance({ glanceAPIs: { default: { type: 'single', tls: tlsApi('', '', '') } } }));
    expect(props.apis?.default.tls).toBeUndefined();
    expect(props.tls).toBeUndefined();
    expect(props.database.tls).toBe(false);
  });

  test('split: each StatefulSet serves its own endpoint, so one endpoint may have TLS without the other', () => {
    const m = synthFromCr(glance({ glanceAPIs: { default: { type: 'split', tls: tlsApi('cert-i', undefined, 'combined-ca-bundle') } } }));
    expect(certSecrets(m, 'glance-default-internal-api')).toEqual({ 'tls-internal': 'cert-i' });
    expect(certSecrets(m, 'glance-default-external-api')).toEqual({});
    expect(probeSchemes(m, 'glance-default-internal-api')).toEqual(['HTTPS']);
    expect(probeSchemes(m, 'glance-default-external-api')).toEqual(['HTTP']);
  });

  test('edge: the internal endpoint only (a public Secret is unused, as in the operator)', () => {
    // Only an edge API: the operator lists none in Keystone (its webhook refuses it as keystoneEndpoint), nor does the import here.
    const m = synthFromCr(glance({ glanceAPIs: { e: { type: 'edge', tls: tlsApi('cert-i', 'cert-p', 'combined-ca-bundle') } } }),
      { ...crOptions(), keystoneRegistration: false });
    expect(certSecrets(m, 'glance-e-edge-api')).toEqual({ 'tls-internal': 'cert-i' });
  });

  test('several APIs with one CA bundle share it', () => {
    const props = read(glance({
      keystoneEndpoint: 'a', glanceAPIs: { a: { tls: tlsApi('x', 'y', 'b1') }, c: { type: 'edge', tls: tlsApi('z', undefined, 'b1') } },
    }));
    expect(props.tls?.caBundleSecret).toEqual({ name: 'b1', key: 'tls-ca-bundle.pem' });
    expect(props.apis?.c.tls).toEqual({ internalSecretName: 'z' });
  });

  describe('refusals name the CR path, the value and a fix', () => {
    test.each([
      [{ a: { tls: tlsApi(undefined, undefined, 'b1') }, b: { tls: tlsApi(undefined, undefined, 'b2') } },
        'spec.glanceAPIs.b.tls.caBundleSecretName',
        'differs from spec.glanceAPIs.a.tls.caBundleSecretName ("b1"): cdk8s-glance gives every container of a deployment one CA bundle '
        + '(got "b2"). Fix: give every API the same caBundleSecretName'],
      [{ a: { tls: tlsApi(undefined, undefined, 'b1') }, b: {} }, 'spec.glanceAPIs.b.tls.caBundleSecretName',
        'differs from spec.glanceAPIs.a.tls.caBundleSecretName ("b1")'],
      [{ a: {}, b: { tls: tlsApi(undefined, undefined, 'b2') } }, 'spec.glanceAPIs.b.tls.caBundleSecretName',
        'differs from spec.glanceAPIs.a.tls.caBundleSecretName (unset)'],
      [{ a: { type: 'single', tls: tlsApi(undefined, 'p') } }, 'spec.glanceAPIs.a.tls.api.internal.secretName',
        'is not set, and spec.glanceAPIs.a.tls.api.public.secretName is: a single API serves both endpoints on one port, so both over HTTPS '
        + 'or neither (got undefined). Fix: name the internal endpoint\'s certificate Secret too, or remove the public one'],
      [{ a: { tls: { api: { admin: { secretName: 'x' } } } } }, 'spec.glanceAPIs.a.tls.api.admin', 'is not a field of the Glance CRD'],
      [{ a: { tls: { api: { internal: { secretName: 5 } } } } }, 'spec.glanceAPIs.a.tls.api.internal.secretName', 'is not a string'],
      [{ a: { tls: { caBundleSecretName: ['x'] } } }, 'spec.glanceAPIs.a.tls.caBundleSecretName', 'is not a string'],
    ])('glanceAPIs %j', (glanceAPIs, path, message) => {
      refused(glance({ glanceAPIs }), path, message);
    });

    // The library's own checks, named by the CR field they came from.
    test.each([
      [{ default: { tls: tlsApi('Not_A_Secret') } }, 'spec.glanceAPIs.default.tls.api.internal.secretName', /is not a Secret name/],
      [{ default: { tls: tlsApi(undefined, undefined, 'Bad Bundle') } }, 'spec.glanceAPIs.default.tls.caBundleSecretName', /"Bad Bundle"/],
    ])('%j is refused at %s', (glanceAPIs, path, message) => {
      expectRejected(glance({ glanceAPIs }), path);
      expect(() => synthFromCr(glance({ glanceAPIs }))).toThrow(message);
    });

    test('--database-tls true without a CA bundle names the flag, with a fix in the CR\'s terms', () => {
      const options = { ...crOptions(), database: { ...crOptions().database, tls: true } };
      expect(() => synthFromCr(glance({}), options)).toThrow(
        /^--database-tls: .*tls\.caBundleSecret is not set \(got true\)\. Fix: drop --database-tls \(database\.tls\), or give the APIs a CA bundle/);
    });
  });
});

describe('an OpenStackControlPlane: spec.tls.podLevel, on by default', () => {
  test('no spec.tls: the operator\'s certificates, issuers, duration and names; combined-ca-bundle; database TLS', () => {
    const m = synthFromCr(plane(undefined));
    const dnsNames = (svc: string) => [`${svc}.openstack.svc`, `${svc}.openstack.svc.cluster.local`,
      '*.glance-default-single.openstack.svc', '*.glance-default-single.openstack.svc.cluster.local'];
    expect(certificates(m)).toEqual({
      'glance-default-internal-svc': expect.objectContaining({
        secretName: 'cert-glance-default-internal-svc',
        duration: '43800h',
        dnsNames: dnsNames('glance-default-internal'),
        issuerRef: { name: 'rootca-internal', kind: 'Issuer', group: 'cert-manager.io' },
      }),
      'glance-default-public-svc': expect.objectContaining({
        secretName: 'cert-glance-default-public-svc',
        duration: '43800h',
        dnsNames: dnsNames('glance-default-public'),
        issuerRef: { name: 'rootca-public', kind: 'Issuer', group: 'cert-manager.io' },
      }),
    });
    expect(certSecrets(m, 'glance-default-single')).toEqual({
      'tls-internal': 'cert-glance-default-internal-svc', 'tls-public': 'cert-glance-default-public-svc',
    });
    expect(bundleVolume(m, 'glance-default-single').secret)
      .toMatchObject({ secretName: 'combined-ca-bundle', items: [{ key: 'tls-ca-bundle.pem' }] });
    expect(dbParameters(m, 'glance-default-single')).toMatch(/^ssl_ca=/);
    expect(probeSchemes(m, 'glance-default-single')).toEqual(['HTTPS']);
  });

  test('tls: {} and podLevel: {} are the defaults too, as the CRD fills them in', () => {
    const none = read(plane(undefined));
    expect(read(plane({}))).toEqual(none);
    expect(read(plane({ podLevel: {} }))).toEqual(none);
    expect(read(plane({ podLevel: { enabled: true }, ingress: { enabled: true } }))).toEqual(none);
  });

  test('podLevel.enabled false: plain HTTP and no certificates, but the CA bundle and database TLS stay', () => {
    const props = read(plane({ podLevel: { enabled: false } }));
    expect(props.tls).toEqual({ caBundleSecret: { name: 'combined-ca-bundle', key: 'tls-ca-bundle.pem' } });
    expect(props.database.tls).toBe(true);
    const m = synthFromCr(plane({ podLevel: { enabled: false } }));
    expect(ofKind(m, 'Certificate')).toEqual([]);
    expect(probeSchemes(m, 'glance-default-single')).toEqual(['HTTP']);
    expect(dbParameters(m, 'glance-default-single')).toMatch(/^ssl_ca=/);
  });

  test('custom issuers and a custom certificate duration', () => {
    const m = synthFromCr(plane({
      ingress: { ca: { customIssuer: 'rootca-ingress-custom' }, cert: { duration: '500h0m0s' } },
      podLevel: { internal: { ca: { customIssuer: 'rootca-internal-custom' }, cert: { duration: '500h0m0s' } } },
    }));
    const certs = certificates(m);
    expect(certs['glance-default-internal-svc'].issuerRef.name).toBe('rootca-internal-custom');
    expect(certs['glance-default-public-svc'].issuerRef.name).toBe('rootca-ingress-custom');
    expect([certs['glance-default-internal-svc'].duration, certs['glance-default-public-svc'].duration]).toEqual(['500h0m0s', '500h0m0s']);
  });

  test('the public certificate takes ingress.cert, the internal one podLevel.internal.cert: duration and renewBefore each', () => {
    const certs = certificates(synthFromCr(plane({
      ingress: { cert: { duration: '2160h', renewBefore: '360h' } },
      podLevel: { internal: { cert: { duration: '500h0m0s', renewBefore: '100h' } } },
    })));
    const validity = (name: string) => [certs[name].duration, certs[name].renewBefore];
    expect(validity('glance-default-internal-svc')).toEqual(['500h0m0s', '100h']);
    expect(validity('glance-default-public-svc')).toEqual(['2160h', '360h']);
    // Unset, as the CRD leaves it: cert-manager's rule.
    expect(Object.values(certificates(synthFromCr(plane(undefined)))).map((c: any) => 'renewBefore' in c)).toEqual([false, false]);
  });

  test('split and edge APIs: one certificate per endpoint Service; an edge API gets the internal one only', () => {
    const cr = plane(undefined, { default: { type: 'split' }, az1: { type: 'edge' } });
    (cr.spec.glance.template as any).keystoneEndpoint = 'default';
    const m = synthFromCr(cr);
    expect(Object.keys(certificates(m)).sort()).toEqual(['glance-az1-internal-svc', 'glance-default-internal-svc', 'glance-default-public-svc']);
    expect(certSecrets(m, 'glance-az1-edge-api')).toEqual({ 'tls-internal': 'cert-glance-az1-internal-svc' });
    expect(certSecrets(m, 'glance-default-external-api')).toEqual({ 'tls-public': 'cert-glance-default-public-svc' });
  });

  test('serviceName names the certificates, as it names the Glance CR', () => {
    const cr: any = plane(undefined);
    cr.spec.glance.serviceName = 'image';
    expect(Object.keys(certificates(synthFromCr(cr))).sort()).toEqual(['image-default-internal-svc', 'image-default-public-svc']);
  });

  test('the template\'s own tls is replaced, as the operator replaces it, with a warning that names its fields', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const props = read(plane(undefined, { default: { type: 'single', tls: tlsApi('mine-i', 'mine-p', 'my-bundle') } }));
      expect(props.apis?.default.tls).toBeUndefined();
      expect(props.tls?.caBundleSecret?.name).toBe('combined-ca-bundle');
      expect(warn).toHaveBeenCalledWith('cdk8s-glance: spec.glance.template.glanceAPIs.default.tls.api.internal.secretName, '
        + 'spec.glance.template.glanceAPIs.default.tls.api.public.secretName, spec.glance.template.glanceAPIs.default.tls.caBundleSecretName '
        + 'are replaced, as the openstack-operator replaces them: a control plane\'s Glance serves the certificates of spec.tls.podLevel '
        + '(or none) and trusts combined-ca-bundle', { code: 'CDK8S_GLANCE_CR_TLS_REPLACED' });
      warn.mockClear();
      // With podLevel off the operator sets both Secrets to none.
      expect(read(plane({ podLevel: { enabled: false } }, { default: { type: 'single', tls: tlsApi('mine-i', 'mine-p') } })).apis?.default.tls)
        .toBeUndefined();
      const replaced = () => warn.mock.calls.filter((call: any[]) => call[1]?.code === 'CDK8S_GLANCE_CR_TLS_REPLACED');
      expect(replaced()).toHaveLength(1);
      warn.mockClear();
      // What the operator writes itself is no loss: no warning.
      read(plane(undefined, { default: { tls: tlsApi(undefined, undefined, 'combined-ca-bundle') } }));
      expect(replaced()).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  test('what does not concern Glance\'s certificates is accepted: Routes, CA lifetimes, libvirt, ovn, extra CAs', () => {
    expect(() => read(plane({
      caBundleSecretName: 'ca-custom-kuttl',
      ingress: { enabled: false, ca: { duration: '87600h', renewBefore: '100h' } },
      podLevel: { internal: { ca: { duration: '1000h' } }, libvirt: { cert: { duration: '10h' } }, ovn: {} },
    }))).not.toThrow();
  });

  test('options.database.tls false turns database TLS off', () => {
    expect(read(plane(undefined), { ...crOptions(), database: { ...crOptions().database, tls: false } }).database.tls).toBe(false);
  });

  describe('refusals name the CR path, the value and a fix', () => {
    test.each([
      [{ podlevel: { enabled: false } }, 'spec.tls.podlevel', 'is not a field'],
      [{ podLevel: { enabled: 'no' } }, 'spec.tls.podLevel.enabled', 'is not true or false'],
      ['on', 'spec.tls', 'is not a mapping (got "on"). Fix: write it as a mapping, e.g. {} for the defaults'],
    ])('spec.tls %j', (tls, path, message) => {
      refused(plane(tls), path, message);
    });

    // The library's own checks, named by the CR field they came from.
    test.each([
      [{ podLevel: { internal: { ca: { customIssuer: 'Root CA' } } } }, 'spec.tls.podLevel.internal.ca.customIssuer',
        /is not the name of a cert-manager/],
      [{ ingress: { ca: { customIssuer: 'Root CA' } } }, 'spec.tls.ingress.ca.customIssuer', /is not the name of a cert-manager/],
      [{ ingress: { cert: { duration: '5m' } }, podLevel: { internal: { cert: { duration: '5m' } } } }, 'spec.tls.podLevel.internal.cert.duration',
        /is not a duration of an hour or more/],
      [{ ingress: { cert: { duration: '30m' } } }, 'spec.tls.ingress.cert.duration', /is not a duration of an hour or more/],
      [{ podLevel: { internal: { cert: { renewBefore: '1m' } } } }, 'spec.tls.podLevel.internal.cert.renewBefore',
        /is not a duration of 5 minutes or more/],
      [{ ingress: { cert: { duration: '100h', renewBefore: '100h' } } }, 'spec.tls.ingress.cert.renewBefore',
        /is not shorter than the certificate's duration \(100h\): cert-manager would refuse the Certificate/],
    ])('%j is refused at %s', (tls, path, message) => {
      expectRejected(plane(tls), path);
      expect(() => synthFromCr(plane(tls))).toThrow(message);
    });

    test('a chart without a namespace: the certificates need one, and the error names what asked for them', () => {
      const chart = new Chart(Testing.app(), 'no-namespace');
      expect(() => Glance.fromCustomResource(chart, 'glance', { ...plane(undefined), metadata: { name: 'openstack' } }, crOptions()))
        .toThrow(new RegExp('^spec\\.tls\\.podLevel\\.enabled: issues the certificate of the internal endpoint of the StatefulSet '
          + 'glance-default-single.*Fix: give the chart a namespace'));
    });
  });
});

describe('the CLI', () => {
  const synthed = (cr: string, ...args: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-tls-'));
    try {
      writeFileSync(join(dir, 'cr.yaml'), cr);
      const result = runCapturing(['synth', '--from', join(dir, 'cr.yaml'), '-o', dir, '--shared-claim', 'images', '--public-url', ROUTE_URL,
        ...args]);
      expect(result).toMatchObject({ code: 0, err: expect.not.stringContaining('cdk8s-glance: ') });
      return readFileSync(join(dir, 'glance.k8s.yaml'), 'utf8');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const planeYaml = (tls: string) => `kind: OpenStackControlPlane\nmetadata:\n  name: openstack\nspec:\n${tls}  glance:\n    template:\n`
    + '      glanceAPIs:\n        default:\n          type: single\n';

  test('Keystone over https by default where the CR serves Glance over HTTPS, http elsewhere', () => {
    expect(synthed(planeYaml(''))).toContain('auth_url = https://keystone-internal.openstack.svc:5000');
    expect(synthed(planeYaml('  tls:\n    podLevel:\n      enabled: false\n'))).toContain('auth_url = http://keystone-internal.openstack.svc:5000');
    const bare = 'kind: Glance\nspec:\n  glanceAPIs:\n    default:\n      type: single\n      tls:\n        api:\n'
      + '          internal: {secretName: a}\n          public: {secretName: b}\n        caBundleSecretName: combined-ca-bundle\n';
    expect(synthed(bare)).toContain('auth_url = https://keystone-internal.openstack.svc:5000');
    expect(synthed('kind: Glance\nspec:\n  glanceAPIs:\n    default: {}\n')).toContain('auth_url = http://keystone-internal.openstack.svc:5000');
  });

  test('--database-tls false turns the database\'s TLS off; --database-tls true forces it', () => {
    expect(synthed(planeYaml(''))).toContain('connection_parameters = ssl_ca=');
    expect(synthed(planeYaml(''), '--database-tls', 'false')).not.toContain('connection_parameters');
    const bare = 'kind: Glance\nspec:\n  glanceAPIs:\n    default:\n      tls:\n        caBundleSecretName: ca\n';
    expect(synthed(bare, '--database-tls=true')).toContain('connection_parameters = ssl_ca=');
  });

  test('--database-tls takes true or false (usage error, exit 2), and names itself when it cannot be honoured (exit 1)', () => {
    const usage = runCapturing(['synth', '--from', '-', '--database-tls', 'yes'], () => 'kind: Glance\nspec:\n  glanceAPIs:\n    default: {}\n');
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('cdk8s-glance: --database-tls takes true or false, got "yes"');
    const invalid = runCapturing(['synth', '--from', '-', '--database-tls', 'true', '--shared-claim', 'x'],
      () => 'kind: Glance\nspec:\n  glanceAPIs:\n    default: {}\n');
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/^cdk8s-glance: --database-tls: .*Fix: drop --database-tls/);
  });
});
