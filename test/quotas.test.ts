/**
 * quotas on the synthesized output: use_keystone_limits and [oslo_limit] in the API's config, the
 * password from the Secret, the starter that looks up the endpoint id, the limits the registration
 * Job registers, and what is refused. Real Keystone and Glance: test/e2e/quotas-*.test.ts.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { GlanceProps, GlanceQuotaOptions, GlanceRelease } from '../lib';
import { BASE_PROPS, expectInvalid, find, glanceConf, Manifest, synthGlance } from './helpers';
import { OSLO_ENV_ESCAPE } from '../lib/pod-security';

const STS = 'glance-default-single';
const QUOTAS: GlanceQuotaOptions = { imageSizeTotal: '100Gi', imageStageTotal: '1.5Gi', imageCountTotal: 100, imageCountUploading: 2 };
const REGISTRATION = { adminPasswordSecret: { name: 'osp-secret', key: 'AdminPassword' } };
// The library's escape of the OS_* variables, as the kubelet receives it ($ written $$).
const OSLO_ENV_ESCAPE_LITERAL = OSLO_ENV_ESCAPE.replace(/\$/g, '$$$$');
const STARTER = readFileSync(join(__dirname, '..', 'lib', 'keystone', 'glance-limits-endpoint.py'), 'utf8');

const withQuotas = (quotas: unknown = QUOTAS, more: Partial<GlanceProps> = {}) => synthGlance({
  keystone: { ...BASE_PROPS.keystone, region: 'regionOne', registration: REGISTRATION }, quotas: quotas as GlanceQuotaOptions, ...more,
});
const apiContainer = (m: Manifest[]) => find(m, 'StatefulSet', STS).spec.template.spec.containers.find((c: any) => c.name === 'glance-api');
const registrationEnv = (m: Manifest[]) => Object.fromEntries(m.find((o) => o.kind === 'Job' && o.metadata.name.startsWith('glance-keystone-'))!
  .spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('quotas', () => {
  test('the API enforces Keystone\'s limits as the service user, system-scoped, through Keystone\'s internal endpoint in the region', () => {
    const conf = glanceConf(withQuotas(), STS);
    expect(conf.DEFAULT.use_keystone_limits).toBe('true');
    expect(conf.oslo_limit).toEqual({
      auth_url: 'http://keystone.openstack.svc:5000',
      auth_type: 'password',
      username: 'glance',
      user_domain_name: 'Default',
      system_scope: 'all',
      valid_interfaces: 'internal',
      region_name: 'regionOne',
    });
  });

  test('its password from the service user\'s Secret, in the environment; no endpoint id in the config: the starter looks it up', () => {
    const m = withQuotas();
    expect(apiContainer(m).env).toContainEqual({ name: 'OS_OSLO_LIMIT__PASSWORD', valueFrom: { secretKeyRef: BASE_PROPS.keystone.passwordSecret } });
    expect(apiContainer(m).command).toEqual(['python3', '/etc/glance/glance.conf.d/glance-limits-endpoint.py',
      'python3', '-c', OSLO_ENV_ESCAPE_LITERAL, 'glance-api',
      '--config-file=/etc/glance/glance.conf.d/glance-api.conf', '--config-dir=/etc/glance/glance.conf.d']);
    expect(find(m, 'Secret', `${STS}-config`).stringData['glance-limits-endpoint.py']).toBe(STARTER);
    expect(find(m, 'Secret', `${STS}-config`).stringData['00-glance.conf']).not.toMatch(/^(endpoint_id|password) =/m);
  });

  test('under uWSGI (2026.1 on), the starter becomes uWSGI', () => {
    expect(apiContainer(withQuotas(QUOTAS, { release: GlanceRelease.of('2026.1') })).command)
      .toEqual(['python3', '/etc/glance/glance.conf.d/glance-limits-endpoint.py', 'python3', '-c', OSLO_ENV_ESCAPE_LITERAL, 'uwsgi', '--ini',
        '/etc/glance/glance.conf.d/glance-api-uwsgi.ini']);
  });

  test('the registration Job registers the four limits, sizes in whole MiB', () => {
    expect(registrationEnv(withQuotas()).REGISTERED_LIMITS)
      .toBe('image_size_total=102400,image_stage_total=1536,image_count_total=100,image_count_uploading=2');
    expect(registrationEnv(withQuotas({ imageSizeTotal: '0', imageStageTotal: '1Mi', imageCountTotal: 0, imageCountUploading: 0 })).REGISTERED_LIMITS)
      .toBe('image_size_total=0,image_stage_total=1,image_count_total=0,image_count_uploading=0');
  });

  test('with TLS, oslo.limit trusts the CA bundle', () => {
    const m = withQuotas(QUOTAS, { tls: { caBundleSecret: { name: 'combined-ca-bundle', key: 'tls-ca-bundle.pem' } } });
    expect(glanceConf(m, STS).oslo_limit.cafile).toBe('/etc/glance/tls/ca/tls-ca-bundle.pem');
  });

  test('without quotas, none of it: the plain command, no limits, no oslo_limit', () => {
    const m = synthGlance({ keystone: { ...BASE_PROPS.keystone, registration: REGISTRATION } });
    expect(apiContainer(m).command[1]).toBe('-c');
    expect(apiContainer(m).env.map((e: any) => e.name)).not.toContain('OS_OSLO_LIMIT__PASSWORD');
    const conf = glanceConf(m, STS);
    expect([conf.DEFAULT.use_keystone_limits, conf.oslo_limit]).toEqual([undefined, undefined]);
    expect(registrationEnv(m).REGISTERED_LIMITS).toBeUndefined();
    expect(Object.keys(find(m, 'Secret', `${STS}-config`).stringData)).not.toContain('glance-limits-endpoint.py');
  });

  test('customServiceConfig may then not set what quotas write', () => {
    for (const line of ['[DEFAULT]\nuse_keystone_limits = false\n', '[oslo_limit]\nendpoint_id = abc\n', '[oslo_limit]\nusername = other\n']) {
      expectInvalid(() => withQuotas(QUOTAS, { customServiceConfig: line }), 'customServiceConfig',
        /overrides an option cdk8s-glance manages.*quotas/);
    }
  });
});

test('a size of as many MiB as a safe integer holds is registered whole', () => {
  const most = `${Number.MAX_SAFE_INTEGER}Mi`;
  expect(registrationEnv(withQuotas({ ...QUOTAS, imageSizeTotal: most })).REGISTERED_LIMITS).toContain(`image_size_total=${Number.MAX_SAFE_INTEGER}`);
});

describe('quotas refused at synth time', () => {
  test.each([
    ['not an object', 5, 'quotas', /is not an object/],
    ['null', null, 'quotas', /is not an object/],
    ['a size that is no text', { ...QUOTAS, imageSizeTotal: 5 }, 'quotas.imageSizeTotal', /is not a Kubernetes quantity of bytes/],
    // Its bytes round up to 1 MiB: a fraction of a byte is no whole number of MiB.
    ['a size with a fraction of a byte', { ...QUOTAS, imageSizeTotal: '1048575.5' }, 'quotas.imageSizeTotal', /is not a whole number of MiB/],
    ['more MiB than a safe integer', { ...QUOTAS, imageSizeTotal: `${BigInt(Number.MAX_SAFE_INTEGER) + 1n}Mi` }, 'quotas.imageSizeTotal',
      /is not a whole number of MiB/],
    ['a size not in whole MiB', { ...QUOTAS, imageSizeTotal: '1.5Mi' }, 'quotas.imageSizeTotal', /is not a whole number of MiB/],
    ['a size in bytes', { ...QUOTAS, imageStageTotal: '1000' }, 'quotas.imageStageTotal', /is not a whole number of MiB/],
    ['a size in milli-bytes', { ...QUOTAS, imageStageTotal: '1024m' }, 'quotas.imageStageTotal', /is not a Kubernetes quantity of bytes/],
    ['no quantity', { ...QUOTAS, imageSizeTotal: 'lots' }, 'quotas.imageSizeTotal', /is not a Kubernetes quantity of bytes/],
    ['a negative count', { ...QUOTAS, imageCountTotal: -1 }, 'quotas.imageCountTotal', /is not a whole number of 0 or more/],
    ['a fractional count', { ...QUOTAS, imageCountUploading: 1.5 }, 'quotas.imageCountUploading', /is not a whole number of 0 or more/],
    ['a missing count', { ...QUOTAS, imageCountUploading: undefined }, 'quotas.imageCountUploading', /is not a whole number/],
  ])('%s', (_what, quotas, prop, message) => {
    expectInvalid(() => withQuotas(quotas), prop, message);
  });

  test.each([
    'auth_url', 'auth_type', 'username', 'password', 'user_domain_name', 'user_domain_id', 'system_scope', 'project_name', 'project_id',
    'endpoint_id', 'endpoint_service_type', 'endpoint_service_name', 'endpoint_interface', 'endpoint_region_name', 'cafile', 'valid_interfaces',
    'region_name', 'application_credential_id', 'application_credential_secret', 'application_credential_name',
  ])('[oslo_limit] %s in customServiceConfig: the library writes [oslo_limit] with quotas', (option) => {
    expectInvalid(() => withQuotas(QUOTAS, { customServiceConfig: `[oslo_limit]\n${option} = x\n` }), 'customServiceConfig',
      new RegExp(`overrides an option cdk8s-glance manages \\(got "\\[oslo_limit\\] ${option}"\\)\\. Fix: remove it and set quotas`));
  });

  test('without keystone.registration, whose Job registers the limits', () => {
    expectInvalid(() => synthGlance({ quotas: QUOTAS }), 'keystone.registration', /is needed for quotas/);
  });

  test('with limits.userStorageQuota, which Glance then ignores', () => {
    expectInvalid(() => withQuotas(QUOTAS, { limits: { userStorageQuota: '1Ti' } }), 'limits.userStorageQuota',
      /is ignored by Glance once quotas are set/);
  });
});
