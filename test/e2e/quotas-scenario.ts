/**
 * quotas (Keystone unified limits) on real Glance (25.1.0 of bookworm, 2022.2 Zed, with oslo.limit
 * 2.0.1; 30.0.0 of trixie, 2025.1 Epoxy, with oslo.limit 2.6.1) and real Keystone 22: the
 * registration Job registers the four limits and grants the service user the system role reader;
 * each API process reads the limits of the requesting project with a system-scoped token, for the
 * endpoint whose id its starter looked up (glance-limits-endpoint.py). Three projects,
 * each with a member user, use the API as clients would: one fills its image count, one its staging,
 * and one still stages beside them.
 */
import { App, Chart, Testing } from 'cdk8s';
import { Glance, GlanceQuotaOptions, ImageBackend } from '../../lib';
import { BASE_PROPS, Manifest } from '../helpers';
import { GlanceImage, realKeystone, requireRealGlance, SandboxedGlance } from './sandboxed-glance';
import { Keystone, requireKeystone } from '../sandbox/keystone';
import { until } from '../waiting';

const STS = 'glance-default-single';
const NAMESPACE = 'openstack';
const GLANCE_PASSWORD = 'e2e-glance-service-password';
const KEYSTONE_HOST = `keystone-internal.${NAMESPACE}.svc`;
const QUOTAS: GlanceQuotaOptions = { imageSizeTotal: '64Mi', imageStageTotal: '1Mi', imageCountTotal: 3, imageCountUploading: 5 };
const PROJECTS = ['counted', 'staging', 'other'] as const;

/** The scenario on one Glance image. */
export function quotasScenario(image: GlanceImage): void {
  const keystone = new Keystone();
  let glance: SandboxedGlance;
  const tokens: Record<string, string> = {};

  function synthesize(quotas: GlanceQuotaOptions = QUOTAS): Manifest[] {
    const chart = new Chart(new App(), 'e2e', { namespace: NAMESPACE });
    new Glance(chart, 'glance', {
      ...BASE_PROPS,
      release: image.release,
      keystone: {
        authUrl: keystone.urlAt(KEYSTONE_HOST),
        passwordSecret: { name: 'osp-secret', key: 'GlancePassword' },
        region: keystone.region,
        registration: { adminPasswordSecret: { name: 'osp-secret', key: 'AdminPassword' } },
      },
      quotas,
      backend: ImageBackend.file({ sharedStore: { existingClaimName: 'glance-images-nfs' } }),
    });
    return Testing.synth(chart) as Manifest[];
  }

  function registrationJob(): string {
    return glance.manifests.find((m) => m.kind === 'Job' && /^glance-keystone-[0-9a-f]{8}$/.test(m.metadata.name))!.metadata.name;
  }

  async function register(): Promise<string[]> {
    const run = await glance.runJob('Job', registrationJob());
    if (run.code !== 0 || !/glance-keystone-register: \d+ change\(s\)/.test(run.stdout)) {
      throw new Error(`registration exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
    }
    return run.stdout.split('\n').filter((line) => line.startsWith('changed: ')).map((line) => line.slice('changed: '.length));
  }

  /** One call of the image API as a project's member: the status and the body. */
  function call(project: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    return glance.request(0, tokens[project], method, path, body);
  }


  async function createImage(project: string, name: string): Promise<{ status: number; id?: string; body: any }> {
    const created = await call(project, 'POST', '/v2/images', { name, disk_format: 'raw', container_format: 'bare' });
    return { status: created.status, id: created.body?.id, body: created.body };
  }

  beforeAll(async () => {
    requireRealGlance(image);
    requireKeystone();
    await keystone.start();
    const member = await keystone.createRole('member');
    for (const name of PROJECTS) {
      const project = await keystone.createProject(name);
      const user = await keystone.createUser(`${name}-member`, `${name}-password`, project);
      await keystone.grantRole(user, project, member);
    }
    glance = new SandboxedGlance(synthesize(), STS, NAMESPACE, { 'glance-images-nfs': '1Gi' }, image,
      { 'osp-secret': { GlancePassword: GLANCE_PASSWORD, AdminPassword: keystone.adminPassword } },
      { keystone: realKeystone(keystone, KEYSTONE_HOST) });
    await glance.prepare();
    // As on a first apply, the API starts beside the registration Job: its starter waits for the endpoint.
    await Promise.all([
      glance.start(0),
      until('the API waits for its endpoint', () => glance.apiLog(0).includes('waiting for Glance\'s internal endpoint')).then(register),
    ]);
    for (const name of PROJECTS) tokens[name] = await keystone.token(`${name}-member`, `${name}-password`, name);
  });

  afterAll(async () => {
    await glance?.destroy();
    await keystone.stop();
  });

  describe(`quotas against real Keystone and ${image.name}'s Glance`, () => {
    test('the registered limits are Keystone\'s defaults for Glance\'s service, in the region; a second run changes nothing', async () => {
      const service = await keystone.findByName('services', 'glance');
      const listed = await keystone.request('GET', `/v3/registered_limits?service_id=${service!.id}`, { token: await keystone.adminToken() });
      const limits = Object.fromEntries(listed.body.registered_limits.map((l: any) => [l.resource_name, [l.default_limit, l.region_id]]));
      expect(limits).toEqual({
        image_size_total: [64, keystone.region],
        image_stage_total: [1, keystone.region],
        image_count_total: [3, keystone.region],
        image_count_uploading: [5, keystone.region],
      });
      expect(await register()).toEqual([]);
    });

    test('the API process waited for the endpoint the Job registered, and reads the limits of its id', async () => {
      const service = await keystone.findByName('services', 'glance');
      const listed = await keystone.request('GET', `/v3/endpoints?service_id=${service!.id}&interface=internal`,
        { token: await keystone.adminToken() });
      expect(listed.body.endpoints).toHaveLength(1);
      // Before the Job, the service user does not exist yet: Keystone answers 401, and the starter waits.
      expect(glance.apiLog(0)).toMatch(/glance-limits-endpoint: waiting for Glance's internal endpoint in Keystone \(Unauthorized: .*\(HTTP 401\)/);
      expect(glance.apiLog(0)).toContain(`glance-limits-endpoint: oslo.limit reads the limits of endpoint ${listed.body.endpoints[0].id}`);
    });

    test('a project over image_count_total gets 413; another project still creates images', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await createImage('counted', `counted-${i}`)).status);
      console.log(`quotas: image_count_total 3, four creates in one project: ${statuses.join(', ')}`);
      expect(statuses).toEqual([201, 201, 201, 413]);
      expect((await createImage('other', 'other-0')).status).toBe(201);
    });

    test('image_stage_total bounds one project\'s staging while another project still stages', async () => {
      const first = await createImage('staging', 'staged-0');
      const second = await createImage('staging', 'staged-1');
      const twoMiB = new Uint8Array(2 * 1024 * 1024).fill(3);
      // A soft limit, as Glance documents it: the stage that crosses it completes, the next is refused.
      expect((await call('staging', 'PUT', `/v2/images/${first.id}/stage`, twoMiB)).status).toBe(204);
      const refused = await call('staging', 'PUT', `/v2/images/${second.id}/stage`, twoMiB);
      console.log(`quotas: image_stage_total 1 MiB, a second 2 MiB stage in the same project: ${refused.status}`);
      expect(refused.status).toBe(413);
      expect(JSON.stringify(refused.body)).toMatch(/image_stage_total/);
      const other = await createImage('other', 'other-staged');
      expect((await call('other', 'PUT', `/v2/images/${other.id}/stage`, new Uint8Array(512 * 1024).fill(4))).status).toBe(204);
    });

    test('a changed limit is a new Job, which updates the registered limit: the project may create one more image', async () => {
      const before = registrationJob();
      glance.manifests = synthesize({ ...QUOTAS, imageCountTotal: 4 });
      glance.node.apply(glance.manifests);
      expect(registrationJob()).not.toBe(before);
      expect(await register()).toEqual(['registered limit image_count_total = 4 (was 3)']);
      expect((await createImage('counted', 'counted-4')).status).toBe(201);
      expect((await createImage('counted', 'counted-5')).status).toBe(413);
    });
  });
}
