import { ImagePullPolicy } from 'cdk8s-plus-28';
import { GlanceCommonProps, KeystoneOptions, ObjectNaming, UploadLimitOptions } from './common-props';
import { checkCustomServiceConfig, MANAGED_OPTIONS } from './config-guard';
import { checkConfigSecrets } from './config-secrets';
import { GlanceValidationError } from './errors';
import { checkExtraMounts } from './extra-mounts';
import { ImageBackend } from './image-backend';
import { checkApplicationCredential } from './keystone/credentials';
import { KeystoneLimits, QUOTA_MANAGED_OPTIONS, resolveQuotas } from './keystone/quotas';
import { checkBoolean, checkLine, checkNamePart, checkSecretKey, checkSubdomain, HOST, HTTP_URL } from './names';
import { checkNetworkPolicy } from './network-policy';
import { NOTIFICATION_MANAGED_OPTIONS, ResolvedNotifications, resolveNotifications } from './notifications';
import { ceilFraction, floorProduct, Fraction, parseStorageSize } from './quantity';
import { GlanceRelease } from './release';
import { isImageBackend } from './stores/checks';
import { ResolvedKeystone, StoreContext } from './stores/context';
import { CA_FILE, ResolvedTls, resolveTls } from './tls/resolve';
import { checkWebDownload } from './web-download';

// The settings layer: GlanceCommonProps checked once, with their defaults, for every API and job.

const ONE: Fraction = { numerator: 1n, denominator: 1n };

export const DEFAULT_IMAGE = 'quay.io/podified-antelope-centos9/openstack-glance-api:current-podified';

/** GlanceCommonProps, checked, with every default filled in. */
export type ResolvedCommonProps =
  Required<Omit<GlanceCommonProps, 'customServiceConfig' | 'webDownload' | 'limits' | 'networkPolicy' | 'tls' | 'quotas' | 'notifications'
    | 'policyConfigMap' | 'configSecrets' | 'extraMounts'>>
  & Omit<GlanceCommonProps, 'tls' | 'notifications'> & {
    /** The deployment's TLS, checked. */
    readonly tls: ResolvedTls;
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
    /** The per-project limits registered in Keystone (quotas), when there are any. */
    readonly keystoneLimits?: KeystoneLimits;
    /** Where the API sends notifications, when it does. */
    readonly notifications?: ResolvedNotifications;
  };

/** The staging volume's size when storage.storageRequest is not given. */
export const DEFAULT_STORAGE_REQUEST = '10Gi';

/** Validates the shared props and fills in their defaults: Glance does it once, for all its APIs. */
export function resolveCommonProps(props: GlanceCommonProps): ResolvedCommonProps {
  const name = props.name ?? 'glance';
  checkNamePart('name', name);
  const image = props.image ?? DEFAULT_IMAGE;
  if (typeof image !== 'string' || image === '' || /\s/.test(image)) {
    throw new GlanceValidationError('image', image, 'is not a container image reference', 'use e.g. "registry.example/glance-api:2023.1"');
  }
  const release = props.release ?? GlanceRelease.ANTELOPE;
  if (!(release instanceof GlanceRelease)) {
    throw new GlanceValidationError('release', release, 'is not a GlanceRelease',
      'use a constant such as GlanceRelease.EPOXY, or GlanceRelease.of("2025.1")');
  }
  checkSecretKey('database.connectionSecret', props.database?.connectionSecret);
  checkKeystone(props.keystone);
  const keystoneLimits = resolveQuotas(props.quotas, props.keystone, props.limits);
  const backend = props.backend ?? ImageBackend.file();
  if (!isImageBackend(backend)) {
    throw new GlanceValidationError('backend', backend, 'is not an ImageBackend',
      'use ImageBackend.file(), rbd(), swift(), s3(), cinder() or multi()');
  }
  const tls = resolveTls(props.tls, props.database.tls, image);
  const notifications = resolveNotifications(props.notifications, tls);
  const managedOptions = {
    ...MANAGED_OPTIONS,
    ...backend._managedOptions(),
    ...tlsManagedOptions(tls),
    ...memcachedManagedOptions(props.keystone),
    ...(keystoneLimits ? QUOTA_MANAGED_OPTIONS : {}),
    ...(notifications ? NOTIFICATION_MANAGED_OPTIONS : {}),
  };
  const storage = props.storage ?? {};
  const stagingSize = storage.storageRequest ?? DEFAULT_STORAGE_REQUEST;
  const staging = parseStorageSize('storage.storageRequest', stagingSize);
  if (storage.storageClass !== undefined) checkSubdomain('storage.storageClass', storage.storageClass);
  const substitution = props.customServiceConfigSubstitution ?? false;
  checkBoolean('customServiceConfigSubstitution', substitution);
  if (props.customServiceConfig !== undefined) {
    checkCustomServiceConfig('customServiceConfig', props.customServiceConfig, managedOptions, substitution);
  }
  if (props.webDownload !== undefined) checkWebDownload(props.webDownload);
  if (props.policyConfigMap !== undefined) checkSubdomain('policyConfigMap', props.policyConfigMap);
  checkExtraMounts('extraMounts', props.extraMounts);
  checkConfigSecrets('configSecrets', props.configSecrets);
  const { imageSizeCapBytes, userStorageQuotaBytes } = resolveLimits(props.limits, stagingSize, staging);
  checkNetworkPolicy(props.networkPolicy);
  const imagePullPolicy = props.imagePullPolicy ?? (/@sha256:[0-9a-f]{64}$/.test(image) ? ImagePullPolicy.IF_NOT_PRESENT : ImagePullPolicy.ALWAYS);
  if (!Object.values(ImagePullPolicy).includes(imagePullPolicy)) {
    throw new GlanceValidationError('imagePullPolicy', imagePullPolicy, 'is not a pull policy', 'use an ImagePullPolicy value');
  }
  const naming = props.naming ?? ObjectNaming.LIBRARY;
  if (!Object.values(ObjectNaming).includes(naming)) {
    throw new GlanceValidationError('naming', naming, 'is not a naming scheme', 'use ObjectNaming.LIBRARY or ObjectNaming.GLANCE_OPERATOR');
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
    naming,
    imageSizeCapBytes,
    userStorageQuotaBytes,
    stagingSize,
    storeContext: { glanceName: name, keystone: resolveKeystone(props.keystone), ...(tls.caBundle ? { caFile: CA_FILE } : {}) },
    managedOptions,
    tls,
    ...(keystoneLimits ? { keystoneLimits } : {}),
    notifications,
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
    ...(keystone.memcachedServers ? { memcachedServers: keystone.memcachedServers } : {}),
    ...(keystone.applicationCredentialSecret ? { applicationCredentialSecret: keystone.applicationCredentialSecret } : {}),
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
    throw new GlanceValidationError('storage.storageRequest', stagingSize, 'leaves no room to stage an image under the default cap (90 % of it, ' +
      'in whole bytes)',
    'use a size such as "10Gi"');
  }
  if (imageSizeCapBytes >= stagingBytes) {
    throw new GlanceValidationError('limits.imageSizeCap', cap, `is not below the staging volume (storage.storageRequest ${stagingSize})`,
      'lower limits.imageSizeCap, or raise storage.storageRequest above it: an import is staged whole on that volume');
  }
  const quota = limits?.userStorageQuota;
  const userStorageQuotaBytes = quota === undefined ? 0n : ceilFraction(parseStorageSize('limits.userStorageQuota', quota));
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
  checkMemcachedServers(keystone.memcachedServers);
  checkApplicationCredential(keystone.applicationCredentialSecret);
}

/** A memcached server as python-memcached (keystonemiddleware's client) reads it: its address family, host and port. */
export interface MemcachedServer {
  readonly family: 'inet' | 'inet6';
  readonly host: string;
  readonly port: number;
}

/**
 * The memcached servers this library accepts, and what python-memcached's `_Host` makes of them
 * (test/e2e/memcached-servers.test.ts compares the two): `host:port` or `inet:host:port` with a DNS
 * name or IPv4 address, `inet6:[address]:port`; the port always written, 1 to 65535. Undefined for
 * anything else (python-memcached reads a bare `[fd00::1]:11211` as no address at all, and a host
 * named `unix` or `inet` as a protocol: `unix:9` is a socket file, `inet:9` the host "9").
 */
export function parseMemcachedServer(server: string): MemcachedServer | undefined {
  const match = /^(?:inet:)?([A-Za-z0-9.-]+):([0-9]{1,5})$/.exec(server) ?? /^inet6:\[([0-9A-Fa-f:.]+)\]:([0-9]{1,5})$/.exec(server);
  if (!match) return undefined;
  const family = server.startsWith('inet6:') ? 'inet6' : 'inet';
  const [, host, port] = match;
  // An IPv6 address has a colon; a host named like a protocol is read as one.
  const notAnAddress = (family === 'inet6' && !host.includes(':')) || ['unix', 'inet', 'inet6'].includes(host.toLowerCase());
  if (Number(port) < 1 || Number(port) > 65535 || !HOST.test(host) || notAnAddress) return undefined;
  return { family, host, port: Number(port) };
}

function checkMemcachedServers(servers: string[] | undefined): void {
  if (servers === undefined) return;
  if (!Array.isArray(servers) || servers.length === 0) {
    throw new GlanceValidationError('keystone.memcachedServers', servers, 'is not a list of memcached servers',
      'give e.g. ["memcached-0.memcached.openstack.svc:11211"], or leave it unset');
  }
  servers.forEach((server, i) => {
    if (typeof server !== 'string' || parseMemcachedServer(server) === undefined) {
      throw new GlanceValidationError(`keystone.memcachedServers[${i}]`, server, 'is not a memcached server as host:port',
        'use e.g. "memcached-0.memcached.openstack.svc:11211" (an IPv6 address as python-memcached reads it: "inet6:[fd00::1]:11211")');
    }
  });
}

/**
 * The token cache's [keystone_authtoken] options: the servers every replica shares, with the
 * glance-operator's pool settings; the advanced pool is eventlet-safe.
 */
export function tokenCacheOptions(servers: string[]): Record<string, string | boolean> {
  return {
    memcached_servers: servers.join(','),
    memcache_pool_dead_retry: '10',
    memcache_pool_conn_get_timeout: '2',
    memcache_use_advanced_pool: true,
  };
}

/** The token cache's options, which customServiceConfig may then not set (memcache_servers is memcached_servers' old name). */
function memcachedManagedOptions(keystone: KeystoneOptions): Record<string, string> {
  if (keystone.memcachedServers === undefined) return {};
  return Object.fromEntries([...Object.keys(tokenCacheOptions(keystone.memcachedServers)), 'memcache_servers']
    .map((option) => [`keystone_authtoken.${option}`, 'keystone.memcachedServers']));
}

/** The options TLS sets, which customServiceConfig may then not set. */
function tlsManagedOptions(tls: ResolvedTls): Record<string, string> {
  return {
    ...(tls.caBundle ? { 'keystone_authtoken.cafile': 'tls.caBundleSecret' } : {}),
    ...(tls.database ? { 'database.connection_parameters': 'database.tls' } : {}),
  };
}
