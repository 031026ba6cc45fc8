/**
 * The test cluster as the tests see it: kubectl through scripts/cluster/kubectl (inside the
 * cluster's network namespace), applies that report Kubernetes' warnings, waits that end only at
 * the hang guard, and the host's view of the static local volumes behind claims.
 */
import { execFile, execFileSync } from 'child_process';
import { existsSync, readdirSync, statSync } from 'fs';
import { join } from 'path';
import { promisify } from 'util';
import { parseAllDocuments } from 'yaml';
import { HANG_GUARD_SECONDS, until } from '../waiting';

const execFileAsync = promisify(execFile);
const SCRIPTS = join(__dirname, '..', '..', 'scripts', 'cluster');
const KUBECTL = join(SCRIPTS, 'kubectl');

/** A setting of scripts/cluster/config.sh. */
export function clusterConfig(name: string): string {
  return execFileSync('bash', ['-c', `source "${join(SCRIPTS, 'config.sh')}" && printf %s "\${${name}}"`], { encoding: 'utf8' });
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** kubectl with these arguments; never throws (the result says how it ended). */
export async function kubectl(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(KUBECTL, args, { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

/** kubectl that must succeed: its stdout, or an error with everything it printed. */
export async function kubectlOk(args: string[], input?: string): Promise<string> {
  const run = await kubectl(args, input);
  if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${run.code}:\n${run.stderr}${run.stdout}`);
  return run.stdout;
}

/** The objects of a YAML stream, and the stream of objects. */
export function parseYaml(text: string): any[] {
  return parseAllDocuments(text).map((d) => d.toJSON()).filter((o) => o);
}
export function toYaml(objects: any[]): string {
  // JSON is YAML: one document per object.
  return objects.map((o) => JSON.stringify(o)).join('\n---\n');
}

/** The warnings Kubernetes printed (Pod Security's "would violate" among them). */
export function warnings(run: Run): string[] {
  return run.stderr.split('\n').filter((line) => line.startsWith('Warning:'));
}

/** `kubectl apply -f -` as a user runs it, or its server-side dry run. */
export async function apply(objects: any[], options: { dryRun?: boolean } = {}): Promise<Run> {
  return kubectl(['apply', ...(options.dryRun ? ['--dry-run=server'] : []), '-f', '-'], toYaml(objects));
}

/** Applies what must be admitted whole and without a warning: dry run, then apply. */
export async function applyClean(objects: any[]): Promise<void> {
  for (const dryRun of [true, false]) {
    const run = await apply(objects, { dryRun });
    if (run.code !== 0 || warnings(run).length) {
      throw new Error(`kubectl apply${dryRun ? ' --dry-run=server' : ''} exited ${run.code} with ${warnings(run).length} warning(s):\n${run.stderr}`);
    }
  }
}

export async function get(kind: string, name: string, namespace?: string): Promise<any | undefined> {
  const run = await kubectl(['get', kind, name, '-o', 'json', ...(namespace ? ['-n', namespace] : [])]);
  return run.code === 0 ? JSON.parse(run.stdout) : undefined;
}

export async function list(kind: string, namespace: string, selector?: string): Promise<any[]> {
  return JSON.parse(await kubectlOk(['get', kind, '-n', namespace, '-o', 'json', ...(selector ? ['-l', selector] : [])])).items;
}

/** Waits until a StatefulSet has every replica Ready with its current template. */
export async function rolledOut(statefulSet: string, namespace: string): Promise<void> {
  await kubectlOk(['rollout', 'status', `statefulset/${statefulSet}`, '-n', namespace, `--timeout=${HANG_GUARD_SECONDS}s`]);
}

/** Waits until a Job completes; fails as soon as it fails. */
export async function jobComplete(job: string, namespace: string): Promise<void> {
  await until(`Job ${job} completes`, async () => {
    const status = (await get('job', job, namespace))?.status ?? {};
    const failed = (status.conditions ?? []).find((c: any) => c.type === 'Failed' && c.status === 'True');
    if (failed) throw new Error(`Job ${job} failed: ${failed.reason} ${failed.message}\n${await logs(`job/${job}`, namespace)}`);
    return (status.conditions ?? []).some((c: any) => c.type === 'Complete' && c.status === 'True');
  }, { everyMs: 1000 });
}

export async function logs(what: string, namespace: string): Promise<string> {
  const run = await kubectl(['logs', what, '-n', namespace, '--all-containers', '--tail=60']);
  return run.stdout + run.stderr;
}

/** Waits until a pod is Ready. */
export async function podReady(pod: string, namespace: string): Promise<void> {
  await kubectlOk(['wait', `pod/${pod}`, '-n', namespace, '--for=condition=Ready', `--timeout=${HANG_GUARD_SECONDS}s`]);
}

/** Runs a command in a pod's first container. */
export async function exec(pod: string, namespace: string, command: string[]): Promise<Run> {
  return kubectl(['exec', pod, '-n', namespace, '--', ...command]);
}

/** The events of one object (of its current incarnation: by uid, when it exists), as "Reason: message". */
export async function eventsOf(kind: string, name: string, namespace: string): Promise<string[]> {
  const uid = (await get(kind, name, namespace))?.metadata.uid;
  const items = await list('events', namespace);
  return items.filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name && (!uid || e.involvedObject.uid === uid))
    .map((e) => `${e.reason}: ${e.message}`);
}

/** The host folder of the static local volume bound to a claim. */
export async function claimFolder(claim: string, namespace: string): Promise<string> {
  const pvc = await get('pvc', claim, namespace);
  if (pvc?.status?.phase !== 'Bound') throw new Error(`claim ${claim} is not bound: ${JSON.stringify(pvc?.status)}`);
  const pv = await get('pv', pvc.spec.volumeName);
  return pv.spec.local.path;
}

/** Files directly in a folder (not subfolders), with sizes. */
export function filesIn(folder: string): Record<string, number> {
  if (!existsSync(folder)) return {};
  return Object.fromEntries(readdirSync(folder).filter((name) => statSync(join(folder, name)).isFile())
    .map((name) => [name, statSync(join(folder, name)).size]));
}

/**
 * Deletes what a YAML stream created, the claims of its StatefulSets, and makes their static
 * local volumes available again: emptied and unbound, as a local volume provisioner would.
 */
export async function remove(objects: any[], namespace: string): Promise<void> {
  // Foreground: returns once the pods of its workloads are gone too, and their CPU free for the next.
  await kubectl(['delete', '--ignore-not-found', '--wait=true', '--cascade=foreground', '-f', '-'], toYaml(objects));
  const statefulSets = objects.filter((o) => o.kind === 'StatefulSet');
  const claims = (await list('pvc', namespace)).filter((pvc) => statefulSets.some((sts) =>
    (sts.spec.volumeClaimTemplates ?? []).some((t: any) => pvc.metadata.name.startsWith(`${t.metadata.name}-${sts.metadata.name}-`))));
  if (claims.length) await kubectlOk(['delete', 'pvc', '-n', namespace, '--wait=true', ...claims.map((c) => c.metadata.name)]);
  await recycleVolumes();
}

/** Released static local volumes: emptied and unbound (scripts/cluster/recycle-pvs.sh). */
export async function recycleVolumes(): Promise<void> {
  await execFileAsync('bash', [join(SCRIPTS, 'recycle-pvs.sh')]);
}

/** Tags an image already in the cluster's containerd under a second name: a "new version" with the same content. */
export function tagImage(source: string, target: string): void {
  const sock = clusterConfig('CONTAINERD_SOCK');
  const namespace = clusterConfig('CONTAINERD_NAMESPACE');
  execFileSync('ctr', ['-a', sock, '-n', namespace, 'images', 'tag', '--force', source, target], { stdio: 'pipe' });
}

