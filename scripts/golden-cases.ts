// The hand-written part of the golden set (scripts/synth-golden.ts): deployments of shapes worth
// keeping whatever the generator draws, Glances in other trees and charts, custom resources, a
// standalone CacheCleaner, and GlanceApis composed by hand. Only compositions that give correct
// manifests today are here: the golden set pins behaviour that must not change. The same rules
// as scripts/golden-generator.ts hold: '../lib' only, Cron schedules, no plumbing props. The
// compositions add GlanceApis and ImageCaches to a built Glance (issue 22); older libraries skip them.
import { App, Chart, Cron, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { BASE, glanceAttributes, GoldenCase } from './golden-generator';
import { CacheCleaner, Glance, GlanceApi, GlanceApiRole, GlanceApiType, GlanceProps, GlanceRelease, ImageBackend, ImageCache } from '../lib';


const rbd = () => ImageBackend.rbd({ cephSecretName: 'ceph', pool: 'images' });
const nfs = () => ImageBackend.file({ sharedStore: { storageClass: 'nfs-client' } });

/** Glance deployments written by hand, each a shape worth keeping whatever the generator draws. */
const DEPLOYMENTS: Record<string, () => Partial<GlanceProps>> = {
  'split-rbd-external-storage': () => ({
    backend: rbd(), storage: { external: true }, imageCache: { size: '50Gi' }, apis: { default: { replicas: 2 } },
  }),
  'edge-and-internal': () => ({
    backend: rbd(),
    release: GlanceRelease.EPOXY,
    imageCache: { size: '1Ti', maxSizeRatio: 0.5 },
    apis: {
      central: { type: GlanceApiType.SPLIT, replicas: 3 },
      az1: { type: GlanceApiType.EDGE, imageCache: { size: '200Gi', cleanerSchedule: Cron.schedule({ minute: '0' }) } },
    },
  }),
  'nfs-overrides': () => ({
    name: 'images',
    backend: nfs(),
    release: GlanceRelease.ZED,
    customServiceConfig: '[DEFAULT]\ndebug = true\n',
    imageCache: { size: '3.5Gi', stallTime: Duration.hours(6), removeOrphans: false, policy: { cacheList: 'role:admin or role:reader' } },
    apis: { a: { replicas: 4, workers: 2, customServiceConfig: '[DEFAULT]\nimage_cache_sqlite_db = a.db\n' }, b: { replicas: 0 } },
    dbPurge: { ageInDays: 7, schedule: Cron.weekly() },
  }),
  'no-cache-options': () => ({
    backend: nfs(),
    webDownload: { allowedHosts: ['cloud-images.ubuntu.com'] },
    limits: { imageSizeCap: '5Gi', userStorageQuota: '1Ti' },
    networkPolicy: { allowedNamespaces: ['nova'], allowedCidrs: ['192.0.2.0/24'] },
    behindTlsProxy: true,
    apis: { default: { replicas: 2 } },
  }),
  'defaults-only': () => ({}),
  'multi-everything': () => ({
    release: GlanceRelease.of('2026.1'),
    backend: ImageBackend.multi({
      stores: {
        ceph0: ImageBackend.rbd({ cephSecretNames: ['ceph-az0', 'ceph-az1'], cluster: 'az0' }),
        swift0: ImageBackend.swift({ keySecret: { name: 'swift', key: 'key' }, container: 'images', region: 'regionTwo' }),
        s3: ImageBackend.s3({
          host: 'https://s3.example.com',
          bucket: 'glance',
          accessKeySecret: { name: 's3', key: 'access' },
          secretKeySecret: { name: 's3', key: 'secret' },
          caCertSecret: { name: 's3-ca', key: 'ca.crt' },
        }),
        cinder0: ImageBackend.cinder({ allowPrivilegedAttach: true, volumeType: 'images' }),
        files: ImageBackend.file({ sharedStore: { nfs: { server: 'nfs.example', path: '/exports/glance' } } }),
      },
      defaultStore: 'swift0',
    }),
    imageCache: { size: '100Gi', precache: { images: ['cirros'], schedule: Cron.hourly() } },
    apis: { default: { type: GlanceApiType.SPLIT, replicas: 2 } },
  }),
};

/** Glances in other trees, ids and charts: names must not depend on them. */
const PLACEMENTS: Record<string, (app: App) => { charts: Chart[]; attributes?: () => Record<string, unknown> }> = {
  'nested-scopes-other-id': (app) => {
    const chart = new Chart(app, 'placed', { namespace: 'openstack' });
    const glance = new Glance(new Construct(new Construct(chart, 'region-one'), 'images'), 'my-glance', {
      ...BASE, backend: rbd(), imageCache: { size: '10Gi' }, apis: { default: {}, edge1: { type: GlanceApiType.EDGE, replicas: 2 } },
    });
    return { charts: [chart], attributes: () => glanceAttributes(glance) };
  },
  'two-glances-one-chart': (app) => {
    const chart = new Chart(app, 'two', { namespace: 'openstack' });
    const a = new Glance(chart, 'a', { ...BASE, name: 'glance-a', backend: nfs(), apis: { default: { replicas: 2 } } });
    const b = new Glance(chart, 'b', { ...BASE, name: 'glance-b', backend: rbd(), imageCache: { size: '5Gi' } });
    return { charts: [chart], attributes: () => ({ a: glanceAttributes(a), b: glanceAttributes(b) }) };
  },
  'no-namespace-nfs': (app) => {
    const chart = new Chart(app, 'cluster-scoped');
    new Glance(chart, 'glance', {
      ...BASE,
      backend: ImageBackend.file({ sharedStore: { nfs: { server: '192.0.2.5', path: '/exports/glance' } } }),
      imageCache: { size: '2Gi', precache: { images: ['cirros'] } },
      apis: { default: { replicas: 2 } },
    });
    return { charts: [chart] };
  },
  'charts-in-two-namespaces': (app) => {
    const charts = ['east', 'west'].map((ns) => {
      const chart = new Chart(app, `site-${ns}`, { namespace: ns });
      const share = { server: 'nfs.example', path: `/exports/${ns}` };
      new Glance(chart, 'glance', { ...BASE, backend: ImageBackend.file({ sharedStore: { nfs: share } }) });
      return chart;
    });
    return { charts };
  },
  // CacheCleaner outside a GlanceApi, for a StatefulSet made elsewhere: it runs glance-cache-cleaner.
  'cleaner-standalone': (app) => {
    const chart = new Chart(app, 'cleaner', { namespace: 'openstack' });
    const cleaner = new CacheCleaner(chart, 'cleaner', {
      statefulSetName: 'glance-default-single',
      replicas: 3,
      image: 'registry.example/glance-api:2025.1',
      configSecretName: 'glance-default-single-config',
      removeOrphans: false,
      schedule: Cron.schedule({ minute: '*/20' }),
    });
    return { charts: [chart], attributes: () => ({ cronJobs: cleaner.cronJobs.map((j) => j.name) }) };
  },
  'cleaner-standalone-db-nested': (app) => {
    const chart = new Chart(app, 'cleaner-db');
    new CacheCleaner(new Construct(chart, 'ops'), 'other-id', {
      statefulSetName: 'images-edge-edge',
      replicas: 2,
      image: `registry.example/glance-api@sha256:${'ab'.repeat(32)}`,
      configSecretName: 'images-edge-edge-config',
      removeOrphans: false,
      schedule: Cron.hourly(),
      databaseConnection: { name: 'glance-db', key: 'connection' },
      imagePullPolicy: 'Always' as any,
    });
    return { charts: [chart] };
  },
};

/** Glance custom resources, read by Glance.fromCustomResource. */
interface CustomResourceCase {
  /** YAML text, or a parsed CR or spec. */
  readonly cr: unknown;
  readonly backend?: () => ImageBackend;
  readonly release?: GlanceRelease;
  readonly publicAuthUrl?: string;
  readonly keystoneRegistration?: boolean;
  /** The public endpoint's URL (a control plane's is a Route, whose host the CR does not say). */
  readonly publicUrl?: string;
}

const CUSTOM_RESOURCES: Record<string, CustomResourceCase> = {
  'cr-control-plane': {
    cr: 'apiVersion: core.openstack.org/v1beta1\nkind: OpenStackControlPlane\nmetadata:\n  name: openstack\nspec:\n  glance:\n    template:\n'
      + '      customServiceConfig: |\n        [DEFAULT]\n        debug = true\n      imageCache:\n        size: 10Gi\n'
      + '      storage:\n        storageRequest: 10Gi\n      glanceAPIs:\n        default:\n          replicas: 3\n          type: single\n',
    backend: nfs,
    publicUrl: 'https://glance-default-public-openstack.apps.example.com',
  },
  'cr-bare-split-rbd': {
    cr: 'apiVersion: glance.openstack.org/v1beta1\nkind: Glance\nmetadata:\n  name: glance\n  namespace: openstack\nspec:\n'
      + '  dbPurge:\n    age: 10\n    schedule: "5 1 * * *"\n  glanceAPIs:\n    default:\n      replicas: 2\n      networkAttachments: [storage]\n'
      + '      imageCache:\n        size: 20Gi\n        cleanerScheduler: "*/10 * * * *"\n',
    backend: rbd,
    release: GlanceRelease.CARACAL,
  },
  'cr-parsed-spec': {
    cr: { glanceAPIs: { default: { replicas: 1, type: 'edge', customServiceConfig: '[DEFAULT]\nworkers = 2\n' } }, imageCache: { size: '3Gi' } },
    publicAuthUrl: 'https://keystone.example.com',
    // Only an edge API: the operator would list none in Keystone.
    keystoneRegistration: false,
  },
  'cr-tls-secrets': {
    cr: 'apiVersion: glance.openstack.org/v1beta1\nkind: Glance\nmetadata:\n  name: glance\nspec:\n'
      + '  glanceAPIs:\n    default:\n      tls:\n        api:\n          internal:\n            secretName: glance-tls\n',
    backend: rbd,
  },
};

export function handCases(): GoldenCase[] {
  const cases: GoldenCase[] = [];
  for (const [name, props] of Object.entries(DEPLOYMENTS)) {
    cases.push({
      name,
      build: (app) => {
        const chart = new Chart(app, name, { namespace: 'openstack' });
        const glance = new Glance(chart, 'glance', { ...BASE, ...props() });
        return { charts: [chart], attributes: () => glanceAttributes(glance) };
      },
    });
  }
  for (const [name, build] of Object.entries(PLACEMENTS)) cases.push({ name, build });
  for (const [name, { cr, backend: crBackend, release, publicAuthUrl, keystoneRegistration, publicUrl }] of Object.entries(CUSTOM_RESOURCES)) {
    cases.push({
      name,
      build: (app) => {
        const chart = new Chart(app, name, { namespace: 'openstack' });
        const glance = Glance.fromCustomResource(chart, 'glance', cr, {
          database: { connectionSecret: { name: 'glance-db', key: 'connection' } },
          keystoneAuthUrl: 'http://keystone-internal.openstack.svc:5000',
          ...(crBackend ? { backend: crBackend() } : {}),
          ...(release ? { release } : {}),
          ...(publicAuthUrl ? { keystonePublicAuthUrl: publicAuthUrl } : {}),
          ...(keystoneRegistration === undefined ? {} : { keystoneRegistration }),
          ...(publicUrl ? { publicUrl } : {}),
        });
        return { charts: [chart], attributes: () => glanceAttributes(glance) };
      },
    });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// GlanceApi composed by hand, with the `common` prop it has today

function apiAttributes(api: GlanceApi): Record<string, unknown> {
  return {
    statefulSetName: api.statefulSetName,
    configSecretName: api.configSecretName,
    endpointServiceNames: api.endpointServiceNames,
    replicas: api.replicas,
    replicaHostname0: api.replicaHostname(0),
    cacheClaimName0: api.cacheClaimName(0),
    imageCache: api.imageCache && {
      size: api.imageCache.size,
      maxSizeBytes: api.imageCache.maxSizeBytes,
      stallTimeSeconds: api.imageCache.stallTimeSeconds,
      driver: api.imageCache.driver,
      removeOrphans: api.imageCache.removeOrphans,
      precacheJob: api.imageCache.precache?.firstRunJobName,
    },
  };
}

const COMMON_RBD = { ...BASE, name: 'glance', backend: ImageBackend.rbd({ cephSecretName: 'ceph' }), release: GlanceRelease.EPOXY };

/** A Glance of `common` with one API of its own, into which the compositions add theirs. */
const glanceOf = (scope: Construct, common: Omit<GlanceProps, 'apis'>, id = 'glance') => new Glance(scope, id, { ...common, apis: { base: {} } });

/**
 * Each adds GlanceApis (and caches) to a Glance after it was built, by hand: the composition a
 * user writes. The form needs the late composition of issue 22, so older libraries skip them.
 */
const API_COMPOSITIONS: Record<string, (chart: Chart) => GlanceApi[]> = {
  'api-internal-cache-precache': (chart) => {
    const api = new GlanceApi(glanceOf(chart, COMMON_RBD), 'my-api', { apiName: 'default', role: GlanceApiRole.INTERNAL, replicas: 2 });
    new ImageCache(api, 'cache', {
      size: '20Gi',
      precache: { images: ['cirros-0.6.2'], schedule: Cron.schedule({ minute: '*/20' }) },
      policy: { cacheList: 'role:admin or role:reader' },
    });
    return [api];
  },
  'api-edge-nested-scopes': (chart) => {
    const az1 = new Construct(glanceOf(new Construct(chart, 'site'), { ...COMMON_RBD, name: 'edge' }), 'az1');
    return [new GlanceApi(az1, 'x', {
      apiName: 'az1',
      role: GlanceApiRole.EDGE,
      replicas: 3,
      imageCache: {
        size: '50Gi', prunerSchedule: Cron.daily(), cleanerSchedule: Cron.schedule({ minute: '5', hour: '*/2' }), driver: 'xattr' as any,
      },
    })];
  },
  'api-split-pair-by-hand': (chart) => {
    const glance = glanceOf(chart, { ...COMMON_RBD, imageCache: { size: '10Gi' } });
    return [GlanceApiRole.INTERNAL, GlanceApiRole.EXTERNAL].map((role) => new GlanceApi(glance, `half-${role}`, {
      apiName: 'default',
      role,
      replicas: 2,
    }));
  },
  'api-swift-single-services': (chart) => [new GlanceApi(glanceOf(chart, {
    ...BASE,
    backend: ImageBackend.swift({ container: 'images' }),
    behindTlsProxy: true,
  }), 'api', {
    apiName: 'public',
    resources: { cpuRequest: '1', memoryLimit: '3Gi' },
    networkAttachments: ['storage'],
    nodeSelector: { 'node-role.kubernetes.io/glance': '' },
    endpointServices: {
      internalService: { annotations: { 'metallb.universe.tf/address-pool': 'internalapi' } },
      publicService: { serviceType: 'LoadBalancer' as any },
    },
  })],
  'api-shared-file-no-namespace': (chart) => {
    const common = {
      ...BASE,
      release: GlanceRelease.ZED,
      customServiceConfig: '[DEFAULT]\ndebug = true\n',
      backend: ImageBackend.file({ sharedStore: { storageClass: 'nfs' } }),
    };
    const api = new GlanceApi(glanceOf(chart, common), 'solo', {
      apiName: 'solo',
      customServiceConfig: '[DEFAULT]\nimage_member_quota = 10\n',
      workers: 2,
    });
    new ImageCache(api, 'image-cache', { size: '5Gi', stallTime: Duration.hours(2) });
    return [api];
  },
  'api-s3-external-lb': (chart) => [new GlanceApi(glanceOf(chart, {
    ...BASE,
    backend: ImageBackend.s3({
      host: 'https://s3.example.com', bucket: 'glance', accessKeySecret: { name: 's3', key: 'a' }, secretKeySecret: { name: 's3', key: 's' },
    }),
    networkPolicy: { publicEndpoint: { allowedCidrs: ['192.0.2.0/24'] } },
  }), 'ext', { apiName: 'default', role: GlanceApiRole.EXTERNAL, publicServiceType: 'LoadBalancer' as any })],
  'api-cinder-multi-no-policy': (chart) => [new GlanceApi(glanceOf(chart, {
    ...BASE,
    networkPolicy: { enabled: false },
    webDownload: { allowedHosts: ['mirror.example'] },
    limits: { userStorageQuota: '1Ti' },
    backend: ImageBackend.multi({
      stores: { ceph: ImageBackend.rbd({ cephSecretName: 'ceph' }), vol: ImageBackend.cinder({ allowPrivilegedAttach: true }) },
      defaultStore: 'ceph',
    }),
  }), 'api', { apiName: 'default', replicas: 2, showImageDirectUrl: true })],
  'api-in-second-glance': (chart) => {
    new Glance(chart, 'glance', { ...BASE, backend: rbd() });
    const other = glanceOf(chart, { ...BASE, name: 'other', backend: rbd() }, 'other');
    return [new GlanceApi(other, 'extra', { apiName: 'extra', role: GlanceApiRole.SINGLE, showImageDirectUrl: false })];
  },
};

export function apiCompositionCases(): GoldenCase[] {
  return Object.entries(API_COMPOSITIONS).map(([name, compose]) => ({
    name,
    build: (app) => {
      const chart = new Chart(app, name, name.includes('no-namespace') ? {} : { namespace: 'openstack' });
      const apis = compose(chart);
      return { charts: [chart], attributes: () => ({ apis: apis.map(apiAttributes) }) };
    },
  }));
}
