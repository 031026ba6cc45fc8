// An edge site: its own Ceph cluster, an edge API (internal endpoint, image locations shown for
// local Nova clones), and the images its instances boot from kept cached on every replica, so
// that the site boots them even while the link to the central site is slow or down.
import { App, Chart, Cron } from 'cdk8s';
import { Glance, GlanceApiType, GlanceRelease, ImageBackend } from '../lib';

export function edgeSite(app: App): Chart {
  const chart = new Chart(app, 'edge-site', { namespace: 'openstack' });
  new Glance(chart, 'glance', {
    release: GlanceRelease.EPOXY,
    database: { connectionSecret: { name: 'glance-db', key: 'connection' } },
    keystone: {
      authUrl: 'http://keystone-internal.openstack.svc:5000',
      passwordSecret: { name: 'osp-secret', key: 'GlancePassword' },
      region: 'az1',
    },
    backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf-az1', pool: 'images', user: 'openstack' }),
    imageCache: {
      size: '50Gi',
      // Listed by name: the CronJobs resolve names to IDs at each run, so a new upload of
      // "cirros-0.6.2" is cached after its next run.
      precache: { images: ['cirros-0.6.2', 'ubuntu-24.04-server'], schedule: Cron.schedule({ minute: '*/15' }) },
    },
    apis: { az1: { type: GlanceApiType.EDGE, replicas: 2 } },
  });
  return chart;
}

if (require.main === module) {
  const app = new App({ outdir: 'dist' });
  edgeSite(app);
  app.synth();
}
