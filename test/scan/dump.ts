/**
 * Writes the YAML that scripts/scan.sh validates and scans:
 *   <out>/examples/<example>.k8s.yaml  the three examples, synthesized as test/examples.test.ts does;
 *   <out>/fuzz/fuzz-<i>.k8s.yaml       <count> generated deployments that the library accepted,
 *   <out>/fuzz/fuzz-<i>.props.json     and the props each was made from (the store by its kind).
 * The generator reaches every kind of option: each store (file local, shared claim, inline NFS,
 * rbd, swift, s3, cinder with its privileged opt-in, several stores), every API type, precache,
 * endpoint Services, Multus networks, NetworkPolicies off and on, custom service config, web
 * download, limits, releases and cache drivers. A prop set the library rejects (GlanceValidationError)
 * is counted and skipped; any other error fails the run.
 *
 * Usage: ts-node --prefer-ts-exts --transpile-only --project test/tsconfig.json test/scan/dump.ts <out> [count] [seed]
 * Prints one line: what it wrote.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Duration } from 'cdk8s';
import { ImagePullPolicy, ServiceType } from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { edgeSite } from '../../examples/edge-site';
import { imageCacheCeph } from '../../examples/image-cache-ceph';
import { imageCacheNfs } from '../../examples/image-cache-nfs';
import {
  Glance, GlanceApiOptions, GlanceApiType, GlanceNetworkPolicyOptions, GlanceProps, GlanceRelease, ImageBackend, ImageCacheDriver,
  ImageCacheOptions, S3BucketUrlFormat, StorageAccessMode, WebDownloadOptions,
} from '../../lib';
import { GlanceValidationError } from '../../lib/errors';
import { cron } from '../helpers';

const [out, countArg, seedArg] = process.argv.slice(2);
if (!out) {
  console.error('usage: dump.ts <out> [count] [seed]');
  process.exit(2);
}
const COUNT = Number(countArg ?? 40);
const SEED = Number(seedArg ?? 20261201);

// A SINGLE API on rbd warns at synth time (OSSN-0090): expected here, not news.
process.emitWarning = () => undefined;

const secret = (name: string, key: string) => ({ name, key });
const s3 = (name: string) => ImageBackend.s3({
  host: 'https://s3.example.com',
  bucket: `glance-${name}`,
  accessKeySecret: secret(`s3-${name}`, 'access'),
  secretKeySecret: secret(`s3-${name}`, 'secret'),
});

/** One store of each kind (and several), as a factory: a backend is checked once per Glance. */
const backend: fc.Arbitrary<{ kind: string; make: () => ImageBackend }> = fc.oneof(
  fc.constant({ kind: 'file-local', make: () => ImageBackend.file() }),
  fc.constant({ kind: 'file-shared', make: () => ImageBackend.file({ sharedStore: { storageClass: 'nfs-client', storageRequest: '200Gi' } }) }),
  fc.constant({
    kind: 'file-claim',
    make: () => ImageBackend.file({
      sharedStore: { existingClaimName: 'images-rwx' },
      description: 'Shared files',
    }),
  }),
  fc.constant({ kind: 'file-nfs', make: () => ImageBackend.file({ sharedStore: { nfs: { server: '192.0.2.5', path: '/exports/glance' } } }) }),
  fc.constant({ kind: 'rbd', make: () => ImageBackend.rbd({ cephSecretName: 'ceph-conf-files', pool: 'images', user: 'openstack' }) }),
  fc.constant({ kind: 'rbd-2-secrets', make: () => ImageBackend.rbd({ cephSecretNames: ['ceph-conf-0', 'ceph-keyring-0'], cluster: 'ceph-0' }) }),
  fc.constant({ kind: 'swift', make: () => ImageBackend.swift({ keySecret: secret('swift', 'key'), container: 'images', region: 'r1' }) }),
  fc.constant({
    kind: 's3',
    make: () => ImageBackend.s3({
      host: 'http://rgw.ceph.svc:8080',
      bucket: 'glance',
      accessKeySecret: secret('s3', 'access'),
      secretKeySecret: secret('s3', 'secret'),
      bucketUrlFormat: S3BucketUrlFormat.PATH,
      createBucketOnPut: false,
      caCertSecret: secret('s3-ca', 'ca.pem'),
    }),
  }),
  fc.constant({
    kind: 'cinder',
    make: () => ImageBackend.cinder({
      allowPrivilegedAttach: true,
      volumeType: 'fast',
      passwordSecret: secret('cinder',
        'pw'),
    }),
  }),
  fc.constant({
    kind: 'multi',
    make: () => ImageBackend.multi({
      stores: {
        'ceph-0': ImageBackend.rbd({ cephSecretName: 'ceph-conf-0', cluster: 'ceph-0' }),
        'ceph-1': ImageBackend.rbd({ cephSecretName: 'ceph-conf-1', cluster: 'ceph-1', pool: 'glance' }),
        'swift-0': ImageBackend.swift(),
        'east': s3('east'),
        'local': ImageBackend.file({ sharedStore: { existingClaimName: 'images-rwx' } }),
      },
      defaultStore: 'ceph-1',
    }),
  }),
  fc.constant({
    kind: 'multi-cinder',
    make: () => ImageBackend.multi({
      stores: { vol: ImageBackend.cinder({ allowPrivilegedAttach: true }), ceph: ImageBackend.rbd({ cephSecretName: 'ceph-conf' }) },
      defaultStore: 'ceph',
    }),
  }),
);

const schedule = fc.constantFrom('*/20 * * * *', '15 */6 * * *', '0 3 * * 1-5', '@hourly').map(cron);
const imageCache: fc.Arbitrary<ImageCacheOptions> = fc.record({
  size: fc.constantFrom('1Gi', '10Gi', '50Gi', '500M'),
  maxSizeRatio: fc.constantFrom(0.5, 0.85, 1),
  stallTime: fc.constantFrom(Duration.hours(12), Duration.days(1)),
  storageClass: fc.constantFrom('fast-ssd', 'local-path'),
  prunerSchedule: schedule,
  cleanerSchedule: schedule,
  removeOrphans: fc.boolean(),
  policy: fc.constant({ cacheList: 'role:admin or role:cache_operator' }),
  precache: fc.record({ images: fc.constantFrom(['cirros-0.6.2'], ['cirros-0.6.2', 'ubuntu-24.04-server']), schedule }, { requiredKeys: ['images'] }),
}, { requiredKeys: ['size'] });
const serviceOptions = fc.record({
  serviceType: fc.constantFrom(ServiceType.CLUSTER_IP, ServiceType.LOAD_BALANCER, ServiceType.NODE_PORT),
  annotations: fc.constant({ 'metallb.universe.tf/address-pool': 'internal', 'metallb.universe.tf/loadBalancerIPs': '192.0.2.80' }),
  labels: fc.constant({ 'example.com/exposed': 'true' }),
}, { requiredKeys: [] });
const api: fc.Arbitrary<GlanceApiOptions> = fc.record({
  type: fc.constantFrom(...Object.values(GlanceApiType)),
  replicas: fc.integer({ min: 0, max: 3 }),
  workers: fc.integer({ min: 1, max: 8 }),
  resources: fc.constant({ cpuRequest: '1', cpuLimit: '4', memoryRequest: '1Gi', memoryLimit: '4Gi' }),
  nodeSelector: fc.constant({ 'node-role.kubernetes.io/openstack': '' }),
  imageCache: fc.record({ size: fc.constantFrom('2Gi', '20Gi'), cleanerSchedule: schedule }, { requiredKeys: [] }),
  customServiceConfig: fc.constantFrom('[DEFAULT]\nimage_member_quota = 64\n', '[oslo_messaging_notifications]\ndriver = noop\n'),
  networkAttachments: fc.constantFrom(['storage'], ['openstack/storage', 'internalapi']),
  endpointServices: fc.record({ internalService: serviceOptions, publicService: serviceOptions }, { requiredKeys: [] }),
  publicServiceType: fc.constantFrom(ServiceType.LOAD_BALANCER, ServiceType.NODE_PORT),
  showImageDirectUrl: fc.boolean(),
}, { requiredKeys: [] });

const props = fc.record({
  name: fc.option(fc.constantFrom('glance', 'img', 'glance-az2'), { nil: undefined }),
  image: fc.option(fc.constantFrom(
    'quay.io/podified-antelope-centos9/openstack-glance-api:current-podified',
    'registry.example/glance-api@sha256:0f4f5c5e1f1c0d5a9a7b3c2e1d0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29',
  ), { nil: undefined }),
  imagePullPolicy: fc.option(fc.constantFrom(ImagePullPolicy.ALWAYS, ImagePullPolicy.IF_NOT_PRESENT), { nil: undefined, freq: 4 }),
  release: fc.option(fc.constantFrom(GlanceRelease.YOGA, GlanceRelease.ANTELOPE, GlanceRelease.CARACAL, GlanceRelease.EPOXY,
    GlanceRelease.of('2026.1')), { nil: undefined }),
  backend,
  storage: fc.option(fc.record({
    storageRequest: fc.constantFrom('10Gi', '100Gi'),
    storageClass: fc.constant('fast-ssd'),
    accessMode: fc.constantFrom(StorageAccessMode.READ_WRITE_ONCE, StorageAccessMode.READ_WRITE_MANY),
    external: fc.boolean(),
  }, { requiredKeys: [] }), { nil: undefined }),
  apis: fc.dictionary(fc.constantFrom('default', 'edge', 'az1', 'public'), api, { minKeys: 1, maxKeys: 2 }),
  imageCache: fc.option(imageCache, { nil: undefined, freq: 4 }),
  driver: fc.option(fc.constantFrom(ImageCacheDriver.SQLITE, ImageCacheDriver.XATTR, ImageCacheDriver.CENTRALIZED_DB), { nil: undefined, freq: 3 }),
  customServiceConfig: fc.option(fc.constantFrom('[DEFAULT]\ndebug = true\n', '[glance_store]\n# tuned by ops\n'), { nil: undefined }),
  webDownload: fc.option(fc.constant<WebDownloadOptions>({ allowedHosts: ['cloud-images.ubuntu.com'], allowedPorts: [443, 8443] }),
    { nil: undefined, freq: 3 }),
  limits: fc.option(fc.record({ imageSizeCap: fc.constantFrom('1Gi', '5Gi'), userStorageQuota: fc.constantFrom('100Gi', '1Ti') },
    { requiredKeys: [] }), { nil: undefined }),
  networkPolicy: fc.option<GlanceNetworkPolicyOptions, undefined>(fc.record({
    enabled: fc.boolean(),
    allowedNamespaces: fc.constantFrom([], ['nova'], ['nova', 'cinder']),
    allowedCidrs: fc.constantFrom([], ['192.0.2.0/24']),
  }, { requiredKeys: [] }), { nil: undefined }),
  behindTlsProxy: fc.boolean(),
  keystone: fc.constantFrom(
    { authUrl: 'http://keystone-internal.openstack.svc:5000', passwordSecret: secret('osp-secret', 'GlancePassword') },
    { authUrl: 'http://keystone-internal.openstack.svc:5000', publicAuthUrl: 'https://keystone.example.com', passwordSecret: secret('osp-secret', 'GlancePassword'), region: 'az1', username: 'glance2' },
  ),
  dbPurge: fc.option(fc.record({ ageInDays: fc.integer({ min: 1, max: 90 }), schedule }, { requiredKeys: [] }), { nil: undefined }),
});

type Generated = typeof props extends fc.Arbitrary<infer T> ? T : never;

function toProps(p: Generated): GlanceProps {
  const imageCacheProps = p.imageCache || p.driver ? { ...p.imageCache, ...(p.driver ? { driver: p.driver } : {}) } : undefined;
  return {
    name: p.name,
    image: p.image,
    imagePullPolicy: p.imagePullPolicy,
    release: p.release,
    database: { connectionSecret: secret('glance-db', 'connection') },
    keystone: p.keystone,
    backend: p.backend.make(),
    storage: p.storage,
    apis: p.apis,
    imageCache: imageCacheProps,
    customServiceConfig: p.customServiceConfig,
    webDownload: p.webDownload,
    limits: p.limits,
    networkPolicy: p.networkPolicy,
    behindTlsProxy: p.behindTlsProxy,
    dbPurge: p.dbPurge,
  };
}

const count = (file: string) => fs.readFileSync(file, 'utf8').split(/^---$/m).filter((d) => d.trim()).length;

// The examples.
const examplesDir = path.join(out, 'examples');
const examples = new App({ outdir: examplesDir });
for (const build of [imageCacheCeph, imageCacheNfs, edgeSite]) build(examples);
examples.synth();
const exampleCounts = Object.fromEntries(examples.charts.map((c) => [c.node.id, count(path.join(examplesDir, `${c.node.id}.k8s.yaml`))]));

// The generated deployments, one chart (and one file) each.
const fuzzDir = path.join(out, 'fuzz');
const fuzz = new App({ outdir: fuzzDir });
let accepted = 0;
let rejected = 0;
const made: Generated[] = [];
const kinds = new Map<string, number>();
const samples = fc.sample(props, { seed: SEED, numRuns: COUNT * 50 });
for (const sample of samples) {
  if (accepted === COUNT) break;
  // A rejected Glance leaves half a chart behind: build in a scratch app first.
  try {
    new Glance(new Chart(new App(), 'probe', { namespace: 'openstack' }), 'glance', toProps(sample));
  } catch (e) {
    if (!(e instanceof GlanceValidationError)) throw e;
    rejected++;
    continue;
  }
  const chart = new Chart(fuzz, `fuzz-${accepted}`, { namespace: 'openstack' });
  new Glance(chart, 'glance', toProps(sample));
  made.push(sample);
  kinds.set(sample.backend.kind, (kinds.get(sample.backend.kind) ?? 0) + 1);
  accepted++;
}
if (accepted < COUNT) throw new Error(`only ${accepted} of ${samples.length} generated prop sets were accepted; wanted ${COUNT}`);
fuzz.synth();
// What made each, to reproduce a failure: the generated props, the store by its kind.
made.forEach((sample, i) => fs.writeFileSync(path.join(fuzzDir, `fuzz-${i}.props.json`), JSON.stringify({ ...sample, backend: sample.backend.kind },
  null, 2)));
const fuzzObjects = fuzz.charts.reduce((n, c) => n + count(path.join(fuzzDir, `${c.node.id}.k8s.yaml`)), 0);

const exampleObjects = Object.values(exampleCounts).reduce((a, b) => a + b, 0);
console.log(`dump: ${examples.charts.length} examples (${exampleObjects} objects) and ${accepted} generated deployments (${fuzzObjects} objects; `
  + `${rejected} prop sets rejected by validation; seed ${SEED}; stores ${[...kinds].sort().map(([k, n]) => `${k}:${n}`).join(' ')})`);
