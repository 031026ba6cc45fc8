/**
 * keystone.memcachedServers is read as keystonemiddleware's memcache client reads it: a
 * differential test of parseMemcachedServer against python-memcached's own `_Host` (the client
 * under keystonemiddleware 10.1.0 on bookworm and 10.9.0 on trixie, in its image), over a curated
 * list and generated strings. Every server the library accepts, python-memcached parses to the
 * same address family, host and port; the library is stricter only where it must be (a port
 * always written and in range, a valid host name).
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as fc from 'fast-check';
import { GLANCE_IMAGES, GlanceImage, requireRealGlance } from './sandboxed-glance';
import { parseMemcachedServer } from '../../lib/service-config';

const CURATED = [
  'memcached-0.memcached.openstack.svc:11211', 'memcached:11211', '10.0.0.5:11211', 'inet:memcached:11212',
  'inet6:[fd00::11]:11211', 'inet6:[::1]:1', 'memcached-0.memcached.openstack.svc:65535',
  // Refused here; what python-memcached makes of them differs or is no server.
  'memcached', 'memcached:', 'memcached:0', 'memcached:65536', '[fd00::11]:11211', 'fd00::11:11211', 'inet6:fd00::11:11211',
  'unix:/tmp/memcached.sock', 'inet:[fd00::11]:11211', 'inet6:[memcached]:11211', '-bad-:11211', 'a b:11211', ':11211',
  'memcached:11211 ', ' memcached:11211', 'memcached:1x', 'inet6:[fd00::11]', 'memcached:011211',
  // Found by this test: a host named like a protocol is read as that protocol.
  'unix:9', 'inet:9',
];
const ALPHABET = ['a', 'z', '0', '9', '.', '-', ':', '[', ']', ' ', '1', 'f', 'inet:', 'inet6:', 'unix:', '11211', '65536', '::'];
const generated = fc.sample(fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 8 }).map((parts) => parts.join('')),
  { numRuns: 3000, seed: 20261206 });
const CANDIDATES = [...new Set([...CURATED, ...generated])];

const PROBE = `
import json, socket, sys, memcache
families = {socket.AF_INET: 'inet', socket.AF_INET6: 'inet6'}
out = []
for server in json.load(sys.stdin):
    try:
        host = memcache._Host(server)
        out.append([families.get(host.family, 'unix'), getattr(host, 'ip', None), getattr(host, 'port', None)])
    except Exception:
        out.append(None)
print(json.dumps(out))
`;

function pythonMemcached(image: GlanceImage): Array<[string, string, number] | null> {
  const dir = mkdtempSync(join(tmpdir(), 'memcached-servers-'));
  try {
    writeFileSync(join(dir, 'probe.py'), PROBE);
    const inRoot = image.root === '/' ? ['/usr/bin/python3', join(dir, 'probe.py')]
      : ['bwrap', '--ro-bind', image.root, '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--ro-bind', dir, '/mnt',
        'python3', '/mnt/probe.py'];
    return JSON.parse(execFileSync(inRoot[0], inRoot.slice(1), { input: JSON.stringify(CANDIDATES), encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each([GLANCE_IMAGES.bookworm, GLANCE_IMAGES.trixie])('python-memcached of $name', (image) => {
  let theirs: Array<[string, string, number] | null>;
  beforeAll(() => {
    requireRealGlance(image);
    theirs = pythonMemcached(image);
  });

  test('every server the library accepts, python-memcached reads as the same family, host and port', () => {
    const differ = CANDIDATES.map((server, i) => [server, parseMemcachedServer(server), theirs[i]] as const)
      .filter(([, ours, python]) => ours !== undefined && JSON.stringify([ours.family, ours.host, ours.port]) !== JSON.stringify(python));
    expect(differ).toEqual([]);
  });

  test('the curated servers: the library accepts the seven written as python-memcached reads them, and refuses the rest', () => {
    const accepted = CURATED.filter((server) => parseMemcachedServer(server) !== undefined);
    expect(accepted).toEqual(CURATED.slice(0, 7));
    // Not vacuous: python-memcached reads each accepted one, and also some the library refuses (a port left out, a unix socket).
    expect(accepted.every((server) => theirs[CANDIDATES.indexOf(server)] !== null)).toBe(true);
    expect(theirs[CANDIDATES.indexOf('memcached')]).toEqual(['inet', 'memcached', 11211]);
    // A bare bracketed IPv6 address is no server to python-memcached, and a host named unix or inet is a protocol:
    // the library refuses them rather than write them.
    expect(theirs[CANDIDATES.indexOf('[fd00::11]:11211')]).toBeNull();
    expect([theirs[CANDIDATES.indexOf('unix:9')]?.[0], theirs[CANDIDATES.indexOf('inet:9')]]).toEqual(['unix', ['inet', '9', 11211]]);
  });
});
