// The reference sample: a Ceph (rbd) backend with a 10Gi image cache per replica.
import { App, Chart } from 'cdk8s';
import { Glance, GlanceApiType, ImageBackend } from '../lib';

export function imageCacheCeph(app: App): Chart {
  const chart = new Chart(app, 'image-cache-ceph', { namespace: 'openstack' });
  new Glance(chart, 'glance', {
    database: { connectionSecret: { name: 'glance-db', key: 'connection' } },
    keystone: {
      authUrl: 'http://keystone-internal.openstack.svc:5000',
      publicAuthUrl: 'https://keystone.example.com',
      passwordSecret: { name: 'osp-secret', key: 'GlancePassword' },
    },
    backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf-files', pool: 'images', user: 'openstack' }),
    storage: { storageRequest: '10Gi' },
    imageCache: { size: '10Gi' },
    customServiceConfig: '[DEFAULT]\ndebug = false\n',
    apis: {
      // The reference sample's single API. It also serves the public endpoint, so it keeps image
      // locations hidden (OSSN-0090); Nova then downloads images rather than cloning them in Ceph.
      // Leave out `type` (SPLIT with rbd) to have an internal API that shows them.
      default: { type: GlanceApiType.SINGLE, replicas: 3, showImageDirectUrl: false },
    },
  });
  return chart;
}

if (require.main === module) {
  const app = new App({ outdir: 'dist' });
  imageCacheCeph(app);
  app.synth();
}
