/**
 * TLS of a CR, with the names the operators use: a Glance CR's per-API `tls` (its Secrets and CA
 * bundle), or an OpenStackControlPlane's `spec.tls` (pod-level TLS on by default: the
 * openstack-operator's issuers, certificates and CA bundle).
 */
import { GlanceValidationError } from '../errors';
import { checkFields, valueOrDefault } from './check';
import { Field } from './fields';
import type { Located } from './locate';
import type { Rename } from './translate';
import { valueAt } from './values';
import type { GlanceApiTlsOptions, GlanceTlsOptions } from '../tls/options';

/** lib-common's tls.CABundleSecret and tls.CABundleKey: the bundle the openstack-operator writes and every service trusts. */
export const OPERATOR_CA_BUNDLE = { name: 'combined-ca-bundle', key: 'tls-ca-bundle.pem' } as const;

const read = (type: Field['type'], dflt?: unknown): Field => ({ kind: 'read', type, default: dflt });
const ignored = (type: Field['type']): Field => ({ kind: 'ignored', type });

/** The fields of an OpenStackControlPlane's spec.tls (core.openstack.org/v1beta1 TLSSection), with their CRD defaults. */
export const CONTROL_PLANE_TLS_FIELDS: Record<string, Field> = {
  // Ignored: extra CAs the openstack-operator merges into combined-ca-bundle, which Glance trusts
  'caBundleSecretName': ignored('string'),
  'ingress': read('object'),
  // Ignored: TLS on Routes: cdk8s-glance creates none
  'ingress.enabled': ignored('boolean'),
  'ingress.ca': read('object'),
  'ingress.ca.customIssuer': read('string'),
  // Ignored: the lifetime of the CA the issuer holds, not of Glance's certificates
  'ingress.ca.duration': ignored('string'),
  'ingress.ca.renewBefore': ignored('string'),
  'ingress.cert': read('object'),
  'ingress.cert.duration': read('string', '43800h'),
  'ingress.cert.renewBefore': read('string'),
  'podLevel': read('object'),
  'podLevel.enabled': read('boolean', true),
  'podLevel.internal': read('object'),
  'podLevel.internal.ca': read('object'),
  'podLevel.internal.ca.customIssuer': read('string'),
  'podLevel.internal.ca.duration': ignored('string'),
  'podLevel.internal.ca.renewBefore': ignored('string'),
  'podLevel.internal.cert': read('object'),
  'podLevel.internal.cert.duration': read('string', '43800h'),
  'podLevel.internal.cert.renewBefore': read('string'),
  // Ignored: the CAs of libvirt and OVN, which Glance does not use
  'podLevel.libvirt': ignored('object'),
  'podLevel.ovn': ignored('object'),
};

/**
 * The validity of the certificates, by prop of tls: the openstack-operator issues a service's internal
 * certificate with podLevel.internal.cert and its public one with ingress.cert.
 */
const VALIDITY_FIELDS = {
  certificateDuration: 'podLevel.internal.cert.duration',
  certificateRenewBefore: 'podLevel.internal.cert.renewBefore',
  publicCertificateDuration: 'ingress.cert.duration',
  publicCertificateRenewBefore: 'ingress.cert.renewBefore',
} as const satisfies Partial<Record<keyof GlanceTlsOptions, string>>;

/** What the CR says of TLS, in props, and the CR paths its props came from. */
export interface CrTls {
  readonly tls?: GlanceTlsOptions;
  /** The default of database.tls: the operator's. */
  readonly databaseTls: boolean;
  /** Per API, its own tls; undefined drops what the CR's API says (a control plane decides it). */
  readonly apis: Record<string, GlanceApiTlsOptions | undefined>;
  /** Prop paths of tls and database.tls, by the CR path (or flag) and fix that replace them in errors. */
  readonly renames: readonly Rename[];
}

/** The CR's TLS: `apis` are the APIs' props as read from their fields (with their own tls). */
export function tlsOf(located: Located, apis: Record<string, { tls?: GlanceApiTlsOptions; type?: unknown }>): CrTls {
  const { spec, path } = located;
  const names = Object.keys(apis);
  const bundles = names.map((name) => ({ name, bundle: valueAt(spec, `glanceAPIs.${name}.tls.caBundleSecretName`) || undefined }));
  const databaseFix = 'drop --database-tls (database.tls), or give the APIs a CA bundle (caBundleSecretName)';
  if (located.controlPlaneTls === undefined) {
    const first = bundles[0];
    const other = bundles.find((b) => b.bundle !== first.bundle);
    if (other !== undefined) {
      const firstPath = `${path}.glanceAPIs.${first.name}.tls.caBundleSecretName`;
      throw new GlanceValidationError(`${path}.glanceAPIs.${other.name}.tls.caBundleSecretName`, other.bundle,
        `differs from ${firstPath} (${first.bundle === undefined ? 'unset' : `"${first.bundle}"`}): `
        + 'cdk8s-glance gives every container of a deployment one CA bundle',
        'give every API the same caBundleSecretName (the openstack-operator\'s combined-ca-bundle holds every CA)');
    }
    for (const [name, api] of Object.entries(apis)) checkBothOrNeither(`${path}.glanceAPIs.${name}`, api);
    return {
      tls: first.bundle === undefined ? undefined : { caBundleSecret: { name: first.bundle, key: OPERATOR_CA_BUNDLE.key } },
      // The glance-operator asks MariaDB for TLS when an API has a CA bundle and the database
      // reports TLS support; PyMySQL uses TLS only where the server offers it (see README).
      databaseTls: first.bundle !== undefined,
      apis: Object.fromEntries(Object.entries(apis).map(([name, api]) => [name, api.tls])),
      renames: [
        { prop: 'tls.caBundleSecret', crPath: `${path}.glanceAPIs.${first.name}.tls.caBundleSecretName` },
        { prop: 'database.tls', crPath: '--database-tls', fix: databaseFix },
      ],
    };
  }
  return controlPlaneTls(located.controlPlaneTls, spec, path, apis, bundles);
}

/** A single API serves both endpoints on one port: the glance-operator gives each a vhost of its own, one of them plain. */
function checkBothOrNeither(at: string, api: { tls?: GlanceApiTlsOptions; type?: unknown }): void {
  if (api.type !== undefined && String(api.type) !== 'single') return;
  const given = (['internal', 'public'] as const).filter((which) => api.tls?.[`${which}SecretName`] !== undefined);
  if (given.length !== 1) return;
  const missing = given[0] === 'internal' ? 'public' : 'internal';
  throw new GlanceValidationError(`${at}.tls.api.${missing}.secretName`, undefined,
    `is not set, and ${at}.tls.api.${given[0]}.secretName is: a single API serves both endpoints on one port, so both over HTTPS or neither`,
    `name the ${missing} endpoint's certificate Secret too, or remove the ${given[0]} one`);
}

function controlPlaneTls(at: { value: unknown; path: string }, spec: Record<string, any>, specPath: string, apis: Record<string, unknown>,
  bundles: Array<{ name: string; bundle?: string }>): CrTls {
  const section = at.value ?? {};
  if (typeof section !== 'object' || Array.isArray(section)) {
    throw new GlanceValidationError(at.path, section, 'is not a mapping', 'write it as a mapping, e.g. {} for the defaults');
  }
  checkFields(section, at.path, CONTROL_PLANE_TLS_FIELDS);
  const value = (field: string) => valueOrDefault(section, field, CONTROL_PLANE_TLS_FIELDS);
  // The openstack-operator sets every API's tls: the template's tls.api is dropped (replaced by the
  // live Glance CR's, then by the certificates it issues, or by none), its caBundleSecretName replaced.
  // (lib-common's EnsureCert looks the issuers up as Issuers in the namespace: kind Issuer below.)
  const dropped = Object.keys(apis).flatMap((name) => [
    ...['internal', 'public'].map((which) => `glanceAPIs.${name}.tls.api.${which}.secretName`).filter((field) => valueAt(spec, field)),
    ...bundles.filter((b) => b.name === name && b.bundle !== undefined && b.bundle !== OPERATOR_CA_BUNDLE.name)
      .map(() => `glanceAPIs.${name}.tls.caBundleSecretName`),
  ]).map((field) => `${specPath}.${field}`);
  if (dropped.length) {
    process.emitWarning(`cdk8s-glance: ${dropped.join(', ')} ${dropped.length > 1 ? 'are' : 'is'} replaced, as the openstack-operator `
      + `replaces ${dropped.length > 1 ? 'them' : 'it'}: a control plane's Glance serves the certificates of ${at.path}.podLevel (or none) and `
      + `trusts ${OPERATOR_CA_BUNDLE.name}`, { code: 'CDK8S_GLANCE_CR_TLS_REPLACED' });
  }
  const enabled: boolean = value('podLevel.enabled');
  // The CA bundle is always set: database.tls can only be refused for its type.
  const renames: Rename[] = [{ prop: 'database.tls', crPath: '--database-tls' }];
  let tls: GlanceTlsOptions = { caBundleSecret: { ...OPERATOR_CA_BUNDLE } };
  if (enabled) {
    const internalIssuer: string | undefined = value('podLevel.internal.ca.customIssuer');
    const publicIssuer: string | undefined = value('ingress.ca.customIssuer');
    const validity = Object.entries(VALIDITY_FIELDS);
    tls = {
      ...tls,
      issuer: { name: internalIssuer || 'rootca-internal', kind: 'Issuer' },
      publicIssuer: { name: publicIssuer || 'rootca-public', kind: 'Issuer' },
      ...Object.fromEntries(validity.map(([prop, field]) => [prop, value(field)])),
    };
    renames.push(
      { prop: 'tls.issuer', crPath: internalIssuer ? `${at.path}.podLevel.internal.ca.customIssuer` : `${at.path}.podLevel.enabled` },
      { prop: 'tls.publicIssuer', crPath: publicIssuer ? `${at.path}.ingress.ca.customIssuer` : `${at.path}.podLevel.enabled` },
      ...validity.map(([prop, field]) => ({ prop: `tls.${prop}`, crPath: `${at.path}.${field}` })),
    );
  }
  return { tls, databaseTls: true, apis: Object.fromEntries(Object.keys(apis).map((name) => [name, undefined])), renames };
}

/**
 * Whether the CR's Glance serves HTTPS: a control plane with pod-level TLS (the default), or a
 * Glance CR whose APIs name certificate Secrets. The openstack-operator turns pod-level TLS on for
 * Keystone with Glance, so the CLI's default Keystone URL follows it.
 */
export function servesHttps(located: Located): boolean {
  if (located.controlPlaneTls !== undefined) return valueOrDefault(located.controlPlaneTls.value ?? {}, 'podLevel.enabled', CONTROL_PLANE_TLS_FIELDS);
  const apis = valueAt(located.spec, 'glanceAPIs');
  return Object.values<any>(apis ?? {}).some((api) => valueAt(api, 'tls.api.internal.secretName') || valueAt(api, 'tls.api.public.secretName'));
}
