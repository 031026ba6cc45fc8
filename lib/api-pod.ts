import { k8s } from 'cdk8s-plus-28';
import { CacheParts } from './api-host';
import { apiCommand } from './api-serving';
import { StorageAccessMode } from './common-props';
import { ConfigSecretsPodParts } from './config-secrets';
import { GlanceValidationError } from './errors';
import { extraMountParts } from './extra-mounts';
import { ApiProbesOptions, ContainerResources, ProbeTimingOptions, TopologySpreadOptions } from './glance-api-props';
import { credentialEnv } from './keystone/credentials';
import { workerSelfReferenceUrl, API_PORT } from './names';
import { TRANSPORT_URL_ENV } from './notifications';
import { CONFIG_DIR, POLICY_DIR, RESTRICTED_CONTAINER_SECURITY, RESTRICTED_POD_SECURITY, SECRET_MODE, STATE_DIR } from './pod-security';
import { ceilFraction, INT32_MAX, parseQuantity, validateResourceQuantity } from './quantity';
import { ResolvedCommonProps } from './service-config';
import { isObject } from './stores/checks';
import { StorePodParts } from './stores/pod-parts';
import { EndpointTls } from './tls/resolve';
import { terminatorContainer } from './tls/terminator';
import { trustEnv, trustMounts, trustVolumes } from './tls/trust';

/** What the pod of an API StatefulSet is made of, checked when the API is built. */
export interface ApiPodParts {
  readonly common: ResolvedCommonProps;
  readonly statefulSetName: string;
  readonly configSecretName: string;
  readonly selector: Record<string, string>;
  readonly nodeSelector?: { [key: string]: string };
  readonly volumes: k8s.Volume[];
  readonly store: StorePodParts;
  readonly resources: k8s.ResourceRequirements;
  readonly probes: ResolvedProbes;
  /** How its replicas spread, each constraint with a labelSelector. */
  readonly topologySpreadConstraints?: k8s.TopologySpreadConstraint[];
  /** Its affinity, in place of the library's. */
  readonly affinity?: k8s.Affinity;
  /** The certificates of its endpoints, when it serves HTTPS through its TLS terminator. */
  readonly endpoints?: EndpointTls[];
  /** Its configSecrets' volumes and check, when it has any: glance-api then reads its config from their emptyDir. */
  readonly configSecrets?: ConfigSecretsPodParts;
}

/** The API pod's volumes (the store's come with the store's parts). */
export function apiVolumes(common: ResolvedCommonProps, configSecretName: string, store: StorePodParts): k8s.Volume[] {
  const volumes: k8s.Volume[] = [
    { name: 'config', secret: { secretName: configSecretName, defaultMode: SECRET_MODE } },
    { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
  ];
  // Staging and tasks live here: always bounded, by the claim or by the emptyDir's sizeLimit.
  if (common.storage.external) volumes.push({ name: 'glance', emptyDir: { sizeLimit: k8s.Quantity.fromString(common.stagingSize) } });
  if (common.policyConfigMap) volumes.push({ name: 'policy', configMap: { name: common.policyConfigMap } });
  volumes.push(...store.volumes, ...trustVolumes(common.tls), ...extraMountParts(common.extraMounts).volumes);
  return volumes;
}

/** The library's mounts of the glance-api container (extraMounts aside): its config, state, cache, policy, store and CA volumes. */
export function libraryMounts(parts: ApiPodParts, cacheMount: k8s.VolumeMount | undefined): k8s.VolumeMount[] {
  const { common, store } = parts;
  const mounts: k8s.VolumeMount[] = [
    parts.configSecrets?.apiConfigMount ?? { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
    { name: 'glance', mountPath: STATE_DIR },
  ];
  if (cacheMount) mounts.push(cacheMount);
  if (common.policyConfigMap) mounts.push({ name: 'policy', mountPath: POLICY_DIR, readOnly: true });
  mounts.push(...store.mounts, ...trustMounts(common.tls));
  return mounts;
}

/** The API's pod spec, with the image cache's mount and init container when the API has a cache. */
export function apiPodSpec(parts: ApiPodParts, cache: CacheParts | undefined): k8s.PodSpec {
  const { common, store } = parts;
  const cacheMount = cache && { name: cache.claimTemplate.metadata!.name!, mountPath: cache.mountPath };
  const mounts = [...libraryMounts(parts, cacheMount), ...extraMountParts(common.extraMounts).mounts];
  const https = parts.endpoints !== undefined;

  const fromSecret = (ref: { name: string; key: string }) => ({ secretKeyRef: { name: ref.name, key: ref.key } });
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    // Only where a store runs the node's own programs, on request (the Cinder store's nodeTools).
    ...(store.hostPID ? { hostPid: true } : {}),
    securityContext: RESTRICTED_POD_SECURITY,
    nodeSelector: parts.nodeSelector,
    affinity: parts.affinity ?? {
      // Spread replicas over nodes so that one node's loss keeps the API up.
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100,
          podAffinityTerm: { labelSelector: { matchLabels: parts.selector }, topologyKey: 'kubernetes.io/hostname' },
        }],
      },
    },
    topologySpreadConstraints: parts.topologySpreadConstraints,
    volumes: [...parts.volumes, ...parts.configSecrets?.volumes ?? []],
    initContainers: initContainers([
      ...cacheMount ? [incompleteCleanup(common, cacheMount)] : [],
      ...parts.configSecrets ? [parts.configSecrets.initContainer] : [],
    ]),
    containers: [{
      name: 'glance-api',
      image: common.image,
      imagePullPolicy: common.imagePullPolicy,
      command: apiCommand(common.release, common.keystoneLimits !== undefined),
      // Behind the TLS terminator, glance-api listens on the pod's loopback address only: the pod's port is the terminator's.
      ports: https ? undefined : [{ name: 'glance-api', containerPort: API_PORT }],
      env: [
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        // oslo.config reads OS_<GROUP>__<OPTION>; each replica names itself for import and centralized_db.
        { name: 'OS_DEFAULT__WORKER_SELF_REFERENCE_URL', value: workerSelfReferenceUrl(parts.statefulSetName, '$(POD_NAME)', https) },
        { name: 'OS_DATABASE__CONNECTION', valueFrom: fromSecret(common.database.connectionSecret) },
        // The service user's password or application credential; with quotas, it also reads the project limits from Keystone.
        ...['keystone_authtoken', ...common.keystoneLimits ? ['oslo_limit'] : []].flatMap((group) =>
          credentialEnv(group, common.storeContext.keystone).map(({ name, secret }) => ({ name, valueFrom: fromSecret(secret) }))),
        // notifications: the bus's URL, with its credentials, from its Secret only.
        ...common.notifications ? [{ name: TRANSPORT_URL_ENV, valueFrom: fromSecret(common.notifications.transportUrlSecret) }] : [],
        // The stores' credentials, OS_<STORE>__<OPTION> from their Secrets.
        ...store.env ?? [],
        ...trustEnv(common.tls),
      ],
      resources: parts.resources,
      // Restricted, unless a store cannot work so and the user opted in (Cinder's allowPrivilegedAttach).
      securityContext: store.securityContext ?? RESTRICTED_CONTAINER_SECURITY,
      volumeMounts: mounts,
      // Through the terminator with TLS: the kubelet does not verify the certificate, and the probe sees what clients see.
      startupProbe: healthcheck(https, parts.probes.startup),
      readinessProbe: healthcheck(https, parts.probes.readiness),
      livenessProbe: healthcheck(https, parts.probes.liveness),
    }, ...(parts.endpoints ? [terminatorContainer(common.tls, common.imagePullPolicy, parts.endpoints)] : [])],
  };
}

/** The StatefulSet's claim templates: the state volume (unless storage.external) and the cache's. */
export function apiClaimTemplates(common: ResolvedCommonProps, cache: CacheParts | undefined): k8s.KubePersistentVolumeClaimProps[] {
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
  if (cache) templates.push(cache.claimTemplate);
  return templates;
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

/** None is left out, as before init containers could come from more than the cache. */
const initContainers = (containers: k8s.Container[]) => (containers.length ? containers : undefined);

function healthcheck(https: boolean, timing: Required<ProbeTimingOptions>): k8s.Probe {
  const httpGet = { path: '/healthcheck', port: k8s.IntOrString.fromNumber(API_PORT), ...(https ? { scheme: 'HTTPS' } : {}) };
  const { initialDelaySeconds, ...rest } = timing;
  // 0, the API server's default, is left out: the output stays as it was before the timing became a prop.
  return { httpGet, ...(initialDelaySeconds ? { initialDelaySeconds } : {}), ...rest };
}

type ResolvedProbes = Record<keyof ApiProbesOptions, Required<ProbeTimingOptions>>;

/**
 * The API's spread constraints, checked where the API server would refuse them, each without a
 * labelSelector given this StatefulSet's (as infra-operator's EnsureTopologyRef does).
 */
export function resolveSpread(prop: string, given: TopologySpreadOptions[] | undefined, selector: Record<string, string>)
  : k8s.TopologySpreadConstraint[] | undefined {
  if (given === undefined) return undefined;
  if (!Array.isArray(given)) {
    throw new GlanceValidationError(prop, given, 'is not a list',
      'give e.g. [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" }]');
  }
  return given.map((constraint, i) => {
    const at = `${prop}[${i}]`;
    if (!isObject(constraint)) throw new GlanceValidationError(at, constraint, 'is not an object', 'give maxSkew, topologyKey and whenUnsatisfiable');
    if (!Number.isInteger(constraint.maxSkew) || constraint.maxSkew < 1) {
      throw new GlanceValidationError(`${at}.maxSkew`, constraint.maxSkew, 'is not a whole number of 1 or more', 'use e.g. 1');
    }
    if (typeof constraint.topologyKey !== 'string' || constraint.topologyKey === '') {
      throw new GlanceValidationError(`${at}.topologyKey`, constraint.topologyKey, 'is not a node label key',
        'use e.g. "topology.kubernetes.io/zone"');
    }
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(constraint.whenUnsatisfiable)) {
      throw new GlanceValidationError(`${at}.whenUnsatisfiable`, constraint.whenUnsatisfiable, 'is not DoNotSchedule or ScheduleAnyway',
        'use one of them');
    }
    // The fields are core/v1's, and the schema tests check the whole object.
    return { ...constraint, labelSelector: (constraint.labelSelector as k8s.LabelSelector | undefined) ?? { matchLabels: selector } };
  });
}

/** An affinity given in place of the library's: an object, as the API server takes it. */
export function checkAffinity(prop: string, given: { [key: string]: any } | undefined): void {
  if (given !== undefined && !isObject(given)) {
    throw new GlanceValidationError(prop, given, 'is not an object', 'give e.g. { nodeAffinity: { ... } }, or {} for none');
  }
}

/** The library's probe timing: a startup that may take 5 minutes (a first db-sync, a slow volume), then a check every 10 s. */
const DEFAULT_PROBES: ResolvedProbes = {
  startup: { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 30 },
  readiness: { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
  liveness: { initialDelaySeconds: 0, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
};

/** The API's probes: each value given, checked as the API server checks it, over the library's. */
export function resolveProbes(prop: string, given: ApiProbesOptions | undefined): ResolvedProbes {
  if (given === undefined) return DEFAULT_PROBES;
  if (!isObject(given)) throw new GlanceValidationError(prop, given, 'is not an object', 'give e.g. { liveness: { periodSeconds: 20 } }');
  const resolved = {} as Record<keyof ApiProbesOptions, Required<ProbeTimingOptions>>;
  for (const probe of Object.keys(DEFAULT_PROBES) as Array<keyof ApiProbesOptions>) {
    const timing = given[probe] ?? {};
    if (!isObject(timing)) {
      throw new GlanceValidationError(`${prop}.${probe}`, timing, 'is not an object', 'give e.g. { periodSeconds: 20, failureThreshold: 6 }');
    }
    const merged = { ...DEFAULT_PROBES[probe] };
    for (const field of Object.keys(merged) as Array<keyof ProbeTimingOptions>) {
      const value = timing[field];
      if (value === undefined) continue;
      const minimum = field === 'initialDelaySeconds' ? 0 : 1;
      if (!Number.isInteger(value) || value < minimum || value > INT32_MAX) {
        throw new GlanceValidationError(`${prop}.${probe}.${field}`, value, `is not a whole number of ${minimum} or more`,
          `use e.g. ${DEFAULT_PROBES[probe][field] || 10}`);
      }
      merged[field] = value;
    }
    resolved[probe] = merged;
  }
  return resolved;
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
    return dir?.sizeLimit ? sum + ceilFraction(parseQuantity(String(dir.sizeLimit.value))!) : sum;
  }, LOG_ALLOWANCE_MIB * MIB);
  return `${(bytes + MIB - 1n) / MIB}Mi`;
}

const MIB = 1024n * 1024n;
/** What the container's logs and writable layer may take on the node's disk. */
const LOG_ALLOWANCE_MIB = 512n;

/** The glance-api container's resources, checked, with the ephemeral storage its volumes need. */
export function apiResources(prop: string, given: ContainerResources | undefined, volumes: k8s.Volume[]): k8s.ResourceRequirements {
  // null as well as undefined: JavaScript and YAML callers pass it.
  const resources = given ?? {};
  const wanted = {
    requests: { cpu: resources.cpuRequest ?? '500m', memory: resources.memoryRequest ?? '512Mi' },
    limits: { memory: resources.memoryLimit ?? '2Gi', ...(resources.cpuLimit ? { cpu: resources.cpuLimit } : {}) },
  };
  const storage = { 'ephemeral-storage': k8s.Quantity.fromString(ephemeralStorage(volumes)) };
  const toQuantities = (group: 'requests' | 'limits') => Object.fromEntries(Object.entries(wanted[group]).map(([kind, value]) => {
    validateResourceQuantity(`${prop}.${kind}${group === 'requests' ? 'Request' : 'Limit'}`, value);
    return [kind, k8s.Quantity.fromString(value)];
  }));
  return { requests: { ...toQuantities('requests'), ...storage }, limits: { ...toQuantities('limits'), ...storage } };
}

/** The Multus annotation for extra networks, when there are any. */
export function networkAnnotation(prop: string, networks: string[] | undefined): Record<string, string> {
  if (networks === undefined || networks === null) return {};
  if (!Array.isArray(networks)) throw new GlanceValidationError(prop, networks, 'is not a list of network names', 'give e.g. ["storage"]');
  networks.forEach((network, i) => {
    if (typeof network !== 'string' || !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(network)
      || network.length > 253) {
      throw new GlanceValidationError(`${prop}[${i}]`, network, 'is not a NetworkAttachmentDefinition name',
        'give "<name>" or "<namespace>/<name>" in DNS-1123 form');
    }
  });
  return networks.length ? { 'k8s.v1.cni.cncf.io/networks': networks.join(',') } : {};
}
