/**
 * The options of each single store, as the factories of ImageBackend take them (lib/stores/image-backend.ts).
 */
import { SecretKeySelector } from '../names';

/**
 * An NFS export. The library mounts it through a PersistentVolume of its own, pre-bound to the
 * `<name>-images` claim: Pod Security "restricted" refuses pods with an inline `nfs:` volume.
 */
export interface NfsShareOptions {
  /** The NFS server: a host name or an IP address. */
  readonly server: string;
  /** The exported path on the server, absolute, e.g. "/exports/glance". */
  readonly path: string;
}

/** Where the file store keeps images when several replicas must see the same files. */
export interface SharedStoreOptions {
  /**
   * An existing ReadWriteMany claim (NFS or similar) to mount at the file store.
   * @default - a claim named `<name>-images` is created from storageClass and storageRequest
   */
  readonly existingClaimName?: string;
  /**
   * A storage class that provides ReadWriteMany volumes, such as an NFS provisioner's.
   * Required unless existingClaimName or nfs is set.
   * @default - none
   */
  readonly storageClass?: string;
  /**
   * Size of the created claim (and of the PersistentVolume of an `nfs` export).
   * @default "100Gi"
   */
  readonly storageRequest?: string;
  /**
   * An NFS export for the file store, as the glance-operator's NFS sample mounts it. The library
   * emits a PersistentVolume for it (`<namespace>-<name>-images`, reclaim policy Retain) and the
   * `<name>-images` claim bound to it, so that the pods stay within Pod Security "restricted"
   * (which forbids inline `nfs:` volumes). Excludes existingClaimName and storageClass.
   * @default - no NFS export
   */
  readonly nfs?: NfsShareOptions;
}

/** Options of the file store. */
export interface FileBackendOptions {
  /**
   * A shared ReadWriteMany volume for the images. Required when the deployment runs more than
   * one replica: every replica must read the files any other replica wrote.
   * @default - images live on the replica's own volume, valid with one replica only
   */
  readonly sharedStore?: SharedStoreOptions;
  /**
   * store_description, shown by GET /v2/info/stores.
   * @default "File backend"
   */
  readonly description?: string;
}

/** Options of the Ceph RBD store. */
export interface RbdBackendOptions {
  /**
   * Secret that holds the Ceph cluster's config and the client keyring, mounted at /etc/ceph.
   * Required unless cephSecretNames is set.
   * @default - none
   */
  readonly cephSecretName?: string;
  /**
   * Several Secrets projected together into /etc/ceph, e.g. one per Ceph cluster. Their file
   * names must not clash. Added after cephSecretName when both are set.
   * @default - cephSecretName only
   */
  readonly cephSecretNames?: string[];
  /**
   * The Ceph cluster's name: Glance reads `/etc/ceph/<cluster>.conf` (rbd_store_ceph_conf). With
   * several clusters, give each store its own, and let each `<cluster>.conf` name its keyring
   * (librados looks for `ceph.client.<user>.keyring` otherwise).
   * @default "ceph"
   */
  readonly cluster?: string;
  /**
   * RBD pool for images.
   * @default "images"
   */
  readonly pool?: string;
  /**
   * Ceph client user (the keyring must be `ceph.client.<user>.keyring`, or as `<cluster>.conf` names it).
   * @default "openstack"
   */
  readonly user?: string;
  /**
   * store_description, shown by GET /v2/info/stores.
   * @default "Ceph RBD backend"
   */
  readonly description?: string;
}

/** Options of the Swift store: single-tenant, authenticated with Keystone v3 against the deployment's Keystone. */
export interface SwiftBackendOptions {
  /**
   * Secret key that holds the Swift user's password (swift_store_key). It reaches Glance as an
   * environment variable, never in a file.
   * @default - keystone.passwordSecret
   */
  readonly keySecret?: SecretKeySelector;
  /**
   * Keystone user of the store (the project is projectName).
   * @default - keystone.username ("glance")
   */
  readonly user?: string;
  /**
   * Keystone project of the store user.
   * @default - keystone.projectName ("service")
   */
  readonly projectName?: string;
  /**
   * Container of the images, created on the first upload.
   * @default "glance"
   */
  readonly container?: string;
  /**
   * Region of the Swift endpoint in the Keystone catalog (swift_store_region).
   * @default - keystone.region, or none
   */
  readonly region?: string;
  /**
   * Catalog interface of the Swift endpoint: "internalURL", "publicURL" or "adminURL".
   * @default "internalURL"
   */
  readonly endpointType?: string;
  /**
   * store_description, shown by GET /v2/info/stores.
   * @default "Swift backend"
   */
  readonly description?: string;
}

/** How the S3 store addresses its bucket (s3_store_bucket_url_format). */
export enum S3BucketUrlFormat {
  /** Virtual-hosted style where the host allows it, path style otherwise. */
  AUTO = 'auto',
  /** https://host/bucket/key, as Ceph RGW and MinIO usually need. */
  PATH = 'path',
  /** https://bucket.host/key. */
  VIRTUAL = 'virtual',
}

/** Options of the S3 store. */
export interface S3BackendOptions {
  /**
   * The S3 endpoint: "https://s3.example.com", "http://rgw.ceph.svc:8080" or "host[:port]" (http).
   * @default - none: required, unless fromConfigSecrets (then s3_store_host from configSecrets)
   */
  readonly host?: string;
  /**
   * The bucket of the images.
   * @default - none: required, unless fromConfigSecrets (then s3_store_bucket from configSecrets)
   */
  readonly bucket?: string;
  /**
   * Secret key that holds the S3 access key. It reaches Glance as an environment variable, never in a file.
   * @default - none: required, unless fromConfigSecrets (then s3_store_access_key from configSecrets)
   */
  readonly accessKeySecret?: SecretKeySelector;
  /**
   * Secret key that holds the S3 secret key. It reaches Glance as an environment variable, never in a file.
   * @default - none: required, unless fromConfigSecrets (then s3_store_secret_key from configSecrets)
   */
  readonly secretKeySecret?: SecretKeySelector;
  /**
   * Take the endpoint, bucket and keys not given here from configSecrets, as the glance-operator's
   * s3 layout does: a Secret of oslo.config text with `[<store>] s3_store_host`, `s3_store_bucket`,
   * `s3_store_access_key` and `s3_store_secret_key` (`<store>` is `default_backend` for the only
   * store, else the store's name). Each API pod then refuses to start unless its configSecrets set
   * every one of them. The keys are then in a file of the pod's config directory (in memory, the
   * glance user's only), not in environment variables.
   * @default false
   */
  readonly fromConfigSecrets?: boolean;
  /**
   * Create the bucket on the first upload when it does not exist.
   * @default true
   */
  readonly createBucketOnPut?: boolean;
  /**
   * How the bucket is addressed.
   * @default S3BucketUrlFormat.AUTO
   */
  readonly bucketUrlFormat?: S3BucketUrlFormat;
  /**
   * Secret key that holds a CA bundle (PEM) to verify the endpoint with, mounted read-only and
   * named by s3_store_cacert. Glance 30 (glance_store 4.9) reads it; Glance 25 does not know the option.
   * @default - the image's system CA bundle
   */
  readonly caCertSecret?: SecretKeySelector;
  /**
   * store_description, shown by GET /v2/info/stores.
   * @default "S3 backend"
   */
  readonly description?: string;
}

/** Options of the Cinder store: images are Cinder volumes, which the API attaches to itself. */
export interface CinderBackendOptions {
  /**
   * Run the glance-api containers privileged, which the Cinder store needs and Pod Security
   * "restricted" forbids. glance_store's cinder driver attaches every volume it reads or writes
   * to the API pod: it becomes root through "sudo glance-rootwrap" and oslo.privsep (a setuid
   * binary, so no no_new_privs), and os-brick opens and scans the node's devices (/dev, /sys,
   * iSCSI and NVMe settings). Without this opt-in, ImageBackend.cinder() is refused at synth time.
   * Only the glance-api containers are relaxed; every other pod stays restricted.
   * @default false
   */
  readonly allowPrivilegedAttach?: boolean;
  /**
   * Run the node's own iscsiadm, multipath, multipathd, scsi_id and nvme, as the glance-operator
   * does: each of those paths in the glance-api container is a wrapper (from the ConfigMap
   * `<glance>-cinder-node-tools`) that runs the program of the same path in the node's namespaces
   * (nsenter into the node's process 1, so the pod shares the node's PID namespace: hostPID). The
   * node's /run, /lib/modules and os-brick's lock directory /var/locks/openstack/os-brick (shared
   * with Cinder's and Nova's attachments on the node, `[os_brick] lock_path`) are mounted too.
   * Needed where iSCSI, FC or NVMe-oF attachments go through daemons that run on the node
   * (iscsid, multipathd); without it the image's own programs run, which reach no node daemon.
   * @default false
   */
  readonly nodeTools?: boolean;
  /**
   * Attach the image volumes through multipath (cinder_use_multipath), which needs the node's
   * multipathd: set nodeTools too.
   * @default false
   */
  readonly useMultipath?: boolean;
  /**
   * Secret key that holds the Cinder user's password (cinder_store_password). It reaches Glance
   * as an environment variable, never in a file.
   * @default - keystone.passwordSecret
   */
  readonly passwordSecret?: SecretKeySelector;
  /**
   * Keystone user of the store.
   * @default - keystone.username ("glance")
   */
  readonly user?: string;
  /**
   * Keystone project of the store user, which owns the image volumes.
   * @default - keystone.projectName ("service")
   */
  readonly projectName?: string;
  /**
   * `<service_type>:<service_name>:<interface>` of Cinder in the catalog (cinder_catalog_info).
   * @default "volumev3::internalURL"
   */
  readonly catalogInfo?: string;
  /**
   * Cinder volume type of the image volumes (cinder_volume_type).
   * @default - Cinder's default volume type
   */
  readonly volumeType?: string;
  /**
   * store_description, shown by GET /v2/info/stores.
   * @default "Cinder backend"
   */
  readonly description?: string;
}

