/**
 * The TLS props at their edges: what cert-manager, Kubernetes and TLS clients accept is accepted,
 * one character past it is refused, and each refusal says what is wrong with the prop it names.
 */
import { Chart, Testing } from 'cdk8s';
import { Glance, GlanceApiType, GlanceProps } from '../lib';
import { BASE_PROPS, expectInvalid, find, ofKind, synthGlance } from './helpers';

const ISSUER = { name: 'rootca-internal' };
const certificates = (props: Partial<GlanceProps>) => ofKind(synthGlance(props), 'Certificate');
const durationOf = (certificateDuration: string) => certificates({ tls: { issuer: ISSUER, certificateDuration } })[0].spec.duration;

describe('the deployment\'s tls', () => {
  test.each([['a string', 'on'], ['a list', []]])('%s is not an object', (_what, tls) => {
    expectInvalid(() => synthGlance({ tls: tls as any }), 'tls', /^tls: is not an object.*Fix: give e\.g\. \{ caBundleSecret/);
  });

  test('database.tls must be a boolean', () => {
    expectInvalid(() => synthGlance({ database: { ...BASE_PROPS.database, tls: 'yes' as any } }), 'database.tls',
      /^database\.tls: is not a boolean \(got "yes"\)\. Fix: use true or false$/);
  });

  test.each(['httpd 2.4', '', 5])('proxy image %p is no image reference', (proxyImage) => {
    expectInvalid(() => synthGlance({ tls: { proxyImage: proxyImage as any } }), 'tls.proxyImage', /is not a container image reference/);
  });
});

describe('certificate durations, read as cert-manager reads a Go duration', () => {
  test.each([['1h', '1h'], ['90m', '90m'], ['3600s', '3600s'], ['59m60s', '59m60s'], ['1h1m', '1h1m'], ['100h', '100h']])(
    '%s is an hour or more: accepted', (duration, written) => {
      expect(durationOf(duration)).toBe(written);
    });

  test.each(['59m59s', '59m', '3599s', '0h', '1d', '1.5h', 'h', '', '1hx', 'x1h'])('%p is refused', (duration) => {
    expectInvalid(() => durationOf(duration), 'tls.certificateDuration', /is not a duration of an hour or more, as cert-manager takes it/);
  });
});

describe('issuers', () => {
  test('an external issuer keeps its own group and kind', () => {
    const [cert] = certificates({ tls: { issuer: { name: 'vault', kind: 'VaultIssuer', group: 'x' } } });
    expect(cert.spec.issuerRef).toEqual({ name: 'vault', kind: 'VaultIssuer', group: 'x' });
  });

  test('names as Kubernetes takes them: one character, and 253', () => {
    for (const name of ['c', 'a'.repeat(253)]) expect(certificates({ tls: { issuer: { name } } })[0].spec.issuerRef.name).toBe(name);
  });

  test.each(['ca-', '-ca', 'Root', 'a'.repeat(254), ''])('name %p is refused', (name) => {
    expectInvalid(() => synthGlance({ tls: { issuer: { name } } }), 'tls.issuer.name', /is not the name of a cert-manager issuer/);
  });

  test.each([null, 'rootca-internal', {}, { name: 5 }])('issuer %p, no object with a name, is refused under its name', (issuer) => {
    expectInvalid(() => synthGlance({ tls: { issuer: issuer as any } }), 'tls.issuer.name', /is not the name of a cert-manager issuer/);
  });

  test.each(['Cert-Manager.io', 'example.com-', '', 5])('group %p is refused', (group) => {
    expectInvalid(() => synthGlance({ tls: { issuer: { ...ISSUER, group: group as any } } }), 'tls.issuer.group',
      /is not an API group.*Fix: use "cert-manager\.io", or the group of an external issuer/);
  });

  test('a cert-manager kind that cert-manager lacks, and a kind that is no kind', () => {
    expectInvalid(() => synthGlance({ tls: { issuer: { ...ISSUER, kind: 'Issuers' } } }), 'tls.issuer.kind',
      /is not a kind of cert-manager issuer.*Fix: use "Issuer" or "ClusterIssuer"/);
    for (const kind of ['my-issuer', 'my-Issuer', 'Vault-issuer', '']) {
      expectInvalid(() => synthGlance({ tls: { issuer: { ...ISSUER, group: 'example.com', kind } } }), 'tls.issuer.kind',
        /is not a kind.*Fix: use the issuer's kind/);
    }
  });
});

describe('an API\'s own tls', () => {
  const api = (tls: unknown, type?: GlanceApiType) => synthGlance({ apis: { default: { tls: tls as any, type } } });

  test.each([['a string', 'on'], ['a list', []]])('%s is not an object', (_what, tls) => {
    expectInvalid(() => api(tls), 'apis.default.tls', /is not an object.*Fix: give e\.g\. \{ internalSecretName/);
  });

  test('Secret names as Kubernetes takes them: one character, and 253', () => {
    for (const name of ['i', 'i'.repeat(253)]) {
      const m = api({ internalSecretName: name, publicSecretName: 'p' });
      expect(find(m, 'StatefulSet', 'glance-default-single').spec.template.spec.volumes.find((v: any) => v.name === 'tls-internal').secret.secretName)
        .toBe(name);
    }
  });

  test.each(['i-', '-i', 'i'.repeat(254), 5])('Secret name %p is refused', (name) => {
    expectInvalid(() => api({ internalSecretName: name, publicSecretName: 'p' }), 'apis.default.tls.internalSecretName',
      /is not a Secret name.*Fix: use the name of a kubernetes\.io\/tls Secret/);
  });

  test('a public Secret alone on a single API: the internal one is missing, and the fix names both ways', () => {
    expectInvalid(() => api({ publicSecretName: 'p' }), 'apis.default.tls.internalSecretName',
      new RegExp('is not set, and the public endpoint has a certificate \\(p\\): this StatefulSet serves both endpoints on one port, '
        + 'so both over HTTPS or neither.*Fix: name the internal endpoint\'s Secret too, or set tls\\.issuer so that the library issues it'));
    expectInvalid(() => api({ internalSecretName: 'i' }), 'apis.default.tls.publicSecretName',
      /Fix: name the public endpoint's Secret too, or set tls\.publicIssuer so that the library issues it/);
  });

  test('public DNS names without an issuer: refused where there is a public endpoint, moot on an edge API', () => {
    expectInvalid(() => api({ publicDnsNames: ['glance.example.com'] }), 'apis.default.tls.publicDnsNames',
      /names the public certificate, and the library issues none.*Fix: set tls\.publicIssuer/);
    expect(() => api({ publicDnsNames: ['glance.example.com'] }, GlanceApiType.EDGE)).not.toThrow();
  });

  test('public DNS names: host names, wildcards and names that end in a digit are names', () => {
    const names = ['glance.example.com', '*.example.com', 'glance-2', '1glance.example.com'];
    const [, publicCert] = certificates({ tls: { issuer: ISSUER }, apis: { default: { tls: { publicDnsNames: names } } } });
    expect(publicCert.spec.dnsNames.slice(-4)).toEqual(names);
  });

  test.each([['an address', '192.0.2.1'], ['an IPv6 address', 'fd00::1'], ['a bracketed one', '[fd00::1]'], ['a wildcard inside', 'a.*.example.com'],
    ['no string', 5]])('public DNS name: %s is refused', (_what, name) => {
    expectInvalid(() => synthGlance({ tls: { issuer: ISSUER }, apis: { default: { tls: { publicDnsNames: [name as any] } } } }),
      'apis.default.tls.publicDnsNames[0]', /is not a DNS name.*Fix: use a host name such as "glance\.example\.com"/);
  });

  test('public DNS names that are no list', () => {
    expectInvalid(() => synthGlance({ tls: { issuer: ISSUER }, apis: { default: { tls: { publicDnsNames: 'glance.example.com' as any } } } }),
      'apis.default.tls.publicDnsNames', /is not a list of DNS names/);
  });

  test('a chart without a namespace: the issuer of the endpoint that needs it is named', () => {
    const build = (tls: GlanceProps['tls'], own: object) =>
      new Glance(new Chart(Testing.app(), 'c'), 'g', { ...BASE_PROPS, tls, apis: { default: { tls: own } } });
    expectInvalid(() => build({ issuer: ISSUER }, {}), 'tls.issuer',
      /issues the certificate of the internal endpoint.*Fix: give the chart a namespace/);
    expectInvalid(() => build({ publicIssuer: ISSUER }, { internalSecretName: 'i' }), 'tls.publicIssuer',
      /issues the certificate of the public endpoint of the StatefulSet glance-default-single/);
  });
});
