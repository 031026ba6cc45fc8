// Synthesizes the examples and a fixed set of varied deployments to one YAML file each, in the
// folder given as argument. scripts/compare-synth.sh runs it on two trees and compares them byte
// for byte: a refactor must leave every file unchanged.
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { App, Chart, Duration, Yaml } from 'cdk8s';
import { imageCacheCeph } from '../examples/image-cache-ceph';
import { imageCacheNfs } from '../examples/image-cache-nfs';
import { Glance, GlanceApiType, GlanceProps, GlanceRelease, ImageBackend } from '../lib';

const BASE: GlanceProps = {
  database: { connectionSecret: { name: 'glance-db', key: 'connection' } },
  keystone: { authUrl: 'http://keystone.openstack.svc:5000', passwordSecret: { name: 'osp-secret', key: 'GlancePassword' } },
};
const rbd = ImageBackend.rbd({ cephSecretName: 'ceph', pool: 'images' });
const nfs = ImageBackend.file({ sharedStore: { storageClass: 'nfs-client' } });
// Shapes the fuzzer reaches: every API type, both stores, overrides, and the optional props.
const CASES: Record<string, Partial<GlanceProps>> = {
  'split-rbd-external-storage': { backend: rbd, storage: { external: true }, imageCache: { size: '50Gi' }, apis: { default: { replicas: 2 } } },
  'edge-and-internal': {
    backend: rbd,
    release: GlanceRelease.EPOXY,
    imageCache: { size: '1Ti', maxSizeRatio: 0.5 },
    apis: { central: { type: GlanceApiType.INTERNAL, replicas: 3 }, az1: { type: GlanceApiType.EDGE, imageCache: { size: '200Gi', cleanerSchedule: '0 * * * *' } } },
  },
  'nfs-overrides': {
    name: 'images',
    backend: nfs,
    release: GlanceRelease.ZED,
    customServiceConfig: '[DEFAULT]\ndebug = true\n',
    imageCache: { size: '3.5Gi', stallTime: Duration.hours(6), removeOrphans: false, policy: { cacheList: 'role:admin or role:reader' } },
    apis: { a: { replicas: 4, workers: 2, customServiceConfig: '[DEFAULT]\nimage_cache_sqlite_db = a.db\n' }, b: { replicas: 0 } },
    dbPurge: { ageInDays: 7, schedule: '@weekly' },
  },
  'no-cache-options': {
    backend: nfs,
    webDownload: { allowedHosts: ['cloud-images.ubuntu.com'] },
    limits: { imageSizeCap: '5Gi', userStorageQuota: '1Ti' },
    networkPolicy: { allowedNamespaces: ['nova'], allowedCidrs: ['192.0.2.0/24'] },
    behindTlsProxy: true,
    apis: { default: { replicas: 2 } },
  },
};

const out = process.argv[2];
if (!out) throw new Error('usage: synth-golden.ts OUT_DIR');
mkdirSync(out, { recursive: true });
const app = new App({ outdir: out });
const charts = [imageCacheCeph(app), imageCacheNfs(app)];
for (const [name, props] of Object.entries(CASES)) {
  const chart = new Chart(app, name, { namespace: 'openstack' });
  new Glance(chart, 'glance', { ...BASE, ...props });
  charts.push(chart);
}
for (const chart of charts) writeFileSync(join(out, `${chart.node.id}.yaml`), Yaml.stringify(...chart.toJson()));
console.log(`${charts.length} charts in ${out}`);
