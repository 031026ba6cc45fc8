/**
 * Runs the synthesized Glance deployment as real Glance processes, each in its pod sandbox
 * (../sandbox/pod-sandbox.ts): the API replicas from the StatefulSet, and the db-sync Job, the
 * db-purge, pruner and cleaner CronJobs, each with its own command, env, volumes and user.
 *
 * The database is a real MariaDB server reached at "openstack.<namespace>.svc" through the URL in
 * the user's Secret, as in a cluster. What still differs from a cluster is one extra file that
 * the config Secret carries for the test, 99-e2e-overlay.conf, which sets exactly OVERLAID_OPTIONS:
 *
 * - [DEFAULT] bind_host: the API pod's own address. Pods share one network namespace here, so
 *   each replica listens on a loopback address of its own instead of 0.0.0.0;
 * - [paste_deploy] flavor = caching: no Keystone (noauth), the cache middleware still on;
 * - [oslo_policy] policy_file: the same cache rules opened to everyone, since a request without
 *   Keystone carries no roles; and where our output enforces the new policy defaults and scope
 *   (2023.1 on), enforce_new_defaults and enforce_scope off, since it carries no scope either.
 *
 * No path, lock dir, cache option or env var is overlaid. Under uWSGI (2026.1 on, lib/api-serving.ts)
 * bind_host is not read: the overlay replaces the ini's one http-socket line with the pod's address
 * instead (uwsgiOverlay), and changes nothing else of it.
 *
 * The container image is a Debian root filesystem with Glance: this machine's (bookworm, Glance
 * 25.1.0) or trixie's (Glance 30.0.0), made by scripts/glance-rootfs.sh.
 */
import { ChildProcess, execFile, execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'fs';
import { request as httpsRequest } from 'https';
import { join } from 'path';
import { promisify } from 'util';
import { App, Chart, Testing } from 'cdk8s';
import { Glance, GlanceProps, GlanceRelease, ImageBackend } from '../../lib';
import { UWSGI_INI } from '../../lib/api-serving';
import { LIBRARY_CONFIG_DIR } from '../../lib/config-secrets';
import { HTTPD_CONFIG } from '../../lib/tls/terminator';
import { BASE_PROPS, find, Manifest, parseIniText } from '../helpers';
import { Keystone, requireKeystone } from '../sandbox/keystone';
import { MariaDb, MariaDbTls } from '../sandbox/mariadb';
import { killGroup, RunResult, SandboxNode, SandboxPod, SecretValues } from '../sandbox/pod-sandbox';
import { HANG_GUARD_MS, until } from '../waiting';

export { sleep } from '../waiting';

const execFileAsync = promisify(execFile);

export const CONFIG_MOUNT = '/etc/glance/glance.conf.d';
export const OVERLAY_FILE = '99-e2e-overlay.conf';
const OPEN_POLICY_FILE = 'e2e-open-policy.yaml';
/** Every option the overlay sets, as section.option: asserted exactly by the e2e. */
export const OVERLAID_OPTIONS = ['DEFAULT.bind_host', 'oslo_policy.policy_file', 'paste_deploy.flavor'];
/** What the overlay also sets where our output enforces the new policy defaults and scope. */
export const OVERLAID_POLICY_ENFORCEMENT = ['oslo_policy.enforce_new_defaults', 'oslo_policy.enforce_scope'];

/** A container image with Glance: a Debian root filesystem, and the release our output is synthesized for. */
export interface GlanceImage {
  readonly name: string;
  readonly root: string;
  readonly release: GlanceRelease;
  /** How to get the image when it is missing. */
  readonly install: string;
}

export const GLANCE_IMAGES: Record<'bookworm' | 'trixie', GlanceImage> = {
  bookworm: { name: 'Debian bookworm', root: '/', release: GlanceRelease.ZED, install: 'sudo bash scripts/install-glance.sh' },
  trixie: {
    name: 'Debian trixie',
    root: join(__dirname, '..', '..', '.cache', 'rootfs-trixie'),
    release: GlanceRelease.EPOXY,
    install: 'sudo bash scripts/glance-rootfs.sh (a trixie root filesystem by debootstrap, cached in .cache/)',
  },
};

/**
 * A deployment of `image`'s release in namespace `openstack`, on the shared claim glance-images-nfs,
 * whose API validates tokens at `keystoneUrl` (as the service user of the Secret osp-secret), with `more`.
 */
export function synthesizeWithKeystone(image: GlanceImage, keystoneUrl: string, more: Partial<GlanceProps> = {}): Manifest[] {
  const chart = new Chart(new App(), 'e2e', { namespace: 'openstack' });
  new Glance(chart, 'glance', {
    ...BASE_PROPS,
    release: image.release,
    keystone: { authUrl: keystoneUrl, passwordSecret: { name: 'osp-secret', key: 'GlancePassword' } },
    backend: ImageBackend.file({ sharedStore: { existingClaimName: 'glance-images-nfs' } }),
    ...more,
  });
  return Testing.synth(chart) as Manifest[];
}

/** glance-api --version, as the image runs it. */
export function glanceVersion(image: GlanceImage): string {
  return execFileSync('bwrap', ['--ro-bind', image.root, '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', 'glance-api', '--version'],
    { encoding: 'utf8' }).trim();
}

export const INSTALL_HINT = 'The end-to-end tests run real Glance in pod sandboxes, as root. Install what they need with: '
  + 'sudo bash scripts/install-glance.sh (glance-api, python3-glanceclient, qemu-utils, mariadb-server, bubblewrap)';

/** Fails with how to install the tools when one is missing, or when not root. */
export function requireRealGlance(image: GlanceImage = GLANCE_IMAGES.bookworm): void {
  const missing = ['/usr/bin/glance', '/usr/bin/qemu-img', '/usr/bin/bwrap', '/usr/bin/setpriv', '/usr/sbin/mariadbd']
    .filter((tool) => !existsSync(tool));
  if (missing.length) throw new Error(`${INSTALL_HINT}\nmissing: ${missing.join(', ')}`);
  const inImage = ['usr/bin/glance-api', 'usr/bin/glance-manage', 'usr/bin/python3',
    'usr/bin/setpriv'].filter((tool) => !existsSync(join(image.root, tool)));
  if (inImage.length) throw new Error(`The ${image.name} image at ${image.root} lacks ${inImage.join(', ')}. Make it with: ${image.install}`);
  if (process.getuid?.() !== 0) throw new Error(`${INSTALL_HINT}\nand run the e2e tests as root (they mount tmpfs volumes and switch to uid 42415)`);
}

/** A real Keystone for the deployment: its DNS names and addresses, its URL, and the admin the glance CLI runs as. */
export interface RealKeystone {
  readonly hosts: Record<string, string>;
  readonly authUrl: string;
  readonly admin: { readonly user: string; readonly password: string; readonly project: string };
}

/** A sandbox Keystone as the deployment reaches it at `host` (and `moreHosts`), its admin running the glance CLI. */
export function realKeystone(keystone: Keystone, host: string, moreHosts: Record<string, string> = {}): RealKeystone {
  return {
    hosts: { ...keystone.hosts(host), ...moreHosts },
    authUrl: keystone.urlAt(host),
    admin: { user: 'admin', password: keystone.adminPassword, project: 'admin' },
  };
}

/** The real Keystone of one test file, with Glance's service user and a project member, and what its tests record. */
export interface FileKeystone {
  readonly keystone: Keystone;
  /** The member of project "demo", made before the file's tests. */
  readonly member: { name: string; password: string };
  /** One line per request the tests make, printed under the file's title after them. */
  readonly lines: string[];
}

/**
 * A real Keystone for the tests of the file that calls it (at its top level), with both releases'
 * Glance images required: started before the tests, with Glance's service user (`glancePassword`,
 * its endpoint in `namespace`) and a member of project "demo"; stopped after them, the lines they
 * recorded printed under `title`.
 */
export function keystoneForFile(title: string, glancePassword: string, namespace: string): FileKeystone {
  const file = { keystone: new Keystone(), member: { name: '', password: '' }, lines: [] as string[] };
  beforeAll(async () => {
    requireRealGlance(GLANCE_IMAGES.bookworm);
    requireRealGlance(GLANCE_IMAGES.trixie);
    requireKeystone();
    await file.keystone.start();
    file.member = (await file.keystone.setupGlanceIdentities(glancePassword, `http://glance-default.${namespace}.svc:9292`)).member;
  });
  afterAll(async () => {
    await file.keystone.stop();
    console.log([title, ...file.lines].join('\n'));
  });
  return file;
}

/** A container of an API pod beside glance-api (the TLS terminator): its process and output. */
export interface Sidecar {
  readonly process: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
}

export interface JobRunOptions {
  /** Called with the started process, to signal it mid-run. */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/** One API StatefulSet of the manifests, its replicas and jobs, run in pod sandboxes. */
export class SandboxedGlance {
  public readonly node: SandboxNode;
  public readonly db = new MariaDb();
  public readonly replicas: number;
  public readonly configSecretName: string;
  private readonly apis = new Map<number, { pod: SandboxPod; process: ChildProcess; stderr: string[]; sidecars: Map<string, Sidecar> }>();
  private readonly dbPassword: string;

  /**
   * @param userClaims claims the user creates beside the chart, by name, with their size
   * @param userSecrets further Secrets the user creates beside the chart (store credentials, Ceph
   *   files), by name and key; they may also replace the default glance-db and osp-secret
   * @param options.keystone a real Keystone instead of noauth: its DNS names, its URL and the
   *   admin the glance CLI runs as; the overlay then sets only bind_host
   * @param options.dbPassword the MariaDB glance user's password (the default glance-db Secret's URL
   *   carries it as written: give a glance-db Secret of your own for one that needs percent-encoding)
   * @param options.tls the API serves HTTPS (a TLS terminator in its pod): the CA file clients trust
   * @param options.dbTls MariaDB serves TLS with this certificate (and requires it)
   */
  constructor(public manifests: Manifest[], public readonly statefulSet: string, public readonly namespace: string,
    userClaims: Record<string, string> = {}, public readonly image: GlanceImage = GLANCE_IMAGES.bookworm, userSecrets: SecretValues = {},
    private readonly options: { keystone?: RealKeystone; dbPassword?: string; tls?: { caFile: string }; dbTls?: MariaDbTls } = {}) {
    this.dbPassword = options.dbPassword ?? 'e2e-db-password';
    const sts = find(manifests, 'StatefulSet', statefulSet);
    this.replicas = sts.spec.replicas;
    const container = sts.spec.template.spec.containers[0];
    const volumes = sts.spec.template.spec.volumes;
    const mounted = volumes.find((v: any) => container.volumeMounts.some((m: any) => m.name === v.name && m.mountPath === CONFIG_MOUNT));
    // With configSecrets, glance-api's config directory is an emptyDir their init container fills from the config Secret.
    const configVolume = mounted.secret ? mounted : volumes.find((v: any) => (sts.spec.template.spec.initContainers ?? []).some((c: any) =>
      c.volumeMounts.some((m: any) => m.name === v.name && m.mountPath === LIBRARY_CONFIG_DIR)));
    this.configSecretName = configVolume.secret.secretName;
    // The Secrets the user creates beside the chart.
    const secrets: SecretValues = {
      'glance-db': { connection: `mysql+pymysql://glance:${this.dbPassword}@openstack.${namespace}.svc:${this.db.port}/glance` },
      'osp-secret': { GlancePassword: 'unused-under-noauth' },
      ...userSecrets,
    };
    this.node = new SandboxNode(manifests, namespace, secrets, { [`openstack.${namespace}.svc`]: this.db.address, ...options.keystone?.hosts },
      image.root);
    for (const [claim, size] of Object.entries(userClaims)) this.node.claimDir(claim, size);
  }

  /** The generated glance.conf, parsed. */
  public get glanceConf(): Record<string, Record<string, string>> {
    return parseIniText(this.node.secretData(this.configSecretName)['00-glance.conf']);
  }

  /** Replica N's own hostname, as README's cache commands use it. */
  public hostname(replica: number): string {
    return `${this.statefulSet}-${replica}.${this.statefulSet}.${this.namespace}.svc`;
  }

  /** Replica N's URL by hostname. */
  public url(replica: number): string { return `${this.scheme}://${this.hostname(replica)}:9292`; }

  /** https behind the TLS terminator, else http. */
  public get scheme(): string { return this.options.tls ? 'https' : 'http'; }

  /** Replica N's URL by pod address, as the kubelet's probes reach it. */
  public podUrl(replica: number): string { return `${this.scheme}://${this.node.address(`${this.statefulSet}-${replica}`)}:9292`; }

  /**
   * One call of the image API on replica N with a user's token, as a client makes it: JSON bodies
   * as JSON, image data (a Uint8Array) as an octet stream. The status and the body (JSON when it is).
   */
  public async request(replica: number, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const binary = body instanceof Uint8Array;
    const response = await fetch(`${this.podUrl(replica)}${path}`, {
      method,
      headers: { 'X-Auth-Token': token, ...(body === undefined ? {} : { 'Content-Type': binary ? 'application/octet-stream' : 'application/json' }) },
      body: body === undefined ? undefined : binary ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(HANG_GUARD_MS),
    });
    const text = await response.text();
    try { return { status: response.status, body: JSON.parse(text) }; } catch { return { status: response.status, body: text }; }
  }

  /** Streams an image through replica N, returning the byte count and md5 of what the client got. */
  public async download(replica: number, id: string): Promise<{ status: number; bytes: number; md5: string }> {
    const response = await fetch(`${this.podUrl(replica)}/v2/images/${id}/file`);
    const hash = createHash('md5');
    let bytes = 0;
    for await (const chunk of response.body as any as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      bytes += chunk.byteLength;
    }
    return { status: response.status, bytes, md5: hash.digest('hex') };
  }

  /** Replica N's cache volume, on the node. */
  public cacheDir(replica: number): string { return this.node.claimDir(`glance-cache-${this.statefulSet}-${replica}`); }

  /** The overlay file's text for one pod (the API's bind address only for API pods). */
  public overlay(podName: string): string {
    const address = this.node.addressOf(podName);
    if (this.options.keystone) return address ? `[DEFAULT]\nbind_host = ${address}\n` : '';
    const enforcing = this.glanceConf.oslo_policy?.enforce_new_defaults === 'true';
    return [
      ...(address ? ['[DEFAULT]', `bind_host = ${address}`] : []),
      '[paste_deploy]', 'flavor = caching',
      '[oslo_policy]', `policy_file = ${CONFIG_MOUNT}/${OPEN_POLICY_FILE}`,
      ...(enforcing ? ['enforce_new_defaults = false', 'enforce_scope = false'] : []),
      '',
    ].join('\n');
  }

  /**
   * Under uWSGI, the ini with the API pod's own address in its http-socket line (0.0.0.0:9292, or
   * 127.0.0.1:9293 behind the TLS terminator; the port is kept); nothing otherwise.
   */
  public uwsgiOverlay(podName: string): SecretValues[string] {
    const ini = this.node.secretData(this.configSecretName)[UWSGI_INI];
    const address = this.node.addressOf(podName);
    if (ini === undefined || !address) return {};
    const line = /^http-socket = (?:0\.0\.0\.0|127\.0\.0\.1):(\d+)$/m;
    if (!line.test(ini)) throw new Error(`sandboxed-glance: no "http-socket = 0.0.0.0:<port>" or 127.0.0.1 line to overlay in ${UWSGI_INI}:\n${ini}`);
    return { [UWSGI_INI]: ini.replace(line, `http-socket = ${address}:$1`) };
  }

  /**
   * The TLS terminator's config with the API pod's own address: its Listen line listens on it
   * (`Listen <address>:${LISTEN} https`; a `Define LISTEN <address>:9292` would also change the
   * virtual hosts' `*:${LISTEN}`, which httpd then ignores) and its UPSTREAM is glance-api's
   * overlaid bind_host. Nothing else of it changes; nothing without a terminator.
   */
  public httpdOverlay(podName: string): SecretValues[string] {
    const cfg = this.node.secretData(this.configSecretName)[HTTPD_CONFIG];
    const address = this.node.addressOf(podName);
    if (cfg === undefined || !address) return {};
    const lines: Array<[RegExp, string]> = [
      [/^Listen \$\{LISTEN\} https$/m, `Listen ${address}:\${LISTEN} https`],
      [/^Define UPSTREAM 127\.0\.0\.1:(\d+)$/m, `Define UPSTREAM ${address}:$1`],
    ];
    let text = cfg;
    for (const [line, to] of lines) {
      if (!line.test(text)) throw new Error(`sandboxed-glance: no line ${line} to overlay in ${HTTPD_CONFIG}:\n${cfg}`);
      text = text.replace(line, to);
    }
    return { [HTTPD_CONFIG]: text };
  }

  /** Replica N's other container (the TLS terminator glance-httpd): its process and output, while it runs. */
  public sidecar(replica: number, container: string): Sidecar {
    const sidecar = this.apis.get(replica)?.sidecars.get(container);
    if (!sidecar) throw new Error(`sandboxed-glance: replica ${replica} runs no container ${container}`);
    return sidecar;
  }

  /** Replica N's pod, while it runs. */
  public pod(replica: number): SandboxPod {
    const api = this.apis.get(replica);
    if (!api) throw new Error(`sandboxed-glance: replica ${replica} has not started`);
    return api.pod;
  }

  /** The tail of replica N's glance-api output (its log). */
  public apiLog(replica: number): string {
    return this.apis.get(replica)?.stderr.join('') ?? '';
  }

  /** Replica N's container process (bwrap), while it runs. */
  public process(replica: number): ChildProcess | undefined {
    return this.apis.get(replica)?.process;
  }

  /**
   * Applies a new synthesis of the same deployment (a release bump): db-sync runs again, and
   * each replica's pod is replaced as the StatefulSet's rolling update replaces it, keeping its
   * cache volume.
   */
  public async apply(manifests: Manifest[]): Promise<void> {
    this.manifests = manifests;
    this.node.apply(manifests);
    const sync = await this.runJob('Job', 'glance-db-sync-<hash>');
    if (sync.code !== 0) throw new Error(`db-sync exited ${sync.code}:\n${sync.stderr.slice(-3000)}`);
    for (const replica of [...this.apis.keys()].sort().reverse()) {
      await this.stop(replica);
      this.apis.get(replica)!.pod.delete();
      this.apis.delete(replica);
      await this.start(replica);
    }
  }

  /** Replaces replica N's pod with a new one (its emptyDirs go, its claims stay), as deleting the pod does, and starts it. */
  public async replace(replica: number): Promise<void> {
    await this.stop(replica);
    this.apis.get(replica)?.pod.delete();
    this.apis.delete(replica);
    await this.start(replica);
  }

  /** Starts the database and runs the db-sync Job from the manifests. */
  public async prepare(): Promise<void> {
    await this.db.start({ tls: this.options.dbTls });
    await this.db.createDatabase('glance', 'glance', this.dbPassword);
    const sync = await this.runJob('Job', 'glance-db-sync-<hash>');
    if (sync.code !== 0) throw new Error(`db-sync exited ${sync.code}:\n${sync.stderr.slice(-3000)}`);
  }

  /** Runs a Job's or CronJob's pod to completion in its sandbox. */
  public async runJob(kind: 'Job' | 'CronJob', name: string, options: JobRunOptions = {}): Promise<RunResult> {
    const pod = this.node.pod(kind, name);
    try {
      return await pod.run({ secretOverlay: (podName) => this.secretOverlay(podName), onSpawn: options.onSpawn });
    } finally {
      pod.delete();
    }
  }

  /** Runs replica N's pruner or cleaner CronJob once. */
  public async runCacheJob(kind: 'pruner' | 'cleaner' | 'precache', replica: number, options: JobRunOptions = {}): Promise<RunResult> {
    return this.runJob('CronJob', `${this.statefulSet}-${replica}-${kind}`, options);
  }

  /** Starts replica N's container (a new pod, or a restart of its container). */
  public async start(replica: number): Promise<void> {
    const existing = this.apis.get(replica);
    const pod = existing?.pod ?? this.node.pod('StatefulSet', this.statefulSet, replica);
    const [main, ...others] = pod.spec.containers.map((c: any) => c.name as string);
    // A new pod runs its init containers first, in order, each to a zero exit (a restarted container does not).
    if (!existing) {
      for (const { name } of pod.spec.initContainers ?? []) {
        const init = await pod.run({ container: name, secretOverlay: (podName) => this.secretOverlay(podName) });
        if (init.code !== 0) {
          pod.delete();
          throw new InitContainerFailed(replica, name, init);
        }
      }
    }
    const process = pod.spawn({ container: main, secretOverlay: (podName) => this.secretOverlay(podName) });
    const stderr: string[] = [];
    // Its log, whichever stream oslo.log writes it to.
    const log = (chunk: Buffer) => { stderr.push(String(chunk)); if (stderr.length > 200) stderr.shift(); };
    process.stderr!.on('data', log);
    process.stdout!.on('data', log);
    // The pod's other containers (the TLS terminator) run beside it, on the same volumes.
    const sidecars = new Map<string, Sidecar>();
    for (const name of others) {
      const child = pod.spawn({ container: name, secretOverlay: (podName) => this.secretOverlay(podName) });
      const sidecar: Sidecar = { process: child, stdout: [], stderr: [] };
      child.stdout!.on('data', (chunk) => { sidecar.stdout.push(String(chunk)); if (sidecar.stdout.length > 500) sidecar.stdout.shift(); });
      child.stderr!.on('data', (chunk) => { sidecar.stderr.push(String(chunk)); if (sidecar.stderr.length > 500) sidecar.stderr.shift(); });
      sidecars.set(name, sidecar);
    }
    this.apis.set(replica, { pod, process, stderr, sidecars });
    const logs = () => [stderr.join(''), ...[...sidecars].map(([name, s]) => `--- ${name}\n${s.stderr.join('')}`)].join('\n').slice(-4000);
    await until(`replica ${replica} is healthy`, async () => {
      if (process.exitCode !== null) throw new Error(`replica ${replica} exited ${process.exitCode}: ${logs()}`);
      for (const [name, s] of sidecars) {
        if (s.process.exitCode !== null) throw new Error(`replica ${replica}'s ${name} exited ${s.process.exitCode}: ${logs()}`);
      }
      return this.healthy(replica);
    }, { everyMs: 200, detail: logs });
  }

  /**
   * The kubelet's probe: GET /healthcheck on the pod's address. Unlike the kubelet's, it has no
   * timeoutSeconds: a slow answer of a busy machine is an answer (only a hung one fails, at the guard).
   */
  public async healthy(replica: number): Promise<boolean> {
    // An HTTPS probe, as the kubelet's: no certificate verification, no SNI (the pod's address).
    if (this.options.tls) {
      return new Promise((resolve) => {
        const req = httpsRequest(`${this.podUrl(replica)}/healthcheck`, { rejectUnauthorized: false, agent: false, timeout: HANG_GUARD_MS },
          (res) => { res.resume(); res.on('end', () => resolve(res.statusCode === 200)); });
        req.on('error', () => resolve(false));
        req.end();
      });
    }
    try {
      const response = await fetch(`${this.podUrl(replica)}/healthcheck`, { signal: AbortSignal.timeout(HANG_GUARD_MS) });
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** Stops replica N's container (every process of its pod). */
  public async stop(replica: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const api = this.apis.get(replica);
    if (!api) return;
    for (const child of [api.process, ...[...api.sidecars.values()].map((s) => s.process)]) {
      const closed = new Promise((resolve) => child.once('close', resolve));
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child, signal);
        await closed;
      }
    }
  }

  /** Ends everything: the API pods, the database and the node's volumes. */
  public async destroy(): Promise<void> {
    for (const replica of this.apis.keys()) await this.stop(replica, 'SIGKILL');
    this.db.stop();
    this.node.destroy();
  }

  /** Runs the glance CLI against replica N's hostname, as the reference does. */
  public async glance(replica: number | undefined, ...args: string[]): Promise<string> {
    return this.glanceTrusting(this.options.tls?.caFile, replica, ...args);
  }

  /** The glance CLI trusting `caFile` (`--os-cacert`) for Glance's and Keystone's HTTPS, or the system trust. */
  public async glanceTrusting(caFile: string | undefined, replica: number | undefined, ...args: string[]): Promise<string> {
    const admin = this.options.keystone?.admin;
    const auth = admin ? {
      OS_AUTH_URL: `${this.options.keystone!.authUrl}/v3`,
      OS_IDENTITY_API_VERSION: '3',
      OS_USERNAME: admin.user,
      OS_PASSWORD: admin.password,
      OS_PROJECT_NAME: admin.project,
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
    } : { OS_AUTH_TOKEN: 'noauth' };
    const env = { PATH: '/usr/bin:/bin', HOME: this.clientHome(), LANG: 'C.UTF-8', OS_IMAGE_API_VERSION: '2', ...auth };
    const target = replica === undefined ? `${this.scheme}://glance-default.${this.namespace}.svc:9292` : this.url(replica);
    // glanceclient uploads stdin when it is open and not a terminal: run it with stdin closed (`<&-`), as from cron.
    const { stdout } = await execFileAsync('bwrap', [...this.node.clientArgs(), '--', '/bin/sh', '-c', 'exec glance "$@" <&-', 'glance',
      '--os-image-url', target, ...caFile ? ['--os-cacert', caFile] : [], ...args], { env, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  }

  /**
   * The test's glance client's HOME, not the machine's: glanceclient caches a server's schemas in
   * ~/.glanceclient, and a cached image schema with a "stores" property (a multi-store Glance)
   * breaks every later command of that client (README, "Cache commands on one replica").
   */
  public clientHome(): string {
    const home = join(this.node.root, 'client-home');
    mkdirSync(home, { recursive: true });
    return home;
  }

  /**
   * A command line as a user types it (README's), in a shell of this image's own root filesystem:
   * the glance client of its release, the node's names resolved, nothing in the environment but
   * what `env` gives (no OS_IMAGE_API_VERSION unless the command sets it), and one HOME for all
   * of this deployment's user commands, as a user's.
   */
  public async userShell(command: string, env: Record<string, string>, cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    // The user's working directory (files a command names, as README's ca.pem): the host's folder, seen in the image too.
    const chdir = cwd === undefined ? [] : this.image.root === '/' ? ['--chdir', cwd] : ['--ro-bind', cwd, '/tmp/cwd', '--chdir', '/tmp/cwd'];
    // The user's HOME, kept from one command to the next as a user's is (the client caches schemas there), empty at first.
    const home = join(this.node.root, 'user-home');
    mkdirSync(home, { recursive: true });
    const inHome = this.image.root === '/' ? [] : ['--bind', home, '/root'];
    try {
      const { stdout, stderr } = await execFileAsync('bwrap', [...this.node.clientArgsIn(this.image.root), ...inHome, ...chdir, '--', '/bin/sh', '-c',
        `${command} <&-`],
      { env: { PATH: '/usr/bin:/bin', HOME: this.image.root === '/' ? home : '/root', LANG: 'C.UTF-8', ...env }, maxBuffer: 16 * 1024 * 1024 });
      return { code: 0, stdout, stderr };
    } catch (e: any) {
      if (typeof e?.code !== 'number') throw e;
      return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  /** Image ids that `glance cache-list` shows as cached on replica N. */
  public async cachedImages(replica: number): Promise<string[]> {
    const out = await this.glance(replica, 'cache-list');
    return out.split('\n').map((line) => line.split('|').map((c) => c.trim())).filter((cells) => cells[2] === 'cached').map((cells) => cells[1]);
  }

  /** Cache files on replica N's volume (not the sqlite db, not the subdirectories), with sizes. */
  public cacheFiles(replica: number, subdir = ''): Record<string, number> {
    const dir = join(this.cacheDir(replica), subdir);
    if (!existsSync(dir)) return {};
    return Object.fromEntries(readdirSync(dir)
      .filter((name) => name !== 'cache.db' && statSync(join(dir, name)).isFile())
      .map((name) => [name, statSync(join(dir, name)).size]));
  }

  private secretOverlay(podName: string): SecretValues {
    const policy = parseYamlRules(this.node.secretData(this.configSecretName)['policy.yaml']);
    const open = Object.keys(policy).map((rule) => `${JSON.stringify(rule)}: ""\n`).join('');
    return {
      [this.configSecretName]: {
        [OVERLAY_FILE]: this.overlay(podName), [OPEN_POLICY_FILE]: open || '{}\n', ...this.uwsgiOverlay(podName), ...this.httpdOverlay(podName),
      },
    };
  }
}

/** A pod that does not start: one of its init containers exited otherwise than 0 (the kubelet's Init:Error). */
export class InitContainerFailed extends Error {
  constructor(public readonly replica: number, public readonly container: string, public readonly result: RunResult) {
    super(`replica ${replica}'s init container ${container} exited ${result.code}: ${result.stderr.slice(-3000)}`);
  }
}

function parseYamlRules(text: string): Record<string, string> {
  const rules: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^"([^"]+)":\s*(".*")$/.exec(line);
    if (match) rules[match[1]] = JSON.parse(match[2]);
  }
  return rules;
}
