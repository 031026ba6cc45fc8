/**
 * A pod sandbox: runs a container of a synthesized workload the way the kubelet would, on this
 * machine, without Kubernetes. Root only (it mounts tmpfs volumes and changes uid).
 *
 * - The container image is this machine's Debian root with Glance installed, read-only, laid out
 *   as the library's default image is: the glance user is uid/gid 42415 (see ContainerImage).
 * - The root filesystem is read-only (readOnlyRootFilesystem); a writable root is refused.
 * - Only the volumes the pod declares appear, at their mountPaths. Secret volumes are materialized
 *   from the synthesized Secrets (or test Secrets) with defaultMode, items and fsGroup ownership,
 *   laid out as the kubelet's atomic writer lays them out (`..data` -> a timestamped directory,
 *   each key a symlink through `..data`), and updated in place the same way (refreshSecretVolumes);
 *   a projected volume of Secrets is their files together (a path two sources share is an error).
 *   An emptyDir is a tmpfs of its sizeLimit that lives as long as the pod. A PersistentVolumeClaim
 *   is a tmpfs of the claim's request, mounted once per claim name, that outlives pods and is
 *   bound into every pod that uses it; an inline nfs volume likewise, once per server and path.
 *   A hostPath volume is this machine's path, bound read-only whatever the mount says (the
 *   sandbox never lets a pod change the machine; /dev keeps its devices), or an empty directory
 *   of the node for a DirectoryOrCreate path the machine lacks.
 * - The process runs as runAsUser/runAsGroup with fsGroup as supplementary group, no
 *   capabilities and no_new_privs, in its own PID, IPC and UTS namespaces (hostname = pod name).
 * - Env is built as the kubelet builds it: the image's env, then literal values, fieldRefs and
 *   secretKeyRefs in order, with $(VAR) expanded from earlier entries; command and args too.
 * - /etc/hosts is the kubelet's: localhost, the pod's own address, and the cluster's DNS names
 *   (every StatefulSet replica "<sts>-<N>.<sts>.<ns>.svc" and every Service), each replica on a
 *   loopback address of its own.
 *
 * - A pod's containers run side by side (spawn with `container`), sharing its volumes. Their stdout
 *   and stderr are pipes owned by root, as a container runtime's are (runc's, containerd's shim).
 *
 * What differs from a cluster: pods share the host's network namespace, so each API replica has a
 * distinct loopback address and its bind address is set to it (see the e2e overlay); seccomp is
 * not applied; a privileged container gets no capability (it runs as its user, without
 * no_new_privs when allowPrivilegeEscalation is not false).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import {
  chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync,
  writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { ceilFraction, parseQuantity } from '../../lib/quantity';
import { find, Manifest } from '../helpers';
import { expandKubeletVars } from '../kubelet-env';
import { HANG_GUARD_MS, hung } from '../waiting';

export { expandKubeletVars };

/** The uid and gid Glance runs as in the library's default image. */
export const IMAGE_GLANCE_UID = 42415;

/** The glance user's uid in a Debian root filesystem (64062 in the packages' postinst). */
function debianGlanceUid(imageRoot: string): number {
  const line = readFileSync(join(imageRoot, 'etc', 'passwd'), 'utf8').split('\n').find((l) => l.startsWith('glance:'));
  if (!line) throw new Error(`pod-sandbox: ${imageRoot} has no glance user: is Glance installed there?`);
  return Number(line.split(':')[2]);
}

/** The image's environment (a Debian image's PATH; HOME is / for a uid without a home). */
const IMAGE_ENV: Record<string, string> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/',
  LANG: 'C.UTF-8',
};

/** Test-provided Secret values (what the user creates in the cluster), by Secret name and key. */
export type SecretValues = Record<string, Record<string, string>>;

export interface RunOptions {
  /** The container to run. @default - the pod's first container */
  readonly container?: string;
  /** Extra files to add to a Secret volume as this pod sees it, by Secret name: the e2e overlay. */
  readonly secretOverlay?: (podName: string) => SecretValues;
  /** Runs this command in the container instead of its own, as `kubectl exec` would. @default - the container's */
  readonly exec?: string[];
  /**
   * Runs the container's own command with one program in it replaced (the argument equal to
   * `from` becomes `to`): a loader then gets the command's wrapper, environment and config
   * arguments exactly as the program would. @default - the container's command as it is
   */
  readonly replaceProgram?: { readonly from: string; readonly to: string[] };
  /** Called with the started process, to signal it mid-run. */
  readonly onSpawn?: (child: ChildProcess) => void;
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The container image: a Debian root filesystem with Glance installed (this machine's, or one
 * made by scripts/glance-rootfs.sh). Its /usr, and a copy of its /etc and of Glance's directories
 * under /var, with Glance's user remapped to uid/gid 42415 as in the default image (like
 * `RUN usermod -u 42415 glance` in a Dockerfile). Mount points are made in the copy, as a
 * container runtime makes them in the container's layer.
 */
class ContainerImage {
  private readonly layer: string;

  constructor(root: string, private readonly imageRoot: string) {
    const debianUid = debianGlanceUid(imageRoot);
    this.layer = join(root, 'image-layer');
    mkdirSync(join(this.layer, 'var', 'lib'), { recursive: true });
    mkdirSync(join(this.layer, 'var', 'log'), { recursive: true });
    mkdirSync(join(this.layer, 'var', 'tmp'), { recursive: true, mode: 0o1777 });
    execFileSync('cp', ['-a', join(imageRoot, 'etc'), join(this.layer, 'etc')]);
    for (const path of ['var/lib/glance', 'var/log/glance']) {
      if (!existsSync(join(imageRoot, path))) continue;
      const copy = join(this.layer, path);
      execFileSync('cp', ['-a', join(imageRoot, path), copy]);
      // The host's own glance-api state is no part of the image.
      if (path === 'var/lib/glance') for (const entry of readdirSync(copy)) rmSync(join(copy, entry), { recursive: true, force: true });
    }
    for (const top of ['etc', 'var']) {
      const dir = join(this.layer, top);
      execFileSync('find', [dir, '-uid', String(debianUid), '-exec', 'chown', '-h', String(IMAGE_GLANCE_UID), '{}', '+']);
      execFileSync('find', [dir, '-gid', String(debianUid), '-exec', 'chgrp', '-h', String(IMAGE_GLANCE_UID), '{}', '+']);
    }
    for (const file of ['passwd', 'group']) {
      const path = join(this.layer, 'etc', file);
      writeFileSync(path, readFileSync(path, 'utf8').replace(new RegExp(`^(glance:[^:]*:)${debianUid}:(${debianUid}:)?`, 'm'),
        (_m, head, gid) => `${head}${IMAGE_GLANCE_UID}:${gid ? `${IMAGE_GLANCE_UID}:` : ''}`));
    }
  }

  /** Read-only binds that make up the image, [host path, path in the container]. */
  public get binds(): Array<[string, string]> {
    return [[join(this.imageRoot, 'usr'), '/usr'], [join(this.layer, 'etc'), '/etc'], [join(this.layer, 'var'), '/var']];
  }

  /** Makes a mount point inside the image's layer; paths outside /etc and /var are made by bwrap. */
  public mountPoint(path: string): void {
    if (path.startsWith('/usr/')) throw new Error(`pod-sandbox: cannot mount over ${path} of the image`);
    if (path.startsWith('/etc/') || path.startsWith('/var/')) mkdirSync(join(this.layer, path), { recursive: true });
  }
}

/** A size in bytes from a Kubernetes quantity, as Kubernetes provisions it (the library's own parser). */
export function quantityBytes(quantity: string): bigint {
  const parsed = parseQuantity(quantity);
  if (!parsed) throw new Error(`pod-sandbox: ${quantity} is not a Kubernetes quantity`);
  return ceilFraction(parsed);
}

/** One node of a cluster: the claims, addresses and DNS names of the synthesized manifests. */
export class SandboxNode {
  public readonly root = mkdtempSync(join(tmpdir(), 'pod-sandbox-'));
  private readonly image: ContainerImage;
  private readonly mounts: string[] = [];
  private readonly claims = new Map<string, string>();
  private readonly hosts = new Map<string, string>();
  private readonly podAddresses = new Map<string, string>();
  private nextAddress = 1;
  private readonly configMaps: Record<string, Record<string, string>> = {};

  /**
   * @param manifests the synthesized objects
   * @param namespace the chart's namespace
   * @param secrets the Secrets the user creates (not synthesized), by name
   * @param extraHosts further DNS names, such as the database's, with their addresses
   */
  constructor(private manifests: Manifest[], public readonly namespace: string,
    private readonly secrets: SecretValues, extraHosts: Record<string, string> = {}, imageRoot = '/') {
    if (process.getuid?.() !== 0) throw new Error('pod-sandbox: needs root (tmpfs volumes, another uid)');
    if (!existsSync('/usr/bin/bwrap')) throw new Error('pod-sandbox: needs bubblewrap (apt-get install bubblewrap)');
    this.image = new ContainerImage(this.root, imageRoot);
    for (const sts of manifests.filter((m) => m.kind === 'StatefulSet')) {
      const name = sts.metadata.name;
      for (let replica = 0; replica < sts.spec.replicas; replica++) {
        const pod = `${name}-${replica}`;
        const address = `127.0.1.${this.nextAddress++}`;
        this.podAddresses.set(pod, address);
        this.addHost(address, `${pod}.${sts.spec.serviceName}`);
      }
    }
    // A Service's ClusterIP balances over its pods; here it is the first selected pod's address.
    for (const service of manifests.filter((m) => m.kind === 'Service' && m.spec.clusterIP !== 'None')) {
      const sts = manifests.find((m) => m.kind === 'StatefulSet' && Object.entries(service.spec.selector ?? {})
        .every(([k, v]) => m.spec.template.metadata.labels[k] === v));
      if (sts) this.addHost(this.podAddresses.get(`${sts.metadata.name}-0`)!, service.metadata.name);
    }
    for (const [name, address] of Object.entries(extraHosts)) this.hosts.set(name, address);
    writeFileSync(join(this.root, 'hosts'), this.hostsFile());
  }

  /**
   * Applies new manifests for the same objects, as `kubectl apply` of a new synthesis (a release
   * bump): claims, addresses and DNS names stay; pods started from now on use the new specs.
   */
  public apply(manifests: Manifest[]): void {
    this.manifests = manifests;
  }

  /** Replaces the data of a Secret the user created (`kubectl apply`); a pod sees it once its volumes are refreshed. */
  public setSecret(name: string, data: Record<string, string>): void {
    this.secrets[name] = data;
  }

  /** Creates or replaces a ConfigMap the user makes (`kubectl apply`); a pod sees a change once its volumes are refreshed. */
  public setConfigMap(name: string, data: Record<string, string>): void {
    this.configMaps[name] = data;
  }

  /** The loopback address of a StatefulSet pod. */
  public address(podName: string): string {
    const address = this.addressOf(podName);
    if (!address) throw new Error(`pod-sandbox: no pod ${podName}`);
    return address;
  }

  /** The pod's own address, for the pods that have one (StatefulSet replicas). */
  public addressOf(podName: string): string | undefined {
    return this.podAddresses.get(podName);
  }

  /** The host directory behind a claim (created on first use), to inspect it from the test. */
  public claimDir(claimName: string, request?: string): string {
    let dir = this.claims.get(claimName);
    if (!dir) {
      if (!request) throw new Error(`pod-sandbox: claim ${claimName} has not been bound yet`);
      dir = join(this.root, 'claims', claimName);
      this.tmpfs(dir, request, 0o755);
      this.claims.set(claimName, dir);
    }
    return dir;
  }

  /** A pod of a StatefulSet replica, of a Job, or of a CronJob's job template. */
  public pod(kind: 'StatefulSet' | 'Job' | 'CronJob', name: string, replica?: number): SandboxPod {
    const workload = find(this.manifests, kind, name);
    if (kind === 'StatefulSet') {
      if (replica === undefined || replica < 0 || replica >= workload.spec.replicas) {
        throw new Error(`pod-sandbox: ${name} has no replica ${replica}`);
      }
      const podName = `${name}-${replica}`;
      const claims = Object.fromEntries((workload.spec.volumeClaimTemplates ?? []).map((t: any) =>
        [t.metadata.name, { claimName: `${t.metadata.name}-${podName}`, request: t.spec.resources.requests.storage }]));
      return new SandboxPod(this, podName, workload.spec.template.spec, claims);
    }
    const template = kind === 'CronJob' ? workload.spec.jobTemplate.spec.template : workload.spec.template;
    return new SandboxPod(this, `${name}-${Math.random().toString(36).slice(2, 7)}`, template.spec, {});
  }

  /** Runs a command with the cluster's DNS names, as a client pod or an operator's shell would. */
  public clientArgs(): string[] {
    return ['--bind', '/', '/', '--dev-bind', '/dev', '/dev', '--proc', '/proc', '--ro-bind', join(this.root, 'hosts'), '/etc/hosts'];
  }

  /** bwrap arguments for a client of another root filesystem (an image's own tools), resolving the node's names. */
  public clientArgsIn(root: string): string[] {
    if (root === '/') return this.clientArgs();
    return ['--ro-bind', root, '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/root', '--ro-bind', join(this.root, 'hosts'),
      '/etc/hosts'];
  }

  /** Unmounts every volume and removes the node's files. */
  public destroy(): void {
    for (const mount of this.mounts.reverse()) {
      try { execFileSync('umount', ['-l', mount], { stdio: 'pipe' }); } catch { /* already gone */ }
    }
    rmSync(this.root, { recursive: true, force: true });
  }

  /** @internal a tmpfs of the given size at dir, mounted once. */
  public tmpfs(dir: string, size: string | undefined, mode: number): void {
    mkdirSync(dir, { recursive: true });
    const options = [`mode=${mode.toString(8)}`, ...(size ? [`size=${quantityBytes(size)}`] : [])].join(',');
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
    this.mounts.push(dir);
  }

  /** @internal a ConfigMap's data: the user's ConfigMaps first, then the synthesized ones. */
  public configMapData(name: string): Record<string, string> {
    if (this.configMaps[name]) return this.configMaps[name];
    const configMap = this.manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === name);
    if (!configMap) throw new Error(`pod-sandbox: ConfigMap ${name} is neither synthesized nor given by the test`);
    return { ...configMap.data };
  }

  /** @internal the value of a Secret key: the user's Secrets first, then the synthesized ones. */
  public secretData(name: string): Record<string, string> {
    if (this.secrets[name]) return this.secrets[name];
    const secret = this.manifests.find((m) => m.kind === 'Secret' && m.metadata.name === name);
    if (!secret) throw new Error(`pod-sandbox: Secret ${name} is neither synthesized nor given by the test`);
    return {
      ...secret.stringData,
      ...Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v),
        'base64').toString()])),
    };
  }

  /** The request of a synthesized claim; a user's own claim is bound by the test with claimDir(name, size). */
  public claimRequest(claimName: string): string | undefined {
    const pvc = this.manifests.find((m) => m.kind === 'PersistentVolumeClaim' && m.metadata.name === claimName);
    if (pvc) return pvc.spec.resources.requests.storage;
    for (const sts of this.manifests.filter((m) => m.kind === 'StatefulSet')) {
      for (const template of sts.spec.volumeClaimTemplates ?? []) {
        for (let replica = 0; replica < sts.spec.replicas; replica++) {
          if (`${template.metadata.name}-${sts.metadata.name}-${replica}` === claimName) return template.spec.resources.requests.storage;
        }
      }
    }
    return undefined;
  }

  /** @internal */
  public get containerImage(): ContainerImage { return this.image; }

  /** @internal */
  public hostsFileFor(podName: string): string {
    const own = this.podAddresses.get(podName);
    return `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${own ? `${own}\t${podName}\n` : ''}`
      + this.hostsFile().split('\n').filter((line) => !line.startsWith('127.0.0.1\tlocalhost')).join('\n');
  }

  private addHost(address: string, shortName: string): void {
    for (const suffix of ['', `.${this.namespace}`, `.${this.namespace}.svc`, `.${this.namespace}.svc.cluster.local`]) {
      this.hosts.set(`${shortName}${suffix}`, address);
    }
  }

  private hostsFile(): string {
    return ['127.0.0.1\tlocalhost', ...[...this.hosts].map(([name, address]) => `${address}\t${name}`), ''].join('\n');
  }
}

/** One pod: its volumes, materialized once, and the containers it runs. */
export class SandboxPod {
  private readonly volumeDirs = new Map<string, string>();
  /** The volumes the kubelet's atomic writer fills (Secrets and ConfigMaps, plain or projected), with what each projects. */
  private readonly writtenVolumes = new Map<string, { sources: string[]; overlay: RunOptions['secretOverlay'] }>();
  private readonly dir: string;

  constructor(private readonly node: SandboxNode, public readonly name: string, public readonly spec: any,
    private readonly claimTemplates: Record<string, { claimName: string; request: string }>) {
    this.dir = join(node.root, 'pods', name);
    mkdirSync(this.dir, { recursive: true });
  }

  /** The pod's address where it has one of its own. */
  public get address(): string | undefined {
    return this.node.addressOf(this.name);
  }

  /** The bwrap command line that runs one of the pod's containers. */
  public commandLine(options: RunOptions = {}): { args: string[]; env: Record<string, string> } {
    const spec = this.spec;
    // An init container by its name too: the kubelet runs them, each to completion, before the others.
    const container = options.container ? [...spec.initContainers ?? [], ...spec.containers].find((c: any) => c.name === options.container)
      : spec.containers[0];
    if (!container) throw new Error(`pod-sandbox: ${this.name} has no container ${options.container}`);
    const security = { ...spec.securityContext, ...container.securityContext };
    if (security.readOnlyRootFilesystem !== true) {
      throw new Error(`pod-sandbox: ${this.name}/${container.name} has a writable root filesystem, which the sandbox does not build`);
    }
    const uid = security.runAsUser;
    const gid = security.runAsGroup ?? uid;
    if (uid === undefined || uid === 0) throw new Error(`pod-sandbox: ${this.name}/${container.name} runs as root or an image-chosen user`);
    if (security.capabilities?.add?.length) throw new Error(`pod-sandbox: ${this.name}/${container.name} adds capabilities`);
    const fsGroup: number | undefined = spec.securityContext?.fsGroup;

    const args = ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--hostname', this.name, '--die-with-parent'];
    const image = this.node.containerImage;
    for (const [from, to] of image.binds) args.push('--ro-bind', from, to);
    for (const link of ['bin', 'sbin', 'lib', 'lib64']) args.push('--symlink', `usr/${link}`, `/${link}`);
    args.push('--proc', '/proc', '--dev', '/dev');
    const hosts = join(this.dir, 'etc-hosts');
    writeFileSync(hosts, this.node.hostsFileFor(this.name));
    args.push('--ro-bind', hosts, '/etc/hosts');
    for (const mount of container.volumeMounts ?? []) {
      const source = this.volume(mount.name, fsGroup, options);
      image.mountPoint(mount.mountPath);
      const hostPath = spec.volumes?.find((v: any) => v.name === mount.name)?.hostPath;
      // The machine's own paths are never writable from a pod here; /dev keeps its device nodes.
      const bind = hostPath ? (source === '/dev' ? '--dev-bind' : '--ro-bind') : mount.readOnly ? '--ro-bind' : '--bind';
      args.push(bind, mount.subPath ? join(source, mount.subPath) : source, mount.mountPath);
    }
    args.push('--remount-ro', '/', '--chdir', container.workingDir ?? '/', '--clearenv');

    const env: Record<string, string> = { ...IMAGE_ENV, HOSTNAME: this.name };
    for (const entry of container.env ?? []) env[entry.name] = this.envValue(entry, env);
    for (const [name, value] of Object.entries(env)) args.push('--setenv', name, value);

    if (!container.command?.length) throw new Error(`pod-sandbox: ${this.name}/${container.name} relies on the image's entrypoint`);
    const own = [...container.command, ...(container.args ?? [])].map((part: string) => expandKubeletVars(part, env));
    const swap = options.replaceProgram;
    if (swap && !own.includes(swap.from)) {
      throw new Error(`pod-sandbox: ${this.name}/${container.name} does not run ${swap.from}: ${JSON.stringify(own)}`);
    }
    const command = options.exec ?? (swap ? own.flatMap((part: string) => (part === swap.from ? swap.to : [part])) : own);
    const groups = [gid, ...(fsGroup !== undefined ? [fsGroup] : []), ...(spec.securityContext?.supplementalGroups ?? [])];
    args.push('--', '/usr/bin/setpriv', `--reuid=${uid}`, `--regid=${gid}`, `--groups=${[...new Set(groups)].join(',')}`,
      '--inh-caps=-all', '--bounding-set=-all', ...(security.allowPrivilegeEscalation === false ? ['--no-new-privs'] : []), '--', ...command);
    return { args, env };
  }

  /**
   * Starts a container in its own process group; stop it with kill(). Its stdout and stderr are
   * pipes, as a container runtime's are (node's own are sockets, which a program that opens
   * /proc/self/fd/2, such as httpd's `ErrorLog /proc/self/fd/2`, cannot open).
   */
  public spawn(options: RunOptions = {}): ChildProcess {
    const { args } = this.commandLine(options);
    return spawn('/bin/bash', ['-c', 'bwrap "$@" > >(exec cat) 2> >(exec cat >&2)', 'pod-sandbox', ...args],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin' } });
  }

  /**
   * Runs a container to completion, however long a busy machine makes that. One still running at
   * the hang guard is killed, and the run fails with its output's tail.
   */
  public async run(options: RunOptions = {}): Promise<RunResult> {
    const child = this.spawn(options);
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    let guarded = false;
    child.stdout!.on('data', (chunk) => { stdout += chunk; });
    child.stderr!.on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => { guarded = true; killGroup(child, 'SIGKILL'); }, HANG_GUARD_MS);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    clearTimeout(timer);
    if (guarded) throw hung(`pod ${this.name} ends (it was killed)`, HANG_GUARD_MS, () => `${stdout.slice(-1500)}\n${stderr.slice(-3000)}`);
    return { code, signal, stdout, stderr };
  }

  /** Ends the pod: its emptyDirs go, its claims stay. */
  public delete(): void {
    for (const [name, dir] of this.volumeDirs) {
      if (this.spec.volumes?.find((v: any) => v.name === name)?.emptyDir) {
        try { execFileSync('umount', ['-l', dir], { stdio: 'pipe' }); } catch { /* not mounted */ }
      }
    }
    this.volumeDirs.clear();
  }

  private envValue(entry: any, earlier: Record<string, string>): string {
    if (entry.value !== undefined) return expandKubeletVars(entry.value, earlier);
    const from = entry.valueFrom ?? {};
    if (from.fieldRef) {
      const fields: Record<string, string | undefined> = {
        'metadata.name': this.name,
        'metadata.namespace': this.node.namespace,
        'status.podIP': this.address ?? '127.0.0.1',
        'spec.nodeName': 'sandbox-node',
      };
      const value = fields[from.fieldRef.fieldPath];
      if (value === undefined) throw new Error(`pod-sandbox: unsupported fieldRef ${from.fieldRef.fieldPath}`);
      return value;
    }
    if (from.secretKeyRef) {
      const value = this.node.secretData(from.secretKeyRef.name)[from.secretKeyRef.key];
      if (value === undefined) {
        throw new Error(`pod-sandbox: Secret ${from.secretKeyRef.name} has no key ${from.secretKeyRef.key} (env ${entry.name})`);
      }
      return value;
    }
    throw new Error(`pod-sandbox: unsupported env source for ${entry.name}: ${JSON.stringify(from)}`);
  }

  /** Materializes a declared volume once per pod (claims once per node) and returns its host dir. */
  private volume(name: string, fsGroup: number | undefined, options: RunOptions): string {
    const existing = this.volumeDirs.get(name);
    if (existing) return existing;
    const declared = this.spec.volumes?.find((v: any) => v.name === name);
    let dir: string;
    // Secrets and ConfigMaps, plain or projected.
    const sources = declared ? projectedSources(declared) : undefined;
    if (sources) {
      dir = join(this.dir, 'volumes', name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o755);
      this.writtenVolumes.set(name, { sources: sources.map((source) => `${source.kind}/${source.name}`), overlay: options.secretOverlay });
      this.writeProjectedVolume(name, dir, fsGroup, options.secretOverlay);
    } else if (declared?.hostPath) {
      const { path, type } = declared.hostPath;
      if (existsSync(path)) {
        dir = path;
      } else if (type === 'DirectoryOrCreate') {
        dir = join(this.node.root, 'host', path);
        mkdirSync(dir, { recursive: true });
      } else {
        throw new Error(`pod-sandbox: ${this.name} mounts the node's ${path}, which this machine lacks`);
      }
    } else if (declared?.nfs) {
      // One export per server and path, shared by every pod; the kubelet applies no fsGroup to NFS,
      // so it stands for an export every user may write.
      dir = this.node.claimDir(`nfs-${declared.nfs.server}-${declared.nfs.path.replace(/\//g, '_')}`, '1Gi');
      chmodSync(dir, 0o1777);
    } else if (declared?.emptyDir) {
      dir = join(this.dir, 'volumes', name);
      this.node.tmpfs(dir, declared.emptyDir.sizeLimit, 0o777);
      this.applyFsGroup(dir, fsGroup);
    } else if (declared?.persistentVolumeClaim) {
      const claim = declared.persistentVolumeClaim.claimName;
      dir = this.node.claimDir(claim, this.node.claimRequest(claim));
      this.applyFsGroup(dir, fsGroup);
    } else if (!declared && this.claimTemplates[name]) {
      dir = this.node.claimDir(this.claimTemplates[name].claimName, this.claimTemplates[name].request);
      this.applyFsGroup(dir, fsGroup);
    } else {
      throw new Error(`pod-sandbox: ${this.name} mounts volume ${name}, which it does not declare (or of an unsupported kind)`);
    }
    this.volumeDirs.set(name, dir);
    return dir;
  }

  /**
   * Writes a Secret or ConfigMap volume's files as the kubelet's atomic writer does: into a new
   * timestamped directory `..<time>`, then `..data` is switched to it by renaming a `..data_tmp`
   * symlink over it (atomic), and each top-level path of the volume is a symlink
   * `<path> -> ..data/<path>`; the old directory goes. A reader sees the old set or the new set,
   * never a mix. The overlay replaces Secret keys only.
   */
  private writeProjectedVolume(name: string, dir: string, fsGroup: number | undefined, overlay: RunOptions['secretOverlay']): void {
    const declared = this.spec.volumes.find((v: any) => v.name === name);
    const sources = projectedSources(declared)!;
    const defaultMode = (declared.secret ?? declared.configMap ?? declared.projected).defaultMode ?? 0o644;
    const stamp = new Date().toISOString().replace(/[-T:]/g, '_').replace(/\.(\d+)Z$/, '.$1') + Math.random().toString().slice(2, 8);
    const fresh = `..${stamp}`;
    const previous = existsSync(join(dir, '..data')) ? readlinkSync(join(dir, '..data')) : undefined;
    mkdirSync(join(dir, fresh));
    chmodSync(join(dir, fresh), 0o755);
    const written = new Set<string>();
    for (const source of sources) {
      const data = source.kind === 'secret'
        ? { ...this.node.secretData(source.name), ...overlay?.(this.name)[source.name] }
        : this.node.configMapData(source.name);
      const items: Array<{ key: string; path: string; mode?: number }> = source.items ?? Object.keys(data).map((key) => ({ key, path: key }));
      for (const item of items) {
        if (data[item.key] === undefined) throw new Error(`pod-sandbox: ${source.kind} ${source.name} has no key ${item.key}`);
        if (written.has(item.path)) throw new Error(`pod-sandbox: volume ${name} of ${this.name} gets ${item.path} from two sources`);
        written.add(item.path);
        const file = join(dir, fresh, item.path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, data[item.key]);
        chownSync(file, 0, fsGroup ?? 0);
        chmodSync(file, item.mode ?? defaultMode);
      }
    }
    rmSync(join(dir, '..data_tmp'), { force: true });
    symlinkSync(fresh, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    const tops = new Set([...written].map((path) => path.split('/')[0]));
    for (const top of tops) {
      if (!existsSync(join(dir, top))) symlinkSync(join('..data', top), join(dir, top));
    }
    // As the kubelet's atomic writer, last: the links of paths the new payload no longer has go.
    for (const entry of readdirSync(dir)) {
      if (!entry.startsWith('..') && !tops.has(entry)) rmSync(join(dir, entry), { force: true });
    }
    if (previous) rmSync(join(dir, previous), { recursive: true, force: true });
  }

  /**
   * Updates every volume of this pod that projects the Secret `secretName`, as the kubelet does
   * when it changes (see writeProjectedVolume): running containers see the new files at once.
   */
  public refreshSecretVolumes(secretName: string): string[] {
    return this.refreshVolumes(`secret/${secretName}`);
  }

  /** As refreshSecretVolumes, for the volumes that project the ConfigMap `configMapName`. */
  public refreshConfigMapVolumes(configMapName: string): string[] {
    return this.refreshVolumes(`configMap/${configMapName}`);
  }

  private refreshVolumes(source: string): string[] {
    const refreshed: string[] = [];
    for (const [name, volume] of this.writtenVolumes) {
      if (!volume.sources.includes(source)) continue;
      this.writeProjectedVolume(name, this.volumeDirs.get(name)!, this.spec.securityContext?.fsGroup, volume.overlay);
      refreshed.push(name);
    }
    return refreshed;
  }

  /** fsGroup ownership as the kubelet applies it with fsGroupChangePolicy OnRootMismatch. */
  private applyFsGroup(dir: string, fsGroup: number | undefined): void {
    if (fsGroup === undefined) return;
    const stat = statSync(dir);
    // OnRootMismatch: the root already has the group, group rwx and setgid.
    const mode = stat.mode % 0o10000;
    if (stat.gid === fsGroup && Math.floor(mode / 0o2000) % 2 === 1 && Math.floor(mode / 0o10) % 8 === 7) return;
    execFileSync('chgrp', ['-R', String(fsGroup), dir]);
    execFileSync('chmod', ['-R', 'g+rwX', dir]);
    execFileSync('find', [dir, '-type', 'd', '-exec', 'chmod', 'g+s', '{}', '+']);
  }
}

/** What a Secret, ConfigMap or projected volume holds: each source's kind, name and items; undefined for other volumes. */
type VolumeSource = { kind: 'secret' | 'configMap'; name: string; items?: Array<{ key: string; path: string; mode?: number }> };
function projectedSources(declared: any): VolumeSource[] | undefined {
  if (declared.secret) return [{ kind: 'secret', name: declared.secret.secretName, items: declared.secret.items }];
  if (declared.configMap) return [{ kind: 'configMap', name: declared.configMap.name, items: declared.configMap.items }];
  return declared.projected?.sources.map((source: any) => {
    const kind = Object.keys(source)[0];
    if (Object.keys(source).length !== 1 || (kind !== 'secret' && kind !== 'configMap')) {
      throw new Error(`pod-sandbox: a volume projects ${JSON.stringify(source)}, which the sandbox does not support`);
    }
    return { kind, name: source[kind].name, items: source[kind].items };
  });
}

/**
 * The command that shows how a ConfigMap volume at `dir` looks from inside a container: `key`'s link, `..data`'s,
 * the file's mode and owners, the entries.
 */
export function configMapVolumeCommand(dir: string, key: string): string[] {
  return ['/bin/sh', '-c', `cd ${dir} && readlink ${key} ..data && stat -L -c "%a %u %g" ${key} && ls -A | tr "\\n" " "`];
}

/**
 * configMapVolumeCommand's output, the kubelet's timestamped directory (`..2026_12_06_05_40_01.123456789`) as
 * `..<timestamp>`: equal to configMapVolumeLayout(keys) on a real kubelet (the cluster tier) and in the pod sandbox (the e2e).
 */
export function configMapVolumeLayoutOf(stdout: string): object {
  const [link, data, mode, listing] = stdout.trim().split('\n');
  const stamp = (name: string) => (/^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+$/.test(name) ? '..<timestamp>' : name);
  return { link, data: stamp(data ?? ''), mode, entries: (listing ?? '').trim().split(/\s+/).map(stamp).sort() };
}

/** A ConfigMap volume of `keys` as the kubelet writes it for our pods (defaultMode 0644, fsGroup 42415), the first key's link shown. */
export function configMapVolumeLayout(keys: string[]): object {
  return { link: `..data/${keys[0]}`, data: '..<timestamp>', mode: '644 0 42415', entries: ['..<timestamp>', '..data', ...keys].sort() };
}

/** Signals a process started by SandboxPod.spawn and everything in its pod. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid) return;
  try { process.kill(-child.pid, signal); } catch { /* already gone */ }
}
