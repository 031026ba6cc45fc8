import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Glance, GlanceApiType, GlanceProps, ImageBackend, StorageAccessMode } from '../lib';
import {
  BASE_PROPS, cron, expectInvalid, expectMountsResolve, expectRestrictedPod, find, glanceCommandOf, glanceConf, Manifest, ofKind, parseIniText,
  podSpecs, synthGlance,
} from './helpers';

const shared = () => ImageBackend.file({ sharedStore: { storageClass: 'nfs-client', storageRequest: '200Gi' } });

describe('API StatefulSet and its Services', () => {
  let m: Manifest[];
  let sts: Manifest;
  beforeEach(() => {
    m = synthGlance({
      backend: shared(),
      imageCache: { size: '10Gi' },
      apis: { default: { replicas: 2, nodeSelector: { 'node-role/glance': '' } } },
    });
    sts = find(m, 'StatefulSet', 'glance-default-single');
  });

  test('the headless Service is named like the StatefulSet and serves not-ready replicas', () => {
    expect(sts.spec.serviceName).toBe('glance-default-single');
    const headless = find(m, 'Service', sts.spec.serviceName);
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(headless.spec.selector).toEqual(sts.spec.selector.matchLabels);
    expect(headless.spec.ports).toEqual([{ name: 'glance-api', port: 9292, targetPort: 9292 }]);
  });

  test('endpoint Services select the same pods', () => {
    for (const name of ['glance-default', 'glance-default-public']) {
      const svc = find(m, 'Service', name);
      expect(svc.spec.clusterIP).toBeUndefined();
      expect(svc.spec.selector).toEqual(sts.spec.selector.matchLabels);
    }
  });

  test('the selector matches the pod template labels', () => {
    const labels = sts.spec.template.metadata.labels;
    for (const [key, value] of Object.entries(sts.spec.selector.matchLabels)) expect(labels[key]).toBe(value);
  });

  test('replicas, node selector, anti-affinity and parallel start', () => {
    const pod = sts.spec.template.spec;
    expect(sts.spec.replicas).toBe(2);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(pod.nodeSelector).toEqual({ 'node-role/glance': '' });
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([{
      weight: 100,
      podAffinityTerm: { labelSelector: { matchLabels: sts.spec.selector.matchLabels }, topologyKey: 'kubernetes.io/hostname' },
    }]);
  });

  test('probes hit /healthcheck on 9292, with timings that give a slow start 5 minutes and a stuck replica 90 seconds', () => {
    const c = sts.spec.template.spec.containers[0];
    const check = { httpGet: { path: '/healthcheck', port: 9292 }, timeoutSeconds: 5 };
    expect(c.startupProbe).toEqual({ ...check, periodSeconds: 10, failureThreshold: 30 });
    expect(c.readinessProbe).toEqual({ ...check, periodSeconds: 10, failureThreshold: 3 });
    expect(c.livenessProbe).toEqual({ ...check, periodSeconds: 30, failureThreshold: 3 });
  });

  test('availability: one replica down at a time, state kept when scaled down or deleted', () => {
    expect(find(m, 'PodDisruptionBudget', 'glance-default-single').spec)
      .toEqual({ maxUnavailable: 1, selector: { matchLabels: sts.spec.selector.matchLabels } });
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });

  test('each replica names itself in worker_self_reference_url', () => {
    const env = sts.spec.template.spec.containers[0].env;
    const url = env.find((e: any) => e.name === 'OS_DEFAULT__WORKER_SELF_REFERENCE_URL');
    expect(url.value).toBe('http://$(POD_NAME).glance-default-single.$(POD_NAMESPACE).svc:9292');
    // $(VAR) expands only variables defined earlier in the list.
    const names = env.map((e: any) => e.name);
    expect(names.indexOf('POD_NAME')).toBeLessThan(names.indexOf('OS_DEFAULT__WORKER_SELF_REFERENCE_URL'));
    expect(names.indexOf('POD_NAMESPACE')).toBeLessThan(names.indexOf('OS_DEFAULT__WORKER_SELF_REFERENCE_URL'));
  });

  test('the shared store is a ReadWriteMany claim mounted at the file store', () => {
    const pvc = find(m, 'PersistentVolumeClaim', 'glance-images');
    expect(pvc.spec.accessModes).toEqual(['ReadWriteMany']);
    expect(pvc.spec.storageClassName).toBe('nfs-client');
    expect(pvc.spec.resources.requests.storage).toBe('200Gi');
    const pod = sts.spec.template.spec;
    const volume = pod.volumes.find((v: any) => v.persistentVolumeClaim?.claimName === 'glance-images');
    const mount = pod.containers[0].volumeMounts.find((v: any) => v.name === volume.name);
    expect(mount.mountPath).toBe('/var/lib/glance/images');
    expect(glanceConf(m, 'glance-default-single').default_backend.filesystem_store_datadir).toBe('/var/lib/glance/images');
  });

  const apiIn = (chart: Chart) => new Glance(chart, 'g', { ...BASE_PROPS, backend: shared(), apis: { default: { replicas: 2 } } }).apis[0];

  test('replicaHostname is the per-replica DNS name', () => {
    expect(apiIn(new Chart(new App(), 'c', { namespace: 'openstack' })).replicaHostname(1))
      .toBe('glance-default-single-1.glance-default-single.openstack.svc');
  });

  test('without a namespace, replicaHostname names the replica in the chart\'s own namespace', () => {
    expect(apiIn(new Chart(Testing.app(), 'c')).replicaHostname(0)).toBe('glance-default-single-0.glance-default-single');
  });

  test('cacheClaimName is the claim of a replica\'s cache volume', () => {
    expect(apiIn(new Chart(new App(), 'c', { namespace: 'openstack' })).cacheClaimName(1)).toBe('glance-cache-glance-default-single-1');
  });
});

test.each([
  [GlanceApiType.SINGLE, ['glance-default-single'], ['glance-default', 'glance-default-public']],
  [GlanceApiType.INTERNAL, ['glance-default-internal'], ['glance-default']],
  [GlanceApiType.EXTERNAL, ['glance-default-external'], ['glance-default-public']],
  [GlanceApiType.EDGE, ['glance-default-edge'], ['glance-default']],
  [GlanceApiType.SPLIT, ['glance-default-internal', 'glance-default-external'], ['glance-default', 'glance-default-public']],
])('type %s gives StatefulSets %j and endpoint Services %j', (type, statefulSets, endpoints) => {
  const m = synthGlance({ backend: shared(), apis: { default: { type } } });
  expect(ofKind(m, 'StatefulSet').map((s) => s.metadata.name)).toEqual(statefulSets);
  const services = ofKind(m, 'Service').map((s) => s.metadata.name);
  expect(services.filter((s) => !statefulSets.includes(s)).sort()).toEqual([...endpoints].sort());
  for (const sts of statefulSets) expect(find(m, 'Service', sts).spec.clusterIP).toBe('None');
});

test('the split endpoints select their own StatefulSet', () => {
  const m = synthGlance({ backend: shared(), apis: { default: { type: GlanceApiType.SPLIT } } });
  expect(find(m, 'Service', 'glance-default').spec.selector['glance.openstack.org/statefulset']).toBe('glance-default-internal');
  expect(find(m, 'Service', 'glance-default-public').spec.selector['glance.openstack.org/statefulset']).toBe('glance-default-external');
});

describe('database jobs', () => {
  let m: Manifest[];
  beforeEach(() => {
    m = synthGlance({ dbPurge: { ageInDays: 7, schedule: cron('30 2 * * *') } });
  });

  test('db-sync runs glance-manage db_sync with the database URL from its Secret', () => {
    const job = find(m, 'Job', 'glance-db-sync-<hash>');
    const c = job.spec.template.spec.containers[0];
    expect(c.command).toEqual(glanceCommandOf(['glance-manage'], 'db_sync'));
    expect(c.env).toEqual([{ name: 'OS_DATABASE__CONNECTION', valueFrom: { secretKeyRef: { name: 'glance-db', key: 'connection' } } }]);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  test('db-purge takes an age of one day', () => {
    const purge = find(synthGlance({ dbPurge: { ageInDays: 1 } }), 'CronJob', 'glance-db-purge');
    expect(purge.spec.jobTemplate.spec.template.spec.containers[0].command)
      .toEqual(glanceCommandOf(['glance-manage'], 'db', 'purge', '--age_in_days', '1'));
  });

  test('db-purge runs on its schedule with its age', () => {
    const job = find(m, 'CronJob', 'glance-db-purge');
    expect(job.spec.schedule).toBe('30 2 * * *');
    expect(job.spec.jobTemplate.spec.template.spec.containers[0].command).toEqual(
      glanceCommandOf(['glance-manage'], 'db', 'purge', '--age_in_days', '7'));
    expect(job.spec.concurrencyPolicy).toBe('Forbid');
  });

  test.each([['Job', 'glance-db-sync-<hash>'], ['CronJob', 'glance-db-purge']])('%s %s has a writable lock dir where its config points',
    (kind, name) => {
      const job = find(m, kind, name);
      const pod = kind === 'Job' ? job.spec.template.spec : job.spec.jobTemplate.spec.template.spec;
      expect(pod.volumes).toContainEqual({ name: 'locks', emptyDir: { sizeLimit: '16Mi' } });
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'locks', mountPath: '/var/lib/glance/tmp' });
      expect(parseIniText(find(m, 'Secret', 'glance-db-config').stringData['00-glance.conf']).oslo_concurrency.lock_path).toBe('/var/lib/glance/tmp');
    });

  test('no job pod carries its construct path (cdk8s.io/metadata.addr): a Job keeps its name when the construct tree is refactored', () => {
    const build = (chartId: string, glanceId: string) => {
      const chart = new Chart(new App(), chartId, { namespace: 'openstack' });
      new Glance(chart, glanceId, { ...BASE_PROPS, imageCache: { size: '1Gi', precache: { images: ['cirros'] } } });
      return chart.toJson() as Manifest[];
    };
    const [before, after] = [build('test', 'glance'), build('refactored', 'deployment')];
    const jobs = (objects: Manifest[]) => objects.filter((o) => o.kind === 'Job' || o.kind === 'CronJob');
    for (const job of jobs(before)) {
      const template = job.kind === 'Job' ? job.spec.template : job.spec.jobTemplate.spec.template;
      expect(Object.keys(template.metadata.labels)).not.toContain('cdk8s.io/metadata.addr');
    }
    // Before the label went, the db-sync, registration and first-run precache Jobs were renamed here.
    expect(jobs(after)).toEqual(jobs(before));
  });

});

describe('configuration', () => {
  test('lock_path lies on the cache volume with a cache (shared by the API and its cache jobs), on the state volume without', () => {
    expect(glanceConf(synthGlance({ imageCache: { size: '1Gi' } }), 'glance-default-single').oslo_concurrency.lock_path)
      .toBe('/var/lib/glance/image-cache/locks');
    expect(glanceConf(synthGlance({}), 'glance-default-single').oslo_concurrency.lock_path).toBe('/var/lib/glance/tmp');
  });

  test('customServiceConfig is merged after the generated config, per API last', () => {
    const m = synthGlance({
      customServiceConfig: '[DEFAULT]\ndebug = true\n',
      apis: { default: { customServiceConfig: '[DEFAULT]\nimage_cache_sqlite_db = cache.db\n' } },
    });
    const data = find(m, 'Secret', 'glance-default-single-config').stringData;
    const files = Object.keys(data).filter((f) => f.endsWith('.conf')).sort();
    // oslo --config-dir reads *.conf in name order: later files win. glance-api.conf, last, sets nothing.
    expect(files).toEqual(['00-glance.conf', '50-custom.conf', '60-default-custom.conf', 'glance-api.conf']);
    expect(parseIniText(data['glance-api.conf'])).toEqual({});
    expect(data['50-custom.conf']).toBe('[DEFAULT]\ndebug = true\n');
    expect(data['60-default-custom.conf']).toBe('[DEFAULT]\nimage_cache_sqlite_db = cache.db\n');
    expect(find(m, 'Secret', 'glance-db-config').stringData['50-custom.conf']).toBe('[DEFAULT]\ndebug = true\n');
  });

  test('each API\'s own customServiceConfig is a file of that API\'s Secret only', () => {
    const m = synthGlance({
      backend: ImageBackend.file({ sharedStore: { storageClass: 'nfs' } }),
      customServiceConfig: '[DEFAULT]\ndebug = true\n',
      apis: { a: { customServiceConfig: '[DEFAULT]\nworkers_x = 1\n' }, b: {} },
    });
    expect(Object.keys(find(m, 'Secret', 'glance-a-single-config').stringData).sort())
      .toEqual(['00-glance.conf', '50-custom.conf', '60-a-custom.conf', 'glance-api.conf', 'policy.yaml']);
    expect(Object.keys(find(m, 'Secret', 'glance-b-single-config').stringData).sort())
      .toEqual(['00-glance.conf', '50-custom.conf', 'glance-api.conf', 'policy.yaml']);
  });

  test('without customServiceConfig the Secrets hold only the generated files', () => {
    const m = synthGlance({});
    expect(Object.keys(find(m, 'Secret', 'glance-default-single-config').stringData).sort())
      .toEqual(['00-glance.conf', 'glance-api.conf', 'policy.yaml']);
    expect(Object.keys(find(m, 'Secret', 'glance-db-config').stringData).sort()).toEqual(['00-glance.conf', 'glance-api.conf']);
  });

  test('workers: one worker process is accepted', () => {
    expect(glanceConf(synthGlance({ apis: { default: { workers: 1 } } }), 'glance-default-single').DEFAULT.workers).toBe('1');
  });

  test('resources.cpuLimit sets a CPU limit beside the default limits', () => {
    const m = synthGlance({ apis: { default: { resources: { cpuLimit: '2' } } } });
    expect(find(m, 'StatefulSet', 'glance-default-single').spec.template.spec.containers[0].resources.limits)
      .toEqual({ 'cpu': '2', 'memory': '2Gi', 'ephemeral-storage': '1536Mi' });
  });

  test('a config change changes the pod template, so replicas roll', () => {
    const hash = (size: string) => find(synthGlance({ imageCache: { size } }), 'StatefulSet', 'glance-default-single')
      .spec.template.metadata.annotations['glance.openstack.org/config-hash'];
    expect(hash('1Gi')).toMatch(/^[0-9a-f]{64}$/);
    expect(hash('1Gi')).toBe(hash('1Gi'));
    expect(hash('1Gi')).not.toBe(hash('2Gi'));
  });

  test('rbd backend: store options and the Ceph Secret mounted read-only', () => {
    const m = synthGlance({
      backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf', pool: 'glance-images', user: 'glance' }),
      apis: { default: { type: GlanceApiType.SINGLE, replicas: 3 } },
    });
    const conf = glanceConf(m, 'glance-default-single');
    expect(conf.DEFAULT.enabled_backends).toBe('default_backend:rbd');
    expect(conf.default_backend)
      .toMatchObject({ rbd_store_pool: 'glance-images', rbd_store_user: 'glance', rbd_store_ceph_conf: '/etc/ceph/ceph.conf' });
    const pod = find(m, 'StatefulSet', 'glance-default-single').spec.template.spec;
    expect(pod.volumes.find((v: any) => v.name === 'ceph').secret).toEqual({ secretName: 'ceph-conf', defaultMode: 0o440 });
    expect(pod.containers[0].volumeMounts.find((v: any) => v.name === 'ceph')).toEqual({ name: 'ceph', mountPath: '/etc/ceph', readOnly: true });
  });

  test('storage: request, class and access mode of the per-replica volume', () => {
    const m = synthGlance({
      backend: shared(),
      storage: { storageRequest: '50Gi', storageClass: 'ceph-block', accessMode: StorageAccessMode.READ_WRITE_ONCE },
    });
    const template = find(m, 'StatefulSet', 'glance-default-single').spec.volumeClaimTemplates[0];
    expect(template.metadata.name).toBe('glance');
    expect(template.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'ceph-block', resources: { requests: { storage: '50Gi' } } });
  });

  test('storage.external: no per-replica claim, a size-limited emptyDir instead', () => {
    const ext = find(synthGlance({ backend: ImageBackend.rbd({ cephSecretName: 'c' }), storage: { external: true } }), 'StatefulSet',
      'glance-default-internal');
    expect(ext.spec.volumeClaimTemplates).toEqual([]);
    // Staging and tasks live there: bounded even without a claim.
    expect(ext.spec.template.spec.volumes.find((v: any) => v.name === 'glance')).toEqual({ name: 'glance', emptyDir: { sizeLimit: '10Gi' } });
  });

});

describe('secure by default', () => {
  let m: Manifest[];
  beforeEach(() => {
    m = synthGlance({ backend: shared(), imageCache: { size: '1Gi' }, apis: { default: { replicas: 2 } } });
  });

  test('credentials stay in Secrets: no ConfigMaps, no secret values in any manifest', () => {
    expect(ofKind(m, 'ConfigMap')).toEqual([]);
    const text = JSON.stringify(m);
    expect(text).not.toMatch(/password\s*=/i);
    expect(text).not.toMatch(/connection\s*=/i);
    const env = find(m, 'StatefulSet', 'glance-default-single').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'OS_DATABASE__CONNECTION').valueFrom.secretKeyRef).toEqual({ name: 'glance-db', key: 'connection' });
    expect(env.find((e: any) => e.name === 'OS_KEYSTONE_AUTHTOKEN__PASSWORD').valueFrom.secretKeyRef)
      .toEqual({ name: 'osp-secret', key: 'GlancePassword' });
  });

  const WORKLOADS = [
    'StatefulSet/glance-default-single',
    'Job/glance-db-sync-<hash>',
    'CronJob/glance-db-purge',
    ...[0, 1].flatMap((n) => [`CronJob/glance-default-single-${n}-pruner`, `CronJob/glance-default-single-${n}-cleaner`]),
  ];

  test.each(WORKLOADS)('%s meets Pod Security "restricted"', (where) => {
    expectRestrictedPod(podSpecs(m).find((p) => p.where === where)?.spec);
  });

  test('those are all the pod specs: one per workload', () => {
    expect(podSpecs(m).map((p) => p.where).sort()).toEqual([...WORKLOADS].sort());
  });
});

test.each([
  ['no cache', () => ({})],
  ['a cache', () => ({ imageCache: { size: '1Gi' } })],
  ['a cache, precache, a shared store and a split API', () => ({
    backend: shared(), imageCache: { size: '1Gi', precache: { images: ['cirros'] } }, apis: { default: { type: GlanceApiType.SPLIT, replicas: 2 } },
  })],
  ['rbd, external storage, a cache on one API only', () => ({
    backend: ImageBackend.rbd({ cephSecretName: 'ceph' }), storage: { external: true }, apis: { a: {}, b: { imageCache: { size: '1Gi' } } },
  })],
])('%s: every mount names a volume of its pod, and every volume is mounted', (_name, props) => {
  const m = synthGlance(props());
  expectMountsResolve(m);
  const api = find(m, 'StatefulSet', ofKind(m, 'StatefulSet')[0].metadata.name);
  const cacheClaims = api.spec.volumeClaimTemplates.filter((t: any) => t.metadata.name === 'glance-cache');
  const cacheMounts = api.spec.template.spec.containers[0].volumeMounts.filter((v: any) => v.mountPath === '/var/lib/glance/image-cache');
  expect(cacheMounts.length).toBe(cacheClaims.length);
});

describe('endpoint Services', () => {
  test('endpointServices sets the type of its endpoint\'s Service', () => {
    const m = synthGlance({
      backend: shared(),
      apis: { default: { type: GlanceApiType.SPLIT, endpointServices: { internalService: { serviceType: kplus.ServiceType.LOAD_BALANCER } } } },
    });
    expect(find(m, 'Service', 'glance-default').spec.type).toBe('LoadBalancer');
  });

  test('endpointServices sets the annotations and labels of its endpoint\'s Service, beside the library\'s labels', () => {
    const internalService = { annotations: { 'metallb.universe.tf/address-pool': 'internalapi' }, labels: { tier: 'internal' } };
    const m = synthGlance({ backend: shared(), apis: { default: { type: GlanceApiType.SPLIT, endpointServices: { internalService } } } });
    const internal = find(m, 'Service', 'glance-default');
    expect(internal.metadata.annotations).toEqual({ 'metallb.universe.tf/address-pool': 'internalapi' });
    expect(internal.metadata.labels).toMatchObject({ 'tier': 'internal', 'glance.openstack.org/endpoint': 'internal' });
  });

  test('the endpoint endpointServices leaves out stays ClusterIP', () => {
    const m = synthGlance({
      backend: shared(),
      apis: { default: { type: GlanceApiType.SPLIT, endpointServices: { internalService: { serviceType: kplus.ServiceType.LOAD_BALANCER } } } },
    });
    expect(find(m, 'Service', 'glance-default-public').spec.type).toBe('ClusterIP');
  });

  test('publicServiceType reaches the public Service of a SPLIT API, and the internal one stays ClusterIP', () => {
    const m = synthGlance({
      backend: ImageBackend.rbd({ cephSecretName: 'c' }),
      apis: { default: { publicServiceType: kplus.ServiceType.NODE_PORT } },
    });
    // SPLIT: the internal endpoint is the internal API's, the public one the external API's, of publicServiceType.
    expect(find(m, 'Service', 'glance-default-public').spec.type).toBe('NodePort');
    expect(find(m, 'Service', 'glance-default').spec.type).toBe('ClusterIP');
  });

  test.each([kplus.ServiceType.NODE_PORT, kplus.ServiceType.LOAD_BALANCER])('publicServiceType %s reaches the public Service', (type) => {
    expect(find(synthGlance({ apis: { default: { publicServiceType: type } } }), 'Service', 'glance-default-public').spec.type).toBe(type);
  });

  test('publicServiceType and endpointServices.publicService.serviceType together are refused', () => {
    expectInvalid(() => synthGlance({
      apis: {
        default: {
          publicServiceType: kplus.ServiceType.NODE_PORT,
          endpointServices: { publicService: { serviceType: kplus.ServiceType.LOAD_BALANCER } },
        },
      },
    }), 'apis.default.endpointServices.publicService.serviceType', /publicServiceType/);
  });

  // Found by the reader's tests: ExternalName passed, and cdk8s-plus then failed at synth with its own error.
  test.each([
    ['apis.default.publicServiceType', { publicServiceType: kplus.ServiceType.EXTERNAL_NAME }],
    ['apis.default.publicServiceType', { publicServiceType: 'Headless' as kplus.ServiceType }],
    ['apis.default.endpointServices.internalService.serviceType',
      { endpointServices: { internalService: { serviceType: kplus.ServiceType.EXTERNAL_NAME } } }],
    ['apis.default.endpointServices.publicService.serviceType',
      { endpointServices: { publicService: { serviceType: 'clusterip' as kplus.ServiceType } } }],
  ])('%s: only ClusterIP, NodePort or LoadBalancer (%j)', (prop, api) => {
    expectInvalid(() => synthGlance({ apis: { default: api } }), prop,
      /is not a Service type an endpoint can have.*Fix: use ClusterIP, NodePort or LoadBalancer/);
  });

  const withService = (internalService: object) => () => synthGlance({ apis: { default: { endpointServices: { internalService } } } });

  test.each([
    ['annotations', { 'bad key': 'v' }, 'annotations.bad key', /is not a valid annotation/],
    ['annotations', { '-x': 'v' }, 'annotations.-x', /is not a valid annotation/],
    ['annotations', { 'Example.com/x': 'v' }, 'annotations.Example.com/x', /is not a valid annotation/],
    ['annotations', { 'x.': 'v' }, 'annotations.x.', /is not a valid annotation/],
    ['annotations', { [`${'a'.repeat(64)}`]: 'v' }, `annotations.${'a'.repeat(64)}`, /is not a valid annotation/],
    ['annotations', { ok: 5 }, 'annotations.ok',
      /is not a valid annotation \(got 5\).*Fix: use a qualified key \("\[prefix\/\]name"\) and a string value/],
    ['labels', { tier: 'a b' }, 'labels.tier', /is not a valid label \(got "a b"\)/],
    ['labels', { tier: '-a' }, 'labels.tier', /is not a valid label/],
    ['labels', { tier: 'a-' }, 'labels.tier', /is not a valid label/],
    ['labels', { tier: 'a'.repeat(64) }, 'labels.tier', /is not a valid label/],
  ])('%s %j is refused', (_field, map, path, message) => {
    const field = path.split('.')[0];
    expectInvalid(withService({ [field]: map }), `apis.default.endpointServices.internalService.${path}`, message);
  });

  test('what Kubernetes takes is kept: prefixed keys, an empty label value, long annotation values', () => {
    const m = withService({
      annotations: { 'metallb.universe.tf/address-pool': 'internal api, with spaces', 'a': '' },
      labels: { 'example.com/tier': '', 'x': 'a'.repeat(63), 'y': 'A_b.c-1' },
    })();
    const svc = find(m, 'Service', 'glance-default');
    expect(svc.metadata.annotations).toEqual({ 'metallb.universe.tf/address-pool': 'internal api, with spaces', 'a': '' });
    expect(svc.metadata.labels).toMatchObject({ 'example.com/tier': '', 'x': 'a'.repeat(63), 'y': 'A_b.c-1' });
  });

  test('an endpointServices entry of null is no override', () => {
    const m = synthGlance({ apis: { default: { endpointServices: { internalService: null as any } } } });
    expect(find(m, 'Service', 'glance-default').metadata.annotations).toBeUndefined();
  });
});

describe('extra networks', () => {
  const annotations = (networks: string[]) => find(synthGlance({ apis: { default: { networkAttachments: networks } } }), 'StatefulSet',
    'glance-default-single')
    .spec.template.metadata.annotations;

  test('networkAttachments become the Multus annotation of the replicas', () => {
    expect(annotations(['storage', 'openstack/internalapi'])['k8s.v1.cni.cncf.io/networks']).toBe('storage,openstack/internalapi');
  });

  test('an empty networkAttachments list is no Multus annotation', () => {
    expect(annotations([])['k8s.v1.cni.cncf.io/networks']).toBeUndefined();
  });

  test('the longest namespace and name are accepted', () => {
    const longest = `${'a'.repeat(63)}/${'b'.repeat(189)}`;
    expect(annotations([longest, 'c.d'])['k8s.v1.cni.cncf.io/networks']).toBe(`${longest},c.d`);
  });

  test.each([
    [['Storage'], 'apis.default.networkAttachments[0]'],
    [['Storage Net'], 'apis.default.networkAttachments[0]'],
    [['ok', 'ns/'], 'apis.default.networkAttachments[1]'],
    [['/storage'], 'apis.default.networkAttachments[0]'],
    [['ns_1/storage'], 'apis.default.networkAttachments[0]'],
    [['storage-'], 'apis.default.networkAttachments[0]'],
    [[`${'a'.repeat(254)}`], 'apis.default.networkAttachments[0]'],
    [[7], 'apis.default.networkAttachments[0]'],
  ])('networkAttachments %j is refused', (networks, path) => {
    expectInvalid(() => synthGlance({ apis: { default: { networkAttachments: networks as string[] } } }), path,
      /is not a NetworkAttachmentDefinition name.*Fix: give "<name>" or "<namespace>\/<name>" in DNS-1123 form/);
  });

  test('networkAttachments that is no list is refused', () => {
    expectInvalid(() => synthGlance({ apis: { default: { networkAttachments: 'storage' as any } } }), 'apis.default.networkAttachments',
      /is not a list of network names.*Fix: give e\.g\. \["storage"\]/);
  });
});

describe('the image cache of each API', () => {
  const rbd = () => ImageBackend.rbd({ cephSecretName: 'c' });
  const conf = (m: Manifest[], sts: string) => glanceConf(m, sts).DEFAULT.image_cache_max_size;

  test('an API inherits every unset field of the Glance-level cache, and overrides the set ones', () => {
    const m = synthGlance({
      backend: rbd(),
      imageCache: { size: '2Gi', maxSizeRatio: 0.5, prunerSchedule: cron('0 3 * * *') },
      apis: {
        a: { type: GlanceApiType.EDGE, imageCache: { size: '4Gi' } },
        b: { type: GlanceApiType.EDGE, imageCache: {} },
        c: { type: GlanceApiType.EDGE },
      },
    });
    expect(['glance-a-edge', 'glance-b-edge', 'glance-c-edge'].map((sts) => conf(m, sts)))
      .toEqual([String(2 * 2 ** 30), String(2 ** 30), String(2 ** 30)]);
  });

  test('a field an API sets to undefined is inherited', () => {
    const m = synthGlance({
      backend: rbd(),
      imageCache: { size: '2Gi', prunerSchedule: cron('0 3 * * *') },
      apis: { a: { type: GlanceApiType.EDGE, imageCache: { size: '4Gi', prunerSchedule: undefined } } },
    });
    expect(find(m, 'CronJob', 'glance-a-edge-0-pruner').spec.schedule).toBe('0 3 * * *');
  });

  test('without a Glance-level cache, only the API that sizes its own has cache jobs', () => {
    const m = synthGlance({
      backend: rbd(),
      apis: { a: { type: GlanceApiType.EDGE, imageCache: { size: '1Gi' } }, b: { type: GlanceApiType.EDGE } },
    });
    expect(ofKind(m, 'CronJob').map((c) => c.metadata.name).sort()).toEqual(['glance-a-edge-0-cleaner', 'glance-a-edge-0-pruner', 'glance-db-purge']);
  });

  test('a Glance-level imageCache without a size gives its fields to the APIs that size their own', () => {
    const m = synthGlance({
      backend: rbd(),
      imageCache: { prunerSchedule: cron('0 4 * * *') },
      apis: { a: { type: GlanceApiType.EDGE, imageCache: { size: '1Gi' } } },
    });
    expect(find(m, 'CronJob', 'glance-a-edge-0-pruner').spec.schedule).toBe('0 4 * * *');
  });
});

describe('Glance.fromCustomResource in a chart with a namespace', () => {
  const cr = {
    kind: 'Glance', metadata: { namespace: 'cloud' }, spec: { glanceAPIs: { default: { type: 'single' } }, storage: { storageRequest: '10G' } },
  };
  const options = { database: BASE_PROPS.database, keystoneAuthUrl: 'http://ks:5000' };

  test('a CR\'s namespace other than the chart\'s is refused', () => {
    expectInvalid(() => Glance.fromCustomResource(new Chart(Testing.app(), 'c', { namespace: 'openstack' }), 'g', cr, options), 'metadata.namespace',
      /differs from the namespace of the chart it is synthesized in \("openstack"\)/);
  });

  test('a CR in the chart\'s namespace is accepted', () => {
    expect(() => Glance.fromCustomResource(new Chart(Testing.app(), 'c', { namespace: 'cloud' }), 'g', cr, options)).not.toThrow();
  });

  test('a CR with a namespace is accepted in a chart without one, when it does not register Glance in Keystone', () => {
    expect(() => Glance.fromCustomResource(new Chart(Testing.app(), 'c'), 'g', cr, { ...options, keystoneRegistration: false })).not.toThrow();
  });

  test('registered, its endpoint URLs need the chart\'s namespace: refused in the CR\'s terms, with both ways out', () => {
    const error = expectInvalid(() => Glance.fromCustomResource(new Chart(Testing.app(), 'c'), 'g', cr, options), '--keystone-registration',
      /the chart has no namespace/);
    expect(error.message).toContain('Fix: synthesize it in a chart with a namespace (the CR\'s), or leave the catalog alone with '
      + '--keystone-registration false (keystoneRegistration: false)');
  });
});

describe('what an apply meets: objects in order, Jobs named by their template', () => {
  const PREREQUISITES = ['NetworkPolicy', 'Secret', 'PersistentVolume', 'PersistentVolumeClaim', 'Service'];
  test.each([
    ['a shared claim', () => ({ backend: shared(), apis: { default: { replicas: 2 } } })],
    ['an NFS export',
      () => ({
        backend: ImageBackend.file({ sharedStore: { nfs: { server: '192.0.2.5', path: '/x' } } }),
        imageCache: { size: '1Gi', precache: { images: ['cirros'] } },
      })],
  ])('with %s, every workload comes after every object its pods mount, reach or are guarded by', (_what, props) => {
    const m = synthGlance(props());
    const firstWorkload = m.findIndex((o) => ['StatefulSet', 'Job', 'CronJob'].includes(o.kind));
    const lastPrerequisite = m.map((o) => PREREQUISITES.includes(o.kind)).lastIndexOf(true);
    expect(firstWorkload).toBeGreaterThan(lastPrerequisite);
    expect(m.filter((o) => o.kind === 'PersistentVolumeClaim').length).toBe(1);
  });

  test('the order takes as many dependency edges as there are objects, not workloads x prerequisites', () => {
    // 10 APIs x 3 replicas, 145 objects: every workload-prerequisite pair was an edge (4536 here), which
    // cdk8s resolves at a cost that grows with their product (npx projen bench: 7 times the floor at 50 x 10).
    const chart = new Chart(new App(), 'test', { namespace: 'openstack' });
    new Glance(chart, 'glance', {
      ...BASE_PROPS,
      backend: shared(),
      imageCache: { size: '1Gi' },
      apis: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`api${i}`, { replicas: 3 }])),
    });
    const constructs = chart.node.findAll();
    const edges = constructs.reduce((n, c) => n + c.node.dependencies.length, 0);
    const objects = (Testing.synth(chart) as Manifest[]);
    expect(objects.length).toBeGreaterThan(100);
    expect(edges).toBeLessThan(objects.length);
    const firstWorkload = objects.findIndex((o) => ['StatefulSet', 'Job', 'CronJob'].includes(o.kind));
    expect(firstWorkload).toBeGreaterThan(objects.map((o) => PREREQUISITES.includes(o.kind)).lastIndexOf(true));
  });

  test('db-sync\'s name carries its template\'s hash: the same props give the same name, a new image a new one', () => {
    const name = (props: Partial<GlanceProps>) => ofKind(synthGlance(props), 'Job')[0].metadata.name;
    expect(name({})).toMatch(/^glance-db-sync-[0-9a-f]{8}$/);
    expect(name({})).toBe(name({}));
    expect(name({ image: 'glance:2' })).not.toBe(name({}));
    expect(name({ image: 'glance:2' })).toMatch(/^glance-db-sync-[0-9a-f]{8}$/);
    // A change that leaves the template alone (a cache on the APIs) keeps the Job.
    expect(name({ imageCache: { size: '1Gi' } })).toBe(name({}));
    const chart = new Chart(new App(), 'test');
    expect(new Glance(chart, 'glance', BASE_PROPS).dbSyncJobName).toBe(ofKind(Testing.synth(chart) as Manifest[], 'Job')[0].metadata.name);
  });
});

describe('ephemeral storage: the API container requests and limits what its emptyDirs and logs may take of the node\'s disk', () => {
  const storageOf = (manifests: Manifest[]) => find(manifests, 'StatefulSet', 'glance-default-single').spec.template.spec.containers[0].resources;

  test('with a staging claim: /tmp (1Gi) and 512Mi of logs', () => {
    const resources = storageOf(synthGlance({}));
    expect(resources.requests['ephemeral-storage']).toBe('1536Mi');
    expect(resources.limits['ephemeral-storage']).toBe('1536Mi');
  });

  test('with storage.external, staging is an emptyDir on the node: its size counts too', () => {
    const resources = storageOf(synthGlance({
      backend: ImageBackend.rbd({ cephSecretName: 'ceph' }),
      apis: { default: { type: GlanceApiType.SINGLE } },
      storage: { external: true, storageRequest: '10Gi' },
    }));
    expect(resources.requests['ephemeral-storage']).toBe(`${10 * 1024 + 1024 + 512}Mi`);
    expect(resources.limits['ephemeral-storage']).toBe(`${10 * 1024 + 1024 + 512}Mi`);
    const rounded = storageOf(synthGlance({
      backend: ImageBackend.rbd({ cephSecretName: 'ceph' }),
      apis: { default: { type: GlanceApiType.SINGLE } },
      storage: { external: true, storageRequest: '1G' },
    }));
    // 1G is 953.67 MiB: rounded up, never below what the emptyDir may hold.
    expect(rounded.limits['ephemeral-storage']).toBe(`${954 + 1024 + 512}Mi`);
  });
});
