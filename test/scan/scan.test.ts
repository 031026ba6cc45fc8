/**
 * scripts/scan.sh: strict Kubernetes 1.28 schemas over the examples and generated deployments,
 * and checkov over the examples. The scan must pass, print its two summary lines, and fail on
 * what it exists to catch: an unknown field, a wrong type, a kind without a schema, a checkov
 * failure that no skip names, and a skip that outlived its failure.
 * Its first run installs the Python tools from PyPI (about 40 s); later runs reuse them.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { HANG_GUARD_MS, hung } from '../waiting';

const ROOT = path.join(__dirname, '..', '..');
const SKIPS = 'test/scan/checkov-skips.yaml';
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-glance-scan-'));
let scan: SpawnSyncReturns<string>;
let python: string;

/**
 * Runs a command to its end. Everything here is synchronous, so jest's testTimeout cannot stop it:
 * the command has a hang guard of its own (twice the usual one for scan.sh, whose first run
 * installs the Python tools from PyPI).
 */
function run(command: string, args: string[], guardMs = HANG_GUARD_MS): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SCAN_OUT: out }, timeout: guardMs });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    throw hung(`${command} ${args.join(' ')} ends`, guardMs, () => `${result.stdout}\n${result.stderr}`.slice(-3000));
  }
  return result;
}

beforeAll(() => {
  scan = run('bash', ['scripts/scan.sh'], 2 * HANG_GUARD_MS);
  python = path.join(fs.readFileSync(path.join(out, 'venv'), 'utf8').trim(), 'bin', 'python');
});

afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

test('the scan passes and prints one summary line per check', () => {
  const log = `${scan.stdout}\n${scan.stderr}`;
  if (scan.status !== 0) throw new Error(`scripts/scan.sh exited with ${scan.status ?? scan.signal}:\n${log}`);
  expect(scan.stdout).toMatch(
    /^strict schemas: \d+ objects in 3 examples \+ \d+ objects in 40 fuzz outputs valid \(kubernetes 1\.28, unknown fields rejected\)$/m);
  expect(scan.stdout).toMatch(new RegExp(`^checkov: 0 failed, [1-9]\\d* passed, \\d+ skipped \\(reasons in ${SKIPS.replace(/\./g, '\\.')}\\)`, 'm'));
  // The two summary lines, in CI's log.
  console.log(scan.stdout.split('\n').filter((line) => /^(strict schemas|checkov): /.test(line)).join('\n'));
});

describe('strict schemas fail on', () => {
  /** Copies the examples, lets `mutate` break their objects, and validates the copy. */
  function validateBroken(mutate: (objects: any[]) => void): SpawnSyncReturns<string> {
    const dir = fs.mkdtempSync(path.join(out, 'broken-'));
    fs.mkdirSync(path.join(dir, 'examples'));
    for (const file of fs.readdirSync(path.join(out, 'examples'))) {
      const objects = parseAllDocuments(fs.readFileSync(path.join(out, 'examples', file), 'utf8')).map((d) => d.toJSON());
      mutate(objects);
      fs.writeFileSync(path.join(dir, 'examples', file), objects.map((o) => stringify(o)).join('---\n'));
    }
    return run(python, ['test/scan/validate.py', '1.28.0', path.join(dir, 'examples'), path.join(dir, 'none')]);
  }

  test.each<[string, (objects: any[]) => void, RegExp]>([
    ['an unknown field deep in a pod spec', (objects) => {
      const job = objects.find((o) => o.kind === 'CronJob');
      job.spec.jobTemplate.spec.template.spec.automountServiceAcountToken = false;
    }, new RegExp(String.raw`CronJob\/\S+: spec\.jobTemplate\.spec\.template\.spec: ` +
      String.raw`Additional properties are not allowed \('automountServiceAcountToken' was unexpected\)`)],
    ['a field Kubernetes 1.28 does not have yet (appArmorProfile, 1.30)', (objects) => {
      objects.find((o) => o.kind === 'StatefulSet').spec.template.spec.securityContext.appArmorProfile = { type: 'RuntimeDefault' };
    }, /'appArmorProfile' was unexpected/],
    ['a wrong type', (objects) => {
      objects.find((o) => o.kind === 'Secret').stringData['00-glance.conf'] = 5;
    }, /Secret\/\S+: stringData\.00-glance\.conf: 5 is not of type 'string'/],
    ['a kind without a schema', (objects) => {
      objects.push({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
    }, /Widget\/w: Couldn't find schema/],
  ])('%s', (_what, mutate, error) => {
    const result = validateBroken(mutate);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(error);
    expect(result.stdout).toMatch(/^strict schemas: FAILED: [1-9]\d* invalid of/m);
  });
});

describe('checkov fails on', () => {
  /** Applies a changed skips file to the scan's own checkov report. */
  function report(change: (skips: any[]) => void): SpawnSyncReturns<string> {
    const skips = parseAllDocuments(fs.readFileSync(path.join(ROOT, SKIPS), 'utf8'))[0].toJSON();
    change(skips.skips);
    const file = path.join(fs.mkdtempSync(path.join(out, 'skips-')), 'skips.yaml');
    fs.writeFileSync(file, stringify(skips));
    return run(python, ['test/scan/checkov_report.py', file, path.join(out, 'checkov.json')]);
  }

  test('a failed check no skip names', () => {
    const result = report((skips) => skips.splice(skips.findIndex((s) => s.check === 'CKV_K8S_43'), 1));
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(new RegExp(String.raw`^FAILED CKV_K8S_43 Image should use digest:\n(.*\n)* {4}` +
      String.raw`StatefulSet\/glance-default-single \(image-cache-ceph\.k8s\.yaml\)`, 'm'));
    expect(result.stdout).toMatch(/^checkov: FAILED: [1-9]\d* failed/m);
  });

  test('a skip that matches no failure', () => {
    const result = report((skips) => skips.push({ check: 'CKV_K8S_20', reason: 'allowPrivilegeEscalation is false everywhere' }));
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^STALE skip CKV_K8S_20: it matches no failed check/m);
  });

  test('a skip without a reason', () => {
    const result = report((skips) => { delete skips[0].reason; });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/needs a check and a reason/);
  });

  test('a skip narrowed to other objects', () => {
    const result = report((skips) => { skips.find((s) => s.check === 'CKV_K8S_11').objects = ['Deployment/.*']; });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^FAILED CKV_K8S_11 CPU limits should be set:\n(.*\n)* {4}StatefulSet\/glance-az1-edge \(edge-site\.k8s\.yaml\)/m);
  });
});
