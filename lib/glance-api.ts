import { createHash } from 'crypto';
import { Chart, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ApiSettings, CacheParts, GlanceApiBase, GlanceDeploymentBase } from './api-host';
import {
  apiClaimTemplates, apiPodSpec, apiResources, apiVolumes, checkAffinity, libraryMounts, networkAnnotation, resolveProbes, resolveSpread,
} from './api-pod';
import { apiServerFiles } from './api-serving';
import { cacheClaimName } from './cache/cache-job';
import { ImageCacheOptions } from './cache/cache-options';
import { ImageCache } from './cache/image-cache';
import { ObjectNaming } from './common-props';
import { checkCustomServiceConfig } from './config-guard';
import { checkConfigSecrets, configSecretsFiles, configSecretsPodParts, configSecretsRules } from './config-secrets';
import { GlanceValidationError, locate, warnOnce } from './errors';
import { checkExtraMountPaths } from './extra-mounts';
import { EndpointServiceOptions, GlanceApiProps, GlanceApiRole } from './glance-api-props';
import { baseServiceConfig, renderPolicy } from './glance-conf';
import { ImageBackend } from './image-backend';
import { renderIni } from './ini';
import { LIMITS_STARTER, LIMITS_STARTER_TEXT } from './keystone/quotas';
import { RegisteredService } from './keystone/registration';
import { API_PORT, checkBoolean, checkDerivedName, checkNamePart, checkServiceType, NameKind, replicaCount } from './names';
import { apiNetworkPolicy } from './network-policy';
import { CONFIG_ANCHOR, glanceLabels } from './pod-security';
import { isImageBackend } from './stores/checks';
import { issueCertificates } from './tls/certificates';
import { EndpointTls, endpointsTls } from './tls/resolve';
import { terminatorFiles, terminatorVolumes } from './tls/terminator';

/**
 * One Glance API StatefulSet `<name>-<api>-<type>` with its headless Service of the same name,
 * so that replica N answers at `<sts>-N.<sts>.<namespace>.svc:9292`, plus the endpoint
 * Services, a PodDisruptionBudget, its configuration Secret and, with a cache size, its ImageCache.
 *
 * It belongs to a Glance, whose shared settings (database, Keystone, image, store) it takes:
 * Glance makes one for each entry of `apis`, and `new GlanceApi(glance, 'extra', { apiName: 'extra' })`
 * adds one. An ImageCache added to it at any time, before synthesis, is in its manifests.
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
  /** The StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** @internal */
  public readonly _settings: ApiSettings;
  /**
   * Its store(s): its own backend, or the deployment's.
   * @internal
   */
  public readonly _backend: ImageBackend;
  /** What the image cache pushed, once it has. */
  private cache?: CacheParts;
  private _imageCache?: ImageCache;
  /** Files its children ship in the config Secret (the cache jobs' script). */
  private readonly files: Record<string, string> = {};
  /**
   * The certificates of its endpoints, when it serves HTTPS.
   * @internal
   */
  public readonly _endpointsTls: EndpointTls[];
  /**
   * Its endpoint Services, as Keystone's catalog lists them.
   * @internal
   */
  public readonly _endpointServices: RegisteredService[];
  /** The kinds of cache job it has. */
  private readonly cacheJobs = new Set<string>();
  /** Renders the config files with what the children pushed so far. */
  private readonly renderFiles: () => Record<string, string>;

  constructor(scope: Construct, id: string, props: GlanceApiProps) {
    super(scope, id);
    try {
      const deployment = GlanceDeploymentBase._of(this);
      if (!deployment) {
        throw new GlanceValidationError('GlanceApi', this.node.path, 'is not inside a Glance, whose database, Keystone, image and store it takes',
          'create it inside one, new GlanceApi(glance, "extra", { apiName: "extra" }), or list it in Glance\'s apis');
      }
      const common = deployment._common;
      const path = `apis.${props.apiName}`;
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
      const backend = apiBackend(path, props.backend, common.backend);
      checkAffinity(`${path}.affinity`, props.affinity);
      this._backend = backend;
      // With stores of its own, neither its config nor the deployment's (which it also reads) may set their options.
      const managed = backend === common.backend ? common.managedOptions : { ...common.managedOptions, ...backend._managedOptions() };
      if (backend !== common.backend && common.customServiceConfig !== undefined) {
        checkCustomServiceConfig('customServiceConfig', common.customServiceConfig, managed, common.customServiceConfigSubstitution);
      }
      if (props.customServiceConfig !== undefined) {
        checkCustomServiceConfig(`${path}.customServiceConfig`, props.customServiceConfig, managed, common.customServiceConfigSubstitution);
      }
      backend._checkApi(path, this.replicas, common.storage.external ?? false);
      // The API's own Secrets replace the deployment's; the pod checks their text with this API's rules.
      const ownSecrets = checkConfigSecrets(`${path}.configSecrets`, props.configSecrets);
      const configSecrets = ownSecrets ?? common.configSecrets ?? [];
      const secretsProp = ownSecrets ? `${path}.configSecrets` : 'configSecrets';
      const required = backend._fromConfigSecrets();
      if (Object.keys(required).length && !configSecrets.length) {
        throw new GlanceValidationError(secretsProp, configSecrets, `lists no Secret, and ${path}'s store takes `
          + `${Object.keys(required).map((o) => `[${o.replace('.', '] ')}`).join(', ')} from them (${Object.values(required)[0]})`,
        'list the Secret(s) of oslo.config text that set them');
      }
      const secretsRules = configSecrets.length ? configSecretsRules(secretsProp, configSecrets, managed,
        common.customServiceConfigSubstitution, required) : undefined;

      const { statefulSet: sts, internal: internalName, public: publicName } = apiObjectNames(common.naming, common.name, props.apiName, role);
      this.statefulSetName = sts;
      this.configSecretName = `${sts}-config`;
      // Its config Secret (the name and "-config") is within the 63 characters of an object.
      checkDerivedName(path, sts, NameKind.STATEFUL_SET, 'StatefulSet');
      const serves = {
        internal: role !== GlanceApiRole.EXTERNAL,
        public: role === GlanceApiRole.SINGLE || role === GlanceApiRole.EXTERNAL,
      };
      this.endpointServiceNames = [...(serves.internal ? [internalName] : []), ...(serves.public ? [publicName] : [])];
      // The headless Service's name, then the endpoint Services'.
      for (const name of [sts, ...this.endpointServiceNames]) checkDerivedName(path, name, NameKind.SERVICE, 'Service');
      const endpoints = endpointsTls({
        path,
        statefulSetName: sts,
        certificateBase: `${common.name}-${props.apiName}`,
        namespace: Chart.of(this).namespace,
        services: { ...(serves.internal ? { internal: internalName } : {}), ...(serves.public ? { public: publicName } : {}) },
      }, common.tls, props.tls);
      this._endpointsTls = endpoints ?? [];
      this._endpointServices = (['internal', 'public'] as const).filter((which) => serves[which]).map((which) => ({
        which, serviceName: which === 'internal' ? internalName : publicName, https: this._endpointsTls.some((e) => e.which === which),
      }));
      if (serves.public && !endpoints && !common.behindTlsProxy) {
        warnOnce(this, 'CDK8S_GLANCE_PLAIN_HTTP', 'app', `cdk8s-glance: ${path} serves its public endpoint over plain HTTP: tokens and image data `
          + 'cross the network in clear. Give it a certificate (tls.issuer, or tls.publicSecretName in the API\'s tls), or set behindTlsProxy when '
          + 'a proxy in front of it terminates TLS (README, "TLS").');
      }

      this._settings = {
        image: common.image,
        imagePullPolicy: common.imagePullPolicy,
        release: common.release,
        databaseConnection: common.database.connectionSecret,
        keystonePassword: common.keystone.passwordSecret,
        keystoneApplicationCredentialSecret: common.keystone.applicationCredentialSecret,
        networkPolicies: common.networkPolicy?.enabled ?? true,
        propPath: path,
        https: endpoints !== undefined,
        tls: common.tls,
      };
      // The cache pushes its options, policy, files and claim template in through _addCache.
      const imageCache = inheritImageCache(deployment._imageCache, props.imageCache);
      if (imageCache?.size !== undefined) new ImageCache(this, 'image-cache', imageCache);
      const showImageDirectUrl = imageLocations(this, path, role, backend, props.showImageDirectUrl);
      // The glance-operator converts on an external API with Ceph (glanceapi_controller.go: ImageConversion).
      const imageConversion = props.imageConversion ?? (backend._convertsImports && role === GlanceApiRole.EXTERNAL);
      checkBoolean(`${path}.imageConversion`, imageConversion);
      // Rendered when the manifests are: the cache's options and its jobs' files may come later.
      this.renderFiles = () => {
        const files: Record<string, string> = {
          '00-glance.conf': renderIni(baseServiceConfig(common,
            { workers, cacheOptions: this.cache?.options, showImageDirectUrl, https: this._settings.https, imageConversion, backend })),
          [CONFIG_ANCHOR.name]: CONFIG_ANCHOR.text,
          'policy.yaml': renderPolicy(this.cache?.policyRules ?? {}),
          ...apiServerFiles(common.release, workers, this._settings.https),
          ...(common.keystoneLimits ? { [LIMITS_STARTER]: LIMITS_STARTER_TEXT } : {}),
          ...this.files,
          ...(endpoints ? terminatorFiles(sts, endpoints) : {}),
          ...(secretsRules ? configSecretsFiles(secretsRules) : {}),
        };
        // Stryker disable next-line ConditionalExpression: cdk8s leaves an undefined value out of stringData, and JSON out of the hash
        if (common.customServiceConfig) files['50-custom.conf'] = common.customServiceConfig;
        // Stryker disable next-line ConditionalExpression: as above
        if (props.customServiceConfig) files[`60-${props.apiName}-custom.conf`] = props.customServiceConfig;
        return files;
      };
      new k8s.KubeSecret(this, 'config', {
        metadata: { name: this.configSecretName, labels: glanceLabels() },
        immutable: false,
        stringData: Lazy.any({ produce: () => this.renderFiles() }),
      });
      const configHash = Lazy.any({ produce: () => createHash('sha256').update(JSON.stringify(this.renderFiles())).digest('hex') });

      const selector = { 'app.kubernetes.io/name': 'glance', 'glance.openstack.org/statefulset': sts };
      const labels = { ...selector, 'app.kubernetes.io/instance': common.name, 'app.kubernetes.io/component': `api-${role}` };
      this.services(path, props, labels, selector, serves, { internal: internalName, public: publicName });

      issueCertificates(this, this._endpointsTls, common.tls.validity);
      const store = backend._podParts(common.storeContext);
      const volumes = apiVolumes(common, this.configSecretName, store);
      const pod = {
        common,
        statefulSetName: sts,
        configSecretName: this.configSecretName,
        selector,
        nodeSelector: props.nodeSelector,
        // The terminator's volumes are its own: they add nothing to glance-api's ephemeral storage.
        volumes: [...volumes, ...terminatorVolumes(this._endpointsTls)],
        store,
        resources: apiResources(`${path}.resources`, props.resources, volumes),
        probes: resolveProbes(`${path}.probes`, props.probes),
        topologySpreadConstraints: resolveSpread(`${path}.topologySpreadConstraints`, props.topologySpreadConstraints, selector),
        affinity: props.affinity,
        endpoints,
        configSecrets: secretsRules && configSecretsPodParts(secretsRules.secrets, common.image, common.imagePullPolicy),
      };
      checkExtraMountPaths('extraMounts', common.extraMounts, libraryMounts(pod, undefined));
      const annotations = {
        'glance.openstack.org/config-hash': configHash,
        ...networkAnnotation(`${path}.networkAttachments`, props.networkAttachments),
      };
      this.statefulSet = new k8s.KubeStatefulSet(this, 'statefulset', {
        metadata: { name: sts, labels },
        spec: {
          serviceName: sts,
          replicas: this.replicas,
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: selector },
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          template: {
            metadata: { labels, annotations },
            spec: Lazy.any({ produce: () => apiPodSpec(pod, this.cache) }),
          },
          volumeClaimTemplates: Lazy.any({ produce: () => apiClaimTemplates(common, this.cache) }),
        },
      });

      new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: { name: sts, labels },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
      });

      if (this._settings.networkPolicies) {
        new k8s.KubeNetworkPolicy(this, 'network-policy', apiNetworkPolicy(this, sts, role, labels, selector, common.networkPolicy));
      }
      deployment._addApi(this, props.apiName);
      deployment._objectsAdded();
    } catch (e) {
      throw locate(e, this);
    }
  }

  /** The image cache, once the API has one (from its props or an ImageCache added to it). */
  public get imageCache(): ImageCache | undefined {
    return this._imageCache;
  }

  /** @internal */
  public _addCache(parts: CacheParts, cache: ImageCache): void {
    if (this.cache) {
      throw new GlanceValidationError(`${this._settings.propPath}.imageCache`, 'a second ImageCache', 'is added to an API that has one',
        'give the API one cache: set its options in imageCache, or add one ImageCache to an API without imageCache.size');
    }
    this.cache = parts;
    this._imageCache = cache;
  }

  /** @internal */
  public _addConfigFile(name: string, text: string): void {
    // The pruner and cleaner ship the same script: one copy.
    this.files[name] = text;
  }

  /** @internal */
  public _addCacheJob(kind: string): void {
    const cache = `${this._settings.propPath}.imageCache`;
    if (!this.cache) {
      throw new GlanceValidationError(cache, undefined, `has no image cache for a ${kind} to work on`,
        'add an ImageCache to the API (new ImageCache(api, "cache", { size: "10Gi" })): it makes the API\'s pruner and cleaner itself');
    }
    if (this.cacheJobs.has(kind)) {
      throw new GlanceValidationError(cache, kind, `already has a ${kind}, made by its ImageCache`,
        `set its schedule in the image cache's options (${kind}Schedule) instead of adding a second one`);
    }
    this.cacheJobs.add(kind);
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

  /** The headless Service and the endpoint Services. */
  private services(path: string, props: GlanceApiProps, labels: Record<string, string>, selector: Record<string, string>,
    serves: { internal: boolean; public: boolean }, names: { internal: string; public: string }): void {
    const apiPods = kplus.Pods.select(this, 'pods', { labels: selector });
    const port = { name: 'glance-api', port: API_PORT, targetPort: API_PORT };
    // Headless: gives every replica its own DNS name, even before it is ready, for cache commands.
    new kplus.Service(this, 'headless', {
      metadata: { name: this.statefulSetName, labels },
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: apiPods,
      ports: [port],
    });
    const endpoint = (which: 'internal' | 'public', defaultType?: kplus.ServiceType) => {
      const own = endpointServiceOptions(`${path}.endpointServices.${which}Service`, props.endpointServices?.[`${which}Service`]);
      if (own.serviceType !== undefined && defaultType !== undefined) {
        throw new GlanceValidationError(`${path}.endpointServices.publicService.serviceType`, own.serviceType, 'is set, and so is publicServiceType',
          'set one of them');
      }
      new kplus.Service(this, which, {
        metadata: {
          name: names[which],
          labels: { ...own.labels, ...labels, 'glance.openstack.org/endpoint': which },
          ...(own.annotations ? { annotations: own.annotations } : {}),
        },
        type: own.serviceType ?? defaultType ?? kplus.ServiceType.CLUSTER_IP,
        selector: apiPods,
        ports: [port],
      });
    };
    if (serves.internal) endpoint('internal');
    if (serves.public) endpoint('public', checkServiceType(`${path}.publicServiceType`, props.publicServiceType));
  }
}

/** The names of an API's StatefulSet (and headless Service) and endpoint Services, by the naming scheme. */
function apiObjectNames(naming: ObjectNaming, name: string, apiName: string, role: GlanceApiRole)
  : { statefulSet: string; internal: string; public: string } {
  if (naming === ObjectNaming.GLANCE_OPERATOR) {
    // glance-operator: the GlanceAPI is <glance>-<api>-<type>; its StatefulSet and headless Service add "-api" unless single
    // (glanceapi/statefulset.go, glance_common.go GetHeadlessService); its endpoint Services are glance.ServiceName-<api>-<endpoint>
    // (glanceapi_controller.go reconcileInit).
    const instance = `${name}-${apiName}-${role}`;
    return {
      statefulSet: role === GlanceApiRole.SINGLE ? instance : `${instance}-api`,
      internal: `glance-${apiName}-internal`,
      public: `glance-${apiName}-public`,
    };
  }
  return { statefulSet: `${name}-${apiName}-${role}`, internal: `${name}-${apiName}`, public: `${name}-${apiName}-public` };
}

/** An API's imageCache fields override the Glance-level ones; unset fields inherit. */
function inheritImageCache(top?: ImageCacheOptions, own?: ImageCacheOptions): ImageCacheOptions | undefined {
  if (!own) return top;
  const merged: Record<string, unknown> = { ...top };
  for (const [key, value] of Object.entries(own)) {
    if (value !== undefined) merged[key] = value;
  }
  return merged as ImageCacheOptions;
}

/** The API's own backend, checked as the deployment's is, or the deployment's; a file store stays the deployment's. */
function apiBackend(path: string, own: ImageBackend | undefined, deployment: ImageBackend): ImageBackend {
  if (own === undefined) return deployment;
  if (!isImageBackend(own)) {
    throw new GlanceValidationError(`${path}.backend`, own, 'is not an ImageBackend', 'use ImageBackend.rbd(), swift(), s3(), cinder() or multi()');
  }
  if (own._imageDir !== undefined) {
    throw new GlanceValidationError(`${path}.backend`, 'a file store', 'is not supported as an API\'s own store: its images and shared claim '
      + 'are the deployment\'s', 'give the file store as the deployment\'s backend, or give this API another store (rbd for a DCN site)');
  }
  return own;
}

/** show_image_direct_url of one StatefulSet (OSSN-0090): see GlanceApiOptions.showImageDirectUrl. */
function imageLocations(scope: Construct, path: string, role: GlanceApiRole, backend: ImageBackend, wanted: boolean | undefined): boolean {
  if (backend._locationsHoldCredentials) {
    // Glance writes the swift and s3 credentials into the image locations of those stores.
    if (wanted === true) {
      throw new GlanceValidationError(`${path}.showImageDirectUrl`, wanted,
        'would show image locations, which hold the store credentials with the swift or s3 store',
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
      warnOnce(scope, 'CDK8S_GLANCE_OSSN_0090', path, `cdk8s-glance: ${path} is a SINGLE API on the rbd store, which also serves the public `
        + 'endpoint, so it does not show image locations (show_image_direct_url, OSSN-0090) and Nova and Cinder cannot clone its images in Ceph. '
        + 'Use type SPLIT (the rbd default) for clones, '
        + `or set ${path}.showImageDirectUrl to true (every user then sees image locations) or false (no clones) to decide it.`);
    }
    return wanted ?? false;
  }
  return wanted ?? backend._locationsServeClones;
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

