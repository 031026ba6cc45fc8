/**
 * The static check of issue 7: in every container with a read-only root filesystem, every
 * directory that its Glance program writes under lies on a writable volume of that container.
 * The directories come from the config the container really reads (the *.conf files of the Secret
 * mounted at its --config-dir, in oslo.config's order) with its OS_<GROUP>__<OPTION> env vars on top.
 */
import { posix } from 'path';
import { Manifest, podSpecs } from './helpers';
import { CONFIG_SECRETS_SCRIPT } from '../lib/config-secrets';
import { parseIni } from '../lib/ini';

const CONFIG_DIR = '/etc/glance/glance.conf.d';

/** What a program writes, as section.option names whose values are directories (or file:// URIs). */
const WRITES: Record<string, string[]> = {
  'glance-api': ['oslo_concurrency.lock_path', 'DEFAULT.log_dir', '<log file>', 'DEFAULT.image_cache_dir',
    'os_glance_staging_store.filesystem_store_datadir',
    'os_glance_tasks_store.filesystem_store_datadir', 'task.work_dir', '<file stores>'],
  'cache tool': ['oslo_concurrency.lock_path', 'DEFAULT.log_dir', '<log file>', 'DEFAULT.image_cache_dir'],
  // precache talks to the API over HTTP: it opens no cache, lock or store, only the log.
  'precache': ['DEFAULT.log_dir', '<log file>'],
  'glance-manage': ['oslo_concurrency.lock_path', 'DEFAULT.log_dir', '<log file>'],
  // The TLS terminator: httpd's pid file, runtime dir and session cache, in the run_dir of its script.
  'tls terminator': ['<httpd run dir>'],
  // configSecrets' check writes the pod's config directory, its last argument.
  'config check': ['<config dir>'],
};

/** Which Glance program a container runs, from its command line's arguments (not from its config files' names). */
function program(argv: string[]): string | undefined {
  const base = argv.map((arg) => arg.split('/').pop()!);
  if (base.includes('glance-api')) return 'glance-api';
  if (base.includes('glance-cache-jobs.py') && argv.includes('precache')) return 'precache';
  if (base.some((arg) => arg.startsWith('glance-cache-'))) return 'cache tool';
  if (base.includes('glance-manage')) return 'glance-manage';
  if (base.includes('glance-httpd.sh')) return 'tls terminator';
  if (base.includes(CONFIG_SECRETS_SCRIPT)) return 'config check';
  return undefined;
}

/** oslo.config's group names: "DEFAULT" exactly, every other group lower-cased ("[default]" is not DEFAULT). */
function group(name: string): string {
  return name === 'DEFAULT' ? 'DEFAULT' : name.toLowerCase();
}

/** The options a container reads: its config dir's *.conf files in sorted order, then env overrides. */
function effectiveConfig(manifests: Manifest[], pod: any, container: any): Record<string, string> {
  const options: Record<string, string> = {};
  const mount = (container.volumeMounts ?? []).find((m: any) => m.mountPath === CONFIG_DIR);
  const volume = configSecretOf(pod, mount && pod.volumes.find((v: any) => v.name === mount.name));
  const secret = volume?.secret && manifests.find((m) => m.kind === 'Secret' && m.metadata.name === volume.secret.secretName);
  for (const file of Object.keys(secret?.stringData ?? {}).filter((f) => f.endsWith('.conf')).sort()) {
    for (const [section, values] of Object.entries(parseIni(file, secret.stringData[file]))) {
      for (const [key, value] of Object.entries(values)) options[`${group(section)}.${key}`] = value;
    }
  }
  // The terminator's script says where httpd writes.
  const script: string | undefined = secret?.stringData?.['glance-httpd.sh'];
  const runDir = script && /^run_dir=(\S+)$/m.exec(script)?.[1];
  if (runDir) options['<httpd run dir>'] = runDir;
  const argv: string[] = [...container.command ?? [], ...container.args ?? []];
  if (program(argv) === 'config check') options['<config dir>'] = argv[argv.length - 1];
  for (const entry of container.env ?? []) {
    const match = /^OS_([A-Za-z0-9_]+?)__([A-Za-z0-9_]+)$/.exec(entry.name);
    if (!match) continue;
    options[`${group(match[1])}.${match[2].toLowerCase()}`] = entry.value ?? `<from ${JSON.stringify(entry.valueFrom)}>`;
  }
  return options;
}

/**
 * The config volume behind a container's config dir: its Secret, or, where that is the emptyDir configSecrets' check fills,
 * the Secret the check copies (its argument before the Secrets' directory, where it mounts the config Secret). The Secrets'
 * own text may move no directory: the check refuses every option these are read from.
 */
function configSecretOf(pod: any, volume: any): any {
  if (!volume?.emptyDir) return volume;
  const check = (pod.initContainers ?? []).find((c: any) => (c.command ?? []).some((a: string) => a.endsWith(CONFIG_SECRETS_SCRIPT))
    && (c.volumeMounts ?? []).some((m: any) => m.name === volume.name && m.mountPath === CONFIG_DIR));
  if (!check) return volume;
  const source = check.command[check.command.length - 3];
  const mount = check.volumeMounts.find((m: any) => m.mountPath === source);
  return pod.volumes.find((v: any) => v.name === mount?.name);
}

/** Every directory option of the program with its value, file stores included. */
function writtenDirs(prog: string, options: Record<string, string>): Array<[string, string]> {
  const dirs: Array<[string, string]> = [];
  for (const option of WRITES[prog]) {
    if (option === '<file stores>') {
      for (const store of (options['DEFAULT.enabled_backends'] ?? '').split(',')) {
        const [name, type] = store.split(':').map((s) => s.trim());
        const key = `${group(name)}.filesystem_store_datadir`;
        if (type === 'file' && options[key] !== undefined) dirs.push([key, options[key]]);
      }
    } else if (option === '<log file>') {
      const file = options['DEFAULT.log_file'];
      if (file) dirs.push(['DEFAULT.log_file', posix.dirname(posix.isAbsolute(file) ? file : posix.join(options['DEFAULT.log_dir'] ?? '', file))]);
    } else if (options[option] !== undefined && options[option] !== '') {
      dirs.push([option, options[option]]);
    }
  }
  if (prog === 'cache tool' && options['DEFAULT.image_cache_dir'] === undefined) dirs.push(['DEFAULT.image_cache_dir', '<unset>']);
  return dirs.map(([option, value]) => [option, value.replace(/^file:\/\//, '')]);
}

/**
 * Lists every violation: "<workload>/<container>: <option> = <dir> is on no writable volume".
 * Containers whose root is writable, and containers that run no Glance program, are skipped;
 * a container that mounts the config dir but runs an unknown program is itself a violation.
 */
export function readOnlyRootViolations(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  for (const { where, spec } of podSpecs(manifests)) {
    for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
      if (container.securityContext?.readOnlyRootFilesystem !== true) continue;
      const argv: string[] = [...container.command ?? [], ...container.args ?? []];
      const commandLine = argv.join(' ');
      const prog = program(argv);
      const mounts: any[] = container.volumeMounts ?? [];
      if (!prog) {
        if (mounts.some((m) => m.mountPath === CONFIG_DIR)) problems.push(`${where}/${container.name}: runs an unknown program: ${commandLine}`);
        continue;
      }
      const writable = mounts.filter((m) => {
        const volume = spec.volumes?.find((v: any) => v.name === m.name);
        const claimTemplate = !volume && where.startsWith('StatefulSet/'); // a volumeClaimTemplate
        return !m.readOnly && (claimTemplate || volume.emptyDir || volume.persistentVolumeClaim);
      }).map((m) => m.mountPath.replace(/\/+$/, ''));
      for (const [option, dir] of writtenDirs(prog, effectiveConfig(manifests, spec, container))) {
        const path = dir.replace(/\/+$/, '');
        if (!path.startsWith('/') || !writable.some((mp) => path === mp || path.startsWith(`${mp}/`))) {
          problems.push(`${where}/${container.name}: ${option} = ${dir} is on no writable volume (writable: ${writable.join(', ') || 'none'})`);
        }
      }
    }
  }
  return problems;
}
