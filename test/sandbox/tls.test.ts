/**
 * The TLS fixtures of the e2e (./tls.ts): the throwaway PKI made by the openssl CLI, cert-manager's
 * Secret layout, the CA bundle, and `handshake` against real `openssl s_server`s on a loopback
 * address of their own (127.0.6.N). Root is not needed.
 */
import { execFileSync } from 'child_process';
import { readFileSync, statSync } from 'fs';
import { join } from 'path';
import {
  CA_BUNDLE_KEY, coversName, handshake, keyMatchesCertificate, OPENSSL, OpensslServer, subjectAltNamesOf, SYSTEM_CA_BUNDLE,
  TestCertificate, TestPki,
} from './tls';

const HOST = `127.0.6.${1 + (process.pid % 250)}`;
const NS = 'openstack';
const STS = 'glance-default-single';
const INTERNAL = [`glance-default-internal.${NS}.svc`, `glance-default-internal.${NS}.svc.cluster.local`,
  `*.${STS}.${NS}.svc`, `*.${STS}.${NS}.svc.cluster.local`];
const PUBLIC = [`glance-default-public.${NS}.svc`, `glance-default-public.${NS}.svc.cluster.local`];
const REPLICA = `${STS}-0.${STS}.${NS}.svc`;

let pki: TestPki;
let internal: TestCertificate;
let publicCert: TestCertificate;
let expired: TestCertificate;
let withoutReplicas: TestCertificate;
let caFile: string;
let wrongCaFile: string;
const servers: Record<string, OpensslServer> = {};
const ports = { sni: 18443, expired: 18444, withoutReplicas: 18445 };

/** openssl verify's verdict on a certificate with only `caFile` trusted (exit 0 or its message). */
function opensslVerify(ca: string, cert: string): string {
  try {
    return execFileSync(OPENSSL, ['verify', '-CAfile', ca, cert], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error: any) {
    return `${error.stdout}${error.stderr}`.trim();
  }
}

beforeAll(async () => {
  pki = new TestPki();
  internal = pki.issue('internal', { dnsNames: INTERNAL });
  publicCert = pki.issue('public', { dnsNames: PUBLIC, keyType: 'ec' });
  expired = pki.issueExpired('expired', INTERNAL);
  withoutReplicas = pki.issueWithout('without-replicas', INTERNAL, REPLICA);
  caFile = pki.writeCaBundle(join(pki.root, 'bundle'));
  wrongCaFile = pki.writeCaBundle(join(pki.root, 'wrong-bundle'), [pki.wrongCa]);
  // One server that picks its certificate by SNI, as httpd's name-based vhosts do.
  servers.sni = new OpensslServer(HOST, ports.sni, internal, { servername: PUBLIC[0], cert: publicCert });
  servers.expired = new OpensslServer(HOST, ports.expired, expired);
  servers.withoutReplicas = new OpensslServer(HOST, ports.withoutReplicas, withoutReplicas);
  await Promise.all(Object.values(servers).map((server) => server.start()));
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
  pki?.remove();
});

test('coversName: a wildcard is the whole left-most label and matches exactly one label, case-insensitively', () => {
  expect(coversName('*.sts.ns.svc', 'sts-0.sts.ns.svc')).toBe(true);
  expect(coversName('*.sts.ns.svc', 'STS-0.Sts.ns.svc')).toBe(true);
  expect(coversName('*.sts.ns.svc', 'a.sts-0.sts.ns.svc')).toBe(false);
  expect(coversName('*.sts.ns.svc', 'sts.ns.svc')).toBe(false);
  expect(coversName('sts.*.svc', 'sts.ns.svc')).toBe(false);
  expect(coversName('glance.ns.svc', 'glance.ns.svc')).toBe(true);
  expect(coversName('glance.ns.svc', 'glance.ns.svc.cluster.local')).toBe(false);
});

test('the two CAs are self-signed CAs (CA:TRUE critical, keyCertSign) and neither trusts the other', () => {
  for (const ca of [pki.ca, pki.wrongCa]) {
    const text = execFileSync(OPENSSL, ['x509', '-in', ca.certFile, '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(opensslVerify(ca.certFile, ca.certFile)).toBe(`${ca.certFile}: OK`);
  }
  expect(pki.ca.fingerprint).not.toBe(pki.wrongCa.fingerprint);
  expect(opensslVerify(pki.wrongCa.certFile, pki.ca.certFile)).toMatch(/self-signed certificate/);
});

test('a server certificate has its names in subjectAltName only (no commonName), serverAuth, and verifies against its CA only', () => {
  expect(subjectAltNamesOf(internal.certFile)).toEqual(INTERNAL.map((name) => `DNS:${name}`));
  const text = execFileSync(OPENSSL, ['x509', '-in', internal.certFile, '-noout', '-text'], { encoding: 'utf8' });
  expect(text).toMatch(/Subject: O = cdk8s-glance-e2e, OU = internal\n/);
  expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Server Authentication\n/);
  expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
  expect(text).toMatch(/X509v3 Authority Key Identifier:/);
  expect(text).toMatch(/Public-Key: \(2048 bit\)/);
  expect(opensslVerify(caFile, internal.certFile)).toBe(`${internal.certFile}: OK`);
  expect(opensslVerify(wrongCaFile, internal.certFile)).toMatch(/unable to get local issuer certificate/);
  expect(execFileSync(OPENSSL, ['x509', '-in', publicCert.certFile, '-noout', '-text'], { encoding: 'utf8' })).toMatch(/ASN1 OID: prime256v1/);
});

test('an IP address and a commonName go where asked', () => {
  const cert = pki.issue('with-ip', { dnsNames: ['a.example'], ipAddresses: [HOST], commonName: 'a.example' });
  expect(subjectAltNamesOf(cert.certFile)).toEqual(['DNS:a.example', `IP Address:${HOST}`]);
  expect(execFileSync(OPENSSL, ['x509', '-in', cert.certFile, '-noout', '-subject'], { encoding: 'utf8' }))
    .toBe('subject=O = cdk8s-glance-e2e, OU = with-ip, CN = a.example\n');
});

test('the expired certificate ended a day ago and openssl verify says it has expired', () => {
  expect(expired.notAfter.getTime()).toBeLessThan(Date.now() - 86000_000);
  expect(expired.notBefore.getTime()).toBeLessThan(expired.notAfter.getTime());
  const dates = execFileSync(OPENSSL, ['x509', '-in', expired.certFile, '-noout', '-enddate'], { encoding: 'utf8' });
  expect(new Date(dates.replace('notAfter=', '').trim()).getTime()).toBe(expired.notAfter.getTime());
  expect(opensslVerify(caFile, expired.certFile)).toMatch(/certificate has expired/);
});

test('issueWithout leaves out the wildcard that covers the name, and keeps the rest', () => {
  expect(withoutReplicas.dnsNames).toEqual([INTERNAL[0], INTERNAL[1], INTERNAL[3]]);
  expect(withoutReplicas.dnsNames.some((name) => coversName(name, REPLICA))).toBe(false);
  expect(() => pki.issueWithout('nothing-left', [`*.${STS}.${NS}.svc`], REPLICA)).toThrow(/every name of .* covers/);
});

test('writeSecret writes cert-manager\'s layout: tls.crt, tls.key (0600, its pair) and ca.crt (the issuer)', () => {
  const dir = pki.writeSecret(internal, join(pki.root, 'secret-internal'));
  expect(readFileSync(join(dir, 'tls.crt'), 'utf8')).toBe(internal.pem);
  expect(readFileSync(join(dir, 'tls.key'), 'utf8')).toBe(internal.keyPem);
  expect(readFileSync(join(dir, 'ca.crt'), 'utf8')).toBe(pki.ca.pem);
  expect(statSync(join(dir, 'tls.key')).mode % 0o1000).toBe(0o600);
  expect(keyMatchesCertificate(join(dir, 'tls.crt'), join(dir, 'tls.key'))).toBe(true);
  expect(keyMatchesCertificate(internal.certFile, publicCert.keyFile)).toBe(false);
  expect(Object.keys(pki.secretData(internal)).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
  const byWrongCa = pki.issue('by-wrong-ca', { dnsNames: ['x.example'], issuer: pki.wrongCa });
  expect(pki.secretData(byWrongCa)['ca.crt']).toBe(pki.wrongCa.pem);
});

test('the CA bundle file is tls-ca-bundle.pem with the CAs in order, and Debian\'s system trust after them on request', () => {
  const file = pki.writeCaBundle(join(pki.root, 'bundle-both'), [pki.wrongCa, pki.ca], true);
  expect(file).toBe(join(pki.root, 'bundle-both', CA_BUNDLE_KEY));
  const text = readFileSync(file, 'utf8');
  expect(text.startsWith(pki.wrongCa.pem + pki.ca.pem)).toBe(true);
  expect(text.slice((pki.wrongCa.pem + pki.ca.pem).length)).toBe(readFileSync(SYSTEM_CA_BUNDLE, 'utf8'));
  expect(readFileSync(caFile, 'utf8')).toBe(pki.ca.pem);
});

test('handshake: trusted CA, the Service name -> ok, TLS 1.3, the internal certificate\'s fingerprint and names', async () => {
  const result = await handshake(HOST, ports.sni, { caFile, servername: INTERNAL[0] });
  expect(result).toMatchObject({ ok: true, verifyCode: 0, verifyError: undefined, fingerprint: internal.fingerprint, protocol: 'TLSv1.3' });
  expect(result.subjectAltNames).toEqual(INTERNAL.map((name) => `DNS:${name}`));
  expect(result.cipher).toMatch(/^TLS_/);
});

test('handshake: a replica\'s name under the wildcard -> ok', async () => {
  const result = await handshake(HOST, ports.sni, { caFile, servername: REPLICA });
  expect(result.ok).toBe(true);
  expect(result.fingerprint).toBe(internal.fingerprint);
});

test('handshake: a name two labels under the wildcard -> hostname mismatch (62), the served certificate still reported', async () => {
  const result = await handshake(HOST, ports.sni, { caFile, servername: `x.${REPLICA}` });
  expect(result).toMatchObject({ ok: false, verifyCode: 62, verifyError: 'hostname mismatch', fingerprint: internal.fingerprint });
  expect(result.protocol).toBeUndefined();
});

test('handshake: SNI of the public name -> the second certificate (as a name-based vhost serves it)', async () => {
  const result = await handshake(HOST, ports.sni, { caFile, servername: PUBLIC[0] });
  expect(result).toMatchObject({ ok: true, fingerprint: publicCert.fingerprint });
  expect(result.subjectAltNames).toEqual(PUBLIC.map((name) => `DNS:${name}`));
});

test('handshake: only the wrong CA trusted -> unable to get local issuer certificate (20)', async () => {
  const result = await handshake(HOST, ports.sni, { caFile: wrongCaFile, servername: INTERNAL[0] });
  expect(result).toMatchObject({ ok: false, verifyCode: 20, fingerprint: internal.fingerprint });
  expect(result.verifyError).toBe('unable to get local issuer certificate');
});

test('handshake: a bundle with the wrong CA first and the right one after -> ok', async () => {
  const bundle = pki.writeCaBundle(join(pki.root, 'bundle-wrong-first'), [pki.wrongCa, pki.ca]);
  expect((await handshake(HOST, ports.sni, { caFile: bundle, servername: INTERNAL[0] })).ok).toBe(true);
});

test('handshake: the expired certificate -> certificate has expired (10)', async () => {
  const result = await handshake(HOST, ports.expired, { caFile, servername: INTERNAL[0] });
  expect(result).toMatchObject({ ok: false, verifyCode: 10, verifyError: 'certificate has expired', fingerprint: expired.fingerprint });
});

test('handshake: a certificate without the replica\'s name -> hostname mismatch for it, ok for a name it has', async () => {
  const replica = await handshake(HOST, ports.withoutReplicas, { caFile, servername: REPLICA });
  expect(replica).toMatchObject({ ok: false, verifyCode: 62, fingerprint: withoutReplicas.fingerprint });
  expect((await handshake(HOST, ports.withoutReplicas, { caFile, servername: INTERNAL[0] })).ok).toBe(true);
});

test('handshake: verifyHostname false checks the chain only; SNI alone is no name check', async () => {
  const result = await handshake(HOST, ports.sni, { caFile, servername: 'not-a-name.example', verifyHostname: false });
  expect(result).toMatchObject({ ok: true, fingerprint: internal.fingerprint });
});

test('handshake: nothing listening -> not ok, no certificate', async () => {
  const result = await handshake(HOST, 18449, { caFile, servername: INTERNAL[0] });
  expect(result.ok).toBe(false);
  expect(result.fingerprint).toBeUndefined();
  expect(result.subjectAltNames).toEqual([]);
  expect(result.output).toMatch(/Connection refused|connect:errno/);
});
