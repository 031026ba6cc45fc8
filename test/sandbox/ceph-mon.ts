/**
 * A throwaway Ceph cluster of one monitor (no OSD) on a loopback address, for the e2e tests of the
 * rbd store: glance_store connects to its cluster when it configures the store (for the fsid of its
 * image locations), and with one rbd store Glance does not start when no monitor answers. A monitor
 * is all that needs: the client authenticates with cephx and reads the fsid. Images cannot be
 * written without OSDs.
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { HANG_GUARD_MS, HANG_GUARD_SECONDS, until } from '../waiting';

const execFileAsync = promisify(execFile);

export const CEPH_INSTALL_HINT = 'The end-to-end tests of the rbd store need a Ceph monitor: sudo bash scripts/install-glance.sh (ceph-mon)';

export class CephMon {
  public readonly root = mkdtempSync(join(tmpdir(), 'ceph-mon-e2e-'));
  private process?: ChildProcess;
  private readonly keys = new Map<string, string>();

  /** A loopback address of its own per test process, so that a monitor leaked by a killed run is in nobody's way. */
  constructor(public readonly fsid: string, public readonly port: number, public readonly address = `127.0.3.${1 + (process.pid % 250)}`) {}

  /** "address:port", as a client's mon_host. */
  public get monHost(): string { return `${this.address}:${this.port}`; }

  /** The cephx key of a client user (created by start()). */
  public key(user: string): string {
    const key = this.keys.get(user);
    if (!key) throw new Error(`ceph-mon: no client.${user}`);
    return key;
  }

  /** Creates the cluster with the given client users and starts its monitor; resolves once a client connects. */
  public async start(users: string[]): Promise<void> {
    const conf = join(this.root, 'ceph.conf');
    writeFileSync(conf, [
      '[global]', `fsid = ${this.fsid}`, `mon_host = ${this.monHost}`, `mon_data = ${join(this.root, 'data')}`, `run_dir = ${this.root}`,
      `admin_socket = ${join(this.root, '$name.asok')}`, `log_file = ${join(this.root, 'mon.log')}`,
      'auth_allow_insecure_global_id_reclaim = false', '',
    ].join('\n'));
    const keyring = join(this.root, 'mon.keyring');
    execFileSync('ceph-authtool', ['--create-keyring', keyring, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *'], { stdio: 'pipe' });
    for (const user of users) {
      const key = execFileSync('ceph-authtool', ['--gen-print-key'], { encoding: 'utf8' }).trim();
      this.keys.set(user, key);
      execFileSync('ceph-authtool', [keyring, '--add-key', key, '-n', `client.${user}`, '--cap', 'mon', 'profile rbd', '--cap', 'osd',
        'profile rbd'], { stdio: 'pipe' });
    }
    const monmap = join(this.root, 'monmap');
    execFileSync('monmaptool', ['--create', '--add', 'a', this.monHost, '--fsid', this.fsid, monmap], { stdio: 'pipe' });
    mkdirSync(join(this.root, 'data'));
    execFileSync('ceph-mon', ['-c', conf, '--mkfs', '-i', 'a', '--monmap', monmap, '--keyring', keyring], { stdio: 'pipe' });
    this.process = spawn('ceph-mon', ['-c', conf, '-i', 'a', '-f'], { stdio: 'ignore', detached: true });
    const client = join(this.root, 'probe.conf');
    const probeUser = users[0];
    writeFileSync(client, this.clientConf(join(this.root, 'probe.keyring')));
    writeFileSync(join(this.root, 'probe.keyring'), this.keyring(probeUser));
    const mon = this.process;
    await until('ceph-mon takes a client', async () => {
      if (mon.exitCode !== null) throw new Error(`ceph-mon exited ${mon.exitCode}: ${this.log()}`);
      try {
        // The client waits for the monitor up to its client_mount_timeout (clientConf), then fails and is run again.
        const { stdout } = await execFileAsync('/usr/bin/python3', ['-c',
          'import rados, sys; c = rados.Rados(conffile=sys.argv[1], rados_id=sys.argv[2]); '
          + 'c.connect(); print(c.get_fsid()); c.shutdown()', client, probeUser], { encoding: 'utf8', timeout: HANG_GUARD_MS });
        return stdout.trim() === this.fsid;
      } catch {
        return false; // not up yet
      }
    }, { everyMs: 200, detail: () => this.log() });
  }

  /**
   * The config file a client of this cluster reads, naming its keyring. How long a client (the
   * probe of start(), glance_store in the pods) waits for the monitor is the hang guard: a busy
   * machine's monitor answers late, and only one that never answers is a failure.
   */
  public clientConf(keyringPath: string): string {
    return `[global]\nfsid = ${this.fsid}\nmon_host = ${this.monHost}\nkeyring = ${keyringPath}\nclient_mount_timeout = ${HANG_GUARD_SECONDS}\n`;
  }

  /** The keyring of a client user. */
  public keyring(user: string): string {
    return `[client.${user}]\n\tkey = ${this.key(user)}\n`;
  }

  public stop(): void {
    if (this.process?.pid) {
      try { process.kill(-this.process.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    rmSync(this.root, { recursive: true, force: true });
  }

  private log(): string {
    try { return readFileSync(join(this.root, 'mon.log'), 'utf8').slice(-2000); } catch { return '(no log)'; }
  }
}
