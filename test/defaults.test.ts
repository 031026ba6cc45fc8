/**
 * Every documented default (the `@default` of each prop in API.md), pinned on the output of the
 * smallest deployment that uses it. A default changed in the code and not in the docs fails here.
 */
import { Duration } from 'cdk8s';
import { GlanceApiType, GlanceRelease, ImageBackend } from '../lib';
import { find, glanceCommandOf, glanceConf, Manifest, ofKind, s3Secrets, synthGlance } from './helpers';

const STS = 'glance-default-single';
const apiPod = (m: Manifest[], sts = STS) => find(m, 'StatefulSet', sts).spec.template.spec;
const storeSection = (m: Manifest[]) => glanceConf(m, ofKind(m, 'StatefulSet')[0].metadata.name).default_backend;

describe('Glance props', () => {
  let m: Manifest[];
  beforeEach(() => {
    m = synthGlance({});
  });

  test('name "glance" with apis { default: {} }: one single-type API, glance-default-single', () => {
    expect(ofKind(m, 'StatefulSet').map((s) => s.metadata.name)).toEqual([STS]);
  });

  test('apis.default.replicas: one replica', () => {
    expect(find(m, 'StatefulSet', STS).spec.replicas).toBe(1);
  });

  test('image: the podified Antelope glance-api', () => {
    expect(apiPod(m).containers[0].image).toBe('quay.io/podified-antelope-centos9/openstack-glance-api:current-podified');
  });

  test('imagePullPolicy: Always for an image by tag', () => {
    expect(apiPod(m).containers[0].imagePullPolicy).toBe('Always');
  });

  test('release GlanceRelease.ANTELOPE: the new RBAC defaults, scope checked', () => {
    expect(glanceConf(m, STS).oslo_policy)
      .toEqual({ policy_file: '/etc/glance/glance.conf.d/policy.yaml', enforce_new_defaults: 'true', enforce_scope: 'true' });
  });

  test('release GlanceRelease.ANTELOPE: the sqlite cache driver', () => {
    expect(glanceConf(synthGlance({ imageCache: { size: '1Gi' } }), STS).DEFAULT.image_cache_driver).toBe('sqlite');
  });

  test('backend ImageBackend.file(): images on the replica\'s own volume, described "File backend"', () => {
    const conf = glanceConf(m, STS);
    expect(conf.DEFAULT.enabled_backends).toBe('default_backend:file');
    expect(conf.default_backend).toEqual({ filesystem_store_datadir: '/var/lib/glance/images', store_description: 'File backend' });
    expect(ofKind(m, 'PersistentVolumeClaim')).toEqual([]);
  });

  test('storage: a 10Gi ReadWriteOnce volume per replica, the default class', () => {
    const claims = find(m, 'StatefulSet', STS).spec.volumeClaimTemplates;
    expect(claims.map((c: any) => c.metadata.name)).toEqual(['glance']);
    expect(claims[0].spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
  });

  test('dbPurge: rows older than 30 days, daily at 00:01', () => {
    const purge = find(m, 'CronJob', 'glance-db-purge');
    expect(purge.spec.schedule).toBe('1 0 * * *');
    expect(purge.spec.jobTemplate.spec.template.spec.containers[0].command.slice(-3)).toEqual(['purge', '--age_in_days', '30']);
  });

  test('keystone: user "glance", project "service", domain "Default", no region, public URL = authUrl', () => {
    expect(glanceConf(m, STS).keystone_authtoken).toEqual({
      www_authenticate_uri: 'http://keystone.openstack.svc:5000',
      auth_url: 'http://keystone.openstack.svc:5000',
      auth_type: 'password',
      username: 'glance',
      project_name: 'service',
      user_domain_name: 'Default',
      project_domain_name: 'Default',
    });
  });

  test('webDownload: not offered, and no import filter written', () => {
    const conf = glanceConf(m, STS);
    expect(conf.DEFAULT.enabled_import_methods).toBe('[glance-direct,copy-image]');
    expect(conf.import_filtering_opts).toBeUndefined();
  });

  test('limits.imageSizeCap: 90% of the staging volume', () => {
    expect(glanceConf(m, STS).DEFAULT.image_size_cap).toBe(String(Math.floor(10 * 2 ** 30 * 0.9)));
  });

  test('limits.userStorageQuota: no per-user quota', () => {
    expect(glanceConf(m, STS).DEFAULT.user_storage_quota).toBe('0');
  });

  test('behindTlsProxy: not behind a TLS proxy, proxy headers not parsed', () => {
    expect(glanceConf(m, STS).oslo_middleware).toEqual({ enable_proxy_headers_parsing: 'false' });
  });

  test('webDownload: allowedSchemes ["https"], allowedPorts [443]', () => {
    const conf = glanceConf(synthGlance({ webDownload: { allowedHosts: ['images.example.com'] } }), STS);
    expect(conf.import_filtering_opts).toEqual({ allowed_schemes: '[https]', allowed_hosts: '[images.example.com]', allowed_ports: '[443]' });
  });

  test('networkPolicy: one per API, admitting the chart\'s namespace on 9292', () => {
    expect(ofKind(m, 'NetworkPolicy').map((p) => p.metadata.name).sort()).toEqual(['glance-db-jobs', STS]);
  });

  test('imageCache: none, so no cache volume is mounted', () => {
    expect(apiPod(m).containers[0].volumeMounts.map((v: any) => v.name)).toEqual(['config', 'tmp', 'glance']);
  });

  test('imageCache: none, so no cache volume is claimed', () => {
    expect(find(m, 'StatefulSet', STS).spec.volumeClaimTemplates.map((c: any) => c.metadata.name)).toEqual(['glance']);
  });

  test('imageCache: none, so glance.conf has no cache: the keystone pipeline, no cache directory', () => {
    expect(glanceConf(m, STS).paste_deploy).toEqual({ flavor: 'keystone' });
    expect(glanceConf(m, STS).DEFAULT.image_cache_dir).toBeUndefined();
  });

  test('imageCache: none, so no cache job exists', () => {
    expect(ofKind(m, 'CronJob').map((c) => c.metadata.name)).toEqual(['glance-db-purge']);
  });
});

describe('GlanceApi options', () => {
  let m: Manifest[];
  beforeEach(() => {
    m = synthGlance({});
  });

  test('resources: 500m CPU and 512Mi memory requested, 2Gi memory limit, no CPU limit', () => {
    expect(apiPod(m).containers[0].resources)
      .toEqual({
        requests: { 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '1536Mi' },
        limits: { 'memory': '2Gi', 'ephemeral-storage': '1536Mi' },
      });
  });

  test('nodeSelector: any node', () => {
    expect(apiPod(m).nodeSelector).toBeUndefined();
  });

  test('networkAttachments: the cluster network only, no Multus annotation', () => {
    expect(find(m, 'StatefulSet', STS).spec.template.metadata.annotations['k8s.v1.cni.cncf.io/networks']).toBeUndefined();
  });

  test('workers 3', () => {
    expect(glanceConf(m, STS).DEFAULT.workers).toBe('3');
  });

  test('endpoint Services: ClusterIP, without annotations', () => {
    for (const name of ['glance-default', 'glance-default-public']) {
      const svc = find(m, 'Service', name);
      expect([name, svc.spec.type ?? 'ClusterIP', svc.metadata.annotations]).toEqual([name, 'ClusterIP', undefined]);
    }
  });

  const rbdApis = () => synthGlance({ backend: ImageBackend.rbd({ cephSecretName: 'c' }), apis: { default: {}, e: { type: GlanceApiType.EDGE } } });

  test('type: SPLIT with rbd', () => {
    expect(ofKind(rbdApis(), 'StatefulSet').map((s) => s.metadata.name))
      .toEqual(['glance-default-internal', 'glance-default-external', 'glance-e-edge']);
  });

  test('showImageDirectUrl: on internal and edge APIs with rbd, off on external ones', () => {
    const rbd = rbdApis();
    expect(['glance-default-internal', 'glance-default-external', 'glance-e-edge'].map((s) => glanceConf(rbd, s).DEFAULT.show_image_direct_url))
      .toEqual(['true', 'false', 'true']);
  });

  test('showImageDirectUrl: off with the file store', () => {
    expect(glanceConf(m, STS).DEFAULT.show_image_direct_url).toBe('false');
  });
});

describe('imageCache options', () => {
  let m: Manifest[];
  beforeEach(() => {
    m = synthGlance({ imageCache: { size: '1Gi' } });
  });

  test('maxSizeRatio 0.85', () => {
    expect(glanceConf(m, STS).DEFAULT.image_cache_max_size).toBe(String(Math.floor(2 ** 30 * 0.85)));
  });

  test('stallTime 86400 s (Duration.seconds(86400))', () => {
    expect(glanceConf(m, STS).DEFAULT.image_cache_stall_time).toBe(String(Duration.seconds(86400).toSeconds()));
  });

  test('driver: sqlite before 2024.1, centralized_db from 2024.1 (Caracal) on', () => {
    const driver = (release: GlanceRelease) => glanceConf(synthGlance({ release, imageCache: { size: '1Gi' } }), STS).DEFAULT.image_cache_driver;
    expect([GlanceRelease.BOBCAT, GlanceRelease.CARACAL, GlanceRelease.EPOXY].map(driver)).toEqual(['sqlite', 'centralized_db', 'centralized_db']);
  });

  test('storageClass: the cluster\'s default class, the cache claim sized by imageCache.size', () => {
    const claim = find(m, 'StatefulSet', STS).spec.volumeClaimTemplates.find((c: any) => c.metadata.name === 'glance-cache');
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
  });

  test('prunerSchedule "1 0 * * *", cleanerSchedule "*/30 * * * *", orphans removed', () => {
    expect(find(m, 'CronJob', `${STS}-0-pruner`).spec.schedule).toBe('1 0 * * *');
    const cleaner = find(m, 'CronJob', `${STS}-0-cleaner`);
    expect(cleaner.spec.schedule).toBe('*/30 * * * *');
    expect(cleaner.spec.jobTemplate.spec.template.spec.containers[0].command).toEqual(
      glanceCommandOf(['python3', '/etc/glance/glance.conf.d/glance-cache-jobs.py'], 'clean'));
  });

  test('policy: admin only, for each cache rule', () => {
    expect(find(m, 'Secret', `${STS}-config`).stringData['policy.yaml'])
      .toBe('"cache_list": "role:admin"\n"cache_image": "role:admin"\n"cache_delete": "role:admin"\n');
  });

  test('precache: none', () => {
    expect(ofKind(m, 'CronJob').filter((c) => c.metadata.name.endsWith('-precache'))).toEqual([]);
  });

  test('precache.schedule: "*/15 * * * *"', () => {
    const withImages = synthGlance({ imageCache: { size: '1Gi', precache: { images: ['cirros'] } } });
    expect(find(withImages, 'CronJob', `${STS}-0-precache`).spec.schedule).toBe('*/15 * * * *');
  });
});

describe('store options', () => {
  test('rbd: cluster "ceph", pool "images", user "openstack", described "Ceph RBD backend"', () => {
    const m = synthGlance({ backend: ImageBackend.rbd({ cephSecretName: 'c' }) });
    expect(storeSection(m)).toEqual({
      rbd_store_pool: 'images', rbd_store_user: 'openstack', rbd_store_ceph_conf: '/etc/ceph/ceph.conf', store_description: 'Ceph RBD backend',
    });
  });

  test('swift: the deployment\'s Keystone user and project, container "glance", internalURL, "Swift backend"', () => {
    expect(storeSection(synthGlance({ backend: ImageBackend.swift() }))).toEqual({
      swift_store_auth_version: '3',
      swift_store_auth_address: 'http://keystone.openstack.svc:5000',
      swift_store_user: 'service:glance',
      swift_store_endpoint_type: 'internalURL',
      swift_store_container: 'glance',
      swift_store_create_container_on_put: 'true',
      store_description: 'Swift backend',
    });
  });

  test('s3: bucket created on put, URL format auto, the image\'s CA bundle, "S3 backend"', () => {
    const m = synthGlance({ backend: ImageBackend.s3({ host: 'https://s3.example.com', bucket: 'images', ...s3Secrets }) });
    expect(storeSection(m)).toEqual({
      s3_store_host: 'https://s3.example.com',
      s3_store_bucket: 'images',
      s3_store_create_bucket_on_put: 'true',
      s3_store_bucket_url_format: 'auto',
      store_description: 'S3 backend',
    });
  });

  test('cinder: the deployment\'s Keystone user and project, volumev3::internalURL, Cinder\'s volume type, "Cinder backend"', () => {
    expect(storeSection(synthGlance({ backend: ImageBackend.cinder({ allowPrivilegedAttach: true }) }))).toEqual({
      cinder_store_auth_address: 'http://keystone.openstack.svc:5000/v3',
      cinder_store_user_name: 'glance',
      cinder_store_project_name: 'service',
      cinder_store_user_domain_name: 'Default',
      cinder_store_project_domain_name: 'Default',
      cinder_catalog_info: 'volumev3::internalURL',
      store_description: 'Cinder backend',
    });
  });

  test('file with a shared store: a 100Gi ReadWriteMany claim named <name>-images', () => {
    const m = synthGlance({ backend: ImageBackend.file({ sharedStore: { storageClass: 'nfs' } }) });
    expect(find(m, 'PersistentVolumeClaim', 'glance-images').spec)
      .toEqual({ accessModes: ['ReadWriteMany'], resources: { requests: { storage: '100Gi' } }, storageClassName: 'nfs' });
    expect(find(synthGlance({ name: 'img', backend: ImageBackend.file({ sharedStore: { storageClass: 'nfs' } }) }), 'PersistentVolumeClaim',
      'img-images').spec.resources.requests.storage).toBe('100Gi');
  });
});
