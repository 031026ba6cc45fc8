// The generated part of the golden set (scripts/synth-golden.ts): a seeded generator of varied,
// mostly valid Glance deployments. scripts/compare-synth.sh copies the golden scripts into the tree
// of an older revision too, so they import the library's public entry point only ('../lib') and
// use only the API forms meant to last: schedules as cdk8s Cron objects (never strings), no propPath
// and no statefulSetNameProp. They import nothing from test/, which is reorganised.
//
// A generated case is plain data (a "spec", JSON with a few $-markers for the values that are
// objects: stores, Cron, Duration, releases) drawn from a PRNG seeded by the seed and the case
// number, so case N is the same whatever the count, and the library never sees a random draw.
import { App, Chart, Cron, Duration } from 'cdk8s';
import { Glance, GlanceProps, GlanceRelease, ImageBackend } from '../lib';

/** One case: it builds its charts in a fresh App and may list attributes worth pinning. */
export interface GoldenCase {
  readonly name: string;
  /** The input as data, written at the top of the case's file. */
  readonly spec?: unknown;
  readonly build: (app: App) => { charts: Chart[]; attributes?: () => Record<string, unknown> };
}

/** A set of cases the library may no longer support: `unsupported` says why, or is undefined. */
export interface GoldenGroup {
  readonly name: string;
  readonly cases: () => GoldenCase[];
  readonly unsupported?: () => string | undefined;
}

// ---------------------------------------------------------------------------------------------
// Random draws

/** mulberry32: small, fast, and the same in every Node version. */
/* eslint-disable no-bitwise */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/* eslint-enable no-bitwise */

class Draw {
  constructor(private readonly next: () => number) {}
  public int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  public chance(p: number): boolean {
    return this.next() < p;
  }
  public pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
  /** The value with probability p, else undefined (the prop left out). */
  public maybe<T>(p: number, make: () => T): T | undefined {
    return this.chance(p) ? make() : undefined;
  }
  public subset<T>(items: readonly T[], min: number, max: number): T[] {
    const pool = [...items];
    const n = this.int(min, Math.min(max, pool.length));
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(pool.splice(this.int(0, pool.length - 1), 1)[0]);
    return out;
  }
  public word(min: number, max: number): string {
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const length = this.int(min, max);
    let text = this.pick([...letters]);
    for (let i = 1; i < length; i++) text += this.pick([...letters, '0', '1', '7', '9']);
    return text;
  }
}

/** Drops the keys whose value is undefined, so that the spec's JSON shows only what was given. */
function given<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------
// Spec values

const RELEASES = ['2022.1', '2022.2', '2023.1', '2023.2', '2024.1', '2024.2', '2025.1', '2025.2', 'epoxy', 'Caracal', '2026.1', '2027.2'];
const CARACAL_ON = ['2024.1', '2024.2', '2025.1', '2025.2', 'epoxy', 'Caracal', '2026.1', '2027.2'];
const IMAGES = [
  'quay.io/podified-antelope-centos9/openstack-glance-api:current-podified',
  'registry.example/glance-api:2025.1',
  `registry.example/glance-api@sha256:${'0123456789abcdef'.repeat(4)}`,
  'localhost:5000/glance:dev',
];
const QUANTITIES = ['1Gi', '5Gi', '10Gi', '20Gi', '50Gi', '100Gi', '1Ti', '500G', '2.5Gi', '750Mi', '1e11', '3Ti'];
const INI = [
  '[DEFAULT]\ndebug = true\n',
  '[DEFAULT]\nimage-member-quota = 64\n',
  '# a comment\n[database]\nmax_retries = -1\n',
  '[Keystone_AuthToken]\nmemcached_servers = memcached-0.memcached:11211,\n  memcached-1.memcached:11211\n',
  '[oslo_messaging_notifications]\ndriver: noop\n',
  '[DEFAULT]\nimage_cache_dir_extra = 1\n',
  '[DEFAULT]\nbanner = a\n  ---\n  kind: Secret\n',
  '[DEFAULT]\nprice = 5$$\n',
];
/** An oslo.config reference, allowed with customServiceConfigSubstitution. */
const REFERENCE_INI = '[DEFAULT]\nnode_staging_uri = file://${DEFAULT.bind_host}/x\n';
const CIDRS = ['192.0.2.0/24', '198.51.100.7/32', '10.0.0.0/8', '2001:db8::/32'];
const NAMESPACES = ['nova', 'cinder', 'openstack-edge', 'rook-ceph', 'monitoring'];
const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

/** A Cron, as data: { $cron: fields } or { $cron: "daily" } for Cron's named schedules. */
function cron(d: Draw): unknown {
  if (d.chance(0.25)) return { $cron: d.pick(['daily', 'hourly', 'weekly', 'monthly', 'annually']) };
  const field = (min: number, max: number, extra: string[] = []) => d.pick([
    '*', String(d.int(min, max)), `*/${d.int(2, 15)}`, `${d.int(min, Math.floor((min + max) / 2))}-${d.int(Math.ceil((min + max) / 2), max)}`,
    `${d.int(min, max)},${d.int(min, max) === min ? max : min}`, ...extra,
  ]);
  return {
    $cron: given({
      minute: field(0, 59),
      hour: d.maybe(0.7, () => field(0, 23)),
      day: d.maybe(0.2, () => field(1, 28, ['?'])),
      month: d.maybe(0.15, () => field(1, 12, ['jan', 'JUN'])),
      weekDay: d.maybe(0.2, () => field(0, 6, ['mon-fri', 'sun', '?'])),
    }),
  };
}

function secretKey(d: Draw, name: string, key: string): unknown {
  return { name: d.chance(0.7) ? name : `${name}-${d.word(2, 5)}`, key };
}

// ---------------------------------------------------------------------------------------------
// Stores

type StoreKind = 'file' | 'shared' | 'nfs' | 'claim' | 'rbd' | 'swift' | 's3' | 'cinder';

function store(d: Draw, kind: StoreKind): { $backend: string; options: Record<string, unknown> } {
  const description = d.maybe(0.2, () => d.pick(['Images', 'Ceph cluster az1', 'Object store (primary)']));
  switch (kind) {
    case 'file':
      return { $backend: 'file', options: given({ description }) };
    case 'shared':
      return {
        $backend: 'file',
        options: given({
          sharedStore: given({ storageClass: d.pick(['nfs-client', 'cephfs']), storageRequest: d.maybe(0.5, () => d.pick(QUANTITIES)) }),
          description,
        }),
      };
    case 'nfs':
      return {
        $backend: 'file',
        options: given({
          sharedStore: given({
            nfs: {
              server: d.pick(['nfs.example', '192.0.2.5', 'filer-1.storage.example.com']),
              path: d.pick(['/exports/glance', '/srv/nfs/images']),
            },
            storageRequest: d.maybe(0.5, () => d.pick(QUANTITIES)),
          }),
          description,
        }),
      };
    case 'claim':
      return { $backend: 'file', options: given({ sharedStore: { existingClaimName: d.pick(['glance-images-rwx', 'images']) }, description }) };
    case 'rbd': {
      const names = d.chance(0.25);
      return {
        $backend: 'rbd',
        options: given({
          cephSecretName: names && d.chance(0.5) ? undefined : d.pick(['ceph', 'ceph-conf-files', 'ceph-az1']),
          cephSecretNames: names ? d.subset(['ceph-conf-az0', 'ceph-conf-az1', 'ceph-keyring'], 1, 3) : undefined,
          cluster: d.maybe(0.3, () => d.pick(['ceph', 'az1', 'edge_2'])),
          pool: d.maybe(0.5, () => d.pick(['images', 'glance.images', 'az1-images'])),
          user: d.maybe(0.5, () => d.pick(['openstack', 'glance', 'client.glance'])),
          description,
        }),
      };
    }
    case 'swift':
      return {
        $backend: 'swift',
        options: given({
          keySecret: d.maybe(0.4, () => secretKey(d, 'swift-key', 'key')),
          user: d.maybe(0.3, () => d.pick(['glance-swift', 'images'])),
          projectName: d.maybe(0.3, () => d.pick(['service', 'images'])),
          container: d.maybe(0.4, () => d.pick(['glance', 'images-eu'])),
          region: d.maybe(0.3, () => d.pick(['regionOne', 'az1'])),
          endpointType: d.maybe(0.3, () => d.pick(['internalURL', 'publicURL', 'adminURL'])),
          description,
        }),
      };
    case 's3':
      return {
        $backend: 's3',
        options: given({
          host: d.pick(['https://s3.example.com', 'http://rgw.ceph.svc:8080', 's3.example.com:8080', 'http://[2001:db8::5]:7480']),
          bucket: d.pick(['glance', 'images.eu-1', 'glance-images']),
          accessKeySecret: secretKey(d, 's3-credentials', 'access'),
          secretKeySecret: secretKey(d, 's3-credentials', 'secret'),
          createBucketOnPut: d.maybe(0.4, () => d.chance(0.5)),
          bucketUrlFormat: d.maybe(0.4, () => d.pick(['auto', 'virtual', 'path'])),
          caCertSecret: d.maybe(0.3, () => secretKey(d, 's3-ca', 'ca.crt')),
          description,
        }),
      };
    case 'cinder':
      return {
        $backend: 'cinder',
        options: given({
          allowPrivilegedAttach: true,
          passwordSecret: d.maybe(0.3, () => secretKey(d, 'cinder-store', 'password')),
          user: d.maybe(0.3, () => 'glance-cinder'),
          projectName: d.maybe(0.3, () => 'images'),
          catalogInfo: d.maybe(0.3, () => d.pick(['volumev3::internalURL', 'block-storage:cinderv3:publicURL'])),
          volumeType: d.maybe(0.3, () => d.pick(['glance-images', 'ceph ssd'])),
          description,
        }),
      };
  }
}

/** The backend of a deployment: one store, or several (multi). Also says whether replicas may exceed one. */
function backend(d: Draw): { spec: unknown; localFile: boolean; clones: boolean; credentials: boolean } {
  const kind = d.pick<StoreKind | 'multi' | 'default'>(
    ['default', 'file', 'shared', 'nfs', 'claim', 'rbd', 'rbd', 'rbd', 'swift', 's3', 'cinder', 'multi', 'multi']);
  if (kind === 'default') return { spec: undefined, localFile: true, clones: false, credentials: false };
  if (kind !== 'multi') {
    return { spec: store(d, kind), localFile: kind === 'file', clones: kind === 'rbd', credentials: kind === 'swift' || kind === 's3' };
  }
  const kinds = d.subset<StoreKind>(['rbd', 'rbd', 'swift', 's3', 'cinder', d.pick(['shared', 'nfs', 'claim', 'file'])], 2, 4);
  const stores: Record<string, unknown> = {};
  kinds.forEach((k, i) => { stores[`${k === 'shared' || k === 'nfs' || k === 'claim' ? 'file' : k}${i}`] = store(d, k); });
  const names = Object.keys(stores);
  return {
    spec: { $backend: 'multi', options: { stores, defaultStore: d.pick(names) } },
    localFile: kinds.includes('file'),
    credentials: kinds.includes('swift') || kinds.includes('s3'),
    clones: kinds.includes('rbd') && !(kinds.includes('swift') || kinds.includes('s3')),
  };
}

// ---------------------------------------------------------------------------------------------
// Deployments

function imageCache(d: Draw, caracalOn: boolean, level: 'top' | 'api'): Record<string, unknown> {
  const precache = d.chance(0.25);
  const serviceRule = () => d.pick(['role:admin', 'role:admin or role:service', 'role:service or role:admin', '(role:admin)']);
  return given({
    size: level === 'top' || d.chance(0.7) ? d.pick(QUANTITIES) : undefined,
    maxSizeRatio: d.maybe(0.3, () => d.pick([0.5, 0.85, 0.9, 1, 0.333, 0.01])),
    stallTime: d.maybe(0.3, () => d.pick([{ $seconds: 3600 }, { $hours: 6 }, { $days: 2 }, { $minutes: 90 }, { $seconds: 1 }])),
    driver: d.maybe(0.3, () => d.pick(caracalOn ? ['sqlite', 'xattr', 'centralized_db'] : ['sqlite', 'xattr'])),
    storageClass: d.maybe(0.3, () => d.pick(['fast-ssd', 'local-path'])),
    prunerSchedule: d.maybe(0.3, () => cron(d)),
    cleanerSchedule: d.maybe(0.3, () => cron(d)),
    removeOrphans: d.maybe(0.3, () => d.chance(0.5)),
    policy: d.maybe(0.3, () => given({
      cacheList: d.maybe(0.6, () => (precache ? serviceRule() : d.pick(['role:admin or role:reader', 'role:admin', 'role:cache_operator']))),
      cacheImage: d.maybe(0.6, () => (precache ? serviceRule() : d.pick(['role:admin', 'role:member']))),
      cacheDelete: d.maybe(0.6, () => d.pick(['role:admin', 'role:admin or role:reader', 'rule:context_is_admin'])),
    })),
    precache: precache ? given({
      images: d.subset(['cirros-0.6.2', 'ubuntu-24.04-server', '6a2b3c4d-1e2f-4a5b-9c8d-7e6f5a4b3c2d', 'fedora $(HOME) 40', 'windows-2022'], 1, 3),
      schedule: d.maybe(0.5, () => cron(d)),
    }) : undefined,
  });
}

function endpointService(d: Draw, allowType: boolean): Record<string, unknown> {
  return given({
    serviceType: allowType ? d.maybe(0.5, () => d.pick(SERVICE_TYPES)) : undefined,
    annotations: d.maybe(0.5, () => d.pick([
      { 'metallb.universe.tf/address-pool': 'internalapi' },
      { 'metallb.universe.tf/loadBalancerIPs': '192.0.2.80', 'example.com/owner': 'images team' },
    ])),
    labels: d.maybe(0.5, () => d.pick([{ tier: 'api' }, { 'example.com/zone': 'az1', 'exposed': '' }])),
  });
}

/** One generated, mostly valid deployment, as data. */
export function generatedSpec(seed: number, index: number, legacyTypes = false): Record<string, unknown> {
  // eslint-disable-next-line no-bitwise
  const d = new Draw(prng(Math.imul(seed ^ 0x9e3779b9, 31) + index * 7919 + (legacyTypes ? 0x5bd1e995 : 0)));
  const release = d.maybe(0.7, () => d.pick(RELEASES));
  const caracalOn = release !== undefined && CARACAL_ON.includes(release);
  const chosen = backend(d);
  const external = !chosen.localFile && d.chance(0.3);
  const storage = d.chance(0.5) || external;
  const storageGi = storage ? d.maybe(0.7, () => d.int(2, 400)) : undefined;
  // A file store that is not shared allows one replica in all: no SPLIT pair.
  const types = [...chosen.localFile ? ['single', 'edge'] : ['single', 'edge', 'split'], ...legacyTypes ? ['internal', 'external'] : []];
  const apis: Record<string, unknown> = {};
  const apiCount = chosen.localFile ? 1 : d.pick([1, 1, 2, 2, 3]);
  const substitution = d.chance(0.08);
  for (let i = 0; i < apiCount; i++) {
    const name = d.chance(0.3) ? 'default' : d.word(2, 8);
    const type = legacyTypes ? d.pick(types) : d.maybe(0.7, () => d.pick(types));
    const role = type ?? (chosen.clones ? 'split' : 'single');
    const servesPublic = role !== 'edge' && role !== 'internal';
    const publicServiceType = servesPublic ? d.maybe(0.2, () => d.pick(SERVICE_TYPES)) : undefined;
    apis[name] = given({
      type,
      replicas: chosen.localFile ? d.maybe(0.5, () => d.pick([0, 1])) : d.maybe(0.7, () => d.int(0, 4)),
      workers: d.maybe(0.3, () => d.int(1, 16)),
      resources: d.maybe(0.25, () => given({
        cpuRequest: d.maybe(0.6, () => d.pick(['250m', '1', '2500m'])),
        cpuLimit: d.maybe(0.3, () => d.pick(['2', '4000m'])),
        memoryRequest: d.maybe(0.6, () => d.pick(['256Mi', '1Gi'])),
        memoryLimit: d.maybe(0.6, () => d.pick(['4Gi', '3072Mi'])),
      })),
      nodeSelector: d.maybe(0.2, () => d.pick([{ 'node-role.kubernetes.io/glance': '' }, { 'topology.kubernetes.io/zone': 'az1' }])),
      imageCache: d.maybe(0.35, () => imageCache(d, caracalOn, 'api')),
      customServiceConfig: d.maybe(0.2, () => (substitution && d.chance(0.5) ? REFERENCE_INI : d.pick(INI))),
      publicServiceType,
      // true would show locations on a public endpoint (external, the external half of split) or credentials (swift, s3).
      showImageDirectUrl: chosen.credentials ? undefined : d.maybe(0.3, () => role !== 'external' && role !== 'split' && d.chance(0.5)),
      networkAttachments: d.maybe(0.2, () => d.subset(['storage', 'internalapi', 'openstack/storage-mgmt'], 0, 2)),
      endpointServices: d.maybe(0.2, () => given({
        internalService: role !== 'external' ? d.maybe(0.6, () => endpointService(d, true)) : undefined,
        publicService: servesPublic ? d.maybe(0.6, () => endpointService(d, publicServiceType === undefined)) : undefined,
      })),
    });
  }
  const policyOn = d.chance(0.85);
  const anyAddress = d.chance(0.1);
  const publicEndpoint = d.chance(0.4);
  const spec = given({
    name: d.maybe(0.4, () => d.pick(['glance', 'images', d.word(2, 10)])),
    image: d.maybe(0.3, () => d.pick(IMAGES)),
    release: release === undefined ? undefined : { $release: release },
    database: { connectionSecret: secretKey(d, 'glance-db', d.pick(['connection', 'url'])) },
    keystone: given({
      authUrl: d.pick(['http://keystone.openstack.svc:5000', 'https://keystone-internal.openstack.svc:5000/v3', 'http://192.0.2.10:5000/']),
      publicAuthUrl: d.maybe(0.4, () => 'https://keystone.example.com'),
      passwordSecret: secretKey(d, 'osp-secret', 'GlancePassword'),
      username: d.maybe(0.2, () => 'glance-svc'),
      projectName: d.maybe(0.2, () => 'services'),
      domainName: d.maybe(0.2, () => 'Service Domain'),
      region: d.maybe(0.3, () => d.pick(['regionOne', 'az1'])),
    }),
    backend: chosen.spec,
    storage: storage ? given({
      storageRequest: storageGi === undefined ? undefined : `${storageGi}Gi`,
      storageClass: d.maybe(0.3, () => d.pick(['local-path', 'fast-ssd'])),
      accessMode: d.maybe(0.2, () => d.pick(['ReadWriteOnce', 'ReadWriteMany'])),
      external: external || undefined,
    }) : undefined,
    customServiceConfig: d.maybe(0.3, () => d.pick(INI)),
    customServiceConfigSubstitution: substitution || d.maybe(0.05, () => false),
    webDownload: d.maybe(0.25, () => given({
      allowedHosts: d.subset(['cloud-images.ubuntu.com', 'mirror.example', '192.0.2.7', '2001:DB8::7', 'Download.Fedoraproject.org'], 1, 3),
      allowedSchemes: d.maybe(0.4, () => d.subset(['https', 'http', 'ftp'], 1, 3)),
      allowedPorts: d.maybe(0.4, () => d.subset([443, 80, 8443, 21], 1, 3)),
    })),
    limits: d.maybe(0.3, () => given({
      imageSizeCap: d.maybe(0.6, () => `${Math.max(1, Math.floor((storageGi ?? 10) * 1024 * d.int(1, 99) / 100))}Mi`),
      userStorageQuota: d.maybe(0.6, () => d.pick(['1Ti', '500Gi', '100G'])),
    })),
    networkPolicy: d.maybe(0.35, () => given(policyOn ? {
      enabled: d.maybe(0.2, () => true),
      internalEndpoint: d.maybe(0.4, () => given({
        allowedNamespaces: d.maybe(0.7, () => d.subset(NAMESPACES, 1, 2)),
        allowedCidrs: d.maybe(0.4, () => d.subset(CIDRS, 1, 2)),
      })),
      publicEndpoint: publicEndpoint ? given({
        allowedNamespaces: d.maybe(0.5, () => d.subset(NAMESPACES, 1, 2)),
        allowedCidrs: d.maybe(0.6, () => d.subset(anyAddress ? [...CIDRS, '::/0'] : CIDRS, 1, 2)),
      }) : undefined,
      // The deprecated spellings of publicEndpoint's lists, refused beside them.
      allowedNamespaces: publicEndpoint ? undefined : d.maybe(0.15, () => d.subset(NAMESPACES, 1, 2)),
      allowedCidrs: publicEndpoint ? undefined : d.maybe(0.15, () => d.subset(CIDRS, 1, 2)),
      allowAnyAddress: anyAddress || undefined,
      egress: d.maybe(0.35, () => given({
        dnsNamespace: d.maybe(0.3, () => d.pick(['kube-system', 'dns'])),
        dnsCidrs: d.maybe(0.3, () => ['169.254.20.10/32']),
        destinations: d.maybe(0.7, () => d.subset([
          { namespace: 'rook-ceph' }, { namespace: 'keystone', ports: [5000] }, { cidr: '192.0.2.0/24', ports: [3306, 443] },
          { cidr: anyAddress ? '0.0.0.0/0' : '203.0.113.0/24', ports: [443] }, { cidr: '2001:db8::/48' },
        ], 1, 3)),
      })),
    } : { enabled: false })),
    behindTlsProxy: d.maybe(0.2, () => d.chance(0.7)),
    imagePullPolicy: d.maybe(0.15, () => d.pick(PULL_POLICIES)),
    apis: d.chance(0.1) && !chosen.localFile ? undefined : apis,
    imageCache: d.maybe(0.3, () => imageCache(d, caracalOn, 'top')),
    dbPurge: d.maybe(0.2, () => given({ ageInDays: d.maybe(0.6, () => d.int(1, 90)), schedule: d.maybe(0.6, () => cron(d)) })),
  });
  // One case in eight carries a mistake: which inputs the library refuses is behaviour too.
  if (d.chance(0.125)) d.pick(MISTAKES)(spec, d);
  // Drawn last, so that the cases before keystone.registration existed keep every other value.
  if (d.chance(0.2)) {
    const names = Object.keys((spec.apis as Spec | undefined) ?? { default: {} });
    (spec.keystone as Spec).registration = given({
      adminPasswordSecret: secretKey(d, 'osp-secret', 'AdminPassword'),
      adminUsername: d.maybe(0.2, () => 'cloud-admin'),
      api: names.length > 1 || d.chance(0.3) ? d.pick(names) : undefined,
      // Needed behind a TLS proxy, and for an API without a public endpoint (edge).
      publicUrl: spec.behindTlsProxy || d.chance(0.5) ? 'https://glance.example.com' : undefined,
      internalUrl: d.maybe(0.1, () => 'http://glance-internal.example.com:9292'),
    });
    // Not beside limits.userStorageQuota, which Glance then ignores (refused).
    if ((spec.limits as Spec | undefined)?.userStorageQuota === undefined) {
      (spec as Spec).quotas = d.maybe(0.4, () => ({
        imageSizeTotal: d.pick(['100Gi', '0', '512Mi']),
        imageStageTotal: d.pick(['20Gi', '1Mi']),
        imageCountTotal: d.int(0, 200),
        imageCountUploading: d.int(0, 4),
      }));
    }
  }
  return spec;
}

type Spec = Record<string, any>;
const firstApi = (s: Spec): Spec => {
  s.apis ??= { default: {} };
  return s.apis[Object.keys(s.apis)[0]];
};

/** Type-correct mistakes, each refused by today's library. */
const MISTAKES: Array<(s: Spec, d: Draw) => void> = [
  (s) => { firstApi(s).replicas = 1.5; },
  (s) => { firstApi(s).workers = 0; },
  (s) => { s.imageCache = { ...s.imageCache, size: '10GB' }; },
  (s) => { s.imageCache = { size: '1Gi', maxSizeRatio: 1.5 }; },
  (s) => { s.imageCache = { size: '1Gi', stallTime: { $millis: 1500 } }; },
  (s) => { s.release = { $release: '2023.2' }; s.imageCache = { size: '5Gi', driver: 'centralized_db' }; },
  (s, d) => { s.name = `glance-${d.word(40, 50)}`; },
  (s) => { s.apis = { ...s.apis, Bad_Name: {} }; },
  (s) => { s.storage = { storageRequest: '10Gi' }; s.limits = { imageSizeCap: '10Gi' }; },
  (s) => { s.backend = { $backend: 'cinder', options: {} }; },
  (s) => { s.backend = { $backend: 'file', options: {} }; s.apis = { default: { replicas: 2 } }; },
  (s) => { s.dbPurge = { schedule: { $cron: { minute: '61' } } }; },
  (s) => { s.imageCache = { size: '1Gi', cleanerSchedule: { $cron: { minute: '0', hour: '5-1' } } }; },
  (s) => { firstApi(s).networkAttachments = ['Storage_Net']; },
  (s) => { s.webDownload = { allowedHosts: ['169.254.169.254'] }; },
  (s) => { s.imageCache = { size: '1Gi', precache: { images: ['cirros'] }, policy: { cacheList: 'role:reader' } }; },
  (s) => { s.backend = { $backend: 'swift', options: {} }; firstApi(s).showImageDirectUrl = true; },
  (s) => {
    const keys = { accessKeySecret: { name: 'a', key: 'a' }, secretKeySecret: { name: 'a', key: 'b' } };
    s.backend = { $backend: 's3', options: { host: 'https://s3.example.com', bucket: 'Glance', ...keys } };
  },
  (s) => { s.backend = { $backend: 'rbd', options: { cephSecretName: 'ceph', pool: 'my pool' } }; },
  (s) => {
    const stores = { ceph0: { $backend: 'rbd', options: { cephSecretName: 'ceph' } } };
    s.backend = { $backend: 'multi', options: { stores, defaultStore: 'ceph1' } };
  },
  (s) => { s.backend = { $backend: 'multi', options: { stores: { database: { $backend: 'swift', options: {} } }, defaultStore: 'database' } }; },
  (s) => { s.backend = { $backend: 'file', options: {} }; s.storage = { external: true }; s.apis = { default: {} }; },
  (s) => { s.dbPurge = { ageInDays: 0 }; },
  (s) => { s.networkPolicy = { publicEndpoint: { allowedCidrs: ['0.0.0.0/0'] } }; },
  (s) => { s.networkPolicy = { egress: { destinations: [{ namespace: 'nova', cidr: '192.0.2.0/24' }] } }; },
  (s) => { s.customServiceConfig = '[DEFAULT]\nimage_cache_max_size = 1\n'; },
  (s) => { s.customServiceConfig = '[DEFAULT]\nbanner = 5$\n'; },
  (s) => { firstApi(s).endpointServices = { internalService: { labels: { tier: 'a b' } } }; },
  (s) => {
    const endpointServices = { publicService: { serviceType: 'LoadBalancer' } };
    Object.assign(firstApi(s), { type: 'single', publicServiceType: 'NodePort', endpointServices });
  },
  (s) => { firstApi(s).resources = { cpuRequest: 'lots' }; },
  (s) => { s.keystone = { ...s.keystone, authUrl: 'keystone:5000' }; },
  (s) => {
    delete s.name;
    s.database = { connectionSecret: { name: 'glance-default-single-config', key: 'connection' } };
    s.apis = { default: { type: 'single' } };
  },
  (s) => {
    s.apis = { a: { replicas: 0.5 }, b: { replicas: 0.75 } };
    s.backend = { $backend: 'file', options: { sharedStore: { storageClass: 'nfs' } } };
  },
  (s) => { s.imagePullPolicy = 'Sometimes'; },
];

/** Turns a spec's $-markers into the library's objects. Runs inside the case, so a factory's refusal is the case's. */
export function fromSpec(value: any): any {
  if (Array.isArray(value)) return value.map(fromSpec);
  if (value === null || typeof value !== 'object') return value;
  if ('$backend' in value) {
    const options = fromSpec(value.options);
    return (ImageBackend as any)[value.$backend](options);
  }
  if ('$cron' in value) return typeof value.$cron === 'string' ? (Cron as any)[value.$cron]() : Cron.schedule(value.$cron);
  if ('$release' in value) return GlanceRelease.of(value.$release);
  for (const unit of ['millis', 'seconds', 'minutes', 'hours', 'days'] as const) {
    if (`$${unit}` in value) return Duration[unit](value[`$${unit}`]);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromSpec(v)]));
}

export const BASE: GlanceProps = {
  database: { connectionSecret: { name: 'glance-db', key: 'connection' } },
  keystone: { authUrl: 'http://keystone.openstack.svc:5000', passwordSecret: { name: 'osp-secret', key: 'GlancePassword' } },
};

export function glanceAttributes(glance: Glance): Record<string, unknown> {
  return { dbSyncJobName: glance.dbSyncJobName, apis: glance.apis.map((api) => api.statefulSetName) };
}

/**
 * `count` generated deployments. With legacyTypes, every API has a type and some are
 * GlanceApiType.INTERNAL or EXTERNAL, which the refactor may take out of GlanceApiType.
 */
export function generatedCases(seed: number, count: number, legacyTypes = false): GoldenCase[] {
  return Array.from({ length: count }, (_, i) => {
    const spec = generatedSpec(seed, i, legacyTypes);
    return {
      name: `${legacyTypes ? 't' : 'g'}${String(i).padStart(4, '0')}`,
      spec,
      build: (app: App) => {
        const chart = new Chart(app, 'generated', { namespace: 'openstack' });
        const glance = new Glance(chart, 'glance', fromSpec(spec));
        return { charts: [chart], attributes: () => glanceAttributes(glance) };
      },
    };
  });
}
