/**
 * Every row of the CR reader's table names where the operators' code gives its field its effect
 * (lib/custom-resource/fields.ts, *_FIELD_SOURCES), and that function reads the field: it is among
 * the functions test/fixtures/operator-field-refs.txt lists for the field, or for the mapping above
 * it (read as a whole), or for a field below it. That file is written from the operators' code by
 * scripts/collect-operator-field-refs.ts, at the commits of the operator corpus.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { FIXTURES } from './cr-helpers';
import { API_FIELD_SOURCES, NOT_READ } from '../../lib/custom-resource/fields';
import { CR_FIELDS_DOC, FIELD_TABLES, renderCrFieldsDoc } from '../../scripts/cr-fields-doc';

const REFS_TEXT = readFileSync(join(FIXTURES, 'operator-field-refs.txt'), 'utf8');
/** Go field path (lower case) → the functions that read it. */
const REFS = new Map<string, Set<string>>();
for (const line of REFS_TEXT.split('\n').filter((l) => l && !l.startsWith('#'))) {
  const [field, where] = line.split('\t');
  const key = field.toLowerCase();
  if (!REFS.has(key)) REFS.set(key, new Set());
  REFS.get(key)!.add(where);
}

/** The CRD's JSON names that differ from the Go field's by more than case. */
const GO_NAMES: Record<string, string> = { apiOverrides: 'APIOverride', type: 'APIType' };
const goPath = (field: string) => field.split('.').filter((part) => part !== '*').map((part) => (GO_NAMES[part] ?? part).toLowerCase()).join('.');

/** Whether `where` reads the field, the mapping above it, or a field below it. */
function reads(field: string, where: string): boolean {
  const path = goPath(field);
  return [...REFS].some(([ref, readers]) => readers.has(where) && (ref === path || ref.startsWith(`${path}.`) || path.startsWith(`${ref}.`)));
}

describe.each(FIELD_TABLES)('$title', ({ fields, sources }) => {
  test('every field has a source, and every source a field', () => {
    expect(Object.keys(sources).sort()).toEqual(Object.keys(fields).sort());
  });

  test.each(Object.keys(fields))('%s: its source reads it', (field) => {
    const source = sources[field];
    if (source === NOT_READ) {
      // Only a field accepted without effect may be read by nothing.
      expect({ field, kind: fields[field].kind }).toEqual({ field, kind: 'ignored' });
      return;
    }
    expect({ field, source, reads: reads(field, source) }).toEqual({ field, source, reads: true });
  });
});

test('the references were written at the operator corpus\'s commits', () => {
  const corpus = readFileSync(join(FIXTURES, 'operator-corpus.yaml'), 'utf8');
  const commits = [...REFS_TEXT.matchAll(/^#\s+(glance-operator|openstack-operator) ([0-9a-f]{40})$/gm)];
  expect(commits.map((m) => m[1])).toEqual(['glance-operator', 'openstack-operator']);
  for (const [line] of commits) expect(corpus).toContain(line);
});

test('a source that does not read its field is caught', () => {
  expect(reads('replicas', API_FIELD_SOURCES.replicas)).toBe(true);
  expect(reads('replicas', 'glance-operator internal/glance/pvc.go GetPvc')).toBe(false);
  expect(reads('tls.api.internal.secretName', 'glance-operator internal/controller/glance_controller.go ensureDB')).toBe(false);
});

test('docs/cr-fields.md is the table as it is (npx ts-node scripts/cr-fields-doc.ts writes it)', () => {
  expect(readFileSync(CR_FIELDS_DOC, 'utf8')).toBe(renderCrFieldsDoc());
});
