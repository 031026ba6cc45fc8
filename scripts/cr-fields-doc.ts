/**
 * docs/cr-fields.md: the CR reader's table (lib/custom-resource/fields.ts), one row per field:
 * what cdk8s-glance does with it, its CRD default and bounds, and the operators' function that
 * gives it its effect. test/custom-resource/field-sources.test.ts checks the file is this output:
 *   npx ts-node scripts/cr-fields-doc.ts     (writes it)
 */
import { writeFileSync } from 'fs';
import { join } from 'path';
import {
  API_FIELD_SOURCES, API_FIELDS, CONTROL_PLANE_FIELD_SOURCES, CONTROL_PLANE_GLANCE_FIELDS, CONTROL_PLANE_INHERITED_FIELDS, Field,
  GLANCE_SPEC_FIELD_SOURCES, GLANCE_SPEC_FIELDS, NOT_READ,
} from '../lib/custom-resource/fields';

export const CR_FIELDS_DOC = join(__dirname, '..', 'docs', 'cr-fields.md');

const code = (text: string) => `\`${text}\``;

function effect(field: Field): string {
  switch (field.kind) {
    case 'read': return 'prop' in field && field.prop !== undefined ? `read: ${code(field.prop)}` : 'read (README, "Bring your Glance CR")';
    case 'ignored': return 'accepted without effect';
    case 'unsupported': return `refused unless empty or at its default: ${field.feature}`;
  }
}

function constraints(field: Field): string {
  const parts = [
    ...field.default !== undefined ? [`default ${code(JSON.stringify(field.default))}`] : [],
    ...field.bounds?.minimum !== undefined ? [`minimum ${field.bounds.minimum}`] : [],
    ...field.bounds?.maximum !== undefined ? [`maximum ${field.bounds.maximum}`] : [],
    ...field.bounds?.minLength !== undefined ? [`minLength ${field.bounds.minLength}`] : [],
  ];
  return parts.join(', ');
}

function source(text: string): string {
  if (text === NOT_READ) return 'none (no function reads it there)';
  const [repo, file, fn] = text.split(' ');
  return `${repo} ${code(file)} ${code(fn)}`;
}

/**
 * The reader's three tables with their sources, each field keyed as its source is: a Glance's own
 * fields, an entry of glanceAPIs, and a control plane's (its glance section as "glance.<field>",
 * what its Glance inherits by the control plane's field). `prefix` makes a key the CR path.
 */
export const FIELD_TABLES: ReadonlyArray<{ title: string; prefix: string; fields: Record<string, Field>; sources: Record<string, string> }> = [
  {
    title: 'A Glance (`spec`, or a control plane\'s `spec.glance.template`)',
    prefix: 'spec.',
    fields: Object.fromEntries(Object.entries(GLANCE_SPEC_FIELDS).filter(([f]) => !f.startsWith('glanceAPIs.*.'))),
    sources: GLANCE_SPEC_FIELD_SOURCES,
  },
  { title: 'Each entry of `glanceAPIs`', prefix: 'spec.glanceAPIs.<name>.', fields: API_FIELDS, sources: API_FIELD_SOURCES },
  {
    title: 'A control plane (`OpenStackControlPlane`)',
    prefix: 'spec.',
    fields: {
      ...Object.fromEntries(Object.entries(CONTROL_PLANE_GLANCE_FIELDS).map(([f, row]) => [`glance.${f}`, row])),
      ...Object.fromEntries(Object.values(CONTROL_PLANE_INHERITED_FIELDS).map((row) => [row.from, row])),
    },
    sources: CONTROL_PLANE_FIELD_SOURCES,
  },
];

export function renderCrFieldsDoc(): string {
  const header = '| CR field | type | CRD default, bounds | cdk8s-glance | where the operators read it |\n|---|---|---|---|---|';
  return [
    '<!-- Written by scripts/cr-fields-doc.ts from lib/custom-resource/fields.ts; test/custom-resource/field-sources.test.ts checks it. -->',
    '# The Glance CR, field by field',
    '',
    'How `Glance.fromCustomResource` and `cdk8s-glance synth --from` read each field of the Glance CRD and of a control',
    'plane\'s glance section, and which function of the operators\' code gives the field its effect there',
    '(glance-operator and openstack-operator at the commits of `test/fixtures/operator-field-refs.txt`; the test checks',
    'that each function reads its field). README, "Bring your Glance CR", says what each prop does.',
    ...FIELD_TABLES.flatMap(({ title, prefix, fields, sources }) => ['', `## ${title}`, '', header,
      ...Object.entries(fields).map(([field, row]) =>
        `| ${code(`${prefix}${field}`)} | ${row.type} | ${constraints(row)} | ${effect(row)} | ${source(sources[field])} |`)]),
    '',
  ].join('\n');
}

if (require.main === module) {
  writeFileSync(CR_FIELDS_DOC, renderCrFieldsDoc());
  console.log(`wrote ${CR_FIELDS_DOC}`);
}
