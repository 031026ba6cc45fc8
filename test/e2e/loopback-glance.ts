/**
 * Runs the Glance deployment we synthesize as real glance-api processes on loopback.
 *
 * Everything comes from the synthesized manifests: the config files (the keys of the Secret the
 * pods mount), the API command and environment, the db-sync command, and the pruner and cleaner
 * commands. What a cluster provides and loopback does not is added by a documented overlay only:
 *
 * - `99-loopback.conf` in each replica's config dir: bind address and port, workers = 1, the
 *   replica's own image_cache_dir, local file-store, staging, tasks and lock directories, the
 *   paste flavor "caching" (no Keystone), and a policy file that opens the cache_* rules (the
 *   unauthenticated context has no admin role);
 * - the mount path /etc/glance/glance.conf.d, replaced by the replica's config dir in commands;
 * - the Secrets' values: OS_DATABASE__CONNECTION is a shared sqlite file;
 * - OS_DEFAULT__WORKER_SELF_REFERENCE_URL, the loopback URL instead of the pod's DNS name;
 * - PATH starts with /usr/bin so that python3 is Debian's, which has Glance's modules.
 *
 * Cache size, image_cache_max_size, stall time and driver are never overlaid.
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { find, Manifest, parseIniText } from '../helpers';

const execFileAsync = promisify(execFile);

export const CONFIG_MOUNT = '/etc/glance/glance.conf.d';
export const INSTALL_HINT = 'The end-to-end tests run real Glance. Install it with: '
  + 'sudo bash scripts/install-glance.sh (apt-get install glance-api python3-glanceclient qemu-utils)';

/** Options the overlay sets; the test checks it never touches the cache's own. */
export const CACHE_OPTIONS_NEVER_OVERLAID = ['image_cache_max_size', 'image_cache_stall_time', 'image_cache_driver'];

/** Fails with how to install Glance when it is missing. */
export function requireRealGlance(): void {
  const missing = ['/usr/bin/glance-api', '/usr/bin/glance', '/usr/bin/glance-manage', '/usr/bin/glance-cache-pruner',
    '/usr/bin/glance-cache-cleaner', '/usr/bin/qemu-img'].filter((tool) => !existsSync(tool));
  if (missing.length) throw new Error(`${INSTALL_HINT}\nmissing: ${missing.join(', ')}`);
}

/** What the harness takes from the synthesized manifests of one API StatefulSet. */
export class SynthesizedApi {
  public readonly configFiles: Record<string, string>;
  public readonly dbConfigFiles: Record<string, string>;
  public readonly apiCommand: string[];
  public readonly apiEnvNames: string[];
  public readonly dbSyncCommand: string[];
  public readonly replicas: number;

  constructor(private readonly manifests: Manifest[], public readonly statefulSet: string, glanceName = 'glance') {
    const sts = find(manifests, 'StatefulSet', statefulSet);
    const container = sts.spec.template.spec.containers[0];
    this.replicas = sts.spec.replicas;
    this.apiCommand = container.command;
    this.apiEnvNames = container.env.map((e: any) => e.name);
    const configVolume = sts.spec.template.spec.volumes.find((v: any) =>
      container.volumeMounts.some((m: any) => m.name === v.name && m.mountPath === CONFIG_MOUNT));
    this.configFiles = find(manifests, 'Secret', configVolume.secret.secretName).stringData;
    this.dbConfigFiles = find(manifests, 'Secret', `${glanceName}-db-config`).stringData;
    this.dbSyncCommand = find(manifests, 'Job', `${glanceName}-db-sync`).spec.template.spec.containers[0].command;
  }

  /** The generated glance.conf, parsed. */
  public get glanceConf(): Record<string, Record<string, string>> {
    return parseIniText(this.configFiles['00-glance.conf']);
  }

  /** The command of replica N's pruner or cleaner CronJob. */
  public jobCommand(kind: 'pruner' | 'cleaner', replica: number): string[] {
    const job = find(this.manifests, 'CronJob', `${this.statefulSet}-${replica}-${kind}`);
    return job.spec.jobTemplate.spec.template.spec.containers[0].command;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Two (or more) glance-api replicas on loopback sharing a database and a file store. */
export class LoopbackGlance {
  public readonly root = mkdtempSync(join(tmpdir(), 'glance-e2e-'));
  public readonly dbUrl = `sqlite:///${join(this.root, 'glance.sqlite')}`;
  private readonly processes = new Map<number, ChildProcess>();
  private readonly ports: number[] = [];

  constructor(public readonly api: SynthesizedApi) {}

  public configDir(replica: number): string { return join(this.root, `replica-${replica}`, 'conf'); }
  public cacheDir(replica: number): string { return join(this.root, `replica-${replica}`, 'image-cache'); }
  public url(replica: number): string { return `http://127.0.0.1:${this.ports[replica]}`; }

  /** Writes every replica's config (verbatim plus overlay) and runs the synthesized db-sync. */
  public async prepare(): Promise<void> {
    const policy = Object.keys(parseYamlRules(this.api.configFiles['policy.yaml']));
    writeFileSync(join(this.root, 'open-policy.yaml'), policy.map((rule) => `${JSON.stringify(rule)}: ""\n`).join(''));
    for (let r = 0; r < this.api.replicas; r++) {
      this.ports.push(await freePort());
      writeConfigDir(this.configDir(r), this.api.configFiles, this.overlay(r));
      for (const dir of ['image-cache', 'staging', 'tasks', 'locks']) mkdirSync(join(this.root, `replica-${r}`, dir), { recursive: true });
    }
    mkdirSync(join(this.root, 'images'), { recursive: true });
    const dbConf = join(this.root, 'db-conf');
    writeConfigDir(dbConf, this.api.dbConfigFiles, '');
    execFileSync(this.api.dbSyncCommand[0], localize(this.api.dbSyncCommand.slice(1), dbConf), { env: this.env(0), stdio: 'pipe' });
  }

  /** The overlay: only what the cluster provides and loopback does not. */
  public overlay(replica: number): string {
    const dir = join(this.root, `replica-${replica}`);
    return [
      '[DEFAULT]', 'bind_host = 127.0.0.1', `bind_port = ${this.ports[replica]}`, 'workers = 1',
      `image_cache_dir = ${this.cacheDir(replica)}`,
      '[default_backend]', `filesystem_store_datadir = ${join(this.root, 'images')}`,
      '[os_glance_staging_store]', `filesystem_store_datadir = ${join(dir, 'staging')}`,
      '[os_glance_tasks_store]', `filesystem_store_datadir = ${join(dir, 'tasks')}`,
      '[oslo_concurrency]', `lock_path = ${join(dir, 'locks')}`,
      '[paste_deploy]', 'flavor = caching',
      '[oslo_policy]', `policy_file = ${join(this.root, 'open-policy.yaml')}`,
      '',
    ].join('\n');
  }

  /** The environment a pod would have, with the cluster's values replaced by local ones. */
  public env(replica: number): NodeJS.ProcessEnv {
    return {
      PATH: `/usr/bin:/bin:/usr/sbin:/sbin:${process.env.PATH ?? ''}`,
      HOME: join(this.root, 'home'),
      LANG: 'C.UTF-8',
      OS_DATABASE__CONNECTION: this.dbUrl,
      OS_DEFAULT__WORKER_SELF_REFERENCE_URL: this.url(replica),
    };
  }

  /** Starts replica N with the StatefulSet's own command. */
  public async start(replica: number): Promise<void> {
    const [command, ...args] = this.api.apiCommand;
    const child = spawn(command, localize(args, this.configDir(replica)), {
      env: this.env(replica), detached: true, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
    this.processes.set(replica, child);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`replica ${replica} exited ${child.exitCode}: ${stderr}`);
      if (await this.healthy(replica)) return;
      await sleep(200);
    }
    throw new Error(`replica ${replica} not healthy in 60 s: ${stderr}`);
  }

  public async healthy(replica: number): Promise<boolean> {
    try {
      const response = await fetch(`${this.url(replica)}/healthcheck`, { signal: AbortSignal.timeout(2000) });
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** Stops replica N (parent and workers) by its process group. */
  public stop(replica: number, signal: NodeJS.Signals = 'SIGTERM'): void {
    const child = this.processes.get(replica);
    if (!child?.pid) return;
    try { process.kill(-child.pid, signal); } catch { /* already gone */ }
    this.processes.delete(replica);
  }

  public stopAll(): void {
    for (const replica of [...this.processes.keys()]) this.stop(replica, 'SIGKILL');
  }

  /** Runs the glance CLI against replica N's own URL, as the reference does. */
  public async glance(replica: number, ...args: string[]): Promise<string> {
    const env = { ...this.env(replica), OS_IMAGE_API_VERSION: '2', OS_AUTH_TOKEN: 'loopback-noauth' };
    const { stdout } = await execFileAsync('glance', ['--os-image-url', this.url(replica), ...args], { env, maxBuffer: 16 << 20 });
    return stdout;
  }

  /** Image ids that `glance cache-list` shows as cached on replica N. */
  public async cachedImages(replica: number): Promise<string[]> {
    const out = await this.glance(replica, 'cache-list');
    return out.split('\n').map((line) => line.split('|').map((c) => c.trim())).filter((cells) => cells[2] === 'cached').map((cells) => cells[1]);
  }

  /** Runs a CronJob's command as the job pod would, against replica N's config and cache. */
  public async runJob(command: string[], replica: number): Promise<string> {
    const [file, ...args] = command;
    const { stdout, stderr } = await execFileAsync(file, localize(args, this.configDir(replica)), { env: this.env(replica) });
    return stdout + stderr;
  }
}

export async function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Replaces the config mount path in a command with a local directory. */
function localize(args: string[], configDir: string): string[] {
  return args.map((arg) => arg.split(CONFIG_MOUNT).join(configDir));
}

function writeConfigDir(dir: string, files: Record<string, string>, overlay: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  if (overlay) writeFileSync(join(dir, '99-loopback.conf'), overlay);
}

function parseYamlRules(text: string): Record<string, string> {
  const rules: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^"([^"]+)":\s*(".*")$/.exec(line);
    if (match) rules[match[1]] = JSON.parse(match[2]);
  }
  return rules;
}
