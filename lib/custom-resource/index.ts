// The Glance CR reader, by layer: fields.ts (the field table), check.ts (a CR object against it),
// locate.ts (where the spec is), read.ts (fields into props), values.ts (values into prop values),
// stores.ts (the store from customServiceConfig and extraMounts), translate.ts (errors in CR terms).
export { CONTROL_PLANE_GLANCE_FIELDS, FORMER_GLANCE_SPEC_FIELDS, GLANCE_SPEC_FIELDS } from './fields';
export { glanceSpecOf } from './locate';
export { servesHttps } from './tls';
export type { CustomResourceOptions, CustomResourceRead } from './options';
export { glancePropsFromCustomResource, readCustomResource } from './read';
