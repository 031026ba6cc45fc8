/**
 * The synthesized deployment against real Glance (Debian's glance-api 25.1.0): the 8 steps of
 * shared/reference/glance-image-cache.md on two replicas, then the pruner, the cleaner and a
 * replica crash during a cache fill, each with the commands of our own CronJobs.
 * See loopback-glance.ts for the overlay that stands in for the cluster.
 */
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import { existsSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'fs';
import { join } from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { Glance, GlanceRelease, ImageBackend } from '../../lib';
import { BASE_PROPS, Manifest } from '../helpers';
import { CACHE_OPTIONS_NEVER_OVERLAID, LoopbackGlance, requireRealGlance, sleep, SynthesizedApi } from './loopback-glance';

jest.setTimeout(180_000);

const STS = 'glance-default-single';
// Small on purpose: 2Mi × 0.75 leaves image_cache_max_size = 1572864 bytes for the pruner test.
const CACHE_SIZE = '2Mi';
const RATIO = 0.75;

function synthesize(): Manifest[] {
  const chart = new Chart(new App(), 'e2e', { namespace: 'openstack' });
  new Glance(chart, 'glance', {
    ...BASE_PROPS,
    release: GlanceRelease.ZED,
    backend: ImageBackend.file({ sharedStore: { existingClaimName: 'glance-images-nfs' } }),
    imageCache: { size: CACHE_SIZE, maxSizeRatio: RATIO },
    apis: { default: { replicas: 2 } },
  });
  return Testing.synth(chart) as Manifest[];
}

const results: Array<{ step: string; ok: boolean; ms: number }> = [];
async function step(name: string, body: () => Promise<void>): Promise<void> {
  const started = performance.now();
  try {
    await body();
    results.push({ step: name, ok: true, ms: performance.now() - started });
  } catch (e) {
    results.push({ step: name, ok: false, ms: performance.now() - started });
    throw e;
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting until ${what}`);
}

function imageId(tableOutput: string): string {
  const match = /^\|\s*id\s*\|\s*([0-9a-f-]{36})\s*\|/m.exec(tableOutput);
  if (!match) throw new Error(`no image id in:\n${tableOutput}`);
  return match[1];
}

/** Cache files on disk (not the sqlite db, not the subdirectories), by name, with sizes. */
function cacheFiles(dir: string): Record<string, number> {
  return Object.fromEntries(readdirSync(dir)
    .filter((name) => name !== 'cache.db' && statSync(join(dir, name)).isFile())
    .map((name) => [name, statSync(join(dir, name)).size]));
}

let api: SynthesizedApi;
let glance: LoopbackGlance;

beforeAll(async () => {
  requireRealGlance();
  api = new SynthesizedApi(synthesize(), STS);
  glance = new LoopbackGlance(api);
  await glance.prepare();
  await Promise.all([glance.start(0), glance.start(1)]);
});

afterAll(() => {
  glance?.stopAll();
  if (glance) rmSync(glance.root, { recursive: true, force: true });
  const width = Math.max(...results.map((r) => r.step.length));
  const lines = results.map((r) => `${r.step.padEnd(width)}  ${r.ok ? 'pass' : 'FAIL'}  ${r.ms.toFixed(0).padStart(7)} ms`);
  console.log(['real Glance 25.1.0, two replicas on loopback:', ...lines].join('\n'));
});

test('the cache settings reach Glance from our output, untouched by the overlay', () => {
  const conf = api.glanceConf.DEFAULT;
  expect(conf.image_cache_max_size).toBe('1572864');
  expect(conf.image_cache_stall_time).toBe('86400');
  expect(conf.image_cache_driver).toBe('sqlite');
  expect(api.apiEnvNames).toEqual(expect.arrayContaining(['OS_DATABASE__CONNECTION', 'OS_DEFAULT__WORKER_SELF_REFERENCE_URL']));
  for (let r = 0; r < 2; r++) {
    for (const option of CACHE_OPTIONS_NEVER_OVERLAID) expect(glance.overlay(r)).not.toContain(option);
  }
});

describe('the reference scenario, replica by replica', () => {
  let id: string;

  test('1. create an image from a real qcow2', () => step('1 image-create (qcow2)', async () => {
    const file = join(glance.root, 'cirros-like.qcow2');
    execFileSync('qemu-img', ['create', '-f', 'qcow2', file, '64M'], { stdio: 'pipe' });
    id = imageId(await glance.glance(0, 'image-create', '--disk-format', 'qcow2', '--container-format', 'bare', '--name', 'e2e-image', '--file', file));
    expect(await glance.glance(1, 'image-show', id)).toMatch(/\|\s*status\s*\|\s*active\s*\|/);
  }));

  test('2. cache-queue on replica 0', () => step('2 cache-queue on replica 0', async () => {
    await glance.glance(0, 'cache-queue', id);
    await until('replica 0 lists the image', async () => (await glance.cachedImages(0)).includes(id));
  }));

  test('3. cached on replica 0, not on replica 1', () => step('3 cached on 0, not on 1', async () => {
    expect(await glance.cachedImages(0)).toEqual([id]);
    expect(await glance.cachedImages(1)).toEqual([]);
    expect(Object.keys(cacheFiles(glance.cacheDir(1)))).toEqual([]);
  }));

  test('4. cache-queue on replica 1', () => step('4 cache-queue on replica 1', async () => {
    await glance.glance(1, 'cache-queue', id);
    await until('replica 1 lists the image', async () => (await glance.cachedImages(1)).includes(id));
  }));

  test('5. cached on replica 1', () => step('5 cached on 1', async () => {
    expect(await glance.cachedImages(1)).toEqual([id]);
  }));

  test('6. cache-delete on replica 0', () => step('6 cache-delete on replica 0', async () => {
    await glance.glance(0, 'cache-delete', id);
    await until('replica 0 no longer lists the image', async () => !(await glance.cachedImages(0)).includes(id));
  }));

  test('7. gone from replica 0, still on replica 1', () => step('7 gone from 0, still on 1', async () => {
    expect(await glance.cachedImages(0)).toEqual([]);
    expect(await glance.cachedImages(1)).toEqual([id]);
  }));

  test('8. image-delete removes it from every replica\'s cache', () => step('8 image-delete, gone from both', async () => {
    // Cache it on both replicas, then delete through replica 0.
    await glance.glance(0, 'cache-queue', id);
    await until('replica 0 lists the image again', async () => (await glance.cachedImages(0)).includes(id));
    await glance.glance(0, 'image-delete', id);
    expect(await glance.cachedImages(0)).toEqual([]);
    // Glance 25.1.0 purges only the serving replica: replica 1 keeps an orphan...
    expect(await glance.cachedImages(1)).toEqual([id]);
    // ...until its own cleaner CronJob runs, which the deployment guarantees on its schedule.
    const out = await glance.runJob(api.jobCommand('cleaner', 1), 1);
    expect(out).toContain(`removed 1 of 1 cached and 0 queued image(s): ${id}`);
    expect(await glance.cachedImages(1)).toEqual([]);
    expect(Object.keys(cacheFiles(glance.cacheDir(1)))).toEqual([]);
  }));
});

test('the pruner brings the cache back under image_cache_max_size, least recently used first', () => step('pruner: under max size, LRU first', async () => {
  const max = Number(api.glanceConf.DEFAULT.image_cache_max_size);
  const size = 300 * 1024;
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const file = join(glance.root, `random-${i}.raw`);
    writeFileSync(file, randomBytes(size));
    ids.push(imageId(await glance.glance(0, 'image-create', '--disk-format', 'raw', '--container-format', 'bare', '--name', `prune-${i}`, '--file', file)));
  }
  for (const image of ids) {
    await glance.glance(0, 'cache-queue', image);
    await until(`${image} is cached`, async () => (await glance.cachedImages(0)).includes(image));
  }
  // Read image 0 through replica 0's cache: it becomes the most recently used, image 1 the least.
  await sleep(50);
  const response = await fetch(`${glance.url(0)}/v2/images/${ids[0]}/file`);
  expect(response.status).toBe(200);
  expect((await response.arrayBuffer()).byteLength).toBe(size);

  const before = cacheFiles(glance.cacheDir(0));
  expect(Object.values(before).reduce((a, b) => a + b, 0)).toBe(6 * size);
  expect(6 * size).toBeGreaterThan(max);

  await glance.runJob(api.jobCommand('pruner', 0), 0);

  const after = cacheFiles(glance.cacheDir(0));
  expect(Object.values(after).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(max);
  // Exactly the least recently used image went; the oldest-written one stayed, as it was read.
  expect(Object.keys(after).sort()).toEqual(ids.filter((_, i) => i !== 1).sort());
  expect((await glance.cachedImages(0)).sort()).toEqual(Object.keys(after).sort());
}));

test('the cleaner removes stalled and invalid files and keeps fresh incomplete ones', () => step('cleaner: stalled and invalid removed', async () => {
  const stallSeconds = Number(api.glanceConf.DEFAULT.image_cache_stall_time);
  const dir = glance.cacheDir(1);
  const stalled = join(dir, 'incomplete', '11111111-1111-1111-1111-111111111111');
  const fresh = join(dir, 'incomplete', '22222222-2222-2222-2222-222222222222');
  const invalid = join(dir, 'invalid', '33333333-3333-3333-3333-333333333333');
  for (const file of [stalled, fresh, invalid]) writeFileSync(file, randomBytes(4096));
  const old = Date.now() / 1000 - stallSeconds - 600;
  utimesSync(stalled, old, old);

  await glance.runJob(api.jobCommand('cleaner', 1), 1);

  expect(existsSync(stalled)).toBe(false);
  expect(existsSync(invalid)).toBe(false);
  expect(existsSync(fresh)).toBe(true);
}));

test('a replica killed during a cache fill restarts, its partial file is cleaned, and the other replica never stops serving', () => step('fault: kill during fill', async () => {
  const bigFile = join(glance.root, 'big.raw');
  execFileSync('truncate', ['-s', '1G', bigFile]);
  const big = imageId(await glance.glance(1, 'image-create', '--disk-format', 'raw', '--container-format', 'bare', '--name', 'big', '--file', bigFile));
  rmSync(bigFile);
  const small = imageId(await glance.glance(1, 'image-create', '--disk-format', 'raw', '--container-format', 'bare', '--name', 'probe', '--file', join(glance.root, 'random-0.raw')));

  // Replica 1 serves image data and health checks all along.
  let served = 0;
  const failures: string[] = [];
  let probing = true;
  const probe = (async () => {
    while (probing) {
      try {
        const health = await fetch(`${glance.url(1)}/healthcheck`, { signal: AbortSignal.timeout(5000) });
        const data = await fetch(`${glance.url(1)}/v2/images/${small}/file`, { signal: AbortSignal.timeout(5000) });
        if (health.status !== 200 || data.status !== 200 || (await data.arrayBuffer()).byteLength !== 300 * 1024) {
          failures.push(`health ${health.status}, data ${data.status}`);
        } else {
          served++;
        }
      } catch (e) {
        failures.push(String(e));
      }
      await sleep(50);
    }
  })();

  const partial = join(glance.cacheDir(0), 'incomplete', big);
  await glance.glance(0, 'cache-queue', big);
  const deadline = Date.now() + 30_000;
  while (!existsSync(partial) || statSync(partial).size === 0) {
    if (Date.now() > deadline) throw new Error('the cache fill never started');
    await sleep(5);
  }
  glance.stop(0, 'SIGKILL');
  const partialSize = statSync(partial).size;
  expect(partialSize).toBeLessThan(1 << 30);

  await glance.start(0);
  expect(await glance.cachedImages(0)).not.toContain(big);
  expect(existsSync(partial)).toBe(true);

  // Once older than the stall time, replica 0's own cleaner CronJob removes it.
  const old = Date.now() / 1000 - Number(api.glanceConf.DEFAULT.image_cache_stall_time) - 600;
  utimesSync(partial, old, old);
  await glance.runJob(api.jobCommand('cleaner', 0), 0);
  expect(existsSync(partial)).toBe(false);
  expect(await glance.cachedImages(0)).not.toContain(big);

  probing = false;
  await probe;
  expect(failures).toEqual([]);
  expect(served).toBeGreaterThan(5);
  console.log(`fault: killed replica 0 with ${partialSize} of ${1 << 30} bytes cached; replica 1 served ${served} requests meanwhile`);
}));
