/**
 * What the operators deploy for a Glance CR or an OpenStackControlPlane, written from their code
 * (not through the library), for the operator-corpus test: the glance-operator's webhook
 * (api/v1beta1/glance_webhook.go Default), its Glance controller (glance_controller.go
 * apiDeploymentCreateOrUpdate: each GlanceAPI's spec and inheritance), its GlanceAPI controller
 * (glanceapi_controller.go: Services, registration, cache CronJobs; glanceapi/statefulset.go and
 * glance/pvc.go: StatefulSet, claims, node selection), and openstack-operator's ReconcileGlance
 * (internal/openstack/glance.go: what a control plane passes down; common.go EnsureEndpointConfig:
 * Routes and TLS).
 */

/** One endpoint Service of a GlanceAPI. */
export interface OperatorEndpoint {
  readonly which: 'internal' | 'public';
  /** glanceapi_controller reconcileInit: glance.ServiceName ("glance") - <api> - <endpoint>. */
  readonly service: string;
  /** The override's spec.type, else ClusterIP. */
  readonly type: string;
  /** The Secret of its certificate, when it serves HTTPS. */
  readonly certSecret?: string;
}

/** One GlanceAPI: its StatefulSet and what hangs off it. */
export interface OperatorApi {
  readonly api: string;
  readonly type: 'single' | 'internal' | 'external' | 'edge';
  readonly statefulSet: string;
  readonly replicas: number;
  /** The claim "glance" (glance/pvc.go PvcLocal), unless storage.external. */
  readonly staging?: { readonly size: string; readonly storageClass?: string };
  /** The claim "glance-cache" and its CronJobs (<sts>-<N>-pruner, -cleaner), when imageCache.size is set. */
  readonly cache?: { readonly size: string; readonly storageClass?: string; readonly prunerSchedule: string; readonly cleanerSchedule: string };
  /**
   * Where glance-api mounts each claim template (glance/pvc.go names them "glance" and "glance-cache";
   * volumes.go mounts them at /var/lib/glance and glance.ImageCacheDir): a replica's claims are
   * <template>-<statefulSet>-<N>, so what a migration keeps is these names and places.
   */
  readonly claimMounts: Record<string, string>;
  /**
   * Replica 0's worker_self_reference_url (glanceapi/statefulset.go workerSelfReferenceScript:
   * ${URISCHEME,,}://$(hostname).${GLANCE_DOMAIN}:${GLANCE_PORT}, GLANCE_DOMAIN the headless Service's
   * hostname, glance_common.go GetHeadlessService: named as the StatefulSet). The centralized_db cache
   * driver keys each replica's cache records by it.
   */
  readonly workerSelfReferenceUrl: string;
  /**
   * The extraMounts glance-api mounts, by mountPath: "secrets:<names>" (a Secret, or the Secrets a
   * volume projects, joined by +), "configMap:<name>", "nfs:<server>:<path>", else the volume's
   * kind. glance/volumes.go GetVolumes and GetVolumeMounts take each volume whose propagation is
   * empty or names one of statefulset.go's extraVolPropagation (GlanceAPIPropagation: "Glance",
   * "GlanceAPI"; and the API's name): the Glance's own list, then the control plane's, which
   * ReconcileGlance appends.
   */
  readonly extraMounts: Record<string, string>;
  /**
   * Each probe's initialDelaySeconds, timeoutSeconds, periodSeconds and failureThreshold as the
   * pod gets them: glanceapi/statefulset.go CreateProbeSet(..., override.probes,
   * GetDefaultProbesAPI(apiTimeout)) (internal/glance/funcs.go; lib-common probes ProbeConf.Merge:
   * a positive override wins), a 0 becoming the API server's default.
   */
  readonly probes: Record<'liveness' | 'readiness' | 'startup', [number, number, number, number]>;
  readonly nodeSelector?: Record<string, string>;
  /** The CR's resources, which the operator gives the glance-api container as they are. */
  readonly resources?: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
  /** glanceapi_controller.go: an external GlanceAPI converts imports to raw when a store is rbd ([image_conversion] output_format). */
  readonly imageConversion: boolean;
  /**
   * Its stores: enabled_backends of the customServiceConfig it gets (its own where not empty, else
   * the top level's: apiDeploymentCreateOrUpdate), sorted; templates/common/config/00-config.conf's
   * default_backend:file where that says none.
   */
  readonly enabledBackends: string[];
  /**
   * enabled_import_methods of the config it gets, else the template's ([web-download,glance-direct]),
   * sorted, copy-image aside: the library always offers it (admins only, by Glance's policy).
   */
  readonly importMethods: string[];
  /**
   * The Secrets of oslo.config text whose keys end in its 03-config.conf (glanceapi_controller.go
   * generateServiceConfig), in order: its own customServiceConfigSecrets where not empty, else the
   * top level's (glance_controller.go apiDeploymentCreateOrUpdate).
   */
  readonly configSecrets: string[];
  /**
   * With a cinder store among its stores, the pod the glance-operator runs (glanceapi_controller.go
   * reconcileNormal: privileged once a Cinder CR is in the namespace, which the model takes as
   * given): in the node's PID namespace (glanceapi/statefulset.go HostPID), glance-api privileged
   * (privilegedAwareSecurityContext), the node's paths glance/volumes.go mounts for it (hostPath,
   * at the same paths), the programs it runs on the node (run-on-host mounted at each path), and
   * templates/common/config/00-config.conf's [os_brick] lock_path on the node's lock directory.
   */
  readonly nodeAccess?: {
    readonly hostPID: boolean;
    readonly privileged: boolean;
    readonly hostPaths: string[];
    readonly onNode: string[];
    readonly osBrickLockPath?: string;
  };
  readonly endpoints: OperatorEndpoint[];
}

/** glance/volumes.go GetVolumes and GetVolumeMounts with hasCinder: the node's paths, and the programs run through run-on-host. */
const CINDER_NODE_ACCESS = {
  hostPID: true,
  privileged: true,
  hostPaths: ['/etc/iscsi', '/dev', '/lib/modules', '/run', '/sys', '/var/locks/openstack/os-brick', '/etc/nvme'].sort(),
  onNode: ['/usr/sbin/multipath', '/usr/sbin/multipathd', '/usr/sbin/iscsiadm', '/lib/udev/scsi_id', '/usr/sbin/nvme'].sort(),
  osBrickLockPath: '/var/locks/openstack/os-brick',
};

export interface OperatorDeployment {
  readonly glanceName: string;
  readonly namespace: string;
  readonly apis: OperatorApi[];
  /** The keystoneEndpoint API's URLs in the catalog; "Route" where openstack-operator registers its Route's. */
  readonly registration: { readonly internalUrl: string; readonly publicUrl: string | 'Route' };
  /** ensureRegisteredLimits: all four once any is above 0, sorted by name. */
  readonly limits?: string;
  readonly applicationCredentialSecret?: string;
  /**
   * Notifications: whether the CR names a bus. The glance-operator at the measured commit makes its
   * TransportURL only for notificationBusInstance, which openstack-operator clears once it has moved
   * the bus to notificationsBus.cluster: the pair then writes driver = noop. The library follows the
   * CRD's documentation of notificationsBus (and openstack-operator's migration) instead: see
   * `noopUpstream`.
   */
  readonly notifications: boolean;
  /** The glance-operator at the measured commit would write driver = noop for this bus (above). */
  readonly noopUpstream: boolean;
  /** [keystone_authtoken] memcached_servers: the Memcached's pods (infra-operator GetServerListString). */
  readonly memcachedServers: string[];
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The API server drops a null in a mapping before it applies defaults. */
function pruned(value: any): any {
  if (Array.isArray(value)) return value.map(pruned);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, pruned(v)]));
}

/** glance/funcs.go GetDefaultProbesAPI, the override merged over it, and the API server's defaults for a 0. */
function probesFor(apiTimeout: number, override: Record<string, any>): OperatorApi['probes'] {
  const period = Math.trunc(apiTimeout * 0.3);
  const timeout = Math.trunc(Math.max(period * 0.8, 5));
  const startupPeriod = Math.trunc(Math.max(5, Math.min(10, period / 2)));
  const defaults = {
    liveness: [5, timeout, period, 3],
    readiness: [5, timeout, period, 3],
    startup: [5, 5, startupPeriod, 12],
  };
  const fields = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'failureThreshold'];
  const apiServer = [0, 1, 10, 3];
  const of = (probe: 'liveness' | 'readiness' | 'startup') => defaults[probe].map((value, i) => {
    const given = override[`${probe}Probes`]?.[fields[i]];
    const merged = given > 0 ? given : value;
    return merged === 0 ? apiServer[i] : merged;
  }) as [number, number, number, number];
  return { liveness: of('liveness'), readiness: of('readiness'), startup: of('startup') };
}

/** What the operators deploy for this resource. */
export function operatorDeployment(input: any): OperatorDeployment {
  const cr = pruned(input);
  const plane = cr.kind === 'OpenStackControlPlane';
  const namespace: string = cr.metadata?.namespace ?? 'openstack';
  // openstack-operator: the Glance CR is serviceName (with uniquePodNames the webhook caches a random one there).
  const glanceName: string = plane ? cr.spec.glance.serviceName || 'glance' : cr.metadata?.name ?? 'glance';
  const template: Record<string, any> = plane ? { ...cr.spec.glance.template } : { ...cr.spec };
  if (plane) {
    // ReconcileGlance: secret and storageClass where "", nodeSelector and topologyRef where nil.
    if (!nonEmpty(template.storage?.storageClass) && cr.spec.storageClass !== undefined) {
      template.storage = { ...template.storage, storageClass: cr.spec.storageClass };
    }
    if (template.nodeSelector === undefined) template.nodeSelector = cr.spec.nodeSelector;
  }
  const storage = template.storage ?? {};
  // Webhook: no storageRequest, no claim.
  const external = storage.external === true || !nonEmpty(String(storage.storageRequest ?? ''));
  const storageClass = nonEmpty(storage.storageClass);
  const apis: Record<string, any> = template.glanceAPIs ?? {};
  const names = Object.keys(apis);
  const keystoneEndpoint: string = template.keystoneEndpoint || (names.length === 1 ? names[0] : '');
  // openstack-operator: pod-level TLS (on by default) gives every endpoint a certificate cert-<glance>-<api>-<endpoint>-svc.
  const podLevel = plane && cr.spec.tls?.podLevel?.enabled !== false;

  // The APIs inherit the top-level customServiceConfig where theirs is empty (apiDeploymentCreateOrUpdate).
  const backendsOf = (text: unknown) => /^\s*enabled_backends\s*=\s*(.*)$/m.exec(String(text ?? ''))?.[1];
  const extraLists = [template.extraMounts, ...(plane ? [cr.spec.extraMounts] : [])].filter(Array.isArray);
  const extraMountsFor = (api: string): Record<string, string> => {
    const mounts: Record<string, string> = {};
    for (const vol of extraLists.flat().flatMap((entry: any) => entry?.extraVol ?? [])) {
      const propagation: string[] = vol.propagation ?? [];
      if (propagation.length && !propagation.some((p) => ['Glance', 'GlanceAPI', api].includes(p))) continue;
      for (const mount of vol.mounts ?? []) {
        const volume = (vol.volumes ?? []).find((v: any) => v.name === mount.name) ?? {};
        const source = volume.secret ? `secrets:${volume.secret.secretName}`
          : volume.projected ? `secrets:${(volume.projected.sources ?? []).map((s: any) => s.secret?.name).join('+')}`
            : volume.configMap ? `configMap:${volume.configMap.name}`
              : volume.nfs ? `nfs:${volume.nfs.server}:${volume.nfs.path}` : Object.keys(volume).filter((k) => k !== 'name').join();
        mounts[String(mount.mountPath).replace(/\/+$/, '')] = source;
      }
    }
    return mounts;
  };
  const deployed: OperatorApi[] = [];
  for (const [name, api] of Object.entries<any>(apis)) {
    const apiType: string = api.type ?? 'split';
    const halves = apiType === 'split' ? ['internal', 'external'] : [apiType];
    // apiDeploymentCreateOrUpdate: the API's cache size, else the top level's; the API's own schedules (webhook defaults).
    const effective = nonEmpty(api.customServiceConfig) ?? template.customServiceConfig;
    const configured = backendsOf(effective);
    const methods = /^\s*enabled_import_methods\s*=\s*(.*)$/m.exec(String(effective ?? ''))?.[1] ?? '[web-download,glance-direct]';
    const importMethods = methods.replace(/[[\]\s]/g, '').split(',').filter((m) => m && m !== 'copy-image').sort();
    const backendTypes = (configured ?? '').split(',').map((b) => b.split(':')[1]?.trim());
    // templates/common/config/00-config.conf: enabled_backends=default_backend:file where the config says none.
    const enabledBackends = configured === undefined ? ['default_backend']
      : configured.split(',').map((b) => b.trim().split(':')[0].trim()).filter((b) => b).sort();
    const cacheSize = nonEmpty(String(api.imageCache?.size ?? '')) ?? nonEmpty(String(template.imageCache?.size ?? ''));
    for (const half of halves as OperatorApi['type'][]) {
      const instance = `${glanceName}-${name}-${half}`;
      const serves = half === 'single' ? ['internal', 'public'] as const
        : half === 'external' ? ['public'] as const : ['internal'] as const;
      // glanceapi/statefulset.go: the GlanceAPI's name, and "-api" unless single.
      const statefulSet = half === 'single' ? instance : `${instance}-api`;
      const certOf = (which: 'internal' | 'public') =>
        (podLevel ? `cert-${glanceName}-${name}-${which}-svc` : nonEmpty(api.tls?.api?.[which]?.secretName));
      // statefulset.go: URISCHEME is https when the public endpoint has TLS (internal for internal and edge APIs).
      const https = certOf(half === 'internal' || half === 'edge' ? 'internal' : 'public') !== undefined;
      deployed.push({
        api: name,
        type: half,
        statefulSet,
        replicas: api.replicas ?? 1,
        ...(external ? {} : { staging: { size: String(storage.storageRequest), ...(storageClass ? { storageClass } : {}) } }),
        ...(cacheSize ? {
          cache: {
            size: cacheSize,
            ...(storageClass ? { storageClass } : {}),
            prunerSchedule: api.imageCache?.prunerScheduler || '1 0 * * *',
            cleanerSchedule: api.imageCache?.cleanerScheduler || '*/30 * * * *',
          },
        } : {}),
        claimMounts: {
          ...(external ? {} : { glance: '/var/lib/glance' }),
          ...(cacheSize ? { 'glance-cache': '/var/lib/glance/image-cache' } : {}),
        },
        workerSelfReferenceUrl: `${https ? 'https' : 'http'}://${statefulSet}-0.${statefulSet}.${namespace}.svc:9292`,
        extraMounts: extraMountsFor(name),
        probes: probesFor(api.apiTimeout || template.apiTimeout || 60, api.override?.probes ?? {}),
        ...(api.nodeSelector !== undefined ? { nodeSelector: api.nodeSelector }
          : template.nodeSelector !== undefined ? { nodeSelector: template.nodeSelector } : {}),
        ...(isObject(api.resources) && Object.keys(api.resources).length ? { resources: api.resources } : {}),
        imageConversion: half === 'external' && backendTypes.includes('rbd'),
        enabledBackends,
        importMethods,
        configSecrets: (api.customServiceConfigSecrets?.length ? api.customServiceConfigSecrets : template.customServiceConfigSecrets) ?? [],
        ...(backendTypes.includes('cinder') ? { nodeAccess: CINDER_NODE_ACCESS } : {}),
        endpoints: serves.map((which) => {
          const secret = certOf(which);
          return {
            which,
            service: `glance-${name}-${which}`,
            type: api.override?.service?.[which]?.spec?.type ?? 'ClusterIP',
            ...(secret ? { certSecret: secret } : {}),
          };
        }),
      });
    }
  }

  const registered = apis[keystoneEndpoint] ?? {};
  const url = (which: 'internal' | 'public') => {
    const given = registered.override?.service?.[which]?.endpointURL;
    if (given) return given;
    const https = deployed.some((d) => d.api === keystoneEndpoint && d.endpoints.some((e) => e.which === which && e.certSecret));
    return `${https ? 'https' : 'http'}://glance-${keystoneEndpoint}-${which}.${namespace}.svc:9292`;
  };
  // EnsureEndpointConfig: a control plane's public endpoint is a Route unless its Service is a LoadBalancer.
  const publicIsRoute = plane && !registered.override?.service?.public?.endpointURL
    && registered.override?.service?.public?.spec?.type !== 'LoadBalancer';

  const q = template.quotas ?? {};
  const quota: Record<string, number> = {
    image_count_total: q.imageCountTotal ?? 0,
    image_count_uploading: q.imageCountUpload ?? 0,
    image_size_total: q.imageSizeTotal ?? 0,
    image_stage_total: q.imageStageTotal ?? 0,
  };
  const limits = Object.values(quota).some((v) => Number(v) > 0)
    ? Object.entries(quota).map(([k, v]) => `${k}=${v}`).join(',') : undefined;

  // openstack-operator: both spec.applicationCredential.enabled and spec.glance.applicationCredential.enabled give
  // every API keystone-operator's ac-<glance>-secret; a Glance CR's APIs name their own.
  const ac = plane
    ? (cr.spec.applicationCredential?.enabled === true && cr.spec.glance.applicationCredential?.enabled === true
      ? `ac-${glanceName}-secret` : undefined)
    : Object.values<any>(apis).map((a) => nonEmpty(a?.auth?.applicationCredentialSecret)).find((s) => s);

  const templateBus = nonEmpty(template.notificationsBus?.cluster);
  const instanceBus = nonEmpty(template.notificationBusInstance);
  const planeBus = plane ? nonEmpty(cr.spec.notificationsBus?.cluster) : undefined;
  const notifications = Boolean(templateBus ?? instanceBus ?? planeBus);
  // ReconcileGlance clears notificationBusInstance once notificationsBus.cluster is set; the glance-operator reads only the former.
  const operatorReadsBus = plane ? false : Boolean(instanceBus);

  // infra-operator GetServerListString: <instance>-<N>.<instance>.<namespace>.svc:11211 per replica.
  const memcached = nonEmpty(template.memcachedInstance ?? 'memcached');
  let memcachedReplicas = memcached ? 1 : 0;
  if (plane && memcached) {
    const m = cr.spec.memcached ?? {};
    memcachedReplicas = m.enabled === false ? 0 : m.templates?.[memcached]?.replicas ?? 1;
  }
  const memcachedServers = Array.from({ length: memcachedReplicas }, (_, i) => `${memcached}-${i}.${memcached}.${namespace}.svc:11211`);

  return {
    glanceName,
    namespace,
    apis: deployed.sort((a, b) => (a.statefulSet < b.statefulSet ? -1 : 1)),
    registration: { internalUrl: url('internal'), publicUrl: publicIsRoute ? 'Route' : url('public') },
    ...(limits ? { limits } : {}),
    ...(ac ? { applicationCredentialSecret: ac } : {}),
    notifications,
    noopUpstream: notifications && !operatorReadsBus,
    memcachedServers,
  };
}
