/**
 * keystone.registration on real Keystone 22 and real Glance 25.1.0: the registration Job's pod runs
 * in its sandbox as the kubelet would run it (the Glance image's keystoneauth1, its env and Secrets,
 * the script from its Secret volume), against a Keystone that has only what `keystone-manage
 * bootstrap` makes (admin, the identity endpoints, region regionOne) and a member user. Then a
 * user's `openstack` CLI finds Glance through the catalog, as it would from a laptop.
 */
import { execFile } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { App, Chart, Testing } from 'cdk8s';
import { Glance, GlanceRelease, ImageBackend, KeystoneRegistrationOptions } from '../../lib';
import { BASE_PROPS, find, Manifest, objectKey } from '../helpers';
import { GLANCE_IMAGES, realKeystone, requireRealGlance, SandboxedGlance } from './sandboxed-glance';
import { Keystone, requireKeystone } from '../sandbox/keystone';
import { RunResult } from '../sandbox/pod-sandbox';
import { until } from '../waiting';

const execFileAsync = promisify(execFile);
const STS = 'glance-default-single';
const NAMESPACE = 'openstack';
const GLANCE_PASSWORD = 'e2e-glance-service-password';
const KEYSTONE_HOST = `keystone-internal.${NAMESPACE}.svc`;
const MEMBER = { name: 'member', password: 'e2e-member-password', project: 'demo' };
const INTERNAL_URL = `http://glance-default.${NAMESPACE}.svc:9292`;
const PUBLIC_URL = `http://glance-default-public.${NAMESPACE}.svc:9292`;

const keystone = new Keystone();
let glance: SandboxedGlance;
const ADMIN_SECRET = { name: 'osp-secret', key: 'AdminPassword' };

function synthesize(registration: Partial<KeystoneRegistrationOptions> = {}, region = keystone.region): Manifest[] {
  const chart = new Chart(new App(), 'e2e', { namespace: NAMESPACE });
  new Glance(chart, 'glance', {
    ...BASE_PROPS,
    release: GlanceRelease.ZED,
    keystone: {
      authUrl: keystone.urlAt(KEYSTONE_HOST),
      passwordSecret: { name: 'osp-secret', key: 'GlancePassword' },
      region,
      registration: { adminPasswordSecret: ADMIN_SECRET, ...registration },
    },
    backend: ImageBackend.file({ sharedStore: { existingClaimName: 'glance-images-nfs' } }),
  });
  return Testing.synth(chart) as Manifest[];
}

function registrationJob(manifests: Manifest[]): string {
  const job = manifests.find((m) => m.kind === 'Job' && /^glance-keystone-[0-9a-f]{8}$/.test(m.metadata.name));
  if (!job) throw new Error(`no registration Job in ${manifests.map(objectKey).join(', ')}`);
  return job.metadata.name;
}

/** Runs the registration Job's pod once; its output must say how many changes it made. */
async function register(): Promise<RunResult & { changes: number; changed: string[] }> {
  const result = await glance.runJob('Job', registrationJob(glance.manifests));
  const summary = /glance-keystone-register: (\d+) change\(s\)/.exec(result.stdout);
  if (result.code !== 0 || !summary) throw new Error(`registration exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  const changed = result.stdout.split('\n').filter((line) => line.startsWith('changed: ')).map((line) => line.slice('changed: '.length));
  return { ...result, changes: Number(summary[1]), changed };
}

/** The image service's endpoints in a user's catalog: interface → URL and region. */
async function catalogImageEndpoints(): Promise<Record<string, { url: string; region: string }>> {
  const token = await keystone.validateToken(await keystone.token(MEMBER.name, MEMBER.password, MEMBER.project));
  const services = token.catalog.filter((s: any) => s.type === 'image');
  expect(services.map((s: any) => s.name)).toEqual(['glance']);
  return Object.fromEntries(services[0].endpoints.map((e: any) => [e.interface, { url: e.url, region: e.region_id }]));
}

/** The endpoints of the image service as the admin API lists them (ids included). */
async function imageEndpoints(): Promise<Array<{ id: string; interface: string; url: string; region_id: string }>> {
  const service = (await keystone.request('GET', '/v3/services?type=image', { token: await keystone.adminToken() })).body.services[0];
  const listed = await keystone.request('GET', `/v3/endpoints?service_id=${service.id}`, { token: await keystone.adminToken() });
  return listed.body.endpoints.map((e: any) => ({ id: e.id, interface: e.interface, url: e.url, region_id: e.region_id }))
    .sort((a: any, b: any) => a.interface.localeCompare(b.interface));
}

/** A user's `openstack` CLI, which finds Glance in the catalog (no image URL given), with the cluster's DNS names. */
async function openstack(iface: 'public' | 'internal', ...args: string[]): Promise<string> {
  const env = {
    PATH: '/usr/bin:/bin',
    HOME: '/root',
    LANG: 'C.UTF-8',
    OS_AUTH_URL: `${keystone.urlAt(KEYSTONE_HOST)}/v3`,
    OS_IDENTITY_API_VERSION: '3',
    OS_USERNAME: MEMBER.name,
    OS_PASSWORD: MEMBER.password,
    OS_PROJECT_NAME: MEMBER.project,
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: keystone.region,
    OS_INTERFACE: iface,
  };
  const { stdout } = await execFileAsync('bwrap', [...glance.node.clientArgs(), '--', '/bin/sh', '-c', 'exec openstack "$@" <&-', 'openstack',
    ...args], { env, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

beforeAll(async () => {
  requireRealGlance(GLANCE_IMAGES.bookworm);
  requireKeystone();
  await keystone.start();
  const demo = await keystone.createProject(MEMBER.project);
  const user = await keystone.createUser(MEMBER.name, MEMBER.password, demo);
  await keystone.grantRole(user, demo, await keystone.createRole('member'));
  glance = new SandboxedGlance(synthesize(), STS, NAMESPACE, { 'glance-images-nfs': '1Gi' }, GLANCE_IMAGES.bookworm,
    { 'osp-secret': { GlancePassword: GLANCE_PASSWORD, AdminPassword: keystone.adminPassword } },
    { keystone: realKeystone(keystone, KEYSTONE_HOST) });
});

afterAll(async () => {
  await glance?.destroy();
  await keystone.stop();
});

describe('keystone.registration against real Keystone', () => {
  let endpointIds: string[];

  test('the Job makes the service user, its roles, the image service and both endpoints: a user\'s catalog lists them', async () => {
    expect(await keystone.findByName('services', 'glance')).toBeUndefined();
    const run = await register();
    console.log(`keystone registration, first run: ${run.changes} change(s): ${run.changed.join('; ')}`);
    expect(run.changed).toEqual([
      'project service created',
      'user glance created',
      'role admin of glance on service granted',
      'role service created',
      'role service of glance on service granted',
      'service glance (image) created',
      `internal endpoint ${INTERNAL_URL} created`,
      `public endpoint ${PUBLIC_URL} created`,
    ]);
    expect(await catalogImageEndpoints()).toEqual({
      internal: { url: INTERNAL_URL, region: keystone.region },
      public: { url: PUBLIC_URL, region: keystone.region },
    });
    // The user Glance authenticates as: its password from the Secret, scoped to the service project.
    await expect(keystone.token('glance', GLANCE_PASSWORD, 'service')).resolves.toEqual(expect.any(String));
    endpointIds = (await imageEndpoints()).map((e) => e.id);
  });

  test('a second run changes nothing', async () => {
    const run = await register();
    expect(run.changes).toBe(0);
    expect(run.changed).toEqual([]);
    expect(run.stdout).toContain(`unchanged: public endpoint ${PUBLIC_URL}`);
    expect((await imageEndpoints()).map((e) => e.id)).toEqual(endpointIds);
  });

  test('Glance, with the user the Job made, serves a user who found it through the catalog: openstack image create and list', async () => {
    await glance.prepare();
    await glance.start(0);
    const file = join(mkdtempSync(join(tmpdir(), 'registration-')), 'image.raw');
    writeFileSync(file, Buffer.alloc(64 * 1024, 7));
    const created = JSON.parse(await openstack('public', 'image', 'create', '--disk-format', 'raw', '--container-format', 'bare',
      '--file', file, '-f', 'json', 'found-through-the-catalog'));
    // openstacksdk prints the image it created before the upload it then makes: its status is read after.
    await until('the image uploaded through the catalog is active',
      async () => JSON.parse(await openstack('public', 'image', 'show', '-f', 'json', created.id)).status === 'active');
    for (const iface of ['public', 'internal'] as const) {
      const listed = JSON.parse(await openstack(iface, 'image', 'list', '-f', 'json'));
      expect(listed.map((image: any) => image.Name)).toEqual(['found-through-the-catalog']);
    }
  });

  test('a changed URL is a new Job, which updates the endpoint in place', async () => {
    const before = registrationJob(glance.manifests);
    const publicUrl = 'https://glance.cloud.example.test';
    glance.manifests = synthesize({ publicUrl });
    glance.node.apply(glance.manifests);
    expect(registrationJob(glance.manifests)).not.toBe(before);
    const run = await register();
    expect(run.changed).toEqual([`public endpoint ${publicUrl} (was ${PUBLIC_URL})`]);
    expect((await catalogImageEndpoints()).public).toEqual({ url: publicUrl, region: keystone.region });
    expect((await imageEndpoints()).map((e) => e.id)).toEqual(endpointIds);
    // And back, for the tests after.
    glance.manifests = synthesize();
    glance.node.apply(glance.manifests);
    expect((await register()).changed).toEqual([`public endpoint ${PUBLIC_URL} (was ${publicUrl})`]);
  });

  test('the Secret\'s service password wins: one changed in Keystone is set back', async () => {
    const user = await keystone.findByName('users', 'glance');
    const patched = await keystone.request('PATCH', `/v3/users/${user!.id}`,
      { token: await keystone.adminToken(), body: { user: { password: 'changed-behind-our-back' } } });
    expect(patched.status).toBe(200);
    const run = await register();
    expect(run.changed).toEqual(['user glance: password']);
    await expect(keystone.token('glance', GLANCE_PASSWORD, 'service')).resolves.toEqual(expect.any(String));
  });

  test('a wrong admin password fails the Job with Keystone\'s answer, and changes nothing', async () => {
    glance.node.setSecret('osp-secret', { GlancePassword: GLANCE_PASSWORD, AdminPassword: 'not-the-admin-password' });
    try {
      const run = await glance.runJob('Job', registrationJob(glance.manifests));
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/glance-keystone-register: .*(401|Unauthorized)/);
      expect(run.stdout).not.toContain('changed:');
    } finally {
      glance.node.setSecret('osp-secret', { GlancePassword: GLANCE_PASSWORD, AdminPassword: keystone.adminPassword });
    }
  });

  test('a region where Keystone has no internal identity endpoint fails the Job before any change, naming Keystone\'s region', async () => {
    glance.manifests = synthesize({}, 'nowhere');
    glance.node.apply(glance.manifests);
    try {
      const run = await glance.runJob('Job', registrationJob(glance.manifests));
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`Keystone has no internal identity endpoint in region nowhere (it has one in: ${keystone.region})`);
      expect(run.stdout).not.toContain('changed:');
      const region = await keystone.request('GET', '/v3/regions/nowhere', { token: await keystone.adminToken() });
      expect(region.status).toBe(404);
    } finally {
      glance.manifests = synthesize();
      glance.node.apply(glance.manifests);
    }
  });

  test('the Job\'s pod is restricted and holds no credential in its spec', () => {
    const pod = find(glance.manifests, 'Job', registrationJob(glance.manifests)).spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    const env = pod.containers[0].env;
    const fromSecrets = env.filter((e: any) => e.valueFrom).map((e: any) => [e.name, e.valueFrom.secretKeyRef]);
    expect(fromSecrets).toEqual([['ADMIN_PASSWORD', ADMIN_SECRET], ['SERVICE_PASSWORD', { name: 'osp-secret', key: 'GlancePassword' }]]);
    expect(JSON.stringify(pod)).not.toContain(keystone.adminPassword);
  });
});
