/**
 * TLS everywhere (issue 23), on real Glance (tls.test.ts: 25.1.0 on Debian bookworm; tls-trixie.test.ts:
 * 30.0.0 on Debian trixie; tls-uwsgi.test.ts: 30.0.0 synthesized for 2026.1, served by uWSGI as
 * releases from 2026.1 are): two API replicas, each pod
 * running BOTH containers of its manifest in the pod sandbox, glance-api (eventlet, or uWSGI, bound
 * to 127.0.0.1:9293 by our config) and the TLS terminator glance-httpd (Apache, started by our glance-httpd.sh from
 * the config Secret), with certificates from Secrets the test brings (issued by the test PKI,
 * ../sandbox/tls.ts): the internal one for `glance-default.<ns>.svc` and `*.<sts>.<ns>.svc`, the
 * public one for the public Service. Keystone serves HTTPS, MariaDB requires TLS
 * (require_secure_transport) and Glance reaches it through `database.tls`. Clients trust only the
 * test CA: `glance --os-cacert` and `openssl s_client -verify_return_error`.
 *
 * The overlay is network endpoints only, because pods share one network namespace here: glance's
 * bind_host (or uWSGI's http-socket), and in glance-httpd.cfg the Listen line and the UPSTREAM define move to the replica's
 * loopback address (asserted line by line). Secret volumes are laid out as the kubelet's atomic
 * writer lays them out (`..data` swapped atomically), so the rotation below is the kubelet's.
 */
import { execFile } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { IncomingMessage } from 'http';
import { request as httpsRequest } from 'https';
import { join } from 'path';
import { TLSSocket } from 'tls';
import { promisify } from 'util';
import { App, Chart, Testing } from 'cdk8s';
import { Glance, GlanceRelease, ImageBackend } from '../../lib';
import { UWSGI_INI } from '../../lib/api-serving';
import { HTTPD_CONFIG } from '../../lib/tls/terminator';
import { BASE_PROPS, find, Manifest, parseIniText } from '../helpers';
import { GlanceImage, glanceVersion, realKeystone, requireRealGlance, SandboxedGlance } from './sandboxed-glance';
import { Keystone, requireKeystone } from '../sandbox/keystone';
import {
  CA_BUNDLE_KEY, handshake, HandshakeResult, SECRET_VOLUME_LAYOUT, secretVolumeCommand, secretVolumeLayout, TestCertificate, TestPki,
} from '../sandbox/tls';
import { HANG_GUARD_MS, until } from '../waiting';

const execFileAsync = promisify(execFile);

const STS = 'glance-default-single';
const NS = 'openstack';
const PORT = 9292;
const KEYSTONE_HOST = `keystone-internal.${NS}.svc`;
const GLANCE_PASSWORD = 'e2e-glance-service-password';
const INTERNAL_SECRET = 'glance-internal-tls';
const PUBLIC_SECRET = 'glance-public-tls';
const BUNDLE_SECRET = 'combined-ca-bundle';
const PRECACHED = 'precache-over-https';
const INTERNAL_SVC = `glance-default.${NS}.svc`;
const PUBLIC_SVC = `glance-default-public.${NS}.svc`;
const INTERNAL_NAMES = [INTERNAL_SVC, `${INTERNAL_SVC}.cluster.local`, `*.${STS}.${NS}.svc`, `*.${STS}.${NS}.svc.cluster.local`];
const PUBLIC_NAMES = [PUBLIC_SVC, `${PUBLIC_SVC}.cluster.local`];
const MIB = 1024 * 1024;
const BIG = 200 * MIB;

/** The whole TLS scenario on one image, synthesized for `release` (default: the image's own). */
export function tlsScenario(image: GlanceImage, release: GlanceRelease = image.release): void {
  const pki = new TestPki();
  const keystone = new Keystone({
    endpointHosts: { internal: KEYSTONE_HOST, public: KEYSTONE_HOST, admin: KEYSTONE_HOST },
    tls: (() => {
      const cert = pki.issue('keystone', { dnsNames: [KEYSTONE_HOST, `${KEYSTONE_HOST}.cluster.local`] });
      return { certFile: cert.certFile, keyFile: cert.keyFile, caFile: pki.writeCaBundle(join(pki.root, 'keystone-trust')) };
    })(),
  });
  let glance: SandboxedGlance;
  let internal: TestCertificate;
  let publicCert: TestCertificate;
  let bundle: string;
  let wrongBundle: string;
  let work: string;
  let version = '';

  const results: Array<{ step: string; ok: boolean; ms: number; detail: string }> = [];
  async function step(name: string, body: () => Promise<string | void>): Promise<void> {
    const started = performance.now();
    try {
      const detail = await body();
      results.push({ step: name, ok: true, ms: performance.now() - started, detail: detail ?? '' });
    } catch (e) {
      results.push({ step: name, ok: false, ms: performance.now() - started, detail: '' });
      throw e;
    }
  }

  function synthesize(): Manifest[] {
    const chart = new Chart(new App(), 'e2e', { namespace: NS });
    new Glance(chart, 'glance', {
      ...BASE_PROPS,
      release,
      database: { connectionSecret: { name: 'glance-db', key: 'connection' }, tls: true },
      keystone: { authUrl: keystone.urlAt(KEYSTONE_HOST), passwordSecret: { name: 'osp-secret', key: 'GlancePassword' } },
      backend: ImageBackend.file({ sharedStore: { existingClaimName: 'glance-images-nfs' } }),
      imageCache: { size: '512Mi', precache: { images: [PRECACHED] } },
      tls: { caBundleSecret: { name: BUNDLE_SECRET, key: CA_BUNDLE_KEY } },
      apis: { default: { replicas: 2, tls: { internalSecretName: INTERNAL_SECRET, publicSecretName: PUBLIC_SECRET } } },
    });
    return Testing.synth(chart) as Manifest[];
  }

  function imageId(table: string): string {
    const match = /^\|\s*id\s*\|\s*([0-9a-f-]{36})\s*\|/m.exec(table);
    if (!match) throw new Error(`no image id in:\n${table}`);
    return match[1];
  }

  function field(table: string, name: string): string {
    const match = new RegExp(`^\\|\\s*${name}\\s*\\|\\s*(\\S*)\\s*\\|`, 'm').exec(table);
    if (!match) throw new Error(`no ${name} in:\n${table}`);
    return match[1];
  }

  const address = (replica: number) => glance.node.address(`${STS}-${replica}`);
  /** The uWSGI ini of the config Secret: undefined where glance-api serves (eventlet). */
  const uwsgiIni = () => glance.node.secretData(glance.configSecretName)[UWSGI_INI];
  /** Where the API's own server listens, as its config says: uWSGI's http-socket, or glance.conf's bind_host and bind_port. */
  const apiListens = () => {
    const ini = uwsgiIni();
    const conf = glance.glanceConf.DEFAULT;
    return ini === undefined ? `${conf.bind_host}:${conf.bind_port}` : /^http-socket = (.*)$/m.exec(ini)?.[1];
  };

  /** A TLS handshake with replica N's terminator by `name` (SNI and name check), trusting `caFile`. */
  function shake(replica: number, name: string, caFile = bundle): Promise<HandshakeResult> {
    return handshake(address(replica), PORT, { caFile, servername: name });
  }

  /** GET over HTTPS from replica N by its hostname, trusting only the test CA, with a token. */
  function httpsGet(replica: number, path: string, token: string): Promise<IncomingMessage> {
    const host = glance.hostname(replica);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(`https://${address(replica)}:${PORT}${path}`, {
        ca: readFileSync(bundle),
        servername: host,
        headers: { 'Host': `${host}:${PORT}`, 'X-Auth-Token': token },
        agent: false,
        timeout: HANG_GUARD_MS,
      }, resolve);
      req.on('error', reject);
      req.end();
    });
  }

  /** The glance CLI with a Keystone token (no Keystone call), trusting `caFile`: what it prints, or its error. */
  async function glanceByToken(caFile: string, replica: number, ...args: string[]): Promise<{ code: number; output: string }> {
    const token = await keystone.adminToken();
    try {
      const { stdout, stderr } = await execFileAsync('bwrap', [...glance.node.clientArgs(), '--', '/bin/sh', '-c', 'exec glance "$@" <&-', 'glance',
        '--os-image-url', glance.url(replica), '--os-cacert', caFile, ...args], {
        env: { PATH: '/usr/bin:/bin', HOME: glance.clientHome(), LANG: 'C.UTF-8', OS_IMAGE_API_VERSION: '2', OS_AUTH_TOKEN: token },
      });
      return { code: 0, output: stdout + stderr };
    } catch (error: any) {
      return { code: error.code ?? -1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` };
    }
  }

  /** What the kubelet does when a Secret changes: the new data, swapped into every running pod's volumes. */
  function rotate(secretName: string, data: Record<string, string>): void {
    glance.node.setSecret(secretName, data);
    const volume = `tls-${secretName === INTERNAL_SECRET ? 'internal' : 'public'}`;
    for (const replica of [0, 1]) expect(glance.pod(replica).refreshSecretVolumes(secretName)).toEqual([volume]);
  }

  /** Waits until replica N's terminator serves `fingerprint` for `name`; returns the wait in ms (a figure, not asserted). */
  async function untilServed(replica: number, name: string, fingerprint: string): Promise<number> {
    const started = performance.now();
    let last: HandshakeResult | undefined;
    await until(`replica ${replica} serves ${fingerprint.slice(0, 11)} for ${name}`, async () => {
      last = await shake(replica, name);
      return last.fingerprint === fingerprint;
    }, { everyMs: 500, detail: () => `${last?.output.slice(-1500)}\n${glance.sidecar(replica, 'glance-httpd').stderr.join('').slice(-2000)}` });
    return performance.now() - started;
  }

  beforeAll(async () => {
    requireRealGlance(image);
    requireKeystone();
    version = glanceVersion(image);
    internal = pki.issue('internal', { dnsNames: INTERNAL_NAMES });
    publicCert = pki.issue('public', { dnsNames: PUBLIC_NAMES });
    const db = pki.issue('mariadb', { dnsNames: [`openstack.${NS}.svc`] });
    bundle = pki.writeCaBundle(join(pki.root, 'bundle'));
    wrongBundle = pki.writeCaBundle(join(pki.root, 'wrong-bundle'), [pki.wrongCa]);
    await keystone.start();
    await keystone.setupGlanceIdentities(GLANCE_PASSWORD, `https://${INTERNAL_SVC}:${PORT}`);
    glance = new SandboxedGlance(synthesize(), STS, NS, { 'glance-images-nfs': '2Gi' }, image, {
      'osp-secret': { GlancePassword: GLANCE_PASSWORD },
      [INTERNAL_SECRET]: pki.secretData(internal),
      [PUBLIC_SECRET]: pki.secretData(publicCert),
      [BUNDLE_SECRET]: { [CA_BUNDLE_KEY]: pki.caBundle() },
    }, {
      keystone: realKeystone(keystone, KEYSTONE_HOST),
      tls: { caFile: bundle },
      dbTls: { certFile: db.certFile, keyFile: db.keyFile, caFile: bundle },
    });
    work = join(glance.node.root, 'client');
    mkdirSync(work);
    await glance.prepare();
    await Promise.all([glance.start(0), glance.start(1)]);
  });

  afterAll(async () => {
    await glance?.destroy();
    await keystone.stop();
    pki.remove();
    const width = Math.max(...results.map((r) => r.step.length));
    const lines = results.map((r) => `${r.step.padEnd(width)}  ${r.ok ? 'pass' : 'FAIL'}  ${r.ms.toFixed(0).padStart(7)} ms  ${r.detail}`);
    console.log([`Glance ${version} (${image.name}, ${uwsgiIni() === undefined ? 'eventlet' : 'uWSGI'}) behind its TLS terminator `
      + '(Apache, glance-httpd), two replicas, '
      + 'Keystone over HTTPS, MariaDB requiring TLS:',
    ...lines].join('\n'));
  });

  describe('the API pod, from its manifest', () => {
    test('both containers run: glance-api and the terminator glance-httpd, side by side on the pod\'s volumes', () => step('pod: both containers run',
      async () => {
        const spec = find(glance.manifests, 'StatefulSet', STS).spec.template.spec;
        expect(spec.containers.map((c: any) => c.name)).toEqual(['glance-api', 'glance-httpd']);
        for (const replica of [0, 1]) {
          expect(glance.process(replica)!.exitCode).toBeNull();
          expect(glance.sidecar(replica, 'glance-httpd').process.exitCode).toBeNull();
        }
        // Only the terminator has a pod port.
        expect(spec.containers.map((c: any) => [c.name, (c.ports ?? []).map((p: any) => p.containerPort)]))
          .toEqual([['glance-api', []], ['glance-httpd', [PORT]]]);
        return 'glance-api + glance-httpd on each replica';
      }));

    test('the overlay moves network endpoints only: bind_host (or http-socket), and the Listen and UPSTREAM lines of glance-httpd.cfg', () => step(
      'overlay: endpoints only', async () => {
        // In a cluster the API's own server is on the pod's loopback only.
        expect(apiListens()).toBe('127.0.0.1:9293');
        const ini = uwsgiIni();
        const rendered = glance.node.secretData(glance.configSecretName)[HTTPD_CONFIG].split('\n');
        for (const replica of [0, 1]) {
          const pod = `${STS}-${replica}`;
          expect(parseIniText(glance.overlay(pod))).toEqual({ DEFAULT: { bind_host: address(replica) } });
          if (ini !== undefined) {
            const lines = ini.split('\n');
            const moved = glance.uwsgiOverlay(pod)[UWSGI_INI].split('\n');
            expect(lines.map((line, i) => [line, moved[i]]).filter(([a, b]) => a !== b))
              .toEqual([['http-socket = 127.0.0.1:9293', `http-socket = ${address(replica)}:9293`]]);
          }
          const overlaid = glance.httpdOverlay(pod)[HTTPD_CONFIG].split('\n');
          expect(overlaid).toHaveLength(rendered.length);
          const changed = rendered.map((line, i) => [line, overlaid[i]]).filter(([a, b]) => a !== b);
          expect(changed).toEqual([
            ['Define UPSTREAM 127.0.0.1:9293', `Define UPSTREAM ${address(replica)}:9293`],
            ['Listen ${LISTEN} https', `Listen ${address(replica)}:\${LISTEN} https`],
          ]);
        }
        // Nothing else reaches the pods: no job gets an httpd overlay.
        expect(glance.httpdOverlay(`${STS}-0-precache-x`)).toEqual({});
      }));

    test('Secret volumes are laid out as the kubelet writes them: each key a symlink through ..data to a timestamped directory', () => step(
      'secret volume: ..data layout', async () => {
        const pod = glance.pod(1);
        const run = await pod.run({ container: 'glance-httpd', exec: secretVolumeCommand('/etc/glance/tls/internal') });
        // The cluster tier asserts the same of the real kubelet's volume.
        expect({ code: run.code, layout: secretVolumeLayout(run.stdout) }).toEqual({ code: 0, layout: SECRET_VOLUME_LAYOUT });
      }));
  });

  describe('HTTPS on every endpoint and replica, plain HTTP refused', () => {
    const names = (replica: number): Array<[string, () => TestCertificate]> => [
      [INTERNAL_SVC, () => internal], [`${INTERNAL_SVC}.cluster.local`, () => internal], [glance.hostname(replica), () => internal],
      [PUBLIC_SVC, () => publicCert], [`${PUBLIC_SVC}.cluster.local`, () => publicCert],
    ];

    test.each([0, 1])('replica %i: the handshake verifies (-verify_return_error) by each Service name and by the replica\'s hostname', (replica) =>
      step(`handshake: replica ${replica}, 5 names`, async () => {
        const seen: string[] = [];
        for (const [name, cert] of names(replica)) {
          const result = await shake(replica, name);
          expect({ name, ok: result.ok, verifyError: result.verifyError, fingerprint: result.fingerprint })
            .toEqual({ name, ok: true, verifyError: undefined, fingerprint: cert().fingerprint });
          seen.push(`${result.protocol} ${result.cipher}`);
        }
        expect(new Set(seen).size).toBe(1);
        return seen[0];
      }));

    test('plain HTTP to port 9292 is refused by httpd (400, speaking plain HTTP to an SSL-enabled server port)', () => step(
      'plain HTTP on 9292: 400', async () => {
        for (const replica of [0, 1]) {
          const response = await fetch(`http://${address(replica)}:${PORT}/v2/images`, { signal: AbortSignal.timeout(HANG_GUARD_MS) });
          expect({ status: response.status, body: await response.text() })
            .toEqual({ status: 400, body: expect.stringContaining('speaking plain HTTP to an SSL-enabled server port') });
        }
        return 'HTTP 400 on both replicas';
      }));

    test('glance-api is behind the terminator only: its port is on 127.0.0.1 and no Service or pod port names it', () => {
      for (const service of glance.manifests.filter((m) => m.kind === 'Service')) {
        expect([service.metadata.name, service.spec.ports.map((p: any) => p.targetPort ?? p.port)]).toEqual([service.metadata.name, [PORT]]);
      }
      expect(apiListens()).toBe('127.0.0.1:9293');
    });
  });

  describe('Keystone over HTTPS and MariaDB requiring TLS, as Glance reaches them', () => {
    test('MariaDB refuses a plain connection as the glance user and takes one over TLS verified by the CA bundle', () => step(
      'MariaDB: TLS required', async () => {
        expect(await glance.db.tlsVariables()).toMatchObject({ have_ssl: 'YES', require_secure_transport: 'ON' });
        expect(glance.glanceConf.database.connection_parameters).toBe('ssl_ca=/etc/glance/tls/ca/tls-ca-bundle.pem');
        const client = (...tls: string[]) => execFileAsync('mariadb', ['--no-defaults', '-h', glance.db.address, '-P', String(glance.db.port),
          '-uglance', '-pe2e-db-password', ...tls, '-N', '-B', '-e', "SHOW SESSION STATUS LIKE 'Ssl_cipher'"])
          .then(({ stdout }) => stdout.trim(), (error) => `error: ${String(error.stderr).trim()}`);
        const plain = await client('--skip-ssl');
        expect(plain).toMatch(/^error: .*(1045|3159|insecure transport|Access denied)/);
        const secure = await client('--ssl', `--ssl-ca=${bundle}`);
        expect(secure).toMatch(/^Ssl_cipher\t\S+/);
        return `plain: refused; TLS: ${secure.split('\t')[1]}`;
      }));

    test('Keystone serves only HTTPS, and Glance\'s auth_token middleware validates against it with the CA bundle', () => step(
      'Keystone: HTTPS only', async () => {
        expect(keystone.url).toMatch(/^https:/);
        const authtoken = glance.glanceConf.keystone_authtoken;
        expect([authtoken.auth_url, authtoken.www_authenticate_uri, authtoken.cafile])
          .toEqual([`https://${KEYSTONE_HOST}:5000`, `https://${KEYSTONE_HOST}:5000`, '/etc/glance/tls/ca/tls-ca-bundle.pem']);
        // A token is validated by the replica (200), a made-up one refused (401): auth_token reached Keystone over HTTPS.
        const token = await keystone.adminToken();
        for (const [sent, expected] of [[token, 200], ['not-a-token', 401]] as const) {
          const response = await httpsGet(0, '/v2/images', sent);
          response.resume();
          expect(response.statusCode).toBe(expected);
        }
        const handshaken = await handshake(keystone.address, keystone.port, { caFile: bundle, servername: KEYSTONE_HOST });
        expect(handshaken.ok).toBe(true);
        return `${handshaken.protocol} ${handshaken.cipher}`;
      }));
  });

  describe('the reference steps, jobs and import proxying, over HTTPS only', () => {
    let id: string;

    test('the 8 reference steps by hostname with glance --os-cacert, orphan removal by the other replica\'s cleaner', () => step(
      'reference 8 steps over HTTPS', async () => {
        const file = join(work, 'image.raw');
        writeFileSync(file, randomBytes(256 * 1024));
        id = imageId(await glance.glance(0, 'image-create', '--name', 'tls-image', '--disk-format', 'raw', '--container-format', 'bare',
          '--file', file));
        expect(await glance.glance(1, 'image-show', id)).toMatch(/\|\s*status\s*\|\s*active\s*\|/);
        await glance.glance(0, 'cache-queue', id);
        await until('cached on replica 0', async () => (await glance.cachedImages(0)).includes(id));
        expect(await glance.cachedImages(1)).toEqual([]);
        await glance.glance(1, 'cache-queue', id);
        await until('cached on replica 1', async () => (await glance.cachedImages(1)).includes(id));
        expect(await glance.cachedImages(1)).toEqual([id]);
        await glance.glance(0, 'cache-delete', id);
        await until('gone from replica 0', async () => !(await glance.cachedImages(0)).includes(id));
        expect(await glance.cachedImages(1)).toEqual([id]);
        await glance.glance(0, 'image-delete', id);
        expect(await glance.cachedImages(1)).toEqual([id]);
        const run = await glance.runCacheJob('cleaner', 1);
        expect({ code: run.code, output: run.stdout + run.stderr })
          .toEqual({ code: 0, output: expect.stringContaining(`removed 1 orphan(s) of 1 cached and 0 queued image(s): ${id}`) });
        expect(await glance.cachedImages(1)).toEqual([]);
        return 'cleaner of replica 1 reached MariaDB over TLS';
      }));

    test('README\'s HTTPS cache command, verbatim (ca.pem in the working directory), with the glance client of this image', () => step(
      'README\'s HTTPS cache-list (verbatim)', async () => {
        const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
        const command = /^glance --os-image-api-version 2 --os-cacert ca\.pem .*$/m.exec(readme)?.[0];
        expect(command).toMatch(/ cache-list$/);
        const cwd = join(work, 'readme-cwd');
        mkdirSync(cwd, { recursive: true });
        copyFileSync(bundle, join(cwd, 'ca.pem'));
        const run = await glance.userShell(command!, { OS_AUTH_TOKEN: await keystone.adminToken() }, cwd);
        expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
        expect(run.stdout).toMatch(/\|\s*ID\s*\|/);
      }));

    test('the pruner CronJob runs against its replica over HTTPS-only deployment', () => step('pruner CronJob', async () => {
      const run = await glance.runCacheJob('pruner', 0);
      expect({ code: run.code, output: run.stdout + run.stderr }).toEqual({ code: 0, output: expect.stringContaining('pruned 0 image(s)') });
    }));

    test('the precache CronJob queues the image on its replica over https with the CA bundle', () => step('precache CronJob (https)', async () => {
      const file = join(work, 'precache.raw');
      writeFileSync(file, Buffer.alloc(128 * 1024, 3));
      const pre = imageId(await glance.glance(0, 'image-create', '--name', PRECACHED, '--disk-format', 'raw', '--container-format', 'bare',
        '--file', file));
      const run = await glance.runCacheJob('precache', 1);
      expect({ code: run.code, output: run.stdout + run.stderr }).toEqual({ code: 0, output: expect.stringContaining(`: queued 1 (${pre}),`) });
      await until('replica 1 lists the precached image', async () => (await glance.cachedImages(1)).includes(pre));
      expect(await glance.cachedImages(0)).not.toContain(pre);
      // The request came through replica 1's terminator, from the job's pod.
      expect(glance.sidecar(1, 'glance-httpd').stdout.join('')).toMatch(new RegExp(`"PUT /v2/cache/${pre} HTTP/1.1" 20\\d`));
    }));

    test('glance-direct: staged on replica 0, imported through replica 1, which proxies to replica 0 over https', () => step(
      'import proxied 1 -> 0 (https)', async () => {
        const file = join(work, 'staged.raw');
        writeFileSync(file, randomBytes(512 * 1024));
        const staged = imageId(await glance.glance(0, 'image-create', '--name', 'staged', '--disk-format', 'raw', '--container-format', 'bare'));
        await glance.glance(0, 'image-stage', '--file', file, staged);
        await glance.glance(1, 'image-import', '--import-method', 'glance-direct', staged);
        expect(glance.apiLog(1)).toContain(`Proxying POST request to host ${glance.url(0)}`);
        await until('the staged image is active', async () => field(await glance.glance(1, 'image-show', staged), 'status') === 'active');
        const importLine = new RegExp(`"POST /v2/images/${staged}/import HTTP/1.1" 202`);
        // Replica 1 got the client's request and replica 0's terminator got the proxied one.
        expect(glance.sidecar(1, 'glance-httpd').stdout.join('')).toMatch(importLine);
        expect(glance.sidecar(0, 'glance-httpd').stdout.join('')).toMatch(importLine);
        return 'worker_self_reference_url https://<sts>-0...:9292';
      }));
  });

  describe('a certificate rotated during the run', () => {
    let big: string;
    let bigMd5: string;

    beforeAll(async () => {
      const file = join(work, 'big.raw');
      writeFileSync(file, randomBytes(BIG));
      bigMd5 = createHash('md5').update(readFileSync(file)).digest('hex');
      big = imageId(await glance.glance(0, 'image-create', '--name', 'big', '--disk-format', 'raw', '--container-format', 'bare', '--file', file));
      rmSync(file);
    });

    test('a 200 MiB download in flight through the terminator completes with the right md5 while the internal Secret rotates; '
    + 'new handshakes get the new certificate',
    () => step('rotation during a 200 MiB download', async () => {
      const token = await keystone.adminToken();
      const response = await httpsGet(1, `/v2/images/${big}/file`, token);
      expect(response.statusCode).toBe(200);
      const servedBefore = (response.socket as TLSSocket).getPeerCertificate().fingerprint256;
      expect(servedBefore).toBe(internal.fingerprint);
      const chunks = response[Symbol.asyncIterator]();
      const hash = createHash('md5');
      let bytes = 0;
      const first = await chunks.next();
      hash.update(first.value);
      bytes += first.value.length;
      // The transfer waits, unread, while the kubelet swaps ..data and the terminator reloads.
      const renewed = pki.issue('internal-renewed', { dnsNames: INTERNAL_NAMES });
      rotate(INTERNAL_SECRET, pki.secretData(renewed));
      const delay = await untilServed(1, glance.hostname(1), renewed.fingerprint);
      expect(bytes).toBeLessThan(BIG);
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
        hash.update(next.value);
        bytes += next.value.length;
      }
      expect({ bytes, md5: hash.digest('hex') }).toEqual({ bytes: BIG, md5: bigMd5 });
      expect(glance.sidecar(1, 'glance-httpd').stderr.join('')).toContain('a certificate changed: graceful restart');
      await untilServed(0, glance.hostname(0), renewed.fingerprint);
      internal = renewed;
      return `new certificate served ${(delay / 1000).toFixed(1)} s after the swap; ${BIG} bytes, md5 ok`;
    }));

    test('a key that does not match its certificate is not loaded: the old certificate stays, the log says why', () => step(
      'rotation: mismatched key refused', async () => {
        const other = pki.issue('internal-other', { dnsNames: INTERNAL_NAMES });
        const next = pki.issue('internal-next', { dnsNames: INTERNAL_NAMES });
        const logged = glance.sidecar(1, 'glance-httpd').stderr.join('').length;
        rotate(INTERNAL_SECRET, { ...pki.secretData(next), 'tls.key': other.keyPem });
        await until('replica 1\'s terminator logs the mismatch', () => glance.sidecar(1, 'glance-httpd').stderr.join('').slice(logged)
          .includes('/etc/glance/tls/internal/tls.key does not match the certificate in /etc/glance/tls/internal/tls.crt: not loaded'));
        expect(await shake(1, glance.hostname(1))).toMatchObject({ ok: true, fingerprint: internal.fingerprint });
        expect(glance.sidecar(1, 'glance-httpd').process.exitCode).toBeNull();
        // The good pair again.
        rotate(INTERNAL_SECRET, pki.secretData(next));
        await untilServed(1, glance.hostname(1), next.fingerprint);
        internal = next;
        return 'old certificate kept, "not loaded" logged';
      }));
  });

  describe('failures with a clear error', () => {
    test('a client with the wrong CA: openssl and the glance client say the issuer is unknown', () => step('fail: wrong CA', async () => {
      const result = await shake(1, glance.hostname(1), wrongBundle);
      expect({ ok: result.ok, verifyError: result.verifyError, verifyCode: result.verifyCode })
        .toEqual({ ok: false, verifyError: 'unable to get local issuer certificate', verifyCode: 20 });
      const cli = await glanceByToken(wrongBundle, 1, 'image-list');
      expect(cli).toEqual({ code: 1, output: expect.stringMatching(/CERTIFICATE_VERIFY_FAILED.*unable to get local issuer certificate/) });
      return result.verifyError!;
    }));

    test('an expired certificate served: openssl and the glance client say it has expired', () => step('fail: expired certificate', async () => {
      const expired = pki.issueExpired('internal-expired', INTERNAL_NAMES);
      rotate(INTERNAL_SECRET, pki.secretData(expired));
      await untilServed(1, glance.hostname(1), expired.fingerprint);
      const result = await shake(1, glance.hostname(1));
      expect({ ok: result.ok, verifyError: result.verifyError, verifyCode: result.verifyCode })
        .toEqual({ ok: false, verifyError: 'certificate has expired', verifyCode: 10 });
      const cli = await glanceByToken(bundle, 1, 'image-list');
      expect(cli).toEqual({ code: 1, output: expect.stringMatching(/CERTIFICATE_VERIFY_FAILED.*certificate has expired/) });
      return result.verifyError!;
    }));

    test('a certificate without the replica\'s name: openssl and the glance client say the hostname does not match', () => step(
      'fail: no replica name', async () => {
        const without = pki.issueWithout('internal-no-replicas', INTERNAL_NAMES, glance.hostname(1));
        expect(without.dnsNames).toEqual([INTERNAL_SVC, `${INTERNAL_SVC}.cluster.local`, `*.${STS}.${NS}.svc.cluster.local`]);
        rotate(INTERNAL_SECRET, pki.secretData(without));
        await untilServed(1, glance.hostname(1), without.fingerprint);
        const result = await shake(1, glance.hostname(1));
        expect({ ok: result.ok, verifyError: result.verifyError, verifyCode: result.verifyCode })
          .toEqual({ ok: false, verifyError: 'hostname mismatch', verifyCode: 62 });
        // The Service name still verifies on the same certificate.
        expect(await shake(1, INTERNAL_SVC)).toMatchObject({ ok: true, fingerprint: without.fingerprint });
        const cli = await glanceByToken(bundle, 1, 'image-list');
        expect(cli).toEqual({
          code: 1,
          output: expect.stringContaining(
            `CertificateError("hostname '${glance.hostname(1)}' doesn't match either of 'glance-default.openstack.svc'`),
        });
        return result.verifyError!;
      }));
  });
}
