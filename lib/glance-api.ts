import { createHash } from 'crypto';
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ApiSettings, CacheParts, GlanceApiBase } from './api-host';
import { cacheClaimName } from './cache/cache-job';
import { ImageCache, ImageCacheOptions } from './cache/image-cache';
import { checkCustomServiceConfig } from './config-guard';
import { GlanceValidationError, locate, warnOnce } from './errors';
import { ImageBackend } from './image-backend';
import { renderIni } from './ini';
import { checkDerivedName, checkNamePart, checkServiceType, NameKind, replicaCount, workerSelfReferenceUrl } from './names';
import { apiNetworkPolicy } from './network-policy';
import {
  CONFIG_ANCHOR, CONFIG_DIR, glanceCommand, glanceLabels, RESTRICTED_CONTAINER_SECURITY, RESTRICTED_POD_SECURITY, SECRET_MODE, STATE_DIR,
} from './pod-security';
import { ceilFraction, parseQuantity, validateResourceQuantity } from './quantity';
import { API_PORT, baseServiceConfig, GlanceCommonProps, renderPolicy, resolveCommonProps, ResolvedCommonProps } from './service-config';
import { ContainerResources, GlanceApiRole, GlanceApiType, StorageAccessMode } from './types';

/** Settings of one API that hold for each of its StatefulSets. */
export interface GlanceApiSettings {
  /**
   * Replicas of each StatefulSet.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Resources of the glance-api container.
   * @default - 500m CPU and 512Mi memory requested, 2Gi memory limit, no CPU limit
   */
  readonly resources?: ContainerResources;
  /**
   * Node labels the replicas must run on.
   * @default - any node
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * The API's image cache. Overrides the Glance-level imageCache field by field.
   * @default - the Glance-level imageCache
   */
  readonly imageCache?: ImageCacheOptions;
  /**
   * Raw oslo ini for this API only, merged after the Glance-level customServiceConfig.
   * @default - none
   */
  readonly customServiceConfig?: string;
  /**
   * glance-api worker processes per replica. Glance defaults to the node's CPU count,
   * which in a container is the whole node's.
   * @default 3
   */
  readonly workers?: number;
  /**
   * Type of the public endpoint Service.
   * @default kplus.ServiceType.CLUSTER_IP
   */
  readonly publicServiceType?: kplus.ServiceType;
  /**
   * show_image_direct_url: every user who can see an image also sees where the store keeps it
   * (with Ceph, `rbd://<fsid>/<pool>/<id>/snap`). OpenStack Security Note OSSN-0090 advises
   * against it on any API that end users reach. Nova and Cinder need it to clone images from
   * Ceph, so internal and edge APIs show it with the rbd store. An external API never does, and a
   * SINGLE API (which also serves the public endpoint) only when you opt in here.
   * @default - true on internal and edge APIs with the rbd store; false otherwise
   */
  readonly showImageDirectUrl?: boolean;
  /**
   * Multus networks the replicas also attach to, as NetworkAttachmentDefinition names
   * ("storage", or `<namespace>/<name>`): the pod annotation k8s.v1.cni.cncf.io/networks, as the
   * glance-operator's networkAttachments sets it (a storage network to reach Ceph, for example).
   * @default - the cluster network only
   */
  readonly networkAttachments?: string[];
  /**
   * The internal and public endpoint Services: type, annotations (a load balancer's address pool,
   * for example) and extra labels, as the glance-operator's override.service sets them.
   * @default - ClusterIP Services without annotations (the public one of publicServiceType)
   */
  readonly endpointServices?: EndpointServicesOptions;
}

/** How the endpoint Services of an API differ from plain ClusterIP Services. */
export interface EndpointServiceOptions {
  /**
   * The Service type.
   * @default kplus.ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;
  /**
   * Annotations of the Service.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
  /**
   * Labels added to the Service's own.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** The internal and public endpoint Services of an API. */
export interface EndpointServicesOptions {
  /** @default - a ClusterIP Service */
  readonly internalService?: EndpointServiceOptions;
  /** @default - a Service of publicServiceType */
  readonly publicService?: EndpointServiceOptions;
}

/** Settings of one named Glance API (an entry of Glance's `apis`). */
export interface GlanceApiOptions extends GlanceApiSettings {
  /**
   * The API's layout: which endpoints it serves. SPLIT makes two StatefulSets, internal and external.
   * @default - GlanceApiType.SPLIT with the rbd store (as the glance-operator, so that only the internal API shows image locations), SINGLE otherwise
   */
  readonly type?: GlanceApiType;
}

/** Props of one GlanceApi StatefulSet. */
export interface GlanceApiProps extends GlanceApiSettings {
  /**
   * Which endpoints this StatefulSet serves.
   * @default GlanceApiRole.SINGLE
   */
  readonly role?: GlanceApiRole;
  /** The API's name, as the key of Glance's `apis` ("default"). */
  readonly apiName: string;
  /** Settings shared with the other APIs of the deployment. */
  readonly common: GlanceCommonProps;
  /**
   * How validation errors name this API's props.
   * @default `apis.<apiName>`
   */
  readonly propPath?: string;
}

/**
 * One Glance API StatefulSet `<name>-<api>-<type>` with its headless Service of the same name,
 * so that replica N answers at `<sts>-N.<sts>.<namespace>.svc:9292`, plus the endpoint
 * Services, a PodDisruptionBudget, its configuration Secret and, with a cache size, its ImageCache.
 */
export class GlanceApi extends GlanceApiBase {
  /** StatefulSet name, also the headless Service's name. */
  public readonly statefulSetName: string;
  /** Names of the endpoint Services. */
  public readonly endpointServiceNames: string[];
  /** The Secret with the configuration files. */
  public readonly configSecretName: string;
  /** Replica count. */
  public readonly replicas: number;
  /** The image cache, when the API has a cache size. */
  public readonly imageCache?: ImageCache;
  /** The StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** @internal */
  public readonly _settings: ApiSettings;
  /** What the image cache pushed, if the API has one. */
  private cache?: CacheParts;
  /** Files its children ship in the config Secret (the cleaner's script). */
  private readonly files: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: GlanceApiProps) {
    super(scope, id);
    try {
      const path = props.propPath ?? `apis.${props.apiName}`;
      const common = resolveCommonProps(props.common);
      checkNamePart(path, props.apiName);
      const role = props.role ?? GlanceApiRole.SINGLE;
      if (!Object.values(GlanceApiRole).includes(role)) {
        throw new GlanceValidationError(`${path}.type`, role, 'is not the role of one StatefulSet',
          'use GlanceApiRole SINGLE, INTERNAL, EXTERNAL or EDGE; Glance expands GlanceApiType.SPLIT into INTERNAL and EXTERNAL');
      }
      this.replicas = replicaCount(path, props.replicas);
      const workers = props.workers ?? 3;
      if (!Number.isInteger(workers) || workers < 1) {
        throw new GlanceValidationError(`${path}.workers`, props.workers, 'is not a positive whole number', 'use 1 or more worker processes');
      }
      if (props.customServiceConfig !== undefined) checkCustomServiceConfig(`${path}.customServiceConfig`, props.customServiceConfig, common.managedOptions, common.customServiceConfigSubstitution);
      common.backend._checkApi(path, this.replicas, common.storage.external ?? false);

      const sts = `${common.name}-${props.apiName}-${role}`;
      this.statefulSetName = sts;
      this.configSecretName = `${sts}-config`;
      // Its config Secret (the name and "-config") is within the 63 characters of an object.
      checkDerivedName(path, sts, NameKind.STATEFUL_SET, 'StatefulSet');
      const internalName = `${common.name}-${props.apiName}`;
      const publicName = `${common.name}-${props.apiName}-public`;
      const serves = {
        internal: role !== GlanceApiRole.EXTERNAL,
        public: role === GlanceApiRole.SINGLE || role === GlanceApiRole.EXTERNAL,
      };
      this.endpointServiceNames = [...(serves.internal ? [internalName] : []), ...(serves.public ? [publicName] : [])];
      // The headless Service's name; the endpoint Services' names start as it does and are no longer.
      checkDerivedName(path, sts, NameKind.SERVICE, 'Service');

      this._settings = {
        image: common.image,
        imagePullPolicy: common.imagePullPolicy,
        release: common.release,
        databaseConnection: common.database.connectionSecret,
        keystonePassword: common.keystone.passwordSecret,
        networkPolicies: common.networkPolicy?.enabled ?? true,
        propPath: path,
      };
      // The cache pushes its options, policy, files and claim template in through _addCache.
      if (props.imageCache?.size !== undefined) this.imageCache = new ImageCache(this, 'image-cache', props.imageCache);

      const showImageDirectUrl = imageLocations(this, path, role, common.backend, props.showImageDirectUrl);
      const configFiles: Record<string, string> = {
        '00-glance.conf': renderIni(baseServiceConfig(common, { workers, cacheOptions: this.cache?.options, showImageDirectUrl })),
        [CONFIG_ANCHOR.name]: CONFIG_ANCHOR.text,
        'policy.yaml': renderPolicy(this.cache?.policyRules ?? {}),
        ...this.files,
      };
      // Stryker disable next-line ConditionalExpression: cdk8s leaves an undefined value out of stringData, and JSON out of the hash
      if (common.customServiceConfig) configFiles['50-custom.conf'] = common.customServiceConfig;
      // Stryker disable next-line ConditionalExpression: as above
      if (props.customServiceConfig) configFiles[`60-${props.apiName}-custom.conf`] = props.customServiceConfig;
      new kplus.Secret(this, 'config', { metadata: { name: this.configSecretName, labels: glanceLabels() }, stringData: configFiles });
      const configHash = createHash('sha256').update(JSON.stringify(configFiles)).digest('hex');

      const selector = { 'app.kubernetes.io/name': 'glance', 'glance.openstack.org/statefulset': sts };
      const labels = { ...selector, 'app.kubernetes.io/instance': common.name, 'app.kubernetes.io/component': `api-${role}` };
      const apiPods = kplus.Pods.select(this, 'pods', { labels: selector });
      const port = { name: 'glance-api', port: API_PORT, targetPort: API_PORT };
      // Headless: gives every replica its own DNS name, even before it is ready, for cache commands.
      new kplus.Service(this, 'headless', {
        metadata: { name: sts, labels },
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector: apiPods,
        ports: [port],
      });
      const endpoint = (which: 'internal' | 'public', name: string, defaultType?: kplus.ServiceType) => {
        const own = endpointServiceOptions(`${path}.endpointServices.${which}Service`, props.endpointServices?.[`${which}Service`]);
        if (own.serviceType !== undefined && defaultType !== undefined) {
          throw new GlanceValidationError(`${path}.endpointServices.publicService.serviceType`, own.serviceType, 'is set, and so is publicServiceType', 'set one of them');
        }
        new kplus.Service(this, which, {
          metadata: {
            name,
            labels: { ...own.labels, ...labels, 'glance.openstack.org/endpoint': which },
            ...(own.annotations ? { annotations: own.annotations } : {}),
          },
          type: own.serviceType ?? defaultType ?? kplus.ServiceType.CLUSTER_IP,
          selector: apiPods,
          ports: [port],
        });
      };
      if (serves.internal) endpoint('internal', internalName);
      if (serves.public) endpoint('public', publicName, checkServiceType(`${path}.publicServiceType`, props.publicServiceType));

      this.statefulSet = new k8s.KubeStatefulSet(this, 'statefulset', {
        metadata: { name: sts, labels },
        spec: {
          serviceName: sts,
          replicas: this.replicas,
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: selector },
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          template: {
            metadata: { labels, annotations: { 'glance.openstack.org/config-hash': configHash, ...networkAnnotation(`${path}.networkAttachments`, props.networkAttachments) } },
            spec: this.podSpec(common, props, selector),
          },
          volumeClaimTemplates: this.claimTemplates(common),
        },
      });

      new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: { name: sts, labels },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
      });

      if (this._settings.networkPolicies) {
        new k8s.KubeNetworkPolicy(this, 'network-policy', apiNetworkPolicy(this, sts, role, labels, selector, common.networkPolicy));
      }
    } catch (e) {
      throw locate(e, this);
    }
  }

  /** @internal */
  public _addCache(parts: CacheParts): void {
    if (this.cache) throw new Error(`${this.statefulSetName} already has an image cache`);
    this.cache = parts;
  }

  /** @internal */
  public _addConfigFile(name: string, text: string): void {
    // The pruner and cleaner ship the same script: one copy.
    if (name in this.files && this.files[name] !== text) throw new Error(`${this.configSecretName} already has a different file ${name}`);
    this.files[name] = text;
  }

  /** Replica N's own hostname, which takes cache commands on port 9292. */
  public replicaHostname(replica: number): string {
    const namespace = Chart.of(this).namespace;
    return `${this.statefulSetName}-${replica}.${this.statefulSetName}${namespace ? `.${namespace}.svc` : ''}`;
  }

  /** Name of replica N's cache claim. */
  public cacheClaimName(replica: number): string {
    return cacheClaimName(this.statefulSetName, replica);
  }

  private podSpec(common: ResolvedCommonProps, props: GlanceApiProps, selector: Record<string, string>): k8s.PodSpec {
    const volumes: k8s.Volume[] = [
      { name: 'config', secret: { secretName: this.configSecretName, defaultMode: SECRET_MODE } },
      { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
    ];
    const mounts: k8s.VolumeMount[] = [
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'glance', mountPath: STATE_DIR },
    ];
    // Staging and tasks live here: always bounded, by the claim or by the emptyDir's sizeLimit.
    if (common.storage.external) volumes.push({ name: 'glance', emptyDir: { sizeLimit: k8s.Quantity.fromString(common.stagingSize) } });
    const cacheMount = this.cache && { name: this.cache.claimTemplate.metadata!.name!, mountPath: this.cache.mountPath };
    if (cacheMount) mounts.push(cacheMount);
    const store = common.backend._podParts(common.storeContext);
    volumes.push(...store.volumes);
    mounts.push(...store.mounts);

    const fromSecret = (ref: { name: string; key: string }) => ({ secretKeyRef: { name: ref.name, key: ref.key } });
    return {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: RESTRICTED_POD_SECURITY,
      nodeSelector: props.nodeSelector,
      affinity: {
        // Spread replicas over nodes so that one node's loss keeps the API up.
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 100,
            podAffinityTerm: { labelSelector: { matchLabels: selector }, topologyKey: 'kubernetes.io/hostname' },
          }],
        },
      },
      volumes,
      initContainers: cacheMount && [incompleteCleanup(common, cacheMount)],
      containers: [{
        name: 'glance-api',
        image: common.image,
        imagePullPolicy: common.imagePullPolicy,
        command: glanceCommand(['glance-api']),
        ports: [{ name: 'glance-api', containerPort: API_PORT }],
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          // oslo.config reads OS_<GROUP>__<OPTION>; each replica names itself for import and centralized_db.
          { name: 'OS_DEFAULT__WORKER_SELF_REFERENCE_URL', value: workerSelfReferenceUrl(this.statefulSetName, '$(POD_NAME)') },
          { name: 'OS_DATABASE__CONNECTION', valueFrom: fromSecret(common.database.connectionSecret) },
          { name: 'OS_KEYSTONE_AUTHTOKEN__PASSWORD', valueFrom: fromSecret(common.keystone.passwordSecret) },
          // The stores' credentials, OS_<STORE>__<OPTION> from their Secrets.
          ...store.env ?? [],
        ],
        resources: apiResources(`${props.propPath ?? `apis.${props.apiName}`}.resources`, props.resources, ephemeralStorage(volumes)),
        // Restricted, unless a store cannot work so and the user opted in (Cinder's allowPrivilegedAttach).
        securityContext: store.securityContext ?? RESTRICTED_CONTAINER_SECURITY,
        volumeMounts: mounts,
        startupProbe: healthcheck({ periodSeconds: 10, failureThreshold: 30 }),
        readinessProbe: healthcheck({ periodSeconds: 10, failureThreshold: 3 }),
        livenessProbe: healthcheck({ periodSeconds: 30, failureThreshold: 3 }),
      }],
    };
  }

  private claimTemplates(common: ResolvedCommonProps): k8s.KubePersistentVolumeClaimProps[] {
    const templates: k8s.KubePersistentVolumeClaimProps[] = [];
    if (!common.storage.external) {
      templates.push({
        metadata: { name: 'glance', labels: { 'app.kubernetes.io/component': 'glance-state' } },
        spec: {
          accessModes: [common.storage.accessMode ?? StorageAccessMode.READ_WRITE_ONCE],
          storageClassName: common.storage.storageClass,
          resources: { requests: { storage: k8s.Quantity.fromString(common.stagingSize) } },
        },
      });
    }
    if (this.cache) templates.push(this.cache.claimTemplate);
    return templates;
  }
}

/**
 * Removes the partial files of a glance-api that died while it cached an image (a killed pod, a
 * lost node). Glance takes a file in `incomplete/` as an image being cached, and neither caches
 * nor queues that image on this replica until the cleaner removes the file, a stall time later
 * (a day by default). Before glance-api starts, no process writes there: the cache volume is
 * this replica's alone, and the cache jobs never write to `incomplete/`.
 */
function incompleteCleanup(common: ResolvedCommonProps, cacheMount: k8s.VolumeMount): k8s.Container {
  const incomplete = `${cacheMount.mountPath}/incomplete`;
  return {
    name: 'cache-incomplete-cleanup',
    image: common.image,
    imagePullPolicy: common.imagePullPolicy,
    // find on the cache's root: incomplete/ does not exist before glance-api's first start.
    command: ['find', cacheMount.mountPath, '-path', `${incomplete}/*`, '-type', 'f', '-delete', '-print'],
    resources: {
      requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('16Mi') },
      limits: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('64Mi') },
    },
    securityContext: RESTRICTED_CONTAINER_SECURITY,
    volumeMounts: [cacheMount],
  };
}

/** show_image_direct_url of one StatefulSet (OSSN-0090): see GlanceApiOptions.showImageDirectUrl. */
function imageLocations(scope: Construct, path: string, role: GlanceApiRole, backend: ImageBackend, wanted: boolean | undefined): boolean {
  if (backend._locationsHoldCredentials) {
    // Glance writes the swift and s3 credentials into the image locations of those stores.
    if (wanted === true) {
      throw new GlanceValidationError(`${path}.showImageDirectUrl`, wanted, 'would show image locations, which hold the store credentials with the swift or s3 store',
        'remove it: Glance writes the swift user and key, or the S3 access and secret keys, into every image location of those stores');
    }
    return false;
  }
  if (role === GlanceApiRole.EXTERNAL) {
    if (wanted === true) {
      throw new GlanceValidationError(`${path}.showImageDirectUrl`, wanted, 'would show image locations on the public endpoint (OSSN-0090)',
        'remove it: the internal API of a SPLIT pair shows them to Nova and Cinder');
    }
    return false;
  }
  if (role === GlanceApiRole.SINGLE) {
    if (wanted === undefined && backend._locationsServeClones) {
      warnOnce(scope, 'CDK8S_GLANCE_OSSN_0090', path, `cdk8s-glance: ${path} is a SINGLE API on the rbd store, which also serves the public endpoint, so it does not show image locations `
        + '(show_image_direct_url, OSSN-0090) and Nova and Cinder cannot clone its images in Ceph. Use type SPLIT (the rbd default) for clones, '
        + `or set ${path}.showImageDirectUrl to true (every user then sees image locations) or false (no clones) to decide it.`);
    }
    return wanted ?? false;
  }
  return wanted ?? backend._locationsServeClones;
}

function healthcheck(timing: { periodSeconds: number; failureThreshold: number }): k8s.Probe {
  return { httpGet: { path: '/healthcheck', port: k8s.IntOrString.fromNumber(API_PORT) }, timeoutSeconds: 5, ...timing };
}

/** Checks an endpoint Service's options. */
function endpointServiceOptions(prop: string, options: EndpointServiceOptions | undefined): EndpointServiceOptions {
  if (options === undefined || options === null) return {};
  checkServiceType(`${prop}.serviceType`, options.serviceType);
  for (const [field, map] of [['annotations', options.annotations], ['labels', options.labels]] as const) {
    for (const [key, value] of Object.entries(map ?? {})) {
      if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(key) || typeof value !== 'string'
        || (field === 'labels' && !/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/.test(value))) {
        throw new GlanceValidationError(`${prop}.${field}.${key}`, value, `is not a valid ${field === 'labels' ? 'label' : 'annotation'}`,
          'use a qualified key ("[prefix/]name") and a string value (labels: 63 characters of letters, digits, "-", "_", ".")');
      }
    }
  }
  return options;
}

/** The Multus annotation for extra networks, when there are any. */
function networkAnnotation(prop: string, networks: string[] | undefined): Record<string, string> {
  if (networks === undefined || networks === null) return {};
  if (!Array.isArray(networks)) throw new GlanceValidationError(prop, networks, 'is not a list of network names', 'give e.g. ["storage"]');
  networks.forEach((network, i) => {
    if (typeof network !== 'string' || !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(network) || network.length > 253) {
      throw new GlanceValidationError(`${prop}[${i}]`, network, 'is not a NetworkAttachmentDefinition name', 'give "<name>" or "<namespace>/<name>" in DNS-1123 form');
    }
  });
  return networks.length ? { 'k8s.v1.cni.cncf.io/networks': networks.join(',') } : {};
}

/**
 * The API container's ephemeral storage, requested and limited: its emptyDirs on the node's disk at
 * their sizeLimits (/tmp, and staging when storage.external) and LOG_ALLOWANCE for its logs. The
 * scheduler then places a replica only where that much disk is free, and the kubelet evicts the
 * pod, not its neighbours, when it writes more.
 */
function ephemeralStorage(volumes: k8s.Volume[]): string {
  const bytes = volumes.reduce((sum, volume) => {
    const dir = volume.emptyDir;
    return dir && dir.medium !== 'Memory' && dir.sizeLimit ? sum + ceilFraction(parseQuantity(String(dir.sizeLimit.value))!) : sum;
  }, LOG_ALLOWANCE_MIB * MIB);
  return `${(bytes + MIB - 1n) / MIB}Mi`;
}

const MIB = 1024n * 1024n;
/** What the container's logs and writable layer may take on the node's disk. */
const LOG_ALLOWANCE_MIB = 512n;

function apiResources(prop: string, given: ContainerResources | undefined, ephemeral: string): k8s.ResourceRequirements {
  // null as well as undefined: JavaScript and YAML callers pass it.
  const resources = given ?? {};
  const wanted = {
    requests: { cpu: resources.cpuRequest ?? '500m', memory: resources.memoryRequest ?? '512Mi' },
    limits: { memory: resources.memoryLimit ?? '2Gi', ...(resources.cpuLimit ? { cpu: resources.cpuLimit } : {}) },
  };
  const storage = { 'ephemeral-storage': k8s.Quantity.fromString(ephemeral) };
  const toQuantities = (group: 'requests' | 'limits') => Object.fromEntries(Object.entries(wanted[group]).map(([kind, value]) => {
    validateResourceQuantity(`${prop}.${kind}${group === 'requests' ? 'Request' : 'Limit'}`, value);
    return [kind, k8s.Quantity.fromString(value)];
  }));
  return { requests: { ...toQuantities('requests'), ...storage }, limits: { ...toQuantities('limits'), ...storage } };
}
