#!/usr/bin/env node
/**
 * cdk8s-glance synth --from cr.yaml -o dist/
 *
 * Turns a glance-operator Glance CR (or an OpenStackControlPlane holding one) into manifests.
 */
import { readFileSync } from 'fs';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { glancePropsFromCustomResource } from './custom-resource';
import { GlanceValidationError } from './errors';
import { Glance } from './glance';
import { ImageBackend } from './image-backend';
import { GlanceRelease } from './types';

const USAGE = `usage: cdk8s-glance synth --from <cr.yaml> [options]

  --from FILE                 Glance CR or OpenStackControlPlane YAML (required)
  -o, --output DIR            where to write glance.k8s.yaml (default: dist)
  --namespace NS              namespace of every object (default: openstack)
  --database-secret NAME:KEY  Secret key with the database URL (default: glance-db:connection)
  --keystone-url URL          Keystone URL for token checks (default: http://keystone-internal.<NS>.svc:5000)
  --keystone-public-url URL   Keystone URL for clients (default: --keystone-url)
  --release NAME              OpenStack release of the image, e.g. antelope (default: antelope)
  --ceph-secret NAME          use Ceph RBD, with ceph.conf and keyring from this Secret
  --rbd-pool POOL             RBD pool (default: images)
  --rbd-user USER             Ceph user (default: openstack)
  --shared-claim NAME         file store on this existing ReadWriteMany claim
  --shared-storage-class SC   file store on a new ReadWriteMany claim of this class
`;

/** Runs the CLI; returns the exit code. Output and errors go to the given streams. */
export function runCli(argv: string[], out: (text: string) => void = (t) => process.stdout.write(t),
  err: (text: string) => void = (t) => process.stderr.write(t)): number {
  try {
    const [command, ...rest] = argv;
    if (command === '--help' || command === '-h' || command === undefined) {
      out(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command !== 'synth') throw new UsageError(`unknown command "${command}"`);
    const flags = parseFlags(rest);
    if (!flags.from) throw new UsageError('--from is required');
    const namespace = flags.namespace ?? 'openstack';
    const [dbName, dbKey] = splitSecretRef('--database-secret', flags['database-secret'] ?? 'glance-db:connection');
    // Every flag is checked before the file is read.
    const options = {
      database: { connectionSecret: { name: dbName, key: dbKey } },
      keystoneAuthUrl: flags['keystone-url'] ?? `http://keystone-internal.${namespace}.svc:5000`,
      keystonePublicAuthUrl: flags['keystone-public-url'],
      release: releaseOf(flags.release),
      backend: backendOf(flags),
    };
    const props = glancePropsFromCustomResource(readFileSync(flags.from, 'utf8'), options);
    const outdir = flags.output ?? 'dist';
    const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
    const chart = new Chart(app, 'glance', { namespace });
    const glance = new Glance(chart, 'glance', props);
    app.synth();
    out(`wrote ${outdir}/glance.k8s.yaml: ${glance.apis.map((a) => `${a.statefulSetName} (${a.replicas} replicas)`).join(', ')}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`cdk8s-glance: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof GlanceValidationError || (e as NodeJS.ErrnoException).code === 'ENOENT') {
      err(`cdk8s-glance: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}

class UsageError extends Error {}

const FLAGS = ['from', 'output', 'namespace', 'database-secret', 'keystone-url', 'keystone-public-url', 'release',
  'ceph-secret', 'rbd-pool', 'rbd-user', 'shared-claim', 'shared-storage-class'];

function parseFlags(args: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] === '-o' ? '--output' : args[i];
    const [name, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s) : [undefined, undefined];
    if (!name || !FLAGS.includes(name)) throw new UsageError(`unknown option "${args[i]}"`);
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

function releaseOf(name: string | undefined): GlanceRelease | undefined {
  if (name === undefined) return undefined;
  try {
    return GlanceRelease.of(name);
  } catch {
    throw new UsageError(`--release "${name}" is not one of ${GlanceRelease.known.map((r) => r.codeName).join(', ')}, nor a release number such as 2025.1`);
  }
}

function backendOf(flags: Record<string, string>): ImageBackend | undefined {
  const chosen = ['ceph-secret', 'shared-claim', 'shared-storage-class'].filter((f) => flags[f] !== undefined);
  if (chosen.length > 1) throw new UsageError(`--${chosen[0]} and --${chosen[1]} choose different stores; give one`);
  if (flags['ceph-secret']) return ImageBackend.rbd({ cephSecretName: flags['ceph-secret'], pool: flags['rbd-pool'], user: flags['rbd-user'] });
  if (flags['shared-claim']) return ImageBackend.file({ sharedStore: { existingClaimName: flags['shared-claim'] } });
  if (flags['shared-storage-class']) return ImageBackend.file({ sharedStore: { storageClass: flags['shared-storage-class'] } });
  return undefined;
}

if (require.main === module) {
  process.exitCode = runCli(process.argv.slice(2));
}
