/**
 * What a web-download e2e needs around Glance: an image mirror outside the cluster, an internal
 * host it must not reach, and a DNS server that only counts, all served by the test process on
 * loopback addresses of their own (127.0.5.x; MariaDB is on 127.0.2.x, Keystone on 127.0.3.x,
 * the pods on 127.0.1.x).
 *
 * - The mirror serves an image, a redirect to it, and two redirects to the internal host, by name
 *   and by address.
 * - The internal host stands for what an SSRF reaches (a Service of the cluster); it answers 200
 *   to anything and records every request, so a test can assert it got none.
 * - Names: Glance resolves a URL's host with a trailing dot (glance/common/utils.py
 *   normalize_hostname and resolve_pinned_address, `host + '.'`, so that the resolver parses no
 *   encoded address). glance-api runs under eventlet, whose resolver (dnspython) finds such an
 *   absolute name in /etc/hosts; glibc's `files` source does not (`images.mirror.example.` misses
 *   `images.mirror.example` and goes to DNS: python3 without eventlet, in both images). hosts()
 *   gives both spellings, so that a Glance without green DNS finds them too.
 * - DNS: the pods' /etc/resolv.conf points at the counting server (pointResolverAt), so a lookup
 *   that misses /etc/hosts never reaches the machine's resolver, and the test can assert there was none.
 */
import { createSocket, Socket } from 'dgram';
import { writeFileSync } from 'fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { join } from 'path';
import { SandboxNode } from '../sandbox/pod-sandbox';

export const MIRROR_HOST = 'images.mirror.example';
export const INTERNAL_HOST = 'internal.elsewhere.example';
const MIRROR_ADDRESS = '127.0.5.1';
const INTERNAL_ADDRESS = '127.0.5.2';
const DNS_ADDRESS = '127.0.5.53';

export interface SeenRequest {
  readonly host: string;
  readonly path: string;
}

function listen(server: Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve((server.address() as AddressInfo).port));
  });
}

/** The name a DNS query asks for (RFC 1035 4.1.2, no compression in a question). */
function queryName(message: Buffer): string {
  const labels: string[] = [];
  for (let at = 12; at < message.length && message[at] !== 0; at += message[at] + 1) {
    labels.push(message.subarray(at + 1, at + 1 + message[at]).toString('latin1'));
  }
  return labels.join('.');
}

export class WebMirror {
  /** Every request the mirror got. */
  public readonly mirrorRequests: SeenRequest[] = [];
  /** Every request the internal host got: none, if Glance filters. */
  public readonly internalRequests: SeenRequest[] = [];
  /** Every DNS query a pod sent: none, if /etc/hosts answers every name. */
  public readonly dnsQueries: string[] = [];
  /** The port both HTTP servers listen on (one port, so that only the host differs). */
  public port = 0;
  private readonly mirror: Server;
  private readonly internal: Server;
  private readonly dns: Socket = createSocket('udp4');

  constructor(public readonly image: Buffer) {
    this.mirror = createServer((req, res) => this.serveMirror(req, res));
    this.internal = createServer((req, res) => {
      this.internalRequests.push({ host: req.headers.host ?? '', path: req.url ?? '' });
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end('internal data an SSRF would read');
    });
    this.dns.on('message', (message) => this.dnsQueries.push(queryName(message)));
  }

  public async start(): Promise<void> {
    this.port = await listen(this.mirror, MIRROR_ADDRESS, 0);
    await listen(this.internal, INTERNAL_ADDRESS, this.port);
    await new Promise<void>((resolve, reject) => {
      this.dns.once('error', reject);
      this.dns.bind(53, DNS_ADDRESS, () => resolve());
    });
  }

  public async stop(): Promise<void> {
    await Promise.all([this.mirror, this.internal].map((server) => new Promise((resolve) => server.close(resolve))));
    this.dns.close();
  }

  /** A URL of the mirror. */
  public url(path: string): string { return `http://${MIRROR_HOST}:${this.port}${path}`; }

  /** A URL of the internal host, by name. */
  public internalUrl(path: string): string { return `http://${INTERNAL_HOST}:${this.port}${path}`; }

  /** A URL of the internal host, by address. */
  public internalAddressUrl(path: string): string { return `http://${INTERNAL_ADDRESS}:${this.port}${path}`; }

  /** The pods' DNS names of both hosts, in both spellings (see above). */
  public hosts(): Record<string, string> {
    return {
      [MIRROR_HOST]: MIRROR_ADDRESS,
      [`${MIRROR_HOST}.`]: MIRROR_ADDRESS,
      [INTERNAL_HOST]: INTERNAL_ADDRESS,
      [`${INTERNAL_HOST}.`]: INTERNAL_ADDRESS,
    };
  }

  /** Makes the node's pods send DNS queries to the counting server instead of the machine's resolver. */
  public pointResolverAt(node: SandboxNode): void {
    const etc = node.containerImage.binds.find(([, inPod]) => inPod === '/etc');
    if (!etc) throw new Error('web-mirror: the image has no /etc layer');
    writeFileSync(join(etc[0], 'resolv.conf'), `nameserver ${DNS_ADDRESS}\noptions attempts:1\n`);
  }

  private serveMirror(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '';
    this.mirrorRequests.push({ host: req.headers.host ?? '', path });
    if (path === '/image.raw') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': this.image.length }).end(this.image);
    } else if (path === '/redirect-to-mirror.raw') {
      res.writeHead(302, { Location: this.url('/image.raw') }).end();
    } else if (path === '/redirect-by-name.raw') {
      res.writeHead(302, { Location: this.internalUrl('/secret') }).end();
    } else if (path === '/redirect-by-address.raw') {
      res.writeHead(302, { Location: this.internalAddressUrl('/secret') }).end();
    } else {
      res.writeHead(404).end();
    }
  }
}
