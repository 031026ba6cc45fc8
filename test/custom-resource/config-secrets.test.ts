/**
 * customServiceConfigSecrets from a CR: configSecrets, per API as the glance-operator resolves them
 * (glance_controller.go apiDeploymentCreateOrUpdate: an API's own list where not empty, else the
 * top level's), and the glance-operator's s3 layout (the store's section in customServiceConfig,
 * its endpoint and keys in those Secrets: ImageBackend.s3's fromConfigSecrets).
 */
import { CONFIG_SECRETS_RULES } from '../../lib/config-secrets';
import { expectInvalid, find, Manifest } from '../helpers';
import { glance, noStore, synthFromCr } from './cr-helpers';

const rulesOf = (m: Manifest[], sts: string) => {
  const text = find(m, 'Secret', `${sts}-config`).stringData[CONFIG_SECRETS_RULES];
  return text === undefined ? undefined : JSON.parse(text);
};
const secretsOf = (m: Manifest[], sts: string) => rulesOf(m, sts)?.secrets;

describe('customServiceConfigSecrets', () => {
  const m = synthFromCr(glance({
    customServiceConfigSecrets: ['top-a', 'top-b'],
    keystoneEndpoint: 'default',
    glanceAPIs: {
      default: {},
      own: { type: 'edge', customServiceConfigSecrets: ['own'] },
      empty: { type: 'edge', customServiceConfigSecrets: [] },
    },
  }));

  test('an API without its own gets the top level\'s, in order', () => {
    expect(secretsOf(m, 'glance-default-internal-api')).toEqual(['top-a', 'top-b']);
    expect(secretsOf(m, 'glance-default-external-api')).toEqual(['top-a', 'top-b']);
  });

  test('an API\'s own replace them; an empty list is none of its own, so the top level\'s (as the operator reads it)', () => {
    expect(secretsOf(m, 'glance-own-edge-api')).toEqual(['own']);
    expect(secretsOf(m, 'glance-empty-edge-api')).toEqual(['top-a', 'top-b']);
  });

  test('none anywhere: no check, no volumes of theirs', () => {
    const plain = synthFromCr(glance({ customServiceConfigSecrets: [] }));
    expect(rulesOf(plain, 'glance-default-internal-api')).toBeUndefined();
  });

  test.each([
    [{ customServiceConfigSecrets: ['Bad_Name'] }, 'spec.customServiceConfigSecrets[0]', /is not a Secret name/],
    [{ glanceAPIs: { a: { customServiceConfigSecrets: ['s', 's'] } } }, 'spec.glanceAPIs.a.customServiceConfigSecrets[1]',
      /names the Secret of .*\[0\] again/],
  ])('refused where written: %j', (spec, path, message) => {
    expectInvalid(() => synthFromCr(glance(spec)), path, message);
  });
});

describe('the s3 store, its endpoint and keys in customServiceConfigSecrets', () => {
  const S3 = '[DEFAULT]\nenabled_backends = default_backend:s3\n[glance_store]\ndefault_backend = default_backend\n[default_backend]\n'
    + 's3_store_bucket_url_format = "path"\ns3_store_large_object_size = 0\n';
  const m = synthFromCr(glance({ customServiceConfig: S3, glanceAPIs: { default: { customServiceConfigSecrets: ['s3glance'] } } }), noStore());
  const rules = rulesOf(m, 'glance-default-internal-api');
  const conf = find(m, 'Secret', 'glance-default-internal-api-config').stringData['00-glance.conf'];

  test('the Secrets must set the endpoint, bucket and keys, and may: the pod refuses to start without them', () => {
    expect(Object.keys(rules.required).sort()).toEqual(['default_backend.s3_store_access_key', 'default_backend.s3_store_bucket',
      'default_backend.s3_store_host', 'default_backend.s3_store_secret_key']);
    for (const option of Object.keys(rules.required)) expect(rules.managed[option]).toBeUndefined();
  });

  test('the library renders the store\'s options it maps, glance_store\'s defaults where the CR says nothing; the rest stays the user\'s', () => {
    expect(conf).toMatch(/\[default_backend\]\ns3_store_create_bucket_on_put = false\ns3_store_bucket_url_format = path\n/);
    expect(conf).not.toMatch(/s3_store_host|s3_store_bucket =|s3_store_access_key|s3_store_secret_key/);
    const custom = find(m, 'Secret', 'glance-default-internal-api-config').stringData['50-custom.conf'];
    expect(custom).toMatch(/\[default_backend\]\ns3_store_large_object_size = 0/);
    // No key reaches the container's environment: they are in the Secrets' text.
    const env = find(m, 'StatefulSet', 'glance-default-internal-api').spec.template.spec.containers[0].env.map((e: any) => e.name);
    expect(env.filter((name: string) => /S3/.test(name))).toEqual([]);
  });

  test('without customServiceConfigSecrets, refused where they are missing', () => {
    expectInvalid(() => synthFromCr(glance({ customServiceConfig: S3 }), noStore()), 'spec.customServiceConfigSecrets',
      /lists no Secret, and apis\.default's store takes \[default_backend\] s3_store_host, \[default_backend\] s3_store_bucket, /);
  });
});

describe('the reader\'s options, left out by a JavaScript caller', () => {
  test.each([
    ['no options at all', null, 'options', /is not an object of the reader's options/],
    ['no database', { keystoneAuthUrl: 'http://keystone:5000' }, '--database-secret', /is required/],
  ])('%s: a validation error, not a TypeError', (_what, options, prop, message) => {
    expectInvalid(() => synthFromCr(glance({}), options as any), prop, message);
  });
});
