/**
 * customServiceConfig may not set an option the library manages, under any name oslo.config reads
 * it by: the group as written or in other case (every group but DEFAULT is lower-cased), the
 * option with "-" for "_", and the deprecated names Glance 25.1.0 still honours. The list below
 * is written out, not read from the library, so that an option dropped from the library's table
 * fails here.
 */
import { ImageBackend } from '../lib';
import { expectInvalid, glanceConf, synthGlance } from './helpers';

/** Each managed option, and a word of the prop the error must name instead. */
const MANAGED: Array<[string, RegExp]> = [
  ['DEFAULT.image_cache_dir', /cache volume mount/],
  ['DEFAULT.image_cache_max_size', /imageCache\.size/],
  ['DEFAULT.image_cache_stall_time', /imageCache\.stallTime/],
  ['DEFAULT.image_cache_driver', /imageCache\.driver/],
  ['DEFAULT.worker_self_reference_url', /own hostname/],
  ['DEFAULT.bind_port', /9292/],
  ['DEFAULT.enabled_backends', /ImageBackend/],
  ['glance_store.default_backend', /defaultStore/],
  ['database.connection', /database\.connectionSecret/],
  ['keystone_authtoken.password', /keystone\.passwordSecret/],
  ['paste_deploy.flavor', /imageCache/],
  ['oslo_policy.policy_file', /imageCache\.policy/],
  ['oslo_concurrency.lock_path', /cache volume/],
  ['DEFAULT.log_dir', /stderr/],
  ['DEFAULT.log_file', /stderr/],
  ['os_glance_staging_store.filesystem_store_datadir', /storage/],
  ['os_glance_tasks_store.filesystem_store_datadir', /storage/],
  ['task.work_dir', /storage/],
  ['default_backend.filesystem_store_datadir', /ImageBackend\.file/],
  ['DEFAULT.show_image_direct_url', /showImageDirectUrl/],
  ['DEFAULT.show_multiple_locations', /OSSN-0065/],
  ['DEFAULT.enabled_import_methods', /webDownload/],
  ['import_filtering_opts.allowed_hosts', /webDownload\.allowedHosts/],
  ['import_filtering_opts.allowed_schemes', /webDownload\.allowedSchemes/],
  ['import_filtering_opts.allowed_ports', /webDownload\.allowedPorts/],
  ['import_filtering_opts.disallowed_hosts', /webDownload\.allowedHosts/],
  ['import_filtering_opts.disallowed_schemes', /webDownload\.allowedSchemes/],
  ['import_filtering_opts.disallowed_ports', /webDownload\.allowedPorts/],
  ['DEFAULT.image_size_cap', /limits\.imageSizeCap/],
  ['DEFAULT.user_storage_quota', /limits\.userStorageQuota/],
  ['oslo_middleware.enable_proxy_headers_parsing', /behindTlsProxy/],
];

/** Deprecated names oslo.config maps onto a managed option (Glance 25.1.0's option definitions). */
const DEPRECATED: Array<[string, string]> = [
  ['DEFAULT.lock_path', 'oslo_concurrency.lock_path'],
  ['DEFAULT.logdir', 'DEFAULT.log_dir'],
  ['DEFAULT.logfile', 'DEFAULT.log_file'],
  ['DEFAULT.policy_file', 'oslo_policy.policy_file'],
  ['DEFAULT.sql_connection', 'database.connection'],
  ['database.sql_connection', 'database.connection'],
  ['sql.connection', 'database.connection'],
];

const ini = (group: string, option: string) => `[${group}]\n${option} = x\n`;
const split = (name: string) => name.split('.') as [string, string];

describe.each(MANAGED)('%s', (name, setInstead) => {
  const [group, option] = split(name);

  test('as written: refused, naming the option and what to set instead', () => {
    const err = expectInvalid(() => synthGlance({ customServiceConfig: ini(group, option) }), 'customServiceConfig', `[${group}] ${option}`);
    expect(err.message).toMatch(/overrides an option cdk8s-glance manages \(got/);
    expect(err.message).toMatch(setInstead);
    expect(err.message).not.toMatch(/reads it as/);
  });

  test('with dashes: refused, saying how oslo.config reads it', () => {
    const dashed = option.replace(/_/g, '-');
    expectInvalid(() => synthGlance({ customServiceConfig: ini(group, dashed) }), 'customServiceConfig', `[${group}] ${option}`);
  });

  test('in an API\'s own customServiceConfig too', () => {
    expectInvalid(() => synthGlance({ apis: { default: { customServiceConfig: ini(group, option) } } }), 'apis.default.customServiceConfig',
      `[${group}] ${option}`);
  });

  if (group === 'DEFAULT') {
    test('[default] is another group to oslo.config: accepted', () => {
      expect(() => synthGlance({ customServiceConfig: ini('default', option) })).not.toThrow();
    });
  } else {
    test('with the group in upper case: refused, saying how oslo.config reads it', () => {
      const err = expectInvalid(() => synthGlance({ customServiceConfig: ini(group.toUpperCase(), option) }), 'customServiceConfig',
        `[${group.toUpperCase()}] ${option}`);
      expect(err.message).toContain(`(oslo.config reads it as [${group}] ${option})`);
    });
  }
});

test.each(DEPRECATED)('the deprecated name %s is refused as %s', (deprecated, current) => {
  const [group, option] = split(deprecated);
  const [currentGroup, currentOption] = split(current);
  const err = expectInvalid(() => synthGlance({ customServiceConfig: ini(group, option) }), 'customServiceConfig', `[${group}] ${option}`);
  expect(err.message).toContain(`(oslo.config reads it as [${currentGroup}] ${currentOption})`);
});

test('a group in mixed case is the lower-case group to oslo.config: refused', () => {
  const err = expectInvalid(() => synthGlance({ customServiceConfig: '[Paste_Deploy]\nflavor = keystone\n' }), 'customServiceConfig',
    '[Paste_Deploy] flavor');
  expect(err.message).toContain('(oslo.config reads it as [paste_deploy] flavor)');
});

test.each([
  ['[default]\nflavor = caching\npolicy_file = /tmp/p.yaml\n', '[default] is a group of its own'],
  ['[DEFAULT]\nflavor = caching\n', 'flavor in another group'],
  ['[paste_deploy_extra]\nflavor = caching\n', 'a group that only starts like a managed one'],
])('%j is accepted: oslo.config does not read it as a managed option (%s)', (custom) => {
  expect(glanceConf(synthGlance({ customServiceConfig: custom }), 'glance-default-single').paste_deploy.flavor).toBe('keystone');
});

test('options next to the managed ones stay the user\'s', () => {
  const custom = '[DEFAULT]\ndebug = true\nimage_cache_dir_extra = 1\n[database]\nmax_retries = 3\n'
    + '[keystone_authtoken]\nmemcached_servers = mc:11211\n';
  const m = synthGlance({ customServiceConfig: custom });
  expect(m.find((o) => o.kind === 'Secret' && o.metadata.name === 'glance-default-single-config')!.stringData['50-custom.conf']).toBe(custom);
});

test('the file store\'s directory in [default_backend] is managed with any store', () => {
  const err = expectInvalid(() => synthGlance({
    backend: ImageBackend.rbd({ cephSecretName: 'c' }),
    customServiceConfig: ini('default_backend', 'filesystem_store_datadir'),
  }),
  'customServiceConfig', '[default_backend] filesystem_store_datadir');
  expect(err.fix).toBe('remove it and set backend (ImageBackend.file() mounts the store at /var/lib/glance/images)');
});

test('customServiceConfig that is not text is refused', () => {
  expectInvalid(() => synthGlance({ customServiceConfig: 42 as any }), 'customServiceConfig', /is not text/);
});
