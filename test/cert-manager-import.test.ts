/**
 * The typed cert-manager objects in lib/imports: what a Certificate built with the generated class
 * synthesizes, that the CRD it came from asks for the same fields, and that the committed file is
 * exactly what `cdk8s import` writes from the committed CRD (generated, never edited by hand).
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { Manifest } from './helpers';
import { HANG_GUARD_MS, hung } from './waiting';
import {
  Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy, CertificateSpecUsages,
} from '../lib/imports/cert-manager.io';

const ROOT = join(__dirname, '..');
const CRD_DIR = join(ROOT, 'crds', 'cert-manager');
const CRD = join(CRD_DIR, 'certificates.yaml');
const IMPORTS = join(ROOT, 'lib', 'imports');
const GENERATED = 'cert-manager.io.ts';

/** What `build` adds to a Testing.chart(), synthesized. */
function synthCertificate(build: (chart: Chart) => void): Manifest[] {
  const chart = Testing.chart();
  build(chart);
  return Testing.synth(chart) as Manifest[];
}

/** The v1 schema of `spec` in the committed CRD. */
function crdSpecSchema(): any {
  const crd = parse(readFileSync(CRD, 'utf8'));
  const v1 = crd.spec.versions.find((v: any) => v.name === 'v1');
  return v1.schema.openAPIV3Schema.properties.spec;
}

describe('Certificate, generated from cert-manager\'s CRD', () => {
  test('the class carries the apiVersion and kind of cert-manager.io/v1 Certificate', () => {
    expect(Certificate.GVK).toEqual({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate' });
  });

  test('a Certificate synthesizes every spec field the library uses as given, enums as cert-manager\'s strings', () => {
    const manifests = synthCertificate((chart) => new Certificate(chart, 'internal', {
      metadata: { name: 'glance-internal-tls', namespace: 'openstack' },
      spec: {
        secretName: 'glance-internal-tls',
        issuerRef: { name: 'rootca-internal', kind: 'Issuer', group: 'cert-manager.io' },
        dnsNames: ['glance-internal.openstack.svc', '*.glance-api.openstack.svc'],
        usages: [CertificateSpecUsages.SERVER_AUTH, CertificateSpecUsages.DIGITAL_SIGNATURE, CertificateSpecUsages.KEY_ENCIPHERMENT],
        duration: '8760h',
        renewBefore: '720h',
        privateKey: { rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS, algorithm: CertificateSpecPrivateKeyAlgorithm.RSA, size: 3072 },
        secretTemplate: { labels: { 'app.kubernetes.io/name': 'glance' }, annotations: { 'example.com/owner': 'glance' } },
      },
    }));
    expect(manifests).toHaveLength(1);
    const [cert] = manifests;
    expect(cert.apiVersion).toBe('cert-manager.io/v1');
    expect(cert.kind).toBe('Certificate');
    expect(cert.metadata).toEqual({ name: 'glance-internal-tls', namespace: 'openstack' });
    expect(cert.spec).toEqual({
      secretName: 'glance-internal-tls',
      issuerRef: { name: 'rootca-internal', kind: 'Issuer', group: 'cert-manager.io' },
      dnsNames: ['glance-internal.openstack.svc', '*.glance-api.openstack.svc'],
      usages: ['server auth', 'digital signature', 'key encipherment'],
      duration: '8760h',
      renewBefore: '720h',
      privateKey: { rotationPolicy: 'Always', algorithm: 'RSA', size: 3072 },
      secretTemplate: { labels: { 'app.kubernetes.io/name': 'glance' }, annotations: { 'example.com/owner': 'glance' } },
    });
  });

  test('a Certificate given only the required fields synthesizes no other spec field', () => {
    const [cert] = synthCertificate((chart) => new Certificate(chart, 'public', {
      metadata: { name: 'glance-public-tls' },
      spec: { secretName: 'glance-public-tls', issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } },
    }));
    expect(cert.spec).toEqual({ secretName: 'glance-public-tls', issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } });
  });

  test('the CRD requires secretName and issuerRef (the generated spec\'s only required fields) and defines every field the library uses', () => {
    const spec = crdSpecSchema();
    expect([...spec.required].sort()).toEqual(['issuerRef', 'secretName']);
    expect(Object.keys(spec.properties)).toEqual(expect.arrayContaining(
      ['secretName', 'issuerRef', 'dnsNames', 'usages', 'duration', 'renewBefore', 'privateKey', 'secretTemplate']));
    expect(Object.keys(spec.properties.issuerRef.properties).sort()).toEqual(['group', 'kind', 'name']);
    expect(Object.keys(spec.properties.privateKey.properties)).toEqual(expect.arrayContaining(['rotationPolicy', 'algorithm', 'size']));
    expect(spec.properties.privateKey.properties.rotationPolicy.enum).toEqual(['Never', 'Always']);
    expect(spec.properties.privateKey.properties.algorithm.enum).toEqual(['RSA', 'ECDSA', 'Ed25519']);
    expect(spec.properties.usages.items.enum).toEqual(Object.values(CertificateSpecUsages));
    expect(Object.keys(spec.properties.secretTemplate.properties).sort()).toEqual(['annotations', 'labels']);
  });
});

describe('lib/imports is cdk8s import\'s output, never edited', () => {
  test('the CRD is the one crds/cert-manager/README.md names by checksum', () => {
    const readme = readFileSync(join(CRD_DIR, 'README.md'), 'utf8');
    const sha256 = createHash('sha256').update(readFileSync(CRD)).digest('hex');
    expect(readme).toContain(`\`${sha256}\``);
  });

  test('lib/imports holds only the generated module', () => {
    expect(readdirSync(IMPORTS).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([GENERATED]);
  });

  test('cdk8s import of the committed CRD writes the committed cert-manager.io.ts byte for byte', () => {
    const out = mkdtempSync(join(tmpdir(), 'cert-manager-import-'));
    try {
      // The local CRD and the project's pinned cdk8s-cli: no network (no upgrade check), run outside the repository.
      const args = ['import', CRD, '--language', 'typescript', '--output', out, '--no-save', '--no-check-upgrade'];
      const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'cdk8s'), args, {
        cwd: out, encoding: 'utf8', timeout: HANG_GUARD_MS, env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
      });
      if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') throw hung('cdk8s import ends');
      expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toEqual({ status: 0, output: expect.any(String) });
      expect(result.stdout).toContain('cert-manager.io/certificate');
      expect(readdirSync(out)).toEqual([GENERATED]);
      expect(readFileSync(join(out, GENERATED), 'utf8')).toBe(readFileSync(join(IMPORTS, GENERATED), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
