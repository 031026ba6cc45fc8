// The file store on a shared NFS (ReadWriteMany) volume, three replicas, each with its own cache.
import { App, Chart, Cron, Duration } from 'cdk8s';
import { Glance, GlanceApiType, ImageBackend } from '../lib';

export function imageCacheNfs(app: App): Chart {
  const chart = new Chart(app, 'image-cache-nfs', { namespace: 'openstack' });
  new Glance(chart, 'glance', {
    database: { connectionSecret: { name: 'glance-db', key: 'connection' } },
    keystone: {
      authUrl: 'http://keystone-internal.openstack.svc:5000',
      passwordSecret: { name: 'osp-secret', key: 'GlancePassword' },
    },
    backend: ImageBackend.file({ sharedStore: { storageClass: 'nfs-client', storageRequest: '200Gi' } }),
    storage: { storageRequest: '10Gi' },
    imageCache: { size: '20Gi', stallTime: Duration.hours(12), prunerSchedule: Cron.schedule({ minute: '15', hour: '*/6' }) },
    apis: {
      default: { type: GlanceApiType.SINGLE, replicas: 3 },
    },
  });
  return chart;
}

if (require.main === module) {
  const app = new App({ outdir: 'dist' });
  imageCacheNfs(app);
  app.synth();
}
