/**
 * How the value of one CR field becomes the value of its prop, for the fields that are more than
 * copied: quantities, API types, the endpoint Services' overrides, resources. The field table
 * (fields.ts) names these readers in its rows.
 */
import { Cron } from 'cdk8s';
import { GlanceValidationError } from '../errors';
import type { ApiProbesOptions, EndpointServiceOptions, EndpointServicesOptions, GlanceApiOptions, ProbeTimingOptions } from '../glance-api-props';
import { GlanceApiType } from '../glance-api-props';
import { parseIni } from '../ini';
import { API_PORT, checkServiceType, HTTP_URL } from '../names';
import { INT32_MAX } from '../quantity';
import { cronFromText } from '../schedule';

export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a dotted path below `object`; undefined where a step is no mapping. */
export function valueAt(object: unknown, path: string): any {
  return path.split('.').reduce<any>((o, key) => (isObject(o) ? o[key] : undefined), object);
}

/** YAML reads "10" as a number; quantities are text. */
export function quantityOf(value: string | number | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

/** A size limit of the CR, in MiB, as a quantity; anything but a number is left for the quotas' own check to name. */
export function mebibytesOf(value: unknown): unknown {
  return typeof value === 'number' ? `${value}Mi` : value;
}

/** A name where "" means none, as the operator reads an empty secretName. */
export function nonEmpty(value: string): string | undefined {
  return value === '' ? undefined : value;
}

/** A list, or nothing for an empty one (as the operator reads a list it falls back from when empty). */
export function nonEmptyList(value: unknown): unknown {
  return Array.isArray(value) && value.length === 0 ? undefined : value;
}

// A Map, not an object: a type such as "toString" must not find Object.prototype.
const API_TYPES = new Map<string, GlanceApiType>([
  ['single', GlanceApiType.SINGLE], ['split', GlanceApiType.SPLIT], ['edge', GlanceApiType.EDGE],
]);

export function apiTypeOf(typeName: string, path: string): GlanceApiType {
  const type = API_TYPES.get(typeName);
  if (!type) throw new GlanceValidationError(path, typeName, 'is not a Glance API type', `use one of ${[...API_TYPES.keys()].join(', ')}`);
  return type;
}

/** An API's own customServiceConfig, as written (its stores are read with the deployment's, stores.ts apiStoresOf). */
export function apiConfigOf(custom: string, path: string): string {
  parseIni(path, custom);
  return custom;
}

/** The props of GlanceApiOptions.resources, each from its path in the CR's resources. */
export const RESOURCE_PARTS: Readonly<Record<string, string>> = {
  cpuRequest: 'requests.cpu',
  memoryRequest: 'requests.memory',
  cpuLimit: 'limits.cpu',
  memoryLimit: 'limits.memory',
};

export function resourcesOf(resources: Record<string, any>, path: string): GlanceApiOptions['resources'] {
  const kinds = Object.values(RESOURCE_PARTS).map((part) => part.split('.')[0]);
  const names = Object.values(RESOURCE_PARTS).map((part) => part.split('.')[1]);
  for (const key of Object.keys(resources)) {
    if (!kinds.includes(key)) {
      throw new GlanceValidationError(`${path}.${key}`, resources[key], 'is not supported by cdk8s-glance', 'give requests and limits only');
    }
    for (const [resource, amount] of Object.entries<any>(resources[key] ?? {})) {
      if (!names.includes(resource)) {
        throw new GlanceValidationError(`${path}.${key}.${resource}`, amount, 'is not supported by cdk8s-glance', 'give cpu and memory only');
      }
    }
  }
  return Object.fromEntries(Object.entries(RESOURCE_PARTS).map(([prop, part]) => [prop, quantityOf(valueAt(resources, part))]));
}

/** The props of one endpoint Service's options, each from its path in the operator's Service override. */
const SERVICE_OVERRIDE: Readonly<Record<keyof EndpointServiceOptions, string>> = {
  serviceType: 'spec.type',
  annotations: 'metadata.annotations',
  labels: 'metadata.labels',
};
/** The endpoints whose Service an override may change. */
const ENDPOINTS = ['internal', 'public'] as const;

/** The props of EndpointServicesOptions, each from its path in the CR's override. */
export const OVERRIDE_PARTS: Readonly<Record<string, string>> = Object.fromEntries(ENDPOINTS.flatMap((endpoint) =>
  Object.entries(SERVICE_OVERRIDE).map(([prop, part]) => [`${endpoint}Service.${prop}`, `service.${endpoint}.${part}`])));

/**
 * The operator's override of the endpoint Services: type, annotations and labels, for internal
 * and public. Anything else it can override is refused by its path.
 */
export function endpointServicesOf(override: Record<string, any>, path: string): EndpointServicesOptions | undefined {
  const result: Record<string, EndpointServiceOptions> = {};
  for (const [key, value] of Object.entries(override)) {
    // The probes' timing: read with the API's apiTimeout (probesOf).
    if (key === 'probes') continue;
    if (key !== 'service') throw unsupportedAt(`${path}.${key}`, value, `overrides of ${key}`);
    if (!isObject(value)) throw new GlanceValidationError(`${path}.service`, value, 'is not a mapping', 'give internal and public');
    for (const [endpoint, service] of Object.entries<any>(value)) {
      const at = `${path}.service.${endpoint}`;
      if (!(ENDPOINTS as readonly string[]).includes(endpoint)) throw unsupportedAt(at, service, `an override of the ${endpoint} Service`);
      if (!isObject(service)) throw new GlanceValidationError(at, service, 'is not a mapping', 'give metadata and spec');
      for (const [part, content] of Object.entries<any>(service)) {
        // The URL Keystone lists for the endpoint: read with the registration (read.ts).
        if (part === 'endpointURL') {
          if (typeof content !== 'string' || !HTTP_URL.test(content)) {
            throw new GlanceValidationError(`${at}.endpointURL`, content, 'is not an http(s) URL', 'give e.g. https://glance-default-public.example.com');
          }
          continue;
        }
        if (!isObject(content)) throw unsupportedAt(`${at}.${part}`, content, `Service ${part} overrides`);
        for (const field of Object.keys(content)) {
          if (!Object.values(SERVICE_OVERRIDE).includes(`${part}.${field}`)) {
            throw unsupportedAt(`${at}.${part}.${field}`, content[field], `Service overrides of ${part}.${field}`);
          }
        }
      }
      const options: Record<string, any> = Object.fromEntries(Object.entries(SERVICE_OVERRIDE).map(([prop, part]) => [prop, valueAt(service, part)]));
      // The CR's type strings are kplus.ServiceType's values: the props' own check applies.
      checkServiceType(`${at}.${SERVICE_OVERRIDE.serviceType}`, options.serviceType);
      result[`${endpoint}Service`] = options;
    }
  }
  return Object.keys(result).length ? result : undefined;
}

/** The CR's probe fields, by our probe names (lib-common probes.OverrideSpec). */
const PROBES: Record<keyof ApiProbesOptions, string> = { liveness: 'livenessProbes', readiness: 'readinessProbes', startup: 'startupProbes' };
const TIMING = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'failureThreshold'] as const;
/** What the API server gives a probe field the operator leaves 0 (k8s.io/api core/v1 defaults). */
const API_SERVER_DEFAULTS: Required<ProbeTimingOptions> = { initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 10, failureThreshold: 3 };

/**
 * The probes' timing as the glance-operator sets it: GetDefaultProbesAPI(apiTimeout)
 * (internal/glance/funcs.go), each positive value of override.probes replacing its default
 * (lib-common probes ProbeConf.Merge), a 0 left to the API server's default. The handler (GET
 * /healthcheck on the API's port, its scheme the endpoint's) is the library's, as it is the
 * operator's: a probe of another type, path, command, port or scheme is refused.
 */
export function probesOf(probes: unknown, path: string, apiTimeout: number): ApiProbesOptions {
  const period = Math.floor(apiTimeout * 0.3);
  const timeout = Math.max(period * 0.8, 5);
  const check = { initialDelaySeconds: 5, timeoutSeconds: Math.floor(timeout), periodSeconds: period, failureThreshold: 3 };
  const defaults: Record<keyof ApiProbesOptions, Required<ProbeTimingOptions>> = {
    liveness: check,
    readiness: check,
    startup: { initialDelaySeconds: 5, timeoutSeconds: 5, periodSeconds: Math.floor(Math.max(5, Math.min(10, period / 2))), failureThreshold: 12 },
  };
  if (probes !== undefined && !isObject(probes)) throw new GlanceValidationError(path, probes, 'is not a mapping', 'give livenessProbes, ...');
  const result: Record<string, Required<ProbeTimingOptions>> = {};
  for (const [probe, field] of Object.entries(PROBES) as Array<[keyof ApiProbesOptions, string]>) {
    const at = `${path}.${field}`;
    const given: unknown = (probes as Record<string, unknown> | undefined)?.[field] ?? {};
    if (!isObject(given)) throw new GlanceValidationError(at, given, 'is not a mapping', 'give e.g. periodSeconds and failureThreshold');
    for (const [key, value] of Object.entries(given)) {
      if ((TIMING as readonly string[]).includes(key)) {
        // As lib-common's ValidateProbeConf, the webhook's check.
        if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > INT32_MAX) {
          throw new GlanceValidationError(`${at}.${key}`, value, 'is not a whole number of 0 or more', 'use e.g. 10, or 0 for the default');
        }
      } else if (!((key === 'type' && ['', 'HTTP'].includes(value as string)) || (key === 'path' && ['', '/healthcheck'].includes(value as string))
        || (key === 'port' && [0, API_PORT].includes(value as number)) || (key === 'command' && Array.isArray(value) && value.length === 0))) {
        throw unsupportedAt(`${at}.${key}`, value, 'a probe other than GET /healthcheck on the API\'s port (its scheme the endpoint\'s)');
      }
    }
    const timing = { ...defaults[probe] };
    for (const key of TIMING) {
      const value = given[key] as number | undefined;
      if (value !== undefined && value > 0) timing[key] = value;
      if (timing[key] === 0) timing[key] = API_SERVER_DEFAULTS[key];
    }
    result[probe] = timing;
  }
  return result;
}

export function unsupportedAt(path: string, value: unknown, feature: string): GlanceValidationError {
  return new GlanceValidationError(path, value, `is not supported by cdk8s-glance: ${feature}`,
    'remove it; see the README, "Bring your Glance CR", for what cdk8s-glance reads and what replaces the rest');
}

/** A CronJob schedule field: cron text, checked where the CR holds it. */
export function cronOf(text: string, path: string): Cron {
  return cronFromText(path, text);
}
