// Synthesizes the golden set to one file per case, in the folder given as argument, one folder per
// group: the examples, hand-written deployments and placements, several hundred generated
// deployments (scripts/golden-cases.ts), and GlanceApis composed by hand. scripts/compare-synth.sh
// runs it on two trees and compares them byte for byte: a refactor must leave every file unchanged.
//
// A case's file holds its input (for generated cases), the YAML of each chart, the warnings it
// emitted and a few public attributes; or, if the library refuses it, the error, so that a change
// in which inputs are accepted shows as a difference too. A group the library no longer supports
// (a public form removed on purpose) is skipped with `<group>.skipped` saying why.
//
// GOLDEN_SEED (default 20261205) and GOLDEN_COUNT (default 1000) pick the generated deployments.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { App, Yaml } from 'cdk8s';
import * as ts from 'typescript';
import { apiCompositionCases, handCases } from './golden-cases';
import { generatedCases, GoldenCase, GoldenGroup } from './golden-generator';
import { edgeSite } from '../examples/edge-site';
import { imageCacheCeph } from '../examples/image-cache-ceph';
import { imageCacheNfs } from '../examples/image-cache-nfs';
import { imageCacheTls } from '../examples/image-cache-tls';
import { GlanceApiType } from '../lib';

const SEED = Number(process.env.GOLDEN_SEED ?? 20261205);
const COUNT = Number(process.env.GOLDEN_COUNT ?? 1000);

/** Whether the library's interface (in lib/, with the interfaces it extends there) declares the prop. */
function libInterfaceHas(name: string, prop: string): boolean {
  const members = new Map<string, { props: string[]; parents: string[] }>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {walk(path);} else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest);
        source.forEachChild((node) => {
          if (!ts.isInterfaceDeclaration(node)) return;
          members.set(node.name.text, {
            props: node.members.map((m) => (m.name && ts.isIdentifier(m.name) ? m.name.text : '')),
            parents: (node.heritageClauses ?? []).flatMap((h) => h.types.map((t) => t.expression.getText(source))),
          });
        });
      }
    }
  };
  walk(join(__dirname, '..', 'lib'));
  const has = (iface: string, seen: Set<string>): boolean => {
    const found = members.get(iface);
    if (!found || seen.has(iface)) return false;
    seen.add(iface);
    return found.props.includes(prop) || found.parents.some((parent) => has(parent, seen));
  };
  return has(name, new Set());
}

const GROUPS: GoldenGroup[] = [
  {
    name: 'examples',
    cases: () => [imageCacheCeph, imageCacheNfs, edgeSite, imageCacheTls].map((example) => ({
      name: example.name,
      build: (app: App) => ({ charts: [example(app)] }),
    })),
  },
  { name: 'hand', cases: handCases },
  { name: 'generated', cases: () => generatedCases(SEED, COUNT) },
  {
    name: 'legacy-api-types',
    cases: () => generatedCases(SEED, Math.ceil(COUNT / 20), true),
    unsupported: () => ('INTERNAL' in GlanceApiType && 'EXTERNAL' in GlanceApiType ? undefined
      : 'GlanceApiType no longer has INTERNAL and EXTERNAL (GlanceApiRole names the role of one StatefulSet)'),
  },
  {
    name: 'composed-in-glance',
    cases: apiCompositionCases,
    unsupported: () => (libInterfaceHas('GlanceApiProps', 'common')
      ? 'GlanceApiProps still has `common`: this library builds a GlanceApi on its own, not inside a built Glance' : undefined),
  },
];

/** The public attributes a case pins, or why reading them failed (the YAML still counts). */
function attributesLine(read: () => Record<string, unknown>): string {
  try {
    return `# attributes: ${JSON.stringify(read())}`;
  } catch (e) {
    return `# attributes unreadable: ${String((e as Error)?.message ?? e).replace(/\n/g, ' ')}`;
  }
}

/** Runs one case in a fresh App (warnings are once per App): its charts' YAML, or its error. */
function synthCase(c: GoldenCase): { text: string; charts: number; error: boolean } {
  const warnings: string[] = [];
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, options?: any, code?: string) => {
    const at = typeof options === 'object' ? options?.code : code;
    warnings.push(`# warning ${at ?? ''}: ${String(warning instanceof Error ? warning.message : warning)}`);
  }) as typeof process.emitWarning;
  const lines: string[] = [`# case: ${c.name}`];
  if (c.spec !== undefined) lines.push(`# spec: ${JSON.stringify(c.spec)}`);
  let charts = 0;
  let error = false;
  try {
    const built = c.build(new App({ outdir: 'dist-golden-unused' }));
    const docs = built.charts.map((chart) => `# chart: ${chart.node.id}\n${Yaml.stringify(...chart.toJson())}`);
    lines.push(...docs);
    charts = docs.length;
    if (built.attributes) lines.push(attributesLine(built.attributes));
  } catch (e) {
    error = true;
    const err = e as Error;
    lines.splice(1, 0, `# error: ${err?.name ?? typeof e}: ${err?.message ?? String(e)}`.replace(/\n/g, '\n#   '));
  } finally {
    process.emitWarning = emitWarning;
  }
  lines.push(...warnings);
  return { text: lines.join('\n') + '\n', charts, error };
}

const out = process.argv[2];
if (!out) throw new Error('usage: synth-golden.ts OUT_DIR   (env GOLDEN_SEED, GOLDEN_COUNT)');
mkdirSync(out, { recursive: true });
const totals = { cases: 0, charts: 0, errors: 0 };
const skipped: string[] = [];
for (const group of GROUPS) {
  const reason = group.unsupported?.();
  if (reason) {
    writeFileSync(join(out, `${group.name}.skipped`), `${reason}\n`);
    skipped.push(`${group.name} (${reason})`);
    continue;
  }
  mkdirSync(join(out, group.name), { recursive: true });
  for (const c of group.cases()) {
    const result = synthCase(c);
    writeFileSync(join(out, group.name, `${c.name}.yaml`), result.text);
    totals.cases++;
    totals.charts += result.charts;
    if (result.error) totals.errors++;
  }
}
console.log(`synth-golden: ${totals.cases} cases (seed ${SEED}, ${COUNT} generated), ${totals.charts} charts, ${totals.errors} refused, in ${out}`
  + (skipped.length ? `; skipped groups: ${skipped.join('; ')}` : ''));
