import { GlanceValidationError } from './errors';
import { IniAssignment, iniGroup, readIni } from './ini';
import { MANAGED_OPTION_ALIASES } from './managed-option-aliases';

/**
 * Options cdk8s-glance writes itself, and the prop that sets each instead, as "group.option" with
 * oslo.config's group rule (DEFAULT as written, every other group lower-case).
 */
export const MANAGED_OPTIONS: Record<string, string> = {
  'DEFAULT.image_cache_dir': 'the cache volume mount (fixed at /var/lib/glance/image-cache)',
  'DEFAULT.image_cache_max_size': 'imageCache.size and imageCache.maxSizeRatio',
  'DEFAULT.image_cache_stall_time': 'imageCache.stallTime',
  'DEFAULT.image_cache_driver': 'imageCache.driver',
  'DEFAULT.worker_self_reference_url': 'nothing: each replica sets it to its own hostname at start',
  'DEFAULT.bind_port': 'nothing: probes and Services use 9292',
  'DEFAULT.enabled_backends': 'backend (an ImageBackend such as ImageBackend.rbd() or ImageBackend.multi(), which also mounts what the stores need)',
  'glance_store.default_backend': 'backend (the store of a single-store backend, or ImageBackend.multi() defaultStore)',
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
  // Security settings with a prop of their own (README, "Security").
  'DEFAULT.show_image_direct_url': 'apis.<api>.showImageDirectUrl (image locations on a public API: OSSN-0090)',
  'DEFAULT.show_multiple_locations': 'nothing: it shows every image location to every user (OSSN-0065, OSSN-0090)',
  'DEFAULT.enabled_import_methods': 'webDownload (web-download needs an allow-list: SSRF)',
  'import_filtering_opts.allowed_hosts': 'webDownload.allowedHosts',
  'import_filtering_opts.allowed_schemes': 'webDownload.allowedSchemes',
  'import_filtering_opts.allowed_ports': 'webDownload.allowedPorts',
  'import_filtering_opts.disallowed_hosts': 'webDownload.allowedHosts (an allow-list, not a deny-list)',
  'import_filtering_opts.disallowed_schemes': 'webDownload.allowedSchemes (an allow-list, not a deny-list)',
  'import_filtering_opts.disallowed_ports': 'webDownload.allowedPorts (an allow-list, not a deny-list)',
  'DEFAULT.image_size_cap': 'limits.imageSizeCap',
  'DEFAULT.user_storage_quota': 'limits.userStorageQuota',
  'oslo_middleware.enable_proxy_headers_parsing': 'behindTlsProxy',
};

/**
 * Options refused in every section: each makes Glance read configuration, Python or credentials
 * from elsewhere than the files the library writes (other config files, a config fetched from the
 * network, a logging config whose handlers run Python, another Python for tasks), or serves
 * requests without a token.
 */
export const META_OPTIONS: Record<string, string> = {
  config_file: 'reads another config file: Glance reads only the files cdk8s-glance writes',
  config_dir: 'reads another config directory: Glance reads only the files cdk8s-glance writes',
  config_source: 'fetches configuration from elsewhere (a remote_file source reads it over the network)',
  log_config_append: 'loads a logging configuration, whose handlers run Python inside glance-api',
  log_config: 'loads a logging configuration, whose handlers run Python inside glance-api (log_config_append)',
  allow_anonymous_access: 'serves requests without a token',
  python_interpreter: 'runs another program as Glance\'s Python for import tasks',
};

/**
 * Sections that decide who may do what: only the options listed may be set in them (every other
 * is refused, whatever keystonemiddleware, oslo.policy or Paste add later). [keystone_authtoken]
 * keeps its tuning (timeouts, token cache, memcached, the CA of Keystone's certificate);
 * where it authenticates, as whom, and whether it does at all are the library's.
 */
export const GUARDED_SECTIONS: Record<string, { readonly allowed: readonly string[]; readonly why: string }> = {
  paste_deploy: { allowed: [], why: 'it chooses the pipeline, authentication included (imageCache sets the flavor)' },
  oslo_policy: { allowed: [], why: 'it decides who may do what (imageCache.policy sets the cache rules; the new defaults and scope checks stay on)' },
  keystone_authtoken: {
    allowed: [
      'http_connect_timeout', 'http_request_max_retries', 'cafile',
      'token_cache_time', 'memcached_servers', 'memcache_servers', 'memcache_security_strategy', 'memcache_secret_key',
      'memcache_pool_dead_retry', 'memcache_pool_maxsize', 'memcache_pool_socket_timeout', 'memcache_pool_unused_timeout',
      'memcache_pool_conn_get_timeout', 'memcache_use_advanced_pool',
      'service_token_roles', 'service_token_roles_required', 'service_type', 'include_service_catalog', 'interface',
    ],
    why: 'it decides where tokens are checked and with which credentials (the keystone props set them: authUrl, publicAuthUrl, region, username, ' +
      'projectName, domainName, passwordSecret)',
  },
};

/** The tables checkIniAssignments applies, for the same check where it runs elsewhere (configSecrets' in the API pod). */
export const GUARD_TABLES = { aliases: MANAGED_OPTION_ALIASES, meta: META_OPTIONS, guarded: GUARDED_SECTIONS };

/** oslo.config's substitution: "$$" is a "$"; any other "$" starts a reference ($name, ${group.name}). */
// Stryker disable next-line StringLiteral: any replacement of "$$" without a "$" in it reads the same
const refersToOptions = (value: string) => value.replace(/\$\$/g, '').includes('$');

/**
 * Rejects custom ini that is malformed (as oslo.config reads it: readIni), or that crosses the
 * trust boundary (README, "Security"): an option the library manages under any name oslo.config
 * reads it by, a meta option (META_OPTIONS), an option outside the allow-list of a guarded section
 * (GUARDED_SECTIONS), or a `$` reference, unless `substitution` allows them.
 */
export function checkCustomServiceConfig(prop: string, text: string, managed: Record<string, string> = MANAGED_OPTIONS, substitution = false): void {
  checkIniAssignments(prop, readIni(prop, text), managed, substitution);
}

/**
 * checkCustomServiceConfig on options already read (readIni), for a caller that reads them itself.
 * `source` is the prop the messages name for what may be set (configSecrets, checked in the pod,
 * has the same rules: glance-config-secrets.py).
 */
export function checkIniAssignments(prop: string, assignments: IniAssignment[], managed: Record<string, string>, substitution = false,
  source = 'customServiceConfig'): void {
  for (const { line, section, key, name, value } of assignments) {
    const group = iniGroup(section);
    const written = `[${section}] ${key}`;
    const option = MANAGED_OPTION_ALIASES[`${group}.${name}`] ?? `${group}.${name}`;
    const setInstead = managed[option];
    if (setInstead) {
      const readAs = option === `${section}.${key}` ? '' : ` (oslo.config reads it as [${option.replace('.', '] ')})`;
      throw new GlanceValidationError(prop, written, `overrides an option cdk8s-glance manages${readAs}`, `remove it and set ${setInstead}`);
    }
    if (Object.hasOwn(META_OPTIONS, name)) {
      throw new GlanceValidationError(prop, written, `may not be set: it ${META_OPTIONS[name]}`, 'remove it');
    }
    const guarded = Object.hasOwn(GUARDED_SECTIONS, group) ? GUARDED_SECTIONS[group] : undefined;
    if (guarded && !guarded.allowed.includes(name)) {
      const may = guarded.allowed.length ? `set only ${guarded.allowed.join(', ')} in [${group}]` : `set nothing in [${group}]`;
      throw new GlanceValidationError(prop, written, `is in a section ${source} may not change: ${guarded.why}`,
        `remove it; ${source} may ${may}`);
    }
    if (!substitution && refersToOptions(value)) {
      // The option, not its value: a value may be a credential.
      throw new GlanceValidationError(prop, written,
        `(the option on line ${line}) holds a "$" in its value, which oslo.config reads as a reference to another option ` +
        '($name or ${group.name}: a password, for one)',
        'write "$$" for a "$"; to refer to other options on purpose, set customServiceConfigSubstitution to true');
    }
  }
}
