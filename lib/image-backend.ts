import { Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { GlanceValidationError } from './errors';
import { checkLine, checkNamePart, checkSecretKey, HOST } from './names';
import { FILE_STORE_DIR, GLANCE_UID, glanceLabels, SECRET_MODE } from './pod-security';
import { parseStorageSize } from './quantity';
import { StoreConfig, StoreContext } from './store-context';
import { mergePodParts, StorePodParts } from './store-pod-parts';
import { SecretKeySelector } from './types';

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
  /** The S3 endpoint: "https://s3.example.com", "http://rgw.ceph.svc:8080" or "host[:port]" (http). */
  readonly host: string;
  /** The bucket of the images. */
  readonly bucket: string;
  /** Secret key that holds the S3 access key. It reaches Glance as an environment variable, never in a file. */
  readonly accessKeySecret: SecretKeySelector;
  /** Secret key that holds the S3 secret key. It reaches Glance as an environment variable, never in a file. */
  readonly secretKeySecret: SecretKeySelector;
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

/** Several stores at once (Glance's multi-store), one of them the default. */
export interface MultiBackendOptions {
  /**
   * The stores by name. Each name is a glance.conf section and a store id of the image API
   * (GET /v2/info/stores, the "stores" of an import): lower-case letters, digits, "_" and "-",
   * starting with a letter. Each store is a single store (ImageBackend.file(), rbd(), swift(),
   * s3() or cinder()); at most one file store.
   */
  readonly stores: { [name: string]: ImageBackend };
  /** The name of the store new images go to (glance_store default_backend). */
  readonly defaultStore: string;
}

/** How errors name the backend prop. */
const BACKEND = 'backend';
/** The section of a deployment's only store, as the glance-operator names it. */
const SINGLE_STORE = 'default_backend';
/** Where stores mount files of their own (the S3 CA bundle), one directory per store. */
const STORE_FILES_DIR = '/etc/glance/stores';
/** Where Ceph's files are: <cluster>.conf and the keyrings. */
const CEPH_DIR = '/etc/ceph';

/**
 * Glance's image store, or several. Each kind of store renders itself: its glance.conf section,
 * the volumes and environment its replicas need, and the objects and checks it needs at the
 * deployment level. Adding a store touches this file only.
 */
export abstract class ImageBackend {
  /** The file store, at /var/lib/glance/images. */
  public static file(options: FileBackendOptions = {}): ImageBackend {
    return new FileBackend(options);
  }

  /** Ceph RBD; images are shared by every replica through the Ceph cluster. */
  public static rbd(options: RbdBackendOptions): ImageBackend {
    return new RbdBackend(options);
  }

  /**
   * Swift, authenticated with Keystone v3 against the deployment's Keystone as `<project>:<user>`.
   * The key reaches Glance from its Secret as an environment variable. Glance records the user and
   * key in every image location of this store, so no API of the deployment shows image locations.
   */
  public static swift(options: SwiftBackendOptions = {}): ImageBackend {
    return new SwiftBackend(options);
  }

  /**
   * An S3 bucket. The access and secret keys reach Glance from their Secrets as environment
   * variables. Glance records them in every image location of this store, so no API of the
   * deployment shows image locations.
   */
  public static s3(options: S3BackendOptions): ImageBackend {
    return new S3Backend(options);
  }

  /**
   * Cinder volumes. Needs allowPrivilegedAttach: attaching a volume takes root and the node's
   * devices (see CinderBackendOptions.allowPrivilegedAttach).
   */
  public static cinder(options: CinderBackendOptions = {}): ImageBackend {
    return new CinderBackend(options);
  }

  /** Several stores at once, such as two Ceph clusters and Swift; new images go to defaultStore. */
  public static multi(options: MultiBackendOptions): ImageBackend {
    return new MultiBackend(options);
  }

  /** True when every replica sees the same images without further volumes. */
  public abstract readonly isShared: boolean;

  /**
   * Whether the store's image locations serve the other services (Nova and Cinder clone from
   * Ceph), so that internal APIs show them and a deployment is split by default (OSSN-0090).
   * @internal
   */
  public abstract readonly _locationsServeClones: boolean;

  /**
   * Whether Glance writes credentials into the store's image locations (swift and s3 with their
   * credentials in glance.conf), so that no API may show locations.
   * @internal
   */
  public abstract readonly _locationsHoldCredentials: boolean;

  /**
   * Checks the options, naming each prop under "backend". Called once per deployment, before
   * anything else is asked of the backend.
   * @internal
   */
  public abstract _validate(): void;

  /**
   * What the backend writes into glance.conf.
   * @internal
   */
  public abstract _config(context: StoreContext): StoreConfig;

  /**
   * The options the backend writes, as "section.option", each with the prop that sets it:
   * customServiceConfig may not set them.
   * @internal
   */
  public abstract _managedOptions(): Record<string, string>;

  /**
   * Volumes, mounts and environment every API replica needs for the backend.
   * @internal
   */
  public abstract _podParts(context: StoreContext): StorePodParts;

  /**
   * Checks the whole deployment's replica count against the store.
   * @internal
   */
  public abstract _checkDeployment(totalReplicas: number, statefulSets: number): void;

  /**
   * Creates the deployment-level objects the store needs (a shared claim), and returns the user's
   * Secrets it names, by prop, for Glance to check against its own.
   * @internal
   */
  public abstract _bindDeployment(scope: Construct, glanceName: string): Record<string, string>;

  /**
   * Checks one API StatefulSet against the store.
   * @internal
   */
  public abstract _checkApi(path: string, replicas: number, stateIsEphemeral: boolean): void;
}

/**
 * One store: its type, its section's options, its volumes, and the options it gives Glance
 * through environment variables from Secrets. A deployment with one store names its section
 * "default_backend"; ImageBackend.multi() names each by its key.
 */
abstract class Store<Options = unknown> extends ImageBackend {
  /** The store type in enabled_backends. */
  public abstract readonly type: string;
  public readonly _locationsServeClones: boolean = false;
  public readonly _locationsHoldCredentials: boolean = false;

  /** A directory of the pod only one store of a deployment can own, if any. */
  public readonly ownDir?: string;

  /** The options as given: checked by validate() before anything reads them. */
  constructor(protected readonly opts: Options) {
    super();
  }

  /** Every store but an unshared file store is the same for every replica. */
  public get isShared(): boolean {
    return true;
  }

  /** Checks the options; `path` names the store's prop ("backend", "backend.stores.<name>"). */
  public abstract validate(path: string): void;

  /** The options of the store's section, without the ones that come from Secrets. */
  public abstract options(context: StoreContext, section: string): Record<string, string | boolean>;

  /** Options set from Secrets, through oslo.config's environment variables OS_<SECTION>__<OPTION>. */
  public secretOptions(_context: StoreContext): Record<string, SecretKeySelector> {
    return {};
  }

  /** Every option the store manages, with the prop (under `path`) that sets it. */
  public abstract managedOptions(path: string): Record<string, string>;

  /** The store's own volumes and mounts in the glance-api container. */
  public volumes(_context: StoreContext, _section: string): StorePodParts {
    return { volumes: [], mounts: [] };
  }

  public checkDeployment(_path: string, _totalReplicas: number, _statefulSets: number): void {}

  /** Creates the deployment-level objects; returns the user's Secrets the store names, by prop. */
  public abstract bind(scope: Construct, glanceName: string, path: string): Record<string, string>;

  public podParts(context: StoreContext, section: string): StorePodParts {
    const own = this.volumes(context, section);
    const env = Object.entries(this.secretOptions(context)).map(([option, ref]) => ({
      name: storeEnvName(section, option),
      valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } },
    }));
    return env.length ? { ...own, env } : own;
  }

  public managed(section: string, path: string): Record<string, string> {
    return Object.fromEntries(Object.entries(this.managedOptions(path)).map(([option, prop]) => [`${section}.${option}`, prop]));
  }

  public _validate(): void {
    this.validate(BACKEND);
  }

  public _config(context: StoreContext): StoreConfig {
    return {
      enabledBackends: `${SINGLE_STORE}:${this.type}`,
      defaultBackend: SINGLE_STORE,
      sections: { [SINGLE_STORE]: this.options(context, SINGLE_STORE) },
    };
  }

  public _managedOptions(): Record<string, string> {
    return this.managed(SINGLE_STORE, BACKEND);
  }

  public _podParts(context: StoreContext): StorePodParts {
    return this.podParts(context, SINGLE_STORE);
  }

  public _checkDeployment(totalReplicas: number, statefulSets: number): void {
    this.checkDeployment(BACKEND, totalReplicas, statefulSets);
  }

  public _bindDeployment(scope: Construct, glanceName: string): Record<string, string> {
    return this.bind(scope, glanceName, BACKEND);
  }

  public _checkApi(_path: string, _replicas: number, _stateIsEphemeral: boolean): void {}
}

/** oslo.config's environment source: OS_<GROUP>__<OPTION>, both upper-cased. */
function storeEnvName(section: string, option: string): string {
  return `OS_${section.toUpperCase()}__${option.toUpperCase()}`;
}

/** A JavaScript caller may pass anything: only a plain object is an options object. */
function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkOptionsObject(path: string, options: unknown, factory: string, example: string): void {
  if (!isObject(options)) {
    throw new GlanceValidationError(path, options, `is ImageBackend.${factory}() without its options`, `give ${example}`);
  }
}

function checkDescription(path: string, description: unknown): void {
  if (description !== undefined) checkLine(`${path}.description`, description, 'use a single line of text');
}

/** A Keystone name that may not hold ":" either (Swift's "<project>:<user>"). */
function checkKeystoneName(prop: string, value: unknown): void {
  if (value === undefined) return;
  checkLine(prop, value, 'use a single-line Keystone name');
  if ((value as string).includes(':')) throw new GlanceValidationError(prop, value, 'contains ":"', 'use a Keystone name without ":" (Glance splits "<project>:<user>" there)');
}

function checkOneOf(prop: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    throw new GlanceValidationError(prop, value, `is not one of ${allowed.join(', ')}`, `use one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
}

class FileBackend extends Store<FileBackendOptions> {
  public readonly type = 'file';

  public get isShared(): boolean {
    return isObject(this.opts) && this.opts.sharedStore !== undefined;
  }

  public readonly ownDir = FILE_STORE_DIR;

  public validate(path: string): void {
    checkOptionsObject(path, this.opts, 'file', 'nothing, or an object such as { sharedStore: { storageClass: "nfs-client" } }');
    checkDescription(path, this.opts.description);
    const shared = this.opts.sharedStore;
    if (shared === undefined) return;
    const prop = `${path}.sharedStore`;
    if (!isObject(shared) || (shared.existingClaimName === undefined && shared.storageClass === undefined && shared.nfs === undefined)) {
      throw new GlanceValidationError(prop, shared, 'names neither an existing claim, a storage class nor an NFS export',
        'set sharedStore.existingClaimName to a ReadWriteMany claim, sharedStore.storageClass to an NFS (ReadWriteMany) storage class, or sharedStore.nfs to { server, path }');
    }
    if (shared.existingClaimName !== undefined) checkNamePart(`${prop}.existingClaimName`, shared.existingClaimName);
    if (shared.storageRequest !== undefined) parseStorageSize(`${prop}.storageRequest`, shared.storageRequest);
    if (shared.nfs !== undefined) {
      if (shared.existingClaimName !== undefined || shared.storageClass !== undefined) {
        throw new GlanceValidationError(`${prop}.nfs`, shared.nfs, 'is given together with existingClaimName or storageClass', 'give the shared store one way: an NFS export, a claim, or a storage class');
      }
      checkNfs(`${prop}.nfs`, shared.nfs);
    }
  }

  public options(): Record<string, string> {
    return { filesystem_store_datadir: FILE_STORE_DIR, store_description: this.opts.description ?? 'File backend' };
  }

  public managedOptions(path: string): Record<string, string> {
    return { filesystem_store_datadir: `${path} (ImageBackend.file() mounts the store at ${FILE_STORE_DIR})`, store_description: `${path}.description` };
  }

  public volumes(context: StoreContext): StorePodParts {
    const shared = this.opts.sharedStore;
    if (!shared) return { volumes: [], mounts: [] };
    return {
      volumes: [{ name: 'images', persistentVolumeClaim: { claimName: shared.existingClaimName ?? `${context.glanceName}-images` } }],
      mounts: [{ name: 'images', mountPath: FILE_STORE_DIR }],
    };
  }

  public checkDeployment(path: string, totalReplicas: number, statefulSets: number): void {
    if (!this.isShared && totalReplicas > 1) {
      throw new GlanceValidationError(path, `file store, ${totalReplicas} replicas in ${statefulSets} StatefulSet(s)`,
        'gives each replica its own file store, so replicas cannot serve each other\'s images',
        'use ImageBackend.file({ sharedStore: { storageClass: "<an NFS/ReadWriteMany class>" } }), or ImageBackend.rbd()');
    }
  }

  public bind(scope: Construct, glanceName: string): Record<string, string> {
    const shared = this.opts.sharedStore;
    if (!shared || shared.existingClaimName !== undefined) return {};
    const claimName = `${glanceName}-images`;
    const storage = k8s.Quantity.fromString(shared.storageRequest ?? '100Gi');
    // An NFS export gets a PersistentVolume of its own, pre-bound both ways: the claim names the
    // volume, the volume (where the namespace is known) the claim, and its empty class keeps
    // dynamic provisioning and other claims away. PersistentVolumes are cluster-wide: the name
    // carries the namespace.
    const namespace = Chart.of(scope).namespace;
    const volumeName = shared.nfs && (namespace ? `${namespace}-${claimName}` : claimName);
    if (shared.nfs) {
      const volume = new k8s.KubePersistentVolume(scope, 'images-nfs', {
        metadata: { name: volumeName, labels: glanceLabels('image-store') },
        spec: {
          accessModes: ['ReadWriteMany'],
          capacity: { storage },
          nfs: { server: shared.nfs.server, path: shared.nfs.path },
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: '',
          claimRef: namespace ? { namespace, name: claimName } : undefined,
        },
      });
      // Cluster-wide: not in the namespace cdk8s gives every object of the chart.
      if (namespace) volume.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
    new k8s.KubePersistentVolumeClaim(scope, 'images', {
      metadata: { name: claimName, labels: glanceLabels('image-store') },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: shared.nfs ? '' : shared.storageClass,
        volumeName,
        resources: { requests: { storage } },
      },
    });
    return {};
  }

  public _checkApi(path: string, replicas: number, stateIsEphemeral: boolean): void {
    if (!this.isShared && (replicas > 1 || stateIsEphemeral)) {
      throw new GlanceValidationError(`${path}.replicas`, replicas,
        stateIsEphemeral ? 'keeps file-store images in an emptyDir (storage.external)' : 'runs several replicas on a file store that is not shared',
        'give ImageBackend.file({ sharedStore: ... }) a ReadWriteMany (NFS) claim or storage class, or use ImageBackend.rbd()');
    }
  }
}

function checkNfs(prop: string, nfs: unknown): void {
  if (!isObject(nfs)) throw new GlanceValidationError(prop, nfs, 'is not an NFS export', 'give { server: "nfs.example.com", path: "/exports/glance" }');
  if (typeof nfs.server !== 'string' || !HOST.test(nfs.server)) {
    throw new GlanceValidationError(`${prop}.server`, nfs.server, 'is not a host name or IP address', 'use e.g. "nfs.example.com" or "192.0.2.5"');
  }
  if (typeof nfs.path !== 'string' || !/^\/[^\s\0]*$/.test(nfs.path) || nfs.path.split('/').includes('..')) {
    throw new GlanceValidationError(`${prop}.path`, nfs.path, 'is not an absolute export path', 'use e.g. "/exports/glance", without spaces or ".."');
  }
}

/** A Ceph name: pools, users and clusters. */
const CEPH_NAME = /^[A-Za-z0-9_.-]+$/;

class RbdBackend extends Store<RbdBackendOptions> {
  public readonly type = 'rbd';
  public readonly _locationsServeClones = true;

  public validate(path: string): void {
    checkOptionsObject(path, this.opts, 'rbd', 'at least { cephSecretName: "<Secret with ceph.conf and the keyring>" }');
    const { cephSecretName, cephSecretNames } = this.opts;
    if (cephSecretNames === undefined || cephSecretName !== undefined) checkNamePart(`${path}.cephSecretName`, cephSecretName!);
    if (cephSecretNames !== undefined) {
      if (!Array.isArray(cephSecretNames) || (cephSecretNames.length === 0 && cephSecretName === undefined)) {
        throw new GlanceValidationError(`${path}.cephSecretNames`, cephSecretNames, 'is not a list of Secret names',
          'list the Secrets to project into /etc/ceph, e.g. ["ceph-conf-az0", "ceph-conf-az1"]');
      }
      cephSecretNames.forEach((name, i) => checkNamePart(`${path}.cephSecretNames[${i}]`, name));
    }
    for (const key of ['pool', 'user'] as const) {
      const value = this.opts[key];
      if (value !== undefined && (typeof value !== 'string' || !CEPH_NAME.test(value))) {
        throw new GlanceValidationError(`${path}.${key}`, value, 'is not a Ceph name', 'use letters, digits, "_", "-" and "."');
      }
    }
    const cluster = this.opts.cluster;
    if (cluster !== undefined && (typeof cluster !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cluster))) {
      throw new GlanceValidationError(`${path}.cluster`, cluster, 'is not a Ceph cluster name', 'use letters, digits, "_" and "-": Glance reads /etc/ceph/<cluster>.conf');
    }
    checkDescription(path, this.opts.description);
  }

  public options(): Record<string, string> {
    return {
      rbd_store_pool: this.opts.pool ?? 'images',
      rbd_store_user: this.opts.user ?? 'openstack',
      rbd_store_ceph_conf: `${CEPH_DIR}/${this.opts.cluster ?? 'ceph'}.conf`,
      store_description: this.opts.description ?? 'Ceph RBD backend',
    };
  }

  public managedOptions(path: string): Record<string, string> {
    return {
      rbd_store_pool: `${path}.pool`,
      rbd_store_user: `${path}.user`,
      rbd_store_ceph_conf: `${path}.cluster (the Ceph Secrets are mounted at ${CEPH_DIR})`,
      store_description: `${path}.description`,
    };
  }

  public volumes(): StorePodParts {
    const names = this.secretNames().map(([, name]) => name);
    const volume: k8s.Volume = names.length === 1
      ? { name: 'ceph', secret: { secretName: names[0], defaultMode: SECRET_MODE } }
      : { name: 'ceph', projected: { defaultMode: SECRET_MODE, sources: names.map((name) => ({ secret: { name } })) } };
    return { volumes: [volume], mounts: [{ name: 'ceph', mountPath: CEPH_DIR, readOnly: true }] };
  }

  public bind(_scope: Construct, _glanceName: string, path: string): Record<string, string> {
    return Object.fromEntries(this.secretNames(path));
  }

  /** The Ceph Secrets, each with its prop, without repeats. */
  private secretNames(path = BACKEND): Array<[string, string]> {
    const named: Array<[string, string]> = [
      ...(this.opts.cephSecretName !== undefined ? [[`${path}.cephSecretName`, this.opts.cephSecretName] as [string, string]] : []),
      ...(this.opts.cephSecretNames ?? []).map((name, i) => [`${path}.cephSecretNames[${i}]`, name] as [string, string]),
    ];
    return named.filter(([, name], i) => named.findIndex(([, other]) => other === name) === i);
  }
}

const ENDPOINT_TYPES = ['internalURL', 'publicURL', 'adminURL'] as const;

class SwiftBackend extends Store<SwiftBackendOptions> {
  public readonly type = 'swift';
  public readonly _locationsHoldCredentials = true;

  public validate(path: string): void {
    checkOptionsObject(path, this.opts, 'swift', 'nothing, or an object such as { container: "glance" }');
    if (this.opts.keySecret !== undefined) checkSecretKey(`${path}.keySecret`, this.opts.keySecret);
    checkKeystoneName(`${path}.user`, this.opts.user);
    checkKeystoneName(`${path}.projectName`, this.opts.projectName);
    const container = this.opts.container;
    if (container !== undefined && (typeof container !== 'string' || !/^[^/\s]{1,256}$/.test(container))) {
      throw new GlanceValidationError(`${path}.container`, container, 'is not a Swift container name', 'use up to 256 characters without "/" or white space');
    }
    if (this.opts.region !== undefined) checkLine(`${path}.region`, this.opts.region, 'use the region name of the Keystone catalog, e.g. "regionOne"');
    checkOneOf(`${path}.endpointType`, this.opts.endpointType, ENDPOINT_TYPES);
    checkDescription(path, this.opts.description);
  }

  public options(context: StoreContext): Record<string, string | boolean> {
    const region = this.opts.region ?? context.keystone.region;
    return {
      swift_store_auth_version: '3',
      swift_store_auth_address: context.keystone.authUrl,
      swift_store_user: `${this.opts.projectName ?? context.keystone.projectName}:${this.opts.user ?? context.keystone.username}`,
      swift_store_endpoint_type: this.opts.endpointType ?? 'internalURL',
      ...(region !== undefined ? { swift_store_region: region } : {}),
      swift_store_container: this.opts.container ?? 'glance',
      swift_store_create_container_on_put: true,
      store_description: this.opts.description ?? 'Swift backend',
    };
  }

  public secretOptions(context: StoreContext): Record<string, SecretKeySelector> {
    return { swift_store_key: this.opts.keySecret ?? context.keystone.passwordSecret };
  }

  public managedOptions(path: string): Record<string, string> {
    return {
      swift_store_auth_version: `${path} (Keystone v3)`,
      swift_store_auth_address: 'keystone.authUrl (the Swift store authenticates against the deployment\'s Keystone)',
      swift_store_user: `${path}.projectName and ${path}.user`,
      swift_store_key: `${path}.keySecret (the key reaches Glance from its Secret as an environment variable, never in a file)`,
      swift_store_endpoint_type: `${path}.endpointType`,
      swift_store_region: `${path}.region`,
      swift_store_container: `${path}.container`,
      swift_store_create_container_on_put: `${path} (the container is created on the first upload)`,
      swift_store_config_file: `${path} (the credentials come from glance.conf and the key's Secret)`,
      store_description: `${path}.description`,
    };
  }

  public bind(_scope: Construct, _glanceName: string, path: string): Record<string, string> {
    return this.opts.keySecret ? { [`${path}.keySecret.name`]: this.opts.keySecret.name } : {};
  }
}

class S3Backend extends Store<S3BackendOptions> {
  public readonly type = 's3';
  public readonly _locationsHoldCredentials = true;

  public validate(path: string): void {
    checkOptionsObject(path, this.opts, 's3',
      'at least { host: "https://s3.example.com", bucket: "glance", accessKeySecret: { name, key }, secretKeySecret: { name, key } }');
    const { host, bucket } = this.opts;
    // [scheme://]host[:port][/], as glance_store's s3 driver takes it (http without a scheme).
    const endpoint = typeof host === 'string' ? /^(?:https?:\/\/)?([^/:\s[\]]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?\/?$/.exec(host) : null;
    if (!endpoint || !HOST.test(endpoint[1]) || Number(endpoint[2]) < 1 || Number(endpoint[2]) > 65535) {
      throw new GlanceValidationError(`${path}.host`, host, 'is not an S3 endpoint', 'use e.g. "https://s3.example.com", "http://rgw.ceph.svc:8080" or "s3.example.com:8080"');
    }
    if (typeof bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new GlanceValidationError(`${path}.bucket`, bucket, 'is not an S3 bucket name', 'use 3 to 63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit');
    }
    checkSecretKey(`${path}.accessKeySecret`, this.opts.accessKeySecret);
    checkSecretKey(`${path}.secretKeySecret`, this.opts.secretKeySecret);
    if (this.opts.caCertSecret !== undefined) checkSecretKey(`${path}.caCertSecret`, this.opts.caCertSecret);
    const create = this.opts.createBucketOnPut;
    if (create !== undefined && typeof create !== 'boolean') {
      throw new GlanceValidationError(`${path}.createBucketOnPut`, create, 'is not a boolean', 'use true or false');
    }
    checkOneOf(`${path}.bucketUrlFormat`, this.opts.bucketUrlFormat, Object.values(S3BucketUrlFormat));
    checkDescription(path, this.opts.description);
  }

  public options(_context: StoreContext, section: string): Record<string, string | boolean> {
    return {
      s3_store_host: this.opts.host,
      s3_store_bucket: this.opts.bucket,
      s3_store_create_bucket_on_put: this.opts.createBucketOnPut ?? true,
      s3_store_bucket_url_format: this.opts.bucketUrlFormat ?? S3BucketUrlFormat.AUTO,
      ...(this.opts.caCertSecret ? { s3_store_cacert: `${STORE_FILES_DIR}/${section}/ca.crt` } : {}),
      store_description: this.opts.description ?? 'S3 backend',
    };
  }

  public secretOptions(): Record<string, SecretKeySelector> {
    return { s3_store_access_key: this.opts.accessKeySecret, s3_store_secret_key: this.opts.secretKeySecret };
  }

  public managedOptions(path: string): Record<string, string> {
    const fromSecret = 'reaches Glance from its Secret as an environment variable, never in a file';
    return {
      s3_store_host: `${path}.host`,
      s3_store_bucket: `${path}.bucket`,
      s3_store_create_bucket_on_put: `${path}.createBucketOnPut`,
      s3_store_bucket_url_format: `${path}.bucketUrlFormat`,
      s3_store_cacert: `${path}.caCertSecret`,
      s3_store_access_key: `${path}.accessKeySecret (the key ${fromSecret})`,
      s3_store_secret_key: `${path}.secretKeySecret (the key ${fromSecret})`,
      store_description: `${path}.description`,
    };
  }

  public volumes(_context: StoreContext, section: string): StorePodParts {
    const ca = this.opts.caCertSecret;
    if (!ca) return { volumes: [], mounts: [] };
    return {
      volumes: [{ name: 's3-ca', secret: { secretName: ca.name, defaultMode: SECRET_MODE, items: [{ key: ca.key, path: 'ca.crt' }] } }],
      mounts: [{ name: 's3-ca', mountPath: `${STORE_FILES_DIR}/${section}`, readOnly: true }],
    };
  }

  public bind(_scope: Construct, _glanceName: string, path: string): Record<string, string> {
    return {
      [`${path}.accessKeySecret.name`]: this.opts.accessKeySecret.name,
      [`${path}.secretKeySecret.name`]: this.opts.secretKeySecret.name,
      ...(this.opts.caCertSecret ? { [`${path}.caCertSecret.name`]: this.opts.caCertSecret.name } : {}),
    };
  }
}

/**
 * The glance-api container of a deployment with a Cinder store, opted in: glance_store's cinder
 * driver runs "sudo glance-rootwrap" and oslo.privsep's helper through it (so no no_new_privs),
 * and os-brick needs the node's devices. It still starts as the glance user, read-only.
 */
const PRIVILEGED_ATTACH_SECURITY: k8s.SecurityContext = {
  runAsNonRoot: true,
  runAsUser: GLANCE_UID,
  runAsGroup: GLANCE_UID,
  allowPrivilegeEscalation: true,
  privileged: true,
  readOnlyRootFilesystem: true,
};

/** The node's paths os-brick reads and writes to attach a volume, as the glance-operator mounts them for Cinder. */
const ATTACH_HOST_PATHS: Array<{ name: string; path: string; type: string; readOnly: boolean }> = [
  // Device nodes of attached volumes appear on the node's /dev after the container started.
  { name: 'host-dev', path: '/dev', type: 'Directory', readOnly: false },
  // SCSI rescans and device lookups.
  { name: 'host-sys', path: '/sys', type: 'Directory', readOnly: false },
  // The node's iSCSI initiator name and NVMe host NQN.
  { name: 'host-etc-iscsi', path: '/etc/iscsi', type: 'DirectoryOrCreate', readOnly: true },
  { name: 'host-etc-nvme', path: '/etc/nvme', type: 'DirectoryOrCreate', readOnly: false },
];

/** The versioned Keystone URL: glance_store's cinder driver gives it to keystoneauth's V3Password as is. */
function keystoneV3(authUrl: string): string {
  const url = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(url) ? url : `${url}/v3`;
}

class CinderBackend extends Store<CinderBackendOptions> {
  public readonly type = 'cinder';

  public validate(path: string): void {
    checkOptionsObject(path, this.opts, 'cinder', '{ allowPrivilegedAttach: true }');
    if (this.opts.allowPrivilegedAttach !== true) {
      throw new GlanceValidationError(`${path}.allowPrivilegedAttach`, this.opts.allowPrivilegedAttach,
        'is not true, and the Cinder store cannot work in a Pod Security "restricted" pod: Glance attaches each image volume to the API pod as root '
        + '(sudo glance-rootwrap and oslo.privsep, which no_new_privs stops) with the node\'s devices',
        'set allowPrivilegedAttach: true to run the glance-api containers privileged (README, "Storage"), or use another store');
    }
    if (this.opts.passwordSecret !== undefined) checkSecretKey(`${path}.passwordSecret`, this.opts.passwordSecret);
    checkKeystoneName(`${path}.user`, this.opts.user);
    checkKeystoneName(`${path}.projectName`, this.opts.projectName);
    const catalog = this.opts.catalogInfo;
    if (catalog !== undefined && (typeof catalog !== 'string' || !/^[^:\s]+:[^:\s]*:(publicURL|internalURL|adminURL)$/.test(catalog))) {
      throw new GlanceValidationError(`${path}.catalogInfo`, catalog, 'is not "<service_type>:<service_name>:<interface>"', 'use e.g. "volumev3::internalURL"');
    }
    if (this.opts.volumeType !== undefined) checkLine(`${path}.volumeType`, this.opts.volumeType, 'use the name of a Cinder volume type');
    checkDescription(path, this.opts.description);
  }

  public options(context: StoreContext): Record<string, string> {
    return {
      cinder_store_auth_address: keystoneV3(context.keystone.authUrl),
      cinder_store_user_name: this.opts.user ?? context.keystone.username,
      cinder_store_project_name: this.opts.projectName ?? context.keystone.projectName,
      cinder_store_user_domain_name: context.keystone.domainName,
      cinder_store_project_domain_name: context.keystone.domainName,
      cinder_catalog_info: this.opts.catalogInfo ?? 'volumev3::internalURL',
      ...(this.opts.volumeType !== undefined ? { cinder_volume_type: this.opts.volumeType } : {}),
      store_description: this.opts.description ?? 'Cinder backend',
    };
  }

  public secretOptions(context: StoreContext): Record<string, SecretKeySelector> {
    return { cinder_store_password: this.opts.passwordSecret ?? context.keystone.passwordSecret };
  }

  public managedOptions(path: string): Record<string, string> {
    return {
      cinder_store_auth_address: 'keystone.authUrl (the Cinder store authenticates against the deployment\'s Keystone)',
      cinder_store_user_name: `${path}.user`,
      cinder_store_project_name: `${path}.projectName`,
      cinder_store_user_domain_name: 'keystone.domainName',
      cinder_store_project_domain_name: 'keystone.domainName',
      cinder_store_password: `${path}.passwordSecret (the password reaches Glance from its Secret as an environment variable, never in a file)`,
      cinder_catalog_info: `${path}.catalogInfo`,
      cinder_volume_type: `${path}.volumeType`,
      store_description: `${path}.description`,
    };
  }

  public volumes(): StorePodParts {
    return {
      volumes: ATTACH_HOST_PATHS.map(({ name, path, type }) => ({ name, hostPath: { path, type } })),
      mounts: ATTACH_HOST_PATHS.map(({ name, path, readOnly }) => ({ name, mountPath: path, ...(readOnly ? { readOnly } : {}) })),
      securityContext: PRIVILEGED_ATTACH_SECURITY,
    };
  }

  public bind(_scope: Construct, _glanceName: string, path: string): Record<string, string> {
    return this.opts.passwordSecret ? { [`${path}.passwordSecret.name`]: this.opts.passwordSecret.name } : {};
  }
}

/**
 * Option groups of Glance and the libraries it loads (read from Glance 25 and 30 by the e2e
 * tier): a store named like one would share its section. Prefixes: Glance's reserved stores,
 * oslo and privsep groups.
 */
const RESERVED_STORE_NAMES = [
  'barbican', 'barbican_service_user', 'cinder', 'cors', 'database', 'default', 'file', 'glance_download_opts', 'glance_store',
  'healthcheck', 'image_conversion', 'image_format', 'image_import_opts', 'import_filtering_opts', 'inject_metadata_properties',
  'key_manager', 'keystone_authtoken', 'os_brick', 'paste_deploy', 'profiler', 'profiler_jaeger', 'profiler_otlp',
  'store_type_location_strategy', 'task', 'taskflow_executor', 'vault', 'wsgi',
];
const RESERVED_STORE_PREFIXES = ['os_glance_', 'oslo_', 'privsep'];

/** A store name: a glance.conf section, and the store id of the image API. */
function checkStoreName(prop: string, name: string): void {
  if (!/^[a-z][a-z0-9_-]{0,62}$/.test(name)) {
    throw new GlanceValidationError(prop, name, 'is not a store name', 'use up to 63 lower-case letters, digits, "_" and "-", starting with a letter');
  }
  if (RESERVED_STORE_NAMES.includes(name) || RESERVED_STORE_PREFIXES.some((prefix) => name.startsWith(prefix))) {
    throw new GlanceValidationError(prop, name, 'is the name of an option group of Glance or its libraries, whose section the store would share',
      'choose another name, e.g. "ceph0" or "swift0"');
  }
}

class MultiBackend extends ImageBackend {
  constructor(private readonly opts: MultiBackendOptions) {
    super();
  }

  public get isShared(): boolean {
    return this.stores().every(([, store]) => store.isShared);
  }

  public get _locationsHoldCredentials(): boolean {
    return this.stores().some(([, store]) => store._locationsHoldCredentials);
  }

  public get _locationsServeClones(): boolean {
    // Locations that hold credentials are never shown, so none serves a clone then.
    return !this._locationsHoldCredentials && this.stores().some(([, store]) => store._locationsServeClones);
  }

  public _validate(): void {
    checkOptionsObject(BACKEND, this.opts, 'multi', 'at least { stores: { ceph0: ImageBackend.rbd({ ... }), swift0: ImageBackend.swift() }, defaultStore: "ceph0" }');
    const stores = this.opts.stores;
    if (!isObject(stores) || Object.keys(stores).length === 0) {
      throw new GlanceValidationError(`${BACKEND}.stores`, stores, 'names no store', 'give the stores by name, e.g. { ceph0: ImageBackend.rbd({ ... }), swift0: ImageBackend.swift() }');
    }
    const owners = new Map<string, string>();
    for (const [name, store] of Object.entries(stores)) {
      const path = `${BACKEND}.stores.${name}`;
      checkStoreName(path, name);
      if (!(store instanceof Store)) {
        throw new GlanceValidationError(path, store instanceof MultiBackend ? 'ImageBackend.multi()' : store,
          store instanceof MultiBackend ? 'is ImageBackend.multi(), which does not nest' : 'is not an ImageBackend',
          'give a single store: ImageBackend.file(), rbd(), swift(), s3() or cinder()');
      }
      store.validate(path);
      const dir = store.ownDir;
      if (dir !== undefined) {
        if (owners.has(dir)) {
          throw new GlanceValidationError(path, name, `keeps its images in ${dir}, as store "${owners.get(dir)}" does`, 'keep one file store');
        }
        owners.set(dir, name);
      }
    }
    const defaultStore = this.opts.defaultStore;
    // Own stores only: "toString" is in every object.
    if (!Object.hasOwn(stores, defaultStore)) {
      throw new GlanceValidationError(`${BACKEND}.defaultStore`, defaultStore, 'names no store of stores',
        `use one of ${Object.keys(stores).map((n) => `"${n}"`).join(', ')}`);
    }
  }

  public _config(context: StoreContext): StoreConfig {
    const stores = this.stores();
    return {
      enabledBackends: stores.map(([name, store]) => `${name}:${store.type}`).join(','),
      defaultBackend: this.opts.defaultStore,
      sections: Object.fromEntries(stores.map(([name, store]) => [name, store.options(context, name)])),
    };
  }

  public _managedOptions(): Record<string, string> {
    return Object.assign({}, ...this.stores().map(([name, store]) => store.managed(name, `${BACKEND}.stores.${name}`)));
  }

  public _podParts(context: StoreContext): StorePodParts {
    return mergePodParts(this.stores().map(([name, store]) => [name, store.podParts(context, name)]));
  }

  public _checkDeployment(totalReplicas: number, statefulSets: number): void {
    for (const [name, store] of this.stores()) store.checkDeployment(`${BACKEND}.stores.${name}`, totalReplicas, statefulSets);
  }

  public _bindDeployment(scope: Construct, glanceName: string): Record<string, string> {
    return Object.assign({}, ...this.stores().map(([name, store]) => store.bind(scope, glanceName, `${BACKEND}.stores.${name}`)));
  }

  public _checkApi(path: string, replicas: number, stateIsEphemeral: boolean): void {
    for (const [, store] of this.stores()) store._checkApi(path, replicas, stateIsEphemeral);
  }

  /** The stores in the order given; empty until validated options say otherwise. */
  private stores(): Array<[string, Store]> {
    const stores = isObject(this.opts) && isObject(this.opts.stores) ? this.opts.stores : {};
    return Object.entries(stores).filter((entry): entry is [string, Store] => entry[1] instanceof Store);
  }
}
