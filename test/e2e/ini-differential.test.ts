/**
 * The config guard reads customServiceConfig exactly as oslo.config does: a differential test
 * against the real oslo.config (9.0.0 with Glance 25.1.0 on bookworm, 9.7.1 with Glance 30.0.0 on
 * trixie), over texts generated from the pieces attacks use (line ends oslo.config and JavaScript
 * disagree on, Unicode white space, indented comments, quotes, case and '-' variants of the
 * options the library manages).
 *
 * (a) Every text goes through parseIni and through oslo.config's own parser (ConfigParser and
 *     the _Namespace it fills, reading a real file as every --config-file is read): what
 *     oslo.config refuses, parseIni refuses; what parseIni accepts, oslo.config reads with the
 *     same sections, keys and values, assignment by assignment.
 * (b) Every text the full guard (checkCustomServiceConfig) accepts is loaded as 50-custom.conf
 *     beside the generated config by Glance's own loader (glance.common.config.parse_args with
 *     the API container's own arguments, read from the StatefulSet) in the API pod's sandbox:
 *     every managed option the generated config sets, the paste flavor, the policy file, the
 *     import methods, the image-location options, Keystone's URLs and the policy enforcement
 *     are what the library set.
 *
 * One Python process per layer reads every text. In (b) the test rewrites 50-custom.conf in the
 * pod's config volume between texts (the file Glance reads, at its path, with the container's
 * arguments: nothing about the loading differs from the pod's) and the process parses again.
 *
 * INI_DIFF_RUNS sets the number of texts (2000); FUZZ_SEED=random explores, FUZZ_SEED=<n> replays.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { createInterface } from 'readline';
import * as fc from 'fast-check';
import { checkCustomServiceConfig, checkIniAssignments } from '../../lib/config-guard';
import { configSecretsRules } from '../../lib/config-secrets';
import { GlanceValidationError } from '../../lib/errors';
import * as ini from '../../lib/ini';
import { resolveCommonProps } from '../../lib/service-config';
import { BASE_PROPS, find, Manifest, parseIniText, synthGlance } from '../helpers';
import { GLANCE_IMAGES, GlanceImage, requireRealGlance } from './sandboxed-glance';
import { killGroup, SandboxNode } from '../sandbox/pod-sandbox';
import { HANG_GUARD_MS, hung } from '../waiting';

const RUNS = Number(process.env.INI_DIFF_RUNS ?? 2000);
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 20261125);
const HARNESS = join(__dirname, 'oslo-ini-harness.py');
const GUARD = join(__dirname, '..', '..', 'lib', 'glance-config-secrets.py');

// ---- The pieces texts are made of -------------------------------------------------------------

/** Characters that end a line, or look like it, for one reader or the other. */
const NEWLINES = ['\r\n', '\r', '\v', '\f', '\x1c', '\x1d', '\x1e', '\x85', '\u2028', '\u2029'];
/** White space: JavaScript's, Python's, both, or neither. */
const SPACES = [' ', '\t', '\v', '\f', '\u00a0', '\u1680', '\u2000', '\u2007', '\u200a', '\u202f', '\u205f', '\u3000',
  '\x1c', '\x1f', '\x85', '\u2028', '\ufeff', '\u200b', '\0', '\x01', '\x7f'];
const GROUPS = ['DEFAULT', 'default', 'Default', 'paste_deploy', 'Paste_Deploy', 'PASTE_DEPLOY', 'oslo_policy', 'OSLO_POLICY',
  'keystone_authtoken', 'Keystone_AuthToken', 'database', 'glance_store', 'default_backend', 'paste-deploy', 'oslo_concurrency'];
const OPTIONS = ['flavor', 'policy_file', 'connection', 'password', 'auth_url', 'www_authenticate_uri', 'image_cache_dir',
  'enabled_import_methods', 'show_image_direct_url', 'show_multiple_locations', 'enforce_new_defaults', 'enforce_scope',
  'sql_connection', 'debug', 'workers', 'lock_path', 'x'];
const VALUES = ['caching', 'keystone', 'noauth', '"caching"', '\'caching\'', '"', '\'', '"a\'', '""', 'a b', 'true', 'false',
  '[web-download]', 'web-download,glance-direct', '/tmp/p.yaml', 'http://evil.example:5000', '$x', '${keystone_authtoken.password}',
  '$$', '# not a comment', '; nor this', '=', ':', 'a = b', '[paste_deploy]', 'é\u00a0ü', ''];

const pick = <T>(items: T[]) => fc.constantFrom(...items);

/** Texts whose pieces are plain, or odd one time in `odds`. */
function textsWith(odds: number): fc.Arbitrary<string> {
  const mostly = <T>(plain: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) => odds === 0 ? plain
    : fc.oneof({ weight: odds - 1, arbitrary: plain }, { weight: 1, arbitrary: odd });
  const space = mostly(fc.constantFrom('', '', '', ' ', '\t'), pick(SPACES));
  const newline = mostly(fc.constant('\n'), pick(NEWLINES));
  const group = mostly(pick(GROUPS), fc.constantFrom('', 'a b', '[x', 'x]', 'DEFAULT\u00a0', ' DEFAULT ', 'x\ty'));
  const option = fc.tuple(pick(OPTIONS), fc.constantFrom('as is', 'as is', 'as is', 'upper', 'dashed', 'title'))
    .map(([name, variant]) => variant === 'upper' ? name.toUpperCase() : variant === 'dashed' ? name.replace(/_/g, '-')
      : variant === 'title' ? name[0].toUpperCase() + name.slice(1) : name);
  const separator = mostly(fc.constantFrom(' = ', '=', ': ', ':', ' : '), fc.constantFrom('==', ' =: ', ' := ', ' ', '', '\t=\t'));
  const value = fc.tuple(space, mostly(pick(VALUES), fc.string({ maxLength: 6 })), space).map((parts) => parts.join(''));
  const lead = mostly(fc.constant(''), pick(SPACES));
  const header = fc.tuple(lead, group, mostly(fc.constant(']'), fc.constantFrom('', ']]', '] x', ']#')), space)
    .map(([a, g, close, b]) => `${a}[${g}${close}${b}`);
  const assignment = fc.tuple(lead, option, space, separator, value).map((parts) => parts.join(''));
  const comment = fc.tuple(lead, fc.constantFrom('#', ';', '# x', '; [paste_deploy]', '#flavor = caching', '# caf\u00e9\u00a0x'))
    .map((parts) => parts.join(''));
  const continuation = fc.tuple(fc.constantFrom(' ', '\t', '  ', ' \u00a0'), fc.oneof(pick(VALUES), assignment, comment, header))
    .map((parts) => parts.join(''));
  const blank = mostly(fc.constantFrom('', ' ', '\t'), fc.constantFrom('\u00a0', '\v', '\u3000'));
  // An option is mostly followed by its continuation lines (0 to 2); stray continuations are rarer.
  const withContinuations = fc.tuple(assignment, fc.array(fc.tuple(newline, continuation), { maxLength: 2 }))
    .map(([first, more]) => first + more.map(([nl, c]) => nl + c).join(''));
  const line = fc.oneof({ weight: 4, arbitrary: header }, { weight: 16, arbitrary: withContinuations }, { weight: 3, arbitrary: comment },
    { weight: 1, arbitrary: continuation }, { weight: 3, arbitrary: blank }, { weight: odds ? 1 : 0, arbitrary: fc.string({ maxLength: 8 }) });
  // Mostly a section first; lines, each with its line end; sometimes no last line end.
  return fc.tuple(fc.integer({ min: 0, max: 9 }), header, fc.array(fc.tuple(line, newline), { maxLength: 8 }), newline, fc.boolean())
    .map(([headed, first, lines, end, lastEnd]) => ((headed || !odds) ? first + end : '') + lines.map(([l, nl]) => l + nl).join('')
      .slice(0, lastEnd ? undefined : -1));
}

/** Plain texts, texts with an odd piece now and then, and texts full of them. */
const text = fc.oneof(textsWith(0), textsWith(25), textsWith(5));

/** The tricks of issue 21, each in every text set. */
const TRICKS = [
  '[paste_deploy]\nx = 1\rflavor = caching\n',
  '[paste_deploy]\nx = 1\n\u00a0flavor = caching\n',
  '[paste_deploy]\nx = 1\n\vflavor = caching\n',
  '[paste_deploy]\nx = 1\n\u2028flavor = caching\n',
  '[paste_deploy]\nx = 1\n\u3000flavor = caching\n',
  '[paste_deploy]\nx = 1\n\x1cflavor = caching\n',
  '[paste_deploy]\nx = 1\n\x85flavor = caching\n',
  '[oslo_policy]\nx = 1\r\u00a0enforce_new_defaults = false\n',
  '[DEFAULT]\nx = 1\n\u2000show_image_direct_url = true\n',
  '[keystone_authtoken]\nx = 1\n\ffoo = 1\rwww_authenticate_uri = http://evil.example:5000\n',
];

/** The generated texts: the tricks, then RUNS - tricks from the seed. Lone surrogates cannot be written to a file: none. */
function generatedTexts(): string[] {
  return [...TRICKS, ...fc.sample(text, { seed: SEED, numRuns: RUNS - TRICKS.length })];
}

const normaliseKey = (key: string) => key.toLowerCase().replace(/-/g, '_');
/** A text as a JavaScript string literal, every character outside printable ASCII escaped. */
const escape = (json: string) => json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const show = (t: string) => escape(JSON.stringify(t));

function accepted<T>(read: () => T): { ok: true; value: T } | { ok: false; error: GlanceValidationError } {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    if (!(error instanceof GlanceValidationError)) throw error;
    return { ok: false, error };
  }
}

// ---- (a) parseIni against oslo.config's parser --------------------------------------------------

interface OsloRead {
  ok: boolean;
  error?: string;
  assignments?: Array<[string, string, string]>;
  parsed?: Record<string, Record<string, string[]>>;
}

/**
 * The harness in one Python process of the image, one JSON line in and one out per request; `files`
 * (name: text) are beside it, their names given in `args` as `@name`.
 */
function runHarness<T>(image: GlanceImage, args: string[], requests: object[], files: Record<string, string> = {}): T[] {
  const input = requests.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };
  const dir = mkdtempSync(join(tmpdir(), 'ini-diff-'));
  let output: string;
  try {
    copyFileSync(HARNESS, join(dir, 'harness.py'));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    // Bookworm's Glance is this machine's; trixie's is in its root filesystem, with the files at /mnt.
    const at = image.root === '/' ? dir : '/mnt';
    const argv = [`${at}/harness.py`, ...args.map((a) => a.startsWith('@') ? `${at}/${a.slice(1)}` : a)];
    output = image.root === '/'
      ? execFileSync('/usr/bin/python3', argv, { input, env, encoding: 'utf8', maxBuffer: 2 ** 30 })
      : execFileSync('bwrap', ['--ro-bind', image.root, '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
        '--ro-bind', dir, '/mnt', '--clearenv', '--setenv', 'PATH', env.PATH, '--setenv', 'LANG', env.LANG, 'python3', ...argv],
      { input, encoding: 'utf8', maxBuffer: 2 ** 30 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const answers = output.trim().split('\n').map((l) => JSON.parse(l) as T);
  expect(answers).toHaveLength(requests.length);
  return answers;
}

/** What oslo.config's parser reads from each text, in one Python process of the image. */
function osloReads(image: GlanceImage, texts: string[]): OsloRead[] {
  return runHarness<OsloRead>(image, ['parse'], texts.map((t) => ({ text: t })));
}

/** How parseIni differs from oslo.config on one text, or undefined. */
function parseDifference(t: string, oslo: OsloRead): string | undefined {
  const ours = accepted(() => ini.parseIni('p', t));
  if (!ours.ok) return undefined; // refusing more than oslo.config is allowed: counted apart
  if (!oslo.ok) return `oslo.config refuses it (${oslo.error!.replace(/^.*custom\.conf:/, 'line ')}), parseIni reads ${JSON.stringify(ours.value)}`;
  // Sections as written, keys normalised, the last value of each key: what parseIni returns.
  const expected: Record<string, Record<string, string>> = {};
  for (const section of Object.keys(oslo.parsed!)) expected[section] = {};
  for (const [section, key, v] of oslo.assignments!) expected[section][normaliseKey(key)] = v;
  if (JSON.stringify(sorted(ours.value)) !== JSON.stringify(sorted(expected))) {
    return `parseIni reads ${JSON.stringify(ours.value)}, oslo.config ${JSON.stringify(expected)}`;
  }
  // Every assignment, in order, with the key as written: what oslo.config's namespace holds.
  const entries = ini.readIni('p', t).map((e) => [e.section, e.key, e.value]);
  if (JSON.stringify(entries) !== JSON.stringify(oslo.assignments)) {
    return `readIni gives ${JSON.stringify(entries)}, oslo.config assigns ${JSON.stringify(oslo.assignments)}`;
  }
  return undefined;
}

function sorted(sections: Record<string, Record<string, string>>): Array<[string, Array<[string, string]>]> {
  return Object.entries(sections).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    .map(([s, o]) => [s, Object.entries(o).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)]);
}

// ---- (b) Glance's loader in the API pod ---------------------------------------------------------

const STATEFUL_SET = 'glance-default-single';
const PLACEHOLDER = '[DEFAULT]\ndebug = false\n';
const SECRETS = {
  'glance-db': { connection: 'mysql+pymysql://glance:x@openstack.openstack.svc/glance' },
  'osp-secret': { GlancePassword: 'x' },
};
/** What every text leaves as the library set it, besides the managed options the generated config sets. */
const WATCHED = ['paste_deploy.flavor', 'oslo_policy.policy_file', 'DEFAULT.enabled_import_methods', 'DEFAULT.show_image_direct_url',
  'DEFAULT.show_multiple_locations', 'keystone_authtoken.auth_url', 'keystone_authtoken.www_authenticate_uri',
  'oslo_policy.enforce_new_defaults', 'oslo_policy.enforce_scope', 'keystone_authtoken.password', 'database.connection'];

/** The props of the deployment the texts are loaded into: the image's release, with a cache. */
const propsFor = (image: GlanceImage) => ({ release: image.release, imageCache: { size: '1Gi' } });

/** An option's value as the library writes it into the ini file. */
function asWritten(v: unknown): string {
  if (Array.isArray(v)) return `[${v.join(',')}]`;
  if (v !== null && typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}:${x}`).join(',');
  return String(v);
}

/** One Python process in the API container, loading the config again for each line it is sent. */
class GlanceLoader {
  private readonly child: ChildProcess;
  private readonly answers: string[] = [];
  private waiting?: { resolve: (answer: string) => void; reject: (error: Error) => void };
  private exited = false;
  private stderr = '';
  public readonly customFile: string;

  constructor(private readonly node: SandboxNode, manifests: Manifest[], public readonly options: string[]) {
    const pod = node.pod('StatefulSet', STATEFUL_SET, 0);
    const container = pod.spec.containers[0];
    // The container's own command line, as the sandbox (the kubelet) builds it; and where its volumes are on this machine.
    const own = pod.commandLine().args;
    const hostDir = (mountPath: string) => own[own.findIndex((a, i) => /^--(ro-)?bind$/.test(a) && own[i + 2] === mountPath) + 1];
    const configSecret = `${STATEFUL_SET}-config`;
    expect(Object.keys(find(manifests, 'Secret', configSecret).stringData)).toContain('50-custom.conf');
    const configMount = container.volumeMounts.find((m: any) => {
      const volume = pod.spec.volumes.find((v: any) => v.name === m.name);
      return volume?.secret?.secretName === configSecret || volume?.projected?.sources.some((s: any) => s.secret?.name === configSecret);
    });
    this.customFile = join(hostDir(configMount.mountPath), '50-custom.conf');
    copyFileSync(HARNESS, join(hostDir('/tmp'), 'oslo-ini-harness.py'));
    // The harness runs in glance-api's place in the container's own command: its wrapper, environment and arguments.
    const { args } = pod.commandLine({
      replaceProgram: {
        from: 'glance-api',
        to: ['/usr/bin/python3', '/tmp/oslo-ini-harness.py', 'glance', JSON.stringify(options.map((o) => [o.slice(0, o.indexOf('.')),
          o.slice(o.indexOf('.') + 1)]))],
      },
    });
    this.child = spawn('bwrap', args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: {} });
    this.child.stderr!.on('data', (chunk) => { this.stderr = (this.stderr + chunk).slice(-5000); });
    this.child.on('close', () => {
      this.exited = true;
      this.waiting?.reject(new Error(`the loader exited:\n${this.stderr}`));
    });
    createInterface({ input: this.child.stdout! }).on('line', (l) => {
      if (!l.startsWith('@@')) return;
      const waiting = this.waiting;
      this.waiting = undefined;
      if (waiting) waiting.resolve(l.slice(2)); else this.answers.push(l.slice(2));
    });
  }

  /** What Glance loads with this text as 50-custom.conf. */
  public async load(custom: string): Promise<{ values?: Record<string, unknown>; error?: string; parse_error?: boolean }> {
    if (this.exited) throw new Error(`the loader exited:\n${this.stderr}`);
    writeFileSync(this.customFile, custom);
    const answer = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(hung('the loader answers', HANG_GUARD_MS, () => this.stderr)), HANG_GUARD_MS);
      const queued = this.answers.shift();
      if (queued !== undefined) { clearTimeout(timer); resolve(queued); return; }
      this.waiting = {
        resolve: (a) => { clearTimeout(timer); resolve(a); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
    });
    this.child.stdin!.write('\n');
    return JSON.parse(await answer);
  }

  public stop(): void {
    this.child.stdin!.end();
    killGroup(this.child, 'SIGKILL');
    this.node.destroy();
  }
}

/** Glance's own loader in the API pod of `image`'s deployment, the options every text must leave as the library set them, and their values. */
interface LibraryBaseline {
  readonly loader: GlanceLoader;
  readonly options: string[];
  /** The library's 00-glance.conf, by section. */
  readonly generated: Record<string, Record<string, string>>;
  readonly values: Record<string, unknown>;
}

async function loadBaseline(image: GlanceImage, managed: Record<string, string>): Promise<LibraryBaseline> {
  const manifests = synthGlance({ ...propsFor(image), customServiceConfig: PLACEHOLDER });
  const generated = parseIniText(find(manifests, 'Secret', `${STATEFUL_SET}-config`).stringData['00-glance.conf']);
  const setByLibrary = Object.entries(generated).flatMap(([section, o]) => Object.keys(o).map((k) => `${section}.${k}`));
  const options = [...new Set([...setByLibrary.filter((o) => managed[o]), ...WATCHED])];
  const loader = new GlanceLoader(new SandboxNode(manifests, 'openstack', SECRETS, {}, image.root), manifests, options);
  const baseline = await loader.load(PLACEHOLDER);
  if (baseline.error) {
    loader.stop();
    throw new Error(`the library's config does not load: ${baseline.error}`);
  }
  return { loader, options, generated, values: baseline.values! };
}

/** The options a loaded text changed from what the library set. */
function changedOptions(base: LibraryBaseline, values: Record<string, unknown>): string[] {
  return base.options.flatMap((option) => {
    const [got, want] = [JSON.stringify(values[option]), JSON.stringify(base.values[option])];
    return got === want ? [] : [`${option} is ${escape(got)}, the library set ${escape(want)}`];
  });
}

// ---- The tests ----------------------------------------------------------------------------------

const texts = generatedTexts();

describe.each([['Glance 25.1.0 (bookworm)', GLANCE_IMAGES.bookworm], ['Glance 30.0.0 (trixie)', GLANCE_IMAGES.trixie]])('%s', (_name, image) => {
  beforeAll(() => requireRealGlance(image));

  test(`(a) parseIni reads ${RUNS} generated texts as oslo.config's parser does, and refuses what it refuses`, () => {
    const started = Date.now();
    const oslo = osloReads(image, texts);
    const differences: string[] = [];
    let osloRefused = 0;
    let refusedBeyondOslo = 0;
    texts.forEach((t, i) => {
      if (!oslo[i].ok) osloRefused++;
      else if (!accepted(() => ini.parseIni('p', t)).ok) refusedBeyondOslo++;
      const difference = parseDifference(t, oslo[i]);
      if (difference) differences.push(`${show(t)}: ${difference}`);
    });
    process.stdout.write(`ini-differential (a) ${image.name}: ${texts.length} texts, oslo.config refuses ${osloRefused}, `
      + `parseIni refuses ${refusedBeyondOslo} more, ${differences.length} differences, ${Date.now() - started} ms (seed ${SEED})\n`);
    // The texts reach every outcome: both parsers accept some, oslo.config refuses some, parseIni alone others.
    expect(osloRefused).toBeGreaterThan(texts.length / 20);
    expect(refusedBeyondOslo).toBeGreaterThan(texts.length / 20);
    expect(texts.length - osloRefused - refusedBeyondOslo).toBeGreaterThan(texts.length / 10);
    expect(differences.slice(0, 20)).toEqual([]);
    expect(differences).toHaveLength(0);
  });

  test(`(b) every generated text the guard accepts leaves what the library set, as Glance's own loader reads it in the API pod (seed ${SEED})`,
    async () => {
      const started = Date.now();
      const managed = resolveCommonProps({ ...BASE_PROPS, ...propsFor(image) }).managedOptions;
      const base = await loadBaseline(image, managed);
      const { loader, generated } = base;
      try {
        // The baseline is what the library wrote (or oslo.config's default where it writes nothing).
        for (const option of base.options) {
          const [section, key] = [option.slice(0, option.indexOf('.')), option.slice(option.indexOf('.') + 1)];
          const written = generated[section]?.[key];
          if (written !== undefined) expect([option, asWritten(base.values[option])]).toEqual([option, written]);
        }
        expect(base.values['paste_deploy.flavor']).toBe('keystone+caching');
        expect(base.values['DEFAULT.show_multiple_locations']).toBe(false);
        expect(base.values['keystone_authtoken.password']).toBe('x');
        const differences: string[] = [];
        let guardAccepted = 0;
        const valueErrors: string[] = [];
        for (const t of texts) {
          if (!accepted(() => checkCustomServiceConfig('customServiceConfig', t, managed)).ok) continue;
          guardAccepted++;
          const loaded = await loader.load(t);
          // A text oslo.config cannot parse is a difference; a value Glance refuses (debug = maybe) stops the
          // user's own deployment and changes nothing: counted apart.
          if (loaded.parse_error) differences.push(`${show(t)}: oslo.config cannot parse it: ${loaded.error}`);
          if (loaded.error) {
            if (!loaded.parse_error) valueErrors.push(`${show(t)}: ${loaded.error}`);
            continue;
          }
          differences.push(...changedOptions(base, loaded.values!).map((change) => `${show(t)}: ${change}`));
        }
        process.stdout.write(`ini-differential (b) ${image.name}: ${guardAccepted} of ${texts.length} texts accepted by the guard and loaded, `
        + `${valueErrors.length} of them with a value Glance refuses, ${differences.length} differences, ${Date.now() - started} ms\n`);
        expect(guardAccepted).toBeGreaterThan(texts.length / 10);
        expect(differences.slice(0, 20)).toEqual([]);
        expect(differences).toHaveLength(0);
      } finally {
        loader.stop();
      }
    });
  test('(c) the pod\'s guard of configSecrets gives the synth-time guard\'s verdict and message on every text it reads; what it alone accepts '
    + `leaves what the library set, as Glance's own loader reads it (seed ${SEED})`, async () => {
    const started = Date.now();
    const managed = resolveCommonProps({ ...BASE_PROPS, ...propsFor(image) }).managedOptions;
    const rules = configSecretsRules('configSecrets', ['glance-extra'], managed, false);
    const prop = 'configSecrets[0] (Secret "glance-extra", key "extra.conf")';
    const pod = runHarness<{ ok: boolean; count?: number; refused?: string }>(image, ['guard', '@guard.py', '@rules.json'],
      texts.map((t) => ({ key: 'extra.conf', text: t })), { 'guard.py': readFileSync(GUARD, 'utf8'), 'rules.json': JSON.stringify(rules) });
    const differences: string[] = [];
    const counts = { accepted: 0, refusedByRule: 0, refusedByReader: 0, podAcceptsUnread: 0 };
    const podOnly: string[] = [];
    texts.forEach((t, i) => {
      // The pod reads the key's text and a line end (as the glance-operator joins keys): so does the synth-time guard here.
      const read = accepted(() => ini.readIni(prop, t + '\n'));
      if (!read.ok) {
        counts.refusedByReader++;
        // Refusing what it cannot read alike is the synth-time reader's own caution: the pod reads with oslo.config itself.
        if (pod[i].ok) { counts.podAcceptsUnread++; podOnly.push(t); }
        return;
      }
      const ruled = accepted(() => checkIniAssignments(prop, read.value, managed, false, 'configSecrets'));
      if (ruled.ok) {
        counts.accepted++;
        if (!pod[i].ok || pod[i].count !== read.value.length) {
          differences.push(`${show(t)}: accepted here, the pod answers ${escape(JSON.stringify(pod[i]))}`);
        }
      } else {
        counts.refusedByRule++;
        if (pod[i].refused !== ruled.error.message) {
          differences.push(`${show(t)}: refused here with ${escape(JSON.stringify(ruled.error.message))}, `
            + `the pod answers ${escape(JSON.stringify(pod[i]))}`);
        }
      }
    });
    // What the pod alone accepts, loaded by Glance after the library's config: nothing the library set changes.
    const base = await loadBaseline(image, managed);
    try {
      for (const t of podOnly) {
        const loaded = await base.loader.load(t + '\n');
        if (loaded.parse_error) differences.push(`${show(t)}: the pod accepts it, oslo.config cannot parse it: ${loaded.error}`);
        if (loaded.error) continue;
        differences.push(...changedOptions(base, loaded.values!).map((change) => `${show(t)}: the pod accepts it, and ${change}`));
      }
    } finally {
      base.loader.stop();
    }
    process.stdout.write(`ini-differential (c) ${image.name}: ${texts.length} texts, ${JSON.stringify(counts)}, `
      + `${differences.length} differences, ${Date.now() - started} ms\n`);
    expect(counts.accepted).toBeGreaterThan(texts.length / 10);
    expect(counts.refusedByRule).toBeGreaterThan(texts.length / 20);
    expect(differences.slice(0, 20)).toEqual([]);
    expect(differences).toHaveLength(0);
  });
});
