import { ImagePullPolicy } from 'cdk8s-plus-28';
import { checkCustomServiceConfig, MANAGED_OPTIONS } from './config-guard';
import { GlanceValidationError } from './errors';
import { ImageBackend } from './image-backend';
import { IniSections } from './ini';
import { API_PORT, checkLine, checkNamePart, checkSecretKey, HTTP_URL } from './names';
import { checkNetworkPolicy, GlanceNetworkPolicyOptions } from './network-policy';
import { CACHE_LOCK_DIR, CONFIG_DIR, STATE_DIR, STATE_LOCK_DIR } from './pod-security';
import { ceilFraction, floorProduct, Fraction, parseStorageSize } from './quantity';
import { ResolvedKeystone, StoreContext } from './stores/context';
import { GlanceRelease, SecretKeySelector, StorageAccessMode } from './types';
import { checkWebDownload, importFilteringOptions, WebDownloadOptions } from './web-download';

const ONE: Fraction = { numerator: 1n, denominator: 1n };

/** The Glance database. The URL stays in a Secret and reaches Glance as an environment variable. */
export interface DatabaseOptions {
  /**
   * Secret key that holds the SQLAlchemy URL,
   * e.g. "mysql+pymysql://glance:PASSWORD@openstack.openstack.svc/glance".
   */
  readonly connectionSecret: SecretKeySelector;
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
   * @default - no region
   */
  readonly region?: string;
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
   * Pull policy of every container.
   * @default - IfNotPresent for an image pinned by digest ("...@sha256:..."), Always for a tag, which can move
   */
  readonly imagePullPolicy?: ImagePullPolicy;
}

export const DEFAULT_IMAGE = 'quay.io/podified-antelope-centos9/openstack-glance-api:current-podified';
export { API_PORT } from './names';

/** GlanceCommonProps, checked, with every default filled in. */
export type ResolvedCommonProps = Required<Omit<GlanceCommonProps, 'customServiceConfig' | 'webDownload' | 'limits' | 'networkPolicy'>>
  & GlanceCommonProps & {
    /** image_size_cap in bytes. */
    readonly imageSizeCapBytes: bigint;
    /** user_storage_quota in bytes; 0 for none. */
    readonly userStorageQuotaBytes: bigint;
    /** The staging volume (each replica's /var/lib/glance) as a quantity. */
    readonly stagingSize: string;
    /** What the image stores may read of the deployment. */
    readonly storeContext: StoreContext;
    /** Options customServiceConfig may not set: MANAGED_OPTIONS and those of the stores. */
    readonly managedOptions: Record<string, string>;
  };

/** The staging volume's size when storage.storageRequest is not given. */
export const DEFAULT_STORAGE_REQUEST = '10Gi';

/** Validates the shared props and fills in their defaults. */
export function resolveCommonProps(props: GlanceCommonProps): ResolvedCommonProps {
  // Glance resolves its props once and hands the same object to every API: validated once.
  const known = RESOLVED.get(props);
  if (known) return known;
  const resolved = resolveCommonPropsOnce(props);
  RESOLVED.set(props, resolved);
  return resolved;
}

const RESOLVED = new WeakMap<GlanceCommonProps, ResolvedCommonProps>();

function resolveCommonPropsOnce(props: GlanceCommonProps): ResolvedCommonProps {
  const name = props.name ?? 'glance';
  checkNamePart('name', name);
  const image = props.image ?? DEFAULT_IMAGE;
  if (typeof image !== 'string' || image === '' || /\s/.test(image)) {
    throw new GlanceValidationError('image', image, 'is not a container image reference', 'use e.g. "registry.example/glance-api:2023.1"');
  }
  const release = props.release ?? GlanceRelease.ANTELOPE;
  if (!(release instanceof GlanceRelease)) {
    throw new GlanceValidationError('release', release, 'is not a GlanceRelease', 'use a constant such as GlanceRelease.EPOXY, or GlanceRelease.of("2025.1")');
  }
  checkSecretKey('database.connectionSecret', props.database?.connectionSecret);
  checkKeystone(props.keystone);
  const backend = props.backend ?? ImageBackend.file();
  // Duck-typed: a backend from another copy of this package is as good. Its factory checked its options.
  if (typeof (backend as any)._config !== 'function') {
    throw new GlanceValidationError('backend', backend, 'is not an ImageBackend', 'use ImageBackend.file(), rbd(), swift(), s3(), cinder() or multi()');
  }
  const managedOptions = { ...MANAGED_OPTIONS, ...backend._managedOptions() };
  const storage = props.storage ?? {};
  const stagingSize = storage.storageRequest ?? DEFAULT_STORAGE_REQUEST;
  const staging = parseStorageSize('storage.storageRequest', stagingSize);
  if (storage.storageClass !== undefined) checkNamePart('storage.storageClass', storage.storageClass);
  const substitution = props.customServiceConfigSubstitution ?? false;
  if (typeof substitution !== 'boolean') {
    throw new GlanceValidationError('customServiceConfigSubstitution', substitution, 'is not a boolean', 'use true or false');
  }
  if (props.customServiceConfig !== undefined) checkCustomServiceConfig('customServiceConfig', props.customServiceConfig, managedOptions, substitution);
  if (props.webDownload !== undefined) checkWebDownload(props.webDownload);
  const { imageSizeCapBytes, userStorageQuotaBytes } = resolveLimits(props.limits, stagingSize, staging);
  checkNetworkPolicy(props.networkPolicy);
  const imagePullPolicy = props.imagePullPolicy ?? (/@sha256:[0-9a-f]{64}$/.test(image) ? ImagePullPolicy.IF_NOT_PRESENT : ImagePullPolicy.ALWAYS);
  if (!Object.values(ImagePullPolicy).includes(imagePullPolicy)) {
    throw new GlanceValidationError('imagePullPolicy', imagePullPolicy, 'is not a pull policy', 'use an ImagePullPolicy value');
  }
  return {
    ...props,
    name,
    image,
    release,
    backend,
    storage,
    behindTlsProxy: props.behindTlsProxy ?? false,
    customServiceConfigSubstitution: substitution,
    imagePullPolicy,
    imageSizeCapBytes,
    userStorageQuotaBytes,
    stagingSize,
    storeContext: { glanceName: name, keystone: resolveKeystone(props.keystone) },
    managedOptions,
  };
}

/** KeystoneOptions with every default filled in, as keystone_authtoken and the stores use them. */
function resolveKeystone(keystone: KeystoneOptions): ResolvedKeystone {
  const domainName = keystone.domainName ?? 'Default';
  return {
    authUrl: keystone.authUrl,
    publicAuthUrl: keystone.publicAuthUrl ?? keystone.authUrl,
    username: keystone.username ?? 'glance',
    projectName: keystone.projectName ?? 'service',
    domainName,
    ...(keystone.region ? { region: keystone.region } : {}),
    passwordSecret: keystone.passwordSecret,
  };
}

/** The staging volume bounds what one upload may stage: the cap stays below it. */
function resolveLimits(limits: UploadLimitOptions | undefined, stagingSize: string, staging: Fraction)
  : { imageSizeCapBytes: bigint; userStorageQuotaBytes: bigint } {
  const stagingBytes = floorProduct(staging, ONE);
  const cap = limits?.imageSizeCap;
  const imageSizeCapBytes = cap !== undefined ? ceilFraction(parseStorageSize('limits.imageSizeCap', cap))
    : floorProduct(staging, { numerator: 9n, denominator: 10n });
  // The default cap, 90 % of the staging volume in whole bytes, must be a byte at least and below it.
  if (cap === undefined && (imageSizeCapBytes < 1n || imageSizeCapBytes >= stagingBytes)) {
    throw new GlanceValidationError('storage.storageRequest', stagingSize, 'leaves no room to stage an image under the default cap (90 % of it, in whole bytes)',
      'use a size such as "10Gi"');
  }
  if (imageSizeCapBytes >= stagingBytes) {
    throw new GlanceValidationError('limits.imageSizeCap', cap, `is not below the staging volume (storage.storageRequest ${stagingSize})`,
      'lower limits.imageSizeCap, or raise storage.storageRequest above it: an import is staged whole on that volume');
  }
  const userStorageQuotaBytes = limits?.userStorageQuota === undefined ? 0n : ceilFraction(parseStorageSize('limits.userStorageQuota', limits.userStorageQuota));
  return { imageSizeCapBytes, userStorageQuotaBytes };
}


function checkKeystone(keystone: KeystoneOptions | undefined): void {
  if (!keystone) throw new GlanceValidationError('keystone', keystone, 'is required', 'give authUrl and passwordSecret');
  for (const [prop, url] of [['keystone.authUrl', keystone.authUrl], ['keystone.publicAuthUrl', keystone.publicAuthUrl]]) {
    // authUrl is required (JavaScript and the CR reader's options can leave it out); publicAuthUrl defaults to it.
    if ((url !== undefined || prop === 'keystone.authUrl') && (typeof url !== 'string' || !HTTP_URL.test(url))) {
      throw new GlanceValidationError(prop!, url, 'is not an http(s) URL', 'use e.g. "http://keystone-internal.openstack.svc:5000"');
    }
  }
  checkSecretKey('keystone.passwordSecret', keystone.passwordSecret);
  for (const key of ['username', 'projectName', 'domainName', 'region'] as const) {
    if (keystone[key] !== undefined) checkLine(`keystone.${key}`, keystone[key], 'use a single-line Keystone name');
  }
}

/** The generated glance.conf every process of one API reads: API, jobs and db tools. */
/** What differs between the config files of one API StatefulSet and those of the db tools. */
export interface ServiceConfigOptions {
  /** glance-api worker processes. */
  readonly workers: number;
  /** The cache's [DEFAULT] options, when the API has a cache. */
  readonly cacheOptions?: Record<string, string>;
  /** show_image_direct_url: whether users see where the store keeps each image (OSSN-0090). */
  readonly showImageDirectUrl: boolean;
}

/** The generated glance.conf every process of one API reads: API, jobs and db tools. */
export function baseServiceConfig(common: ResolvedCommonProps, options: ServiceConfigOptions): IniSections {
  const keystone = common.storeContext.keystone;
  const stores = common.backend._config(common.storeContext);
  const web = common.webDownload;
  const { cacheOptions } = options;
  return {
    DEFAULT: {
      bind_host: '0.0.0.0',
      bind_port: API_PORT,
      workers: options.workers,
      enabled_backends: stores.enabledBackends,
      // web-download makes Glance fetch user-given URLs: only with an allow-list (SSRF).
      enabled_import_methods: web ? '[glance-direct,web-download,copy-image]' : '[glance-direct,copy-image]',
      show_image_direct_url: options.showImageDirectUrl,
      // Imports are staged whole on the replica's /var/lib/glance volume: the cap stays below it.
      image_size_cap: common.imageSizeCapBytes.toString(),
      user_storage_quota: common.userStorageQuotaBytes.toString(),
      ...cacheOptions,
    },
    glance_store: { default_backend: stores.defaultBackend },
    ...stores.sections,
    os_glance_staging_store: { filesystem_store_datadir: `${STATE_DIR}/staging` },
    os_glance_tasks_store: { filesystem_store_datadir: `${STATE_DIR}/tasks_work_dir` },
    ...(web ? { import_filtering_opts: importFilteringOptions(web) } : {}),
    keystone_authtoken: {
      www_authenticate_uri: keystone.publicAuthUrl,
      auth_url: keystone.authUrl,
      auth_type: 'password',
      username: keystone.username,
      project_name: keystone.projectName,
      user_domain_name: keystone.domainName,
      project_domain_name: keystone.domainName,
      ...(keystone.region ? { region_name: keystone.region } : {}),
    },
    oslo_policy: {
      policy_file: `${CONFIG_DIR}/policy.yaml`,
      // As the glance-operator sets them, from its first release (Antelope) on: the new RBAC defaults, scope checked.
      ...(common.release.isAtLeast(GlanceRelease.ANTELOPE) ? { enforce_new_defaults: true, enforce_scope: true } : {}),
    },
    oslo_middleware: { enable_proxy_headers_parsing: common.behindTlsProxy },
    paste_deploy: { flavor: cacheOptions ? 'keystone+caching' : 'keystone' },
    // Every pod that runs Glance code mounts a writable volume at its lock_path (pod-security.ts).
    oslo_concurrency: { lock_path: cacheOptions ? CACHE_LOCK_DIR : STATE_LOCK_DIR },
  };
}

/** Renders oslo.policy rules as YAML (JSON strings are valid YAML scalars). */
export function renderPolicy(rules: Record<string, string>): string {
  const lines = Object.entries(rules).map(([rule, check]) => `${JSON.stringify(rule)}: ${JSON.stringify(check)}`);
  return lines.length ? lines.join('\n') + '\n' : '{}\n';
}
