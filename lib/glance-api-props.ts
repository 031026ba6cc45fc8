import * as kplus from 'cdk8s-plus-28';
import { ImageCacheOptions } from './cache/cache-options';
import type { ImageBackend } from './image-backend';
import { GlanceApiTlsOptions } from './tls/options';

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
   * Secrets of oslo.config text for this API, in place of the Glance-level configSecrets (as an
   * API's customServiceConfigSecrets replace the top-level ones in the glance-operator); `[]` for none.
   * @default - the Glance-level configSecrets
   */
  readonly configSecrets?: string[];
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
   * Convert the images imported through this API to raw: Glance's `image_conversion` import plugin
   * (`[image_import_opts] image_import_plugins`, `[image_conversion] output_format = raw`), run with
   * qemu-img in the API pod. Ceph clones only raw images copy-on-write: a qcow2 image would be
   * copied whole for every instance or volume made from it. The conversion writes the raw image
   * beside the upload on the staging volume, so an import needs room for both (its virtual size).
   * Plain uploads (`glance image-create --file`) are not imports and stay as they are.
   * @default - true for the EXTERNAL StatefulSet of a deployment with an rbd store (as the glance-operator enables it), false otherwise
   */
  readonly imageConversion?: boolean;
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
  /**
   * The certificates of the API's endpoints: Secrets you bring, as the glance-operator's
   * `tls.api` names them. Each StatefulSet serves HTTPS on all its endpoints or on none.
   * @default - Certificates from the deployment's tls.issuer; without one, plain HTTP
   */
  readonly tls?: GlanceApiTlsOptions;
  /**
   * The timing of glance-api's probes, as the glance-operator's override.probes sets it. Each
   * probe is GET /healthcheck on the API's port (through the TLS terminator with HTTPS): only
   * when and how often is yours to set; a value not given keeps the library's.
   * @default - startup every 10 s until 30 failures; readiness every 10 s, liveness every 30 s, each
   * until 3 failures; a 5 s timeout, no initial delay
   */
  readonly probes?: ApiProbesOptions;
  /**
   * This API's own image store(s), in place of the deployment's `backend` for its StatefulSets: the
   * distributed (DCN) layout, where each edge site's API serves its own Ceph cluster and the central
   * one (`ImageBackend.multi`), and the central API serves them all. Glance records each image
   * location by store name, so a store keeps its name on every API that serves it. A file store
   * stays the deployment's (its shared claim is the deployment's).
   * @default - the deployment's backend
   */
  readonly backend?: ImageBackend;
  /**
   * How the replicas spread over zones or nodes, as a Topology resource of the glance-operator gives
   * them (its topologyRef). A constraint without a labelSelector counts this StatefulSet's pods.
   * @default - none
   */
  readonly topologySpreadConstraints?: TopologySpreadOptions[];
  /**
   * The replicas' affinity, in place of the library's (a preference for a node of their own per
   * replica); `{}` for none, as a Topology resource without affinity leaves the operator's pods.
   * @default - each replica prefers a node without another replica of its StatefulSet
   */
  readonly affinity?: { [key: string]: any };
}

/**
 * How the replicas spread over a topology domain: a core/v1 TopologySpreadConstraint, its fields
 * as Kubernetes names them.
 */
export interface TopologySpreadOptions {
  /** How far the replica counts of two domains may differ. */
  readonly maxSkew: number;
  /** The node label whose values are the domains, such as "topology.kubernetes.io/zone". */
  readonly topologyKey: string;
  /** "DoNotSchedule" or "ScheduleAnyway". */
  readonly whenUnsatisfiable: string;
  /**
   * The pods counted: a core/v1 LabelSelector (matchLabels, matchExpressions).
   * @default - the StatefulSet's own pods
   */
  readonly labelSelector?: { [key: string]: any };
  /** @default - Kubernetes' (1) */
  readonly minDomains?: number;
  /** @default - none */
  readonly matchLabelKeys?: string[];
  /** @default - Kubernetes' (Honor) */
  readonly nodeAffinityPolicy?: string;
  /** @default - Kubernetes' (Ignore) */
  readonly nodeTaintsPolicy?: string;
}

/** The timing of glance-api's startup, readiness and liveness probes. */
export interface ApiProbesOptions {
  /** @default - every 30 s, 3 failures, a 5 s timeout */
  readonly liveness?: ProbeTimingOptions;
  /** @default - every 10 s, 3 failures, a 5 s timeout */
  readonly readiness?: ProbeTimingOptions;
  /** @default - every 10 s, 30 failures (5 minutes to start), a 5 s timeout */
  readonly startup?: ProbeTimingOptions;
}

/** When the kubelet first probes, how often, how long it waits for an answer, and after how many failures it acts. */
export interface ProbeTimingOptions {
  /** @default 0 */
  readonly initialDelaySeconds?: number;
  /** @default - the probe's (ApiProbesOptions) */
  readonly periodSeconds?: number;
  /** @default 5 */
  readonly timeoutSeconds?: number;
  /** @default - the probe's (ApiProbesOptions) */
  readonly failureThreshold?: number;
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
  /** The API's name, as a key of Glance's `apis` would be ("default"). */
  readonly apiName: string;
}

/** CPU and memory for one container, as Kubernetes quantities. */
export interface ContainerResources {
  /** @default - the container's documented default */
  readonly cpuRequest?: string;
  /** @default - no CPU limit (throttling Glance stalls image transfers) */
  readonly cpuLimit?: string;
  /** @default - the container's documented default */
  readonly memoryRequest?: string;
  /** @default - the container's documented default */
  readonly memoryLimit?: string;
}

/** Which Keystone endpoints a Glance API serves. */
export enum GlanceApiType {
  /** One StatefulSet serving both the public and the internal endpoint. */
  SINGLE = 'single',
  /** Only the internal endpoint. */
  INTERNAL = 'internal',
  /** Only the public endpoint. */
  EXTERNAL = 'external',
  /** An edge site's API: only the internal endpoint, for the local compute nodes. */
  EDGE = 'edge',
  /** Two StatefulSets, one internal and one external, with the same settings. */
  SPLIT = 'split',
}

/**
 * The role of one API StatefulSet: which endpoints it serves. A Glance-level GlanceApiType.SPLIT
 * becomes two StatefulSets, INTERNAL and EXTERNAL; SPLIT is no role, so it cannot be asked of one.
 */
export enum GlanceApiRole {
  /** Both the public and the internal endpoint. */
  SINGLE = 'single',
  /** Only the internal endpoint. */
  INTERNAL = 'internal',
  /** Only the public endpoint. */
  EXTERNAL = 'external',
  /** An edge site's API: only the internal endpoint, for the local compute nodes. */
  EDGE = 'edge',
}
