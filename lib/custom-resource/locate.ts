/** Where the Glance spec is in what the user gave. */
import { parseAllDocuments } from 'yaml';
import { GlanceValidationError } from '../errors';
import { checkFields, valueOrDefault } from './check';
import { CONTROL_PLANE_GLANCE_FIELDS, CONTROL_PLANE_INHERITED_FIELDS } from './fields';
import { isObject, valueAt } from './values';

/** The Glance spec found, its path in the CR, the CR's metadata, the extraMounts that reach Glance, and a control plane's TLS. */
export interface Located {
  readonly spec: Record<string, any>;
  readonly path: string;
  readonly metadata: Record<string, any>;
  readonly extraMounts?: { readonly value: unknown; readonly path: string };
  /** A control plane's spec.tls (which may be unset): it decides the TLS of its Glance. */
  readonly controlPlaneTls?: { readonly value: unknown; readonly path: string };
  /**
   * The application credential's Secret a control plane gives every API of its Glance: keystone-operator's
   * `ac-<serviceName>-secret` when both its spec.applicationCredential and spec.glance.applicationCredential
   * are enabled (openstack-operator's isACEnabled), none otherwise; undefined for a Glance CR.
   */
  readonly applicationCredentialSecret?: string | null;
  /** A control plane's spec.notificationsBus, which its Glance inherits when its template has none. */
  readonly controlPlaneNotificationsBus?: unknown;
  /** A control plane's spec.memcached (enabled, templates): the replicas of the Memcached its Glance names. */
  readonly controlPlaneMemcached?: unknown;
  /** The template's fields that the control plane filled in, each with the control plane's path it came from. */
  readonly inherited?: Readonly<Record<string, string>>;
  /** The Topology resources (topology.openstack.org) beside the CR in the YAML, by name: what topologyRef names. */
  readonly topologies?: Readonly<Record<string, unknown>>;
}

/**
 * Finds the Glance spec in what the user gave: YAML text or an object holding a whole
 * OpenStackControlPlane, a bare Glance CR, or just its spec.
 */
export function glanceSpecOf(given: unknown): Located {
  if (typeof given === 'string') {
    const { resource, topologies } = resourcesInYaml(given);
    return { ...glanceSpecOf(resource), topologies };
  }
  if (!isObject(given)) throw new GlanceValidationError('customResource', given, 'is not an object', 'give a Glance CR, its spec, or YAML text');
  const input = withoutNulls(given);
  const metadata = isObject(input.metadata) ? input.metadata : {};
  if (input.kind === 'OpenStackControlPlane') {
    const glance = input.spec?.glance;
    if (!isObject(glance) || !isObject(glance.template)) {
      // openstack-operator's DefaultServices makes an empty template, which GlanceSpecCore.Default() gives its placeholder API.
      throw new GlanceValidationError('spec.glance.template', glance?.template, 'is missing: openstack-operator then defaults an empty one, '
        + 'a placeholder API "default" with 0 replicas and a "backend1:type1 # CHANGE_ME" store, so nothing would serve',
      'add the Glance template, with its glanceAPIs, to the OpenStackControlPlane');
    }
    checkFields(glance, 'spec.glance', CONTROL_PLANE_GLANCE_FIELDS);
    if (!valueOrDefault(glance, 'enabled', CONTROL_PLANE_GLANCE_FIELDS)) {
      throw new GlanceValidationError('spec.glance.enabled', false, 'disables Glance', 'set enabled: true, or do not synthesize Glance');
    }
    // The control plane names its Glance "glance"; its extraMounts sit beside the services.
    const serviceName = valueOrDefault(glance, 'serviceName', CONTROL_PLANE_GLANCE_FIELDS);
    const acEnabled = input.spec.applicationCredential?.enabled === true
      && valueOrDefault(glance, 'applicationCredential.enabled', CONTROL_PLANE_GLANCE_FIELDS);
    const { spec, inherited } = inheritedFromControlPlane(glance.template, input.spec);
    return {
      spec,
      inherited,
      path: 'spec.glance.template',
      metadata: { name: serviceName, namespace: metadata.namespace },
      extraMounts: { value: input.spec.extraMounts, path: 'spec.extraMounts' },
      controlPlaneTls: { value: input.spec.tls, path: 'spec.tls' },
      applicationCredentialSecret: acEnabled ? `ac-${serviceName}-secret` : null,
      controlPlaneNotificationsBus: input.spec.notificationsBus,
      controlPlaneMemcached: input.spec.memcached ?? {},
    };
  }
  if (input.kind === 'Glance') {
    if (!isObject(input.spec)) throw new GlanceValidationError('spec', input.spec, 'is missing', 'give the Glance CR a spec');
    return { spec: input.spec, path: 'spec', metadata };
  }
  if (input.kind !== undefined) {
    throw new GlanceValidationError('kind', input.kind, 'is neither OpenStackControlPlane nor Glance', 'give one of those resources');
  }
  return { spec: input, path: 'spec', metadata: {} };
}

/** The template with what the control plane gives it where it leaves a field empty (CONTROL_PLANE_INHERITED_FIELDS), checked where it is written. */
function inheritedFromControlPlane(template: Record<string, any>, plane: Record<string, any>)
  : { spec: Record<string, any>; inherited: Record<string, string> } {
  const spec: Record<string, any> = { ...template };
  const inherited: Record<string, string> = {};
  for (const [field, row] of Object.entries(CONTROL_PLANE_INHERITED_FIELDS)) {
    const own = valueAt(template, field);
    const given = plane[row.from];
    if (given === undefined || (row.type === 'string' ? own !== undefined && own !== '' : own !== undefined)) continue;
    const keys = field.split('.');
    const parents = keys.slice(0, -1);
    // A template's mapping above the field (storage) that is no mapping is refused by its own path.
    const above = parents.length ? valueAt(template, parents.join('.')) : undefined;
    if (above !== undefined && !isObject(above)) continue;
    checkFields({ [row.from]: given }, 'spec', { [row.from]: row });
    // Each mapping on the way is copied: the template stays as the user gave it.
    const parent = parents.reduce<Record<string, any>>((o, key) => (o[key] = { ...o[key] }), spec);
    parent[keys[keys.length - 1]] = given;
    inherited[field] = `spec.${row.from}`;
  }
  return { spec, inherited };
}

/**
 * The resource as the API server keeps it: every null in a mapping dropped (and, in an object given
 * from code, every undefined). The API server prunes the null of a field that is not nullable
 * before it applies the CRD's defaults, so a null means what leaving the field out means. The one
 * nullable field read here, a control plane's applicationCredential, defaults to disabled, which
 * is also what its kept null means.
 */
function withoutNulls(object: Record<string, any>): Record<string, any> {
  const pruned = (value: unknown): unknown => (Array.isArray(value) ? value.map(pruned) : isObject(value) ? withoutNulls(value) : value);
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => [key, pruned(value)]));
}

/** The one OpenStackControlPlane or Glance resource in YAML text, and the Topology resources beside it, by name. */
function resourcesInYaml(text: string): { resource: unknown; topologies: Record<string, unknown> } {
  const docs = parseAllDocuments(text);
  const errors = docs.flatMap((d) => d.errors);
  if (errors.length) throw new GlanceValidationError('customResource', errors[0].message, 'is not valid YAML', 'fix the YAML syntax');
  let objects: any[];
  try {
    // toJS refuses more than 100 alias expansions: a few lines of aliases can expand to gigabytes.
    objects = docs.map((d) => d.toJS()).filter((o) => isObject(o));
  } catch (e) {
    throw new GlanceValidationError('customResource', (e as Error).message, 'cannot be read as YAML data', 'remove the aliases that expand it');
  }
  const found = objects.filter((o) => o.kind === 'OpenStackControlPlane' || o.kind === 'Glance');
  if (found.length !== 1) {
    throw new GlanceValidationError('customResource', `${found.length} OpenStackControlPlane or Glance documents`,
      'must hold exactly one OpenStackControlPlane or Glance resource', 'give one file per Glance');
  }
  const topologies: Record<string, unknown> = {};
  for (const topology of objects.filter((o) => o.kind === 'Topology' && isObject(o.metadata) && typeof o.metadata.name === 'string')) {
    Object.defineProperty(topologies, topology.metadata.name, { value: topology, enumerable: true });
  }
  return { resource: found[0], topologies };
}
