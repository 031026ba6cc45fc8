/** apis.<name>.backend: an API's own stores (the DCN layout), in place of the deployment's for its StatefulSets. */
import { GlanceApiType, ImageBackend } from '../lib';
import { expectInvalid, find, glanceConf, synthGlance } from './helpers';

const site = (cluster: string) => ImageBackend.rbd({ cephSecretName: `ceph-${cluster}`, cluster, user: 'openstack', pool: 'images' });
/** The central site's three clusters, each edge site its own and the central one, every store named by its site. */
const dcn = () => synthGlance({
  backend: ImageBackend.multi({ stores: { az0: site('ceph'), az1: site('az1'), az2: site('az2') }, defaultStore: 'az0' }),
  apis: {
    default: { replicas: 2 },
    az1: { type: GlanceApiType.EDGE, backend: ImageBackend.multi({ stores: { az0: site('ceph'), az1: site('az1') }, defaultStore: 'az1' }) },
    az2: { type: GlanceApiType.EDGE, backend: ImageBackend.multi({ stores: { az0: site('ceph'), az2: site('az2') }, defaultStore: 'az2' }) },
  },
});
const cephSecretsOf = (manifests: any[], sts: string) => find(manifests, 'StatefulSet', sts).spec.template.spec.volumes
  .flatMap((v: any) => v.projected?.sources.map((s: any) => s.secret?.name) ?? (v.secret ? [v.secret.secretName] : []))
  .filter((n: string) => n.startsWith('ceph-')).sort();

describe('an API with stores of its own', () => {
  const manifests = dcn();

  test.each([
    ['glance-default-internal', 'az0:rbd,az1:rbd,az2:rbd', 'az0'],
    ['glance-default-external', 'az0:rbd,az1:rbd,az2:rbd', 'az0'],
    ['glance-az1-edge', 'az0:rbd,az1:rbd', 'az1'],
    ['glance-az2-edge', 'az0:rbd,az2:rbd', 'az2'],
  ])('%s serves its stores: %s, by default %s', (sts, enabled, defaultStore) => {
    const conf = glanceConf(manifests, sts);
    expect(conf.DEFAULT.enabled_backends).toBe(enabled);
    expect(conf.glance_store.default_backend).toBe(defaultStore);
  });

  test('each keeps a store\'s name and section where it serves it: az1 is the same Ceph cluster on the central and the edge API', () => {
    expect(glanceConf(manifests, 'glance-az1-edge').az1).toEqual(glanceConf(manifests, 'glance-default-internal').az1);
    expect(glanceConf(manifests, 'glance-az1-edge').az0).toEqual(glanceConf(manifests, 'glance-default-internal').az0);
    expect(glanceConf(manifests, 'glance-az1-edge').az2).toBeUndefined();
  });

  test('each mounts the Ceph Secrets of its own clusters only', () => {
    expect(cephSecretsOf(manifests, 'glance-default-internal')).toEqual(['ceph-az1', 'ceph-az2', 'ceph-ceph']);
    expect(cephSecretsOf(manifests, 'glance-az1-edge')).toEqual(['ceph-az1', 'ceph-ceph']);
    expect(cephSecretsOf(manifests, 'glance-az2-edge')).toEqual(['ceph-az2', 'ceph-ceph']);
  });

  test('an API on its own Ceph stores is split by default, as the deployment\'s would be', () => {
    const split = synthGlance({ apis: { default: { backend: site('ceph') } } });
    expect(find(split, 'StatefulSet', 'glance-default-internal')).toBeDefined();
    expect(glanceConf(split, 'glance-default-external').image_conversion?.output_format).toBe('raw');
  });

  test('the deployment\'s file store counts only the replicas it serves', () => {
    // Two file-store replicas would need a share; the other replicas are on their own Ceph stores.
    expect(() => synthGlance({ apis: { default: { replicas: 1, type: GlanceApiType.SINGLE }, az1: { replicas: 3, backend: site('az1') } } }))
      .not.toThrow();
  });

  test('an API\'s config may not set its own stores\' options, nor may the deployment\'s config', () => {
    const own = { type: GlanceApiType.EDGE, backend: site('az1'), customServiceConfig: '[default_backend]\nrbd_store_pool = x\n' };
    const props = { apis: { default: {}, az1: own } };
    expectInvalid(() => synthGlance(props as any), 'apis.az1.customServiceConfig', /rbd_store_pool/);
    expectInvalid(() => synthGlance({ customServiceConfig: '[default_backend]\nrbd_store_user = x\n', apis: { az1: { backend: site('az1') } } }),
      'customServiceConfig', /rbd_store_user/);
  });

  test('a file store is the deployment\'s only', () => {
    expectInvalid(() => synthGlance({ apis: { default: { backend: ImageBackend.file() } } }), 'apis.default.backend', 'file store');
  });

  test('something that is no ImageBackend is refused by its prop', () => {
    expectInvalid(() => synthGlance({ apis: { default: { backend: { type: 'rbd' } as any } } }), 'apis.default.backend', 'rbd');
  });

  test('a Secret of the chart may not take the name of an API\'s Ceph Secret', () => {
    expectInvalid(() => synthGlance({ apis: { default: { backend: ImageBackend.rbd({ cephSecretName: 'glance-default-internal-config' }) } } }),
      'apis.default.backend.cephSecretName', 'glance-default-internal-config');
  });
});
