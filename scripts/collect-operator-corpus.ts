/**
 * Writes test/fixtures/operator-corpus.yaml, the inputs of the operator-corpus test:
 *   npx ts-node scripts/collect-operator-corpus.ts [--mirrors DIR] [--kustomize PATH|none]
 *
 * Every input of scripts/operator-inputs.ts (default mirrors: /work/.mirror), one YAML document
 * each: its source (repository, commit, path), its origin and the resource. A control plane keeps
 * the fields openstack-operator passes to its Glance (spec.glance and the spec fields the reader
 * reads); the rest of a control plane is other services'.
 */
import { execFileSync } from 'child_process';
import { writeFileSync } from 'fs';
import { join } from 'path';
import { stringify } from 'yaml';
import { collectInputs, kustomizeBinary } from './operator-inputs';

/** The control plane's fields that reach its Glance: what lib/custom-resource/locate.ts reads. */
const CONTROL_PLANE_KEEPS = ['glance', 'tls', 'applicationCredential', 'notificationsBus', 'extraMounts', 'memcached', 'secret', 'storageClass',
  'nodeSelector', 'topologyRef'];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

function kustomizeVersion(binary: string): string {
  return execFileSync(binary, ['version'], { encoding: 'utf8' }).trim();
}

function reduced(cr: any): any {
  if (cr.kind !== 'OpenStackControlPlane') return cr;
  const spec = Object.fromEntries(CONTROL_PLANE_KEEPS.filter((k) => cr.spec[k] !== undefined).map((k) => [k, cr.spec[k]]));
  // Only the Memcached templates matter (their replicas).
  return { apiVersion: cr.apiVersion, kind: cr.kind, metadata: cr.metadata, spec };
}

async function main(): Promise<void> {
  const collected = await collectInputs(arg('--mirrors') ?? '/work/.mirror', kustomizeBinary(arg('--kustomize')));
  const header = [
    '# The operators\' real inputs, for test/custom-resource/operator-corpus.test.ts. Written by',
    '# scripts/collect-operator-corpus.ts from the openstack-k8s-operators repositories at:',
    ...Object.entries(collected.commits).map(([repo, commit]) => `#   ${repo} ${commit}`),
    `# ${collected.inputs.length} inputs: the YAML files holding a Glance or an OpenStackControlPlane with a glance section`,
    collected.kustomize ? `# and the kustomize renderings (kustomize ${kustomizeVersion(collected.kustomize.binary)}) holding exactly one; `
      + `${collected.kustomize.failed.length} `
      + `renderings failed (remote resources), ${collected.kustomize.noGlance} hold none, ${collected.kustomize.several.length} several.`
      : '# (no kustomize renderings).',
    '# A control plane keeps spec.glance and the spec fields that reach its Glance.',
  ];
  const docs = collected.inputs.map((input) => stringify({ source: input.source, origin: input.origin, cr: reduced(input.cr) }, { lineWidth: 0 }));
  const file = join(__dirname, '..', 'test', 'fixtures', 'operator-corpus.yaml');
  writeFileSync(file, `${header.join('\n')}\n${docs.map((d) => `---\n${d}`).join('')}`);
  console.log(`wrote ${file}: ${collected.inputs.length} inputs`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
