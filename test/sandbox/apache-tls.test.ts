/**
 * The images' Apache httpd (Debian's apache2: this machine's, Glance 25's image, and the trixie
 * root's, Glance 30's) can be the API pods' TLS terminator: started as the glance user (uid
 * 42415, not root) on a read-only root with a config of its own (absolute LoadModule paths, a
 * writable run directory), it serves the test PKI's certificate on an HTTPS port and proxies to a
 * plain backend on loopback with X-Forwarded-Proto https. Not the library's own httpd config,
 * which its e2e tests run; this shows the images have what that config needs. Needs root (bwrap,
 * setpriv).
 */
import { ChildProcess, spawn } from 'child_process';
import { chownSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { createServer, IncomingHttpHeaders, Server } from 'http';
import { request as httpsRequest } from 'https';
import { tmpdir } from 'os';
import { join } from 'path';
import { GLANCE_IMAGES } from '../e2e/sandboxed-glance';
import { HANG_GUARD_MS, until } from '../waiting';
import { IMAGE_GLANCE_UID } from './pod-sandbox';
import { handshake, listening, TestCertificate, TestPki } from './tls';

const HOST = `127.0.6.${1 + (process.pid % 250)}`;
const BACKEND_PORT = 19293;
const NAME = 'glance-default-internal.openstack.svc';
const MODULES = ['mpm_event', 'authz_core', 'ssl', 'socache_shmcb', 'proxy', 'proxy_http', 'headers'];

let pki: TestPki;
let cert: TestCertificate;
let bundle: string;
let backend: Server;
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('apache-tls.test.ts runs httpd as uid 42415 under bwrap: run it as root');
  pki = new TestPki();
  cert = pki.issue('internal', { dnsNames: [NAME, '*.glance-default-single.openstack.svc'] });
  bundle = pki.writeCaBundle(join(pki.root, 'bundle'));
  backend = createServer((req, res) => {
    seen.push(req.headers);
    res.end(`backend saw ${req.method} ${req.url}`);
  });
  await new Promise<void>((resolve) => backend.listen(BACKEND_PORT, HOST, resolve));
});

afterAll(async () => {
  await new Promise((resolve) => (backend ? backend.close(resolve) : resolve(undefined)));
  pki?.remove();
});

/** GET over HTTPS trusting only the bundle, by NAME (SNI, name check and Host header), connecting to HOST. */
function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const options = { ca: readFileSync(bundle), servername: NAME, headers: { Host: `${NAME}:${port}` }, agent: false, timeout: HANG_GUARD_MS };
    const req = httpsRequest(`https://${HOST}:${port}${path}`, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each([
  { name: 'bookworm (Glance 25 image)', root: GLANCE_IMAGES.bookworm.root, port: 19443 },
  { name: 'trixie (Glance 30 image)', root: GLANCE_IMAGES.trixie.root, port: 19444 },
])('apache2 of $name', ({ root, port }) => {
  let run: string;
  let httpd: ChildProcess;
  const log: string[] = [];

  beforeAll(async () => {
    run = mkdtempSync(join(tmpdir(), 'apache-tls-'));
    // What a Secret volume gives the glance user: its own readable copy of the pair.
    const certs = join(run, 'certs');
    mkdirSync(certs);
    copyFileSync(cert.certFile, join(certs, 'tls.crt'));
    copyFileSync(cert.keyFile, join(certs, 'tls.key'));
    for (const path of [run, certs, join(certs, 'tls.crt'), join(certs, 'tls.key')]) chownSync(path, IMAGE_GLANCE_UID, IMAGE_GLANCE_UID);
    writeFileSync(join(run, 'httpd.conf'), [
      ...MODULES.map((m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`),
      `DefaultRuntimeDir ${run}`,
      `PidFile ${run}/httpd.pid`,
      `ErrorLog ${run}/error.log`,
      'LogLevel warn',
      `Listen ${HOST}:${port}`,
      'SSLProtocol all -SSLv3 -TLSv1 -TLSv1.1',
      `SSLSessionCache shmcb:${run}/ssl_scache(512000)`,
      `<VirtualHost ${HOST}:${port}>`,
      `  ServerName ${NAME}`,
      '  SSLEngine on',
      `  SSLCertificateFile ${certs}/tls.crt`,
      `  SSLCertificateKeyFile ${certs}/tls.key`,
      '  RequestHeader set X-Forwarded-Proto https',
      `  ProxyPass / http://${HOST}:${BACKEND_PORT}/`,
      `  ProxyPassReverse / http://${HOST}:${BACKEND_PORT}/`,
      '</VirtualHost>',
      '',
    ].join('\n'));
    httpd = spawn('bwrap', ['--ro-bind', root, '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--bind', run, run,
      '--unshare-pid', '--die-with-parent', '/usr/bin/env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8',
      '/usr/bin/setpriv', '--reuid', String(IMAGE_GLANCE_UID), '--regid', String(IMAGE_GLANCE_UID), '--clear-groups',
      '/usr/sbin/apache2', '-f', join(run, 'httpd.conf'), '-DFOREGROUND'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    httpd.stdout?.on('data', (chunk) => log.push(String(chunk)));
    httpd.stderr?.on('data', (chunk) => log.push(String(chunk)));
    const errorLog = () => { try { return readFileSync(join(run, 'error.log'), 'utf8'); } catch { return ''; } };
    await until(`apache2 listens on ${HOST}:${port}`, async () => {
      if (httpd.exitCode !== null) throw new Error(`apache2 exited ${httpd.exitCode}: ${log.join('')}\n${errorLog()}`);
      return listening(HOST, port);
    }, { detail: () => `${log.join('')}\n${errorLog()}` });
  });

  afterAll(async () => {
    if (httpd?.pid) {
      const exited = httpd.exitCode !== null ? Promise.resolve() : new Promise((resolve) => httpd.once('exit', resolve));
      try { process.kill(-httpd.pid, 'SIGKILL'); } catch { /* gone */ }
      await exited;
      await until(`${HOST}:${port} is free`, async () => !(await listening(HOST, port)), { everyMs: 50 });
    }
    if (run) rmSync(run, { recursive: true, force: true });
  });

  test('serves the test certificate: the handshake by the Service name verifies, TLS 1.3', async () => {
    const result = await handshake(HOST, port, { caFile: bundle, servername: NAME });
    expect(result).toMatchObject({ ok: true, fingerprint: cert.fingerprint, protocol: 'TLSv1.3' });
  });

  test('proxies to the plain backend with X-Forwarded-Proto https', async () => {
    seen.length = 0;
    expect(await get(port, '/healthcheck')).toEqual({ status: 200, body: 'backend saw GET /healthcheck' });
    expect(seen).toHaveLength(1);
    expect(seen[0]['x-forwarded-proto']).toBe('https');
    expect(seen[0]['x-forwarded-host']).toBe(`${NAME}:${port}`);
  });

  test('runs as the glance user, not root', () => {
    const pid = readFileSync(join(run, 'httpd.pid'), 'utf8').trim();
    expect(pid).toMatch(/^\d+$/);
    // The pid is in bwrap's pid namespace; the pid file's owner says who wrote it.
    expect(statSync(join(run, 'httpd.pid')).uid).toBe(IMAGE_GLANCE_UID);
  });
});
