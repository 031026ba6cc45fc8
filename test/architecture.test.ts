/**
 * The module graph of lib/: no module imports itself back, type-only imports included (eslint's
 * import/no-cycle skips those), so every module can be read and changed from the bottom up.
 */
import { readdirSync, readFileSync } from 'fs';
import { join, posix } from 'path';

const LIB = join(__dirname, '..', 'lib');

/** lib/ modules (by path from lib/, without .ts) and the lib/ modules each imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(LIB, dir), { withFileTypes: true })) {
      const rel = posix.join(dir, entry.name);
      if (entry.isDirectory()) {walk(rel);} else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const text = readFileSync(join(LIB, rel), 'utf8');
        const targets = [...text.matchAll(/^(?:import|export)\b[^;]*?from\s+'(\.{1,2}\/[^']+)'/gms)]
          .map((m) => posix.normalize(posix.join(posix.dirname(rel), m[1])).replace(/\/index$/, ''));
        graph.set(rel.replace(/\.ts$/, ''), targets);
      }
    }
  };
  walk('.');
  return graph;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? graph.get(`${node}/index`) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

test('lib/ has no import cycle, type-only imports included', () => {
  const graph = importGraph();
  expect(graph.size).toBeGreaterThan(10);
  expect(graph.get('glance')).toContain('custom-resource');
  expect(cycles(graph)).toEqual([]);
});

test('the cycle check finds a cycle through a type-only import', () => {
  const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
  expect(cycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
});

/** What telling one store from another looks like: a store's class, a type field, its options. */
const STORE_SWITCH = [
  /\b(FileStore|RbdStore|SwiftStore|S3Store|CinderStore|MultiStore)\b/,
  /\b(ImageBackendType|rbdOptions|fileOptions)\b|\b_storeType\s*===/,
  /instanceof\s+\w*(Backend|Store)\b/,
];

/** Modules outside lib/stores/ that tell one store from another (by class, type or options). */
function storeSwitches(): string[] {
  const offenders: string[] = [];
  for (const module of importGraph().keys()) {
    if (module.startsWith('stores/') || module === 'image-backend') continue;
    const lines = readFileSync(join(LIB, `${module}.ts`), 'utf8').split('\n');
    const code = lines.filter((line) => !/^\s*(\/\/|\*|\/\*\*)/.test(line)).join('\n');
    if (STORE_SWITCH.some((pattern) => pattern.test(code))) offenders.push(module);
  }
  return offenders;
}

test('stores render themselves: no module outside lib/stores/ tells one store from another', () => {
  expect(importGraph().has('custom-resource/stores')).toBe(true);
  expect(storeSwitches()).toEqual([]);
});
