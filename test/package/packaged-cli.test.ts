/**
 * The compiled package (lib/*.js, built by jsii in test:ci) rather than the TypeScript sources:
 * the bin that npm installs runs with plain node.
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const ROOT = join(__dirname, '..', '..');
const REFERENCE = readFileSync(join(ROOT, 'test', 'fixtures', 'reference-control-plane.yaml'), 'utf8');

test('the packaged bin runs with node, built from the current sources', () => {
  const bin = join(ROOT, 'lib', 'cli.js');
  if (!existsSync(bin)) throw new Error('lib/cli.js is missing: run "npx projen compile" first (test:ci does)');
  // A build older than its source would test yesterday's code.
  expect(statSync(bin).mtimeMs).toBeGreaterThanOrEqual(statSync(join(ROOT, 'lib', 'cli.ts')).mtimeMs);
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  writeFileSync(join(dir, 'cr.yaml'), REFERENCE);
  const out = execFileSync('node', [bin, 'synth', '--from', join(dir, 'cr.yaml'), '-o', dir, '--ceph-secret', 'ceph'], { encoding: 'utf8' });
  expect(out).toContain('wrote');
  expect(readFileSync(join(dir, 'glance.k8s.yaml'), 'utf8')).toContain('name: glance-default-single-0-pruner');
});
