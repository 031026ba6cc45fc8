/**
 * keystone.applicationCredentialSecret on the synthesized output: which processes authenticate
 * with the credential, and from where. Real Keystone and Glance: test/e2e/application-credential.test.ts.
 */
import { GlanceProps, ImageBackend } from '../lib';
import { BASE_PROPS, expectInvalid, find, glanceConf, Manifest, synthGlance } from './helpers';

const STS = 'glance-default-single';
const AC = 'ac-glance-secret';
const withAc = (more: Partial<GlanceProps> = {}, secret: unknown = AC) => synthGlance({
  ...more, keystone: { ...BASE_PROPS.keystone, ...more.keystone, applicationCredentialSecret: secret as string },
});
const envOf = (container: any) => Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.valueFrom?.secretKeyRef ?? e.value]));
const apiEnv = (m: Manifest[]) => envOf(find(m, 'StatefulSet', STS).spec.template.spec.containers.find((c: any) => c.name === 'glance-api'));
const ID = { name: AC, key: 'AC_ID' };
const SECRET = { name: AC, key: 'AC_SECRET' };

describe('keystone.applicationCredentialSecret', () => {
  test('the API checks tokens with it: auth_type v3applicationcredential, no user, project or domain, and its id and secret from the Secret', () => {
    const m = withAc();
    const authtoken = glanceConf(m, STS).keystone_authtoken;
    expect(authtoken.auth_type).toBe('v3applicationcredential');
    expect(Object.keys(authtoken).filter((k) => /^(username|password|project_name|user_domain_name|project_domain_name)$/.test(k))).toEqual([]);
    expect(authtoken.auth_url).toBe(BASE_PROPS.keystone.authUrl);
    const env = apiEnv(m);
    expect([env.OS_KEYSTONE_AUTHTOKEN__APPLICATION_CREDENTIAL_ID, env.OS_KEYSTONE_AUTHTOKEN__APPLICATION_CREDENTIAL_SECRET]).toEqual([ID, SECRET]);
    expect(Object.keys(env).filter((name) => name.endsWith('__PASSWORD'))).toEqual([]);
  });

  test('without it, the password, as before', () => {
    const m = synthGlance({});
    expect(glanceConf(m, STS).keystone_authtoken)
      .toEqual(expect.objectContaining({ auth_type: 'password', username: 'glance', project_name: 'service' }));
    expect(apiEnv(m).OS_KEYSTONE_AUTHTOKEN__PASSWORD).toEqual(BASE_PROPS.keystone.passwordSecret);
  });

  test('the precache jobs (CronJobs and first run) authenticate with it', () => {
    const m = withAc({ imageCache: { size: '1Gi', precache: { images: ['cirros'] } } });
    const job = m.find((o) => o.kind === 'Job' && o.metadata.name.startsWith(`${STS}-precache-`))!;
    for (const container of [find(m, 'CronJob', `${STS}-0-precache`).spec.jobTemplate.spec.template.spec.containers[0],
      job.spec.template.spec.containers[0]]) {
      const env = envOf(container);
      expect([env.OS_KEYSTONE_AUTHTOKEN__APPLICATION_CREDENTIAL_ID, env.OS_KEYSTONE_AUTHTOKEN__APPLICATION_CREDENTIAL_SECRET]).toEqual([ID, SECRET]);
      expect(env.OS_KEYSTONE_AUTHTOKEN__PASSWORD).toBeUndefined();
    }
  });

  test('with quotas, oslo.limit too: project-scoped as the credential is, no system scope', () => {
    const m = withAc({
      keystone: { ...BASE_PROPS.keystone, registration: { adminPasswordSecret: { name: 'osp-secret', key: 'AdminPassword' } } },
      quotas: { imageSizeTotal: '1Gi', imageStageTotal: '1Gi', imageCountTotal: 10, imageCountUploading: 1 },
    });
    expect(glanceConf(m, STS).oslo_limit)
      .toEqual({ auth_url: BASE_PROPS.keystone.authUrl, auth_type: 'v3applicationcredential', valid_interfaces: 'internal' });
    expect([apiEnv(m).OS_OSLO_LIMIT__APPLICATION_CREDENTIAL_ID, apiEnv(m).OS_OSLO_LIMIT__APPLICATION_CREDENTIAL_SECRET]).toEqual([ID, SECRET]);
    // The registration Job sets the user's password: it keeps the password Secret.
    const registration = m.find((o) => o.kind === 'Job' && o.metadata.name.startsWith('glance-keystone-'))!;
    expect(envOf(registration.spec.template.spec.containers[0]).SERVICE_PASSWORD).toEqual(BASE_PROPS.keystone.passwordSecret);
  });

  test('the swift store keeps the password: glance_store authenticates with a user and key', () => {
    const m = withAc({ backend: ImageBackend.swift() });
    expect(apiEnv(m)).toEqual(expect.objectContaining({ OS_DEFAULT_BACKEND__SWIFT_STORE_KEY: BASE_PROPS.keystone.passwordSecret }));
  });

  test.each([
    ['', /is not a Secret name/],
    ['AC_Secret', /is not a Secret name/],
    [5, /is not a Secret name/],
    ['a'.repeat(254), /is not a Secret name/],
  ])('%j is refused', (secret, message) => {
    expectInvalid(() => withAc({}, secret), 'keystone.applicationCredentialSecret', message);
  });

  test('it may not take the name of a Secret the chart makes', () => {
    expectInvalid(() => withAc({}, 'glance-db-config'), 'keystone.applicationCredentialSecret', /names a Secret that this chart creates/);
  });
});
