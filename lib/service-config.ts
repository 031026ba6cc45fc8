import { GlanceValidationError } from './errors';
import { ImageBackend, ImageBackendType } from './image-backend';
import { IniSections, parseIni } from './ini';
import { checkNamePart } from './names';
import { CACHE_LOCK_DIR, CONFIG_DIR, STATE_DIR, STATE_LOCK_DIR } from './pod-security';
import { parseStorageSize } from './quantity';
import { GlanceRelease, SecretKeySelector, StorageAccessMode } from './types';

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
   * cdk8s-glance manages (cache, database, bind port, paste flavor, policy file).
   * @default - none
   */
  readonly customServiceConfig?: string;
}

/**
 * Every GlanceRelease by lower-case name. The enum object itself also maps numbers back to
 * names ("CARACAL"), which must never pass for a release.
 */
export const GLANCE_RELEASES: ReadonlyMap<string, GlanceRelease> = new Map(Object.entries(GlanceRelease)
  .filter((entry): entry is [string, GlanceRelease] => typeof entry[1] === 'number')
  .map(([name, value]) => [name.toLowerCase(), value]));

export const DEFAULT_IMAGE = 'quay.io/podified-antelope-centos9/openstack-glance-api:current-podified';
export const API_PORT = 9292;

/** GlanceCommonProps, checked, with every default filled in. */
export type ResolvedCommonProps = Required<Omit<GlanceCommonProps, 'customServiceConfig'>> & GlanceCommonProps;

/** Validates the shared props and fills in their defaults. */
export function resolveCommonProps(props: GlanceCommonProps): ResolvedCommonProps {
  const name = props.name ?? 'glance';
  checkNamePart('name', name);
  const image = props.image ?? DEFAULT_IMAGE;
  if (typeof image !== 'string' || image === '' || /\s/.test(image)) {
    throw new GlanceValidationError('image', image, 'is not a container image reference', 'use e.g. "registry.example/glance-api:2023.1"');
  }
  const release = props.release ?? GlanceRelease.ANTELOPE;
  if (![...GLANCE_RELEASES.values()].includes(release)) {
    throw new GlanceValidationError('release', release, 'is not a supported release', 'use a GlanceRelease value (YOGA or later)');
  }
  checkSecretKey('database.connectionSecret', props.database?.connectionSecret);
  checkKeystone(props.keystone);
  const storage = props.storage ?? {};
  if (storage.storageRequest !== undefined) parseStorageSize('storage.storageRequest', storage.storageRequest);
  if (storage.storageClass !== undefined) checkNamePart('storage.storageClass', storage.storageClass);
  if (props.customServiceConfig !== undefined) checkCustomServiceConfig('customServiceConfig', props.customServiceConfig);
  return { ...props, name, image, release, backend: props.backend ?? ImageBackend.file(), storage };
}

function checkSecretKey(prop: string, ref: SecretKeySelector | undefined): void {
  if (!ref) throw new GlanceValidationError(prop, ref, 'is required', 'name the Secret and key, e.g. { name: "glance-db", key: "connection" }');
  checkNamePart(`${prop}.name`, ref.name);
  if (typeof ref.key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(ref.key)) {
    throw new GlanceValidationError(`${prop}.key`, ref.key, 'is not a valid Secret key', 'use letters, digits, "-", "_" and "."');
  }
}

function checkKeystone(keystone: KeystoneOptions | undefined): void {
  if (!keystone) throw new GlanceValidationError('keystone', keystone, 'is required', 'give authUrl and passwordSecret');
  for (const [prop, url] of [['keystone.authUrl', keystone.authUrl], ['keystone.publicAuthUrl', keystone.publicAuthUrl]]) {
    if (url !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url)) {
      throw new GlanceValidationError(prop!, url, 'is not an http(s) URL', 'use e.g. "http://keystone-internal.openstack.svc:5000"');
    }
  }
  checkSecretKey('keystone.passwordSecret', keystone.passwordSecret);
  for (const key of ['username', 'projectName', 'domainName', 'region'] as const) {
    const value = keystone[key];
    if (value !== undefined && (value.trim() === '' || /[\r\n\0]/.test(value))) {
      throw new GlanceValidationError(`keystone.${key}`, value, 'is empty or spans lines', 'use a single-line Keystone name');
    }
  }
}

/** Options cdk8s-glance writes itself, and the prop that sets each instead. */
const MANAGED_OPTIONS: Record<string, string> = {
  'DEFAULT.image_cache_dir': 'the cache volume mount (fixed at /var/lib/glance/image-cache)',
  'DEFAULT.image_cache_max_size': 'imageCache.size and imageCache.maxSizeRatio',
  'DEFAULT.image_cache_stall_time': 'imageCache.stallTime',
  'DEFAULT.image_cache_driver': 'imageCache.driver',
  'DEFAULT.worker_self_reference_url': 'nothing: each replica sets it to its own hostname at start',
  'DEFAULT.bind_port': 'nothing: probes and Services use 9292',
  'DEFAULT.enabled_backends': 'backend (ImageBackend.file() or ImageBackend.rbd(), which also mounts what the store needs)',
  'glance_store.default_backend': 'backend (ImageBackend.file() or ImageBackend.rbd())',
  'database.connection': 'database.connectionSecret',
  'keystone_authtoken.password': 'keystone.passwordSecret',
  'paste_deploy.flavor': 'imageCache (the flavor follows whether the cache is on)',
  'oslo_policy.policy_file': 'imageCache.policy',
  // Directories Glance writes: each must lie on a writable volume of every pod that reads it.
  'oslo_concurrency.lock_path': 'nothing: locks go on the cache volume, or the state volume without a cache',
  'DEFAULT.log_dir': 'nothing: the root filesystem is read-only; Glance logs to stderr, which Kubernetes collects',
  'DEFAULT.log_file': 'nothing: the root filesystem is read-only; Glance logs to stderr, which Kubernetes collects',
  'os_glance_staging_store.filesystem_store_datadir': 'storage (staging lives on each replica\'s /var/lib/glance volume)',
  'os_glance_tasks_store.filesystem_store_datadir': 'storage (tasks live on each replica\'s /var/lib/glance volume)',
  'task.work_dir': 'storage (tasks live on each replica\'s /var/lib/glance volume)',
  'default_backend.filesystem_store_datadir': 'backend (ImageBackend.file() mounts the store at /var/lib/glance/images)',
};

/** Rejects custom ini that is malformed or overrides what the library manages. */
export function checkCustomServiceConfig(prop: string, text: string): void {
  if (typeof text !== 'string') throw new GlanceValidationError(prop, text, 'is not text', 'give oslo ini text');
  const sections = parseIni(prop, text);
  for (const [section, options] of Object.entries(sections)) {
    for (const key of Object.keys(options)) {
      const setInstead = MANAGED_OPTIONS[`${section}.${key}`];
      if (setInstead) {
        throw new GlanceValidationError(prop, `[${section}] ${key}`, 'overrides an option cdk8s-glance manages', `remove it and set ${setInstead}`);
      }
    }
  }
}

/** The generated glance.conf every process of one API reads: API, jobs and db tools. */
export function baseServiceConfig(common: ResolvedCommonProps, workers: number, cacheOptions?: Record<string, string>): IniSections {
  const keystone = common.keystone;
  const rbd = common.backend.type === ImageBackendType.RBD;
  return {
    DEFAULT: {
      bind_host: '0.0.0.0',
      bind_port: API_PORT,
      workers,
      enabled_backends: `default_backend:${common.backend.type}`,
      enabled_import_methods: '[glance-direct,web-download,copy-image]',
      // Nova and Cinder clone from RBD only when they can see the location.
      show_image_direct_url: rbd,
      ...cacheOptions,
    },
    glance_store: { default_backend: 'default_backend' },
    default_backend: common.backend._storeOptions(),
    os_glance_staging_store: { filesystem_store_datadir: `${STATE_DIR}/staging` },
    os_glance_tasks_store: { filesystem_store_datadir: `${STATE_DIR}/tasks_work_dir` },
    keystone_authtoken: {
      www_authenticate_uri: keystone.publicAuthUrl ?? keystone.authUrl,
      auth_url: keystone.authUrl,
      auth_type: 'password',
      username: keystone.username ?? 'glance',
      project_name: keystone.projectName ?? 'service',
      user_domain_name: keystone.domainName ?? 'Default',
      project_domain_name: keystone.domainName ?? 'Default',
      ...(keystone.region ? { region_name: keystone.region } : {}),
    },
    oslo_policy: { policy_file: `${CONFIG_DIR}/policy.yaml` },
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
