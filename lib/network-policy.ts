import { k8s } from 'cdk8s-plus-28';
import { GlanceValidationError } from './errors';
import { API_PORT, checkNamePart, HOST } from './names';

/** Who may reach the Glance API pods on port 9292 (a NetworkPolicy per API StatefulSet). */
export interface GlanceNetworkPolicyOptions {
  /**
   * Create the NetworkPolicies. Off, any pod in the cluster can reach every replica.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Namespaces (by name) whose pods may call the API, beside the chart's own namespace.
   * @default - none
   */
  readonly allowedNamespaces?: string[];
  /**
   * Address ranges that may call the API directly, such as the nodes or load balancers in front
   * of a NodePort or LoadBalancer public Service.
   * @default - none
   */
  readonly allowedCidrs?: string[];
}

/** An IPv4 or IPv6 CIDR as Kubernetes validates a NetworkPolicy ipBlock: octets to 255, prefixes to 32 and 128. */
function isCidr(text: string): boolean {
  const [address, prefix, ...rest] = text.split('/');
  if (rest.length || !/^\d{1,3}$/.test(String(prefix))) return false;
  if (/^(\d{1,3}\.){3}\d{1,3}$/.test(address)) return address.split('.').every((octet) => Number(octet) <= 255) && Number(prefix) <= 32;
  return HOST.test(address) && address.includes(':') && !address.startsWith('[') && Number(prefix) <= 128;
}

export function checkNetworkPolicy(options: GlanceNetworkPolicyOptions | undefined): void {
  (options?.allowedNamespaces ?? []).forEach((ns, i) => checkNamePart(`networkPolicy.allowedNamespaces[${i}]`, ns));
  (options?.allowedCidrs ?? []).forEach((cidr, i) => {
    if (typeof cidr !== 'string' || !isCidr(cidr)) {
      throw new GlanceValidationError(`networkPolicy.allowedCidrs[${i}]`, cidr, 'is not a CIDR', 'use e.g. "10.0.0.0/16"');
    }
  });
}

/** The NetworkPolicy of one API StatefulSet: who may reach its pods on port 9292. */
export function apiNetworkPolicy(name: string, labels: Record<string, string>, selector: Record<string, string>,
  options: GlanceNetworkPolicyOptions | undefined): k8s.KubeNetworkPolicyProps {
  const allowed = options ?? {};
  return {
    metadata: { name, labels },
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: ['Ingress'],
      ingress: [{
        ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(API_PORT) }],
        from: [
          // The chart's namespace: the other OpenStack services, the Glance replicas (which
          // proxy staged imports to each other), and whoever runs cache commands.
          { podSelector: {} },
          ...(allowed.allowedNamespaces ?? []).map((ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } })),
          ...(allowed.allowedCidrs ?? []).map((cidr) => ({ ipBlock: { cidr } })),
        ],
      }],
    },
  };
}
