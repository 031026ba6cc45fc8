/**
 * Validation errors in the CR's terms: a prop path of GlanceProps becomes the CR field (or the CLI
 * flag) it came from, by the rows of the field table.
 */
import type { GlanceValidationError } from '../errors';
import { Field, GLANCE_SPEC_FIELDS } from './fields';

/** Props that come from beside the spec: the CR's metadata and the CLI's flags. Each stands for the props below it too. */
const BESIDE_THE_SPEC: Readonly<Record<string, string>> = {
  'name': 'metadata.name',
  'release': '--release',
  'naming': '--naming',
  'database': '--database-secret',
  'keystone.authUrl': '--keystone-url',
  'keystone.publicAuthUrl': '--keystone-url',
  'notifications': '--notifications-secret',
  'webDownload': '--web-download-hosts',
};

/** Where the store came from, for errors on `backend`: the flags or the CR fields that give it, and how to fix it there. */
export interface StoreSource { readonly flag: string; readonly fix: string }

interface Rule { readonly pattern: RegExp; readonly to: (match: string[]) => string; readonly fix?: string; readonly depth: number }

/**
 * The rule that renames a prop path (and the paths below it) to a CR path: each "*" of the prop
 * matches one key, which takes the place of the CR path's "*" in turn.
 */
function rule(prop: string, crPath: string, keepsBelow = true, fix?: string): Rule {
  const keys = prop.split('.').map((key) => (key === '*' ? '([^.]+)' : key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return {
    pattern: new RegExp(`^${keys.join('\\.')}([.[].*)?$`),
    to: (match) => {
      let n = 1;
      return crPath.replace(/\*/g, () => match[n++]) + (keepsBelow ? match[n] ?? '' : '');
    },
    fix,
    depth: keys.length,
  };
}

/** The rules of a field table's read fields, below `path` in the CR. */
function fieldRules(table: Record<string, Field>, path: string): Rule[] {
  return Object.entries(table).flatMap(([field, row]) => {
    if (row.kind !== 'read' || row.prop === undefined) return [];
    // A mapping read through its parts: an error names a part's path (the mapping's own has another shape).
    if (row.parts) return Object.entries(row.parts).map(([prop, part]) => rule(`${row.prop}.${prop}`, `${path}.${field}.${part}`));
    return [rule(row.prop, `${path}.${field}`)];
  });
}

/** A prop that comes from elsewhere in the CR (or a flag), with a fix in its terms; the props below it go to the same path. */
export interface Rename {
  readonly prop: string;
  readonly crPath: string;
  readonly fix?: string;
  /** Whether a prop below it keeps its own part below the CR path (an item of a list the CR holds as it is). */
  readonly keepsBelow?: boolean;
}

/** The prop paths of GlanceProps, in the terms of the CR at `path` (or the CLI flag) they came from. */
export function crPathTranslator(path: string, store: StoreSource, renames: readonly Rename[] = [],
): (error: GlanceValidationError) => GlanceValidationError {
  // Renames first: at the same depth they win over the field table (sort is stable).
  const rules = [
    ...renames.map(({ prop, crPath, fix, keepsBelow }) => rule(prop, crPath, keepsBelow ?? false, fix)),
    ...fieldRules(GLANCE_SPEC_FIELDS, path),
    // A flag stands for everything below it.
    ...Object.entries(BESIDE_THE_SPEC).map(([prop, to]) => rule(prop, to, !to.startsWith('--'))),
    rule('backend', store.flag, false, store.fix),
  ].sort((a, b) => b.depth - a.depth);
  return (error) => {
    for (const { pattern, to, fix } of rules) {
      const match = pattern.exec(error.prop);
      if (match) return error.renamed(to([...match]), fix);
    }
    return error;
  };
}
