/**
 * Runs a Python probe script of the tests with an image's python3 and libraries (this machine's
 * root, Glance 25, or the trixie root, Glance 30) under bwrap: read-only root, its own /tmp, an
 * /etc/hosts of the test's (names the pods resolve, as the pod sandbox's), the host's network,
 * a clean env. The script prints one JSON object as its last line of stdout.
 */
import { execFile } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, dirname, join } from 'path';
import { promisify } from 'util';
import { HANG_GUARD_MS } from '../waiting';

const execFileAsync = promisify(execFile);

export interface ImagePythonOptions {
  /** The image's root filesystem. @default '/' (this machine's) */
  readonly imageRoot?: string;
  /** Names the script resolves, by its /etc/hosts. @default only localhost */
  readonly hosts?: Record<string, string>;
  /** Host paths shown read-only at the same path (a CA bundle's directory). @default none */
  readonly binds?: readonly string[];
  /** Env vars beside PATH and LC_ALL (REQUESTS_CA_BUNDLE, say). @default none */
  readonly env?: Record<string, string>;
}

/** Runs `script` (a host path) with `args`; resolves to the JSON of its last line. Fails if python3 fails or prints no JSON. */
export async function runPythonInImage<T>(script: string, args: readonly string[], options: ImagePythonOptions = {}): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'image-python-'));
  try {
    const hostsFile = join(dir, 'hosts');
    writeFileSync(hostsFile, ['127.0.0.1\tlocalhost', ...Object.entries(options.hosts ?? {}).map(([name, address]) => `${address}\t${name}`), '']
      .join('\n'));
    const inside = `/tmp/${basename(script)}`;
    const env = Object.entries({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C.UTF-8', ...options.env }).map(([k, v]) => `${k}=${v}`);
    const bwrap = ['--ro-bind', options.imageRoot ?? '/', '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
      '--ro-bind', hostsFile, '/etc/hosts', '--ro-bind', script, inside, '--die-with-parent',
      // What the probe scripts share, beside the script (python3 puts the script's directory on its path).
      '--ro-bind', join(dirname(script), 'probe_errors.py'), '/tmp/probe_errors.py',
      ...(options.binds ?? []).flatMap((path) => ['--ro-bind', path, path]),
      '/usr/bin/env', '-i', ...env, 'python3', inside, ...args];
    const { stdout, stderr } = await execFileAsync('bwrap', bwrap, { timeout: HANG_GUARD_MS, maxBuffer: 16 * 1024 * 1024 })
      .catch((error: any) => { throw new Error(`${basename(script)} failed (${error.code ?? error.signal}): ${error.stderr}${error.stdout}`); });
    const last = stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(last);
    } catch {
      throw new Error(`${basename(script)} printed no JSON:\n${stdout}\n${stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
