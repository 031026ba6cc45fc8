import { GlanceValidationError } from './errors';
import { checkTcpPort, HOST } from './names';

/**
 * Image import through web-download, where Glance itself fetches a URL a user gives. Glance's
 * default filtering blocks loopback and metadata addresses but not in-cluster ones (Service and
 * pod IPs on ports 80/443), so any project member could make Glance fetch an internal URL: an
 * SSRF. It is therefore offered only with an explicit allow-list.
 */
export interface WebDownloadOptions {
  /**
   * Hosts (names or IP addresses) Glance may download from ([import_filtering_opts] allowed_hosts).
   *
   * Glance skips its own loopback and link-local block for a host on this list (glance/common/utils.py
   * resolve_pinned_address), so the list may not name what that block protects. Refused at synth time:
   * loopback (127.0.0.0/8, ::1, `localhost`, `*.localhost`, `localhost.*`), link-local (169.254.0.0/16
   * with the metadata address 169.254.169.254, fe80::/10, `metadata.google.internal`), unspecified
   * addresses (0.0.0.0/8, ::), any IPv4-mapped or IPv4-compatible IPv6 form (write the IPv4 address),
   * shorthand or encoded IPv4 (`127.1`, `2130706433`, `0x7f000001`), and in-cluster names: names ending
   * in `.svc` or `.cluster.local`, names of the form `<service>.<namespace>.svc.<cluster domain>`,
   * `kubernetes.default`, and single-label names (`kubernetes`, `glance-default`, which a pod resolves
   * through its search domains).
   *
   * Private ranges (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7) are accepted:
   * an internal mirror there is legitimate, and the entry allows that one address, not its range. The
   * library cannot tell a mirror's address from a cluster Service or pod address (the cluster's CIDRs
   * are not in its props), nor see what a name resolves to: Glance trusts whatever an allowed name
   * resolves to, loopback included. List only hosts outside the cluster whose DNS you control.
   *
   * Names are written lowercased, IPv6 addresses in their canonical form (no brackets),
   * since Glance compares them with the URL's host exactly.
   */
  readonly allowedHosts: string[];
  /**
   * URL schemes Glance may download with (allowed_schemes).
   * @default ["https"]
   */
  readonly allowedSchemes?: string[];
  /**
   * Ports Glance may download from (allowed_ports).
   * @default [443]
   */
  readonly allowedPorts?: number[];
}

/** Why an allowed host is refused, and what to do instead; undefined when it is acceptable. */
interface Refusal { readonly problem: string; readonly fix: string }

const NOT_HERE = 'name the external mirror itself (for example "cloud-images.ubuntu.com"); leave internal services off the list, since Glance ' +
  'skips its loopback and link-local block for any host on it';

/** An IPv4 address in dotted-quad form (no leading zeros, as Python's ipaddress reads it), or undefined. */
function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.map(Number);
}

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail allowed), or undefined. */
function parseIpv6(text: string): number[] | undefined {
  // Stryker disable next-line ConditionalExpression,StringLiteral: without a ":" no text has the 8 groups below; this is the short way out
  if (!text.includes(':')) return undefined;
  let head = text;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  // Stryker disable next-line MethodExpression,ArithmeticOperator: a "." can only be in the part after the last ":" of an address
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail.push(v4[0] * 256 + v4[1], v4[2] * 256 + v4[3]);
    head = text.slice(0, lastColon + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  if (![...left, ...right].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const given = left.length + right.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const zeros = new Array(8 - given).fill(0);
  return [...left.map((g) => parseInt(g, 16)), ...zeros, ...right.map((g) => parseInt(g, 16)), ...tail];
}

/** An IPv6 address as Python's str(ipaddress.IPv6Address) writes it (RFC 5952): what Glance compares. */
function canonicalIpv6(groups: number[]): string {
  let best = -1;
  let bestLength = 1;
  // Stryker disable next-line EqualityOperator: groups[8] is undefined, which is no zero group
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: as above, the run ends at groups[8]
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { best = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

function ipv4Refusal(a: number[], what: string): Refusal | undefined {
  if (a[0] === 127) return { problem: `is ${what}a loopback address (127.0.0.0/8): Glance would fetch from its own pod`, fix: NOT_HERE };
  if (a[0] === 169 && a[1] === 254) {
    const metadata = a[2] === 169 && a[3] === 254 ? ', the cloud metadata service' : '';
    return {
      problem: `is ${what}a link-local address (169.254.0.0/16${metadata}): Glance would fetch the node's instance metadata or credentials`,
      fix: NOT_HERE,
    };
  }
  if (a[0] === 0) return { problem: `is ${what}an unspecified address (0.0.0.0/8), which Linux connects to the pod itself`, fix: NOT_HERE };
  return undefined;
}

function ipv6Refusal(g: number[]): Refusal | undefined {
  if (g.every((x) => x === 0)) return { problem: 'is the unspecified address (::), which Linux connects to the pod itself', fix: NOT_HERE };
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) {
    return { problem: 'is the loopback address (::1): Glance would fetch from its own pod', fix: NOT_HERE };
  }
  if (g[0] >= 0xfe80 && g[0] <= 0xfebf) {
    return { problem: 'is a link-local address (fe80::/10): Glance would fetch from the node\'s link', fix: NOT_HERE };
  }
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, a.b above 0.255), 64:ff9b::a.b.c.d (NAT64): an IPv4 address in IPv6 clothes.
  const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  const compatible = g.slice(0, 6).every((x) => x === 0) && g[6] >= 0x100;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
  if (mapped || compatible || nat64) {
    const v4 = [Math.floor(g[6] / 256), g[6] % 256, Math.floor(g[7] / 256), g[7] % 256];
    const form = mapped ? 'IPv4-mapped' : compatible ? 'IPv4-compatible' : 'NAT64';
    const inner = ipv4Refusal(v4, `the ${form} form of ${v4.join('.')}, `);
    if (inner) return inner;
    return {
      problem: `is the ${form} form of ${v4.join('.')}, which Glance 25 and 30 write differently (Python 3.11 and 3.13) and so may never match ` +
        'the URL\'s host',
      fix: `write the IPv4 address itself: "${v4.join('.')}"`,
    };
  }
  return undefined;
}

function nameRefusal(name: string): Refusal | undefined {
  const labels = name.split('.');
  if (labels[0] === 'localhost' || labels[labels.length - 1] === 'localhost') {
    return {
      problem: 'names the loopback interface (localhost, *.localhost and localhost.* resolve to 127.0.0.1 or ::1): Glance would fetch from ' +
      'its own pod',
      fix: NOT_HERE,
    };
  }
  if (name === 'metadata.google.internal') {
    return { problem: 'is the name of the cloud metadata service (169.254.169.254)', fix: NOT_HERE };
  }
  if (labels.every((l) => /^(0x[0-9a-f]*|[0-9]+)$/.test(l))) {
    return {
      problem: 'is a shorthand or encoded IPv4 address, which Glance refuses in URLs (and oslo.config refuses as a host)',
      fix: 'write the address as four decimal numbers, e.g. "192.0.2.7", or use the mirror\'s name',
    };
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1])) {
    return {
      problem: 'ends in an all-numeric label, which oslo.config refuses as a host name (and Glance then refuses every import)',
      fix: 'use the mirror\'s fully qualified name or its IPv4 address',
    };
  }
  if (labels.length === 1) {
    return {
      problem: 'is a single-label name: in a pod it resolves through the search domains to a Service of the namespace or the cluster (e.g. ' +
        '"kubernetes", the API server)',
      fix: `use the mirror's fully qualified name; ${NOT_HERE}`,
    };
  }
  const svc = labels.indexOf('svc');
  if (name.endsWith('.cluster.local') || labels[labels.length - 1] === 'svc' || svc >= 2 || name === 'kubernetes.default') {
    return {
      problem: 'is an in-cluster name (<service>.<namespace>.svc[.<cluster domain>], *.cluster.local): Glance would fetch from a Service ' +
      'or pod of the cluster',
      fix: NOT_HERE,
    };
  }
  return undefined;
}

/** A host as Glance compares it with a URL's host, or why it is refused. */
function classifyHost(host: string): { rendered: string } | Refusal {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const v6 = parseIpv6(bare);
  if (v6) return ipv6Refusal(v6) ?? { rendered: canonicalIpv6(v6) };
  if (!HOST.test(host) || bare !== host) {
    return { problem: 'is not a host name or IP address', fix: 'use e.g. "cloud-images.ubuntu.com"' };
  }
  const v4 = parseIpv4(host);
  if (v4) return ipv4Refusal(v4, '') ?? { rendered: v4.join('.') };
  // HOST refuses a trailing dot: "mirror.example." is no host Glance could match.
  const name = host.toLowerCase();
  return nameRefusal(name) ?? { rendered: name };
}

export function checkWebDownload(options: WebDownloadOptions): void {
  if (!Array.isArray(options.allowedHosts) || options.allowedHosts.length === 0) {
    throw new GlanceValidationError('webDownload.allowedHosts', options.allowedHosts, 'is empty',
      'list the hosts Glance may download images from, e.g. ["cloud-images.ubuntu.com"]; leave webDownload unset to keep web-download off');
  }
  options.allowedHosts.forEach((host, i) => {
    if (typeof host !== 'string') {
      throw new GlanceValidationError(`webDownload.allowedHosts[${i}]`, host, 'is not a host name or IP address',
        'use e.g. "cloud-images.ubuntu.com"');
    }
    const verdict = classifyHost(host);
    if ('problem' in verdict) throw new GlanceValidationError(`webDownload.allowedHosts[${i}]`, host, verdict.problem, verdict.fix);
  });
  if (options.allowedSchemes !== undefined && (!Array.isArray(options.allowedSchemes) || options.allowedSchemes.length === 0)) {
    throw new GlanceValidationError('webDownload.allowedSchemes', options.allowedSchemes, 'is empty: Glance then allows every scheme',
      'list the schemes, e.g. ["https"], or leave allowedSchemes unset for ["https"]');
  }
  (options.allowedSchemes ?? []).forEach((scheme, i) => {
    if (!['http', 'https', 'ftp'].includes(scheme)) {
      throw new GlanceValidationError(`webDownload.allowedSchemes[${i}]`, scheme, 'is not a scheme Glance downloads with',
        'use "https", "http" or "ftp"');
    }
  });
  if (options.allowedPorts !== undefined && (!Array.isArray(options.allowedPorts) || options.allowedPorts.length === 0)) {
    throw new GlanceValidationError('webDownload.allowedPorts', options.allowedPorts, 'is empty: Glance then allows every port',
      'list the ports, e.g. [443], or leave allowedPorts unset for [443]');
  }
  (options.allowedPorts ?? []).forEach((port, i) => checkTcpPort(`webDownload.allowedPorts[${i}]`, port));
}

/**
 * The [import_filtering_opts] options of glance.conf for an allow-list (checked by checkWebDownload).
 * Glance declares them ListOpt(bounds=True): oslo.config reads such a list only inside brackets,
 * `[a,b]` (oslo_config/types.py List.__call__; a value without them is a ValueError).
 */
export function importFilteringOptions(web: WebDownloadOptions): Record<string, string> {
  const list = (items: Array<string | number>) => `[${items.join(',')}]`;
  return {
    allowed_schemes: list(web.allowedSchemes ?? ['https']),
    // checkWebDownload refused every host without a rendering.
    allowed_hosts: list(web.allowedHosts.map((host) => (classifyHost(host) as { rendered: string }).rendered)),
    allowed_ports: list(web.allowedPorts ?? [443]),
  };
}
