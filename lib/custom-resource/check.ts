/** A CR object checked against its field table, and its fields' values with the CRD defaults. */
import { GlanceValidationError } from '../errors';
import { Field, FieldBounds, FieldType, FORMER_GLANCE_SPEC_FIELDS } from './fields';
import { isObject, valueAt } from './values';

/** A field's value, or its CRD default. */
export function valueOrDefault(object: Record<string, any>, path: string, table: Record<string, Field>): any {
  return valueAt(object, path) ?? table[path].default;
}

/**
 * Checks every field of a CR object against the table: types, unsupported features, and fields
 * the CRD does not have. The API server drops those on apply; a misspelt field would silently
 * lose what it says, so they are refused.
 */
export function checkFields(object: Record<string, any>, crPath: string, table: Record<string, Field>, prefix = ''): void {
  for (const [key, child] of Object.entries(object)) {
    const tablePath = prefix ? `${prefix}.${key}` : key;
    const path = `${crPath}.${key}`;
    // Own properties only: a field named "constructor" must not match Object.prototype.
    const patternPath = Object.hasOwn(table, tablePath) ? tablePath : `${prefix}.*`;
    const field = Object.hasOwn(table, patternPath) ? table[patternPath] : undefined;
    const former = Object.hasOwn(FORMER_GLANCE_SPEC_FIELDS, tablePath) ? FORMER_GLANCE_SPEC_FIELDS[tablePath] : undefined;
    if (!field && former !== undefined) {
      process.emitWarning(`cdk8s-glance: ${path} is no field of the Glance CRD any more (${former}); `
        + 'the API server drops it on apply, and so does cdk8s-glance', { code: 'CDK8S_GLANCE_FORMER_CR_FIELD' });
      continue;
    }
    if (!field) {
      const here = Object.keys(table).filter((k) => k.startsWith(prefix ? `${prefix}.` : '')
        && !k.slice(prefix ? prefix.length + 1 : 0).includes('.')).map((k) => k.split('.').pop());
      throw new GlanceValidationError(path, child, 'is not a field of the Glance CRD (the API server would drop it)',
        `remove it, or check its spelling against the CRD (fields here: ${here.join(', ')})`);
    }
    if (!hasType(child, field.type)) {
      throw new GlanceValidationError(path, child, `is not ${article(field.type)}`, `write it as ${article(field.type)}`);
    }
    checkBounds(child, path, field.bounds);
    if (field.kind === 'unsupported' && !isDefaultOrEmpty(child, field.default)) {
      throw new GlanceValidationError(path, child, `is not supported by cdk8s-glance: ${field.feature}`,
        'remove it; see the README, "Bring your Glance CR", for what cdk8s-glance reads and what replaces the rest');
    }
    const hasChildren = Object.keys(table).some((k) => k.startsWith(`${patternPath}.`));
    // Only mappings have fields below them; an unsupported one got here empty, and its fields are too.
    if (hasChildren) checkFields(child, path, table, patternPath);
  }
}

/** The CRD's bounds, which the API server enforces: a value outside them never reaches the operator. */
function checkBounds(value: unknown, path: string, bounds: FieldBounds | undefined): void {
  if (bounds === undefined) return;
  const { minimum, maximum, minLength } = bounds;
  const outside = (typeof value === 'number' && ((minimum !== undefined && value < minimum) || (maximum !== undefined && value > maximum)))
    || (typeof value === 'string' && minLength !== undefined && value.length < minLength);
  if (!outside) return;
  const range = minLength !== undefined ? `at least ${minLength} character(s) long`
    : maximum === undefined ? `at least ${minimum}` : `from ${minimum} to ${maximum}`;
  throw new GlanceValidationError(path, value, `is outside the CRD's bounds (the API server refuses it): it must be ${range}`,
    `use a value ${range}`);
}

function hasType(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'integer': return Number.isInteger(value);
    case 'quantity': return typeof value === 'string' || typeof value === 'number';
    case 'object': return isObject(value);
    case 'stringMap': return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
    case 'array': return Array.isArray(value);
    default: return typeof value === type;
  }
}

function article(type: FieldType): string {
  return {
    string: 'a string',
    integer: 'a whole number',
    boolean: 'true or false',
    object: 'a mapping',
    array: 'a list',
    quantity: 'a quantity',
    stringMap: 'a mapping of strings',
  }[type];
}

function isDefaultOrEmpty(value: unknown, dflt: unknown): boolean {
  if (JSON.stringify(value) === JSON.stringify(dflt)) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.values(value).every((v) => isDefaultOrEmpty(v, undefined));
  return value === '';
}
