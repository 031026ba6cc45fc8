import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { GlanceApiBase, GlanceDeploymentBase } from './api-host';
import { ImageCacheOptions } from './cache/cache-options';
import { validateImageCacheOptions } from './cache/image-cache';
import { ObjectNaming } from './common-props';
import { CustomResourceOptions, readCustomResource } from './custom-resource';
import { GlanceDatabase } from './database';
import { GlanceValidationError, locate } from './errors';
import { GlanceApi } from './glance-api';
import { GlanceApiRole, GlanceApiType } from './glance-api-props';
import { GlanceProps } from './glance-props';
import type { ImageBackend } from './image-backend';
import { ApiServices, KeystoneRegistration } from './keystone/registration';
import { checkNamePart, NameRegistry, replicaCount } from './names';
import { resolveCommonProps, ResolvedCommonProps } from './service-config';

/**
 * A complete Glance deployment: the db-sync Job, the db-purge CronJob, a shared image store
 * claim where needed, and one GlanceApi per API (with its image cache, pruner and cleaner).
 */
export class Glance extends GlanceDeploymentBase {
  /**
   * A Glance from a glance-operator custom resource: YAML text or a parsed object holding an
   * OpenStackControlPlane, a bare Glance CR, or its spec. Fields cdk8s-glance cannot honour
   * are rejected with their path, never ignored.
   */
  public static fromCustomResource(scope: Construct, id: string, customResource: any, options: CustomResourceOptions): Glance {
    const cr = readCustomResource(customResource, options);
    const chartNamespace = Chart.of(scope).namespace;
    if (cr.namespace !== undefined && chartNamespace !== undefined && cr.namespace !== chartNamespace) {
      throw new GlanceValidationError('metadata.namespace', cr.namespace, 'differs from the namespace of the chart it is synthesized in ' +
        `("${chartNamespace}")`,
      'synthesize it in a chart of that namespace, or change metadata.namespace');
    }
    // The Memcached's servers, as the operator names them (infra-operator's GetServerListString), in the chart's namespace.
    const memcachedNamespace = chartNamespace ?? cr.namespace;
    const props = cr.memcached === undefined || cr.props.keystone.memcachedServers !== undefined ? cr.props : {
      ...cr.props,
      keystone: {
        ...cr.props.keystone,
        memcachedServers: Array.from({ length: cr.memcached.replicas }, (_, i) =>
          `${cr.memcached!.instance}-${i}.${cr.memcached!.instance}${memcachedNamespace ? `.${memcachedNamespace}.svc` : ''}:11211`),
      },
    };
    try {
      return new Glance(scope, id, props);
    } catch (e) {
      // Errors name what the user wrote: the CR's fields and the CLI's flags, not our props.
      throw e instanceof GlanceValidationError ? cr.inCrTerms(e) : e;
    }
  }

  /** Every API StatefulSet: those of `apis` in their order (SPLIT gives internal, then external), then those added. */
  public readonly apis: GlanceApi[] = [];
  /** Name of the db-sync Job. */
  public readonly dbSyncJobName: string;
  /**
   * Name of the Job that registers Glance in Keystone (keystone.registration).
   * @default - none: Glance is not registered
   */
  public readonly keystoneRegistrationJobName?: string;
  /** @internal */
  public readonly _common: ResolvedCommonProps;
  /** @internal */
  public readonly _imageCache?: ImageCacheOptions;
  /** The names of the objects it makes, by kind, and the prop each came from. */
  private readonly names = new NameRegistry();
  /** Your Secrets: no object of the chart may take their names. */
  private readonly yourSecrets: Array<[string, string | undefined]>;
  /** Set once the constructor has made its own objects: later additions are checked and ordered as they come. */
  private built = false;

  constructor(scope: Construct, id: string, props: GlanceProps) {
    super(scope, id);
    try {
      const common = resolveCommonProps(props);
      this._common = common;
      const apis = props.apis ?? { default: {} };
      if (Object.keys(apis).length === 0) {
        throw new GlanceValidationError('apis', apis, 'is empty', 'define at least one API, e.g. { default: {} }');
      }

      // Checked here first so that a mistake every API inherits is named where it was written.
      if (props.imageCache) validateImageCacheOptions('imageCache', props.imageCache, common.release);
      this._imageCache = props.imageCache;

      const statefulSets = Object.entries(apis).flatMap(([apiName, options]) => {
        checkNamePart(`apis.${apiName}`, apiName);
        // As the glance-operator: with Ceph, only the internal half of a split pair shows image locations.
        const type = options.type ?? ((options.backend ?? common.backend)._locationsServeClones ? GlanceApiType.SPLIT : GlanceApiType.SINGLE);
        const roles = ROLES_OF_TYPE.get(type);
        if (!roles) throw new GlanceValidationError(`apis.${apiName}.type`, type, 'is not an API layout', 'use a GlanceApiType value');
        const { type: _layout, ...settings } = options;
        return roles.map((role) => ({ apiName, role, options: settings }));
      });
      // Each API's own value is checked before the rule across them (a file store's total replicas).
      const onDeploymentStore = statefulSets.filter((s) => s.options.backend === undefined);
      const totalReplicas = onDeploymentStore.reduce((sum, s) => sum + replicaCount(`apis.${s.apiName}`, s.options.replicas), 0);
      common.backend._checkDeployment(totalReplicas, onDeploymentStore.length);

      this.yourSecrets = [
        ['database.connectionSecret.name', common.database.connectionSecret.name],
        ['keystone.passwordSecret.name', common.keystone.passwordSecret.name],
        ['keystone.applicationCredentialSecret', common.keystone.applicationCredentialSecret],
        ['notifications.transportUrlSecret.name', common.notifications?.transportUrlSecret.name],
        ['tls.caBundleSecret.name', common.tls.caBundle?.name],
        ...(common.extraMounts ?? []).flatMap((mount, i) =>
          (mount.secretNames ?? []).map((secret, j): [string, string] => [`extraMounts[${i}].secretNames[${j}]`, secret])),
      ];
      const apiServices: ApiServices = new Map();
      const ownStores = new Map<ImageBackend, string>();
      for (const { apiName, role, options } of statefulSets) {
        const api = new GlanceApi(this, `${apiName}-${role}`, { ...options, role, apiName });
        apiServices.set(apiName, [...apiServices.get(apiName) ?? [], ...api._endpointServices]);
        if (api._backend !== common.backend) ownStores.set(api._backend, `apis.${apiName}.backend`);
      }

      const storeSecrets = common.backend._bindDeployment(this, common.name);
      this.yourSecrets.push(...Object.entries(storeSecrets));
      // An API's own stores make no object but the cinder store's node tools (a file store stays the deployment's): they name your Secrets.
      for (const [backend, prop] of ownStores) {
        const secrets = backend._bindDeployment(this, common.name);
        this.yourSecrets.push(...Object.entries(secrets).map(([option, name]): [string, string] => [option.replace(/^backend/, prop), name]));
      }
      checkYourConfigMaps(this, common);

      // The database tools; their config Secret is ours, so no Secret of yours may take its name.
      const database = new GlanceDatabase(this, common, props.dbPurge);
      this.dbSyncJobName = database.syncJobName;
      this.names.claim('Secret', database.configSecretName, 'name');
      const registration = props.keystone.registration;
      if (registration !== undefined) {
        const job = new KeystoneRegistration(this, common, registration, apiServices);
        this.keystoneRegistrationJobName = job.jobName;
        this.names.claim('Secret', job.scriptSecretName, 'keystone.registration');
        this.yourSecrets.push(['keystone.registration.adminPasswordSecret.name', registration.adminPasswordSecret.name]);
      }
      this.checkYourSecrets();
      this.built = true;
      this._objectsAdded();
    } catch (e) {
      throw locate(e, this);
    }
  }

  /** @internal */
  public _addApi(api: GlanceApiBase, apiName: string): void {
    if (this.built) {
      // An API added later: the rule across APIs sees it with the others.
      const all = [...this.apis, api].filter((a) => (a as GlanceApi)._backend === this._common.backend);
      this._common.backend._checkDeployment(all.reduce((sum, a) => sum + a.replicas, 0), all.length);
    }
    const prop = `apis.${apiName}`;
    const glanceApi = api as GlanceApi;
    this.names.claim('Service', api.statefulSetName, prop);
    glanceApi.endpointServiceNames.forEach((name) => this.names.claim('Service', name, prop));
    this.names.claim('Secret', api.configSecretName, prop);
    // cert-manager writes the Secrets of the certificates the library issues; the others are yours.
    for (const endpoint of glanceApi._endpointsTls) {
      if (endpoint.issued) this.names.claim('Secret', endpoint.secretName, prop);
      else this.yourSecrets.push([`${prop}.tls.${endpoint.which}SecretName`, endpoint.secretName]);
    }
    // The rest of an API's objects (CronJobs, NetworkPolicies) are named after its StatefulSet
    // with a fixed suffix: distinct StatefulSets give them distinct names.
    this.apis.push(glanceApi);
    this.checkYourSecrets();
  }

  /** @internal */
  public _objectsAdded(): void {
    if (!this.built) return;
    claimInChart(this, this._common.name);
    prerequisitesFirst(this);
  }

  /** Your Secrets must not share a name with ours: applying the chart would overwrite them. */
  private checkYourSecrets(): void {
    for (const [prop, secretName] of this.yourSecrets) {
      const owner = this.names.owner('Secret', secretName);
      if (owner !== undefined) {
        throw new GlanceValidationError(prop, secretName, `names a Secret that this chart creates for ${owner}, so applying the chart would ` +
          'overwrite yours',
        'rename your Secret, or change name (the prefix of every object this chart creates)');
      }
    }
  }
}

/** The StatefulSets of each API layout. */
const ROLES_OF_TYPE = new Map<GlanceApiType, GlanceApiRole[]>([
  [GlanceApiType.SINGLE, [GlanceApiRole.SINGLE]],
  [GlanceApiType.INTERNAL, [GlanceApiRole.INTERNAL]],
  [GlanceApiType.EXTERNAL, [GlanceApiRole.EXTERNAL]],
  [GlanceApiType.EDGE, [GlanceApiRole.EDGE]],
  [GlanceApiType.SPLIT, [GlanceApiRole.INTERNAL, GlanceApiRole.EXTERNAL]],
]);

/** The stores' ConfigMaps (the cinder store's node tools) would overwrite one of yours of the same name when applied. */
function checkYourConfigMaps(glance: Glance, common: ResolvedCommonProps): void {
  const ours = glance.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'ConfigMap').map((o) => o.name);
  const yours: Array<[string, string | undefined]> = [['policyConfigMap', common.policyConfigMap],
    ...(common.extraMounts ?? []).map((mount, i): [string, string | undefined] => [`extraMounts[${i}].configMapName`, mount.configMapName])];
  for (const [prop, name] of yours) {
    if (name !== undefined && ours.includes(name)) {
      throw new GlanceValidationError(prop, name, 'names a ConfigMap that this chart creates (the cinder store\'s nodeTools), so applying the '
        + 'chart would overwrite yours', 'rename your ConfigMap, or change name (the prefix of every object this chart creates)');
    }
  }
}

/** Two Glances in one chart must not create the same object: applying the chart would keep one. */
function claimInChart(glance: Glance, name: string): void {
  const objectsOf = (g: Glance) => new Map(g.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)
    .map((o) => [`${o.kind} ${o.name}`, o.name]));
  const mine = objectsOf(glance);
  for (const other of Chart.of(glance).node.findAll().filter((c): c is Glance => c instanceof Glance && c !== glance)) {
    for (const key of objectsOf(other).keys()) {
      if (mine.has(key)) {
        throw new GlanceValidationError('name', name,
          `makes the ${key.split(' ')[0]} "${mine.get(key)}", which the Glance at ${other.node.path} in the same chart also makes`,
          'give each Glance in a chart its own name (the prefix of every object it creates)'
          + (glance._common.naming === ObjectNaming.GLANCE_OPERATOR
            ? ', and with ObjectNaming.GLANCE_OPERATOR its APIs their own names (its endpoint Services are glance-<api>-internal and -public)' : ''));
      }
    }
  }
}

/** What a workload's pods need at once: kubectl and GitOps tools create objects in the order of the YAML. */
const PREREQUISITES = new Set(['NetworkPolicy', 'Secret', 'Certificate', 'PersistentVolume', 'PersistentVolumeClaim', 'Service']);
const WORKLOADS = new Set(['StatefulSet', 'Job', 'CronJob']);

/**
 * Every workload after the objects its pods mount, reach or are guarded by: a StatefulSet applied
 * before the shared `<name>-images` claim leaves its first pods unschedulable ("persistentvolumeclaim
 * not found"), and one applied before its NetworkPolicy runs pods open to all until it arrives.
 */
function prerequisitesFirst(glance: Glance): void {
  // Stryker disable next-line MethodExpression: without the filter, the kind filters below leave out every construct that is no ApiObject
  const objects = glance.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const prerequisites = objects.filter((o) => PREREQUISITES.has(o.kind));
  if (prerequisites.length === 0) return;
  // A chain, each prerequisite after the one created before it, and every workload after the last:
  // the same order as every workload after every prerequisite, in as many edges as objects. (That
  // complete graph, workloads x prerequisites, made cdk8s's dependency resolution grow with their
  // product: 7 times the serialization floor at 50 APIs x 10 replicas.)
  prerequisites.forEach((prerequisite, i) => { if (i > 0) prerequisite.node.addDependency(prerequisites[i - 1]); });
  const last = prerequisites[prerequisites.length - 1];
  for (const workload of objects.filter((o) => WORKLOADS.has(o.kind))) workload.node.addDependency(last);
}
