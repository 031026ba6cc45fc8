import { parseAllDocuments } from 'yaml';
import type { ImageCacheOptions } from './cache/image-cache';
import { GlanceValidationError } from './errors';
import type { GlanceApiOptions } from './glance-api';
import type { GlanceProps } from './glance-props';
import { ImageBackend } from './image-backend';
import { DatabaseOptions } from './service-config';
import { GlanceApiType, GlanceRelease } from './types';

/** What a Glance custom resource leaves to other resources, and cdk8s-glance needs. */
export interface CustomResourceOptions {
  /**
   * The database. The CR's databaseInstance names a MariaDB resource; here you name the Secret
   * that holds the connection URL for Glance's database on it.
   */
  readonly database: DatabaseOptions;
  /** Keystone URL the API validates tokens against. */
  readonly keystoneAuthUrl: string;
  /**
   * Keystone URL clients are sent to.
   * @default - keystoneAuthUrl
   */
  readonly keystonePublicAuthUrl?: string;
  /**
   * The image store. The glance-operator sets it in customServiceConfig and extraMounts;
   * cdk8s-glance needs it as a prop, because it decides the volumes too.
   * @default ImageBackend.file()
   */
  readonly backend?: ImageBackend;
  /**
   * The OpenStack release of the image.
   * @default GlanceRelease.ANTELOPE
   */
  readonly release?: GlanceRelease;
}

// The fields we read, and their types. Anything else in a CR is rejected with its path.
type Shape = 'string' | 'number' | 'boolean' | 'quantity' | { [field: string]: Shape };
const IMAGE_CACHE: Shape = { size: 'quantity', cleanerScheduler: 'string', prunerSchedule: 'string' };
const RESOURCE_LIST: Shape = { cpu: 'quantity', memory: 'quantity' };
const API: Shape = {
  replicas: 'number',
  type: 'string',
  customServiceConfig: 'string',
  imageCache: IMAGE_CACHE,
  nodeSelector: { '*': 'string' },
  resources: { requests: RESOURCE_LIST, limits: RESOURCE_LIST },
};
const SPEC: Shape = {
  customServiceConfig: 'string',
  databaseInstance: 'string',
  containerImage: 'string',
  serviceUser: 'string',
  secret: 'string',
  passwordSelectors: { service: 'string' },
  keystoneEndpoint: 'string',
  storage: { storageRequest: 'quantity', storageClass: 'string', external: 'boolean' },
  imageCache: IMAGE_CACHE,
  dbPurge: { age: 'number', schedule: 'string' },
  glanceAPIs: { '*': API },
};

// A Map, not an object: a type such as "toString" must not find Object.prototype.
const API_TYPES = new Map<string, GlanceApiType>([
  ['single', GlanceApiType.SINGLE], ['split', GlanceApiType.SPLIT], ['internal', GlanceApiType.INTERNAL],
  ['external', GlanceApiType.EXTERNAL], ['edge', GlanceApiType.EDGE],
]);

/**
 * Finds the Glance spec in what the user gave: YAML text or an object holding a whole
 * OpenStackControlPlane, a bare Glance CR, or just its spec.
 */
export function glanceSpecOf(input: unknown): { spec: Record<string, any>; path: string } {
  if (typeof input === 'string') {
    const docs = parseAllDocuments(input);
    const errors = docs.flatMap((d) => d.errors);
    if (errors.length) throw new GlanceValidationError('customResource', errors[0].message, 'is not valid YAML', 'fix the YAML syntax');
    const objects = docs.map((d) => d.toJSON()).filter((o) => o && typeof o === 'object');
    const found = objects.filter((o) => o.kind === 'OpenStackControlPlane' || o.kind === 'Glance');
    if (found.length !== 1) {
      throw new GlanceValidationError('customResource', `${found.length} OpenStackControlPlane or Glance documents`,
        'must hold exactly one OpenStackControlPlane or Glance resource', 'give one file per Glance');
    }
    return glanceSpecOf(found[0]);
  }
  if (!isObject(input)) throw new GlanceValidationError('customResource', input, 'is not an object', 'give a Glance CR, its spec, or YAML text');
  if (input.kind === 'OpenStackControlPlane') {
    const glance = input.spec?.glance;
    if (!isObject(glance) || !isObject(glance.template)) {
      throw new GlanceValidationError('spec.glance.template', glance?.template, 'is missing', 'add the Glance template to the OpenStackControlPlane');
    }
    const extra = Object.keys(glance).filter((k) => !['template', 'enabled'].includes(k));
    if (extra.length) unsupported(`spec.glance.${extra[0]}`, glance[extra[0]]);
    if (glance.enabled === false) {
      throw new GlanceValidationError('spec.glance.enabled', false, 'disables Glance', 'set enabled: true, or do not synthesize Glance');
    }
    return { spec: glance.template, path: 'spec.glance.template' };
  }
  if (input.kind === 'Glance') {
    if (!isObject(input.spec)) throw new GlanceValidationError('spec', input.spec, 'is missing', 'give the Glance CR a spec');
    return { spec: input.spec, path: 'spec' };
  }
  if (input.kind !== undefined) {
    throw new GlanceValidationError('kind', input.kind, 'is neither OpenStackControlPlane nor Glance', 'give one of those resources');
  }
  return { spec: input, path: 'spec' };
}

/** Reads a Glance CR into GlanceProps, rejecting every field it cannot honour. */
export function glancePropsFromCustomResource(input: unknown, options: CustomResourceOptions): GlanceProps {
  const { spec, path } = glanceSpecOf(input);
  checkShape(path, spec, SPEC);
  if (spec.keystoneEndpoint !== undefined && !(spec.glanceAPIs ?? {})[spec.keystoneEndpoint]) {
    throw new GlanceValidationError(`${path}.keystoneEndpoint`, spec.keystoneEndpoint, 'names no entry of glanceAPIs',
      'name the API whose endpoints Keystone lists');
  }
  const apis: Record<string, GlanceApiOptions> = {};
  for (const [name, api] of Object.entries<any>(spec.glanceAPIs ?? { default: {} })) {
    const apiPath = `${path}.glanceAPIs.${name}`;
    const type = api.type === undefined ? undefined : API_TYPES.get(api.type);
    if (api.type !== undefined && !type) {
      throw new GlanceValidationError(`${apiPath}.type`, api.type, 'is not a Glance API type', `use one of ${[...API_TYPES.keys()].join(', ')}`);
    }
    apis[name] = {
      type,
      replicas: api.replicas,
      customServiceConfig: api.customServiceConfig,
      imageCache: imageCacheOf(api.imageCache),
      nodeSelector: api.nodeSelector,
      resources: api.resources && {
        cpuRequest: quantityOf(api.resources.requests?.cpu),
        memoryRequest: quantityOf(api.resources.requests?.memory),
        cpuLimit: quantityOf(api.resources.limits?.cpu),
        memoryLimit: quantityOf(api.resources.limits?.memory),
      },
    };
  }
  return {
    image: spec.containerImage,
    release: options.release,
    database: options.database,
    keystone: {
      authUrl: options.keystoneAuthUrl,
      publicAuthUrl: options.keystonePublicAuthUrl,
      username: spec.serviceUser,
      // The glance-operator's convention: the service password in "osp-secret", key "GlancePassword".
      passwordSecret: { name: spec.secret ?? 'osp-secret', key: spec.passwordSelectors?.service ?? 'GlancePassword' },
    },
    backend: options.backend,
    storage: spec.storage && {
      storageRequest: quantityOf(spec.storage.storageRequest),
      // The operator reads "" as "the default class", as an unset storageClassName does.
      storageClass: spec.storage.storageClass === '' ? undefined : spec.storage.storageClass,
      external: spec.storage.external,
    },
    customServiceConfig: spec.customServiceConfig,
    imageCache: imageCacheOf(spec.imageCache),
    dbPurge: spec.dbPurge && { ageInDays: spec.dbPurge.age, schedule: spec.dbPurge.schedule },
    apis,
  };
}

function imageCacheOf(cache: any): ImageCacheOptions | undefined {
  if (cache === undefined || cache === null) return undefined;
  return { size: quantityOf(cache.size), prunerSchedule: cache.prunerSchedule, cleanerSchedule: cache.cleanerScheduler };
}

/** YAML reads "10" as a number; quantities are text. */
function quantityOf(value: string | number | undefined): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

function checkShape(path: string, value: any, shape: Shape): void {
  if (typeof shape === 'string') {
    const ok = shape === 'quantity' ? typeof value === 'string' || typeof value === 'number' : typeof value === shape;
    if (!ok) throw new GlanceValidationError(path, value, `is not a ${shape === 'quantity' ? 'quantity' : shape}`, `write it as a ${shape}`);
    return;
  }
  if (!isObject(value)) throw new GlanceValidationError(path, value, 'is not a mapping', 'write it as a YAML mapping');
  for (const [key, child] of Object.entries(value)) {
    // Own properties only: a field named "constructor" must not match Object.prototype.
    const childShape = Object.hasOwn(shape, key) ? shape[key] : shape['*'];
    if (childShape === undefined) unsupported(`${path}.${key}`, child);
    if (child === null || child === undefined) continue;
    checkShape(`${path}.${key}`, child, childShape);
  }
}

function unsupported(path: string, value: unknown): never {
  throw new GlanceValidationError(path, value, 'is not supported by cdk8s-glance',
    'remove it; see the README, "Bring your Glance CR", for the fields cdk8s-glance reads and what replaces the others');
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
