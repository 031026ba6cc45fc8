/**
 * Invariants each pinned by a test of its own: the default upload cap follows the staging volume
 * whatever the cache's size, and each security property of each kind of pod, one test per pair.
 * (The fuzz test checks the cap and construct-id independence of names on every generated
 * deployment; security.test.ts checks the whole restricted profile at once.)
 */
import { Duration } from 'cdk8s';
import { ImageBackend } from '../lib';
import { find, glanceConf, Manifest, ofKind, podSpecs, synthGlance } from './helpers';

const STS = 'glance-default-single';
const GI = 2n ** 30n;

describe('the default upload cap (image_size_cap) is 90 % of the staging volume, not of the cache', () => {
  test.each([
    ['a cache larger than staging', '10Gi', '50Gi'],
    ['a cache smaller than staging', '20Gi', '1Gi'],
    ['no cache', '5Gi', undefined],
  ])('%s (staging %s, cache %s)', (_what, staging, cache) => {
    const m = synthGlance({
      storage: { storageRequest: staging },
      ...(cache ? { imageCache: { size: cache } } : {}),
    });
    const stagingBytes = BigInt(staging.replace('Gi', '')) * GI;
    const cap = BigInt(glanceConf(m, STS).DEFAULT.image_size_cap);
    expect(cap).toBe(stagingBytes * 9n / 10n);
    expect(cap < stagingBytes).toBe(true);
  });
});

/** One deployment with every kind of pod the library makes. */
function everyPodKind(): Manifest[] {
  return synthGlance({
    backend: ImageBackend.file({ sharedStore: { storageClass: 'nfs-client' } }),
    keystone: {
      authUrl: 'http://keystone-internal.openstack.svc:5000',
      passwordSecret: { name: 'osp-secret', key: 'GlancePassword' },
      registration: { adminPasswordSecret: { name: 'osp-secret', key: 'AdminPassword' } },
    },
    imageCache: { size: '10Gi', precache: { images: ['cirros'], waitUntilCached: Duration.minutes(5) } },
    apis: { default: { replicas: 2 } },
  });
}

const m = everyPodKind();
const pods = podSpecs(m);
/** Each kind of pod, by the object that makes it. */
const POD_KINDS: Array<[string, RegExp]> = [
  ['the API StatefulSet', new RegExp(`^StatefulSet/${STS}$`)],
  ['the db-sync Job', /^Job\/glance-db-sync-<hash>$/],
  ['the db-purge CronJob', /^CronJob\/glance-db-purge$/],
  ['the pruner CronJobs', new RegExp(`^CronJob/${STS}-\\d+-pruner$`)],
  ['the cleaner CronJobs', new RegExp(`^CronJob/${STS}-\\d+-cleaner$`)],
  ['the precache CronJobs', new RegExp(`^CronJob/${STS}-\\d+-precache$`)],
  ['the first-run precache Job', new RegExp(`^Job/${STS}-precache-<hash>$`)],
  ['the registration Job', /^Job\/glance-keystone-<hash>$/],
];
/** The pods of a kind (one per replica for the cache CronJobs). */
const podsOf = (pattern: RegExp) => pods.filter((p) => pattern.test(p.where)).map((p) => p.spec);
const containersOf = (pod: any): any[] => [...pod.containers, ...(pod.initContainers ?? [])];

test('every kind of pod is in the deployment, and no other', () => {
  expect(pods.map((p) => POD_KINDS.find(([, pattern]) => pattern.test(p.where))?.[0] ?? p.where).sort())
    .toEqual([...POD_KINDS.map(([kind]) => kind), 'the pruner CronJobs', 'the cleaner CronJobs', 'the precache CronJobs'].sort());
});

/** A security property of a pod: true when the pod has it. */
const PROPERTIES: Array<[string, (pod: any) => unknown, unknown]> = [
  ['runs as non-root (pod and every container)',
    (pod) => [pod.securityContext?.runAsNonRoot, ...containersOf(pod).map((c) => c.securityContext?.runAsNonRoot)], 'all true'],
  ['runs as uid and gid 42415', (pod) => [pod.securityContext?.runAsUser, pod.securityContext?.runAsGroup], [42415, 42415]],
  ['no privilege escalation in any container', (pod) => containersOf(pod).map((c) => c.securityContext?.allowPrivilegeEscalation), 'all false'],
  ['no privileged container', (pod) => containersOf(pod).map((c) => c.securityContext?.privileged), 'all false'],
  ['every capability dropped', (pod) => containersOf(pod).map((c) => JSON.stringify(c.securityContext?.capabilities)), 'all {"drop":["ALL"]}'],
  ['a read-only root filesystem', (pod) => containersOf(pod).map((c) => c.securityContext?.readOnlyRootFilesystem), 'all true'],
  ['the RuntimeDefault seccomp profile', (pod) => pod.securityContext?.seccompProfile?.type, 'RuntimeDefault'],
  ['no service-account token', (pod) => pod.automountServiceAccountToken, false],
  ['no host namespaces', (pod) => [pod.hostNetwork ?? false, pod.hostPID ?? false, pod.hostIPC ?? false], [false, false, false]],
  // (glance-api has no CPU limit by default: a throttled API stalls transfers; resources.cpuLimit sets one.)
  ['a memory limit, and CPU and memory requests, on every container', (pod) => containersOf(pod).map((c) =>
    c.resources?.limits?.memory !== undefined && ['cpu', 'memory'].every((r) => c.resources?.requests?.[r] !== undefined)), 'all true'],
];

/** "all X" compares every element of a list with X. */
function holds(value: unknown, expected: unknown): unknown {
  if (typeof expected === 'string' && expected.startsWith('all ') && Array.isArray(value)) {
    const each = expected.slice(4);
    return value.length > 0 && value.every((v) => String(v) === each) ? expected : value;
  }
  return value;
}

describe.each(POD_KINDS)('%s', (_kind, pattern) => {
  test.each(PROPERTIES)('%s', (_property, of, expected) => {
    const found = podsOf(pattern);
    expect(found.length).toBeGreaterThan(0);
    for (const pod of found) expect(holds(of(pod), expected)).toEqual(expected);
  });
});

describe.each([
  ['pruner', `${STS}-0-pruner`], ['cleaner', `${STS}-0-cleaner`], ['precache', `${STS}-0-precache`], ['db-purge', 'glance-db-purge'],
])('the %s CronJob', (_kind, name) => {
  test('never runs twice at once (concurrencyPolicy Forbid)', () => {
    expect(find(m, 'CronJob', name).spec.concurrencyPolicy).toBe('Forbid');
  });
});

describe('the cache API policy: admin only by default, each rule', () => {
  const policy = find(m, 'Secret', `${STS}-config`).stringData['policy.yaml'];
  test.each(['cache_list', 'cache_image', 'cache_delete'])('%s is role:admin', (rule) => {
    expect(policy).toMatch(new RegExp(`^"?${rule}"?: "?role:admin"?$`, 'm'));
  });
});

describe('the API NetworkPolicy', () => {
  const policy = ofKind(m, 'NetworkPolicy').find((p) => p.metadata.name === STS)!;
  test('lets in only pods of the chart\'s own namespace (a pod selector without a namespace selector), on 9292', () => {
    expect(policy.spec.ingress).toEqual([{ from: [{ podSelector: {} }], ports: [{ port: 9292, protocol: 'TCP' }] }]);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
  });
  test('selects the API\'s pods', () => {
    expect(policy.spec.podSelector.matchLabels['glance.openstack.org/statefulset']).toBe(STS);
  });
});
