/**
 * webDownload (lib/web-download.ts): the [import_filtering_opts] lists as oslo.config reads a
 * ListOpt(bounds=True) (inside brackets: test/e2e/web-download.test.ts loads them with real
 * Glance 25.1.0 and 30.0.0), hosts written as Glance compares them, and the hosts the allow-list
 * may not name because Glance skips its loopback/link-local block for a listed host.
 */
import { expectInvalid, find, synthGlance } from './helpers';

const STS = 'glance-default-single';

/** The [import_filtering_opts] section of the config Secret, as text. */
function filteringSection(allowedHosts: string[], more: { allowedSchemes?: string[]; allowedPorts?: number[] } = {}): string {
  const text: string = find(synthGlance({ webDownload: { allowedHosts, ...more } }), 'Secret', `${STS}-config`).stringData['00-glance.conf'];
  const match = /^\[import_filtering_opts\]\n((?:[^[\n][^\n]*\n)*)/m.exec(text);
  if (!match) throw new Error(`no [import_filtering_opts] in:\n${text}`);
  return match[1].trim();
}

/** The allowed_hosts value written for one host. */
function rendered(host: string): string {
  return /^allowed_hosts = (.*)$/m.exec(filteringSection([host]))![1];
}

describe('the lists in the config Secret, written as oslo.config reads ListOpt(bounds=True)', () => {
  test('defaults: [https] on [443], the hosts in brackets', () => {
    expect(filteringSection(['cloud-images.ubuntu.com', 'download.cirros-cloud.net'])).toBe([
      'allowed_schemes = [https]',
      'allowed_hosts = [cloud-images.ubuntu.com,download.cirros-cloud.net]',
      'allowed_ports = [443]',
    ].join('\n'));
  });

  test('widened schemes and ports, each list in brackets and comma-separated without spaces', () => {
    expect(filteringSection(['mirror.example', '192.0.2.7'], { allowedSchemes: ['http', 'https', 'ftp'], allowedPorts: [80, 443, 8080] })).toBe([
      'allowed_schemes = [http,https,ftp]',
      'allowed_hosts = [mirror.example,192.0.2.7]',
      'allowed_ports = [80,443,8080]',
    ].join('\n'));
  });

  test('web-download joins the import methods only with the allow-list, and no disallowed_* list is written', () => {
    const text: string = find(synthGlance({ webDownload: { allowedHosts: ['mirror.example'] } }), 'Secret',
      `${STS}-config`).stringData['00-glance.conf'];
    expect(text).toMatch(/^enabled_import_methods = \[glance-direct,web-download,copy-image\]$/m);
    expect(text).not.toMatch(/disallowed_/);
    expect(find(synthGlance({}), 'Secret', `${STS}-config`).stringData['00-glance.conf']).not.toMatch(/import_filtering_opts|web-download/);
  });

  // Glance compares the URL's host (lowercased by urllib.parse; an IP in Python's ipaddress form) with each entry as written.
  test.each([
    ['Images.Example.COM', '[images.example.com]'],
    ['2001:DB8:0:0:0:0:0:1', '[2001:db8::1]'],
    ['[2001:db8::1]', '[2001:db8::1]'],
    ['2001:db8::1.2.3.4', '[2001:db8::102:304]'],
    ['1:0:0:2:0:0:0:3', '[1:0:0:2::3]'],
    ['1:0:0:2:2:0:0:3', '[1::2:2:0:0:3]'],
    ['::2:3:4:5:6:7:8', '[0:2:3:4:5:6:7:8]'],
    ['fd00:0:0:0:0:0:0:a', '[fd00::a]'],
  ])('host %s is written %s, as Python\'s ipaddress and urllib.parse write it', (host, value) => {
    expect(rendered(host)).toBe(value);
  });
});

describe('hosts the allow-list may not name (Glance skips its own loopback and link-local block for them)', () => {
  const mirrorFix =
    /Fix: name the external mirror itself.*leave internal services off the list, since Glance skips its loopback and link-local block for any host/;
  test.each([
    ['127.0.0.1', /is a loopback address \(127\.0\.0\.0\/8\)/],
    ['127.255.0.9', /is a loopback address/],
    ['::1', /is the loopback address \(::1\)/],
    ['0:0:0:0:0:0:0:1', /is the loopback address \(::1\)/],
    ['localhost', /names the loopback interface/],
    ['LOCALHOST', /names the loopback interface/],
    ['app.localhost', /names the loopback interface/],
    ['localhost.localdomain', /names the loopback interface/],
    ['169.254.169.254', /is a link-local address \(169\.254\.0\.0\/16, the cloud metadata service\)/],
    ['169.254.1.1', /is a link-local address \(169\.254\.0\.0\/16\): Glance would fetch/],
    ['fe80::1', /is a link-local address \(fe80::\/10\)/],
    ['febf:ffff::1', /is a link-local address \(fe80::\/10\)/],
    ['metadata.google.internal', /is the name of the cloud metadata service/],
    ['0.0.0.0', /is an unspecified address \(0\.0\.0\.0\/8\)/],
    ['::', /is the unspecified address \(::\)/],
    ['::ffff:127.0.0.1', /is the IPv4-mapped form of 127\.0\.0\.1, a loopback address/],
    ['::ffff:7f00:1', /is the IPv4-mapped form of 127\.0\.0\.1, a loopback address/],
    ['::ffff:169.254.169.254',
      /is the IPv4-mapped form of 169\.254\.169\.254, a link-local address \(169\.254\.0\.0\/16, the cloud metadata service\)/],
    ['::ffff:a9fe:a9fe', /is the IPv4-mapped form of 169\.254\.169\.254, a link-local/],
    ['::ffff:0.0.0.0', /is the IPv4-mapped form of 0\.0\.0\.0, an unspecified address/],
    ['::127.0.0.1', /is the IPv4-compatible form of 127\.0\.0\.1, a loopback address/],
    ['64:ff9b::169.254.169.254', /is the NAT64 form of 169\.254\.169\.254, a link-local address/],
    ['kubernetes.default.svc', /is an in-cluster name/],
    ['glance-default.openstack.svc', /is an in-cluster name/],
    ['glance-default.openstack.svc.cluster.local', /is an in-cluster name/],
    ['10-0-0-5.openstack.pod.cluster.local', /is an in-cluster name/],
    ['mirror.openstack.svc.corp.example', /is an in-cluster name/],
    ['kubernetes.default', /is an in-cluster name/],
    ['mirror.svc', /is an in-cluster name \(<service>\.<namespace>\.svc.*: Glance would fetch from a Service or pod of the cluster/],
    ['localhost', /names the loopback interface .*: Glance would fetch from its own pod/],
    // Link-local, without the metadata service's address.
    ['169.254.169.1', /is a link-local address \(169\.254\.0\.0\/16\): Glance would fetch/],
    ['169.254.1.254', /is a link-local address \(169\.254\.0\.0\/16\): Glance would fetch/],
  ])('%s', (host, problem) => {
    const error = expectInvalid(() => synthGlance({ webDownload: { allowedHosts: ['cloud-images.ubuntu.com', host] } }),
      'webDownload.allowedHosts[1]', problem);
    expect(error.value).toBe(host);
    expect(error.message).toContain(`(got ${JSON.stringify(host)})`);
    expect(error.message).toMatch(mirrorFix);
  });

  test.each([
    ['kubernetes'],
    ['glance-default'],
    ['mirror'],
  ])('single-label name %s: it resolves through the pod\'s search domains', (host) => {
    const error = expectInvalid(() => synthGlance({ webDownload: { allowedHosts: [host] } }), 'webDownload.allowedHosts[0]',
      /is a single-label name: in a pod it resolves through the search domains to a Service of the namespace or the cluster \(e\.g\. "kubernetes"/);
    expect(error.message).toMatch(/Fix: use the mirror's fully qualified name/);
  });

  test.each([
    ['127.1', /is a shorthand or encoded IPv4 address.*Fix: write the address as four decimal numbers/],
    ['2130706433', /is a shorthand or encoded IPv4 address/],
    ['0x7f000001', /is a shorthand or encoded IPv4 address/],
    ['0x7f.0.0.1', /is a shorthand or encoded IPv4 address/],
    ['010.0.0.1', /is a shorthand or encoded IPv4 address/],
    ['mirror.example.42', /ends in an all-numeric label, which oslo.config refuses as a host name/],
    ['::ffff:192.0.2.7',
      /is the IPv4-mapped form of 192\.0\.2\.7, which Glance 25 and 30 write differently.*Fix: write the IPv4 address itself: "192\.0\.2\.7"/],
    ['http://mirror.example', /is not a host name or IP address.*Fix: use e\.g\. "cloud-images/],
    ['mirror.example.', /is not a host name or IP address/],
    ['[mirror.example]', /is not a host name or IP address/],
    ['fe80::1%eth0', /is not a host name or IP address/],
    ['1:2:3:4:5:6:7:8:9', /is not a host name or IP address/],
    ['1::2::3', /is not a host name or IP address|is a single-label name/],
    ['1::2:3:4:5:6:7:8', /is not a host name or IP address|is a single-label name/],
    ['[1:2:3]', /is not a host name or IP address/],
    ['[2001:db8::1', /is not a host name or IP address|is a single-label name/],
    ['2001:db8::1]', /is not a host name or IP address|is a single-label name/],
    ['mirror_1.example.com', /is not a host name or IP address/],
    ['256.0.0.1', /is a shorthand or encoded IPv4 address/],
    ['::ffff:192.0.2.8', /is the IPv4-mapped form of 192\.0\.2\.8, which Glance 25 and 30 write .*and so may never match the URL's host \(got/],
    ['::1.0.0.1', /is the IPv4-compatible form of 1\.0\.0\.1, which Glance 25 and 30 write differently/],
    ['64:ff9b::192.0.2.7', /is the NAT64 form of 192\.0\.2\.7, which Glance 25 and 30 write differently/],
  ])('%s: Glance could never match it', (host, problem) => {
    expectInvalid(() => synthGlance({ webDownload: { allowedHosts: [host] } }), 'webDownload.allowedHosts[0]', problem);
  });

  test.each([
    [{ allowedHosts: ['mirror.example'], allowedSchemes: [] }, 'webDownload.allowedSchemes',
      /is empty: Glance then allows every scheme.*Fix: list the schemes/],
    [{ allowedHosts: ['mirror.example'], allowedPorts: [] }, 'webDownload.allowedPorts',
      /is empty: Glance then allows every port.*Fix: list the ports/],
  ])('an empty %j would lift the filter: refused', (webDownload, prop, problem) => {
    expectInvalid(() => synthGlance({ webDownload }), prop, problem);
  });
});

describe('hosts the allow-list may name', () => {
  test.each([
    ['cloud-images.ubuntu.com', '[cloud-images.ubuntu.com]'],
    ['192.0.2.7', '[192.0.2.7]'],
    // Private ranges: an internal mirror is legitimate, and the entry allows that one address.
    ['10.20.30.40', '[10.20.30.40]'],
    ['172.16.0.9', '[172.16.0.9]'],
    ['192.168.1.10', '[192.168.1.10]'],
    ['100.64.0.1', '[100.64.0.1]'],
    ['fd12:3456::10', '[fd12:3456::10]'],
    ['2001:db8::80', '[2001:db8::80]'],
    // Neighbours of the refused classes.
    ['126.255.255.255', '[126.255.255.255]'],
    ['128.0.0.1', '[128.0.0.1]'],
    ['169.253.255.255', '[169.253.255.255]'],
    ['169.255.0.1', '[169.255.0.1]'],
    ['1.0.0.0', '[1.0.0.0]'],
    ['fec0::1', '[fec0::1]'],
    ['::2', '[::2]'],
    // Names that only look like the refused ones.
    ['mylocalhost.example', '[mylocalhost.example]'],
    ['svc.example.com', '[svc.example.com]'],
    ['images.svc-mirror.example', '[images.svc-mirror.example]'],
    ['cluster.local.example.com', '[cluster.local.example.com]'],
    ['metadata.example.com', '[metadata.example.com]'],
    ['mirror.internal', '[mirror.internal]'],
    ['a.b', '[a.b]'],
    ['a.example', '[a.example]'],
    // Only 169.254.0.0/16 is link-local.
    ['10.254.0.1', '[10.254.0.1]'],
    // IPv6 that only looks like an IPv4 address in IPv6 clothes, written as Python writes it (RFC 5952).
    ['0:0:0:0:1:ffff:c000:207', '[::1:ffff:c000:207]'],
    ['64::c000:207', '[64::c000:207]'],
    ['65:ff9b::c000:207', '[65:ff9b::c000:207]'],
    ['64:ff9b:1::c000:207', '[64:ff9b:1::c000:207]'],
    ['2001:DB8:0:0:1:0:0:1', '[2001:db8::1:0:0:1]'],
    ['1:0:0:2:0:0:0:3', '[1:0:0:2::3]'],
    ['1::', '[1::]'],
    ['[2001:db8::1]', '[2001:db8::1]'],
    // Labels with digits that are not numbers.
    ['a1.b2', '[a1.b2]'],
    ['1a.2b', '[1a.2b]'],
    ['Mirror.Example', '[mirror.example]'],
  ])('%s, written %s', (host, value) => {
    expect(rendered(host)).toBe(value);
  });

  test('several hosts keep their order', () => {
    expect(filteringSection(['b.example', 'a.example'])).toContain('allowed_hosts = [b.example,a.example]');
  });

  test('the error of a later host names its index', () => {
    expectInvalid(() => synthGlance({ webDownload: { allowedHosts: ['a.example', 'b.example', '169.254.169.254'] } }), 'webDownload.allowedHosts[2]',
      /is a link-local address/);
  });
});
