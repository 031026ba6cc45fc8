import { CertificateIssuer, GlanceApiTlsOptions, GlanceTlsOptions } from './options';
import { GlanceValidationError } from '../errors';
import { checkSecretKey, HOST, SecretKeySelector } from '../names';

// The settings layer of TLS: the deployment's tls checked once, then each API's endpoints.

/** Where every Glance container finds the CA bundle, and its file name (the operator's key). */
export const CA_DIR = '/etc/glance/tls/ca';
export const CA_FILE = `${CA_DIR}/tls-ca-bundle.pem`;

/** How long an endpoint's issued certificate is valid, and when cert-manager renews it (undefined: cert-manager's rule). */
export interface CertificateValidity {
  readonly duration: string;
  readonly renewBefore?: string;
}

/** GlanceTlsOptions, checked, with their defaults. */
export interface ResolvedTls {
  readonly caBundle?: SecretKeySelector;
  readonly issuer?: Required<CertificateIssuer>;
  readonly publicIssuer?: Required<CertificateIssuer>;
  /** Of the certificates the library issues, by endpoint. */
  readonly validity: Readonly<Record<'internal' | 'public', CertificateValidity>>;
  readonly proxyImage: string;
  /** Whether the database connection uses TLS (database.tls). */
  readonly database: boolean;
}

/** Checks the deployment's tls (and database.tls, which needs its CA bundle). */
export function resolveTls(tls: GlanceTlsOptions | undefined, databaseTls: boolean | undefined, image: string): ResolvedTls {
  const options = tls ?? {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new GlanceValidationError('tls', options, 'is not an object',
      'give e.g. { caBundleSecret: { name: "combined-ca-bundle", key: "tls-ca-bundle.pem" } }');
  }
  if (options.caBundleSecret !== undefined) checkSecretKey('tls.caBundleSecret', options.caBundleSecret);
  const database = databaseTls ?? false;
  if (typeof database !== 'boolean') throw new GlanceValidationError('database.tls', database, 'is not a boolean', 'use true or false');
  if (database && options.caBundleSecret === undefined) {
    throw new GlanceValidationError('database.tls', database, 'verifies the database server against a CA bundle, and tls.caBundleSecret is not set',
      'name the Secret key that holds the CA bundle in tls.caBundleSecret');
  }
  const issuer = options.issuer === undefined ? undefined : checkIssuer('tls.issuer', options.issuer);
  const publicIssuer = options.publicIssuer === undefined ? issuer : checkIssuer('tls.publicIssuer', options.publicIssuer);
  const internal = checkValidity('certificateDuration', options.certificateDuration ?? '43800h',
    'certificateRenewBefore', options.certificateRenewBefore);
  // An inherited duration passed as certificateDuration; an inherited renewBefore may still be too long for the public one.
  const publicValidity = checkValidity('publicCertificateDuration', options.publicCertificateDuration ?? internal.duration,
    options.publicCertificateRenewBefore === undefined ? 'certificateRenewBefore' : 'publicCertificateRenewBefore',
    options.publicCertificateRenewBefore ?? internal.renewBefore);
  const proxyImage = options.proxyImage ?? image;
  if (typeof proxyImage !== 'string' || proxyImage === '' || /\s/.test(proxyImage)) {
    throw new GlanceValidationError('tls.proxyImage', proxyImage, 'is not a container image reference', 'use e.g. "registry.example/httpd:2.4"');
  }
  return { caBundle: options.caBundleSecret, issuer, publicIssuer, validity: { internal, public: publicValidity }, proxyImage, database };
}

/**
 * A certificate's duration and renewBefore, as cert-manager's webhook checks them: Go durations in
 * hours, minutes and seconds; a duration of an hour or more; a renewBefore of 5 minutes or more and
 * shorter than the duration.
 */
function checkValidity(durationProp: string, duration: string, renewBeforeProp: string, renewBefore: string | undefined): CertificateValidity {
  const seconds = goDurationSeconds(String(duration));
  if (seconds === undefined || seconds < 3600) {
    throw new GlanceValidationError(`tls.${durationProp}`, duration, 'is not a duration of an hour or more, as cert-manager takes it',
      'use hours, minutes and seconds, e.g. "8760h" for a year');
  }
  if (renewBefore === undefined) return { duration };
  const before = goDurationSeconds(String(renewBefore));
  if (before === undefined || before < 300) {
    throw new GlanceValidationError(`tls.${renewBeforeProp}`, renewBefore, 'is not a duration of 5 minutes or more, as cert-manager takes it',
      'use hours, minutes and seconds, e.g. "720h" to renew 30 days before expiry');
  }
  if (before >= seconds) {
    throw new GlanceValidationError(`tls.${renewBeforeProp}`, renewBefore,
      `is not shorter than the certificate's duration (${duration}): cert-manager would refuse the Certificate`,
      `use less than ${duration}, or leave it unset (cert-manager renews at two thirds of the duration)`);
  }
  return { duration, renewBefore };
}

function checkIssuer(prop: string, issuer: CertificateIssuer): Required<CertificateIssuer> {
  if (typeof issuer?.name !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(issuer.name) || issuer.name.length > 253) {
    throw new GlanceValidationError(`${prop}.name`, issuer?.name, 'is not the name of a cert-manager issuer',
      'use a DNS subdomain, e.g. "rootca-internal"');
  }
  const kind = issuer.kind ?? 'Issuer';
  const group = issuer.group ?? 'cert-manager.io';
  if (typeof group !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(group)) {
    throw new GlanceValidationError(`${prop}.group`, group, 'is not an API group', 'use "cert-manager.io", or the group of an external issuer');
  }
  if (group === 'cert-manager.io' && kind !== 'Issuer' && kind !== 'ClusterIssuer') {
    throw new GlanceValidationError(`${prop}.kind`, kind, 'is not a kind of cert-manager issuer', 'use "Issuer" or "ClusterIssuer"');
  }
  if (!/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    throw new GlanceValidationError(`${prop}.kind`, kind, 'is not a kind', 'use the issuer\'s kind, e.g. "Issuer"');
  }
  return { name: issuer.name, kind, group };
}

/** The seconds of a Go duration in hours, minutes and seconds ("1h30m"), or undefined for other text. */
function goDurationSeconds(duration: string): number | undefined {
  const match = /^(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/.exec(duration);
  if (!match) return undefined;
  const [, h, m, s] = match;
  return Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
}

/** One endpoint of an API StatefulSet, with the Secret of its certificate. */
export interface EndpointTls {
  readonly which: 'internal' | 'public';
  readonly serviceName: string;
  readonly secretName: string;
  /** The Certificate to make, when the library issues it: named as its Secret, without "cert-". */
  readonly issued?: { readonly issuer: Required<CertificateIssuer>; readonly dnsNames: string[] };
}

/** What one API StatefulSet serves, for its TLS. */
export interface ApiEndpoints {
  /** The API's prop path, "apis.default". */
  readonly path: string;
  readonly statefulSetName: string;
  /** The endpoint Services it serves, by endpoint: internal first. */
  readonly services: Partial<Record<'internal' | 'public', string>>;
  /** `<name>-<api>`: an issued certificate is `<base>-<endpoint>-svc`, as the openstack-operator names Glance's. */
  readonly certificateBase: string;
  /** The chart's namespace, which an issued certificate's names need. */
  readonly namespace?: string;
}

/**
 * The certificates of an API StatefulSet's endpoints, internal first (its TLS terminator's first
 * virtual host, which also answers for every replica's hostname), or undefined when it serves plain
 * HTTP. A StatefulSet serves HTTPS on all its endpoints or on none: one port serves them all.
 */
export function endpointsTls(api: ApiEndpoints, tls: ResolvedTls, own: GlanceApiTlsOptions | undefined): EndpointTls[] | undefined {
  const options = own ?? {};
  const at = `${api.path}.tls`;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new GlanceValidationError(at, options, 'is not an object', 'give e.g. { internalSecretName: "cert-glance-default-internal-svc" }');
  }
  const publicDnsNames = checkDnsNames(`${at}.publicDnsNames`, options.publicDnsNames);
  const served = (['internal', 'public'] as const).filter((which) => api.services[which] !== undefined);
  const endpoints = served.map((which): EndpointTls | undefined => {
    const given = options[`${which}SecretName`];
    const serviceName = api.services[which]!;
    if (given !== undefined) {
      if (typeof given !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(given) || given.length > 253) {
        throw new GlanceValidationError(`${at}.${which}SecretName`, given, 'is not a Secret name',
          'use the name of a kubernetes.io/tls Secret in the chart\'s namespace');
      }
      return { which, serviceName, secretName: given };
    }
    const issuer = which === 'internal' ? tls.issuer : tls.publicIssuer;
    if (issuer === undefined) return undefined;
    if (api.namespace === undefined) {
      throw new GlanceValidationError(which === 'internal' ? 'tls.issuer' : 'tls.publicIssuer', issuer.name,
        `issues the certificate of the ${which} endpoint of the StatefulSet ${api.statefulSetName}, whose names hold the namespace, `
        + 'and the chart has none',
        'give the chart a namespace (new Chart(app, "glance", { namespace: "openstack" }))');
    }
    const names = (host: string) => [`${host}.${api.namespace}.svc`, `${host}.${api.namespace}.svc.cluster.local`];
    const dnsNames = [...names(serviceName), ...names(`*.${api.statefulSetName}`), ...(which === 'public' ? publicDnsNames : [])];
    return { which, serviceName, secretName: `cert-${api.certificateBase}-${which}-svc`, issued: { issuer, dnsNames } };
  });
  const present = endpoints.find((endpoint) => endpoint !== undefined);
  if (present === undefined) {
    if (options.publicDnsNames !== undefined && api.services.public !== undefined) {
      throw new GlanceValidationError(`${at}.publicDnsNames`, options.publicDnsNames, 'names the public certificate, and the library issues none',
        'set tls.publicIssuer (or tls.issuer), or put the names in the certificate of your tls.publicSecretName');
    }
    return undefined;
  }
  const missing = served[endpoints.indexOf(undefined)];
  if (missing !== undefined) {
    throw new GlanceValidationError(`${at}.${missing}SecretName`, undefined,
      `is not set, and the ${present.which} endpoint has a certificate (${present.secretName}): this StatefulSet serves both endpoints on one port, `
      + 'so both over HTTPS or neither',
      `name the ${missing} endpoint's Secret too, or set tls.${missing === 'internal' ? 'issuer' : 'publicIssuer'} so that the library issues it`);
  }
  return endpoints as EndpointTls[];
}

function checkDnsNames(prop: string, names: string[] | undefined): string[] {
  if (names === undefined) return [];
  if (!Array.isArray(names)) throw new GlanceValidationError(prop, names, 'is not a list of DNS names', 'give e.g. ["glance.example.com"]');
  names.forEach((name, i) => {
    if (typeof name !== 'string' || !HOST.test(name.replace(/^\*\./, '')) || /[[:]|^[0-9.]+$/.test(name)) {
      throw new GlanceValidationError(`${prop}[${i}]`, name, 'is not a DNS name',
        'use a host name such as "glance.example.com" (or "*.example.com")');
    }
  });
  return names;
}
