/**
 * Every real operator input with Glance imports its TLS as the operators deploy it: the TLS fields
 * of 83 inputs (glance-operator, openstack-operator, architecture), copied into
 * test/fixtures/tls-corpus.yaml with what the operators make of them.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { crOptions, FIXTURES, synthFromCr } from './cr-helpers';
import { Manifest, ofKind } from '../helpers';

interface Expected {
  readonly certificates: Record<string, { secretName: string; issuer: string; duration: string }>;
  readonly secrets: string[];
  readonly caBundle: string | null;
  readonly databaseTls: boolean;
}
interface Entry { readonly sources: string[]; readonly cr: unknown; readonly expect: Expected }

const corpus: Entry[] = parse(readFileSync(join(FIXTURES, 'tls-corpus.yaml'), 'utf8'));

/** What a synthesized deployment does with TLS, in the fixture's terms. */
function tlsOf(m: Manifest[]): Expected {
  const pods = ofKind(m, 'StatefulSet').map((s) => s.spec.template.spec);
  const bundles = new Set(pods.map((p) => p.volumes.find((v: any) => v.name === 'ca-bundle')?.secret.secretName ?? null));
  expect(bundles.size).toBe(1);
  const conf = ofKind(m, 'Secret').filter((s) => s.stringData?.['00-glance.conf']).map((s) => s.stringData['00-glance.conf']);
  return {
    certificates: Object.fromEntries(ofKind(m, 'Certificate').map((c) =>
      [c.metadata.name, { secretName: c.spec.secretName, issuer: c.spec.issuerRef.name, duration: c.spec.duration }])),
    secrets: [...new Set(pods.flatMap((p) => p.volumes.filter((v: any) => v.name.startsWith('tls-')).map((v: any) => v.secret.secretName)))].sort(),
    caBundle: [...bundles][0],
    databaseTls: conf.every((text) => /^connection_parameters = ssl_ca=/m.test(text)),
  };
}

describe('the operators\' inputs import their TLS', () => {
  const cases = corpus.map((entry) => [entry.sources[0], entry.sources.length - 1, entry]);
  test.each(cases)('%s (and %d more with the same TLS fields)', (_, __, entry) => {
    // The store is not what this measures: an rbd store lets any API layout synthesize.
    // The corpus keeps the TLS fields only, not keystoneEndpoint: the catalog registration is left out.
    const m = synthFromCr((entry as Entry).cr, { ...crOptions(), keystoneRegistration: false });
    expect(tlsOf(m)).toEqual((entry as Entry).expect);
  });

  test('83 inputs: 81 serve HTTPS, and the 2 with podLevel.enabled false plain HTTP with the CA bundle and database TLS', () => {
    const sources = corpus.flatMap((entry) => entry.sources);
    expect(sources.length).toBe(83);
    expect(new Set(sources).size).toBe(83);
    const count = (repo: string) => sources.filter((s) => s.startsWith(`${repo}@`)).length;
    expect([count('glance-operator'), count('openstack-operator'), count('architecture')]).toEqual([18, 17, 48]);
    const plain = corpus.filter((entry) => entry.expect.secrets.length === 0);
    expect(plain.flatMap((entry) => entry.sources)).toEqual([
      'openstack-operator@84322c77:config/samples/core_v1beta1_openstackcontrolplane_network_isolation_tls_public_endpoint.yaml',
      'openstack-operator@84322c77:config/samples/tls/tls_ingress (kustomize)',
    ]);
    expect(plain.map((entry) => entry.expect)).toEqual([{ certificates: {}, secrets: [], caBundle: 'combined-ca-bundle', databaseTls: true }]);
  });
});
