/**
 * An API's own stores from its customServiceConfig, as the glance-operator's edge sample and the
 * architecture's dcn example give them: each site's API on its own Ceph cluster and the central one.
 */
import { synthFromCr, noStore } from './cr-helpers';
import { expectInvalid, find, glanceConf } from '../helpers';

const rbdSection = (name: string, cluster: string) =>
  `[${name}]\nrbd_store_ceph_conf = /etc/ceph/${cluster}.conf\nstore_description = "${name} RBD backend"\n`
  + 'rbd_store_pool = images\nrbd_store_user = openstack\n';
const stores = (names: string[], defaultStore: string) => `[DEFAULT]\nenabled_backends = ${names.map((n) => `${n}:rbd`).join(',')}\n`
  + `[glance_store]\nstores = http,rbd\ndefault_backend = ${defaultStore}\n${names.map((n) => rbdSection(n, n === 'az0' ? 'ceph' : n)).join('')}`;
const cephMount = {
  extraVol: [{
    propagation: ['Glance'],
    volumes: [{ name: 'ceph', secret: { secretName: 'ceph-conf-files' } }],
    mounts: [{ name: 'ceph', mountPath: '/etc/ceph', readOnly: true }],
  }],
};
const edge = (more: object = {}) => ({
  kind: 'Glance',
  metadata: { name: 'glance' },
  spec: {
    storage: { storageRequest: '10G' },
    keystoneEndpoint: 'default',
    extraMounts: [cephMount],
    glanceAPIs: {
      default: { type: 'split', replicas: 3, customServiceConfig: `${stores(['az0', 'az1', 'az2'], 'az0')}[DEFAULT]\ndebug = true\n` },
      az1: { type: 'edge', replicas: 3, customServiceConfig: stores(['az0', 'az1'], 'az1') },
      az2: { type: 'edge', replicas: 3, customServiceConfig: stores(['az0', 'az2'], 'az2') },
    },
    ...more,
  },
});

describe('an API\'s own stores (the distributed layout)', () => {
  const manifests = synthFromCr(edge(), noStore());

  test.each([
    ['glance-default-internal-api', 'az0:rbd,az1:rbd,az2:rbd', 'az0'],
    ['glance-default-external-api', 'az0:rbd,az1:rbd,az2:rbd', 'az0'],
    ['glance-az1-edge-api', 'az0:rbd,az1:rbd', 'az1'],
    ['glance-az2-edge-api', 'az0:rbd,az2:rbd', 'az2'],
  ])('%s serves the stores of its own config, %s, by default %s', (sts, enabled, defaultStore) => {
    const conf = glanceConf(manifests, sts);
    expect(conf.DEFAULT.enabled_backends).toBe(enabled);
    expect(conf.glance_store.default_backend).toBe(defaultStore);
  });

  test('each store from its section: the cluster from its ceph.conf, pool and user; the rest of the API\'s config stays its own', () => {
    const conf = glanceConf(manifests, 'glance-az1-edge-api');
    expect(conf.az1).toMatchObject({ rbd_store_ceph_conf: '/etc/ceph/az1.conf', rbd_store_pool: 'images', rbd_store_user: 'openstack' });
    expect(conf.az0).toMatchObject({ rbd_store_ceph_conf: '/etc/ceph/ceph.conf' });
    const files = (sts: string) => find(manifests, 'Secret', `${sts}-config`).stringData;
    expect(files('glance-default-internal-api')['60-default-custom.conf']).toBe('[DEFAULT]\ndebug = true\n');
    expect(Object.keys(files('glance-az1-edge-api')).filter((f) => f.includes('custom'))).toEqual([]);
  });

  test('beside top-level stores, an API with its own config but no stores is refused; one with its own stores is read', () => {
    const top = { customServiceConfig: stores(['az0'], 'az0') };
    const withStores = edge(top);
    expect(glanceConf(synthFromCr(withStores, noStore()), 'glance-az1-edge-api').DEFAULT.enabled_backends).toBe('az0:rbd,az1:rbd');
    const storeless = edge(top);
    storeless.spec.glanceAPIs.az1.customServiceConfig = '[DEFAULT]\ndebug = true\n';
    expectInvalid(() => synthFromCr(storeless, noStore()), 'spec.glanceAPIs.az1.customServiceConfig', 'own customServiceConfig without its stores');
  });

  test('an API\'s store without a Ceph Secret in extraMounts is refused, naming extraMounts', () => {
    const bare = edge({ extraMounts: [] });
    expectInvalid(() => synthFromCr(bare, noStore()), 'spec.extraMounts', 'Ceph');
  });
});
