/**
 * The deployments the cluster e2e applies besides the examples, written once as props. What a
 * cluster needs differently from a real one is passed in as the three props a user would set for
 * their own cluster: the image, its pull policy, and the storage class. scripts/cluster/fixtures.sh
 * synthesizes this file at an earlier commit too (the upgrade fixtures), so it uses only props
 * that commit already had.
 */
import { App, Chart } from 'cdk8s';
import { ImagePullPolicy } from 'cdk8s-plus-28';
import { Glance, GlanceApiType, GlanceProps, GlanceRelease, ImageBackend } from '../../lib';

/** What differs between this cluster and a user's. */
export interface Site {
  readonly image: string;
  readonly imagePullPolicy: ImagePullPolicy;
  readonly storageClass: string;
}

export const NAMESPACE = 'openstack';
export const KEYSTONE_URL = 'http://keystone-internal.openstack.svc:5000';

/** The 8 steps' deployment: two replicas with small caches on a shared store, Glance 25 (Zed) or 30 (Epoxy). */
function flowProps(name: string, release: GlanceRelease, site: Site, storageRequest = '1Gi'): GlanceProps {
  return {
    name,
    release,
    image: site.image,
    imagePullPolicy: site.imagePullPolicy,
    database: { connectionSecret: { name: `${name}-db`, key: 'connection' } },
    keystone: { authUrl: KEYSTONE_URL, passwordSecret: { name: 'osp-secret', key: 'GlancePassword' } },
    backend: ImageBackend.file({ sharedStore: { storageClass: site.storageClass, storageRequest: '2Gi' } }),
    storage: { storageRequest, storageClass: site.storageClass },
    // Room for two 48 MiB images under the max (0.85 × 128 MiB), not for three: the pruner has work.
    imageCache: { size: '128Mi', storageClass: site.storageClass },
    apis: { default: { type: GlanceApiType.SINGLE, replicas: 2 } },
  };
}

export function cacheFlow(app: App, name: string, release: GlanceRelease, site: Site, storageRequest = '1Gi'): Chart {
  const chart = new Chart(app, name, { namespace: NAMESPACE });
  new Glance(chart, 'glance', flowProps(name, release, site, storageRequest));
  return chart;
}

/** A file store on an NFS export: the case Pod Security "restricted" refused as an inline volume. */
export function nfsExport(app: App, site: Site): Chart {
  const chart = new Chart(app, 'nfs-export', { namespace: NAMESPACE });
  new Glance(chart, 'glance', {
    name: 'nfsx',
    release: GlanceRelease.ZED,
    image: site.image,
    imagePullPolicy: site.imagePullPolicy,
    database: { connectionSecret: { name: 'nfsx-db', key: 'connection' } },
    keystone: { authUrl: KEYSTONE_URL, passwordSecret: { name: 'osp-secret', key: 'GlancePassword' } },
    // An address of the pod network that no one serves: the kernel here has no NFS client, so the
    // test checks admission, binding and pod creation, not the mount.
    backend: ImageBackend.file({ sharedStore: { nfs: { server: '10.244.0.250', path: '/exports/glance' } } }),
    storage: { storageRequest: '1Gi', storageClass: site.storageClass },
    apis: { default: { type: GlanceApiType.SINGLE, replicas: 2 } },
  });
  return chart;
}

/**
 * HTTPS on every endpoint, as the operator's control plane deploys Glance: a cert-manager
 * Certificate per endpoint from the operator's CA issuer, every Glance container trusting the
 * combined CA bundle, and an image kept cached on both replicas by the precache jobs, which call
 * each replica by its own name over HTTPS; and, as the operator does, Glance registered in
 * Keystone's catalog by its registration Job, with https URLs. Not in the upgrade fixtures: earlier
 * commits had no TLS.
 */
export function tlsFlow(app: App, site: Site): Chart {
  const chart = new Chart(app, 'flowtls', { namespace: NAMESPACE });
  const props = flowProps('flowtls', GlanceRelease.ZED, site);
  new Glance(chart, 'glance', {
    ...props,
    keystone: { ...props.keystone, region: 'regionOne', registration: { adminPasswordSecret: { name: 'keystone-admin', key: 'password' } } },
    imageCache: { ...props.imageCache!, precache: { images: [TLS_PRECACHED_IMAGE] } },
    tls: { caBundleSecret: { name: 'combined-ca-bundle', key: 'tls-ca-bundle.pem' }, issuer: { name: 'rootca-internal' } },
  });
  return chart;
}

/** The notifications bus's Secret, as the infra-operator writes a TransportURL's (infra.ts fills it). */
export const CLOUD_TRANSPORT_SECRET = { name: 'flowcloud-transport', key: 'transport_url' };
/** The Secret with the service user's application credential (AC_ID, AC_SECRET): the test creates it once the Job made the user. */
export const CLOUD_AC_SECRET = 'flowcloud-ac';
/** Keystone's region: Glance finds Keystone in the region it registers in (its Job refuses one where Keystone has no endpoint). */
export const CLOUD_REGION = 'regionOne';
export const CLOUD_USER = 'glance-cloud';
/** cloudFlow's policy files (policyConfigMap): members may list a replica's cache; the second file restates the library's cache_image rule. */
export const CLOUD_POLICY = {
  name: 'flowcloud-policy',
  data: { 'policy.yaml': '"cache_list": "role:admin or role:member"\n', 'queue.yaml': '"cache_image": "role:admin"\n' },
};
/** cloudFlow's configSecrets: a Secret of oslo.config text, checked in each pod before glance-api starts. */
export const CLOUD_CONFIG_SECRET = { name: 'flowcloud-config', data: { 'tags.conf': '[DEFAULT]\nimage_tag_quota = 2\n' } };
/** As quotas-scenario.ts has them on the sandbox tier. */
export const CLOUD_QUOTAS = { imageSizeTotal: '64Mi', imageStageTotal: '1Mi', imageCountTotal: 3, imageCountUploading: 5 };

/**
 * Glance as a member of the cloud, as the operator's control plane deploys it: registered in
 * Keystone's catalog by its Job (in place of tlsFlow's endpoints, one Glance per region), which also makes its
 * service user and the four unified limits; its processes authenticate with an application
 * credential of that user; notifications go to the RabbitMQ pod; validated tokens are cached in
 * the memcached pod, shared by both replicas. Not in the upgrade fixtures: earlier commits had none of it.
 */
export function cloudFlow(app: App, site: Site): Chart {
  const chart = new Chart(app, 'flowcloud', { namespace: NAMESPACE });
  const props = flowProps('flowcloud', GlanceRelease.ZED, site);
  new Glance(chart, 'glance', {
    ...props,
    keystone: {
      ...props.keystone,
      username: CLOUD_USER,
      region: CLOUD_REGION,
      memcachedServers: [`memcached.${NAMESPACE}.svc:11211`],
      applicationCredentialSecret: CLOUD_AC_SECRET,
      registration: { adminPasswordSecret: { name: 'keystone-admin', key: 'password' } },
    },
    quotas: CLOUD_QUOTAS,
    notifications: { transportUrlSecret: CLOUD_TRANSPORT_SECRET },
    policyConfigMap: CLOUD_POLICY.name,
    configSecrets: [CLOUD_CONFIG_SECRET.name],
  });
  return chart;
}

/** The image name tlsFlow's precache keeps cached. */
export const TLS_PRECACHED_IMAGE = 'warm';

/** Every generated deployment, by chart name, as the upgrade fixtures keep them. */
export function generatedDeployments(app: App, bookworm: Site, trixie: Site): Chart[] {
  return [
    cacheFlow(app, 'flow', GlanceRelease.ZED, bookworm),
    cacheFlow(app, 'flow30', GlanceRelease.EPOXY, trixie),
    nfsExport(app, bookworm),
  ];
}
