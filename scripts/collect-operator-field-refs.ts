/**
 * Writes test/fixtures/operator-field-refs.txt: which functions of the operators' Go code read
 * which spec field, for the field-sources test (every row of the CR reader's table names the
 * function that gives its field its effect, and that function must read the field):
 *   npx ts-node scripts/collect-operator-field-refs.ts [--mirrors DIR]
 *
 * A function reads a field where its code says `.Spec.<Field>[.<Field>...]` (the Glance's, a
 * GlanceAPI's or a control plane's spec), and in the webhooks (api/) where it says `r.<Field>` or
 * `glanceAPI.<Field>` (Default's receiver, the Glance spec, and each of its glanceAPIs). Read from the glance-operator's api/ and internal/
 * (tests and generated code left out) and openstack-operator's internal/openstack/glance.go, at
 * the mirrors' HEAD (default mirrors: /work/.mirror, as scripts/collect-operator-corpus.ts).
 */
import { execFileSync } from 'child_process';
import { writeFileSync } from 'fs';
import { join } from 'path';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

/** Each (field path, "<file> <function>") a Go file's functions read. */
export function fieldRefs(file: string, text: string): Array<[string, string]> {
  const refs: Array<[string, string]> = [];
  const field = file.startsWith('api/') ? /(?:\.Spec|\br|\bglanceAPI)\.((?:[A-Z][A-Za-z0-9]*\.?)+)/g : /\.Spec\.((?:[A-Z][A-Za-z0-9]*\.?)+)/g;
  let fn = '';
  for (const line of text.split('\n')) {
    const declared = /^func (?:\([^)]*\) )?([A-Za-z0-9_]+)/.exec(line);
    if (declared) fn = declared[1];
    for (const m of line.matchAll(field)) refs.push([m[1].replace(/\.$/, ''), `${file} ${fn}`]);
  }
  return refs;
}

function main(): void {
  const mirrors = arg('--mirrors') ?? '/work/.mirror';
  const git = (repo: string, ...args: string[]) => execFileSync('git', ['-C', join(mirrors, `openstack-k8s-operators+${repo}`, 'repo'), ...args],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const sources: Array<{ repo: string; files: string[] }> = [
    {
      repo: 'glance-operator',
      files: git('glance-operator', 'ls-tree', '-r', '--name-only', 'HEAD', 'api', 'internal').split('\n')
        .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go') && !f.includes('zz_generated')),
    },
    { repo: 'openstack-operator', files: ['internal/openstack/glance.go'] },
  ];
  const lines = new Set<string>();
  const commits: string[] = [];
  for (const { repo, files } of sources) {
    commits.push(`#   ${repo} ${git(repo, 'rev-parse', 'HEAD').trim()}`);
    for (const file of files) {
      for (const [field, where] of fieldRefs(file, git(repo, 'show', `HEAD:${file}`))) lines.add(`${field}\t${repo} ${where}`);
    }
  }
  const out = join(__dirname, '..', 'test', 'fixtures', 'operator-field-refs.txt');
  writeFileSync(out, [
    '# Which functions of the operators read which spec field (`.Spec.<Field>` in their code), for',
    '# test/custom-resource/field-sources.test.ts. Written by scripts/collect-operator-field-refs.ts at:',
    ...commits,
    '# <Go field path>\\t<repository> <file> <function>',
    ...[...lines].sort(),
  ].join('\n') + '\n');
  console.log(`wrote ${out}: ${lines.size} references`);
}

if (require.main === module) main();
