/**
 * The synthesized deployment with a real Keystone (Debian's Keystone 22, ../sandbox/keystone.ts)
 * in front of real Glance 25.1.0, every Glance process in its pod sandbox. Nothing of the auth
 * pipeline is overlaid: the `keystone+caching` flavor, the `[keystone_authtoken]` section with the
 * password from OS_KEYSTONE_AUTHTOKEN__PASSWORD, and the cache API policy are ours. The overlay
 * sets only each replica's bind_host. Keystone's URLs are its cluster DNS names, which the pods'
 * /etc/hosts resolve to the loopback address it listens on.
 *
 * Proves the auth matrix of the cache API, the reference steps as admin, and imageCache.precache:
 * with images it cannot cache listed first (deactivated, still uploading, deleted, missing), it
 * caches the others on every replica and waits until they are cached; it fails only when nothing
 * could be done (its replica down).
 */
import { execFileSync } from 'child_process';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { Glance, GlanceRelease, ImageBackend } from '../../lib';
import { BASE_PROPS, find, Manifest, ofKind } from '../helpers';
import { GLANCE_IMAGES, realKeystone, requireRealGlance, SandboxedGlance } from './sandboxed-glance';
import { Keystone, requireKeystone } from '../sandbox/keystone';
import { until } from '../waiting';

const STS = 'glance-default-single';
const NAMESPACE = 'openstack';
const GLANCE_PASSWORD = 'e2e-glance-service-password';
const KEYSTONE_HOST = `keystone-internal.${NAMESPACE}.svc`;
const OPERATOR = { name: 'cache-operator', password: 'e2e-cache-operator-password' };
// A policy that lets admins and a custom role use the cache API: members still get 403.
const CACHE_POLICY = 'role:admin or role:cache_operator';
const PRECACHED = 'precache-me';
const MISSING = 'no-such-image';
// Listed before and between the images precache can cache: each used to end the job at once.
const BLOCKED = 'blocked-image';
const UPLOADING = 'uploading-image';
const DELETED_ID = '0d0e1e7e-0000-4000-8000-00000000dead';
/** Private to the demo project, not the service user's: the service user, an admin, sees and caches it. */
const PRIVATE_ID = '0d0e1e7e-0000-4000-8000-0000000041e0';
const PRECACHE_LIST = [BLOCKED, PRECACHED, UPLOADING, DELETED_ID, MISSING, PRIVATE_ID];

const keystone = new Keystone();
let glance: SandboxedGlance;
let member: { name: string; password: string };
let demoProjectId: string;
const lines: string[] = [];

function synthesize(): Manifest[] {
  const chart = new Chart(new App(), 'e2e', { namespace: NAMESPACE });
  new Glance(chart, 'glance', {
    ...BASE_PROPS,
    release: GlanceRelease.ZED,
    keystone: { authUrl: keystone.urlAt(KEYSTONE_HOST), passwordSecret: { name: 'osp-secret', key: 'GlancePassword' } },
    backend: ImageBackend.file({ sharedStore: { existingClaimName: 'glance-images-nfs' } }),
    imageCache: {
      size: '512Mi',
      policy: { cacheList: CACHE_POLICY, cacheImage: CACHE_POLICY, cacheDelete: CACHE_POLICY },
      precache: { images: PRECACHE_LIST },
    },
    apis: { default: { replicas: 2 } },
  });
  return Testing.synth(chart) as Manifest[];
}

/** One request to a replica with a token (or none); the HTTP status. */
async function status(method: string, replica: number, path: string, token?: string): Promise<number> {
  const response = await fetch(`${glance.podUrl(replica)}${path}`, { method, headers: token ? { 'X-Auth-Token': token } : {} });
  await response.arrayBuffer();
  return response.status;
}

function imageId(table: string): string {
  const match = /^\|\s*id\s*\|\s*([0-9a-f-]{36})\s*\|/m.exec(table);
  if (!match) throw new Error(`no image id in:\n${table}`);
  return match[1];
}

function record(caller: string, request: string, expected: string, got: string): void {
  lines.push(`${caller.padEnd(34)} ${request.padEnd(44)} expected ${expected.padEnd(6)} got ${got}`);
  expect(got).toBe(expected);
}

beforeAll(async () => {
  requireRealGlance(GLANCE_IMAGES.bookworm);
  requireKeystone();
  await keystone.start();
  const ids = await keystone.setupGlanceIdentities(GLANCE_PASSWORD, `http://glance-default.${NAMESPACE}.svc:9292`);
  member = ids.member;
  demoProjectId = ids.demoProjectId;
  const operator = await keystone.createUser(OPERATOR.name, OPERATOR.password, ids.demoProjectId);
  await keystone.grantRole(operator, ids.demoProjectId, await keystone.createRole('cache_operator'));
  glance = new SandboxedGlance(synthesize(), STS, NAMESPACE, { 'glance-images-nfs': '2Gi' }, GLANCE_IMAGES.bookworm,
    { 'osp-secret': { GlancePassword: GLANCE_PASSWORD } },
    {
      keystone: realKeystone(keystone, KEYSTONE_HOST),
    });
  await glance.prepare();
  await Promise.all([glance.start(0), glance.start(1)]);
});

afterAll(async () => {
  await glance?.destroy();
  await keystone.stop();
  const version = execFileSync('glance-api', ['--version'], { encoding: 'utf8' }).trim();
  console.log([`Glance ${version} behind real Keystone 22, cache policy "${CACHE_POLICY}":`, ...lines].join('\n'));
});

test('nothing of the auth pipeline is overlaid: the overlay sets only bind_host', () => {
  expect(glance.overlay(`${STS}-0`).trim()).toBe(`[DEFAULT]\nbind_host = ${glance.node.address(`${STS}-0`)}`);
  expect(glance.glanceConf.paste_deploy.flavor).toBe('keystone+caching');
});

describe('the auth matrix', () => {
  test('no token: 401 on the image and cache APIs', async () => {
    for (const [method, path] of [['GET', '/v2/images'], ['GET', '/v2/cache'], ['PUT', '/v2/cache/00000000-0000-0000-0000-000000000000']]) {
      record('no token', `${method} ${path}`, '401', String(await status(method, 0, path)));
    }
  });

  test('member: lists images, and gets 403 from cache-list, cache-queue and cache-delete on each replica', async () => {
    const token = await keystone.token(member.name, member.password, 'demo');
    // Public, so that the member sees it: the cache API must refuse by policy, not hide it.
    const id = imageId(await glance.glance(0, 'image-create', '--name', 'member-probe', '--visibility', 'public', '--disk-format', 'raw',
      '--container-format', 'bare'));
    record('member', 'GET /v2/images', '200', String(await status('GET', 0, '/v2/images', token)));
    for (const replica of [0, 1]) {
      record('member', `cache-list on replica ${replica}`, '403', String(await status('GET', replica, '/v2/cache', token)));
      record('member', `cache-queue on replica ${replica}`, '403', String(await status('PUT', replica, `/v2/cache/${id}`, token)));
      record('member', `cache-delete on replica ${replica}`, '403', String(await status('DELETE', replica, `/v2/cache/${id}`, token)));
    }
  });

  test('a user with the custom role of imageCache.policy may use the cache API', async () => {
    const token = await keystone.token(OPERATOR.name, OPERATOR.password, 'demo');
    record('cache_operator (custom role)', 'cache-list on replica 1', '200', String(await status('GET', 1, '/v2/cache', token)));
  });

  test('admin: the reference steps, replica by replica, by hostname', async () => {
    const file = join(glance.node.root, 'client', 'image.raw');
    mkdirSync(join(glance.node.root, 'client'), { recursive: true });
    writeFileSync(file, Buffer.alloc(256 * 1024, 7));
    const id = imageId(await glance.glance(0, 'image-create', '--name', 'admin-image', '--disk-format', 'raw', '--container-format', 'bare',
      '--file', file));
    await glance.glance(0, 'cache-queue', id);
    await until('cached on replica 0', async () => (await glance.cachedImages(0)).includes(id));
    expect(await glance.cachedImages(1)).toEqual([]);
    await glance.glance(1, 'cache-queue', id);
    await until('cached on replica 1', async () => (await glance.cachedImages(1)).includes(id));
    await glance.glance(0, 'cache-delete', id);
    await until('gone from replica 0', async () => !(await glance.cachedImages(0)).includes(id));
    expect(await glance.cachedImages(1)).toEqual([id]);
    await glance.glance(0, 'image-delete', id);
    expect((await glance.runCacheJob('cleaner', 1)).code).toBe(0);
    expect(await glance.cachedImages(1)).toEqual([]);
    record('admin', 'the 8 reference steps', 'pass', 'pass');
  });
});

describe('imageCache.precache, as the Glance service user', () => {
  let id: string;
  let blocked: string;
  let uploading: string;
  /** What each replica's line must say of the images it cannot cache. */
  const skipped = () => `skipped 4: ${BLOCKED} (${blocked}: status deactivated, and Glance caches active images only), `
    + `${UPLOADING} (${uploading}: status queued, and Glance caches active images only), ${DELETED_ID} (not found), ${MISSING} (not found), failed 0`;

  beforeAll(async () => {
    const file = join(glance.node.root, 'client', 'precache.raw');
    writeFileSync(file, Buffer.alloc(128 * 1024, 3));
    const create = (...args: string[]) => glance.glance(0, 'image-create', '--disk-format', 'raw', '--container-format', 'bare', ...args);
    id = imageId(await create('--name', PRECACHED, '--file', file));
    blocked = imageId(await create('--name', BLOCKED, '--file', file));
    await glance.glance(0, 'image-deactivate', blocked);
    // Created, no data yet: status "queued", as while its upload has not begun.
    uploading = imageId(await create('--name', UPLOADING));
    await create('--id', DELETED_ID, '--name', 'deleted-image', '--file', file);
    await glance.glance(0, 'image-delete', DELETED_ID);
    await create('--id', PRIVATE_ID, '--name', 'private-image', '--visibility', 'private', '--owner', demoProjectId, '--file', file);
  });

  test('the first-run Job skips and reports what it cannot cache, caches the rest on every replica, and waits until they are cached', async () => {
    const job = ofKind(glance.manifests, 'Job').find((j) => j.metadata.name.startsWith(`${STS}-precache-`))!;
    const run = await glance.runJob('Job', job.metadata.name);
    const output = run.stdout + run.stderr;
    expect(run.code).toBe(0);
    for (const replica of [0, 1]) {
      expect(output).toContain(`${glance.url(replica)}: queued 2 (${id} ${PRIVATE_ID}), already cached or queued 0, ${skipped()}`);
    }
    expect(output).toContain('precache: 2 replica(s), 0 failed: queued 4, already cached or queued 0, skipped 8, failed 0');
    expect(output).toMatch(/precache: warm: 2 image\(s\) cached on 2 replica\(s\) after \d+ s/);
    // Waited for: cached when the Job ends, not only queued.
    for (const replica of [0, 1]) expect((await glance.cachedImages(replica)).sort()).toEqual([id, PRIVATE_ID].sort());
    record('glance service user', 'first-run Job: 4 skipped, 2 cached on both', 'pass', 'pass');
  });

  test('each replica\'s CronJob queues nothing the second time, and still reports the others', async () => {
    for (const replica of [0, 1]) {
      const run = await glance.runJob('CronJob', `${STS}-${replica}-precache`);
      expect({ code: run.code, output: run.stdout + run.stderr }).toEqual({
        code: 0,
        output: expect.stringContaining(`${glance.url(replica)}: queued 0, already cached or queued 2, ${skipped()}`),
      });
      expect(find(glance.manifests, 'CronJob', `${STS}-${replica}-precache`).spec.jobTemplate.spec.template.spec.containers[0].env
        .find((e: any) => e.name === 'OS_KEYSTONE_AUTHTOKEN__PASSWORD').valueFrom.secretKeyRef).toEqual({
        name: 'osp-secret',
        key: 'GlancePassword',
      });
    }
    record('glance service user', 'precache CronJobs, second run', 'queued 0', 'queued 0');
  });

  test('a replica that lost its cache gets the image back at its next run', async () => {
    await glance.glance(1, 'cache-delete', id);
    await until('replica 1 no longer lists the image', async () => !(await glance.cachedImages(1)).includes(id));
    const run = await glance.runJob('CronJob', `${STS}-1-precache`);
    expect(run.stdout + run.stderr).toContain(`: queued 1 (${id}),`);
    await until('replica 1 lists the image again', async () => (await glance.cachedImages(1)).includes(id));
  });

  test('it fails only when nothing could be done: its replica down, the CronJob exits 1 and says why', async () => {
    await glance.stop(1);
    try {
      const run = await glance.runJob('CronJob', `${STS}-1-precache`);
      const output = run.stdout + run.stderr;
      expect(run.code).toBe(1);
      expect(output).toContain(`${glance.url(1)}: failed: `);
      expect(output).toContain('precache: 1 replica(s), 1 failed: queued 0');
      expect(output).toContain('error: nothing could be done: every replica or every queue request failed (above)');
    } finally {
      await glance.start(1);
    }
    record('glance service user', 'precache CronJob, its replica down', 'exit 1', 'exit 1');
  });
});
