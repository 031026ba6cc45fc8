import { apiServerOptions } from './api-serving';
import type { ImageBackend } from './image-backend';
import { IniSections } from './ini';
import { authOptions } from './keystone/credentials';
import { osloLimitOptions } from './keystone/quotas';
import { notificationSections } from './notifications';
import { CACHE_LOCK_DIR, CONFIG_DIR, POLICY_DIR, STATE_DIR, STATE_LOCK_DIR } from './pod-security';
import { GlanceRelease } from './release';
import { ResolvedCommonProps, tokenCacheOptions } from './service-config';
import { importFilteringOptions } from './web-download';

// The rendering layer: glance.conf and policy.yaml from the resolved settings.

/** What differs between the config files of one API StatefulSet and those of the db tools. */
export interface ServiceConfigOptions {
  /** glance-api worker processes. */
  readonly workers: number;
  /** The cache's [DEFAULT] options, when the API has a cache. */
  readonly cacheOptions?: Record<string, string>;
  /** show_image_direct_url: whether users see where the store keeps each image (OSSN-0090). */
  readonly showImageDirectUrl: boolean;
  /**
   * Whether the API serves HTTPS through its TLS terminator: glance-api then listens on the pod's
   * loopback address only, and takes the scheme from the terminator's X-Forwarded-Proto.
   * @default false
   */
  readonly https?: boolean;
  /**
   * Whether imports are converted to raw (the image_conversion plugin).
   * @default false
   */
  readonly imageConversion?: boolean;
  /**
   * The stores: an API's own.
   * @default - the deployment's backend
   */
  readonly backend?: ImageBackend;
}

/** The generated glance.conf every process of one API reads: API, jobs and db tools. */
export function baseServiceConfig(common: ResolvedCommonProps, options: ServiceConfigOptions): IniSections {
  const keystone = common.storeContext.keystone;
  const stores = (options.backend ?? common.backend)._config(common.storeContext);
  const web = common.webDownload;
  const { cacheOptions } = options;
  const caFile = common.storeContext.caFile;
  return {
    DEFAULT: {
      // Behind the TLS terminator, on the pod's loopback address only.
      ...apiServerOptions(common.release, options.workers, options.https),
      enabled_backends: stores.enabledBackends,
      // web-download makes Glance fetch user-given URLs: only with an allow-list (SSRF).
      enabled_import_methods: web ? '[glance-direct,web-download,copy-image]' : '[glance-direct,copy-image]',
      show_image_direct_url: options.showImageDirectUrl,
      // Imports are staged whole on the replica's /var/lib/glance volume: the cap stays below it.
      image_size_cap: common.imageSizeCapBytes.toString(),
      user_storage_quota: common.userStorageQuotaBytes.toString(),
      ...cacheOptions,
      ...(common.keystoneLimits ? { use_keystone_limits: true } : {}),
    },
    glance_store: { default_backend: stores.defaultBackend },
    ...stores.sections,
    os_glance_staging_store: { filesystem_store_datadir: `${STATE_DIR}/staging` },
    os_glance_tasks_store: { filesystem_store_datadir: `${STATE_DIR}/tasks_work_dir` },
    ...(web ? { import_filtering_opts: importFilteringOptions(web) } : {}),
    // As the glance-operator writes them (templates/common/config/00-config.conf); a ListOpt(bounds=True) of quoted names.
    ...(options.imageConversion
      ? { image_import_opts: { image_import_plugins: '[\'image_conversion\']' }, image_conversion: { output_format: 'raw' } } : {}),
    keystone_authtoken: {
      www_authenticate_uri: keystone.publicAuthUrl,
      auth_url: keystone.authUrl,
      ...authOptions(keystone, {
        username: keystone.username,
        project_name: keystone.projectName,
        user_domain_name: keystone.domainName,
        project_domain_name: keystone.domainName,
      }),
      ...(keystone.region ? { region_name: keystone.region } : {}),
      ...(caFile ? { cafile: caFile } : {}),
      ...(keystone.memcachedServers ? tokenCacheOptions(keystone.memcachedServers) : {}),
    },
    ...(common.keystoneLimits ? { oslo_limit: osloLimitOptions(keystone, caFile) } : {}),
    ...(common.notifications ? notificationSections(common.notifications, caFile) : {}),
    // PyMySQL verifies the server's certificate against ssl_ca, and its name against the URL's host.
    ...(common.tls.database ? { database: { connection_parameters: `ssl_ca=${caFile}` } } : {}),
    oslo_policy: {
      policy_file: `${CONFIG_DIR}/policy.yaml`,
      // Read after policy_file, each file's rules replacing those before (policyConfigMap).
      ...(common.policyConfigMap ? { policy_dirs: POLICY_DIR } : {}),
      // As the glance-operator sets them, from its first release (Antelope) on: the new RBAC defaults, scope checked.
      ...(common.release.isAtLeast(GlanceRelease.ANTELOPE) ? { enforce_new_defaults: true, enforce_scope: true } : {}),
    },
    oslo_middleware: { enable_proxy_headers_parsing: common.behindTlsProxy || (options.https ?? false) },
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
