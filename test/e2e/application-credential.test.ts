/**
 * keystone.applicationCredentialSecret on real Glance 25.1.0 and real Keystone 22: the service
 * user's application credential, made by the user itself as keystone-operator makes one, in a Secret
 * with AC_ID and AC_SECRET. Its password is changed in Keystone after the registration Job ran, so
 * the Secret's password no longer works: every process that talks to Keystone (the API's token
 * checks, the quotas' starter and oslo.limit, the precache job) must use the credential.
 */
import { App, Chart, Testing } from 'cdk8s';
import { Glance, GlanceRelease, ImageBackend } from '../../lib';
import { BASE_PROPS, find, Manifest } from '../helpers';
import { GLANCE_IMAGES, realKeystone, requireRealGlance, SandboxedGlance } from './sandboxed-glance';
import { Keystone, KeystoneError, requireKeystone } from '../sandbox/keystone';
import { until } from '../waiting';

const STS = 'glance-default-single';
const NAMESPACE = 'openstack';
const GLANCE_PASSWORD = 'e2e-glance-service-password';
const KEYSTONE_HOST = `keystone-internal.${NAMESPACE}.svc`;
const INTERNAL_URL = `http://glance-default.${NAMESPACE}.svc:9292`;
const PUBLIC_URL = `http://glance-default-public.${NAMESPACE}.svc:9292`;
const AC_SECRET_NAME = 'ac-glance-secret';
const CACHED = 'cached-by-the-credential';

const keystone = new Keystone();
let glance: SandboxedGlance;
let memberToken: string;

function synthesize(): Manifest[] {
  const chart = new Chart(new App(), 'e2e', { namespace: NAMESPACE });
  new Glance(chart, 'glance', {
    ...BASE_PROPS,
    release: GlanceRelease.ZED,
    keystone: {
      authUrl: keystone.urlAt(KEYSTONE_HOST),
      passwordSecret: { name: 'osp-secret', key: 'GlancePassword' },
      region: keystone.region,
      applicationCredentialSecret: AC_SECRET_NAME,
      registration: { adminPasswordSecret: { name: 'osp-secret', key: 'AdminPassword' } },
    },
    quotas: { imageSizeTotal: '1Gi', imageStageTotal: '1Gi', imageCountTotal: 2, imageCountUploading: 2 },
    backend: ImageBackend.file({ sharedStore: { existingClaimName: 'glance-images-nfs' } }),
    imageCache: { size: '256Mi', precache: { images: [CACHED] } },
  });
  return Testing.synth(chart) as Manifest[];
}

function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  return glance.request(0, memberToken, method, path, body);
}

beforeAll(async () => {
  requireRealGlance(GLANCE_IMAGES.bookworm);
  requireKeystone();
  await keystone.start();
  const ids = await keystone.setupGlanceIdentities(GLANCE_PASSWORD, { public: PUBLIC_URL, internal: INTERNAL_URL });
  // The user makes its own credential (Keystone allows no one else): it carries the roles of this token.
  const serviceToken = await keystone.token('glance', GLANCE_PASSWORD, 'service');
  const made = await keystone.request('POST', `/v3/users/${ids.glanceUserId}/application_credentials`,
    { token: serviceToken, body: { application_credential: { name: 'glance-e2e' } } });
  expect(made.status).toBe(201);
  glance = new SandboxedGlance(synthesize(), STS, NAMESPACE, { 'glance-images-nfs': '1Gi' }, GLANCE_IMAGES.bookworm, {
    'osp-secret': { GlancePassword: GLANCE_PASSWORD, AdminPassword: keystone.adminPassword },
    [AC_SECRET_NAME]: { AC_ID: made.body.application_credential.id, AC_SECRET: made.body.application_credential.secret },
  }, { keystone: realKeystone(keystone, KEYSTONE_HOST) });
  const registered = await glance.runJob('Job', glance.manifests.find((m) => /^glance-keystone-[0-9a-f]{8}$/.test(m.metadata.name))!.metadata.name);
  expect([registered.code, registered.stderr]).toEqual([0, '']);
  // From now on the Secret's password is wrong: only the credential authenticates the service user.
  const changed = await keystone.request('PATCH', `/v3/users/${ids.glanceUserId}`,
    { token: await keystone.adminToken(), body: { user: { password: 'changed-after-registration' } } });
  expect(changed.status).toBe(200);
  await glance.prepare();
  await glance.start(0);
  memberToken = await keystone.token('member', 'demo-member-secret', 'demo');
});

afterAll(async () => {
  await glance?.destroy();
  await keystone.stop();
});

describe('the service user\'s application credential, against real Keystone', () => {
  test('the Secret\'s password is refused by Keystone now: what follows can only be the credential\'s doing', async () => {
    await expect(keystone.token('glance', GLANCE_PASSWORD, 'service')).rejects.toThrow(KeystoneError);
  });

  test('the API checks a member\'s token with it, and the quotas (its starter and oslo.limit) read the limits with it', async () => {
    const statuses: number[] = [];
    for (const name of ['one', 'two', 'three']) {
      statuses.push((await call('POST', '/v2/images', { name, disk_format: 'raw', container_format: 'bare' })).status);
    }
    console.log(`application credential: three creates with image_count_total 2: ${statuses.join(', ')}`);
    expect(statuses).toEqual([201, 201, 413]);
    expect(glance.apiLog(0)).toMatch(/glance-limits-endpoint: oslo\.limit reads the limits of endpoint [0-9a-f]{32}/);
  });

  test('the precache job authenticates with it, resolves the image by name and queues it: the replica caches it', async () => {
    // Room for one more image: the member deletes one.
    const listed = await call('GET', '/v2/images');
    expect((await call('DELETE', `/v2/images/${listed.body.images[0].id}`)).status).toBe(204);
    const created = await call('POST', '/v2/images', { name: CACHED, disk_format: 'raw', container_format: 'bare' });
    expect(created.status).toBe(201);
    expect((await call('PUT', `/v2/images/${created.body.id}/file`, new Uint8Array(256 * 1024).fill(9))).status).toBe(204);
    const run = await glance.runCacheJob('precache', 0);
    expect([run.code, run.stdout + run.stderr])
      .toEqual([0, expect.stringContaining(`: queued 1 (${created.body.id}), already cached or queued 0, skipped 0, failed 0`)]);
    await until('the replica caches the precached image', async () => (await glance.cachedImages(0)).includes(created.body.id), { everyMs: 500 });
  });

  test('no password reaches a process that can use the credential: the API and precache get the credential\'s env only', () => {
    const api = find(glance.manifests, 'StatefulSet', STS).spec.template.spec.containers.find((c: any) => c.name === 'glance-api');
    const names = api.env.map((e: any) => e.name);
    expect(names).toEqual(expect.arrayContaining(['OS_KEYSTONE_AUTHTOKEN__APPLICATION_CREDENTIAL_ID',
      'OS_OSLO_LIMIT__APPLICATION_CREDENTIAL_SECRET']));
    expect(names.filter((name: string) => name.endsWith('__PASSWORD'))).toEqual([]);
    const precache = find(glance.manifests, 'CronJob', `${STS}-0-precache`).spec.jobTemplate.spec.template.spec.containers[0].env;
    expect(precache.filter((e: any) => e.name.startsWith('OS_KEYSTONE_AUTHTOKEN__')).map((e: any) => [e.name, e.valueFrom.secretKeyRef])).toEqual([
      ['OS_KEYSTONE_AUTHTOKEN__APPLICATION_CREDENTIAL_ID', { name: AC_SECRET_NAME, key: 'AC_ID' }],
      ['OS_KEYSTONE_AUTHTOKEN__APPLICATION_CREDENTIAL_SECRET', { name: AC_SECRET_NAME, key: 'AC_SECRET' }],
    ]);
    expect(glance.glanceConf.keystone_authtoken.auth_type).toBe('v3applicationcredential');
    expect(glance.glanceConf.keystone_authtoken.username).toBeUndefined();
  });
});
