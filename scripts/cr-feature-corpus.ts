/**
 * How the real operator inputs import with the Keystone and notification features:
 *   npx ts-node scripts/cr-feature-corpus.ts [--mirrors DIR] [--kustomize PATH|none]
 *
 * Inputs: every YAML file stored at HEAD of the git mirrors (bare repositories under DIR, default
 * /work/.mirror: openstack-k8s-operators+{glance-operator,openstack-operator,architecture}/repo) that
 * holds a Glance, or an OpenStackControlPlane with a glance section; and, with a kustomize binary
 * (--kustomize, $KUSTOMIZE, `kustomize` on PATH or ~/go/bin/kustomize), every kustomization under
 * config/samples/ or examples/ whose rendering holds exactly one of them (the glance-operator's samples
 * that fetch an openstack-operator sample from GitHub read the mirror's copy instead; other remote
 * resources are not fetched, and those renderings are listed as failed).
 *
 * Each is read with Glance.fromCustomResource in a chart of its namespace (default "openstack"), with
 * the database Secret, https://keystone-internal.<ns>.svc:5000 and, where it has a notifications bus,
 * a transport URL Secret. Where the CR configures no store it is read on an rbd store ("rbd"; "as-is",
 * on the reader's default file store, is shown beside it); otherwise with its own store ("own").
 *
 * One line per input: its features (reg: the keystoneEndpoint API, quotas, ac: the application
 * credential's Secret, notif: the bus, memcached: memcachedInstance), the verdict (ACCEPTED with what
 * the registration Job and the API get, or REFUSED <prop>: <problem>), and where an accepted mapping
 * differs from what the operators deploy (MISMATCH, written from their code: glance-operator
 * internal/controller, api/v1beta1/glance_webhook.go; openstack-operator internal/openstack/glance.go,
 * applicationcredential.go, common.go). Totals at the end.
 */
import { execFile, execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { homedir, tmpdir } from 'os';
import { join, relative } from 'path';
import { promisify } from 'util';
import { App, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { Glance, ImageBackend } from '../lib';
import { GlanceValidationError } from '../lib/errors';

const REPOS = ['glance-operator', 'openstack-operator', 'architecture'];
const TRANSPORT_SECRET = { name: 'rabbitmq-transport-url-glance-glance-transport-00000000', key: 'transport_url' };
const AC_ENV = 'OS_KEYSTONE_AUTHTOKEN__APPLICATION_CREDENTIAL_ID';
const NOTIF_ENV = 'OS_OSLO_MESSAGING_NOTIFICATIONS__TRANSPORT_URL';

interface Input { readonly source: string; readonly origin: 'stored' | 'kuttl' | 'kustomize'; readonly cr: any }

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

const mirrors = arg('--mirrors') ?? '/work/.mirror';
const repoDir = (repo: string) => join(mirrors, `openstack-k8s-operators+${repo}`, 'repo');
const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-C', repoDir(repo), ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
const heads = Object.fromEntries(REPOS.map((repo) => [repo, git(repo, 'rev-parse', '--short=8', 'HEAD').trim()]));

/** The Glance resources of a YAML text: Glance CRs, and control planes with a glance section. */
function glanceDocs(text: string): any[] {
  let docs: any[];
  try {
    docs = parseAllDocuments(text).map((d) => d.toJS());
  } catch {
    return [];
  }
  return docs.filter((d) => d?.kind === 'Glance' || (d?.kind === 'OpenStackControlPlane' && d.spec?.glance && typeof d.spec.glance === 'object'));
}

function storedInputs(): Input[] {
  const inputs: Input[] = [];
  for (const repo of REPOS) {
    for (const path of git(repo, 'ls-tree', '-r', '--name-only', 'HEAD').split('\n').filter((p) => /\.ya?ml$/.test(p))) {
      const text = git(repo, 'show', `HEAD:${path}`);
      if (!/^kind:\s*(Glance|OpenStackControlPlane)\s*$/m.test(text)) continue;
      const docs = glanceDocs(text);
      docs.forEach((cr, i) => inputs.push({
        source: `${repo}@${heads[repo]}:${path}${docs.length > 1 ? `#${i + 1}` : ''}`,
        origin: path.includes('test/kuttl/') ? 'kuttl' : 'stored',
        cr,
      }));
    }
  }
  return inputs;
}

function kustomizeBinary(): string | undefined {
  const given = arg('--kustomize') ?? process.env.KUSTOMIZE;
  if (given === 'none') return undefined;
  if (given) return given;
  try {
    return execFileSync('which', ['kustomize'], { encoding: 'utf8' }).trim();
  } catch {
    const home = join(homedir(), 'go', 'bin', 'kustomize');
    return existsSync(home) ? home : undefined;
  }
}

function kustomizationDirs(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (['kustomization.yaml', 'kustomization.yml', 'Kustomization'].includes(entry)) found.push(dir);
    }
  };
  walk(root);
  return found.filter((dir) => /(^|\/)(config\/samples|examples)(\/|$)/.test(relative(root, dir)));
}

/** The renderings, and the directories that did not render. */
async function renderedInputs(kustomize: string): Promise<{ inputs: Input[]; failed: string[]; noGlance: number; several: string[] }> {
  const work = mkdtempSync(join(tmpdir(), 'cr-feature-corpus-'));
  try {
    for (const repo of REPOS) {
      execFileSync('sh', ['-c', 'mkdir -p "$2" && git -C "$1" archive HEAD | tar -x -C "$2"', 'sh', repoDir(repo), join(work, repo)]);
    }
    // The glance-operator's samples build on an openstack-operator sample fetched from GitHub's main: the mirror's copy instead.
    const remote = 'https://raw.githubusercontent.com/openstack-k8s-operators/openstack-operator/main/';
    for (const dir of kustomizationDirs(join(work, 'glance-operator'))) {
      const file = join(dir, 'kustomization.yaml');
      if (!existsSync(file)) continue;
      const text = readFileSync(file, 'utf8');
      if (text.includes(remote)) writeFileSync(file, text.split(remote).join(`${join(work, 'openstack-operator')}/`));
    }
    const dirs = REPOS.flatMap((repo) => kustomizationDirs(join(work, repo)).map((dir) => ({ repo, dir })));
    const run = promisify(execFile);
    const results: Array<{ repo: string; dir: string; out?: string }> = [];
    let next = 0;
    const worker = async () => {
      while (next < dirs.length) {
        const { repo, dir } = dirs[next++];
        try {
          const { stdout } = await run(kustomize, ['build', '--load-restrictor', 'LoadRestrictionsNone', dir], { maxBuffer: 256 * 1024 * 1024 });
          results.push({ repo, dir, out: stdout });
        } catch {
          results.push({ repo, dir });
        }
      }
    };
    await Promise.all([worker(), worker()]);
    const inputs: Input[] = [];
    const failed: string[] = [];
    const several: string[] = [];
    let noGlance = 0;
    for (const { repo, dir, out } of results.sort((a, b) => (a.dir < b.dir ? -1 : 1))) {
      const name = `${repo}@${heads[repo]}:${relative(join(work, repo), dir)} (kustomize)`;
      if (out === undefined) {
        failed.push(name);
        continue;
      }
      const docs = glanceDocs(out);
      if (docs.length === 0) noGlance++;
      else if (docs.length > 1) several.push(name);
      else inputs.push({ source: name, origin: 'kustomize', cr: docs[0] });
    }
    return { inputs, failed, noGlance, several };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// What the input asks for, read here from the CR (not through the library).

interface Features {
  readonly glanceName: string;
  readonly namespace: string;
  readonly keystoneEndpoint?: string;
  readonly quotas?: Record<string, number>;
  /** The AC Secret as the CR writes it; for a control plane, what openstack-operator gives every API. */
  readonly ac?: string;
  /** A control plane whose spec.applicationCredential and spec.glance.applicationCredential disagree. */
  readonly acHalf?: string;
  readonly bus?: { cluster: string; field: string };
  readonly memcached?: string;
  readonly controlPlane: boolean;
}

function templateOf(cr: any): any {
  return cr.kind === 'OpenStackControlPlane' ? cr.spec.glance.template ?? {} : cr.spec ?? {};
}

function apisOf(spec: any): Record<string, any> {
  const apis = spec.glanceAPIs;
  return apis && typeof apis === 'object' && Object.keys(apis).length ? apis : { default: {} };
}

function featuresOf(cr: any): Features {
  const plane = cr.kind === 'OpenStackControlPlane';
  const spec = templateOf(cr);
  const apis = apisOf(spec);
  const names = Object.keys(apis);
  const keystoneEndpoint = spec.keystoneEndpoint || (names.length === 1 ? names[0] : undefined);
  const q = spec.quotas ?? {};
  const quotaValues = {
    image_size_total: q.imageSizeTotal ?? 0,
    image_stage_total: q.imageStageTotal ?? 0,
    image_count_total: q.imageCountTotal ?? 0,
    image_count_uploading: q.imageCountUpload ?? 0,
  };
  const quotas = Object.values(quotaValues).some((v) => Number(v) > 0) ? quotaValues : undefined;
  let ac: string | undefined;
  let acHalf: string | undefined;
  const glanceName = plane ? cr.spec.glance.serviceName || 'glance' : cr.metadata?.name ?? 'glance';
  if (plane) {
    const global = cr.spec.applicationCredential?.enabled === true;
    const service = cr.spec.glance.applicationCredential?.enabled === true;
    if (global && service) ac = `ac-${glanceName}-secret`;
    else if (global || service) acHalf = global ? 'spec.applicationCredential only' : 'spec.glance.applicationCredential only';
  } else {
    ac = Object.values(apis).map((api: any) => api?.auth?.applicationCredentialSecret).find((s) => s);
  }
  const planeBus = plane ? cr.spec.notificationsBus?.cluster : undefined;
  const bus = spec.notificationsBus?.cluster ? { cluster: spec.notificationsBus.cluster, field: 'notificationsBus.cluster' }
    : spec.notificationBusInstance ? { cluster: spec.notificationBusInstance, field: 'notificationBusInstance' }
      : planeBus ? { cluster: planeBus, field: 'spec.notificationsBus.cluster' } : undefined;
  return {
    glanceName,
    namespace: cr.metadata?.namespace ?? 'openstack',
    keystoneEndpoint,
    quotas,
    ac,
    acHalf,
    bus,
    memcached: spec.memcachedInstance,
    controlPlane: plane,
  };
}

function describe(f: Features): string {
  return [
    `reg=${f.keystoneEndpoint ?? '?'}`,
    `quotas=${f.quotas ? Object.values(f.quotas).join('/') : '-'}`,
    `ac=${f.ac ?? (f.acHalf ? `off(${f.acHalf})` : '-')}`,
    `notif=${f.bus ? `${f.bus.cluster}(${f.bus.field})` : '-'}`,
    `memcached=${f.memcached ?? '-'}`,
  ].join(' ');
}

// ---------------------------------------------------------------------------------------------
// What the operators deploy for these features, from their code.

interface Expected {
  readonly internalUrl: string;
  /** The public URL, or a Route's (whose host the CR does not say). */
  readonly publicUrl: string;
  readonly limits?: string;
  readonly ac?: string;
  readonly notifications: boolean;
}

function expectedOf(cr: any, f: Features): Expected | undefined {
  if (!f.keystoneEndpoint) return undefined;
  const spec = templateOf(cr);
  const api = apisOf(spec)[f.keystoneEndpoint] ?? {};
  // glance-operator glanceapi_controller: Service glance-<api>-<endpoint> (glance.ServiceName is the constant "glance"),
  // https where the endpoint has TLS, the override's endpointURL where given.
  const url = (which: 'internal' | 'public', https: boolean) => api.override?.service?.[which]?.endpointURL
    ?? `${https ? 'https' : 'http'}://glance-${f.keystoneEndpoint}-${which}.${f.namespace}.svc:9292`;
  let internalUrl: string;
  let publicUrl: string;
  if (f.controlPlane) {
    // openstack-operator: pod-level TLS (default on) makes both Services https; the public endpoint is a Route
    // (common.go EnsureEndpointConfig) unless the Service is a LoadBalancer or the override names its URL.
    const podLevel = cr.spec.tls?.podLevel?.enabled !== false;
    internalUrl = url('internal', podLevel);
    const pub = api.override?.service?.public;
    publicUrl = pub?.endpointURL ?? (pub?.spec?.type === 'LoadBalancer' ? url('public', podLevel) : 'Route');
  } else {
    internalUrl = url('internal', Boolean(api.tls?.api?.internal?.secretName));
    publicUrl = url('public', Boolean(api.tls?.api?.public?.secretName));
  }
  // glance_controller ensureRegisteredLimits: all four, sorted by name, once any is above 0.
  const limits = f.quotas ? Object.entries(f.quotas).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(',') : undefined;
  // Notifications: glance-operator makes a TransportURL only for spec.notificationBusInstance (glance_controller.go);
  // openstack-operator moves the template's bus to notificationsBus.cluster and clears notificationBusInstance (glance.go).
  const notifications = !f.controlPlane && Boolean(spec.notificationBusInstance);
  const ac = f.controlPlane ? f.ac : api.auth?.applicationCredentialSecret || undefined;
  return { internalUrl, publicUrl, limits, ac, notifications };
}

// ---------------------------------------------------------------------------------------------

interface Outcome {
  readonly accepted: boolean;
  readonly text: string;
  readonly prop?: string;
  readonly problem?: string;
  readonly got?: {
    internalUrl?: string;
    publicUrl?: string;
    limits?: string;
    ac?: string;
    notifications: boolean;
    /** Whether any config holds memcached_servers, or operator template text ({{ ... }}). */
    memcached: boolean;
    templateText: boolean;
  };
}

function importOf(cr: any, f: Features, backend?: ImageBackend): Outcome {
  const chart = new Chart(new App(), 'glance', { namespace: f.namespace });
  try {
    Glance.fromCustomResource(chart, 'glance', cr, {
      database: { connectionSecret: { name: 'glance-db', key: 'connection' } },
      keystoneAuthUrl: `https://keystone-internal.${f.namespace}.svc:5000`,
      backend,
      ...(f.bus ? { notificationsTransportUrlSecret: TRANSPORT_SECRET } : {}),
    });
  } catch (e) {
    if (e instanceof GlanceValidationError) return { accepted: false, text: `REFUSED ${e.prop}: ${e.problem}`, prop: e.prop, problem: e.problem };
    throw e;
  }
  const m = Testing.synth(chart);
  const envOf = (c: any) => Object.fromEntries((c.env ?? []).map((v: any) => [v.name, v]));
  const job = m.find((o) => o.kind === 'Job' && o.metadata.labels?.['app.kubernetes.io/component'] === 'keystone-registration')
    ?? m.find((o) => o.kind === 'Job' && /-keystone-/.test(o.metadata.name));
  const jobEnv = job ? envOf(job.spec.template.spec.containers[0]) : {};
  const apiContainers = m.filter((o) => o.kind === 'StatefulSet').flatMap((s) => s.spec.template.spec.containers);
  const acSecrets = [...new Set(apiContainers.map((c) => envOf(c)[AC_ENV]?.valueFrom?.secretKeyRef?.name).filter((s) => s))];
  const notifications = apiContainers.some((c) => envOf(c)[NOTIF_ENV]);
  const configs = m.flatMap((o) => Object.values<any>(o.kind === 'Secret' || o.kind === 'ConfigMap' ? o.stringData ?? o.data ?? {} : {}))
    .map((v) => String(v));
  const got = {
    internalUrl: jobEnv.INTERNAL_URL?.value,
    publicUrl: jobEnv.PUBLIC_URL?.value,
    limits: jobEnv.REGISTERED_LIMITS?.value,
    ac: acSecrets.join('+') || undefined,
    notifications,
    memcached: configs.some((c) => /^memcached_servers\s*=/m.test(c)),
    templateText: configs.some((c) => /\{\{\s*\./.test(c)),
  };
  const text = `ACCEPTED INTERNAL_URL=${got.internalUrl ?? 'none'} PUBLIC_URL=${got.publicUrl ?? 'none'} `
    + `REGISTERED_LIMITS=${got.limits ?? 'none'} AC_ID=${got.ac ? `yes(${got.ac})` : 'no'} NOTIFICATIONS_URL=${notifications ? 'yes' : 'no'}`;
  return { accepted: true, text, got };
}

/** Whether the CR configures a store itself: the reader refuses a store option beside it. */
function configuresStore(cr: any, f: Features): boolean {
  if (/^\s*enabled_backends\s*=/m.test(String(templateOf(cr).customServiceConfig ?? ''))) return true;
  const probe = importOf(cr, f, ImageBackend.rbd({ cephSecretName: 'ceph-conf-files' }));
  return !probe.accepted && /and so does a store option/.test(probe.problem ?? '');
}

const sortedList = (list?: string) => (list ?? '').split(',').sort().join(',');

function mismatches(exp: Expected | undefined, got: NonNullable<Outcome['got']>, f: Features): string[] {
  if (!exp) return [];
  const out: string[] = [];
  if (got.internalUrl !== exp.internalUrl) out.push(`internal-url(operator ${exp.internalUrl})`);
  if (exp.publicUrl === 'Route') out.push('public-url(operator: the Route\'s URL)');
  else if (got.publicUrl !== exp.publicUrl) out.push(`public-url(operator ${exp.publicUrl})`);
  if (sortedList(got.limits) !== sortedList(exp.limits)) out.push(`limits(operator ${exp.limits ?? 'none'})`);
  if ((got.ac ?? '') !== (exp.ac ?? '')) out.push(`ac(operator ${exp.ac ?? 'none'})`);
  if (got.notifications !== exp.notifications) out.push(`notifications(operator ${exp.notifications ? 'messagingv2' : 'noop'})`);
  // glance-operator: [keystone_authtoken] memcached_servers from the Memcached memcachedInstance names (default "memcached").
  if (!got.memcached) out.push(`memcached(operator: the servers of Memcached ${f.memcached ?? 'memcached'})`);
  // The operator renders customServiceConfig as a Go template ({{ .ApplicationCredentialID }} and the like).
  if (got.templateText) out.push('template-text(operator: rendered)');
  return out;
}

/** Stable JSON of what the reader reads: the Glance spec and, for a control plane, the fields around it it reads. */
function specKey(cr: any): string {
  const sorted = (v: any): any => (Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object'
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v);
  const part = cr.kind === 'OpenStackControlPlane'
    ? { glance: cr.spec.glance, tls: cr.spec.tls, ac: cr.spec.applicationCredential, bus: cr.spec.notificationsBus, mounts: cr.spec.extraMounts }
    : { name: cr.metadata?.name, spec: cr.spec };
  return JSON.stringify(sorted({ kind: cr.kind, ns: cr.metadata?.namespace, ...part }));
}

function reasonOf(prop: string, problem: string): string {
  return `${prop.replace(/glanceAPIs\.[^.]+/, 'glanceAPIs.*')}: ${problem.replace(/\([^)]*\)/g, '').replace(/"[^"]*"/g, '"…"').slice(0, 90)}`;
}

async function main(): Promise<void> {
  const started = Date.now();
  process.emitWarning = () => undefined;
  const kustomize = kustomizeBinary();
  const inputs = storedInputs();
  let rendered: Awaited<ReturnType<typeof renderedInputs>> | undefined;
  if (kustomize) {
    rendered = await renderedInputs(kustomize);
    inputs.push(...rendered.inputs);
  }

  const features = ['registration', 'quotas', 'ac', 'notifications', 'memcachedInstance'] as const;
  const use = Object.fromEntries(features.map((k) => [k, { uses: 0, honoured: 0, asOperator: 0 }]));
  const refusals = new Map<string, number>();
  const mismatchCount = new Map<string, number>();
  const specs = new Set<string>();
  let accepted = 0;
  let asIsAccepted = 0;
  let rbdUsed = 0;
  for (const input of inputs) {
    const f = featuresOf(input.cr);
    specs.add(specKey(input.cr));
    const own = configuresStore(input.cr, f);
    const asIs = importOf(input.cr, f);
    const verdict = own ? asIs : importOf(input.cr, f, ImageBackend.rbd({ cephSecretName: 'ceph-conf-files' }));
    if (!own) rbdUsed++;
    if (asIs.accepted) asIsAccepted++;
    const exp = expectedOf(input.cr, f);
    const diffs = verdict.accepted ? mismatches(exp, verdict.got!, f) : [];
    let line = `${input.source}\t${describe(f)}\t${own ? 'own' : 'rbd'}\t${verdict.text}`;
    if (!own) line += `\tas-is: ${asIs.accepted ? 'ACCEPTED' : asIs.text}`;
    if (diffs.length) line += `\tMISMATCH ${diffs.join(' ')}`;
    console.log(line);

    if (verdict.accepted) accepted++;
    else refusals.set(reasonOf(verdict.prop!, verdict.problem!), (refusals.get(reasonOf(verdict.prop!, verdict.problem!)) ?? 0) + 1);
    for (const d of diffs) mismatchCount.set(d.replace(/\(.*$/, ''), (mismatchCount.get(d.replace(/\(.*$/, '')) ?? 0) + 1);
    const got = verdict.got;
    const count = (k: typeof features[number], uses: boolean, honoured: boolean, asOperator: boolean) => {
      if (!uses) return;
      use[k].uses++;
      if (verdict.accepted && honoured) use[k].honoured++;
      if (verdict.accepted && honoured && asOperator) use[k].asOperator++;
    };
    count('registration', true, Boolean(got?.internalUrl && got.publicUrl),
      !diffs.some((d) => d.startsWith('internal-url') || d.startsWith('public-url')));
    count('quotas', f.quotas !== undefined, Boolean(got?.limits), !diffs.some((d) => d.startsWith('limits')));
    count('ac', f.ac !== undefined, Boolean(got?.ac && got.ac === f.ac), !diffs.some((d) => d.startsWith('ac')));
    count('notifications', f.bus !== undefined, Boolean(got?.notifications), !diffs.some((d) => d.startsWith('notifications')));
    // Every input names a Memcached, "memcached" by default: the token cache of every accepted one is counted.
    count('memcachedInstance', true, Boolean(got?.memcached), !diffs.some((d) => d.startsWith('memcached')));
  }

  const origin = (o: Input['origin']) => inputs.filter((i) => i.origin === o).length;
  console.log('\n== totals');
  console.log(`inputs\t${inputs.length}\t(stored samples ${origin('stored')}, kuttl asserts/errors ${origin('kuttl')}, `
    + `kustomize renderings ${origin('kustomize')})`);
  console.log(`distinct Glance specs\t${specs.size}`);
  console.log(`accepted\t${accepted}\trefused\t${inputs.length - accepted}\t`
    + `(read on an rbd store: ${rbdUsed}; as-is on the default file store: ${asIsAccepted} accepted)`);
  console.log('refusals by reason:');
  for (const [reason, n] of [...refusals].sort((a, b) => b[1] - a[1])) console.log(`  ${n}\t${reason}`);
  console.log('feature\tinputs using it\timported with it honoured\tand as the operators deploy it');
  for (const k of features) console.log(`  ${k}\t${use[k].uses}\t${use[k].honoured}\t${use[k].asOperator}`);
  console.log('mismatches with the operators (accepted inputs; quorum queues not counted: the operator writes them when the TransportURL '
    + 'Secret says quorumqueues=true, which no CR field shows, and the reader never sets notifications.quorumQueues):');
  for (const [kind, n] of [...mismatchCount].sort((a, b) => b[1] - a[1])) console.log(`  ${n}\t${kind}`);
  if (rendered) {
    console.log(`kustomize (${kustomize}): ${rendered.inputs.length} renderings with one Glance, ${rendered.noGlance} without, `
      + `${rendered.several.length} with several, ${rendered.failed.length} failed:`);
    for (const name of rendered.failed.filter((n) => /glance|config\/samples\/(?!dataplane)/.test(n))) console.log(`  failed\t${name}`);
  } else {
    console.log('kustomize: not found; stored files only');
  }
  console.log(`run time\t${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
