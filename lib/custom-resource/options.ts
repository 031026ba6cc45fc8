/** What the reader needs beside the CR, and what it gives. */
import type { DatabaseOptions, ObjectNaming } from '../common-props';
import type { GlanceValidationError } from '../errors';
import type { GlanceProps } from '../glance-props';
import type { ImageBackend } from '../image-backend';
import type { SecretKeySelector } from '../names';
import type { GlanceRelease } from '../release';

/** What a Glance custom resource leaves to other resources, and cdk8s-glance needs. */
export interface CustomResourceOptions {
  /**
   * The database. The CR's databaseInstance names a MariaDB resource; here you name the Secret
   * that holds the connection URL for Glance's database on it. Its `tls` defaults to the CR's:
   * true for an OpenStackControlPlane (the openstack-operator always gives its Galera TLS) and for
   * a Glance CR whose APIs name a CA bundle (caBundleSecretName), false otherwise.
   */
  readonly database: DatabaseOptions;
  /** Keystone URL the API validates tokens against. */
  readonly keystoneAuthUrl: string;
  /**
   * Keystone URL clients are sent to.
   * @default - keystoneAuthUrl
   */
  readonly keystonePublicAuthUrl?: string;
  /**
   * The image store, when the CR does not say it (customServiceConfig and extraMounts do). A CR
   * that configures a store and this option together are refused.
   * @default - the store the CR configures, else ImageBackend.file()
   */
  readonly backend?: ImageBackend;
  /**
   * The OpenStack release of the image.
   * @default GlanceRelease.ANTELOPE
   */
  readonly release?: GlanceRelease;
  /**
   * Register the CR's keystoneEndpoint API in Keystone, as the operator does (keystone.registration,
   * as the admin whose password is in the CR's Secret, key AdminPassword). false leaves the catalog
   * as it is.
   * @default true
   */
  readonly keystoneRegistration?: boolean;
  /**
   * The Secret key with the transport URL of the CR's notifications bus (notificationsBus,
   * notificationBusInstance, or a control plane's spec.notificationsBus): the Secret that the
   * TransportURL the operator makes for it names in its status, or one of your own with the same URL.
   * @default - the Secret infra-operator writes for that TransportURL, `rabbitmq-transport-url-<glance name>-glance-transport`,
   *   key `transport_url` (after a credential rotation, the status names another)
   */
  readonly notificationsTransportUrlSecret?: SecretKeySelector;
  /**
   * How the APIs' StatefulSets and endpoint Services are named. The operator's names keep what
   * refers to them working when this chart takes over from the operator: the Keystone catalog's
   * URLs (`glance-<api>-internal`), the claims of the StatefulSets, the certificates' names.
   * @default ObjectNaming.GLANCE_OPERATOR
   */
  readonly naming?: ObjectNaming;
  /**
   * URL of the public endpoint the registration lists, where the CR does not give it
   * (`override.service.public.endpointURL` of its keystoneEndpoint API). A control plane's public
   * endpoint is an OpenShift Route unless its Service is a LoadBalancer, and the Route's host is not
   * in the CR: it needs this (or keystoneRegistration: false).
   * @default - the CR's endpointURL, else the public Service's cluster URL (a Glance CR, or a LoadBalancer Service)
   */
  readonly publicUrl?: string;
  /**
   * The hosts web-download may fetch from, for a CR whose APIs offer it: the glance-operator's
   * template enables web-download (`enabled_import_methods=[web-download,glance-direct]`) unless a
   * customServiceConfig says otherwise, with Glance's own filtering only, which lets any project
   * member make Glance fetch an in-cluster URL. cdk8s-glance offers it only with an allow-list
   * (webDownload.allowedHosts). CLI: --web-download-hosts a,b.
   * @default - no web-download (a warning says so when the CR's APIs would offer it)
   */
  readonly webDownloadAllowedHosts?: string[];
  /**
   * Deploy a CR's cinder store as the glance-operator does: its API pods privileged, in the
   * node's PID namespace, running the node's iscsiadm, multipath and nvme (ImageBackend.cinder's
   * allowPrivilegedAttach and nodeTools). Pod Security "restricted" forbids such pods, so a CR with
   * a cinder store is refused unless you accept them here; their namespace must admit privileged
   * pods. CLI: --allow-privileged-cinder true.
   * @default false
   */
  readonly allowPrivilegedCinder?: boolean;
}

/** A Glance CR read into props, with where it came from. */
export interface CustomResourceRead {
  readonly props: GlanceProps;
  /** metadata.namespace of the CR, if it has one. */
  readonly namespace?: string;
  /** The same validation error in the CR's terms: its path (or CLI flag) and fix. */
  readonly inCrTerms: (error: GlanceValidationError) => GlanceValidationError;
  /** The Memcached resource that caches tokens and its replicas, whose servers are named in the chart's namespace. */
  readonly memcached?: { readonly instance: string; readonly replicas: number };
}
