/**
 * A throwaway MariaDB server on a loopback address of its own: the database every Glance pod of
 * the e2e shares, reached over TCP by a URL in a Secret as in a cluster.
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { until } from '../waiting';

const execFileAsync = promisify(execFile);

export const MARIADB_INSTALL_HINT = 'The end-to-end tests need MariaDB: sudo bash scripts/install-glance.sh';

export class MariaDb {
  public readonly root = mkdtempSync(join(tmpdir(), 'mariadb-e2e-'));
  private process?: ChildProcess;

  /** A loopback address of its own per test process, so that a server leaked by a killed run is in nobody's way. */
  constructor(public readonly address = `127.0.2.${1 + (process.pid % 250)}`, public readonly port = 3306) {}

  private get socket(): string { return join(this.root, 'mysqld.sock'); }

  /** Initializes a data directory and starts the server; resolves once it takes connections. */
  public async start(): Promise<void> {
    const data = join(this.root, 'data');
    mkdirSync(data);
    execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--user=root', '--auth-root-authentication-method=socket',
      '--skip-test-db'], { stdio: 'pipe' });
    this.process = spawn('mariadbd', ['--no-defaults', `--datadir=${data}`, `--socket=${this.socket}`, `--bind-address=${this.address}`,
      `--port=${this.port}`, '--user=root', '--skip-log-bin', '--innodb-buffer-pool-size=64M', '--max-connections=500',
      `--pid-file=${join(this.root, 'mysqld.pid')}`, `--log-error=${join(this.root, 'error.log')}`], { stdio: 'ignore', detached: true });
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

  /** Creates a database and a user that owns it; returns the user's password. */
  public async createDatabase(database: string, user: string, password: string): Promise<void> {
    // A SQL string literal: any password, quotes and backslashes included.
    const literal = `'${password.replace(/[\\']/g, (c) => `\\${c}`)}'`;
    await this.sql(`CREATE DATABASE ${database}; CREATE USER '${user}'@'%' IDENTIFIED BY ${literal};`
      + ` GRANT ALL PRIVILEGES ON ${database}.* TO '${user}'@'%'; FLUSH PRIVILEGES;`);
  }

  /** Runs SQL as root over the local socket. */
  public async sql(statements: string, database?: string): Promise<string> {
    const { stdout } = await execFileAsync('mariadb', ['--no-defaults', `--socket=${this.socket}`, '-uroot', '-N', '-B',
      ...(database ? [database] : []), '-e', statements]);
    return stdout;
  }

  public stop(): void {
    if (this.process?.pid) {
      try { process.kill(-this.process.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}
