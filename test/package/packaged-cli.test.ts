/**
 * The compiled package (lib/*.js, built by jsii in test:ci) rather than the TypeScript sources:
 * the bin that npm installs runs with plain node, and writes what the current sources write. A
 * stale build, of any file of lib/, gives other YAML and fails here.
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runCli } from '../../lib/cli';

const ROOT = join(__dirname, '..', '..');
const REFERENCE = readFileSync(join(ROOT, 'test', 'fixtures', 'reference-control-plane.yaml'), 'utf8');

test('the packaged bin runs with node and writes what the current sources write', () => {
  const bin = join(ROOT, 'lib', 'cli.js');
  if (!existsSync(bin)) throw new Error('lib/cli.js is missing: run "npx projen compile" first (test:ci does)');
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  writeFileSync(join(dir, 'cr.yaml'), REFERENCE);
  const args = (out: string) => ['synth', '--from', join(dir, 'cr.yaml'), '-o', join(dir, out), '--ceph-secret', 'ceph',
    '--public-url', 'https://glance-default-public-openstack.apps.example.com'];

  const out = execFileSync('node', [bin, ...args('packaged')], { encoding: 'utf8' });
  expect(out).toContain('wrote');
  // jest runs lib/*.ts (moduleFileExtensions lists ts first): the sources as they are now.
  expect(runCli(args('sources'), () => undefined, (t) => { throw new Error(t); })).toBe(0);

  const packaged = readFileSync(join(dir, 'packaged', 'glance.k8s.yaml'), 'utf8');
  expect(packaged).toContain('name: glance-default-single-0-pruner');
  expect(packaged).toBe(readFileSync(join(dir, 'sources', 'glance.k8s.yaml'), 'utf8'));
});
