#!/usr/bin/env node
/**
 * cdk8s-glance synth --from cr.yaml -o dist/
 *
 * Turns a glance-operator Glance CR (or an OpenStackControlPlane holding one) into manifests.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { join } from 'path';
import { App, Chart } from 'cdk8s';
import { ObjectNaming } from './common-props';
import { glanceSpecOf, servesHttps } from './custom-resource';
import { GlanceValidationError } from './errors';
import { Glance } from './glance';
import { ImageBackend } from './image-backend';
import { GlanceRelease } from './release';

const USAGE = `usage: cdk8s-glance synth --from <cr.yaml | -> [options]
       cdk8s-glance --version

  --from FILE                 Glance CR or OpenStackControlPlane YAML; "-" reads standard input (required)
  -o, --output DIR            where to write glance.k8s.yaml, created if missing (default: dist)
  --namespace NS              namespace of every object (default: the CR's metadata.namespace, else openstack)
  --database-secret NAME:KEY  Secret key with the database URL (default: glance-db:connection)
  --database-tls true|false   connect to the database over TLS, verifying it against the CR's CA bundle
                              (default: true when the CR gives a CA bundle, as a control plane always does)
  --keystone-url URL          Keystone URL for token checks (default: http://keystone-internal.<NS>.svc:5000;
                              https:// when the CR serves Glance over HTTPS, as pod-level TLS does)
  --keystone-public-url URL   Keystone URL for clients (default: --keystone-url)
  --keystone-registration true|false
                              register the keystoneEndpoint API in Keystone with a Job, as the operator
                              does, as the admin of the CR's Secret, key AdminPassword (default: true)
  --notifications-secret NAME[:KEY]
                              the Secret key with the transport URL of the CR's notifications bus (key
                              default: transport_url); needed when the CR has one
  --public-url URL            URL of the public endpoint Keystone lists; needed for a control plane whose
                              public endpoint is a Route (give the Route's https:// URL)
  --web-download-hosts H1,H2  offer web-download, as the operator's template does, fetching only from these
                              hosts (default: no web-download: the operator's filtering alone lets users
                              make Glance fetch in-cluster URLs)
  --allow-privileged-cinder true|false
                              deploy the CR's cinder store as the operator does: privileged API pods in the
                              node's PID namespace (default: false, such a CR is refused)
  --release NAME              OpenStack release of the image, e.g. antelope (default: antelope)
  --naming glance-operator|library
                              names of the StatefulSets and endpoint Services: the operator's, which keep
                              its Keystone catalog and claims, or the library's (default: glance-operator)
  --ceph-secret NAME          use Ceph RBD, with ceph.conf and keyring from this Secret
  --rbd-pool POOL             RBD pool (default: images)
  --rbd-user USER             Ceph user (default: openstack)
  --shared-claim NAME         file store on this existing ReadWriteMany claim
  --shared-storage-class SC   file store on a new ReadWriteMany claim of this class

The store can also come from the CR itself: customServiceConfig's enabled_backends, with an NFS
volume (file store) or the Ceph Secrets (rbd) in extraMounts. Exit status: 0 written, 1 invalid
input or a file error (nothing is written), 2 usage.
`;

/** Runs the CLI; returns the exit code. Output and errors go to the given streams. */
export function runCli(argv: string[], out: (text: string) => void = (t) => process.stdout.write(t),
  err: (text: string) => void = (t) => process.stderr.write(t), stdin: () => string = () => readFileSync(0, 'utf8')): number {
  try {
    const [command, ...rest] = argv;
    if (command === '--version' || command === '-V') {
      out(`cdk8s-glance ${packageVersion()}\n`);
      return 0;
    }
    if (command === '--help' || command === '-h' || (command === 'synth' && rest.some((a) => a === '--help' || a === '-h'))) {
      out(USAGE);
      return 0;
    }
    if (command === undefined) {
      err(USAGE);
      return 2;
    }
    if (command !== 'synth') throw new UsageError(`unknown command "${command}"`);
    const flags = parseFlags(rest);
    if (!flags.from) throw new UsageError('--from is required');
    const [dbName, dbKey] = splitSecretRef('--database-secret', flags['database-secret'] ?? 'glance-db:connection');
    const release = releaseOf(flags.release);
    const naming = namingOf(flags.naming);
    const databaseTls = booleanOf('--database-tls', flags['database-tls']);
    const keystoneRegistration = booleanOf('--keystone-registration', flags['keystone-registration']);
    const notifications = flags['notifications-secret'];
    // NAME alone: the TransportURL Secret's key.
    const [busName, busKey] = notifications === undefined ? []
      : splitSecretRef('--notifications-secret', notifications.includes(':') ? notifications : `${notifications}:transport_url`);
    const notificationsTransportUrlSecret = busName === undefined ? undefined : { name: busName, key: busKey! };
    const backend = backendOf(flags);
    // Every flag is checked before the file is read.
    const text = flags.from === '-' ? stdin() : readFileSync(flags.from, 'utf8');
    const located = glanceSpecOf(text);
    const namespace = flags.namespace ?? located.metadata.namespace ?? 'openstack';
    if (flags.namespace !== undefined && located.metadata.namespace !== undefined && flags.namespace !== located.metadata.namespace) {
      throw new GlanceValidationError('--namespace', flags.namespace, `differs from the CR's metadata.namespace ("${located.metadata.namespace}")`,
        'drop --namespace, or give the CR\'s namespace');
    }
    const options = {
      database: { connectionSecret: { name: dbName, key: dbKey }, tls: databaseTls },
      keystoneAuthUrl: flags['keystone-url'] ?? `${servesHttps(located) ? 'https' : 'http'}://keystone-internal.${namespace}.svc:5000`,
      keystonePublicAuthUrl: flags['keystone-public-url'],
      release,
      backend,
      keystoneRegistration,
      notificationsTransportUrlSecret,
      naming,
      publicUrl: flags['public-url'],
      webDownloadAllowedHosts: flags['web-download-hosts']?.split(',').map((host) => host.trim()),
      allowPrivilegedCinder: booleanOf('--allow-privileged-cinder', flags['allow-privileged-cinder']),
    };
    const outdir = flags.output ?? 'dist';
    const app = new App();
    const chart = new Chart(app, 'glance', { namespace });
    const glance = Glance.fromCustomResource(chart, 'glance', text, options);
    // Rendered in full before anything is written: a failure leaves no partial output.
    const yaml = app.synthYaml();
    mkdirSync(outdir, { recursive: true });
    const file = join(outdir, 'glance.k8s.yaml');
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, yaml);
    renameSync(temporary, file);
    out(`wrote ${file}: ${glance.apis.map((a) => `${a.statefulSetName} (${a.replicas} replicas)`).join(', ')}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`cdk8s-glance: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof GlanceValidationError) {
      err(`cdk8s-glance: ${e.message}\n`);
      return 1;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (/^E[A-Z]+$/.test(String(code))) {
      err(`cdk8s-glance: ${fileProblem(e as NodeJS.ErrnoException)}\n`);
      return 1;
    }
    throw e;
  }
}

/** A file error in words, with the path the user gave. */
function fileProblem(e: NodeJS.ErrnoException): string {
  const what: Record<string, string> = {
    ENOENT: 'does not exist',
    EISDIR: 'is a directory, not a file',
    EACCES: 'cannot be read or written (permission denied)',
    ENOTDIR: 'has a part that is a file, not a directory',
    EEXIST: 'exists and is not a directory',
    EROFS: 'is on a read-only file system',
  };
  return `${e.path ?? 'a file'} ${what[e.code!] ?? `failed: ${e.code}`}`;
}

function packageVersion(): string {
  const text = readFileSync(join(__dirname, '..', 'package.json'),
    // Stryker disable next-line StringLiteral: without the encoding readFileSync gives a Buffer, which JSON.parse reads as the same text
    'utf8');
  return JSON.parse(text).version;
}

class UsageError extends Error {}

const FLAGS = ['from', 'output', 'namespace', 'database-secret', 'database-tls', 'keystone-url', 'keystone-public-url', 'keystone-registration',
  'notifications-secret', 'public-url', 'web-download-hosts', 'release', 'naming', 'ceph-secret', 'rbd-pool', 'rbd-user', 'shared-claim',
  'shared-storage-class', 'allow-privileged-cinder'];

function parseFlags(args: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] === '-o' ? '--output' : args[i];
    // Stryker disable next-line ArrayDeclaration: any name in place of none is refused just the same, being no flag
    const [name, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s) : [];
    if (!FLAGS.includes(String(name))) throw new UsageError(`unknown option "${args[i]}"`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`${arg} needs a value`);
    flags[name] = value;
  }
  return flags;
}

function splitSecretRef(flag: string, value: string): [string, string] {
  const parts = value.split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new UsageError(`${flag} takes NAME:KEY, got "${value}"`);
  return [parts[0], parts[1]];
}

function booleanOf(flag: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw new UsageError(`${flag} takes true or false, got "${value}"`);
  return value === 'true';
}

function releaseOf(name: string | undefined): GlanceRelease | undefined {
  if (name === undefined) return undefined;
  try {
    return GlanceRelease.of(name);
  } catch {
    throw new UsageError(`--release "${name}" is not one of ${GlanceRelease.known.map((r) => r.codeName).join(', ')}, nor a release number such ` +
      'as 2025.1');
  }
}

function namingOf(value: string | undefined): ObjectNaming | undefined {
  if (value === undefined) return undefined;
  const naming = Object.values(ObjectNaming).find((n) => n === value);
  if (naming === undefined) throw new UsageError(`--naming takes ${Object.values(ObjectNaming).join(' or ')}, got "${value}"`);
  return naming;
}

function backendOf(flags: Record<string, string>): ImageBackend | undefined {
  const chosen = ['ceph-secret', 'shared-claim', 'shared-storage-class'].filter((f) => flags[f] !== undefined);
  if (chosen.length > 1) throw new UsageError(`--${chosen[0]} and --${chosen[1]} choose different stores; give one`);
  try {
    if (flags['ceph-secret']) return ImageBackend.rbd({ cephSecretName: flags['ceph-secret'], pool: flags['rbd-pool'], user: flags['rbd-user'] });
    if (flags['shared-claim']) return ImageBackend.file({ sharedStore: { existingClaimName: flags['shared-claim'] } });
    if (flags['shared-storage-class']) return ImageBackend.file({ sharedStore: { storageClass: flags['shared-storage-class'] } });
  } catch (e) {
    // A store factory names its option: the user wrote a flag.
    const flag = e instanceof GlanceValidationError ? STORE_FLAGS[e.prop.replace(/^ImageBackend\.\w+\(\)\.(sharedStore\.)?/, '')] : undefined;
    throw flag ? (e as GlanceValidationError).renamed(flag) : e;
  }
  return undefined;
}

/** The flag that sets each store option. */
const STORE_FLAGS: Record<string, string> = {
  cephSecretName: '--ceph-secret',
  pool: '--rbd-pool',
  user: '--rbd-user',
  existingClaimName: '--shared-claim',
  storageClass: '--shared-storage-class',
};

// Stryker disable all: runs only as the bin, which test/package runs from the packed tarball
if (require.main === module) {
  process.exitCode = runCli(process.argv.slice(2));
}
// Stryker restore all
