import { k8s } from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { GlanceValidationError, warnOnce } from './errors';
import { GlanceApiRole } from './glance-api-props';
import { API_PORT, checkNamePart, checkTcpPort, HOST } from './names';

/**
 * Who may call the API StatefulSets that serve one endpoint, beside the pods of the chart's own
 * namespace (always admitted: the other OpenStack services, the Glance replicas, which proxy
 * staged imports to each other, and whoever runs cache commands).
 */
export interface GlanceEndpointAccessOptions {
  /**
   * Namespaces (by name) whose pods may call the API.
   * @default - none
   */
  readonly allowedNamespaces?: string[];
  /**
   * Address ranges that may call the API directly, such as the nodes or load balancers in front
   * of a NodePort or LoadBalancer Service. A /0 range needs `networkPolicy.allowAnyAddress`.
   * @default - none
   */
  readonly allowedCidrs?: string[];
}

/**
 * A destination the Glance API pods may connect to, when their egress is restricted: a namespace
 * or an address range (NetworkPolicy cannot name hosts), on some TCP ports or on all.
 * Give exactly one of `namespace` and `cidr`.
 */
export interface GlanceEgressDestination {
  /**
   * A namespace (by name) whose pods the API may connect to: Ceph's (rook-ceph), Keystone's or
   * the database's when they do not run in the chart's namespace.
   * @default - none: give `cidr` instead
   */
  readonly namespace?: string;
  /**
   * An address range the API may connect to: a Keystone, database, Ceph cluster, S3 or Swift
   * endpoint, or web-download mirror outside the cluster. A /0 range needs
   * `networkPolicy.allowAnyAddress`.
   * @default - none: give `namespace` instead
   */
  readonly cidr?: string;
  /**
   * TCP ports on the destination. Omit for every port (Ceph's OSDs use 6800-7300).
   * @default - every port and protocol
   */
  readonly ports?: number[];
}

/**
 * Where the Glance API pods may connect to. DNS (port 53, UDP and TCP, to `dnsNamespace` and
 * `dnsCidrs`) and every pod of the chart's namespace (the database, Keystone and the other
 * replicas usually run there) are always allowed; list everything else in `destinations`.
 */
export interface GlanceEgressOptions {
  /**
   * The namespace of the cluster DNS, allowed on port 53 (UDP and TCP).
   * @default "kube-system"
   */
  readonly dnsNamespace?: string;
  /**
   * Addresses of a DNS server outside `dnsNamespace`, allowed on port 53 (UDP and TCP): a
   * node-local DNS cache such as "169.254.20.10/32" (kubespray's default is 169.254.25.10).
   * @default - none
   */
  readonly dnsCidrs?: string[];
  /**
   * Everything else the API pods connect to outside the chart's namespace: Keystone, the
   * database, the image stores (Ceph, S3, Swift, Cinder) and web-download hosts.
   * @default - none
   */
  readonly destinations?: GlanceEgressDestination[];
}

/**
 * Who may reach the Glance API pods on port 9292 (a NetworkPolicy per API StatefulSet), and,
 * on request, where they may connect to.
 *
 * A StatefulSet that serves only the internal endpoint (INTERNAL, EDGE) admits
 * `internalEndpoint`; one that serves only the public endpoint (EXTERNAL) admits
 * `publicEndpoint`; a SINGLE one serves both, so it admits both lists. The pods of the chart's
 * namespace are always admitted.
 */
export interface GlanceNetworkPolicyOptions {
  /**
   * Create the NetworkPolicies. Off, any pod in the cluster can reach every replica.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Who else may call the StatefulSets serving the internal endpoint (INTERNAL, EDGE, SINGLE).
   * The internal API of a SPLIT pair shows image locations (with the rbd store): keep this list short.
   * @default - the chart's namespace only
   */
  readonly internalEndpoint?: GlanceEndpointAccessOptions;
  /**
   * Who else may call the StatefulSets serving the public endpoint (EXTERNAL, SINGLE).
   * @default - the chart's namespace only
   */
  readonly publicEndpoint?: GlanceEndpointAccessOptions;
  /**
   * Namespaces whose pods may call the public endpoint's StatefulSets (EXTERNAL, SINGLE).
   * @deprecated use `publicEndpoint.allowedNamespaces` (the same list). It no longer opens INTERNAL
   * or EDGE StatefulSets: list their callers in `internalEndpoint`.
   * @default - none
   */
  readonly allowedNamespaces?: string[];
  /**
   * Address ranges that may call the public endpoint's StatefulSets (EXTERNAL, SINGLE).
   * @deprecated use `publicEndpoint.allowedCidrs` (the same list). It no longer opens INTERNAL or
   * EDGE StatefulSets: list their callers in `internalEndpoint`.
   * @default - none
   */
  readonly allowedCidrs?: string[];
  /**
   * Accept a /0 range ("0.0.0.0/0", "::/0") in the CIDR lists: every address may call the API
   * (or, in `egress`, be called by it). Without it such a range is refused, as it is most often
   * an accident.
   * @default false
   */
  readonly allowAnyAddress?: boolean;
  /**
   * Restrict where the API pods may connect to (an Egress rule on their NetworkPolicy). Off by
   * default: a default-deny egress breaks every deployment whose database, Keystone or image store
   * lies outside the cluster or in a namespace it does not list. The database and cache jobs
   * keep unrestricted egress.
   * @default - no egress restriction
   */
  readonly egress?: GlanceEgressOptions;
}

/** An IPv4 or IPv6 CIDR as Kubernetes validates a NetworkPolicy ipBlock: octets to 255, prefixes to 32 and 128. */
function isCidr(text: string): boolean {
  const [address, prefix, ...rest] = text.split('/');
  if (rest.length || !/^\d{1,3}$/.test(String(prefix))) return false;
  if (/^(\d{1,3}\.){3}\d{1,3}$/.test(address)) return address.split('.').every((octet) => Number(octet) <= 255) && Number(prefix) <= 32;
  return HOST.test(address) && address.includes(':') && !address.startsWith('[') && Number(prefix) <= 128;
}

function checkCidr(prop: string, cidr: unknown, anyAddress: boolean, meaning: string): void {
  if (typeof cidr !== 'string' || !isCidr(cidr)) {
    throw new GlanceValidationError(prop, cidr, 'is not a CIDR', 'use e.g. "10.0.0.0/16"');
  }
  if (!anyAddress && Number(cidr.split('/')[1]) === 0) {
    throw new GlanceValidationError(prop, cidr, `is a /0 range: ${meaning} every address`,
      'list the address ranges that need it, or set networkPolicy.allowAnyAddress to true if every address really should');
  }
}

function checkList(prop: string, list: unknown): unknown[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new GlanceValidationError(prop, list, 'is not a list', 'use an array');
  return list;
}

function checkAccess(prop: string, access: GlanceEndpointAccessOptions | undefined, anyAddress: boolean): void {
  checkList(`${prop}.allowedNamespaces`, access?.allowedNamespaces)
    .forEach((ns, i) => checkNamePart(`${prop}.allowedNamespaces[${i}]`, ns as string));
  checkList(`${prop}.allowedCidrs`, access?.allowedCidrs)
    .forEach((cidr, i) => checkCidr(`${prop}.allowedCidrs[${i}]`, cidr, anyAddress, 'it admits'));
}

function checkEgress(egress: GlanceEgressOptions, anyAddress: boolean): void {
  const path = 'networkPolicy.egress';
  if (egress.dnsNamespace !== undefined) checkNamePart(`${path}.dnsNamespace`, egress.dnsNamespace);
  checkList(`${path}.dnsCidrs`, egress.dnsCidrs)
    .forEach((cidr, i) => checkCidr(`${path}.dnsCidrs[${i}]`, cidr, anyAddress, 'it lets the pods reach'));
  checkList(`${path}.destinations`, egress.destinations).forEach((d, i) => {
    const at = `${path}.destinations[${i}]`;
    const destination = (d ?? {}) as GlanceEgressDestination;
    if ((destination.namespace === undefined) === (destination.cidr === undefined)) {
      throw new GlanceValidationError(at, d, 'names no destination, or two', 'give exactly one of namespace and cidr (one destination each)');
    }
    if (destination.namespace !== undefined) checkNamePart(`${at}.namespace`, destination.namespace);
    if (destination.cidr !== undefined) checkCidr(`${at}.cidr`, destination.cidr, anyAddress, 'it lets the pods reach');
    if (destination.ports === undefined) return;
    const ports = checkList(`${at}.ports`, destination.ports);
    if (!ports.length) throw new GlanceValidationError(`${at}.ports`, ports, 'is empty', 'list TCP ports, or leave ports out for every port');
    ports.forEach((port, j) => checkTcpPort(`${at}.ports[${j}]`, port));
  });
}

export function checkNetworkPolicy(options: GlanceNetworkPolicyOptions | undefined): void {
  const anyAddress = options?.allowAnyAddress === true;
  checkAccess('networkPolicy', options, anyAddress);
  checkAccess('networkPolicy.internalEndpoint', options?.internalEndpoint, anyAddress);
  checkAccess('networkPolicy.publicEndpoint', options?.publicEndpoint, anyAddress);
  for (const key of ['allowedNamespaces', 'allowedCidrs'] as const) {
    if (options?.[key] !== undefined && options.publicEndpoint?.[key] !== undefined) {
      throw new GlanceValidationError(`networkPolicy.${key}`, options[key],
        `is set, and so is networkPolicy.publicEndpoint.${key} (it is the deprecated spelling of that list)`,
        `move its entries to networkPolicy.publicEndpoint.${key}, or to networkPolicy.internalEndpoint.${key} for callers of the internal endpoint`);
    }
  }
  if (options?.egress !== undefined) {
    if (options.enabled === false) {
      throw new GlanceValidationError('networkPolicy.egress', options.egress, 'is set, but networkPolicy.enabled is false',
        'remove networkPolicy.egress, or networkPolicy.enabled');
    }
    checkEgress(options.egress, anyAddress);
  }
}

/** The namespace selector of one namespace, by the label Kubernetes gives every namespace. */
function namespacePeer(ns: string): k8s.NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } };
}

/** Who may call a StatefulSet of `role`: whatever is admitted to each endpoint it serves, once. */
function admitted(role: GlanceApiRole, options: GlanceNetworkPolicyOptions): { namespaces: string[]; cidrs: string[] } {
  const internal = options.internalEndpoint ?? {};
  const publicList = {
    allowedNamespaces: options.publicEndpoint?.allowedNamespaces ?? options.allowedNamespaces,
    allowedCidrs: options.publicEndpoint?.allowedCidrs ?? options.allowedCidrs,
  };
  const lists = [
    ...(role === GlanceApiRole.EXTERNAL ? [] : [internal]),
    ...(role === GlanceApiRole.EXTERNAL || role === GlanceApiRole.SINGLE ? [publicList] : []),
  ];
  const unique = (values: string[]) => [...new Set(values)];
  return {
    namespaces: unique(lists.flatMap((l) => l.allowedNamespaces ?? [])),
    cidrs: unique(lists.flatMap((l) => l.allowedCidrs ?? [])),
  };
}

const DNS_PORT = 53;

/** The egress rules of the API pods: DNS, the chart's namespace, and the user's destinations. */
function egressRules(egress: GlanceEgressOptions): k8s.NetworkPolicyEgressRule[] {
  const tcp = (port: number) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
  return [
    {
      to: [namespacePeer(egress.dnsNamespace ?? 'kube-system'), ...(egress.dnsCidrs ?? []).map((cidr) => ({ ipBlock: { cidr } }))],
      ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(DNS_PORT) }, tcp(DNS_PORT)],
    },
    // The chart's namespace, on every port: the database, Keystone and the other replicas
    // (staged imports are proxied to the replica that holds them) usually run there.
    { to: [{ podSelector: {} }] },
    ...(egress.destinations ?? []).map((d) => ({
      to: [d.namespace !== undefined ? namespacePeer(d.namespace) : { ipBlock: { cidr: d.cidr! } }],
      ...(d.ports ? { ports: d.ports.map(tcp) } : {}),
    })),
  ];
}

/**
 * The NetworkPolicy of one API StatefulSet of `role`: who may reach its pods on port 9292 and,
 * with `egress`, where they may connect to.
 */
export function apiNetworkPolicy(scope: IConstruct, name: string, role: GlanceApiRole, labels: Record<string, string>,
  selector: Record<string, string>, options: GlanceNetworkPolicyOptions | undefined): k8s.KubeNetworkPolicyProps {
  const allowed = options ?? {};
  const internalOnly = role === GlanceApiRole.INTERNAL || role === GlanceApiRole.EDGE;
  if (internalOnly && (allowed.allowedNamespaces?.length || allowed.allowedCidrs?.length)) {
    // Stryker disable next-line StringLiteral: the only warning of its code, so any key keeps it once per app
    warnOnce(scope, 'CDK8S_GLANCE_NETWORK_POLICY', 'deprecated-lists', 'cdk8s-glance: networkPolicy.allowedNamespaces and allowedCidrs ' +
      '(deprecated) now admit callers of the '
      + `public endpoint only: INTERNAL and EDGE StatefulSets such as ${name} no longer admit them. List the callers of the internal endpoint `
      + 'in networkPolicy.internalEndpoint, and move the public ones to networkPolicy.publicEndpoint.');
  }
  const { namespaces, cidrs } = admitted(role, allowed);
  return {
    metadata: { name, labels },
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: allowed.egress ? ['Ingress', 'Egress'] : ['Ingress'],
      ingress: [{
        ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(API_PORT) }],
        from: [
          // The chart's namespace: the other OpenStack services, the Glance replicas (which
          // proxy staged imports to each other), and whoever runs cache commands.
          { podSelector: {} },
          ...namespaces.map(namespacePeer),
          ...cidrs.map((cidr) => ({ ipBlock: { cidr } })),
        ],
      }],
      ...(allowed.egress ? { egress: egressRules(allowed.egress) } : {}),
    },
  };
}
