/**
 * imageConversion on real Glance 25.1.0 (Debian bookworm) and 30.0.0 (Debian trixie), behind a real
 * Keystone (../sandbox/keystone.ts) with a real MariaDB, each Glance process in its pod sandbox:
 * a project member stages a qcow2 image and imports it by glance-direct; Glance's image_conversion
 * plugin, as the library configures it, runs the pod's qemu-img and the image becomes raw, byte for
 * byte the disk the qcow2 file held. Nothing of the import is overlaid: the overlay sets only bind_host.
 */
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { until } from '../waiting';
import { GLANCE_IMAGES, glanceVersion, keystoneForFile, realKeystone, SandboxedGlance, synthesizeWithKeystone } from './sandboxed-glance';

const STS = 'glance-default-single';
const NAMESPACE = 'openstack';
const GLANCE_PASSWORD = 'e2e-glance-service-password';
const KEYSTONE_HOST = `keystone-internal.${NAMESPACE}.svc`;

/** A 4 MiB disk: 1 MiB of random data, then zeros; and the same disk as a qcow2 file, which holds no zero cluster. */
const DISK = Buffer.concat([randomBytes(1024 * 1024), Buffer.alloc(3 * 1024 * 1024)]);
let QCOW2: Buffer;

const file = keystoneForFile('image_conversion, a qcow2 import by glance-direct:', GLANCE_PASSWORD, NAMESPACE);
const { keystone, lines } = file;

/** One request to replica 0 with a token: the status and the JSON body. */
async function api(glance: SandboxedGlance, method: string, path: string, token: string, body?: unknown, raw?: Buffer) {
  const response = await fetch(`${glance.podUrl(0)}${path}`, {
    method,
    headers: {
      'X-Auth-Token': token,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : raw ? { 'Content-Type': 'application/octet-stream' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : raw,
  });
  const text = await response.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: response.status, text, json };
}

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'qcow2-'));
  try {
    writeFileSync(join(dir, 'disk.raw'), DISK);
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', join(dir, 'disk.raw'), join(dir, 'disk.qcow2')]);
    QCOW2 = readFileSync(join(dir, 'disk.qcow2'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe.each([['Glance 25.1.0', GLANCE_IMAGES.bookworm], ['Glance 30.0.0', GLANCE_IMAGES.trixie]])('%s: imageConversion', (release, image) => {
  let glance: SandboxedGlance;
  let token: string;

  beforeAll(async () => {
    expect(glanceVersion(image)).toBe(release.replace('Glance ', ''));
    const manifests = synthesizeWithKeystone(image, keystone.urlAt(KEYSTONE_HOST), { apis: { default: { imageConversion: true } } });
    glance = new SandboxedGlance(manifests, STS, NAMESPACE, { 'glance-images-nfs': '2Gi' }, image,
      { 'osp-secret': { GlancePassword: GLANCE_PASSWORD } }, { keystone: realKeystone(keystone, KEYSTONE_HOST) });
    await glance.prepare();
    await glance.start(0);
    token = await keystone.token(file.member.name, file.member.password, 'demo');
  });

  afterAll(async () => {
    await glance?.destroy();
  });

  test(`${release}: a qcow2 image imported by glance-direct becomes raw, byte for byte its disk`, async () => {
    expect(QCOW2.subarray(0, 4).toString('latin1')).toBe('QFI\xfb');
    expect(QCOW2.length).toBeLessThan(DISK.length);
    const created = await api(glance, 'POST', '/v2/images', token, { name: 'converted', disk_format: 'qcow2', container_format: 'bare' });
    expect(created.status).toBe(201);
    const id: string = created.json.id;
    expect((await api(glance, 'PUT', `/v2/images/${id}/stage`, token, undefined, QCOW2)).status).toBe(204);
    const imported = await api(glance, 'POST', `/v2/images/${id}/import`, token, { method: { name: 'glance-direct' } });
    expect(imported.status).toBe(202);
    let task: any;
    await until(`the import task of ${id} ends`, async () => {
      task = ((await api(glance, 'GET', `/v2/images/${id}/tasks`, token)).json?.tasks ?? [])[0];
      return task !== undefined && ['success', 'failure'].includes(task.status);
    }, { everyMs: 300, detail: () => JSON.stringify(task) });
    const shown = (await api(glance, 'GET', `/v2/images/${id}`, token)).json;
    lines.push(`${release.padEnd(14)} staged ${QCOW2.length} bytes of qcow2: task ${task.status}${task.message ? ` (${task.message})` : ''}, `
      + `image ${shown.status}, ${shown.disk_format}, ${shown.size} bytes`);
    expect(task.status).toBe('success');
    expect(shown).toMatchObject({ status: 'active', disk_format: 'raw', size: DISK.length });
    const download = await fetch(`${glance.podUrl(0)}/v2/images/${id}/file`, { headers: { 'X-Auth-Token': token } });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(DISK)).toBe(true);
  });
});
