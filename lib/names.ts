import * as kplus from 'cdk8s-plus-28';
import { GlanceValidationError } from './errors';

/** The port every Glance API listens on. */
export const API_PORT = 9292;

/** The Service types of an endpoint: an ExternalName Service selects no pods, and names no Glance. */
const ENDPOINT_SERVICE_TYPES: readonly kplus.ServiceType[] = [
  kplus.ServiceType.CLUSTER_IP, kplus.ServiceType.NODE_PORT, kplus.ServiceType.LOAD_BALANCER,
];

/** Checks the type of an endpoint Service, and returns it. */
export function checkServiceType(prop: string, type: kplus.ServiceType | undefined): kplus.ServiceType | undefined {
  if (type !== undefined && !ENDPOINT_SERVICE_TYPES.includes(type)) {
    throw new GlanceValidationError(prop, type, 'is not a Service type an endpoint can have',
      'use ClusterIP, NodePort or LoadBalancer (kplus.ServiceType)');
  }
  return type;
}

/**
 * A replica's worker_self_reference_url: its own hostname through the StatefulSet's headless
 * Service. The API and each of its cache jobs set it, and the centralized_db cache driver keys
 * every cache record by it, so both must resolve to the same string. podName may be the
 * kubelet reference "$(POD_NAME)"; the namespace is always "$(POD_NAMESPACE)". With TLS the URL
 * is https: the replica's certificate covers its hostname.
 */
export function workerSelfReferenceUrl(statefulSetName: string, podName: string, https = false): string {
  return `${https ? 'https' : 'http'}://${podName}.${statefulSetName}.$(POD_NAMESPACE).svc:${API_PORT}`;
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** The naming rule of one kind of derived object: the pattern and the length Kubernetes really allows. */
export interface NameRule {
  readonly pattern: RegExp;
  readonly maxLength: number;
  readonly fix: string;
}

const LABEL_FIX = 'use lower-case letters, digits and "-"';
export const NameKind = {
  // Pods get a "controller-revision-hash" label of "<name>-<10 chars>", capped at 63.
  STATEFUL_SET: { pattern: DNS_1123_LABEL, maxLength: 52, fix: LABEL_FIX },
  // Jobs get "<name>-<8 digit timestamp>" and their pods a further suffix.
  CRON_JOB: { pattern: DNS_1123_LABEL, maxLength: 52, fix: LABEL_FIX },
  // Service names are DNS-1035 labels: they must start with a letter.
  SERVICE: { pattern: DNS_1035_LABEL, maxLength: 63, fix: 'start the name with a letter' },
  OBJECT: { pattern: DNS_1123_LABEL, maxLength: 63, fix: LABEL_FIX },
} satisfies Record<string, NameRule>;

/** Checks that a user-given name part is a lower-case DNS-1123 label. */
export function checkNamePart(prop: string, value: string): void {
  if (typeof value !== 'string' || !DNS_1123_LABEL.test(value) || value.length > 63) {
    throw new GlanceValidationError(prop, value, 'is not a DNS-1123 label',
      'use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit');
  }
}

/**
 * Checks a name that Kubernetes takes as a DNS-1123 subdomain (a storage class's or a Secret's): at
 * most 253 characters of DNS-1123 labels joined by "."; `problem` and `fix` say it in the prop's terms.
 */
export function checkSubdomain(prop: string, value: string, problem = 'is not a DNS-1123 subdomain',
  fix = 'use at most 253 lower-case letters, digits, "-" and ".", each "."-separated part starting and ending with a letter or digit'): void {
  if (typeof value !== 'string' || value.length > 253 || !value.split('.').every((label) => DNS_1123_LABEL.test(label) && label.length <= 63)) {
    throw new GlanceValidationError(prop, value, problem, fix);
  }
}

/**
 * Checks a name derived from props against the limits of its kind.
 * `prop` names the prop to shorten when the derived name is too long.
 */
export function checkDerivedName(prop: string, name: string, rule: NameRule, what: string): void {
  if (!rule.pattern.test(name)) {
    throw new GlanceValidationError(prop, name, `gives the ${what} name "${name}", which is not a valid DNS label`, rule.fix);
  }
  if (name.length > rule.maxLength) {
    throw new GlanceValidationError(prop, name, `gives the ${what} name "${name}" of ${name.length} characters, over the limit of ${rule.maxLength}`,
      `shorten ${prop} by at least ${name.length - rule.maxLength} characters`);
  }
}

/** Checks that no two derived objects of one kind share a name. */
export class NameRegistry {
  private readonly seen = new Map<string, string>();

  public claim(kind: string, name: string, prop: string): void {
    const key = `${kind}/${name}`;
    const owner = this.seen.get(key);
    if (owner !== undefined) {
      throw new GlanceValidationError(prop, name, `gives a ${kind} named "${name}", which ${owner} already uses`,
        'rename one of the APIs so that their derived names differ');
    }
    this.seen.set(key, prop);
  }

  /** The prop that claimed a name, if any (none for no name). */
  public owner(kind: string, name: string | undefined): string | undefined {
    return this.seen.get(`${kind}/${name}`);
  }
}

/** A host name, an IPv4 address, or an IPv6 address (possibly in brackets) of hex groups. */
const DNS_LABEL = '[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?';
export const HOST = new RegExp(`^(?=.{1,253}$)(${DNS_LABEL})(\\.${DNS_LABEL})*$|^\\[?[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}\\]?$`);

/** An http(s) URL with a host and an optional path, on one line. */
export const HTTP_URL = /^https?:\/\/[^\s/]+(\/\S*)?$/;

/** Checks a Secret key reference: a Secret name and a key that Kubernetes accepts. */
export function checkSecretKey(prop: string, ref: SecretKeySelector | undefined): void {
  if (!ref) throw new GlanceValidationError(prop, ref, 'is required', 'name the Secret and key, e.g. { name: "glance-db", key: "connection" }');
  checkNamePart(`${prop}.name`, ref.name);
  if (typeof ref.key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(ref.key)) {
    throw new GlanceValidationError(`${prop}.key`, ref.key, 'is not a valid Secret key', 'use letters, digits, "-", "_" and "."');
  }
}

/** Checks a boolean prop, when given: a JavaScript caller may pass anything. */
export function checkBoolean(prop: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw new GlanceValidationError(prop, value, 'is not a boolean', 'use true or false');
}

/** Checks a free-text value that lands on one line of glance.conf: a non-empty string without line breaks. */
export function checkLine(prop: string, value: unknown, fix: string): void {
  if (typeof value !== 'string' || value.trim() === '' || /[\r\n\0]/.test(value)) {
    throw new GlanceValidationError(prop, value, 'is empty or spans lines', fix);
  }
}

/** An API's replicas (default 1), checked: a whole number, 0 or more. `path` is the API's prop path. */
export function replicaCount(path: string, replicas: number | undefined): number {
  const count = replicas ?? 1;
  if (!Number.isInteger(count) || count < 0) {
    throw new GlanceValidationError(`${path}.replicas`, replicas, 'is not a whole number of replicas', 'use 0 or more');
  }
  return count;
}

/** Checks a TCP port: a whole number from 1 to 65535. */
export function checkTcpPort(prop: string, port: unknown): void {
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
    throw new GlanceValidationError(prop, port, 'is not a TCP port', 'use a whole number from 1 to 65535');
  }
}

/** A key inside a Kubernetes Secret. */
export interface SecretKeySelector {
  /** Name of the Secret, in the chart's namespace. */
  readonly name: string;
  /** Key inside the Secret. */
  readonly key: string;
}
