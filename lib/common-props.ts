import { ImagePullPolicy } from 'cdk8s-plus-28';
import type { GlanceExtraMount } from './extra-mounts';
import { ImageBackend } from './image-backend';
import { SecretKeySelector } from './names';
import { GlanceNetworkPolicyOptions } from './network-policy';
import { GlanceRelease } from './release';
import { GlanceTlsOptions } from './tls/options';
import { WebDownloadOptions } from './web-download';

/** The Glance database. The URL stays in a Secret and reaches Glance as an environment variable. */
export interface DatabaseOptions {
  /**
   * Secret key that holds the SQLAlchemy URL,
   * e.g. "mysql+pymysql://glance:PASSWORD@openstack.openstack.svc/glance".
   */
  readonly connectionSecret: SecretKeySelector;
  /**
   * Connect over TLS, verifying the server's certificate against tls.caBundleSecret and its name
   * against the URL's host ([database] connection_parameters gets `ssl_ca`): for MySQL and
   * MariaDB through PyMySQL (`mysql+pymysql://`), as the glance-operator connects. PyMySQL uses
   * TLS whenever the server offers it, but does not refuse a server that offers none: make the
   * server require it (`REQUIRE SSL` for Glance's user, or `require_secure_transport`).
   * @default false
   */
  readonly tls?: boolean;
}

/** Keystone authentication of the API (keystonemiddleware). */
export interface KeystoneOptions {
  /** Keystone URL the API validates tokens against, e.g. "http://keystone-internal.openstack.svc:5000". */
  readonly authUrl: string;
  /**
   * Keystone URL clients are sent to (www_authenticate_uri).
   * @default - authUrl
   */
  readonly publicAuthUrl?: string;
  /** Secret key that holds the service user's password. */
  readonly passwordSecret: SecretKeySelector;
  /** @default "glance" */
  readonly username?: string;
  /** @default "service" */
  readonly projectName?: string;
  /** @default "Default" */
  readonly domainName?: string;
  /**
   * Keystone's region: Glance finds Keystone's internal endpoint in it to check tokens, and the
   * registration Job puts Glance's endpoints (and the quotas' limits) there. The Job refuses a
   * region where Keystone has no internal endpoint, in which every authenticated request would fail.
   * @default - no region
   */
  readonly region?: string;
  /**
   * memcached servers ("host:port") that cache validated tokens for every replica
   * (`[keystone_authtoken] memcached_servers`), as the glance-operator points Glance at its
   * memcached (`memcached-0.memcached.<namespace>.svc:11211`, one per memcached replica).
   * Plain TCP only: the keystonemiddleware of Glance 25 and 30 (10.1, 10.9) has no TLS to memcached.
   * @default - each Glance process caches tokens in its own memory
   */
  readonly memcachedServers?: string[];
  /**
   * A Secret holding an application credential of the service user (keys `AC_ID` and `AC_SECRET`,
   * as keystone-operator writes `ac-glance-secret`): the API's token checks, the precache jobs and
   * the quotas then authenticate with it instead of the password. The password stays for the
   * registration Job (which sets it on the user) and the swift store. A new credential is a new
   * Secret name here: the pods are replaced, and read it.
   * @default - the processes authenticate with passwordSecret
   */
  readonly applicationCredentialSecret?: string;
  /**
   * Register Glance in Keystone's catalog with a Job, as the glance-operator's KeystoneService
   * and KeystoneEndpoint do: the service project and user (its password from passwordSecret,
   * roles admin and service), the `image` service, and an internal and a public endpoint in
   * `region`. The Job is idempotent; a changed URL or setting is a new Job, which updates them.
   * @default - Glance is not registered: create its user, service and endpoints yourself
   */
  readonly registration?: KeystoneRegistrationOptions;
}

/** The Job that registers Glance in Keystone, and the admin it runs as. */
export interface KeystoneRegistrationOptions {
  /**
   * Secret key holding the password of the Keystone admin who registers Glance (the
   * openstack-k8s-operators keep it in `osp-secret`, key `AdminPassword`).
   */
  readonly adminPasswordSecret: SecretKeySelector;
  /** @default "admin" */
  readonly adminUsername?: string;
  /** @default "admin" */
  readonly adminProjectName?: string;
  /**
   * Domain of the admin user and project.
   * @default "Default"
   */
  readonly adminDomainName?: string;
  /**
   * The entry of `apis` whose endpoint Services are registered (the glance-operator's
   * `keystoneEndpoint`).
   * @default - the only entry of apis (required when there are several)
   */
  readonly api?: string;
  /**
   * URL of the internal endpoint.
   * @default - http(s)://<the API's internal Service>.<namespace>.svc:9292, https when it has TLS
   */
  readonly internalUrl?: string;
  /**
   * URL of the public endpoint, e.g. that of an Ingress in front of the public Service.
   * @default - http(s)://<the API's public Service>.<namespace>.svc:9292, https when it has TLS
   */
  readonly publicUrl?: string;
}

/** The volume that holds each replica's /var/lib/glance (staging, tasks, and a local file store). */
export interface StorageOptions {
  /**
   * Size of each replica's volume.
   * @default "10Gi"
   */
  readonly storageRequest?: string;
  /**
   * Storage class of the volumes.
   * @default - the cluster's default storage class
   */
  readonly storageClass?: string;
  /**
   * Access mode of the volumes.
   * @default StorageAccessMode.READ_WRITE_ONCE
   */
  readonly accessMode?: StorageAccessMode;
  /**
   * No volume: /var/lib/glance is an emptyDir. For backends that keep no images locally (rbd).
   * @default false
   */
  readonly external?: boolean;
}

/** Where and how the API processes send notifications. */
export interface GlanceNotificationOptions {
  /**
   * Secret key holding the bus's transport URL (`rabbit://user:password@host:5672/vhost`), as the
   * openstack-k8s-operators' TransportURL writes it (key `transport_url`). It reaches the processes
   * in their environment only, never a config file.
   */
  readonly transportUrlSecret: SecretKeySelector;
  /**
   * The topics notifications are sent to (`notifications.info` on the `glance` exchange, for the default).
   * @default ["notifications"]
   */
  readonly topics?: string[];
  /**
   * TLS to the bus (`[oslo_messaging_rabbit] ssl`), verified against tls.caBundleSecret when the
   * deployment has one.
   * @default - on when the deployment has a CA bundle (tls.caBundleSecret)
   */
  readonly tls?: boolean;
  /**
   * RabbitMQ quorum queues, as the operator sets them for a TransportURL with quorum queues.
   * @default false
   */
  readonly quorumQueues?: boolean;
}

/**
 * The four per-project limits Glance enforces with Keystone's unified limits, registered as the
 * defaults of every project. Glance needs all four.
 */
export interface GlanceQuotaOptions {
  /** image_size_total: image data a project may keep in its active images, as a quantity in whole MiB ("100Gi"). */
  readonly imageSizeTotal: string;
  /** image_stage_total: what a project may hold staged at once (import, web-download, copy-image), as a quantity in whole MiB. */
  readonly imageStageTotal: string;
  /** image_count_total: images a project may have; 0 allows none. */
  readonly imageCountTotal: number;
  /** image_count_uploading: uploads a project may have in progress at once; 0 means no limit, as Glance reads it. */
  readonly imageCountUploading: number;
}

/** Upload limits: what one user can put on a replica's staging volume and in the store. */
export interface UploadLimitOptions {
  /**
   * The largest image a user may upload or import (image_size_cap), as a Kubernetes quantity.
   * It must stay below the staging volume (storage.storageRequest), where imports are staged.
   * @default - 90% of the staging volume
   */
  readonly imageSizeCap?: string;
  /**
   * Image data per user across all stores (user_storage_quota), as a Kubernetes quantity.
   * @default - no per-user quota
   */
  readonly userStorageQuota?: string;
}

/** Settings every Glance API of a deployment shares. */
export interface GlanceCommonProps {
  /**
   * Prefix of every object name.
   * @default "glance"
   */
  readonly name?: string;
  /**
   * The Glance API container image. It must ship glance-api, glance-manage and the
   * glance-cache-* tools, and run as uid 42415.
   * @default "quay.io/podified-antelope-centos9/openstack-glance-api:current-podified"
   */
  readonly image?: string;
  /**
   * The OpenStack release of the image.
   * @default GlanceRelease.ANTELOPE
   */
  readonly release?: GlanceRelease;
  /** The database. */
  readonly database: DatabaseOptions;
  /** Keystone authentication. */
  readonly keystone: KeystoneOptions;
  /**
   * The image store.
   * @default ImageBackend.file()
   */
  readonly backend?: ImageBackend;
  /**
   * Each replica's /var/lib/glance volume.
   * @default - a 10Gi ReadWriteOnce volume per replica
   */
  readonly storage?: StorageOptions;
  /**
   * Raw oslo ini merged after the generated configuration. It may not set the options
   * cdk8s-glance manages (cache, database, bind port, paste flavor, policy file), meta options
   * (other config files, config sources, logging configs, anonymous access), options of
   * [paste_deploy] and [oslo_policy], or [keystone_authtoken] options beyond its tuning; and a
   * `$` must be written `$$` (README, "Security").
   * @default - none
   */
  readonly customServiceConfig?: string;
  /**
   * Let customServiceConfig (the deployment's and each API's) refer to other options with
   * oslo.config's `$name` and `${group.name}`. A reference can copy a credential, such as
   * `${keystone_authtoken.password}`, into a value users see: keep it off unless you need it.
   * @default false
   */
  readonly customServiceConfigSubstitution?: boolean;
  /**
   * Secrets whose keys are oslo.config text, read by glance-api after customServiceConfig: each
   * Secret in the order listed, its keys in name order, as the glance-operator reads
   * customServiceConfigSecrets. For options whose values are credentials, such as an S3 store's
   * keys. Their text is not known at synth time: an init container of each API pod checks it with
   * customServiceConfig's rules (and customServiceConfigSubstitution) before glance-api starts, and a
   * refusal stops the pod with a message naming the Secret, key, line and option (`kubectl describe
   * pod`). A Secret changed later applies when the pods restart (`kubectl rollout restart`), checked
   * again. The cache and database jobs do not read them.
   * @default - none
   */
  readonly configSecrets?: string[];
  /**
   * A ConfigMap in the chart's namespace whose keys are oslo.policy files (YAML or JSON), for
   * rules of your own. Every glance-api container mounts it at /etc/glance/policy.d, which
   * `[oslo_policy] policy_dirs` names: oslo.policy reads each file there, in name order, after the
   * library's policy file, so a rule in it replaces the library's (the cache rules of
   * imageCache.policy included) and Glance's default. The glance-operator's policy sample mounts
   * its ConfigMap at the same place. A rule added or changed applies when the kubelet has updated
   * the files (within about a minute); a rule removed stays until glance-api restarts, since
   * Glance's enforcer adds the rules it reloads to those it holds.
   * @default - the library's policy file alone: Glance's defaults and the cache rules
   */
  readonly policyConfigMap?: string;
  /**
   * Volumes of your own that every glance-api container mounts, read-only: Secrets or a
   * ConfigMap at a path you choose, for files Glance or its libraries read that no prop gives
   * (a CA of a store's endpoint named in customServiceConfig, Ceph's files for a Cinder store on
   * Ceph, ...). The glance-operator's extraMounts of Secrets and ConfigMaps become these.
   * @default - none
   */
  readonly extraMounts?: GlanceExtraMount[];
  /**
   * Offer image import by web-download, limited to an allow-list (SSRF: see WebDownloadOptions).
   * @default - not offered: the import methods are glance-direct and copy-image
   */
  readonly webDownload?: WebDownloadOptions;
  /**
   * Upload limits.
   * @default - image_size_cap is 90% of the staging volume; no per-user quota
   */
  readonly limits?: UploadLimitOptions;
  /**
   * Per-project quotas with Keystone's unified limits (`use_keystone_limits`): the registration
   * Job (keystone.registration, required) registers the four limits as Keystone defaults, which a
   * cloud admin may override per project (`openstack limit create`). Each API process reads them as
   * the service user, for its own endpoint, whose id it looks up in Keystone as it starts.
   * @default - no per-project quotas
   */
  readonly quotas?: GlanceQuotaOptions;
  /**
   * Notifications of image events (image.create, image.upload, image.delete, ...) on a message bus,
   * as oslo.messaging's messagingv2 driver sends them, for Ceilometer, Watcher or an audit pipeline.
   * @default - no notifications
   */
  readonly notifications?: GlanceNotificationOptions;
  /**
   * Who may reach the API pods.
   * @default - a NetworkPolicy per API admits the chart's namespace and the Glance pods only
   */
  readonly networkPolicy?: GlanceNetworkPolicyOptions;
  /**
   * A proxy in front of the public endpoint terminates TLS. Glance then honours the
   * X-Forwarded-Proto and Forwarded headers ([oslo_middleware] enable_proxy_headers_parsing),
   * so that the links it returns say https.
   * @default false
   */
  readonly behindTlsProxy?: boolean;
  /**
   * TLS: the CA bundle every Glance container trusts, and the APIs' certificates (HTTPS on
   * every endpoint and every replica's hostname, through a TLS terminator in each API pod).
   * @default - plain HTTP, and the image's system CA store
   */
  readonly tls?: GlanceTlsOptions;
  /**
   * Pull policy of every container.
   * @default - IfNotPresent for an image pinned by digest ("...@sha256:..."), Always for a tag, which can move
   */
  readonly imagePullPolicy?: ImagePullPolicy;
  /**
   * How each API's StatefulSet and endpoint Services are named: the library's names, or the
   * glance-operator's, for a deployment that takes over from the operator (its Keystone catalog,
   * its claims and its certificates keep their names). Changing it on a deployed chart renames
   * StatefulSets, and so leaves their claims behind (README, "Upgrading").
   * @default ObjectNaming.LIBRARY
   */
  readonly naming?: ObjectNaming;
}

/** How an API's StatefulSet and endpoint Services are named. */
export enum ObjectNaming {
  /**
   * StatefulSet `<name>-<api>-<role>`; endpoint Services `<name>-<api>` (internal) and
   * `<name>-<api>-public`.
   */
  LIBRARY = 'library',
  /**
   * The glance-operator's: StatefulSet `<name>-<api>-single` for a SINGLE API and
   * `<name>-<api>-<role>-api` for the others; endpoint Services `glance-<api>-internal` and
   * `glance-<api>-public` whatever the name (the operator's constant "glance"), so two
   * deployments in one namespace need APIs of different names.
   */
  GLANCE_OPERATOR = 'glance-operator',
}

/** Access mode of the volume that holds a replica's /var/lib/glance. */
export enum StorageAccessMode {
  /** One node at a time: the usual block-backed volume. */
  READ_WRITE_ONCE = 'ReadWriteOnce',
  /** Many nodes at once: NFS and similar shared filesystems. */
  READ_WRITE_MANY = 'ReadWriteMany',
}
