/**
 * keystone.memcachedServers on real Glance 25.1.0, real Keystone 22 and Debian's memcached: the
 * token cache that every replica and every worker process shares. The deployment's
 * `[keystone_authtoken]` is ours; memcached listens on a loopback address of the test, which the
 * pods' /etc/hosts give the name the deployment uses (`memcached-0.memcached.<ns>.svc`), as
 * Keystone's does. Keystone's uWSGI log counts its token validations (GET /v3/auth/tokens).
 *
 * Without memcached each Glance process validates a token once and keeps it in its own memory: a
 * request on another replica (or another worker) validates it again. With it, one validation
 * serves every replica.
 */
import { ChildProcess, spawn } from 'child_process';
import { readFileSync } from 'fs';
import { connect } from 'net';
import { join } from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { Glance, GlanceRelease, ImageBackend } from '../../lib';
import { BASE_PROPS, Manifest } from '../helpers';
import { GLANCE_IMAGES, realKeystone, requireRealGlance, SandboxedGlance } from './sandboxed-glance';
import { Keystone, requireKeystone } from '../sandbox/keystone';
import { killGroup } from '../sandbox/pod-sandbox';
import { HANG_GUARD_MS, until } from '../waiting';

const STS = 'glance-default-single';
const NAMESPACE = 'openstack';
const GLANCE_PASSWORD = 'e2e-glance-service-password';
const KEYSTONE_HOST = `keystone-internal.${NAMESPACE}.svc`;
const MEMCACHED_HOST = `memcached-0.memcached.${NAMESPACE}.svc`;
const MEMCACHED_ADDRESS = `127.0.7.${1 + (process.pid % 250)}`;
const MEMCACHED_PORT = 11211;

const keystone = new Keystone();
let glance: SandboxedGlance;
let memcached: ChildProcess;
let member: { name: string; password: string };

function synthesize(): Manifest[] {
  const chart = new Chart(new App(), 'e2e', { namespace: NAMESPACE });
  new Glance(chart, 'glance', {
    ...BASE_PROPS,
    release: GlanceRelease.ZED,
    keystone: {
      authUrl: keystone.urlAt(KEYSTONE_HOST),
      passwordSecret: { name: 'osp-secret', key: 'GlancePassword' },
      memcachedServers: [`${MEMCACHED_HOST}:${MEMCACHED_PORT}`],
    },
    backend: ImageBackend.file({ sharedStore: { existingClaimName: 'glance-images-nfs' } }),
    // Two workers per replica: four processes, each with a memory of its own.
    apis: { default: { replicas: 2, workers: 2 } },
  });
  return Testing.synth(chart) as Manifest[];
}

/** Keystone's token validations so far: GET /v3/auth/tokens in its uWSGI request log. */
function validations(): number {
  return readFileSync(join(keystone.root, 'uwsgi.log'), 'utf8').split('\n').filter((line) => / GET \/v3\/auth\/tokens /.test(line)).length;
}

/** memcached's own counters (the `stats` command). */
function memcachedStats(): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(MEMCACHED_PORT, MEMCACHED_ADDRESS, () => socket.write('stats\r\n'));
    socket.setTimeout(HANG_GUARD_MS, () => socket.destroy(new Error('memcached stats: no answer')));
    socket.on('data', (chunk) => {
      text += chunk;
      if (text.endsWith('END\r\n')) {
        socket.end();
        resolve(Object.fromEntries([...text.matchAll(/^STAT (\S+) (\d+)\r$/gm)].map(([, name, value]) => [name, Number(value)])));
      }
    });
    socket.on('error', reject);
  });
}

/** GET /v2/images on a replica with a token: the status. */
async function listImages(replica: number, token: string): Promise<number> {
  const response = await fetch(`${glance.podUrl(replica)}/v2/images`,
    { headers: { 'X-Auth-Token': token }, signal: AbortSignal.timeout(HANG_GUARD_MS) });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  requireRealGlance(GLANCE_IMAGES.bookworm);
  requireKeystone();
  memcached = spawn('/usr/bin/memcached', ['-l', MEMCACHED_ADDRESS, '-p', String(MEMCACHED_PORT), '-U', '0', '-m', '16', '-u', 'nobody'],
    { stdio: 'ignore', detached: true });
  await until('memcached answers', async () => {
    if (memcached.exitCode !== null) throw new Error(`memcached exited ${memcached.exitCode}`);
    return memcachedStats().then(() => true, () => false);
  }, { everyMs: 200 });
  await keystone.start();
  ({ member } = await keystone.setupGlanceIdentities(GLANCE_PASSWORD, `http://glance-default.${NAMESPACE}.svc:9292`));
  glance = new SandboxedGlance(synthesize(), STS, NAMESPACE, { 'glance-images-nfs': '1Gi' }, GLANCE_IMAGES.bookworm,
    { 'osp-secret': { GlancePassword: GLANCE_PASSWORD } },
    { keystone: realKeystone(keystone, KEYSTONE_HOST, { [MEMCACHED_HOST]: MEMCACHED_ADDRESS }) });
  await glance.prepare();
  await Promise.all([glance.start(0), glance.start(1)]);
});

afterAll(async () => {
  await glance?.destroy();
  await keystone.stop();
  if (memcached) killGroup(memcached, 'SIGTERM');
});

test('the deployment\'s own [keystone_authtoken] points every process at memcached', () => {
  expect(glance.glanceConf.keystone_authtoken).toEqual(expect.objectContaining({
    memcached_servers: `${MEMCACHED_HOST}:${MEMCACHED_PORT}`, memcache_use_advanced_pool: 'true',
  }));
});

test('one validation serves every replica and worker: the later requests with the same token do not reach Keystone', async () => {
  const token = await keystone.token(member.name, member.password, 'demo');
  const before = { validations: validations(), stats: await memcachedStats() };
  // The first request validates the token (and caches it), every later one on any replica finds it in memcached.
  const statuses: number[] = [];
  for (const replica of [0, 1, 0, 1, 1, 0, 0, 1]) statuses.push(await listImages(replica, token));
  expect(statuses).toEqual(Array(8).fill(200));
  const after = { validations: validations(), stats: await memcachedStats() };
  console.log(`token cache: 8 requests over 2 replicas x 2 workers, ${after.validations - before.validations} validation(s) by Keystone; `
    + `memcached: ${after.stats.get_hits - before.stats.get_hits} hit(s), ${after.stats.get_misses - before.stats.get_misses} miss(es)`);
  expect(after.validations - before.validations).toBe(1);
  expect(after.stats.get_hits - before.stats.get_hits).toBeGreaterThanOrEqual(7);
  expect(after.stats.curr_items).toBeGreaterThan(before.stats.curr_items);
});

test('a token Keystone refuses stays refused on every replica with the cache in between: 401', async () => {
  const before = validations();
  expect([await listImages(0, 'not-a-token'), await listImages(1, 'not-a-token'), await listImages(0, 'not-a-token')]).toEqual([401, 401, 401]);
  // Keystone was asked (keystonemiddleware may keep the refusal in the cache for the later ones).
  expect(validations() - before).toBeGreaterThanOrEqual(1);
});
