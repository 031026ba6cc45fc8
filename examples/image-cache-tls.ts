// HTTPS everywhere, as an openstack-operator control plane deploys Glance by default: cert-manager
// issues the endpoints' certificates from the operator's CA issuers (rootca-internal, rootca-public),
// every Glance container trusts the combined CA bundle, and the database is reached over TLS.
import { App, Chart } from 'cdk8s';
import { Glance, GlanceApiType, ImageBackend } from '../lib';

export function imageCacheTls(app: App): Chart {
  const chart = new Chart(app, 'image-cache-tls', { namespace: 'openstack' });
  new Glance(chart, 'glance', {
    database: { connectionSecret: { name: 'glance-db', key: 'connection' }, tls: true },
    keystone: {
      authUrl: 'https://keystone-internal.openstack.svc:5000',
      publicAuthUrl: 'https://keystone.example.com',
      passwordSecret: { name: 'osp-secret', key: 'GlancePassword' },
    },
    tls: {
      caBundleSecret: { name: 'combined-ca-bundle', key: 'tls-ca-bundle.pem' },
      issuer: { name: 'rootca-internal' },
      publicIssuer: { name: 'rootca-public' },
    },
    backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf-files', pool: 'images', user: 'openstack' }),
    storage: { storageRequest: '10Gi' },
    imageCache: { size: '10Gi' },
    apis: {
      // SPLIT (the rbd default): the internal API shows image locations to Nova and Cinder, the
      // external one serves the public endpoint, also under the name clients use.
      default: { type: GlanceApiType.SPLIT, replicas: 2, tls: { publicDnsNames: ['glance.example.com'] } },
    },
  });
  return chart;
}

if (require.main === module) {
  const app = new App({ outdir: 'dist' });
  imageCacheTls(app);
  app.synth();
}
