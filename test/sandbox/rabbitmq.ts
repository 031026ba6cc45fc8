/**
 * A real RabbitMQ (Debian's rabbitmq-server) for the tests: its own node on a loopback address of
 * the test, a user of the test, no plugins, its files in a temporary directory. Its Erlang
 * distribution listens on 127.0.0.1 only, and epmd (ERL_EPMD_ADDRESS) too. Given a certificate,
 * it also listens with TLS on 5671 (TLS only there; the consumer keeps the plain port).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runPythonInImage } from './image-python';
import { killGroup } from './pod-sandbox';
import { listening, TestCertificate } from './tls';
import { until } from '../waiting';

const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
export const RABBITMQ_INSTALL_HINT = 'The notification tests need RabbitMQ: sudo bash scripts/install-glance.sh (Debian\'s rabbitmq-server)';

/** One notification as a consumer reads it. */
export interface Notification {
  readonly event_type: string;
  readonly publisher_id: string;
  readonly priority: string;
  readonly payload: any;
}

export class RabbitMq {
  public readonly root = mkdtempSync(join(tmpdir(), 'rabbitmq-e2e-'));
  public readonly address = `127.0.8.${1 + (process.pid % 250)}`;
  public readonly port = 5672;
  public readonly tlsPort = 5671;
  private process?: ChildProcess;

  constructor(public readonly user = 'glance', public readonly password = 'e2e-rabbit-password', private readonly certificate?: TestCertificate) {}

  /** The transport URL of the user, at `host` (a name the pods resolve to `address`), on the TLS port if `tls`. */
  public transportUrl(host: string, tls = false): string {
    return `rabbit://${encodeURIComponent(this.user)}:${encodeURIComponent(this.password)}@${host}:${tls ? this.tlsPort : this.port}/`;
  }

  public async start(): Promise<void> {
    if (!existsSync(SERVER)) throw new Error(RABBITMQ_INSTALL_HINT);
    writeFileSync(join(this.root, 'rabbitmq.conf'), [
      `listeners.tcp.1 = ${this.address}:${this.port}`,
      `default_user = ${this.user}`,
      `default_pass = ${this.password}`,
      // The test's user connects from the pods' addresses, not from localhost.
      'loopback_users = none',
      'log.console = true',
      'log.file = false',
      ...(this.certificate ? [
        `listeners.ssl.1 = ${this.address}:${this.tlsPort}`,
        `ssl_options.cacertfile = ${this.certificate.issuer.certFile}`,
        `ssl_options.certfile = ${this.certificate.certFile}`,
        `ssl_options.keyfile = ${this.certificate.keyFile}`,
        // The clients show no certificate: the server's is what is checked.
        'ssl_options.verify = verify_none',
        'ssl_options.fail_if_no_peer_cert = false',
      ] : []),
      '',
    ].join('\n'));
    writeFileSync(join(this.root, 'enabled_plugins'), '[].\n');
    this.process = spawn(SERVER, [], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
        HOME: this.root,
        RABBITMQ_NODENAME: `rabbit-e2e-${process.pid}@localhost`,
        RABBITMQ_CONFIG_FILE: join(this.root, 'rabbitmq'),
        RABBITMQ_MNESIA_BASE: join(this.root, 'mnesia'),
        RABBITMQ_LOG_BASE: join(this.root, 'log'),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(this.root, 'enabled_plugins'),
        RABBITMQ_DIST_PORT: String(25000 + (process.pid % 5000)),
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
        ERL_EPMD_ADDRESS: '127.0.0.1',
      },
    });
    const log: string[] = [];
    this.process.stdout!.on('data', (chunk) => { log.push(String(chunk)); if (log.length > 200) log.shift(); });
    this.process.stderr!.on('data', (chunk) => { log.push(String(chunk)); if (log.length > 200) log.shift(); });
    const child = this.process;
    await until('rabbitmq accepts connections', async () => {
      if (child.exitCode !== null) throw new Error(`rabbitmq-server exited ${child.exitCode}:\n${log.join('').slice(-3000)}`);
      return log.join('').includes('Server startup complete') && await listening(this.address, this.port)
        && (!this.certificate || await listening(this.address, this.tlsPort));
    }, { everyMs: 250, detail: () => log.join('').slice(-3000) });
  }

  /** Takes every message off `queue` with kombu (the image's, as a consumer would); none while it does not exist. */
  public async drain(queue: string): Promise<Notification[]> {
    // kombu names the protocol amqp, oslo.messaging rabbit.
    const result = await runPythonInImage<{ messages: Notification[] }>(join(__dirname, 'rabbitmq-drain.py'),
      [this.transportUrl(this.address).replace(/^rabbit:/, 'amqp:'), queue]);
    return result.messages;
  }

  public async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      killGroup(child, 'SIGTERM');
      await exited;
    }
    // epmd outlives the node it served: stopped when no node is left (`epmd -kill` refuses otherwise).
    try { execFileSync('epmd', ['-kill'], { stdio: 'ignore', env: { ...process.env, ERL_EPMD_ADDRESS: '127.0.0.1' } }); } catch { /* none */ }
    rmSync(this.root, { recursive: true, force: true });
  }
}
