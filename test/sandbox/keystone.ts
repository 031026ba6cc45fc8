/**
 * A throwaway OpenStack Keystone (Debian bookworm's Keystone 22) on a loopback address of its own:
 * the identity service a Glance deployment authenticates against, reached by its URL as in a
 * cluster. The model is ./mariadb.ts.
 *
 * - Everything lives in a fresh temporary directory: keystone.conf, the sqlite database, the fernet
 *   and credential key repositories, keystone.log (Keystone's own log) and uwsgi.log.
 * - The database is made by `keystone-manage db_sync`, the keys by `fernet_setup` and
 *   `credential_setup`, the admin user, project, roles (admin, member, reader), region and the
 *   identity endpoints by `keystone-manage bootstrap`.
 * - The public WSGI application (/usr/bin/keystone-wsgi-public) is served by uWSGI's python3
 *   plugin, as Debian's keystone package serves it (its keystone-uwsgi.ini), with a master and
 *   three workers of one thread each, each loading the application itself (lazy-apps). Not wsgiref,
 *   which keystone-wsgi-public falls back to when run standalone: one request at a time, "for
 *   testing only". One thread per worker because Keystone on sqlite leaves sessions to the garbage
 *   collector, which closes them from another thread and fails ("SQLite objects created in a
 *   thread..."); the database is in WAL mode so that a read transaction a worker still holds does
 *   not lock out another worker's writes. Responses say `Connection: close`, since uWSGI's plain
 *   HTTP socket closes each connection and a client reusing it would fail.
 * - It runs as the current user (root is not needed); the address is 127.0.3.N, N from the pid, so
 *   that a server leaked by a killed run is in nobody's way.
 * - With `tls`, uWSGI serves HTTPS itself (`--https-socket address:port,cert,key`; Debian's uwsgi
 *   links OpenSSL), the URLs and the catalog's identity endpoints are https://, and the harness's
 *   own requests trust only `tls.caFile` and check `tls.serverName`. uWSGI reads the certificate
 *   at start only.
 *
 * In the e2e, pods reach it by a cluster DNS name mapped to `address` through the pod sandbox's
 * extraHosts (see `hosts()`), and the catalog's identity endpoints can carry those names too
 * (`endpointHosts`).
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { request as httpsRequest } from 'https';
import { connect } from 'net';
import { tmpdir, userInfo } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { HANG_GUARD_MS, until } from '../waiting';
import { ImagePythonOptions, runPythonInImage } from './image-python';

const execFileAsync = promisify(execFile);

export const KEYSTONE_INSTALL_HINT = 'The Keystone tests need Keystone and uWSGI: sudo bash scripts/install-glance.sh '
  + '(python3-keystone, uwsgi-plugin-python3)';

const KEYSTONE_MANAGE = '/usr/bin/keystone-manage';
const KEYSTONE_WSGI_PUBLIC = '/usr/bin/keystone-wsgi-public';
const UWSGI = '/usr/bin/uwsgi';
const UWSGI_PYTHON3 = '/usr/lib/uwsgi/plugins/python3_plugin.so';
const SETPRIV = '/usr/bin/setpriv';
const PYTHON3 = '/usr/bin/python3';

/** Fails with how to install Keystone when a piece is missing. */
export function requireKeystone(): void {
  const missing = [KEYSTONE_MANAGE, KEYSTONE_WSGI_PUBLIC, UWSGI, UWSGI_PYTHON3, SETPRIV, PYTHON3].filter((path) => !existsSync(path));
  if (missing.length) throw new Error(`${KEYSTONE_INSTALL_HINT}\nmissing: ${missing.join(', ')}`);
}

/** An error answer of Keystone's API, with its HTTP status. */
export class KeystoneError extends Error {
  constructor(public readonly method: string, public readonly path: string, public readonly status: number, public readonly body: string) {
    super(`keystone: ${method} ${path}: HTTP ${status}: ${body.slice(0, 500)}`);
    this.name = 'KeystoneError';
  }
}

/** An answer of Keystone's API. */
export interface KeystoneResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body, or undefined for an empty one. */
  readonly body: any;
}

/** An object Keystone made: a project, user, role, service or endpoint. */
export interface KeystoneEntity {
  readonly id: string;
  readonly name?: string;
  readonly [key: string]: unknown;
}

/** An object or its id. */
export type KeystoneRef = string | { readonly id: string };

export type EndpointInterface = 'public' | 'internal' | 'admin';

/** Keystone over HTTPS. */
export interface KeystoneTls {
  /** The server certificate and key (PEM files), read by uWSGI at start. */
  readonly certFile: string;
  readonly keyFile: string;
  /** What the harness's own requests trust (only this). */
  readonly caFile: string;
  /**
   * The name the harness's requests send (SNI) and check against the certificate; they connect to `address`.
   * @default the internal endpoint host, else the public one, else the admin one, else `address` (which then needs an IP SAN)
   */
  readonly serverName?: string;
}

export interface KeystoneOptions {
  /** The loopback address to listen on. @default 127.0.3.N, N = 1 + pid % 250 */
  readonly address?: string;
  /** @default 5000 */
  readonly port?: number;
  /** The bootstrap admin's password (user admin, project admin, domain Default). @default 'keystone-admin-secret' */
  readonly adminPassword?: string;
  /** @default 'regionOne' */
  readonly region?: string;
  /**
   * The host names of the identity endpoints `keystone-manage bootstrap` puts in the catalog, by
   * interface, e.g. { internal: 'keystone-internal.openstack.svc', public: 'keystone-public.openstack.svc' }
   * for pods that resolve them through the pod sandbox's /etc/hosts (see `hosts()`); this machine
   * does not resolve them. @default - `address` for all three
   */
  readonly endpointHosts?: Partial<Record<EndpointInterface, string>>;
  /** uWSGI workers, one request at a time each. @default 3 */
  readonly processes?: number;
  /** Serve HTTPS. @default plain HTTP */
  readonly tls?: KeystoneTls;
}

/** What `setupGlanceIdentities` made, by id. */
export interface GlanceIdentities {
  readonly serviceProjectId: string;
  readonly glanceUserId: string;
  readonly demoProjectId: string;
  readonly memberUserId: string;
  /** The member user's name and password (in project demo). */
  readonly member: { readonly name: string; readonly password: string };
  readonly roleIds: { readonly admin: string; readonly service: string; readonly member: string };
  readonly imageServiceId: string;
  readonly endpointIds: { readonly public: string; readonly internal: string };
}

function idOf(ref: KeystoneRef): string {
  return typeof ref === 'string' ? ref : ref.id;
}

function tail(path: string, chars = 3000): string {
  try { return readFileSync(path, 'utf8').slice(-chars); } catch { return ''; }
}

export class Keystone {
  public readonly root = mkdtempSync(join(tmpdir(), 'keystone-e2e-'));
  public readonly address: string;
  public readonly port: number;
  public readonly adminPassword: string;
  public readonly region: string;
  public readonly processes: number;
  public readonly tls?: KeystoneTls;
  private readonly endpointHosts: Partial<Record<EndpointInterface, string>>;
  private process?: ChildProcess;
  private adminTokenCache?: { token: string; at: number };

  constructor(options: KeystoneOptions = {}) {
    this.address = options.address ?? `127.0.3.${1 + (process.pid % 250)}`;
    this.port = options.port ?? 5000;
    this.adminPassword = options.adminPassword ?? 'keystone-admin-secret';
    this.region = options.region ?? 'regionOne';
    this.processes = options.processes ?? 3;
    this.endpointHosts = options.endpointHosts ?? {};
    this.tls = options.tls;
  }

  /** http or https. */
  public get scheme(): string { return this.tls ? 'https' : 'http'; }

  /** The base URL on this machine, http(s)://<address>:<port> (the API is under /v3). */
  public get url(): string { return this.urlAt(this.address); }

  /** The base URL by another host name, e.g. a cluster DNS name the pods resolve to `address`. */
  public urlAt(host: string): string { return `${this.scheme}://${host}:${this.port}`; }

  /** The name the harness's HTTPS requests check (see KeystoneTls.serverName). */
  public get serverName(): string {
    return this.tls?.serverName ?? this.endpointHosts.internal ?? this.endpointHosts.public ?? this.endpointHosts.admin ?? this.address;
  }

  /** DNS names mapped to `address`, for the pod sandbox's extraHosts. */
  public hosts(...names: string[]): Record<string, string> {
    return Object.fromEntries(names.map((name) => [name, this.address]));
  }

  public get configFile(): string { return join(this.root, 'keystone.conf'); }

  /** The tail of Keystone's log and uWSGI's, for a failure message. */
  public logTail(chars = 3000): string {
    return `--- keystone.log\n${tail(join(this.root, 'keystone.log'), chars)}\n--- uwsgi.log\n${tail(join(this.root, 'uwsgi.log'), chars)}`;
  }

  /**
   * Writes keystone.conf, makes the database and keys, bootstraps the admin and the identity
   * endpoints, and serves the public API; resolves once GET /v3 answers and bootstrap is done.
   */
  public async start(): Promise<void> {
    requireKeystone();
    if (this.process) throw new Error('keystone: already started');
    const fernet = join(this.root, 'fernet-keys');
    const credential = join(this.root, 'credential-keys');
    mkdirSync(fernet, { mode: 0o700 });
    mkdirSync(credential, { mode: 0o700 });
    writeFileSync(this.configFile, [
      '[DEFAULT]',
      `log_file = ${join(this.root, 'keystone.log')}`,
      '[database]',
      `connection = sqlite:///${join(this.root, 'keystone.db')}`,
      '[token]',
      'provider = fernet',
      '[fernet_tokens]',
      `key_repository = ${fernet}`,
      // Auth receipts (multi-factor) default to /etc/keystone/fernet-keys, which fernet_setup would make.
      '[fernet_receipts]',
      `key_repository = ${fernet}`,
      '[credential]',
      `key_repository = ${credential}`,
      // Keystone's default rules, whatever a keystone package put in /etc/keystone.
      '[oslo_policy]',
      `policy_file = ${join(this.root, 'policy.yaml')}`,
      `policy_dirs = ${join(this.root, 'policy.d')}`,
      '[oslo_concurrency]',
      `lock_path = ${join(this.root, 'lock')}`,
      '[identity]',
      // bcrypt's fewest rounds: each password check costs ~1 ms instead of ~250 ms.
      'password_hash_rounds = 4',
      '',
    ].join('\n'));
    const user = userInfo().username;
    const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
    const owner = ['--keystone-user', user, '--keystone-group', group];
    const url = (iface: EndpointInterface) => `${this.urlAt(this.endpointHosts[iface] ?? this.address)}/v3`;
    // The keys do not touch the database: made while db_sync runs.
    await Promise.all([
      this.manage('db_sync').then(() => this.walMode()),
      this.manage('fernet_setup', ...owner),
      this.manage('credential_setup', ...owner),
    ]);
    // The application needs the schema and keys only per request: uWSGI loads it while bootstrap runs.
    // The master dies with this process (pdeathsig), its workers with the master (no-orphans).
    const socket = this.tls ? ['--https-socket', `${this.address}:${this.port},${this.tls.certFile},${this.tls.keyFile}`]
      : ['--http-socket', `${this.address}:${this.port}`];
    this.process = spawn(SETPRIV, ['--pdeathsig', 'KILL', UWSGI, '--plugins', 'python3', ...socket,
      '--add-header', 'Connection: close', '--wsgi-file', KEYSTONE_WSGI_PUBLIC, '--need-app', '--master',
      '--processes', String(this.processes), '--threads', '1', '--lazy-apps', '--die-on-term', '--no-orphans', '--buffer-size', '65535',
      '--chdir', this.root, '--logto', join(this.root, 'uwsgi.log')], {
      stdio: 'ignore',
      detached: true,
      env: { ...process.env, OS_KEYSTONE_CONFIG_DIR: this.root, OS_KEYSTONE_CONFIG_FILES: 'keystone.conf' },
    });
    const served = this.waitServed(this.process);
    await Promise.all([
      this.manage('bootstrap', '--bootstrap-username', 'admin', '--bootstrap-password', this.adminPassword,
        '--bootstrap-project-name', 'admin', '--bootstrap-role-name', 'admin', '--bootstrap-service-name', 'keystone',
        '--bootstrap-region-id', this.region, '--bootstrap-admin-url', url('admin'), '--bootstrap-internal-url', url('internal'),
        '--bootstrap-public-url', url('public')),
      served,
    ]).catch(async (error) => {
      await this.stop();
      throw error;
    });
  }

  /**
   * Keystone's database in WAL mode: oslo.db opens a transaction for every read on sqlite, and a
   * worker that keeps one open (until its session is collected) would otherwise lock out the
   * other workers' writes ("database is locked" after 5 s).
   */
  private async walMode(): Promise<void> {
    await execFileAsync(PYTHON3, ['-c', 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); '
      + 'assert c.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"; c.close()', join(this.root, 'keystone.db')]);
  }

  private async waitServed(child: ChildProcess): Promise<void> {
    await until(`keystone answers GET ${this.url}/v3`, async () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`keystone: uwsgi exited ${child.exitCode ?? child.signalCode}\n${this.logTail()}`);
      }
      if (this.process !== child) throw new Error('keystone: stopped while starting');
      try {
        // No per-request budget: a worker still loading the application answers late, not never.
        const response = await this.send('GET', '/v3', {});
        return response.status === 200;
      } catch {
        return false; // not listening yet
      }
    }, { detail: () => this.logTail() });
  }

  /** Runs keystone-manage with this Keystone's config. */
  public async manage(...args: string[]): Promise<string> {
    try {
      const { stdout } = await execFileAsync(KEYSTONE_MANAGE, ['--config-file', this.configFile, ...args], { maxBuffer: 16 * 1024 * 1024 });
      return stdout;
    } catch (error: any) {
      throw new Error(`keystone: keystone-manage ${args[0]} failed (${error.code ?? error.signal}):\n`
        + `${String(error.stderr ?? '').slice(-3000)}\n${this.logTail()}`);
    }
  }

  /** Kills the server, waits until its port is free, and removes the temporary directory. */
  public async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    this.adminTokenCache = undefined;
    if (child?.pid) {
      const exited = child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
      await exited;
      // The workers are in the same process group and hold the listening socket too.
      await until(`keystone's port ${this.address}:${this.port} is free`, async () => !(await this.listening()), { everyMs: 50 });
    }
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Whether something accepts TCP connections on address:port. */
  public listening(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect({ host: this.address, port: this.port });
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => { socket.destroy(); resolve(false); });
    });
  }

  /** One call of the API at `url` (path from /v3 on), with a token; answers whatever the status. */
  public async request(method: string, path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<KeystoneResponse> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (options.token) headers['X-Auth-Token'] = options.token;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await this.send(method, path, { headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    let body: any;
    try { body = response.text ? JSON.parse(response.text) : undefined; } catch { body = response.text; }
    return { status: response.status, headers: response.headers, body };
  }

  /** One HTTP(S) exchange with `url`: fetch for HTTP; node's https with only tls.caFile trusted and serverName checked for HTTPS. */
  private async send(method: string, path: string, init: { headers?: Record<string, string>; body?: string })
    : Promise<{ status: number; headers: Headers; text: string }> {
    if (!this.tls) {
      const response = await fetch(`${this.url}${path}`,
        { method, headers: init.headers, body: init.body, signal: AbortSignal.timeout(HANG_GUARD_MS) });
      return { status: response.status, headers: response.headers, text: await response.text() };
    }
    const ca = readFileSync(this.tls.caFile);
    return new Promise((resolve, reject) => {
      const options = { method, headers: init.headers, ca, servername: this.serverName, agent: false, timeout: HANG_GUARD_MS };
      const req = httpsRequest(`${this.url}${path}`, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, String(one));
          }
          resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`keystone: ${method} ${path}: no answer in ${HANG_GUARD_MS} ms`)));
      req.on('error', reject);
      req.end(init.body);
    });
  }

  /** Like request, but fails with a KeystoneError unless the status is one of `expected`. */
  private async call(method: string, path: string, expected: number[], body?: unknown, token?: string): Promise<KeystoneResponse> {
    const response = await this.request(method, path, { token: token ?? await this.adminToken(), body });
    if (!expected.includes(response.status)) {
      throw new KeystoneError(method, path, response.status, typeof response.body === 'string' ? response.body : JSON.stringify(response.body));
    }
    return response;
  }

  /**
   * A project-scoped token of a user by password (POST /v3/auth/tokens): the X-Subject-Token.
   * The user's and the project's domain are `domain`, by name. Fails with a KeystoneError (401
   * for a wrong password).
   */
  public async token(user: string, password: string, project: string, domain = 'Default'): Promise<string> {
    const path = '/v3/auth/tokens';
    const response = await this.request('POST', path, {
      body: {
        auth: {
          identity: { methods: ['password'], password: { user: { name: user, domain: { name: domain }, password } } },
          scope: { project: { name: project, domain: { name: domain } } },
        },
      },
    });
    const token = response.headers.get('x-subject-token');
    if (response.status !== 201 || !token) throw new KeystoneError('POST', path, response.status, JSON.stringify(response.body));
    return token;
  }

  /** The bootstrap admin's token, scoped to project admin (renewed after 30 minutes). */
  public async adminToken(): Promise<string> {
    if (!this.adminTokenCache || Date.now() - this.adminTokenCache.at > 30 * 60_000) {
      this.adminTokenCache = { token: await this.token('admin', this.adminPassword, 'admin'), at: Date.now() };
    }
    return this.adminTokenCache.token;
  }

  /** Validates a token as a service would (GET /v3/auth/tokens, X-Subject-Token): its body, catalog included. */
  public async validateToken(subjectToken: string): Promise<any> {
    const path = '/v3/auth/tokens';
    const response = await this.request('GET', path, { token: await this.adminToken(), headers: { 'X-Subject-Token': subjectToken } });
    if (response.status !== 200) throw new KeystoneError('GET', path, response.status, JSON.stringify(response.body));
    return response.body.token;
  }

  /** Finds an object by name in a collection (projects, users, roles...), or undefined. */
  public async findByName(collection: string, name: string): Promise<KeystoneEntity | undefined> {
    const response = await this.call('GET', `/v3/${collection}?name=${encodeURIComponent(name)}`, [200]);
    return response.body[collection][0];
  }

  /** Creates a project in a domain (by id); returns the existing one of that name if there is one. */
  public async createProject(name: string, domainId = 'default'): Promise<KeystoneEntity> {
    const existing = (await this.call('GET', `/v3/projects?name=${encodeURIComponent(name)}&domain_id=${encodeURIComponent(domainId)}`, [200]))
      .body.projects[0];
    if (existing) return existing;
    return (await this.call('POST', '/v3/projects', [201], {
      project: {
        name,
        domain_id: domainId,
        description: name,
        enabled: true,
      },
    })).body.project;
  }

  /** Creates a user in domain Default, with a default project if given. */
  public async createUser(name: string, password: string, defaultProject?: KeystoneRef): Promise<KeystoneEntity> {
    const user: Record<string, unknown> = { name, password, domain_id: 'default', enabled: true };
    if (defaultProject) user.default_project_id = idOf(defaultProject);
    return (await this.call('POST', '/v3/users', [201], { user })).body.user;
  }

  /** Creates a global role; returns the existing one of that name if there is one. */
  public async createRole(name: string): Promise<KeystoneEntity> {
    const existing = await this.findByName('roles', name);
    if (existing) return existing;
    const response = await this.call('POST', '/v3/roles', [201, 409], { role: { name } });
    if (response.status === 201) return response.body.role;
    // Made meanwhile by another caller.
    return (await this.findByName('roles', name))!;
  }

  /** Grants a role to a user on a project (objects or ids). */
  public async grantRole(user: KeystoneRef, project: KeystoneRef, role: KeystoneRef): Promise<void> {
    await this.call('PUT', `/v3/projects/${idOf(project)}/users/${idOf(user)}/roles/${idOf(role)}`, [204]);
  }

  /** Creates a service in the catalog. */
  public async createService(name: string, type: string, description?: string): Promise<KeystoneEntity> {
    return (await this.call('POST', '/v3/services', [201], {
      service: {
        name,
        type,
        description: description ?? name,
        enabled: true,
      },
    })).body.service;
  }

  /** Creates an endpoint of a service (object or id). */
  public async createEndpoint(service: KeystoneRef, iface: EndpointInterface, url: string, region = this.region): Promise<KeystoneEntity> {
    return (await this.call('POST', '/v3/endpoints', [201],
      { endpoint: { service_id: idOf(service), interface: iface, url, region_id: region, enabled: true } })).body.endpoint;
  }

  /**
   * The identities of a Glance deployment, as openstack-k8s-operators make them: project service,
   * user glance in it (its default project) with roles admin and service (keystone-operator's
   * KeystoneService reconcileUser), service glance of type image with a public and an internal
   * endpoint (glance-operator's KeystoneService and KeystoneEndpoint); and for the tests a user
   * `member` with role member in a project demo.
   *
   * @param imageUrl the image endpoints' URL, or one per interface
   */
  public async setupGlanceIdentities(glancePassword: string, imageUrl: string | { public: string; internal: string },
    memberPassword = 'demo-member-secret'): Promise<GlanceIdentities> {
    const urls = typeof imageUrl === 'string' ? { public: imageUrl, internal: imageUrl } : imageUrl;
    const [admin, service, member] = [await this.createRole('admin'), await this.createRole('service'), await this.createRole('member')];
    const serviceProject = await this.createProject('service');
    const glance = await this.createUser('glance', glancePassword, serviceProject);
    await this.grantRole(glance, serviceProject, admin);
    await this.grantRole(glance, serviceProject, service);
    const demo = await this.createProject('demo');
    const memberUser = await this.createUser('member', memberPassword, demo);
    await this.grantRole(memberUser, demo, member);
    const image = await this.createService('glance', 'image', 'Glance Service');
    const publicEndpoint = await this.createEndpoint(image, 'public', urls.public);
    const internalEndpoint = await this.createEndpoint(image, 'internal', urls.internal);
    return {
      serviceProjectId: serviceProject.id,
      glanceUserId: glance.id,
      demoProjectId: demo.id,
      memberUserId: memberUser.id,
      member: { name: 'member', password: memberPassword },
      roleIds: { admin: admin.id, service: service.id, member: member.id },
      imageServiceId: image.id,
      endpointIds: { public: publicEndpoint.id, internal: internalEndpoint.id },
    };
  }
}

/** What `keystoneClient` does (see keystone-client.py). */
export type KeystoneClientRequest =
  /** keystoneauth1 Session + v3 Password: a token, and the internal identity endpoint of the catalog. verify = cafile, else True. */
  | {
    readonly mode: 'session';
    readonly authUrl: string;
    readonly user: string;
    readonly password: string;
    readonly project: string;
    readonly cafile?: string;
  }
  /** keystonemiddleware's AuthProtocol with these [keystone_authtoken] options validates `token` on a request. */
  | { readonly mode: 'middleware'; readonly authtoken: Record<string, string>; readonly token: string };

/** What `keystoneClient` saw. */
export interface KeystoneClientResult {
  readonly ok: boolean;
  /** session: the token and the identity endpoint. */
  readonly token?: string;
  readonly identityEndpoint?: string;
  /** middleware: the HTTP status the middleware answered and the app's body (the identity headers, JSON). */
  readonly status?: number;
  readonly body?: string;
  /** middleware: what keystonemiddleware logged. */
  readonly log?: string[];
  /** The error (type: message) and the TLS verify failure in it, if any. */
  readonly error?: string;
  readonly verifyCode?: number;
  readonly verifyMessage?: string;
}

/**
 * Talks to Keystone as Glance's processes do, with an image's keystoneauth1 and keystonemiddleware
 * (./image-python.ts: `imageRoot`, `hosts`, `binds`, `env` such as REQUESTS_CA_BUNDLE). Errors are results.
 */
export function keystoneClient(request: KeystoneClientRequest, options: ImagePythonOptions = {}): Promise<KeystoneClientResult> {
  return runPythonInImage(join(__dirname, 'keystone-client.py'), [JSON.stringify(request)], options);
}
