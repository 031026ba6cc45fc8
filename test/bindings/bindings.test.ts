/**
 * The Python, Java and Go packages, built for real by `bash scripts/bindings.sh` (jsii-pacmak),
 * each installed with its ecosystem's cdk8s and cdk8s-plus-28 at the npm versions: the Ceph
 * example written in that language (test/bindings/<lang>/) synthesizes byte for byte the YAML of
 * examples/image-cache-ceph.ts.
 *
 * Apples to apples: every side makes `new App({ outdir })`, adds the example's chart and calls
 * `app.synth()`, and the file compared is the one cdk8s writes, outdir/image-cache-ceph.k8s.yaml.
 * The other languages run the same JavaScript (their packages embed it, run by the jsii kernel in
 * node), so any difference is one of the bindings: a prop lost or renamed, a default that differs,
 * a struct or enum that does not cross, or a package that lacks a file the synthesis reads.
 *
 * Needs Python 3.10+, a JDK and Maven, Go 1.25+; a missing one fails with how to install it.
 */
import { spawn } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { imageCacheCeph } from '../../examples/image-cache-ceph';

const ROOT = join(__dirname, '..', '..');
const FILE = 'image-cache-ceph.k8s.yaml';
const LANGS = ['python', 'java', 'go'] as const;
type Lang = typeof LANGS[number];
const BUILD = "run 'npx jsii --silence-warnings=reserved-word && bash scripts/bindings.sh'";

// A cold cache downloads toolchain packages; the runs start together and share two cores.
const TIMEOUT = 20 * 60_000;

function version(pkg: string): string {
  return JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
}
const GLANCE_VERSION: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
/** What each app must report it ran with: the npm versions. */
const EXPECTED_VERSIONS: Record<string, string> = {
  'cdk8s-glance': GLANCE_VERSION,
  'cdk8s': version('cdk8s'),
  'cdk8s-plus-28': version('cdk8s-plus-28'),
  'constructs': version('constructs'),
};

/** The package scripts/bindings.sh built for each language. */
const ARTIFACTS: Record<Lang, () => string | undefined> = {
  python: () => readdirSync(join(ROOT, 'dist', 'python')).filter((f) => f.endsWith('.whl')).map((f) => join('dist', 'python', f))[0],
  java: () => `dist/java/io/github/cdk8s-glance/cdk8s-glance/${GLANCE_VERSION}/cdk8s-glance-${GLANCE_VERSION}.jar`,
  go: () => 'dist/go/cdk8sglance/go.mod',
};

/** The newest source the packages are built from: the TypeScript and the files synthesis reads. */
function newestSource(dir = join(ROOT, 'lib')): { file: string; mtime: number } {
  let newest = { file: '', mtime: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '__pycache__') continue;
    const path = join(dir, entry.name);
    const candidate = entry.isDirectory() ? newestSource(path)
      : /\.(js|d\.ts|map)$/.test(entry.name) ? newest : { file: relative(ROOT, path), mtime: statSync(path).mtimeMs };
    if (candidate.mtime > newest.mtime) newest = candidate;
  }
  return newest;
}

/** Fails unless the language's package is built, and built from the current sources. */
function checkBuilt(lang: Lang): void {
  let artifact: string | undefined;
  try {
    artifact = ARTIFACTS[lang]();
  } catch {
    artifact = undefined;
  }
  if (!artifact || !existsSync(join(ROOT, artifact))) throw new Error(`${lang}: the package is not built: ${BUILD}`);
  const source = newestSource();
  if (statSync(join(ROOT, artifact)).mtimeMs < source.mtime) {
    throw new Error(`${lang}: ${source.file} changed after ${artifact} was built: ${BUILD}`);
  }
}

interface Run { code: number | null; stdout: string; stderr: string; outdir: string; seconds: number; notBuilt?: string }

/** `bash scripts/bindings.sh run LANG OUTDIR`: the language's app against its built package. */
function runApp(lang: Lang): Promise<Run> {
  const outdir = mkdtempSync(join(tmpdir(), `bindings-${lang}-`));
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn('bash', [join(ROOT, 'scripts', 'bindings.sh'), 'run', lang, outdir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', (e) => resolve({ code: -1, stdout, stderr: `${stderr}${e.message}`, outdir, seconds: 0 }));
    child.on('close', (code) => resolve({ code, stdout, stderr, outdir, seconds: Math.round((Date.now() - start) / 1000) }));
  });
}

/** The TypeScript example, synthesized as the apps do it. */
function synthTypeScript(): string {
  const outdir = mkdtempSync(join(tmpdir(), 'bindings-ts-'));
  try {
    const app = new App({ outdir });
    imageCacheCeph(app);
    app.synth();
    expect(readdirSync(outdir)).toEqual([FILE]);
    return readFileSync(join(outdir, FILE), 'utf8');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Where two texts part, with a few lines of context, instead of two whole manifests. */
function firstDifference(expected: string, actual: string): string {
  const want = expected.split('\n');
  const got = actual.split('\n');
  let line = 0;
  while (line < want.length && want[line] === got[line]) line++;
  const around = (lines: string[]) => lines.slice(Math.max(0, line - 3), line + 4)
    .map((l, i) => `  ${Math.max(0, line - 3) + i + 1}: ${l}`).join('\n');
  return `first difference at line ${line + 1} (TypeScript ${want.length} lines, binding ${got.length}):\n`
    + `TypeScript:\n${around(want)}\nbinding:\n${around(got)}`;
}

const expected = synthTypeScript();
const objects = parseAllDocuments(expected).length;
const runs = new Map<Lang, Promise<Run>>();

beforeAll(() => {
  // All three at once: most of a cold run is waiting on downloads.
  for (const lang of LANGS) {
    try {
      checkBuilt(lang);
      runs.set(lang, runApp(lang));
    } catch (e) {
      runs.set(lang, Promise.resolve({ code: -1, stdout: '', stderr: '', outdir: '', seconds: 0, notBuilt: (e as Error).message }));
    }
  }
});

afterAll(async () => {
  for (const run of runs.values()) {
    const { outdir } = await run;
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  }
});

test('the TypeScript example synthesizes one file of Kubernetes objects', () => {
  expect(objects).toBeGreaterThan(10);
});

test.each(LANGS)('%s: the built package synthesizes the Ceph example byte for byte as TypeScript does', async (lang) => {
  const run = await runs.get(lang)!;
  if (run.notBuilt) throw new Error(run.notBuilt);
  if (run.code !== 0) {
    // A missing toolchain, package or build: scripts/bindings.sh says which, and how to get it.
    const tail = run.stderr.split('\n').filter((l) => !l.startsWith('!!')).slice(-30).join('\n');
    throw new Error(`${lang}: scripts/bindings.sh run ${lang} failed (exit ${run.code}):\n${tail}`);
  }
  expect(readdirSync(run.outdir)).toEqual([FILE]);
  const actual = readFileSync(join(run.outdir, FILE), 'utf8');
  if (actual !== expected) throw new Error(`${lang}: the YAML differs from TypeScript's, ${firstDifference(expected, actual)}`);

  // The app reports the packages it ran with: they must be the npm versions.
  const line = /^versions: (.*)$/m.exec(run.stdout)?.[1];
  if (!line) throw new Error(`${lang}: the app printed no versions line:\n${run.stdout}`);
  const versions = Object.fromEntries(line.split(' ').map((pair) => pair.split('=') as [string, string]));
  expect(versions).toMatchObject(EXPECTED_VERSIONS);

  console.log(`${lang}: identical (${objects} objects) in ${run.seconds}s, with cdk8s ${versions.cdk8s}, `
    + `cdk8s-plus-28 ${versions['cdk8s-plus-28']}, constructs ${versions.constructs}, jsii runtime ${versions.jsii}`);
}, TIMEOUT);
