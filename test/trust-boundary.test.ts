/**
 * What customServiceConfig may change (README, "Security"), and the reproductions of issue 21 that
 * the guard let through before: each switched Keystone off, pointed it elsewhere, loaded code or
 * config from elsewhere, or copied the service password into a value users see, on a real Glance.
 * The lists below are written out, not read from the library, so that a relaxed table fails here.
 */
import { Chart, Testing } from 'cdk8s';
import { Glance, GlanceApi, GlanceValidationError, ImageBackend } from '../lib';
import { BASE_PROPS, expectInvalid, find, glanceCommandOf, glanceConf, Manifest, synthGlance } from './helpers';
import { checkCustomServiceConfig } from '../lib/config-guard';
import { CustomResourceOptions } from '../lib/custom-resource';
import { parseIni } from '../lib/ini';

const SECRET_REFERENCE = '${keystone_authtoken.password}';

describe('the issue\'s tricks are refused, globally and per API', () => {
  const tricks: Array<[string, string, RegExp]> = [
    ['a lone CR ends a line for oslo.config', '[paste_deploy]\nx = 1\rflavor = caching\n', /carriage return/],
    ['a no-break space is stripped by oslo.config', '[paste_deploy]\nx = 1\n\u00a0flavor = caching\n', /no-break space/],
    ['a vertical tab is stripped by oslo.config', '[paste_deploy]\nx = 1\n\u000bflavor = caching\n', /vertical tab/],
    ['a line separator', '[DEFAULT]\nx = 1\u2028[paste_deploy]\nflavor = caching\n', /line separator/],
    ['an ideographic space before a key', '[paste_deploy]\nx = 1\n\u3000flavor = caching\n', /U\+3000/],
    ['the new defaults switched off (Glance 30)', '[oslo_policy]\nenforce_new_defaults = false\n', /may not change/],
    ['another paste file', '[paste_deploy]\nconfig_file = /etc/glance/glance.conf.d/50-custom.conf\n', /may not/],
    ['anonymous access', '[DEFAULT]\nallow_anonymous_access = true\n', /without a token/],
    ['tokens checked by another Keystone', '[keystone_authtoken]\nauth_url = http://attacker.example:5000\n', /may not change/],
    ['the auth plugin switched', '[keystone_authtoken]\nauth_type = none\n', /may not change/],
    ['auth decided later', '[keystone_authtoken]\ndelay_auth_decision = true\n', /may not change/],
    ['clients sent elsewhere', '[keystone_authtoken]\nwww_authenticate_uri = http://attacker.example/\n', /may not change/],
    ['the deprecated name of www_authenticate_uri', '[keystone_authtoken]\nauth_uri = http://attacker.example/\n', /may not change/],
    ['TLS checks of Keystone off', '[keystone_authtoken]\ninsecure = true\n', /may not change/],
    ['a remote config source', '[DEFAULT]\nconfig_source = remote\n[remote]\ndriver = remote_file\nuri = http://attacker.example/glance.conf\n',
      /network/],
    ['a logging config that runs Python', '[DEFAULT]\nlog_config_append = /etc/glance/glance.conf.d/50-custom.conf\n', /runs? Python/],
    ['log_config, its deprecated name', '[DEFAULT]\nlog-config = /tmp/x\n', /runs? Python/],
    ['another config directory', '[DEFAULT]\nconfig_dir = /tmp\n', /config directory/],
    ['another Python for tasks', '[wsgi]\npython_interpreter = /bin/sh\n', /another program/],
    ['a reference to the password', `[DEFAULT]\npublic_endpoint = http://x/${SECRET_REFERENCE}\n`, /reference/],
    ['a short reference', '[DEFAULT]\npublic_endpoint = http://x/$password\n', /reference/],
    ['a reference in a continuation line', '[DEFAULT]\npublic_endpoint = http://x/\n  $connection\n', /reference/],
    ['a policy directory', '[oslo_policy]\npolicy_dirs = /tmp\n', /may not change/],
    ['an upper-case guarded section', '[PASTE_DEPLOY]\npipeline = x\n', /may not change/],
  ];

  test.each(tricks)('%s: refused at customServiceConfig', (_, text, message) => {
    expectInvalid(() => synthGlance({ customServiceConfig: text }), 'customServiceConfig', message);
  });

  test.each(tricks)('%s: refused at apis.default.customServiceConfig', (_, text, message) => {
    expectInvalid(() => synthGlance({ apis: { default: { customServiceConfig: text } } }), 'apis.default.customServiceConfig', message);
  });

  test('a GlanceApi added by hand guards its own text the same way', () => {
    const glance = new Glance(Testing.chart(), 'glance', BASE_PROPS);
    expectInvalid(() => new GlanceApi(glance, 'api',
      { apiName: 'added', customServiceConfig: '[keystone_authtoken]\nauth_url = http://x\n' }),
    'apis.added.customServiceConfig', /may not change/);
  });

  test('the error says what may be set instead', () => {
    const error = expectInvalid(() => synthGlance({ customServiceConfig: '[keystone_authtoken]\nauth_url = http://x\n' }), 'customServiceConfig',
      /keystone_authtoken/);
    expect(error.message).toMatch(/set only http_connect_timeout, .*memcached_servers/);
    const dollar = expectInvalid(() => synthGlance({ customServiceConfig: '[DEFAULT]\npublic_endpoint = http://x/$y\n' }), 'customServiceConfig',
      /line 2/);
    expect(dollar.message).toMatch(/write "\$\$" for a "\$".*customServiceConfigSubstitution/);
    expect(dollar.message).toContain('($name or ${group.name}: a password, for one)');
    // A value may be a credential: the error names the option and line, never the value.
    const secret = expectInvalid(() => synthGlance({ customServiceConfig: '[keystone_authtoken]\nmemcache_secret_key = s3cr$t\n' }),
      'customServiceConfig', /line 2/);
    expect(secret.message).not.toContain('s3cr');
  });
});

describe('each refusal says why', () => {
  test.each([
    ['paste_deploy', 'pipeline = x', 'it chooses the pipeline, authentication included (imageCache sets the flavor)',
      'set nothing in [paste_deploy]'],
    ['oslo_policy', 'policy_dirs = /tmp',
      'it decides who may do what (imageCache.policy sets the cache rules; the new defaults and scope checks stay on)',
      'set nothing in [oslo_policy]'],
    ['keystone_authtoken', 'auth_url = http://x', 'it decides where tokens are checked and with which credentials (the keystone props set them: '
      + 'authUrl, publicAuthUrl, region, username, projectName, domainName, passwordSecret)', 'set only http_connect_timeout, '],
  ])('[%s]', (section, line, why, may) => {
    const error = expectInvalid(() => synthGlance({ customServiceConfig: `[${section}]\n${line}\n` }), 'customServiceConfig',
      `is in a section customServiceConfig may not change: ${why}`);
    expect(error.message).toContain(`Fix: remove it; customServiceConfig may ${may}`);
  });

  test('a meta option names what it would do', () => {
    expectInvalid(() => synthGlance({ customServiceConfig: '[DEFAULT]\nconfig_file = /tmp/x.conf\n' }), 'customServiceConfig',
      'may not be set: it reads another config file: Glance reads only the files cdk8s-glance writes');
  });

  test('references are refused unless substitution is asked for, by every caller of the guard', () => {
    expect(() => checkCustomServiceConfig('text', '[DEFAULT]\nx = $y\n')).toThrow(/holds a "\$" in its value/);
    expect(() => checkCustomServiceConfig('text', '[DEFAULT]\nx = $y\n', {}, true)).not.toThrow();
  });
});

describe('what customServiceConfig may still set', () => {
  const accepted: Array<[string, string]> = [
    ['keystonemiddleware\'s tuning',
      '[keystone_authtoken]\nhttp_connect_timeout = 5\nmemcached_servers = memcached-0.memcached:11211\n'
        + 'token_cache_time = 600\ncafile = /etc/pki/ca.pem\nhttp_request_max_retries = 3\nservice_token_roles = service\n'
        + 'service_token_roles_required = true\nservice_type = image\ninclude_service_catalog = false\ninterface = internal\n'],
    ['a literal "$" written "$$"', '[DEFAULT]\npublic_endpoint = https://glance.example/$$price\n'],
    ['ordinary options of other sections',
      '[DEFAULT]\ndebug = true\nimage_member_quota = 64\n[cors]\nallowed_origin = https://dashboard.example\n'
        + '[image_format]\ndisk_formats = qcow2,raw\n'],
    ['options named like meta ones only in part', '[DEFAULT]\nlog_date_format = %Y-%m-%d\n'],
  ];

  test.each(accepted)('%s', (_, text) => {
    const manifests = synthGlance({ customServiceConfig: text });
    expect(find(manifests, 'Secret', 'glance-default-single-config').stringData['50-custom.conf']).toBe(text);
  });

  test('customServiceConfigSubstitution lets references through, in the deployment\'s and each API\'s text', () => {
    const text = '[DEFAULT]\npublic_endpoint = https://$my_host/\n';
    const manifests = synthGlance({
      customServiceConfigSubstitution: true, customServiceConfig: text, apis: { default: { customServiceConfig: text } },
    });
    expect(find(manifests, 'Secret', 'glance-default-single-config').stringData['60-default-custom.conf']).toBe(text);
    expectInvalid(() => synthGlance({ customServiceConfigSubstitution: 'yes' as any }), 'customServiceConfigSubstitution',
      /\(got "yes"\)\. Fix: use true or false$/);
  });

  test('customServiceConfigSubstitution opens nothing else', () => {
    expectInvalid(() => synthGlance({ customServiceConfigSubstitution: true, customServiceConfig: '[paste_deploy]\nflavor = keystone\n' }),
      'customServiceConfig', /manages/);
    expectInvalid(() => synthGlance({ customServiceConfigSubstitution: true, customServiceConfig: '[DEFAULT]\nallow_anonymous_access = true\n' }),
      'customServiceConfig', /without a token/);
  });
});

describe('values the library writes reach Glance as written (oslo.config substitution)', () => {
  test('a public auth URL that names the password stays text: each "$" doubled', () => {
    const manifests = synthGlance({ keystone: { ...BASE_PROPS.keystone, publicAuthUrl: `http://k/${SECRET_REFERENCE}` } });
    const text = find(manifests, 'Secret', 'glance-default-single-config').stringData['00-glance.conf'];
    expect(text).toContain('www_authenticate_uri = http://k/$${keystone_authtoken.password}\n');
    expect(text).not.toMatch(/(?<!\$)\$\{keystone_authtoken/);
  });

  test('a store description that names the password stays text', () => {
    const manifests = synthGlance({ backend: ImageBackend.file({ description: `cost ${SECRET_REFERENCE} $5` }) });
    const conf = glanceConf(manifests, 'glance-default-single');
    expect(Object.values(conf).map((section) => section.store_description).filter(Boolean)).toEqual([`cost $${SECRET_REFERENCE} $$5`]);
  });

  test('every "$" of every generated config file is doubled, outside what the user wrote', () => {
    const manifests = synthGlance({
      keystone: { ...BASE_PROPS.keystone, publicAuthUrl: 'http://k/$a', username: 'glance$', projectName: 'svc$x', domainName: 'D$' },
      backend: ImageBackend.file({ description: '$x ${y}' }),
    });
    const generated = find(manifests, 'Secret', 'glance-default-single-config').stringData['00-glance.conf'] as string;
    expect(generated.match(/\$+/g)!.every((run) => run.length % 2 === 0)).toBe(true);
    expect(generated).toContain('username = glance$$\n');
  });
});

describe('commands: the kubelet and oslo.config see what the library means', () => {
  test('glance-api reads the library\'s files only, with its OS_* variables escaped', () => {
    const pod = find(synthGlance({}), 'StatefulSet', 'glance-default-single').spec.template.spec;
    expect(pod.containers[0].command).toEqual(glanceCommandOf(['glance-api']));
  });
});

describe('the custom resource reader', () => {
  const options = (): CustomResourceOptions => ({
    database: { connectionSecret: { name: 'glance-db', key: 'connection' } },
    keystoneAuthUrl: 'http://keystone-internal.openstack.svc:5000',
  });
  const synthFromCr = (spec: object) => {
    const chart = new Chart(Testing.app(), 'cr', { namespace: 'openstack' });
    Glance.fromCustomResource(chart, 'glance', { kind: 'Glance', spec: { glanceAPIs: { default: {} }, storage: { storageRequest: '10G' }, ...spec } },
      { ...options(), backend: spec.hasOwnProperty('customServiceConfig') ? undefined : ImageBackend.rbd({ cephSecretName: 'ceph' }) });
    return Testing.synth(chart) as Manifest[];
  };
  const cephMount = {
    extraMounts: [{
      extraVol: [{
        propagation: ['GlanceAPI'],
        volumes: [{ name: 'ceph', secret: { secretName: 'ceph-conf-files' } }],
        mounts: [{ name: 'ceph', mountPath: '/etc/ceph', readOnly: true }],
      }],
    }],
  };

  test('a CR with its own store and a continuation line renders, the continuation kept (a raw Error from renderIni before)', () => {
    const text = '[DEFAULT]\nenabled_backends = default_backend:rbd\n[glance_store]\ndefault_backend = default_backend\n'
      + '[default_backend]\nrbd_store_pool = images\n'
      + '[cors]\nallowed_origin = https://a.example,\n  https://b.example\n';
    const m = synthFromCr({ customServiceConfig: text, ...cephMount });
    const custom = find(m, 'Secret', 'glance-default-internal-api-config').stringData['50-custom.conf'];
    expect(parseIni('test', custom)).toEqual({ cors: { allowed_origin: 'https://a.example,\nhttps://b.example' } });
  });

  test('a refusal in a CR with its own store names the CR\'s line, before the store\'s options leave the text', () => {
    const text = '[DEFAULT]\nenabled_backends = default_backend:rbd\n[glance_store]\ndefault_backend = default_backend\n'
      + '[default_backend]\nrbd_store_pool = images\n'
      + '[keystone_authtoken]\nmemcache_secret_key = ab$cd\n';
    let error: unknown;
    try {
      synthFromCr({ customServiceConfig: text, ...cephMount });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GlanceValidationError);
    expect((error as GlanceValidationError).prop).toBe('spec.customServiceConfig');
    expect((error as Error).message).toContain('(the option on line 8)');
  });

  test('a trick in an API\'s own text is refused at its CR path', () => {
    let error: unknown;
    try {
      synthFromCr({ glanceAPIs: { default: { replicas: 1, customServiceConfig: '[paste_deploy]\nx = 1\n\u00a0flavor = caching\n' } } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GlanceValidationError);
    expect((error as GlanceValidationError).prop).toBe('spec.glanceAPIs.default.customServiceConfig');
    expect((error as Error).message).toMatch(/no-break space/);
  });
});
