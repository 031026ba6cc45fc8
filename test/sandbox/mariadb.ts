/**
 * A throwaway MariaDB server on a loopback address of its own: the database every Glance pod of
 * the e2e shares, reached over TCP by a URL in a Secret as in a cluster.
 *
 * With `start({ tls })` it serves TLS with the given certificate (ssl_cert, ssl_key, ssl_ca) and,
 * unless told otherwise, refuses every TCP connection without TLS (require_secure_transport=ON;
 * the root socket the harness uses stays allowed: MariaDB counts a Unix socket as secure).
 * `connectAsOsloDb` connects as Glance does, through oslo.db's create_engine with
 * `[database] connection_parameters`, in this machine's root or an image's.
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { until } from '../waiting';
import { ImagePythonOptions, runPythonInImage } from './image-python';

const execFileAsync = promisify(execFile);

export const MARIADB_INSTALL_HINT = 'The end-to-end tests need MariaDB: sudo bash scripts/install-glance.sh';

/** The server side of TLS: files mariadbd reads at start (as root). */
export interface MariaDbTls {
  /** The server's certificate (PEM), ssl_cert. */
  readonly certFile: string;
  /** Its private key, ssl_key. */
  readonly keyFile: string;
  /** The CA(s) for client certificates, ssl_ca (no client certificate is asked for). */
  readonly caFile: string;
  /** require_secure_transport=ON: a TCP connection without TLS is refused. @default true */
  readonly requireSecureTransport?: boolean;
}

export interface MariaDbStartOptions {
  /** Serve TLS. @default plain TCP only */
  readonly tls?: MariaDbTls;
}

export interface CreateDatabaseOptions {
  /** The user is created `REQUIRE SSL` (what mariadb-operator does per account with requireTLS). @default false */
  readonly requireSsl?: boolean;
}

export class MariaDb {
  public readonly root = mkdtempSync(join(tmpdir(), 'mariadb-e2e-'));
  private process?: ChildProcess;
  /** What `start` was given. */
  public tls?: MariaDbTls;

  /** A loopback address of its own per test process, so that a server leaked by a killed run is in nobody's way. */
  constructor(public readonly address = `127.0.2.${1 + (process.pid % 250)}`, public readonly port = 3306) {}

  private get socket(): string { return join(this.root, 'mysqld.sock'); }

  /** Initializes a data directory and starts the server; resolves once it takes connections. */
  public async start(options: MariaDbStartOptions = {}): Promise<void> {
    const data = join(this.root, 'data');
    mkdirSync(data);
    execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--user=root', '--auth-root-authentication-method=socket',
      '--skip-test-db'], { stdio: 'pipe' });
    this.tls = options.tls;
    const tls = options.tls ? [`--ssl-cert=${options.tls.certFile}`, `--ssl-key=${options.tls.keyFile}`, `--ssl-ca=${options.tls.caFile}`,
      `--require-secure-transport=${options.tls.requireSecureTransport ?? true ? 'ON' : 'OFF'}`] : [];
    this.process = spawn('mariadbd', ['--no-defaults', `--datadir=${data}`, `--socket=${this.socket}`, `--bind-address=${this.address}`,
      `--port=${this.port}`, '--user=root', '--skip-log-bin', '--innodb-buffer-pool-size=64M', '--max-connections=500',
      `--pid-file=${join(this.root, 'mysqld.pid')}`, `--log-error=${join(this.root, 'error.log')}`, ...tls], { stdio: 'ignore', detached: true });
    const server = this.process;
    await until('mariadbd takes connections', async () => {
      if (server.exitCode !== null) throw new Error(`mariadbd exited ${server.exitCode}: ${this.errorLog()}`);
      try {
        await this.sql('SELECT 1');
        return true;
      } catch {
        return false;
      }
    }, { everyMs: 200, detail: () => this.errorLog() });
  }

  private errorLog(): string {
    try { return readFileSync(join(this.root, 'error.log'), 'utf8').slice(-2000); } catch { return '(no error.log)'; }
  }

  /** Creates a database and a user that owns it. */
  public async createDatabase(database: string, user: string, password: string, options: CreateDatabaseOptions = {}): Promise<void> {
    // A SQL string literal: any password, quotes and backslashes included.
    const literal = `'${password.replace(/[\\']/g, (c) => `\\${c}`)}'`;
    const requireSsl = options.requireSsl ? ' REQUIRE SSL' : '';
    await this.sql(`CREATE DATABASE ${database}; CREATE USER '${user}'@'%' IDENTIFIED BY ${literal}${requireSsl};`
      + ` GRANT ALL PRIVILEGES ON ${database}.* TO '${user}'@'%'; FLUSH PRIVILEGES;`);
  }

  /** Runs SQL as root over the local socket. */
  public async sql(statements: string, database?: string): Promise<string> {
    const { stdout } = await execFileAsync('mariadb', ['--no-defaults', `--socket=${this.socket}`, '-uroot', '-N', '-B',
      ...(database ? [database] : []), '-e', statements]);
    return stdout;
  }

  /** The server's TLS variables: have_ssl (YES when it serves TLS), require_secure_transport, ssl_cert... */
  public async tlsVariables(): Promise<Record<string, string>> {
    const out = await this.sql('SHOW GLOBAL VARIABLES WHERE Variable_name IN '
      + "('have_ssl', 'require_secure_transport', 'ssl_cert', 'ssl_ca', 'ssl_key')");
    return Object.fromEntries(out.trim().split('\n').map((line) => line.split('\t') as [string, string]));
  }

  public stop(): void {
    if (this.process?.pid) {
      try { process.kill(-this.process.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** How `connectAsOsloDb` connects: the image to run in, the names it resolves, the paths it sees. */
export interface OsloDbConnectOptions extends ImagePythonOptions {
  /** `[database] connection`, e.g. mysql+pymysql://glance:pw@openstack.openstack.svc:3306/glance. */
  readonly url: string;
  /** `[database] connection_parameters`, e.g. `ssl_ca=/path/tls-ca-bundle.pem`. @default none */
  readonly connectionParameters?: string;
}

/** What `connectAsOsloDb` saw. */
export interface OsloDbConnectResult {
  readonly ok: boolean;
  /** The session's Ssl_cipher and Ssl_version ('' without TLS). */
  readonly cipher?: string;
  readonly version?: string;
  /** CURRENT_USER() of the session. */
  readonly user?: string;
  /** The ssl dict SQLAlchemy's PyMySQL dialect passes to pymysql.connect (from ssl_* parameters), or null. */
  readonly connectSsl?: Record<string, unknown> | null;
  /** The error (type: message), and what it wraps: MySQL's error code and message, an ssl verify failure. */
  readonly error?: string;
  readonly mysqlCode?: number;
  readonly mysqlMessage?: string;
  /** OpenSSL's verify code and message (10 expired, 19 self-signed in chain, 20 unknown issuer, 62 hostname mismatch). */
  readonly verifyCode?: number;
  readonly verifyMessage?: string;
  readonly sslError?: string;
}

/**
 * Connects as Glance does: oslo.db's `engines.create_engine(connection, connection_parameters=...)`
 * (one attempt), in `imageRoot` (./image-python.ts); then reads the session's TLS status.
 * Errors are results, not exceptions.
 */
export function connectAsOsloDb(options: OsloDbConnectOptions): Promise<OsloDbConnectResult> {
  return runPythonInImage(join(__dirname, 'oslo-db-connect.py'), [options.url, options.connectionParameters ?? ''], options);
}
