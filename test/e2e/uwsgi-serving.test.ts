/**
 * The uWSGI mode of lib/api-serving.ts serves real Glance: a deployment synthesized for 2026.1
 * runs its API container's own command (python3's `$` escape, then `uwsgi --ini` with the ini and
 * the .wsgi file of its config Secret) in its pod sandbox on the Debian trixie image (Glance 30.0.0,
 * uWSGI 2.0.28; Glance 32 is not packaged here, and 30 has glance.common.wsgi_app.init_app). It
 * lists images, takes an upload sent with Transfer-Encoding: chunked, serves it back byte for byte,
 * and caches it on cache-queue (the CacheWorker thread of a uWSGI worker). See sandboxed-glance.ts
 * for what differs from a cluster (the ini's http-socket carries the pod's own address).
 */
import { execFile } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { promisify } from 'util';
import { App, Chart, Testing } from 'cdk8s';
import { Glance, GlanceRelease, ImageBackend } from '../../lib';
import { UWSGI_INI } from '../../lib/api-serving';
import { BASE_PROPS, find, Manifest, parseIniText } from '../helpers';
import { GLANCE_IMAGES, glanceVersion, requireRealGlance, SandboxedGlance } from './sandboxed-glance';
import { until } from '../waiting';

const execFileAsync = promisify(execFile);
const STS = 'glance-default-single';
const NAMESPACE = 'openstack';
const IMAGE = GLANCE_IMAGES.trixie;
const WORKERS = 2;
const UPLOAD_SIZE = 20 * 1024 * 1024 + 12345;

function synthesize(): Manifest[] {
  const chart = new Chart(new App(), 'e2e', { namespace: NAMESPACE });
  new Glance(chart, 'glance', {
    ...BASE_PROPS,
    release: GlanceRelease.of('2026.1'),
    backend: ImageBackend.file({ sharedStore: { existingClaimName: 'glance-images-nfs' } }),
    imageCache: { size: '256Mi' },
    apis: { default: { replicas: 1, workers: WORKERS } },
  });
  return Testing.synth(chart) as Manifest[];
}

function field(tableOutput: string, name: string): string {
  const match = new RegExp(`^\\|\\s*${name}\\s*\\|\\s*(\\S*)\\s*\\|`, 'm').exec(tableOutput);
  if (!match) throw new Error(`no ${name} in:\n${tableOutput}`);
  return match[1];
}

/** Command lines of the processes under `root` (its descendants), from /proc. */
function descendants(root: number): string[][] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const found: string[][] = [];
  const walk = (pid: number) => {
    for (const [child, ppid] of parent) {
      if (ppid !== pid) continue;
      try { found.push(readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').filter(Boolean)); } catch { /* gone */ }
      walk(child);
    }
  };
  walk(root);
  return found;
}

describe('uWSGI serves real Glance (2026.1 output on Glance 30)', () => {
  let glance: SandboxedGlance;
  let work: string;
  let id: string;
  let uploaded: { md5: string; file: string };
  const manifests = synthesize();
  const container = find(manifests, 'StatefulSet', STS).spec.template.spec.containers[0];

  beforeAll(async () => {
    requireRealGlance(IMAGE);
    const uwsgi = ['usr/bin/uwsgi', 'usr/lib/uwsgi/plugins/python3_plugin.so'].filter((path) => !existsSync(join(IMAGE.root, path)));
    if (uwsgi.length) {
      throw new Error(`The ${IMAGE.name} image lacks ${uwsgi.join(', ')}: ${IMAGE.install}, with uwsgi-core and uwsgi-plugin-python3`);
    }
    glance = new SandboxedGlance(manifests, STS, NAMESPACE, { 'glance-images-nfs': '1Gi' }, IMAGE);
    work = join(glance.node.root, 'client');
    mkdirSync(work);
    await glance.prepare();
    await glance.start(0);
  });

  afterAll(async () => {
    console.log(`uWSGI serving e2e on Glance ${glanceVersion(IMAGE)} (${IMAGE.name})`);
    await glance?.destroy();
  });

  test('the overlay changes only the http-socket line of the ini, to the pod\'s own address', () => {
    const ini = glance.node.secretData(glance.configSecretName)[UWSGI_INI];
    const overlaid = glance.uwsgiOverlay(`${STS}-0`)[UWSGI_INI];
    const differ = ini.split('\n').map((line, i) => [line, overlaid.split('\n')[i]]).filter(([a, b]) => a !== b);
    expect(differ).toEqual([['http-socket = 0.0.0.0:9292', `http-socket = ${glance.node.address(`${STS}-0`)}:9292`]]);
  });

  test('the container runs the manifest\'s uwsgi command: a master and one process per worker, no eventlet glance-api', () => {
    expect(container.command.slice(3)).toEqual(['uwsgi', '--ini', `/etc/glance/glance.conf.d/${UWSGI_INI}`]);
    const processes = descendants(glance.process(0)!.pid!);
    const uwsgis = processes.filter((argv) => argv[0] === 'uwsgi');
    expect(uwsgis).toEqual(Array(1 + WORKERS).fill(['uwsgi', '--ini', `/etc/glance/glance.conf.d/${UWSGI_INI}`]));
    expect(processes.filter((argv) => argv.some((arg) => arg.endsWith('glance-api')))).toEqual([]);
  });

  test('the ini\'s processes follow the workers prop, and glance.conf has no bind options', () => {
    expect(parseIniText(glance.node.secretData(glance.configSecretName)[UWSGI_INI]).uwsgi.processes).toBe(String(WORKERS));
    expect(['bind_host', 'bind_port', 'workers'].filter((option) => option in glance.glanceConf.DEFAULT)).toEqual([]);
  });

  test('image-list answers through uWSGI', async () => {
    expect(await glance.glance(0, 'image-list')).toMatch(/\|\s*ID\s*\|\s*Name\s*\|/);
  });

  test('an upload sent with Transfer-Encoding: chunked is stored whole', async () => {
    id = field(await glance.glance(0, 'image-create', '--disk-format', 'raw', '--container-format', 'bare', '--name', 'chunked'), 'id');
    const data = randomBytes(UPLOAD_SIZE);
    uploaded = { md5: createHash('md5').update(data).digest('hex'), file: join(work, 'upload.raw') };
    writeFileSync(uploaded.file, data);
    // curl -T - reads stdin, whose size it does not know: it sends the body in chunks (-v shows the header).
    const { stderr } = await execFileAsync('/bin/sh', ['-c', 'exec curl -sS -v -f -T - "$@" < "$0"', uploaded.file,
      '-H', 'Transfer-Encoding: chunked', '-H', 'Content-Type: application/octet-stream', `${glance.podUrl(0)}/v2/images/${id}/file`],
    { maxBuffer: 16 * 1024 * 1024 });
    expect(stderr).toMatch(/^> Transfer-Encoding: chunked\r?$/m);
    expect(stderr).not.toMatch(/^> Content-Length:/m);
    expect(stderr).toMatch(/^< HTTP\/1\.1 204 /m);
    const shown = await glance.glance(0, 'image-show', id);
    expect({ status: field(shown, 'status'), size: field(shown, 'size'), checksum: field(shown, 'checksum') })
      .toEqual({ status: 'active', size: String(UPLOAD_SIZE), checksum: uploaded.md5 });
  });


  test('the download is the upload, byte for byte', async () => {
    expect(await glance.download(0, id)).toEqual({ status: 200, bytes: UPLOAD_SIZE, md5: uploaded.md5 });
  });

  test('cache-queue caches the image on the replica (a uWSGI worker\'s CacheWorker thread), cache-list shows it', async () => {
    await glance.glance(0, 'cache-queue', id);
    await until('the replica lists the image as cached', async () => (await glance.cachedImages(0)).includes(id));
    expect(await glance.cachedImages(0)).toEqual([id]);
    expect(glance.cacheFiles(0)).toEqual({ [id]: UPLOAD_SIZE });
    // Where the library's glance.conf puts the file store: Glance took its store from our files.
    expect(existsSync(join(glance.node.claimDir('glance-images-nfs'), id))).toBe(true);
  });

  test('the cached image downloads the same', async () => {
    expect(await glance.download(0, id)).toEqual({ status: 200, bytes: UPLOAD_SIZE, md5: uploaded.md5 });
  });
});
