/**
 * The synthesized deployment against real Glance in a Debian image (GlanceImage), every process in
 * its pod sandbox. real-glance-bookworm.test.ts runs it on Glance 25.1.0 (sqlite cache driver),
 * real-glance-trixie.test.ts on Glance 30.0.0 (centralized_db): the 8 steps of shared/reference/glance-image-cache.md on two replicas, db-sync
 * and db-purge, the pruner, the cleaner and the orphan removal from our CronJobs, and faults: a
 * replica killed during a cache fill, a cache volume that fills up, a cache job killed mid-run,
 * and a replica restarted while its pruner runs. See sandboxed-glance.ts for what differs from a
 * cluster (OVERLAID_OPTIONS).
 */
import { ChildProcess, execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'fs';
import { join } from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { Glance, GlanceProps, GlanceRelease, ImageBackend, ImageCacheDriver } from '../../lib';
import { BASE_PROPS, Manifest, parseIniText } from '../helpers';
import {
  GlanceImage, glanceVersion, OVERLAID_OPTIONS, OVERLAID_POLICY_ENFORCEMENT, requireRealGlance, SandboxedGlance,
} from './sandboxed-glance';
import { killGroup } from '../sandbox/pod-sandbox';
import { HANG_GUARD_MS, sleep, until } from '../waiting';

const STS = 'glance-default-single';
const NAMESPACE = 'openstack';
// Each replica's cache volume is a tmpfs of exactly this size; max = 256 MiB.
const CACHE_SIZE = '512Mi';
const RATIO = 0.5;
const MIB = 1024 * 1024;
const GLANCE_UID = 42415;
const IMAGE_SIZE_CAP = '1100Mi';

function synthesize(release: GlanceRelease, overrides: Partial<GlanceProps> = {}): Manifest[] {
  const chart = new Chart(new App(), 'e2e', { namespace: NAMESPACE });
  new Glance(chart, 'glance', {
    ...BASE_PROPS,
    release,
    backend: ImageBackend.file({ sharedStore: { existingClaimName: 'glance-images-nfs' } }),
    imageCache: { size: CACHE_SIZE, maxSizeRatio: RATIO },
    apis: { default: { replicas: 2 } },
    // Security settings exercised below: a TLS-terminating proxy in front, and an upload cap.
    behindTlsProxy: true,
    limits: { imageSizeCap: IMAGE_SIZE_CAP },
    ...overrides,
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

function imageId(tableOutput: string): string {
  const match = /^\|\s*id\s*\|\s*([0-9a-f-]{36})\s*\|/m.exec(tableOutput);
  if (!match) throw new Error(`no image id in:\n${tableOutput}`);
  return match[1];
}

function field(tableOutput: string, name: string): string {
  const match = new RegExp(`^\\|\\s*${name}\\s*\\|\\s*(\\S*)\\s*\\|`, 'm').exec(tableOutput);
  if (!match) throw new Error(`no ${name} in:\n${tableOutput}`);
  return match[1];
}

function sum(sizes: Record<string, number>): number {
  return Object.values(sizes).reduce((a, b) => a + b, 0);
}

/** Calls back once a line matching `pattern` shows in the process's output. */
function onOutput(pattern: RegExp, then: (child: ChildProcess) => void): (child: ChildProcess) => void {
  return (child) => {
    let seen = '';
    let fired = false;
    const watch = (chunk: Buffer) => {
      seen = (seen + chunk).slice(-10_000);
      if (!fired && pattern.test(seen)) { fired = true; then(child); }
    };
    child.stdout!.on('data', watch);
    child.stderr!.on('data', watch);
  };
}

/** The whole scenario on one image. */
export function realGlanceScenario(image: GlanceImage): void {
  let glance: SandboxedGlance;
  let work: string;
  let smallImage: string;
  const SMALL_SIZE = 300 * 1024;

  async function createImage(name: string, file: string, format = 'raw', replica = 0): Promise<string> {
    return imageId(await glance.glance(replica, 'image-create', '--disk-format', format, '--container-format', 'bare', '--name', name, '--file',
      file));
  }


  const centralized = image.release.isAtLeast(GlanceRelease.CARACAL);
  let version = '';

  beforeAll(async () => {
    requireRealGlance(image);
    version = glanceVersion(image);
    glance = new SandboxedGlance(synthesize(image.release), STS, NAMESPACE, { 'glance-images-nfs': '4Gi' }, image);
    work = join(glance.node.root, 'client');
    mkdirSync(work);
    await glance.prepare();
    // Replica 1 starts in the first test, after its pruner has run once without it.
    await glance.start(0);
  });

  afterAll(async () => {
    await glance?.destroy();
    const width = Math.max(...results.map((r) => r.step.length));
    const lines = results.map((r) => `${r.step.padEnd(width)}  ${r.ok ? 'pass' : 'FAIL'}  ${r.ms.toFixed(0).padStart(7)} ms`);
    console.log([`Glance ${version} (${image.name}, ${glance?.glanceConf.DEFAULT.image_cache_driver} cache driver), two replicas, `
      + 'every process in its pod sandbox:', ...lines].join('\n'));
  });

  test('the overlay sets exactly the documented options, and the cache settings reach Glance from our output', () => {
    const conf = glance.glanceConf.DEFAULT;
    expect(conf.image_cache_max_size).toBe(String(256 * MIB));
    expect(conf.image_cache_stall_time).toBe('86400');
    expect(conf.image_cache_driver).toBe(centralized ? 'centralized_db' : 'sqlite');
    const overlaid = [...OVERLAID_OPTIONS, ...image.release.isAtLeast(GlanceRelease.ANTELOPE) ? OVERLAID_POLICY_ENFORCEMENT : []].sort();
    for (const pod of [`${STS}-0`, `${STS}-1`, `${STS}-0-pruner-x`, 'glance-db-sync-x']) {
      const overlay = parseIniText(glance.overlay(pod));
      const options = Object.entries(overlay).flatMap(([section, opts]) => Object.keys(opts).map((o) => `${section}.${o}`)).sort();
      expect(options).toEqual(pod.startsWith(`${STS}-`) && !pod.includes('pruner') ? overlaid : overlaid.filter((o) => o !== 'DEFAULT.bind_host'));
    }
  });

  test('a cache job of a replica whose API has not started yet ends at once: a clear failure with centralized_db, nothing to do with sqlite',
    () => step('cache job before its replica started', async () => {
    // No timing is asserted: a job that never ended by itself would fail at the pod's hang guard.
      let run;
      try {
        run = await glance.runCacheJob('pruner', 1);
      } finally {
        await glance.start(1);
      }
      expect(run.signal).toBeNull();
      const output = run.stdout + run.stderr;
      if (centralized) {
      // The database knows no node by replica 1's URL: the job says so instead of seeing nothing.
        expect({ code: run.code, output }).toEqual({ code: 1, output: expect.stringContaining(`the cache database does not know ${glance.url(1)}`) });
      } else {
        expect({ code: run.code, output }).toEqual({ code: 0, output: expect.stringContaining('pruned 0 image(s)') });
      }
    }));

  describe('the reference scenario, replica by replica, by hostname', () => {
    let id: string;

    test('1. create an image from a real qcow2', () => step('1 image-create (qcow2)', async () => {
      const file = join(work, 'cirros-like.qcow2');
      execFileSync('qemu-img', ['create', '-f', 'qcow2', file, '64M'], { stdio: 'pipe' });
      id = await createImage('e2e-image', file, 'qcow2');
      expect(await glance.glance(1, 'image-show', id)).toMatch(/\|\s*status\s*\|\s*active\s*\|/);
    }));

    test('2. cache-queue on replica 0', () => step('2 cache-queue on replica 0', async () => {
      await glance.glance(0, 'cache-queue', id);
      await until('replica 0 lists the image', async () => (await glance.cachedImages(0)).includes(id));
    }));

    test('3. cached on replica 0, not on replica 1', () => step('3 cached on 0, not on 1', async () => {
      expect(await glance.cachedImages(0)).toEqual([id]);
      expect(await glance.cachedImages(1)).toEqual([]);
      expect(Object.keys(glance.cacheFiles(1))).toEqual([]);
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

    test('8. image-delete removes it from every replica\'s cache (orphan removal)', () => step('8 image-delete, gone from both (orphans)',
      async () => {
        await glance.glance(0, 'cache-queue', id);
        await until('replica 0 lists the image again', async () => (await glance.cachedImages(0)).includes(id));
        await glance.glance(0, 'image-delete', id);
        expect(await glance.cachedImages(0)).toEqual([]);
        // Glance purges only the serving replica: replica 1 keeps an orphan...
        expect(await glance.cachedImages(1)).toEqual([id]);
        // ...until its own cleaner CronJob runs, in its own pod.
        const run = await glance.runCacheJob('cleaner', 1);
        expect(run.code).toBe(0);
        expect(run.stdout + run.stderr).toContain(`removed 1 orphan(s) of 1 cached and 0 queued image(s): ${id}`);
        expect(await glance.cachedImages(1)).toEqual([]);
        expect(Object.keys(glance.cacheFiles(1))).toEqual([]);
      }));
  });

  test('README\'s cache commands, verbatim, with the glance client of this image and nothing else in the environment', () =>
    step('README\'s cache commands (verbatim)', async () => {
      const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
      const block = /### Cache commands on one replica\n\n```sh\n([\s\S]*?)```/.exec(readme);
      expect(block).not.toBeNull();
      const [queue, list] = block![1].trim().split('\n');
      expect([queue, list]).toEqual([expect.stringContaining(' cache-queue $IMAGE_ID'), expect.stringContaining(' cache-list')]);
      const file = join(work, 'readme.raw');
      writeFileSync(file, randomBytes(MIB));
      const readmeImage = await createImage('readme-image', file, 'raw');
      // The user's credentials: this deployment's overlaid pipeline takes any token.
      const env = { IMAGE_ID: readmeImage, OS_AUTH_TOKEN: 'noauth' };
      const queued = await glance.userShell(queue, env);
      expect({ code: queued.code, stderr: queued.stderr }).toEqual({ code: 0, stderr: '' });
      await until('replica 0 lists the image README queued', async () => (await glance.cachedImages(0)).includes(readmeImage));
      const listed = await glance.userShell(list, env);
      expect({ code: listed.code, stderr: listed.stderr }).toEqual({ code: 0, stderr: '' });
      // Replica 1's table: its header, and not the image replica 0 cached.
      expect(listed.stdout).toMatch(/\|\s*ID\s*\|/);
      expect(listed.stdout).not.toContain(readmeImage);
      // Served by replica 0, the delete purges its cache: the pruner's test below starts from an empty one.
      await glance.glance(0, 'image-delete', readmeImage);
      expect(await glance.cachedImages(0)).toEqual([]);
    }));

  test('the pruner CronJob brings the cache back under image_cache_max_size, least recently used first',
    () => step('pruner: under max size, LRU first', async () => {
      const max = Number(glance.glanceConf.DEFAULT.image_cache_max_size);
      const size = 48 * MIB;
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const file = join(work, `random-${i}.raw`);
        writeFileSync(file, randomBytes(size));
        ids.push(await createImage(`prune-${i}`, file));
        rmSync(file);
      }
      for (const queued of ids) {
        await glance.glance(0, 'cache-queue', queued);
        await until(`${queued} is cached`, async () => (await glance.cachedImages(0)).includes(queued));
      }
      // Read image 0 through replica 0's cache: it becomes the most recently used, image 1 the least.
      await sleep(50);
      expect(await glance.download(0, ids[0])).toMatchObject({ status: 200, bytes: size });

      expect(sum(glance.cacheFiles(0))).toBe(6 * size);
      expect(6 * size).toBeGreaterThan(max);

      const run = await glance.runCacheJob('pruner', 0);
      expect({ code: run.code, stderr: run.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });

      const after = glance.cacheFiles(0);
      expect(sum(after)).toBeLessThanOrEqual(max);
      // Exactly the least recently used image went; the oldest-written one stayed, as it was read.
      expect(Object.keys(after).sort()).toEqual(ids.filter((_, i) => i !== 1).sort());
      expect((await glance.cachedImages(0)).sort()).toEqual(Object.keys(after).sort());
    }));

  test('the cleaner CronJob removes stalled and invalid files and keeps fresh incomplete ones', () => step('cleaner: stalled and invalid removed',
    async () => {
      const stallSeconds = Number(glance.glanceConf.DEFAULT.image_cache_stall_time);
      const dir = glance.cacheDir(1);
      const stalled = join(dir, 'incomplete', '11111111-1111-1111-1111-111111111111');
      const fresh = join(dir, 'incomplete', '22222222-2222-2222-2222-222222222222');
      const invalid = join(dir, 'invalid', '33333333-3333-3333-3333-333333333333');
      for (const file of [stalled, fresh, invalid]) {
        writeFileSync(file, randomBytes(4096));
        chownSync(file, GLANCE_UID, GLANCE_UID);
      }
      const old = Date.now() / 1000 - stallSeconds - 600;
      utimesSync(stalled, old, old);

      const run = await glance.runCacheJob('cleaner', 1);
      expect(run.code).toBe(0);

      expect(existsSync(stalled)).toBe(false);
      expect(existsSync(invalid)).toBe(false);
      expect(existsSync(fresh)).toBe(true);
      rmSync(fresh);
    }));

  test('a cache over its max with files its driver has no record of: the pruner ends at once, it never spins',
    () => step('pruner: untracked files, no spin', async () => {
      const max = Number(glance.glanceConf.DEFAULT.image_cache_max_size);
      for (const cached of await glance.cachedImages(0)) await glance.glance(0, 'cache-delete', cached);
      await until('replica 0 has an empty cache', async () => (await glance.cachedImages(0)).length === 0);
      // Files on the volume that the driver's records miss (a driver switch, a crash between file
      // and record), more than the max on their own: glance-cache-pruner runs out of records while
      // the cache is still over, and with centralized_db it then loops for ever on (None, 0).
      const untracked = Array.from({ length: 6 }, (_, i) => `44444444-4444-4444-4444-${String(i).padStart(12, '0')}`);
      const dir = glance.cacheDir(0);
      untracked.forEach((name, i) => {
        const file = join(dir, name);
        writeFileSync(file, randomBytes(48 * MIB));
        chownSync(file, GLANCE_UID, GLANCE_UID);
        // Oldest first, so that the least recently used is known.
        const at = Date.now() / 1000 - 3600 + i * 60;
        utimesSync(file, at, at);
      });
      expect(sum(glance.cacheFiles(0))).toBeGreaterThan(max);
      // Today's glance-cache-pruner spins here until killed (here: by the pod's hang guard, which fails
      // the test); ours ends by itself. How soon is not asserted.
      const run = await glance.runCacheJob('pruner', 0);
      const output = run.stdout + run.stderr;
      expect(run.signal).toBeNull();
      if (centralized) {
      // They are adopted into the replica's records, then pruned least recently used first.
        expect({ code: run.code, output }).toEqual({ code: 0, output: expect.stringContaining('adopted 6 untracked file(s)') });
        expect(Object.keys(glance.cacheFiles(0)).sort()).toEqual(untracked.slice(1));
        expect((await glance.cachedImages(0)).sort()).toEqual(untracked.slice(1));
        for (const name of untracked.slice(1)) await glance.glance(0, 'cache-delete', name);
      } else {
      // sqlite: the records cannot be completed, so the pruner fails and says why.
        expect({ code: run.code, output }).toEqual({ code: 1, output: expect.stringContaining('its files are not in its records') });
        for (const name of untracked) rmSync(join(dir, name));
      }
    }));

  test('db-purge runs from its CronJob', () => step('db-purge CronJob', async () => {
    const run = await glance.runJob('CronJob', 'glance-db-purge');
    expect({ code: run.code, stderr: run.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
  }));

  describe('secure defaults, as real Glance serves them', () => {
    test('web-download is not offered for import (SSRF)', () => step('security: no web-download', async () => {
      const response = await fetch(`${glance.podUrl(0)}/v2/info/import`);
      expect(response.status).toBe(200);
      const methods = (await response.json() as any)['import-methods'].value;
      expect(methods.sort()).toEqual(['copy-image', 'glance-direct']);
    }));

    test('behind a TLS-terminating proxy, the links Glance returns say https', () => step('security: proxy headers honoured', async () => {
      const links = async (headers: Record<string, string>) => {
        const body = await (await fetch(`${glance.podUrl(1)}/versions`, { headers })).json() as any;
        return body.versions.flatMap((v: any) => v.links.map((l: any) => l.href as string));
      };
      const proxied = await links({ 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'glance.example.com' });
      expect(proxied.length).toBeGreaterThan(0);
      expect(proxied.filter((href: string) => !href.startsWith('https://glance.example.com/'))).toEqual([]);
      expect((await links({})).filter((href: string) => !href.startsWith(`${glance.podUrl(1)}/`))).toEqual([]);
    }));

    test('an upload over image_size_cap is refused, and no partial data is left in the store', () => step('security: image_size_cap enforced',
      async () => {
        const cap = Number(glance.glanceConf.DEFAULT.image_size_cap);
        expect(cap).toBe(1100 * MIB);
        const id = imageId(await glance.glance(0, 'image-create', '--disk-format', 'raw', '--container-format', 'bare', '--name', 'too-big'));
        const file = join(work, 'too-big.raw');
        // Just over the cap: Glance stops reading at the cap, so the client must be able to finish sending.
        execFileSync('truncate', ['-s', String(cap + MIB), file]);
        await expect(glance.glance(0, 'image-upload', '--file', file, id)).rejects.toThrow(/413|too large|exceeds/i);
        rmSync(file);
        expect(await glance.glance(0, 'image-show', id)).not.toMatch(/\|\s*status\s*\|\s*active\s*\|/);
        expect(existsSync(join(glance.node.claimDir('glance-images-nfs'), id))).toBe(false);
        await glance.glance(0, 'image-delete', id);
      }));
  });

  describe('faults', () => {
    let big: string;
    let bigMd5: string;
    const BIG = 1024 ** 3;

    beforeAll(async () => {
      const bigFile = join(work, 'big.raw');
      execFileSync('truncate', ['-s', String(BIG), bigFile]);
      const created = await glance.glance(1, 'image-create', '--disk-format', 'raw', '--container-format', 'bare', '--name', 'big', '--file',
        bigFile);
      big = imageId(created);
      bigMd5 = field(created, 'checksum');
      rmSync(bigFile);
      const smallFile = join(work, 'small.raw');
      writeFileSync(smallFile, randomBytes(SMALL_SIZE));
      smallImage = await createImage('probe', smallFile, 'raw', 1);
    });

    test('a replica killed during a cache fill restarts, its partial file is cleaned, and the other replica never stops serving',
      () => step('fault: kill replica during fill', async () => {
        let served = 0;
        const failures: string[] = [];
        let probing = true;
        // Serving means answering every request, however slowly a busy machine answers it: a request
        // fails only when refused, answered wrongly, or hung past the guard.
        const probe = (async () => {
          while (probing) {
            try {
              const health = await fetch(`${glance.podUrl(1)}/healthcheck`, { signal: AbortSignal.timeout(HANG_GUARD_MS) });
              const data = await fetch(`${glance.podUrl(1)}/v2/images/${smallImage}/file`, { signal: AbortSignal.timeout(HANG_GUARD_MS) });
              if (health.status !== 200 || data.status !== 200 || (await data.arrayBuffer()).byteLength !== SMALL_SIZE) {
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
        // Polled often: the kill must land while the 1 GiB fill runs, and a busy machine slows the fill as much as this loop.
        await until('the cache fill has started', () => existsSync(partial) && statSync(partial).size > 0, { everyMs: 5 });
        await glance.stop(0, 'SIGKILL');
        expect(existsSync(partial)).toBe(true);
        const partialSize = statSync(partial).size;
        expect(partialSize).toBeLessThan(BIG);
        // The other replica answers while this one is down, whatever the time its restart takes.
        const servedBeforeRestart = served;
        await until('replica 1 answers a probe while replica 0 is down', () => served > servedBeforeRestart || failures.length > 0);

        await glance.start(0);
        expect(await glance.cachedImages(0)).not.toContain(big);

        // Once older than the stall time, replica 0's own cleaner CronJob removes it.
        const old = Date.now() / 1000 - Number(glance.glanceConf.DEFAULT.image_cache_stall_time) - 600;
        if (existsSync(partial)) utimesSync(partial, old, old);
        expect((await glance.runCacheJob('cleaner', 0)).code).toBe(0);
        expect(existsSync(partial)).toBe(false);
        expect(await glance.cachedImages(0)).not.toContain(big);

        // Enough probes to tell serving from luck, counted rather than timed.
        await until('replica 1 has answered 6 probes', () => served > 5 || failures.length > 0);
        probing = false;
        await probe;
        expect(failures).toEqual([]);
        expect(served).toBeGreaterThan(5);
        console.log(`fault: killed replica 0 with ${partialSize} of ${BIG} bytes cached; replica 1 served ${served} requests meanwhile`);
      }));

    test('a cache volume that fills up: the client still gets every byte, nothing partial is listed or served, and the jobs bring the volume back',
      () => step('fault: cache volume full', async () => {
        const max = Number(glance.glanceConf.DEFAULT.image_cache_max_size);
        const volume = 512 * MIB;
        // Two concurrent readers of an image larger than the whole cache volume, while we watch cache-list.
        let watching = true;
        const listed: string[][] = [];
        const watcher = (async () => {
          while (watching) {
            listed.push(await glance.cachedImages(1));
            await sleep(200);
          }
        })();
        const [first, second] = await Promise.all([glance.download(1, big), (async () => { await sleep(300); return glance.download(1, big); })()]);
        watching = false;
        await watcher;
        for (const got of [first, second]) expect(got).toEqual({ status: 200, bytes: BIG, md5: bigMd5 });
        expect(listed.length).toBeGreaterThan(0);
        expect(listed.flat()).not.toContain(big);
        expect(await glance.cachedImages(1)).not.toContain(big);
        expect(Object.keys(glance.cacheFiles(1))).not.toContain(big);
        const used = sum(glance.cacheFiles(1)) + sum(glance.cacheFiles(1, 'invalid')) + sum(glance.cacheFiles(1, 'incomplete'));
        console.log(`fault: cache volume of ${volume} bytes filled to ${used} bytes by a ${BIG}-byte image`);

        // The replica keeps serving from its cache and from the store.
        expect(await glance.download(1, smallImage)).toMatchObject({ status: 200, bytes: SMALL_SIZE });

        const cleaner = await glance.runCacheJob('cleaner', 1);
        expect(cleaner.code).toBe(0);
        expect(glance.cacheFiles(1, 'invalid')).toEqual({});
        const pruner = await glance.runCacheJob('pruner', 1);
        expect(pruner.code).toBe(0);
        expect(sum(glance.cacheFiles(1))).toBeLessThanOrEqual(max);
        // Caching works again.
        await glance.glance(1, 'cache-queue', smallImage);
        await until('replica 1 caches again', async () => (await glance.cachedImages(1)).includes(smallImage));
      }));

    test('a cache job killed mid-run runs again and finishes the work', () => step('fault: kill cleaner mid-run', async () => {
      const dir = join(glance.cacheDir(1), 'incomplete');
      const old = Date.now() / 1000 - Number(glance.glanceConf.DEFAULT.image_cache_stall_time) - 600;
      // The kill follows the first "Removed" line of the job's log. However late a busy machine runs
      // that callback, the job cannot get far ahead of it: it logs a line per file into a pipe that
      // holds some 64 KiB unread (a few hundred lines), so with 3000 files some are always left.
      const stalled = Array.from({ length: 3000 }, (_, i) => join(dir, `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`));
      for (const file of stalled) {
        writeFileSync(file, randomBytes(1024));
        chownSync(file, GLANCE_UID, GLANCE_UID);
        utimesSync(file, old, old);
      }
      const killed = await glance.runCacheJob('cleaner', 1, {
        onSpawn: onOutput(/Removed stalled cache file/, (child) => killGroup(child,
          'SIGKILL')),
      });
      expect(killed.signal ?? killed.code).not.toBe(0);
      const left = stalled.filter((file) => existsSync(file)).length;
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(stalled.length);

      const again = await glance.runCacheJob('cleaner', 1);
      expect(again.code).toBe(0);
      expect(stalled.filter((file) => existsSync(file))).toEqual([]);
      console.log(`fault: cleaner killed after removing ${stalled.length - left} of ${stalled.length} stalled files; the next run removed the rest`);
    }));

    test('a replica restarted while its pruner runs: the pruner finishes, the cache is under the max and consistent',
      () => step('fault: restart replica during pruner', async () => {
        const max = Number(glance.glanceConf.DEFAULT.image_cache_max_size);
        // Enough 48 MiB images to put the cache over the max, still inside its volume.
        const count = Math.floor((max - sum(glance.cacheFiles(0))) / (48 * MIB)) + 1;
        expect(sum(glance.cacheFiles(0)) + count * 48 * MIB).toBeLessThan(512 * MIB - MIB);
        const ids: string[] = [];
        for (let i = 0; i < count; i++) {
          const file = join(work, `again-${i}.raw`);
          writeFileSync(file, randomBytes(48 * MIB));
          ids.push(await createImage(`again-${i}`, file));
          rmSync(file);
          await glance.glance(0, 'cache-queue', ids[i]);
          await until(`${ids[i]} is cached`, async () => (await glance.cachedImages(0)).includes(ids[i]));
        }
        expect(sum(glance.cacheFiles(0))).toBeGreaterThan(max);
        let restarted: Promise<void> | undefined;
        const pruner = await glance.runCacheJob('pruner', 0, {
          onSpawn: (child) => {
          // The restart begins 300 ms into the job, as a crash would come, at no chosen point: the
          // assertions hold wherever it lands (or if the job ends first), so load cannot turn them red.
            restarted = (async () => {
              await sleep(300);
              await glance.stop(0, 'SIGKILL');
              await glance.start(0);
            })();
            child.once('close', () => undefined);
          },
        });
        await restarted;
        expect({ code: pruner.code, stderr: pruner.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
        const files = glance.cacheFiles(0);
        expect(sum(files)).toBeLessThanOrEqual(max);
        expect((await glance.cachedImages(0)).sort()).toEqual(Object.keys(files).sort());
        expect(await glance.healthy(0)).toBe(true);
      }));
  });

  (centralized ? test : test.skip)('a release bump from the sqlite driver to centralized_db keeps serving and keeps the cached images',
    () => step('driver switch: sqlite to centralized_db', async () => {
    // Before: the same deployment on the sqlite driver, the default before 2024.1.
      const cache = { size: CACHE_SIZE, maxSizeRatio: RATIO };
      await glance.apply(synthesize(image.release, { imageCache: { ...cache, driver: ImageCacheDriver.SQLITE } }));
      expect(glance.glanceConf.DEFAULT.image_cache_driver).toBe('sqlite');
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        const file = join(work, `switch-${i}.raw`);
        writeFileSync(file, randomBytes(SMALL_SIZE));
        ids.push(await createImage(`switch-${i}`, file));
        await glance.glance(0, 'cache-queue', ids[i]);
        await until(`${ids[i]} is cached by the sqlite driver`, async () => (await glance.cachedImages(0)).includes(ids[i]));
      }
      expect(existsSync(join(glance.cacheDir(0), 'cache.db'))).toBe(true);

      // The bump: this release's default driver, every replica replaced, its cache volume kept.
      await glance.apply(synthesize(image.release));
      expect(glance.glanceConf.DEFAULT.image_cache_driver).toBe('centralized_db');
      for (const id of ids) expect(await glance.download(0, id)).toMatchObject({ status: 200, bytes: SMALL_SIZE });
      // Glance migrates cache.db only under a paste flavor containing "cache", and
      // "keystone+caching" does not: the API does not list the images yet...
      const listedBefore = await glance.cachedImages(0);
      // ...until the replica's next cache job takes them from cache.db.
      const run = await glance.runCacheJob('cleaner', 0);
      expect({ code: run.code, output: run.stdout + run.stderr }).toEqual({
        code: 0,
        output: expect.stringContaining('took 2 record(s) from cache.db'),
      });
      expect(listedBefore.filter((id) => ids.includes(id))).toEqual([]);
      const listed = (await glance.cachedImages(0)).sort();
      expect(listed).toEqual(expect.arrayContaining(ids));
      expect(listed).toEqual(Object.keys(glance.cacheFiles(0)).sort());
      const pruner = await glance.runCacheJob('pruner', 0);
      expect({ code: pruner.code, stderr: pruner.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
      for (const id of ids) expect(await glance.download(0, id)).toMatchObject({ status: 200, bytes: SMALL_SIZE });
    }));
}
