import { SecretKeySelector } from '../names';

/** A cert-manager Issuer or ClusterIssuer that signs the API certificates. */
export interface CertificateIssuer {
  /** Name of the issuer, e.g. "rootca-internal". */
  readonly name: string;
  /**
   * Its kind: "Issuer" (in the chart's namespace) or "ClusterIssuer".
   * @default "Issuer"
   */
  readonly kind?: string;
  /**
   * Its API group, for an external issuer.
   * @default "cert-manager.io"
   */
  readonly group?: string;
}

/**
 * TLS of a deployment: which CA bundle every Glance container trusts, and where the APIs'
 * serving certificates come from. An endpoint serves HTTPS when it has a certificate: a
 * Certificate from `issuer`, or a Secret its API names in its own `tls`.
 */
export interface GlanceTlsOptions {
  /**
   * Secret key with the CA bundle (PEM) that every Glance container trusts for the calls it
   * makes: the API's replicas (import proxying, precache), Keystone, the database, the stores.
   * It replaces the image's system CA store, so it holds every CA those calls need, as the
   * openstack-operator's `combined-ca-bundle` (key `tls-ca-bundle.pem`) does.
   * @default - the image's system CA store
   */
  readonly caBundleSecret?: SecretKeySelector;
  /**
   * The cert-manager issuer of the APIs' certificates: one Certificate per endpoint, named as
   * the openstack-operator names Glance's (`glance-<api>-internal-svc`, Secret `cert-glance-<api>-internal-svc`),
   * covering the Service's names and every replica's hostname (`*.<sts>.<namespace>.svc`).
   * An API that names its own Secrets in `tls` uses those instead.
   * @default - no Certificates: an endpoint serves HTTPS only with a Secret its API names
   */
  readonly issuer?: CertificateIssuer;
  /**
   * The issuer of the public endpoints' certificates.
   * @default - issuer
   */
  readonly publicIssuer?: CertificateIssuer;
  /**
   * How long an issued certificate is valid (a Go duration, as cert-manager takes it). cert-manager
   * renews it when two thirds of it have passed, and the TLS terminator loads the new one
   * without a restart.
   * @default "43800h" (five years, as the openstack-operator issues them)
   */
  readonly certificateDuration?: string;
  /**
   * How long before a certificate expires cert-manager renews it (a Go duration of 5 minutes or
   * more, shorter than the certificate's duration; the openstack-operator's `cert.renewBefore`).
   * @default - cert-manager's rule: when two thirds of the duration have passed
   */
  readonly certificateRenewBefore?: string;
  /**
   * How long the public endpoints' certificates are valid (the openstack-operator takes it from
   * its `ingress.cert.duration`).
   * @default - certificateDuration
   */
  readonly publicCertificateDuration?: string;
  /**
   * How long before a public endpoint's certificate expires cert-manager renews it.
   * @default - certificateRenewBefore
   */
  readonly publicCertificateRenewBefore?: string;
  /**
   * The TLS terminator's image: Apache httpd (`/usr/sbin/httpd` or `/usr/sbin/apache2`) with
   * mod_ssl, mod_proxy_http and mod_headers.
   * @default - the Glance image (the podified images ship httpd and mod_ssl)
   */
  readonly proxyImage?: string;
}

/** The certificates of one API's endpoints, as the glance-operator's `tls.api` names them. */
export interface GlanceApiTlsOptions {
  /**
   * Secret (`tls.crt`, `tls.key`, as cert-manager writes it) of the internal endpoint. Its
   * certificate must cover the internal Service (`<service>.<namespace>.svc`) and every
   * replica's hostname (`*.<sts>.<namespace>.svc`), which the cache jobs and the cache
   * commands use.
   * @default - a Certificate from tls.issuer; without one, plain HTTP
   */
  readonly internalSecretName?: string;
  /**
   * Secret (`tls.crt`, `tls.key`) of the public endpoint; its certificate covers the public
   * Service and the names clients reach it by, and, on an external API, every replica's hostname.
   * @default - a Certificate from tls.publicIssuer; without one, plain HTTP
   */
  readonly publicSecretName?: string;
  /**
   * More DNS names of the public Certificate that the library makes: the names clients reach
   * the public endpoint by (a load balancer's, an ingress's).
   * @default - the public Service's cluster names only
   */
  readonly publicDnsNames?: string[];
}
