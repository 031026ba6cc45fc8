/**
 * The API NetworkPolicies (issue 21): one ingress list per endpoint, /0 ranges only on request,
 * and an opt-in egress restriction. Each property is asserted on the synthesized NetworkPolicies.
 */
import { Chart, Testing } from 'cdk8s';
import { Glance, GlanceApiType, GlanceNetworkPolicyOptions, ImageBackend } from '../lib';
import { BASE_PROPS, expectInvalid, find, Manifest, ofKind, synthGlance } from './helpers';

const SELF = { podSelector: {} };
const ns = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
const cidr = (range: string) => ({ ipBlock: { cidr: range } });
const TCP_9292 = [{ protocol: 'TCP', port: 9292 }];

/** A SPLIT API `default`, an EDGE API `edge` and a SINGLE API `both` on a shared file store, with the given networkPolicy. */
function synthRoles(networkPolicy: GlanceNetworkPolicyOptions): Manifest[] {
  return synthGlance({
    networkPolicy,
    backend: ImageBackend.file({ sharedStore: { storageClass: 'nfs' } }),
    apis: { default: { type: GlanceApiType.SPLIT }, edge: { type: GlanceApiType.EDGE }, both: { type: GlanceApiType.SINGLE } },
  });
}
const from = (m: Manifest[], name: string) => find(m, 'NetworkPolicy', name).spec.ingress[0].from;

/** Runs `build` with process.emitWarning stubbed, and returns the NetworkPolicy warnings it emitted. */
function warningsOf(build: () => unknown): unknown[][] {
  const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    build();
    return warn.mock.calls.filter((call) => (call[1] as { code?: string } | undefined)?.code === 'CDK8S_GLANCE_NETWORK_POLICY');
  } finally {
    warn.mockRestore();
  }
}

describe('ingress per role', () => {
  test('by default every role admits the chart\'s namespace only, on TCP 9292, to its own pods, and nothing restricts egress', () => {
    const m = synthRoles({});
    const names = ['glance-default-internal', 'glance-default-external', 'glance-edge-edge', 'glance-both-single'];
    for (const name of names) {
      const policy = find(m, 'NetworkPolicy', name);
      const sts = find(m, 'StatefulSet', name);
      expect([name, policy.spec]).toEqual([name, {
        podSelector: { matchLabels: sts.spec.selector.matchLabels },
        policyTypes: ['Ingress'],
        ingress: [{ ports: TCP_9292, from: [SELF] }],
      }]);
      expect(sts.spec.selector.matchLabels['glance.openstack.org/statefulset']).toBe(name);
    }
    // No policy of the deployment restricts egress: the db and cache jobs' policies neither.
    expect(ofKind(synthGlance({ imageCache: { size: '1Gi' } }), 'NetworkPolicy').map((p) => [p.metadata.name, p.spec.policyTypes, p.spec.egress])
      .sort())
      .toEqual([['glance-db-jobs', ['Ingress'], undefined], ['glance-default-single', ['Ingress'], undefined],
        ['glance-default-single-cache-jobs', ['Ingress'], undefined]]);
  });

  test('the internal half of a SPLIT pair admits internalEndpoint only, the external half publicEndpoint only', () => {
    const m = synthRoles({
      internalEndpoint: { allowedNamespaces: ['nova'], allowedCidrs: ['10.1.0.0/16'] },
      publicEndpoint: { allowedNamespaces: ['ingress-nginx'], allowedCidrs: ['192.0.2.0/24'] },
    });
    expect(from(m, 'glance-default-internal')).toEqual([SELF, ns('nova'), cidr('10.1.0.0/16')]);
    expect(from(m, 'glance-default-external')).toEqual([SELF, ns('ingress-nginx'), cidr('192.0.2.0/24')]);
  });

  test('an EDGE API serves the internal endpoint only, so it admits internalEndpoint only', () => {
    const m = synthRoles({ internalEndpoint: { allowedNamespaces: ['edge-compute'] }, publicEndpoint: { allowedCidrs: ['198.51.100.0/24'] } });
    expect(from(m, 'glance-edge-edge')).toEqual([SELF, ns('edge-compute')]);
  });

  test('a SINGLE API serves both endpoints, so it admits both lists, internal first, each entry once', () => {
    const m = synthRoles({
      internalEndpoint: { allowedNamespaces: ['nova', 'cinder'], allowedCidrs: ['10.1.0.0/16'] },
      publicEndpoint: { allowedNamespaces: ['ingress-nginx', 'nova'], allowedCidrs: ['192.0.2.0/24', '10.1.0.0/16'] },
    });
    expect(from(m, 'glance-both-single')).toEqual([SELF, ns('nova'), ns('cinder'), ns('ingress-nginx'), cidr('10.1.0.0/16'), cidr('192.0.2.0/24')]);
  });

  test('an INTERNAL API (type INTERNAL) admits internalEndpoint only', () => {
    const m = synthGlance({
      apis: { i: { type: GlanceApiType.INTERNAL } },
      networkPolicy: { internalEndpoint: { allowedCidrs: ['10.2.0.0/16'] }, publicEndpoint: { allowedNamespaces: ['ingress-nginx'] } },
    });
    expect(from(m, 'glance-i-internal')).toEqual([SELF, cidr('10.2.0.0/16')]);
  });

  test('turned off, there is no NetworkPolicy at all, whatever the lists', () => {
    expect(ofKind(synthRoles({ enabled: false, internalEndpoint: { allowedNamespaces: ['nova'] } }), 'NetworkPolicy')).toEqual([]);
  });
});

describe('the deprecated top-level lists', () => {
  const deprecated: GlanceNetworkPolicyOptions = { allowedNamespaces: ['ingress-nginx'], allowedCidrs: ['192.0.2.0/24'] };

  test('are the public list: EXTERNAL and SINGLE admit them as before, INTERNAL and EDGE no longer do', () => {
    let m: Manifest[] = [];
    warningsOf(() => { m = synthRoles(deprecated); });
    const wide = [SELF, ns('ingress-nginx'), cidr('192.0.2.0/24')];
    expect(from(m, 'glance-default-external')).toEqual(wide);
    expect(from(m, 'glance-both-single')).toEqual(wide);
    expect(from(m, 'glance-default-internal')).toEqual([SELF]);
    expect(from(m, 'glance-edge-edge')).toEqual([SELF]);
  });

  test('say so once per app when an internal-only API no longer admits them, and not at all otherwise', () => {
    const warnings = warningsOf(() => {
      const app = Testing.app();
      for (const id of ['a', 'b']) {
        new Glance(new Chart(app, id, { namespace: id }), 'glance', {
          ...BASE_PROPS,
          networkPolicy: deprecated,
          backend: ImageBackend.file({ sharedStore: { storageClass: 'nfs' } }),
          apis: { default: { type: GlanceApiType.SPLIT }, edge: { type: GlanceApiType.EDGE } },
        });
      }
    });
    expect(warnings).toEqual([[
      expect.stringMatching(new RegExp('networkPolicy\\.allowedNamespaces and allowedCidrs \\(deprecated\\) '
        + 'now admit callers of the public endpoint only: '
        + 'INTERNAL and EDGE StatefulSets such as glance-default-internal .*networkPolicy\\.internalEndpoint.*networkPolicy\\.publicEndpoint')),
      { code: 'CDK8S_GLANCE_NETWORK_POLICY' },
    ]]);
    expect(warningsOf(() => synthRoles({ allowedNamespaces: ['ingress-nginx'] }))).toHaveLength(1);
    expect(warningsOf(() => synthGlance({ networkPolicy: { allowedCidrs: ['192.0.2.0/24'] }, apis: { e: { type: GlanceApiType.EDGE } } })))
      .toEqual([[expect.stringContaining('such as glance-e-edge no longer admit them'), { code: 'CDK8S_GLANCE_NETWORK_POLICY' }]]);
    expect(warningsOf(() => synthGlance({ networkPolicy: deprecated, apis: { i: { type: GlanceApiType.INTERNAL } } }))).toHaveLength(1);
    expect(warningsOf(() => synthGlance({ networkPolicy: deprecated }))).toEqual([]);
    expect(warningsOf(() => synthGlance({ networkPolicy: deprecated, apis: { default: { type: GlanceApiType.EXTERNAL } } }))).toEqual([]);
    expect(warningsOf(() => synthRoles({ allowedNamespaces: [], allowedCidrs: [] }))).toEqual([]);
  });

  test('combine with the publicEndpoint list of the other kind', () => {
    const m = synthRoles({ allowedCidrs: ['192.0.2.0/24'], publicEndpoint: { allowedNamespaces: ['ingress-nginx'] } });
    expect(from(m, 'glance-default-external')).toEqual([SELF, ns('ingress-nginx'), cidr('192.0.2.0/24')]);
  });

  test.each(['allowedNamespaces', 'allowedCidrs'])('%s beside publicEndpoint\'s own list of the same kind is refused', (key) => {
    const list = key === 'allowedCidrs' ? ['192.0.2.0/24'] : ['nova'];
    expectInvalid(() => synthGlance({ networkPolicy: { [key]: list, publicEndpoint: { [key]: list } } }), `networkPolicy.${key}`,
      new RegExp(`is set, and so is networkPolicy\\.publicEndpoint\\.${key}.*Fix: move its entries to networkPolicy\\.publicEndpoint\\.${key}, `
        + `or to networkPolicy\\.internalEndpoint\\.${key}`));
  });
});

describe('ingress list validation', () => {
  test.each([
    [{ internalEndpoint: { allowedNamespaces: ['Nova'] } }, 'networkPolicy.internalEndpoint.allowedNamespaces[0]', /is not a DNS-1123 label/],
    [{ publicEndpoint: { allowedNamespaces: ['ok', 'not_ok'] } }, 'networkPolicy.publicEndpoint.allowedNamespaces[1]', /is not a DNS-1123 label/],
    [{ internalEndpoint: { allowedCidrs: ['10.0.0.0/33'] } }, 'networkPolicy.internalEndpoint.allowedCidrs[0]',
      /is not a CIDR.*Fix: use e\.g\. "10\.0\.0\.0\/16"/],
    [{ publicEndpoint: { allowedCidrs: ['192.0.2.0/24', 'example.com'] } }, 'networkPolicy.publicEndpoint.allowedCidrs[1]', /is not a CIDR/],
    [{ publicEndpoint: { allowedCidrs: '192.0.2.0/24' } }, 'networkPolicy.publicEndpoint.allowedCidrs', /is not a list.*Fix: use an array/],
    [{ allowedNamespaces: 'nova' }, 'networkPolicy.allowedNamespaces', /is not a list/],
  ])('%j is refused at %s', (networkPolicy, prop, message) => {
    expectInvalid(() => synthGlance({ networkPolicy: networkPolicy as any }), prop, message);
  });
});

describe('/0 ranges', () => {
  const ANY = ['0.0.0.0/0', '::/0', '10.0.0.0/0', '2001:db8::/0'];
  const places: Array<[string, (range: string) => GlanceNetworkPolicyOptions]> = [
    ['networkPolicy.allowedCidrs[0]', (range) => ({ allowedCidrs: [range] })],
    ['networkPolicy.internalEndpoint.allowedCidrs[1]', (range) => ({ internalEndpoint: { allowedCidrs: ['10.1.0.0/16', range] } })],
    ['networkPolicy.publicEndpoint.allowedCidrs[0]', (range) => ({ publicEndpoint: { allowedCidrs: [range] } })],
    ['networkPolicy.egress.dnsCidrs[0]', (range) => ({ egress: { dnsCidrs: [range] } })],
    ['networkPolicy.egress.destinations[0].cidr', (range) => ({ egress: { destinations: [{ cidr: range, ports: [443] }] } })],
  ];
  const cases = ANY.flatMap((range) => places.map(([prop, build]) => [range, prop, build] as const));

  test.each(cases)('%s at %s is refused without allowAnyAddress, naming the opt-in', (range, prop, build) => {
    const err = expectInvalid(() => synthGlance({ networkPolicy: build(range) }), prop,
      new RegExp('is a /0 range: it (admits|lets the pods reach) every address.*'
        + 'Fix: list the address ranges that need it, or set networkPolicy\\.allowAnyAddress to true'));
    expect(err.value).toBe(range);
    expect(err.message).toContain(`(got "${range}")`);
    // allowAnyAddress: false is no opt-in.
    expectInvalid(() => synthGlance({ networkPolicy: { ...build(range), allowAnyAddress: false } }), prop, /is a \/0 range/);
  });

  test.each(['0.0.0.0/0', '::/0'])('%s reaches the public and SINGLE policies with allowAnyAddress', (range) => {
    const m = synthRoles({ publicEndpoint: { allowedCidrs: [range] }, allowAnyAddress: true });
    expect(from(m, 'glance-default-external')).toEqual([SELF, cidr(range)]);
    expect(from(m, 'glance-both-single')).toEqual([SELF, cidr(range)]);
    expect(from(m, 'glance-default-internal')).toEqual([SELF]);
  });

  test('allowAnyAddress also admits /0 in egress destinations', () => {
    const m = synthGlance({ networkPolicy: { allowAnyAddress: true, egress: { destinations: [{ cidr: '0.0.0.0/0', ports: [443] }] } } });
    expect(find(m, 'NetworkPolicy', 'glance-default-single').spec.egress[2])
      .toEqual({ to: [cidr('0.0.0.0/0')], ports: [{ protocol: 'TCP', port: 443 }] });
  });

  test('a /1 is no /0: accepted without the opt-in', () => {
    expect(from(synthGlance({ networkPolicy: { publicEndpoint: { allowedCidrs: ['0.0.0.0/1', '128.0.0.0/1'] } } }), 'glance-default-single'))
      .toEqual([SELF, cidr('0.0.0.0/1'), cidr('128.0.0.0/1')]);
  });
});

describe('egress (opt-in)', () => {
  const DNS = { to: [ns('kube-system')], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] };
  const NAMESPACE = { to: [SELF] };

  test('egress: {} restricts the API pods to DNS in kube-system and the chart\'s namespace', () => {
    const m = synthGlance({ imageCache: { size: '1Gi' }, networkPolicy: { egress: {} } });
    const policy = find(m, 'NetworkPolicy', 'glance-default-single');
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.egress).toEqual([DNS, NAMESPACE]);
    expect(policy.spec.podSelector).toEqual({ matchLabels: find(m, 'StatefulSet', 'glance-default-single').spec.selector.matchLabels });
  });

  test('egress: {} leaves the ingress rules as they were', () => {
    const policy = find(synthGlance({ imageCache: { size: '1Gi' }, networkPolicy: { egress: {} } }), 'NetworkPolicy', 'glance-default-single');
    expect(policy.spec.ingress).toEqual([{ ports: TCP_9292, from: [SELF] }]);
  });

  test('the database and cache jobs keep unrestricted egress', () => {
    const m = synthGlance({ imageCache: { size: '1Gi' }, networkPolicy: { egress: {} } });
    for (const name of ['glance-db-jobs', 'glance-default-single-cache-jobs']) {
      const policy = find(m, 'NetworkPolicy', name);
      expect([name, policy.spec.policyTypes, policy.spec.egress]).toEqual([name, ['Ingress'], undefined]);
    }
  });

  test('every StatefulSet of every role gets the same egress rules', () => {
    const m = synthRoles({ egress: { destinations: [{ namespace: 'rook-ceph' }] } });
    for (const name of ['glance-default-internal', 'glance-default-external', 'glance-edge-edge', 'glance-both-single']) {
      const policy = find(m, 'NetworkPolicy', name);
      expect([name, policy.spec.policyTypes, policy.spec.egress]).toEqual([name, ['Ingress', 'Egress'], [DNS, NAMESPACE, { to: [ns('rook-ceph')] }]]);
    }
  });

  test('DNS namespace and addresses, namespaces and ranges with and without ports, in the order given', () => {
    const m = synthGlance({
      networkPolicy: {
        egress: {
          dnsNamespace: 'dns',
          dnsCidrs: ['169.254.25.10/32', 'fd00::a/128'],
          destinations: [
            { namespace: 'keystone', ports: [5000] },
            { cidr: '10.20.0.0/24' },
            { cidr: '2001:db8::/64', ports: [443, 8443] },
            { namespace: 'rook-ceph' },
          ],
        },
      },
    });
    expect(find(m, 'NetworkPolicy', 'glance-default-single').spec.egress).toEqual([
      { to: [ns('dns'), cidr('169.254.25.10/32'), cidr('fd00::a/128')], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
      NAMESPACE,
      { to: [ns('keystone')], ports: [{ protocol: 'TCP', port: 5000 }] },
      { to: [cidr('10.20.0.0/24')] },
      { to: [cidr('2001:db8::/64')], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 8443 }] },
      { to: [ns('rook-ceph')] },
    ]);
  });

  test.each([
    [{ egress: {}, enabled: false }, 'networkPolicy.egress',
      /is set, but networkPolicy\.enabled is false.*Fix: remove networkPolicy\.egress, or networkPolicy\.enabled/],
    [{ egress: { dnsNamespace: 'Kube_System' } }, 'networkPolicy.egress.dnsNamespace', /is not a DNS-1123 label/],
    [{ egress: { dnsCidrs: ['169.254.25.10'] } }, 'networkPolicy.egress.dnsCidrs[0]', /is not a CIDR/],
    [{ egress: { dnsCidrs: ['169.254.25.10/x32'] } }, 'networkPolicy.egress.dnsCidrs[0]', /is not a CIDR/],
    [{ egress: { dnsCidrs: ['169.254.25.10/32x'] } }, 'networkPolicy.egress.dnsCidrs[0]', /is not a CIDR/],
    [{ egress: { dnsCidrs: '169.254.25.10/32' } }, 'networkPolicy.egress.dnsCidrs', /is not a list/],
    [{ egress: { destinations: {} } }, 'networkPolicy.egress.destinations', /is not a list/],
    [{ egress: { destinations: [{}] } }, 'networkPolicy.egress.destinations[0]',
      /names no destination, or two.*Fix: give exactly one of namespace and cidr/],
    [{ egress: { destinations: [{ namespace: 'a' }, { namespace: 'b', cidr: '10.0.0.0/8' }] } }, 'networkPolicy.egress.destinations[1]',
      /names no destination, or two/],
    [{ egress: { destinations: [null] } }, 'networkPolicy.egress.destinations[0]', /names no destination/],
    [{ egress: { destinations: [{ ports: [443] }] } }, 'networkPolicy.egress.destinations[0]', /names no destination/],
    [{ egress: { destinations: [{ namespace: 'Rook' }] } }, 'networkPolicy.egress.destinations[0].namespace', /is not a DNS-1123 label/],
    [{ egress: { destinations: [{ cidr: '10.0.0.0/40' }] } }, 'networkPolicy.egress.destinations[0].cidr', /is not a CIDR/],
    [{ egress: { destinations: [{ cidr: '10.0.0.0/8', ports: [] }] } }, 'networkPolicy.egress.destinations[0].ports',
      /is empty.*Fix: list TCP ports, or leave ports out for every port/],
    [{ egress: { destinations: [{ cidr: '10.0.0.0/8', ports: 443 }] } }, 'networkPolicy.egress.destinations[0].ports', /is not a list/],
    [{ egress: { destinations: [{ cidr: '10.0.0.0/8', ports: [443, 0] }] } }, 'networkPolicy.egress.destinations[0].ports[1]',
      /is not a TCP port.*Fix: use a whole number from 1 to 65535/],
    [{ egress: { destinations: [{ cidr: '10.0.0.0/8', ports: [65536] }] } }, 'networkPolicy.egress.destinations[0].ports[0]', /is not a TCP port/],
    [{ egress: { destinations: [{ cidr: '10.0.0.0/8', ports: [44.3] }] } }, 'networkPolicy.egress.destinations[0].ports[0]', /is not a TCP port/],
    [{ egress: { destinations: [{ cidr: '10.0.0.0/8', ports: ['443'] }] } }, 'networkPolicy.egress.destinations[0].ports[0]', /is not a TCP port/],
  ])('egress %j is refused at %s', (networkPolicy, prop, message) => {
    expectInvalid(() => synthGlance({ networkPolicy: networkPolicy as any }), prop, message);
  });

  test('ports 1 and 65535 are accepted', () => {
    const m = synthGlance({ networkPolicy: { egress: { destinations: [{ cidr: '10.0.0.0/8', ports: [1, 65535] }] } } });
    expect(find(m, 'NetworkPolicy', 'glance-default-single').spec.egress[2].ports)
      .toEqual([{ protocol: 'TCP', port: 1 }, { protocol: 'TCP', port: 65535 }]);
  });

  test('with rbd (a SPLIT pair by default), egress and per-role ingress together', () => {
    const m = synthGlance({
      backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf' }),
      networkPolicy: { internalEndpoint: { allowedNamespaces: ['nova'] }, egress: { destinations: [{ cidr: '192.0.2.0/28' }] } },
    });
    expect(from(m, 'glance-default-internal')).toEqual([SELF, ns('nova')]);
    expect(from(m, 'glance-default-external')).toEqual([SELF]);
    expect(find(m, 'NetworkPolicy', 'glance-default-external').spec.egress).toEqual([DNS, NAMESPACE, { to: [cidr('192.0.2.0/28')] }]);
  });
});
