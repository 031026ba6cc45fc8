/**
 * What a new TypeScript user does with our npm tarball: an app laid out by `cdk8s init
 * typescript-app` (cdk8s-cli's own template, read from its npm tarball), `npm install` of the
 * tarball beside the cdk8s-plus-33 that the template brings, then the template's `tsc` and
 * `cdk8s synth`. The app's tsc type-checks whatever .ts the package ships with the app's settings
 * (ES2017, lib es2016, no skipLibCheck), so the tarball must hold the .d.ts files and no sources.
 *
 * The tarball is `jsii-pacmak -t js` of the compiled package: what `npx projen package:js` writes
 * to dist/js, written here to a temporary directory. Needs a compile first (test:ci does one) and
 * the npm registry; the app's dependencies stay in an npm cache between runs (STOCK_APP_NPM_CACHE,
 * by default $TMPDIR/cdk8s-glance-npm-cache), so only the first run downloads them.
 */
import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { delimiter, dirname, join, relative } from 'path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { imageCacheCeph } from '../../examples/image-cache-ceph';
import { objectKey } from '../helpers';
import { HANG_GUARD_MS, hung } from '../waiting';

const ROOT = join(__dirname, '..', '..');
/** The cdk8s-cli whose typescript-app template the app copies: the latest release when written. */
const CDK8S_CLI = '2.207.60';
const NPM_CACHE = process.env.STOCK_APP_NPM_CACHE ?? join(tmpdir(), 'cdk8s-glance-npm-cache');
/** The app's name, as `cdk8s init` takes it from the directory: it names the chart and dist/<name>.k8s.yaml. */
const BASE = 'stock-app';

/** Everything the tarball may hold, bundled dependencies aside. */
const ALLOWED = [/^lib\/.+\.js$/, /^lib\/.+\.d\.ts$/, /^lib\/[^/]+\.py$/, /^lib\/cache\/[^/]+\.py$/, /^lib\/keystone\/[^/]+\.py$/,
  /^lib\/tls\/[^/]+\.sh$/, /^\.jsii$/, /^package\.json$/,
  /^README\.md$/, /^LICENSE$/, /^API\.md$/];
const REQUIRED = ['.jsii', 'package.json', 'README.md', 'LICENSE', 'API.md', 'lib/index.js', 'lib/index.d.ts', 'lib/cli.js', 'lib/errors.d.ts',
  'lib/glance-config-secrets.py', 'lib/cache/glance-cache-jobs.py', 'lib/keystone/glance-keystone-register.py',
  'lib/keystone/glance-limits-endpoint.py', 'lib/tls/glance-httpd.sh'];
const EXCLUDED = [/(^|\/)test\//, /^scripts\//, /^bench\//, /^examples\//, /^\.ci\//, /^\.cache\//, /^projenrc\//, /^\.projenrc\.ts$/, /^\.projen\//,
  /(^|\/)__pycache__\//, /\.pyc$/, /^dist\//, /^tsconfig\.json$/];

/** The user's shell: none of the npm variables of the `npm run`/`npx projen` that runs jest, nor our node_modules/.bin. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|INIT_CWD$)/i.test(key)) env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.startsWith(join(ROOT, 'node_modules'))).join(delimiter);
  env.npm_config_cache = NPM_CACHE;
  env.npm_config_prefer_offline = 'true';
  env.npm_config_audit = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_update_notifier = 'false';
  // cdk8s-cli's check for a newer cdk8s-cli (an HTTP request on every command).
  env.CDK8S_CHECK_UPGRADE = 'false';
  return env;
}

/**
 * Runs a command as the user would. The test is synchronous, so jest's testTimeout cannot stop it:
 * each command has the hang guard instead (an npm install on a cold cache takes minutes, not ten).
 */
function run(cmd: string, args: string[], cwd: string): string {
  const result = spawnSync(cmd, args, { cwd, env: userEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: HANG_GUARD_MS });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') throw hung(`${cmd} ${args.join(' ')} (in ${cwd}) ends`);
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** sscaff, as `cdk8s init` runs it: every file, `{{ key }}` substituted in names and contents; the post-install hook aside. */
function scaffold(template: string, target: string, variables: Record<string, string>): void {
  const substitute = (text: string) => Object.entries({ ...variables, '': '' })
    .reduce((s, [key, value]) => s.replace(new RegExp(`{{ *${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} *}}`, 'g'), value), text);
  for (const entry of readdirSync(template, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name === '.hooks.sscaff.js') continue;
    const source = join(entry.parentPath, entry.name);
    const path = join(target, substitute(relative(template, source)));
    mkdirSync(dirname(path), { recursive: true });
    const text = substitute(readFileSync(source, 'utf8'));
    if (/{{.*}}/.test(text)) throw new Error(`${path}: a template variable is left: ${/{{.*}}/.exec(text)![0]}`);
    writeFileSync(path, text);
  }
}

/** Replaces `from` by `to` in `text`, failing when the template no longer has `from`. */
function edit(text: string, from: string | RegExp, to: string, what: string): string {
  const edited = text.replace(from, to);
  if (edited === text) throw new Error(`the cdk8s-cli ${CDK8S_CLI} template changed: ${what} not found`);
  return edited;
}

test('a stock `cdk8s init typescript-app` compiles and synthesizes with the packed tarball', () => {
  const started = Date.now();

  // The package as built: every source compiled, the assembly no older than any source.
  const assembly = join(ROOT, '.jsii');
  if (!existsSync(assembly)) throw new Error('.jsii is missing: run "npx projen compile" first (test:ci does)');
  for (const source of sources(join(ROOT, 'lib'))) {
    const js = source.replace(/\.ts$/, '.js');
    if (!existsSync(js) || statSync(js).mtimeMs < statSync(source).mtimeMs || statSync(assembly).mtimeMs < statSync(source).mtimeMs) {
      throw new Error(`${relative(ROOT, source)} is newer than its build: run "npx projen compile" first (test:ci does)`);
    }
  }

  // The tarball, exactly as `npx projen package:js` packs it.
  const work = mkdtempSync(join(tmpdir(), 'stock-app-'));
  run(join(ROOT, 'node_modules', '.bin', 'jsii-pacmak'), ['--target', 'js', '--outdir', join(work, 'dist'), ROOT], ROOT);
  const version: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  const tarball = join(work, 'dist', 'js', `cdk8s-glance@${version}.jsii.tgz`);
  const entries = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n')
    .map((entry) => entry.replace(/^package\//, '')).filter((entry) => !entry.endsWith('/'));
  const own = entries.filter((entry) => !entry.startsWith('node_modules/'));
  expect(own.filter((entry) => entry.endsWith('.ts') && !entry.endsWith('.d.ts'))).toEqual([]);
  expect(own.filter((entry) => EXCLUDED.some((pattern) => pattern.test(entry)))).toEqual([]);
  expect(own.filter((entry) => !ALLOWED.some((pattern) => pattern.test(entry)))).toEqual([]);
  expect(REQUIRED.filter((entry) => !own.includes(entry))).toEqual([]);
  // Every module ships compiled, with its types; the bundled dependency is yaml alone.
  const modules = sources(join(ROOT, 'lib')).map((source) => relative(ROOT, source).replace(/\.ts$/, ''));
  expect(modules.filter((module) => !own.includes(`${module}.js`) || !own.includes(`${module}.d.ts`))).toEqual([]);
  expect([...new Set(entries.filter((entry) => entry.startsWith('node_modules/')).map((entry) => entry.split('/')[1]))]).toEqual(['yaml']);

  // The template of `cdk8s init typescript-app`, from cdk8s-cli's npm tarball.
  const cliPack = join(work, 'cdk8s-cli');
  mkdirSync(cliPack);
  const cliTarball = run('npm', ['pack', `cdk8s-cli@${CDK8S_CLI}`, '--pack-destination', cliPack], cliPack).trim().split('\n').pop()!;
  execFileSync('tar', ['xzf', join(cliPack, cliTarball), '-C', cliPack, 'package/package.json', 'package/templates/typescript-app']);
  const cli = JSON.parse(readFileSync(join(cliPack, 'package', 'package.json'), 'utf8'));
  const floor = (name: string) => String(cli.dependencies[name]).replace(/^\^/, '');
  const app = join(work, BASE);
  scaffold(join(cliPack, 'package', 'templates', 'typescript-app'), app, {
    $base: BASE,
    // `cdk8s init` writes ^<the version it has installed>: these are the least it accepts.
    cdk8s_core_version: floor('cdk8s'),
    cdk8s_plus_version: floor('cdk8s-plus-33'),
    constructs_version: floor('constructs'),
    cdk8s_cli_spec: `^${CDK8S_CLI}`,
  });
  // The template's post-install hook, minus `cdk8s import` (it downloads Kubernetes schemas; nothing here uses imports/).
  run('npm', ['install'], app);

  // What README.md, "Install", says to run.
  run('npm', ['install', tarball, 'cdk8s-plus-28@^2.5.6'], app);

  // main.ts: the template's, with the Ceph example's Glance (examples/image-cache-ceph.ts, text for text)
  // and a cdk8s-plus-33 object beside it.
  const example = readFileSync(join(ROOT, 'examples', 'image-cache-ceph.ts'), 'utf8');
  const imports = /^import \{([^}]+)\} from '\.\.\/lib';$/m.exec(example)?.[1];
  const glance = /^ {2}new Glance\(chart, 'glance', \{\n[\s\S]*?\n {2}\}\);$/m.exec(example)?.[0];
  const chartProps = /new Chart\(app, '[^']+', (\{[^}]*\})\);/.exec(example)?.[1];
  if (!imports || !glance || !chartProps) throw new Error('examples/image-cache-ceph.ts changed: its import, Glance or Chart was not found');
  let main = readFileSync(join(app, 'main.ts'), 'utf8');
  main = edit(main, "import { App, Chart, ChartProps } from 'cdk8s';\n", [
    "import { App, Chart, ChartProps } from 'cdk8s';",
    "import * as kplus from 'cdk8s-plus-33';",
    `import {${imports}} from 'cdk8s-glance';`,
    "import { Errors, GlanceValidationError } from 'cdk8s-glance';",
    '',
  ].join('\n'), 'the cdk8s import');
  main = edit(main, /^ {4}\/\/ define resources here\n/m, [
    glance.replace("new Glance(chart, 'glance'", "new Glance(this, 'glance'").replace(/^/gm, '  '),
    "    new kplus.ConfigMap(this, 'notes', { data: { note: 'cdk8s-plus-33 beside the cdk8s-plus-28 of cdk8s-glance' } });",
    '',
  ].join('\n'), '"// define resources here"');
  main = edit(main, `new MyChart(app, '${BASE}');`, `new MyChart(app, '${BASE}', ${chartProps});`, 'new MyChart(app, ...)');
  main += [
    '',
    '/** GlanceValidationError from the package root, as README.md shows it. */',
    'export function describeError(e: unknown): string | undefined {',
    '  if (e instanceof GlanceValidationError) return `${e.prop}: ${e.fix}`;',
    '  return Errors.isValidationError(e) ? String(e) : undefined;',
    '}',
    '',
  ].join('\n');
  writeFileSync(join(app, 'main.ts'), main);

  // The template's tsconfig.json, unchanged: 0 errors.
  const tscVersion = run('npx', ['tsc', '--version'], app).trim();
  expect(tscVersion).toMatch(/^Version 5\.9\./);
  const tsc = spawnSync('npx', ['tsc', '--pretty', 'false'], { cwd: app, env: userEnv(), encoding: 'utf8', timeout: HANG_GUARD_MS });
  const errors = `${tsc.stdout}${tsc.stderr}`.split('\n').filter((line) => / error TS\d+:/.test(line));
  expect(errors).toEqual([]);
  expect(tsc.status).toBe(0);

  // The template's synth (cdk8s.yaml: npx ts-node main.ts).
  rmSync(join(app, 'dist'), { recursive: true, force: true });
  run('npx', ['cdk8s', 'synth'], app);
  const manifests = parseAllDocuments(readFileSync(join(app, 'dist', `${BASE}.k8s.yaml`), 'utf8'))
    .map((doc) => doc.toJS()).filter((doc) => doc !== null);
  const notes = manifests.filter((m) => m.kind === 'ConfigMap' && m.data?.note?.startsWith('cdk8s-plus-33'));
  expect(notes).toHaveLength(1);
  // The same objects as the example synthesized from the sources. A Job's name ends in its
  // template's hash, and the template's labels hold the chart's path (stock-app here,
  // image-cache-ceph in the example): Jobs are compared by objectKey, without the hash.
  const expected = (Testing.synth(imageCacheCeph(Testing.app())) as any[]).map(objectKey).sort();
  expect(manifests.filter((m) => !notes.includes(m)).map(objectKey).sort()).toEqual(expected);
  const sts = manifests.find((m) => objectKey(m) === 'StatefulSet/glance-default-single');
  expect(sts.spec.replicas).toBe(3);
  expect(sts.spec.volumeClaimTemplates.map((claim: any) => claim.metadata.name)).toEqual(['glance', 'glance-cache']);
  // The cache jobs' script, read from the package at synth time.
  const config = manifests.find((m) => objectKey(m) === 'Secret/glance-default-single-config');
  expect(config.stringData['glance-cache-jobs.py']).toBe(readFileSync(join(ROOT, 'lib', 'cache', 'glance-cache-jobs.py'), 'utf8'));

  // The root's GlanceValidationError is the class the package throws.
  const thrown = run('node', ['-e', [
    "const { App, Chart } = require('cdk8s');",
    "const { Glance, ImageBackend } = require('cdk8s-glance');",
    "const { GlanceValidationError } = require('cdk8s-glance');",
    "const { describeError } = require('./main');",
    "try { new Glance(new Chart(new App(), 'c'), 'glance', { database: { connectionSecret: { name: 'db', key: 'c' } },",
    "  keystone: { authUrl: 'http://keystone:5000', passwordSecret: { name: 'k', key: 'p' } },",
    "  backend: ImageBackend.rbd({ cephSecretName: 'ceph' }), storage: { storageRequest: '10Gi' }, imageCache: { size: '0Gi' } }); }",
    'catch (e) { console.log(e instanceof GlanceValidationError, describeError(e)); }',
  ].join('\n')], app);
  expect(thrown).toMatch(/^true imageCache\.size: /);

  const versions = ['cdk8s', 'cdk8s-plus-28', 'cdk8s-plus-33', 'constructs']
    .map((name) => `${name} ${JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')).version}`);
  console.log(`stock app: tsc 0 errors, synthesized ${manifests.length} objects (typescript ${tscVersion.replace('Version ', '')}, `
    + `${versions.join(', ')}; `
    + `tarball ${entries.length} files, ${Math.round(statSync(tarball).size / 1024)} KiB; ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  rmSync(work, { recursive: true, force: true });
});
