import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ImageCacheOptions, validateImageCacheOptions } from './cache/image-cache';
import { CustomResourceOptions, readCustomResource } from './custom-resource';
import { GlanceDatabase } from './database';
import { GlanceValidationError, locate } from './errors';
import { GlanceApi } from './glance-api';
import { GlanceProps } from './glance-props';
import { checkNamePart, NameRegistry, replicaCount } from './names';
import { resolveCommonProps } from './service-config';
import { GlanceApiRole, GlanceApiType } from './types';

/**
 * A complete Glance deployment: the db-sync Job, the db-purge CronJob, a shared image store
 * claim where needed, and one GlanceApi per API (with its image cache, pruner and cleaner).
 */
export class Glance extends Construct {
  /**
   * A Glance from a glance-operator custom resource: YAML text or a parsed object holding an
   * OpenStackControlPlane, a bare Glance CR, or its spec. Fields cdk8s-glance cannot honour
   * are rejected with their path, never ignored.
   */
  public static fromCustomResource(scope: Construct, id: string, customResource: any, options: CustomResourceOptions): Glance {
    const cr = readCustomResource(customResource, options);
    const chartNamespace = Chart.of(scope).namespace;
    if (cr.namespace !== undefined && chartNamespace !== undefined && cr.namespace !== chartNamespace) {
      throw new GlanceValidationError('metadata.namespace', cr.namespace, `differs from the namespace of the chart it is synthesized in ("${chartNamespace}")`,
        'synthesize it in a chart of that namespace, or change metadata.namespace');
    }
    try {
      return new Glance(scope, id, cr.props);
    } catch (e) {
      // Errors name what the user wrote: the CR's fields and the CLI's flags, not our props.
      throw e instanceof GlanceValidationError ? cr.inCrTerms(e) : e;
    }
  }

  /** Every API StatefulSet, in the order of `apis` (SPLIT gives internal, then external). */
  public readonly apis: GlanceApi[] = [];
  /** Name of the db-sync Job. */
  public readonly dbSyncJobName: string;

  constructor(scope: Construct, id: string, props: GlanceProps) {
    super(scope, id);
    try {
      const common = resolveCommonProps(props);
      const names = new NameRegistry();
      const apis = props.apis ?? { default: {} };
      if (Object.keys(apis).length === 0) {
        throw new GlanceValidationError('apis', apis, 'is empty', 'define at least one API, e.g. { default: {} }');
      }

      // Checked here first so that a mistake every API inherits is named where it was written.
      if (props.imageCache) validateImageCacheOptions('imageCache', props.imageCache, common.release);

      const statefulSets = Object.entries(apis).flatMap(([apiName, options]) => {
        checkNamePart(`apis.${apiName}`, apiName);
        // As the glance-operator: with Ceph, only the internal half of a split pair shows image locations.
        const type = options.type ?? (common.backend._locationsServeClones ? GlanceApiType.SPLIT : GlanceApiType.SINGLE);
        if (!Object.values(GlanceApiType).includes(type)) {
          throw new GlanceValidationError(`apis.${apiName}.type`, type, 'is not an API layout', 'use a GlanceApiType value');
        }
        const roles = type === GlanceApiType.SPLIT ? [GlanceApiRole.INTERNAL, GlanceApiRole.EXTERNAL] : [type as string as GlanceApiRole];
        const { type: _layout, ...settings } = options;
        return roles.map((role) => ({ apiName, role, options: settings }));
      });
      // Each API's own value is checked before the rule across them (a file store's total replicas).
      const totalReplicas = statefulSets.reduce((sum, s) => sum + replicaCount(`apis.${s.apiName}`, s.options.replicas), 0);
      common.backend._checkDeployment(totalReplicas, statefulSets.length);

      for (const { apiName, role, options } of statefulSets) {
        const api = new GlanceApi(this, `${apiName}-${role}`, {
          ...options,
          role,
          apiName,
          common: props,
          imageCache: inheritImageCache(props.imageCache, options.imageCache),
        });
        const prop = `apis.${apiName}`;
        names.claim('Service', api.statefulSetName, prop);
        api.endpointServiceNames.forEach((name) => names.claim('Service', name, prop));
        names.claim('Secret', api.configSecretName, prop);
        // The rest of an API's objects (CronJobs, NetworkPolicies) are named after its StatefulSet
        // with a fixed suffix: distinct StatefulSets give them distinct names.
        this.apis.push(api);
      }

      const storeSecrets = common.backend._bindDeployment(this, common.name);

      // The database tools; their config Secret is ours, so no Secret of yours may take its name.
      const database = new GlanceDatabase(this, common, props.dbPurge);
      this.dbSyncJobName = database.syncJobName;
      names.claim('Secret', database.configSecretName, 'name');
      // Your Secrets must not share a name with ours: applying the chart would overwrite them.
      const yourSecrets: Array<[string, string | undefined]> = [
        ['database.connectionSecret.name', common.database.connectionSecret.name],
        ['keystone.passwordSecret.name', common.keystone.passwordSecret.name],
        ...Object.entries(storeSecrets),
      ];
      for (const [prop, secretName] of yourSecrets) {
        const owner = names.owner('Secret', secretName);
        if (owner !== undefined) {
          throw new GlanceValidationError(prop, secretName, `names a Secret that this chart creates for ${owner}, so applying the chart would overwrite yours`,
            'rename your Secret, or change name (the prefix of every object this chart creates)');
        }
      }
      claimInChart(this, common.name);
      prerequisitesFirst(this);
    } catch (e) {
      throw locate(e, this);
    }
  }
}

/** The objects each chart's Glance constructs create, by kind and name, and which Glance made them. */
const chartObjects = new WeakMap<Chart, Map<string, string>>();

/** Two Glances in one chart must not create the same object: applying the chart would keep one. */
function claimInChart(glance: Glance, name: string): void {
  const chart = Chart.of(glance);
  const seen = chartObjects.get(chart) ?? new Map<string, string>();
  chartObjects.set(chart, seen);
  const mine = glance.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => [`${o.kind} ${o.name}`, o.name] as const);
  for (const [key, objectName] of mine) {
    const other = seen.get(key);
    if (other !== undefined) {
      throw new GlanceValidationError('name', name, `makes the ${key.split(' ')[0]} "${objectName}", which the Glance at ${other} in the same chart also makes`,
        'give each Glance in a chart its own name (the prefix of every object it creates)');
    }
  }
  for (const [key] of mine) seen.set(key, glance.node.path);
}

/** What a workload's pods need at once: kubectl and GitOps tools create objects in the order of the YAML. */
const PREREQUISITES = new Set(['NetworkPolicy', 'Secret', 'PersistentVolume', 'PersistentVolumeClaim', 'Service']);
const WORKLOADS = new Set(['StatefulSet', 'Job', 'CronJob']);

/**
 * Every workload after the objects its pods mount, reach or are guarded by: a StatefulSet applied
 * before the shared `<name>-images` claim leaves its first pods unschedulable ("persistentvolumeclaim
 * not found"), and one applied before its NetworkPolicy runs pods open to all until it arrives.
 */
function prerequisitesFirst(glance: Glance): void {
  const objects = glance.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const prerequisites = objects.filter((o) => PREREQUISITES.has(o.kind));
  for (const workload of objects.filter((o) => WORKLOADS.has(o.kind))) workload.node.addDependency(...prerequisites);
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
