/**
 * web-download on real Glance 25.1.0 (Debian bookworm) and 30.0.0 (Debian trixie), behind a real
 * Keystone (../sandbox/keystone.ts) with a real MariaDB, each Glance process in its pod sandbox.
 * Nothing of the import filtering is overlaid: the overlay sets only bind_host.
 *
 * The allow-list names a mirror the test serves (./web-mirror.ts) by a name that the pods'
 * /etc/hosts maps to a loopback address: the library refuses loopback literals, and Glance trusts
 * whatever an allowed name resolves to (resolve_pinned_address returns the first address of an
 * allowed host before its loopback/link-local check). A project member imports from the mirror;
 * a redirect from the mirror to a host not on the list, and a URL naming such a host, are refused.
 */
import { createHash, randomBytes } from 'crypto';
import { Manifest } from '../helpers';
import { Keystone, requireKeystone } from '../sandbox/keystone';
import { SandboxNode } from '../sandbox/pod-sandbox';
import { until } from '../waiting';
import {
  GLANCE_IMAGES, GlanceImage, glanceVersion, realKeystone, requireRealGlance, SandboxedGlance, synthesizeWithKeystone,
} from './sandboxed-glance';
import { MIRROR_HOST, WebMirror } from './web-mirror';

const STS = 'glance-default-single';
const NAMESPACE = 'openstack';
const GLANCE_PASSWORD = 'e2e-glance-service-password';
const KEYSTONE_HOST = `keystone-internal.${NAMESPACE}.svc`;
const IMAGE_DATA = randomBytes(3 * 1024 * 1024 + 17);

// What glance-api reads of [import_filtering_opts], parsed as glance-api parses its config.
const LOADER = `
import json, sys
sys.argv[0] = '/usr/bin/glance-api'
from oslo_config import cfg
from glance.common import config
import glance.async_.flows._internal_plugins
config.parse_args(sys.argv[1:])
out = {}
for name in ['allowed_schemes', 'allowed_hosts', 'allowed_ports', 'disallowed_schemes', 'disallowed_hosts', 'disallowed_ports']:
    try:
        out[name] = getattr(cfg.CONF.import_filtering_opts, name)
    except Exception as e:
        out[name] = 'error: %s: %s' % (type(e).__name__, e)
print(json.dumps(out))
`;

const keystone = new Keystone();
const mirror = new WebMirror(IMAGE_DATA);
let member: { name: string; password: string };
const lines: string[] = [];

function synthesize(image: GlanceImage): Manifest[] {
  return synthesizeWithKeystone(image, keystone.urlAt(KEYSTONE_HOST),
    { webDownload: { allowedHosts: [MIRROR_HOST], allowedSchemes: ['http'], allowedPorts: [mirror.port] } });
}

/** What glance-api of replica 0 reads of [import_filtering_opts], in its pod's sandbox, with its own config arguments. */
async function loadedFilter(manifests: Manifest[], image: GlanceImage): Promise<Record<string, unknown>> {
  const node = new SandboxNode(manifests, NAMESPACE, {
    'glance-db': { connection: 'mysql+pymysql://glance:x@openstack.openstack.svc/glance' }, 'osp-secret': { GlancePassword: 'x' },
  }, {}, image.root);
  node.claimDir('glance-images-nfs', '1Gi');
  try {
    const result = await node.pod('StatefulSet', STS, 0).run({ replaceProgram: { from: 'glance-api', to: ['/usr/bin/python3', '-c', LOADER] } });
    if (result.code !== 0) throw new Error(result.stderr.slice(-3000));
    return JSON.parse(result.stdout.trim().split('\n').pop()!);
  } finally {
    node.destroy();
  }
}

interface ApiAnswer { status: number; text: string; json: any }

/** One request to replica 0 with a token: the status, the body and its JSON. */
async function api(glance: SandboxedGlance, method: string, path: string, token: string, body?: unknown): Promise<ApiAnswer> {
  const response = await fetch(`${glance.podUrl(0)}${path}`, {
    method,
    headers: { 'X-Auth-Token': token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: response.status, text, json };
}

/** Creates an image as the member and asks Glance to import it from `uri` by web-download: the import call's answer. */
async function importFrom(glance: SandboxedGlance, token: string, name: string, uri: string) {
  const created = await api(glance, 'POST', '/v2/images', token, { name, disk_format: 'raw', container_format: 'bare' });
  expect(created.status).toBe(201);
  const id: string = created.json.id;
  const imported = await api(glance, 'POST', `/v2/images/${id}/import`, token, { method: { name: 'web-download', uri } });
  return { id, imported };
}

/** Waits until the image's import task has ended; the task. */
async function finishedTask(glance: SandboxedGlance, token: string, id: string): Promise<any> {
  let task: any;
  await until(`the import task of ${id} ends`, async () => {
    const tasks = (await api(glance, 'GET', `/v2/images/${id}/tasks`, token)).json?.tasks ?? [];
    task = tasks[0];
    return task !== undefined && ['success', 'failure'].includes(task.status);
  }, { everyMs: 300, detail: () => JSON.stringify(task) });
  return task;
}

/** An answer's text on one line, without its HTML. */
function oneLine(text: string): string {
  return text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 160);
}

function record(release: string, what: string, got: string): void {
  lines.push(`${release.padEnd(14)} ${what.padEnd(58)} ${got}`);
}

beforeAll(async () => {
  requireRealGlance(GLANCE_IMAGES.bookworm);
  requireRealGlance(GLANCE_IMAGES.trixie);
  requireKeystone();
  await mirror.start();
  await keystone.start();
  member = (await keystone.setupGlanceIdentities(GLANCE_PASSWORD, `http://glance-default.${NAMESPACE}.svc:9292`)).member;
});

afterAll(async () => {
  await keystone.stop();
  await mirror.stop();
  console.log(['web-download, mirror allow-listed by name (resolving to a loopback address):', ...lines].join('\n'));
});

describe.each([['Glance 25.1.0', GLANCE_IMAGES.bookworm], ['Glance 30.0.0', GLANCE_IMAGES.trixie]])('%s: web-download', (release, image) => {
  let glance: SandboxedGlance;
  let manifests: Manifest[];
  let token: string;

  beforeAll(async () => {
    expect(glanceVersion(image)).toBe(release.replace('Glance ', ''));
    manifests = synthesize(image);
    glance = new SandboxedGlance(manifests, STS, NAMESPACE, { 'glance-images-nfs': '2Gi' }, image,
      { 'osp-secret': { GlancePassword: GLANCE_PASSWORD } },
      {
        keystone: realKeystone(keystone, KEYSTONE_HOST, mirror.hosts()),
      });
    mirror.pointResolverAt(glance.node);
    await glance.prepare();
    token = await keystone.token(member.name, member.password, 'demo');
  });

  afterAll(async () => {
    await glance?.destroy();
  });

  test(`${release}: oslo.config reads the allow-list the library writes`, async () => {
    const filter = await loadedFilter(manifests, image);
    record(release, 'what glance-api reads of [import_filtering_opts]', JSON.stringify(filter));
    expect(filter).toEqual({
      allowed_schemes: ['http'],
      allowed_hosts: [MIRROR_HOST],
      allowed_ports: [mirror.port],
      disallowed_schemes: [],
      disallowed_hosts: [],
      disallowed_ports: [],
    });
  });

  test(`${release}: glance-api starts and offers web-download`, async () => {
    let started = 'healthy';
    try { await glance.start(0); } catch (e) { started = String(e).slice(0, 600); }
    record(release, 'glance-api with the config', started.split('\n').filter((l) => /exited|Error|error/.test(l)).slice(-2).join(' | ') || started);
    expect(started).toBe('healthy');
    const methods = (await api(glance, 'GET', '/v2/info/import', token)).json['import-methods'].value;
    expect(methods).toContain('web-download');
  });

  test(`${release}: a member imports from the allow-listed mirror: the image becomes active with the mirror's bytes`, async () => {
    const before = mirror.mirrorRequests.length;
    const { id, imported } = await importFrom(glance, token, 'from-the-mirror', mirror.url('/image.raw'));
    record(release, `import from ${mirror.url('/image.raw')}`, `HTTP ${imported.status} ${oneLine(imported.text)}`);
    expect(imported.status).toBe(202);
    const task = await finishedTask(glance, token, id);
    const shown = (await api(glance, 'GET', `/v2/images/${id}`, token)).json;
    record(release, '  then', `task ${task.status}${task.message ? ` (${task.message})` : ''}, image ${shown.status}`);
    expect(task.status).toBe('success');
    expect(shown).toMatchObject({
      status: 'active',
      size: IMAGE_DATA.length,
      os_hash_algo: 'sha512',
      os_hash_value: createHash('sha512').update(IMAGE_DATA).digest('hex'),
    });
    const download = await fetch(`${glance.podUrl(0)}/v2/images/${id}/file`, { headers: { 'X-Auth-Token': token } });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(IMAGE_DATA)).toBe(true);
    expect(mirror.mirrorRequests.slice(before)).toEqual([{ host: `${MIRROR_HOST}:${mirror.port}`, path: '/image.raw' }]);
  });

  test(`${release}: a redirect from the mirror to the mirror is followed (the control of the next two tests)`, async () => {
    const before = mirror.mirrorRequests.length;
    const { id, imported } = await importFrom(glance, token, 'redirected-to-the-mirror', mirror.url('/redirect-to-mirror.raw'));
    expect(imported.status).toBe(202);
    const task = await finishedTask(glance, token, id);
    const shown = (await api(glance, 'GET', `/v2/images/${id}`, token)).json;
    record(release, 'import from /redirect-to-mirror.raw (302 to /image.raw)', `HTTP ${imported.status}, task ${task.status}, image ${shown.status}`);
    expect(task.status).toBe('success');
    expect(shown).toMatchObject({ status: 'active', size: IMAGE_DATA.length });
    expect(mirror.mirrorRequests.slice(before).map((r) => r.path)).toEqual(['/redirect-to-mirror.raw', '/image.raw']);
  });

  test.each([
    ['by name', '/redirect-by-name.raw'],
    ['by address', '/redirect-by-address.raw'],
  ])(`${release}: a redirect from the mirror to a host not on the allow-list (%s) fails the import; that host gets no request`, async (_how,
    path) => {
    const before = mirror.mirrorRequests.length;
    const { id, imported } = await importFrom(glance, token, `redirected-${path}`, mirror.url(path));
    expect(imported.status).toBe(202);
    const task = await finishedTask(glance, token, id);
    const shown = (await api(glance, 'GET', `/v2/images/${id}`, token)).json;
    record(release, `import from ${path} (302 to ${path.includes('name') ? mirror.internalUrl('/secret') : mirror.internalAddressUrl('/secret')})`,
      `HTTP ${imported.status}, task ${task.status} (${task.message}), image ${shown.status}`);
    // Glance logs "Redirect to disallowed URL" (SafeRedirectHandler); the task says only "Internal Error".
    expect(task.status).toBe('failure');
    expect(shown.status).toBe('queued');
    expect(mirror.mirrorRequests.slice(before)).toEqual([{ host: `${MIRROR_HOST}:${mirror.port}`, path }]);
    expect(mirror.internalRequests).toEqual([]);
  });

  test(`${release}: a URL naming a host not on the allow-list is refused at the import call`, async () => {
    const { id, imported } = await importFrom(glance, token, 'not-allowed', mirror.internalUrl('/secret'));
    record(release, `import from ${mirror.internalUrl('/secret')}`, `HTTP ${imported.status} ${oneLine(imported.text)}`);
    expect(imported.status).toBe(400);
    expect(imported.text).toContain('does not pass filtering');
    expect((await api(glance, 'GET', `/v2/images/${id}`, token)).json.status).toBe('queued');
    expect(mirror.internalRequests).toEqual([]);
  });

  test(`${release}: no DNS query left the pods (every name came from /etc/hosts)`, () => {
    expect(mirror.dnsQueries).toEqual([]);
  });
});
