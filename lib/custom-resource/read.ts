/** A Glance CR read into GlanceProps, field by field as the field table's rows say. */
import type { ImageCacheOptions } from '../cache/cache-options';
import { ObjectNaming } from '../common-props';
import { GlanceValidationError } from '../errors';
import type { GlanceApiOptions } from '../glance-api-props';
import type { GlanceProps } from '../glance-props';
import { ImageBackend } from '../image-backend';
import { IniAssignment, readIni } from '../ini';
import { checkNamePart } from '../names';
import { checkFields, valueOrDefault } from './check';
import { API_FIELDS, Field, GLANCE_SPEC_FIELDS } from './fields';
import { glanceSpecOf, Located } from './locate';
import type { CustomResourceOptions, CustomResourceRead } from './options';
import { apiStoresOf, mountsForApi, renderedAssignments, Stores, storesOf } from './stores';
import { tlsOf } from './tls';
import { crPathTranslator } from './translate';
import { isObject, nonEmpty, probesOf, valueAt } from './values';

/** Reads a Glance CR into GlanceProps, rejecting every field it cannot honour. */
export function glancePropsFromCustomResource(input: unknown, options: CustomResourceOptions): GlanceProps {
  return readCustomResource(input, options).props;
}

/** Reads a Glance CR: its props, its namespace, and how to name its fields in errors. */
export function readCustomResource(input: unknown, options: CustomResourceOptions): CustomResourceRead {
  // JavaScript callers may leave it out.
  if (!isObject(options)) {
    throw new GlanceValidationError('options', options, 'is not an object of the reader\'s options',
      'give at least { database: { connectionSecret: { name, key } }, keystoneAuthUrl }');
  }
  const located = glanceSpecOf(input);
  const { spec, path } = located;
  // What the CR is named first: everything else is named after it.
  const glanceName = located.metadata.name ?? 'glance';
  if (typeof glanceName !== 'string') {
    throw new GlanceValidationError('metadata.name', glanceName, 'is not a name', 'give the Glance CR a name such as "glance"');
  }
  const namespace = located.metadata.namespace;
  if (namespace !== undefined && (typeof namespace !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))) {
    throw new GlanceValidationError('metadata.namespace', namespace, 'is not a Kubernetes namespace name', 'use lower-case letters, digits and "-"');
  }
  checkFields(spec, path, GLANCE_SPEC_FIELDS);
  const value = (field: string) => valueOrDefault(spec, field, GLANCE_SPEC_FIELDS);

  const glanceAPIs: Record<string, any> = value('glanceAPIs');
  if (Object.keys(glanceAPIs).length === 0) {
    throw new GlanceValidationError(`${path}.glanceAPIs`, glanceAPIs, 'is empty: the glance-operator\'s webhook then deploys a placeholder API '
      + '"default" with 0 replicas and replaces customServiceConfig with a "backend1:type1 # CHANGE_ME" store, so nothing would serve',
    'add the APIs to deploy, e.g. glanceAPIs: { default: { type: single, replicas: 1 } }');
  }
  const entries = Object.entries<any>(glanceAPIs);
  // As the operator's webhook: unset, the only API; it must name an entry, and not an edge API (isValidKeystoneEP).
  const apiNames = entries.map(([name]) => name);
  const keystoneEndpoint: string = value('keystoneEndpoint') || (apiNames.length === 1 ? apiNames[0] : '');
  if (keystoneEndpoint !== '' && !apiNames.includes(keystoneEndpoint)) {
    throw new GlanceValidationError(`${path}.keystoneEndpoint`, keystoneEndpoint, 'names no entry of glanceAPIs',
      'name the API whose endpoints Keystone lists');
  }
  const fromSpec = readFields(spec, path, GLANCE_SPEC_FIELDS);
  const secretName: string = fromSpec.keystone.passwordSecret?.name ?? 'osp-secret';
  const storageClass: string | undefined = fromSpec.storage?.storageClass;
  const apis: Record<string, GlanceApiOptions> = {};
  const topologyRenames: Array<{ prop: string; crPath: string; only: string[] }> = [];
  for (const [name, api] of entries) {
    // The type first: what the API is comes before what is wrong with its other fields.
    const fromApi = readFields(api, `${path}.glanceAPIs.${name}`, API_FIELDS, ['type']);
    const nodeSelector = fromApi.nodeSelector ?? valueAt(spec, 'nodeSelector');
    // As the operator's webhook: an API's apiTimeout, else the Glance's (60 by default).
    const apiTimeout = valueAt(api, 'apiTimeout') ?? value('apiTimeout');
    const probes = probesOf(valueAt(api, 'override.probes'), `${path}.glanceAPIs.${name}.override.probes`, apiTimeout);
    // As the glance controller: the API's topologyRef, else the Glance's (which a control plane's fills in).
    const ownRef = valueAt(api, 'topologyRef');
    const refAt = ownRef !== undefined ? `${path}.glanceAPIs.${name}.topologyRef` : located.inherited?.topologyRef ?? `${path}.topologyRef`;
    const topology = topologyOf(ownRef ?? valueAt(spec, 'topologyRef'), refAt, located);
    if (topology) topologyRenames.push({ prop: `apis.${name}`, crPath: topology.crPath, only: ['topologySpreadConstraints', 'affinity'] });
    apis[name] = { ...fromApi, imageCache: apiCacheOf(fromApi.imageCache, storageClass), nodeSelector, probes, ...topology?.props };
  }
  // A control plane decides its APIs' certificates; a Glance CR names them.
  const tls = tlsOf(located, apis);
  for (const [name, own] of Object.entries(tls.apis)) apis[name] = { ...apis[name], tls: own };

  // A store factory names its own option: the user wrote the CR's customServiceConfig.
  const stores = ImageBackend._readFrom(`${path}.customServiceConfig`, () => storesOf(located, options, apiNames));
  // An API's own stores (the distributed layout), from its own customServiceConfig.
  const ownStores = new Set<string>();
  for (const [name, api] of Object.entries(apis)) {
    const at = `${path}.glanceAPIs.${name}.customServiceConfig`;
    const own = api.customServiceConfig === undefined ? undefined
      : ImageBackend._readFrom(at, () => apiStoresOf(at, api.customServiceConfig!, mountsForApi(stores.mounts, name),
        options.allowPrivilegedCinder === true));
    const mountedForIt = stores.mounts.apiCephSecrets[name];
    if (mountedForIt && !own?.backend._convertsImports) {
      // Its pod would mount Ceph's files that none of its stores reads (the operator's would): not the library's.
      throw new GlanceValidationError(mountedForIt.path, mountedForIt.secrets, `mounts Ceph's files at /etc/ceph for ${name} (not every API), `
        + `whose ${own ? 'stores are none of them rbd' : 'stores are the deployment\'s'}`,
      `give ${name} its own rbd stores (enabled_backends in its customServiceConfig), or propagate the mount to Glance`);
    }
    if (!own) continue;
    ownStores.add(name);
    apis[name] = { ...api, backend: own.backend, customServiceConfig: own.customServiceConfig };
  }
  // Ceph's files that no rbd store reads (architecture's uni04delta mounts them for Cinder beside an s3 store): mounted as they are.
  const backends = [stores.backend ?? options.backend, ...Object.values(apis).map((api) => api.backend)];
  const unusedCeph = stores.mounts.cephSecrets.length && !backends.some((backend) => backend?._convertsImports)
    ? [{ mount: { mountPath: '/etc/ceph', secretNames: stores.mounts.cephSecrets }, path: stores.mounts.path }] : [];
  const extras = [...unusedCeph, ...stores.mounts.extraMounts];
  const extraMounts = extras.map(({ mount }) => mount);
  const topConfig = topLevelConfig(path, stores, apis, ownStores);
  const imports = importMethodsOf(path, topConfig, apis, options.webDownloadAllowedHosts);
  // A control plane decides it for every API; a Glance CR's APIs name it, one Secret for all (the library has one service user).
  const ac = located.applicationCredentialSecret !== undefined
    ? { secret: located.applicationCredentialSecret ?? undefined, field: 'spec.glance.applicationCredential' }
    : sharedApplicationCredential(path, entries);
  const applicationCredentialSecret = ac.secret;
  const notifications = notificationsOf(spec, located, options, glanceName);
  // Last, as the operator's webhook checks it after each API's own fields.
  const registering = options.keystoneRegistration !== false;
  const notRegistering = 'or import with keystoneRegistration: false (--keystone-registration false) to leave the catalog alone';
  if (registering && keystoneEndpoint === '') {
    throw new GlanceValidationError(`${path}.keystoneEndpoint`, keystoneEndpoint, `is not set, and glanceAPIs has ${apiNames.length} entries`,
      `name the API whose endpoints Keystone lists, as the operator requires, ${notRegistering}`);
  }
  if (registering && glanceAPIs[keystoneEndpoint]?.type === 'edge') {
    throw new GlanceValidationError(`${path}.keystoneEndpoint`, keystoneEndpoint,
      'names an edge API, which serves no public endpoint for Keystone to list',
      `name a single or split API, as the operator requires, ${notRegistering}`);
  }
  const urls = registering ? registrationUrls(path, keystoneEndpoint, glanceAPIs[keystoneEndpoint], located, options) : [];
  // As the operator's webhook: without a storageRequest, no claim (storage.external).
  const claimless = fromSpec.storage?.storageRequest === undefined;
  const props: GlanceProps = {
    ...fromSpec,
    storage: { ...fromSpec.storage, ...(claimless ? { external: true } : {}) },
    name: glanceName,
    naming: options.naming ?? ObjectNaming.GLANCE_OPERATOR,
    release: options.release,
    database: { ...options.database, tls: options.database?.tls ?? tls.databaseTls },
    tls: tls.tls,
    keystone: {
      authUrl: options.keystoneAuthUrl,
      publicAuthUrl: options.keystonePublicAuthUrl,
      ...fromSpec.keystone,
      // The glance-operator's convention: the service password in "osp-secret", key "GlancePassword".
      passwordSecret: { ...fromSpec.keystone.passwordSecret, name: secretName },
      ...(applicationCredentialSecret ? { applicationCredentialSecret } : {}),
      // The operator always registers the API (its KeystoneService and KeystoneEndpoint, made by
      // keystone-operator as the KeystoneAPI's admin, whose password is in the same Secret).
      registration: registering ? {
        api: keystoneEndpoint,
        adminPasswordSecret: { name: secretName, key: 'AdminPassword' },
        ...Object.fromEntries(urls.map(({ prop, url }) => [prop, url])),
      } : undefined,
    },
    ...(notifications ? { notifications } : {}),
    // The operator registers no limit while all four are 0 (the CRD default).
    quotas: Object.values(fromSpec.quotas ?? {}).some((v) => v !== 0 && v !== '0Mi') ? fromSpec.quotas : undefined,
    backend: stores.backend,
    policyConfigMap: stores.policyConfigMap,
    ...(extraMounts.length ? { extraMounts } : {}),
    customServiceConfig: imports.shared,
    ...(imports.webDownload ? { webDownload: imports.webDownload } : {}),
    imageCache: cacheOf(fromSpec.imageCache, storageClass),
    apis,
  };
  // The registration's URLs are the Services' cluster DNS names, which need the chart's namespace.
  const urlFix = 'synthesize it in a chart with a namespace (the CR\'s), or leave the catalog alone with --keystone-registration false '
    + '(keystoneRegistration: false)';
  const renames = [
    ...tls.renames,
    ...topologyRenames.flatMap(({ prop, crPath, only }) =>
      only.map((field) => ({ prop: `${prop}.${field}`, crPath: `${crPath}.${field}`, keepsBelow: true }))),
    { prop: 'keystone.registration.adminPasswordSecret', crPath: located.inherited?.secret ?? `${path}.secret` },
    // Each mount read is named by its place in the CR (Ceph's files that no store reads, by the list).
    ...extras.map(({ path: crPath }, i) => ({ prop: `extraMounts[${i}]`, crPath })),
    // What the control plane gave the template is named where the user wrote it.
    ...(located.inherited?.secret ? [{ prop: 'keystone.passwordSecret', crPath: located.inherited.secret }] : []),
    ...(located.inherited?.['storage.storageClass'] ? [{ prop: 'storage.storageClass', crPath: located.inherited['storage.storageClass'] }] : []),
    ...(claimless ? [{
      prop: 'storage.external',
      crPath: `${path}.storage.storageRequest`,
      fix: 'give storage.storageRequest (a claim per replica), '
      + 'a shared store (an NFS volume at /var/lib/glance/images in extraMounts, --shared-claim or --shared-storage-class), or another store',
    }] : []),
    ...(ac.field ? [{ prop: 'keystone.applicationCredentialSecret', crPath: ac.field }] : []),
    ...topConfig.givenTo.map((api) => ({ prop: `apis.${api}.customServiceConfig`, crPath: `${path}.customServiceConfig` })),
    { prop: 'keystone.registration', crPath: '--keystone-registration', fix: 'leave it on with quotas: its Job registers the limits in Keystone' },
    ...['internalUrl', 'publicUrl'].map((url) => {
      const given = urls.find((u) => u.prop === url);
      const prop = `keystone.registration.${url}`;
      return given ? { prop, crPath: given.from } : { prop, crPath: '--keystone-registration', fix: urlFix };
    }),
  ];
  return { props, namespace, inCrTerms: crPathTranslator(path, stores, renames), memcached: memcachedOf(path, value('memcachedInstance'), located) };
}

/**
 * The top-level customServiceConfig (what the stores left of it), as the glance-operator gives it:
 * to each API whose own is empty (apiDeploymentCreateOrUpdate), so an API with its own has none of
 * it. While no API has its own, it stays the deployment's (`shared`); else it moves to the APIs
 * without one (`givenTo`, which `apis` gets). An API with its own beside top-level stores would serve
 * none of them: per-API stores.
 */
function topLevelConfig(path: string, stores: Stores, apis: Record<string, GlanceApiOptions>, ownStores: Set<string>)
  : { shared?: string; givenTo: string[] } {
  const left = stores.customServiceConfig;
  const own = Object.keys(apis).filter((api) => apis[api].customServiceConfig !== undefined || ownStores.has(api));
  if (own.length === 0) return { shared: left, givenTo: [] };
  const storeless = own.filter((api) => !ownStores.has(api));
  if (stores.listedInConfig && storeless.length) {
    throw new GlanceValidationError(`${path}.glanceAPIs.${storeless[0]}.customServiceConfig`, apis[storeless[0]].customServiceConfig,
      'is not supported by cdk8s-glance: an API\'s own customServiceConfig without its stores (the glance-operator gives an API with its '
      + 'own customServiceConfig none of the top-level one, so this API would serve none of the top-level stores but the template\'s file store)',
      'move the API\'s options into the top-level customServiceConfig, or list its stores (enabled_backends and their sections) in its own');
  }
  if (left === undefined) return { givenTo: [] };
  const givenTo = Object.keys(apis).filter((api) => !own.includes(api));
  for (const api of givenTo) apis[api] = { ...apis[api], customServiceConfig: left };
  return { givenTo };
}

/**
 * The Topology resource a topologyRef names, as the glance-operator applies it to an API's pods
 * (infra-operator Topology.ApplyTo): its spread constraints, each without a labelSelector counting
 * the API's pods (EnsureTopologyRef), and its affinity in place of the operator's default (none
 * where the Topology has none). The resource comes in the same YAML as the CR; its namespace is the
 * CR's (the webhook's ValidateTopologyRef).
 */
function topologyOf(ref: unknown, at: string, located: Located): { props: Partial<GlanceApiOptions>; crPath: string } | undefined {
  if (ref === undefined) return undefined;
  if (!isObject(ref) || typeof ref.name !== 'string' || ref.name === '') {
    throw new GlanceValidationError(at, ref, 'is not a reference to a Topology', 'give { name: <the Topology\'s name> }');
  }
  const namespace = located.metadata.namespace;
  if (ref.namespace !== undefined && ref.namespace !== '' && namespace !== undefined && ref.namespace !== namespace) {
    throw new GlanceValidationError(`${at}.namespace`, ref.namespace,
      `is not the CR's namespace ("${namespace}"), as the operator's webhook requires`,
      'leave it out');
  }
  const topology: any = located.topologies?.[ref.name];
  if (topology === undefined) {
    throw new GlanceValidationError(at, ref, `names the Topology "${ref.name}", which the input does not hold`,
      `give the Topology in the same YAML as the CR (kubectl get topology ${ref.name} -o yaml, after a "---"), or remove topologyRef`);
  }
  const spec = isObject(topology.spec) ? topology.spec : {};
  return {
    props: {
      ...(spec.topologySpreadConstraints !== undefined ? { topologySpreadConstraints: spec.topologySpreadConstraints } : {}),
      affinity: spec.affinity ?? {},
    },
    crPath: `Topology ${ref.name} spec`,
  };
}

/** What the glance-operator's template enables where no customServiceConfig says (templates/common/config/00-config.conf). */
const OPERATOR_IMPORT_METHODS = ['web-download', 'glance-direct'];
/** What the library offers: glance-direct and copy-image (admins only, by Glance's policy), web-download with an allow-list. */
const LIBRARY_IMPORT_METHODS = ['glance-direct', 'copy-image', 'web-download'];

/**
 * The import methods each API offers under the operator: enabled_import_methods of the config it
 * gets, else the template's (web-download and glance-direct). Where they are among the library's,
 * the option leaves the config: web-download becomes webDownload with the allow-list the options
 * give (on every API, or on none), and without one it is not offered (a warning says so);
 * glance-direct and copy-image the library always offers. Any other list stays, for the config
 * guard to refuse. `apis` get their configs without the option.
 */
function importMethodsOf(path: string, top: { shared?: string; givenTo: string[] }, apis: Record<string, GlanceApiOptions>,
  hosts: string[] | undefined): { shared?: string; webDownload?: GlanceProps['webDownload'] } {
  // Each config read once: the methods it offers, and its text without the option where they are the library's.
  const readMethods = (text: string | undefined, at: string): { methods: string[]; left?: string } => {
    const assignments = text === undefined ? [] : readIni(at, text);
    const isOption = (a: IniAssignment) => a.section === 'DEFAULT' && a.name === 'enabled_import_methods';
    const option = assignments.find(isOption);
    const methods = option === undefined ? OPERATOR_IMPORT_METHODS
      : option.value.replace(/^\[|\]$/g, '').split(',').map((m) => m.trim().replace(/^(["'])(.*)\1$/, '$2')).filter((m) => m);
    const ours = methods.includes('glance-direct') && methods.every((m) => LIBRARY_IMPORT_METHODS.includes(m));
    return { methods, left: text === undefined || !ours ? text : renderedAssignments(assignments.filter((a) => !isOption(a))) };
  };
  const shared = readMethods(top.shared, `${path}.customServiceConfig`);
  const offering: string[] = [];
  for (const api of Object.keys(apis)) {
    const own = apis[api].customServiceConfig;
    // Where the user wrote the config the API gets: its own, or the top level's.
    const at = own !== undefined && !top.givenTo.includes(api) ? `${path}.glanceAPIs.${api}.customServiceConfig` : `${path}.customServiceConfig`;
    const read = own === undefined ? shared : readMethods(own, at);
    if (read.methods.includes('web-download')) offering.push(api);
    if (own !== undefined) apis[api] = { ...apis[api], customServiceConfig: read.left };
  }
  const names = Object.keys(apis);
  if (hosts === undefined) {
    if (offering.length) {
      process.emitWarning(`cdk8s-glance: ${offering.map((api) => `${path}.glanceAPIs.${api}`).join(', ')} would offer web-download under the `
        + 'glance-operator (its template\'s enabled_import_methods, or the CR\'s), whose filtering lets any project member make Glance fetch an '
        + 'in-cluster URL: cdk8s-glance offers it only with an allow-list. Give the hosts with --web-download-hosts (webDownloadAllowedHosts).',
      { code: 'CDK8S_GLANCE_CR_NO_WEB_DOWNLOAD' });
    }
    return { shared: shared.left };
  }
  if (offering.length !== names.length) {
    const without = names.filter((api) => !offering.includes(api));
    throw new GlanceValidationError('--web-download-hosts', hosts.join(','), offering.length === 0
      ? 'is given, and no API of the CR offers web-download (its enabled_import_methods)'
      : `is given, and only some APIs of the CR offer web-download (not ${without.join(', ')}): cdk8s-glance offers it on every API or none`,
    offering.length === 0 ? 'drop it, or list web-download in enabled_import_methods' : 'list web-download in every API\'s enabled_import_methods, '
      + 'or in none');
  }
  return { shared: shared.left, webDownload: { allowedHosts: hosts } };
}

/**
 * The URLs the registration lists that are not the Services' own, and where each was given: an
 * override's endpointURL (openstack-operator writes the public Route's into every GlanceAPI it makes),
 * or options.publicUrl (--public-url). A control plane's public endpoint is an OpenShift Route unless
 * its Service is a LoadBalancer (openstack-operator EnsureEndpointConfig): the Route's host is not in
 * the CR, so it must be given.
 */
function registrationUrls(path: string, api: string, entry: unknown, located: Located, options: CustomResourceOptions)
  : Array<{ prop: 'internalUrl' | 'publicUrl'; url: string; from: string }> {
  const at = (endpoint: string) => `${path}.glanceAPIs.${api}.override.service.${endpoint}.endpointURL`;
  const own = (endpoint: string): string | undefined => valueAt(entry, `override.service.${endpoint}.endpointURL`);
  const urls: Array<{ prop: 'internalUrl' | 'publicUrl'; url: string; from: string }> = [];
  if (own('internal') !== undefined) urls.push({ prop: 'internalUrl', url: own('internal')!, from: at('internal') });
  const given = options.publicUrl;
  if (own('public') !== undefined) {
    if (given !== undefined) {
      throw new GlanceValidationError('--public-url', given, `is given, and so is the CR's ${at('public')} ("${own('public')}")`,
        'give the public URL once: drop --public-url (publicUrl), or the endpointURL');
    }
    urls.push({ prop: 'publicUrl', url: own('public')!, from: at('public') });
  } else if (given !== undefined) {
    urls.push({ prop: 'publicUrl', url: given, from: '--public-url' });
  } else if (located.controlPlaneTls !== undefined && valueAt(entry, 'override.service.public.spec.type') !== 'LoadBalancer') {
    throw new GlanceValidationError('--public-url', undefined, `is not given, and the control plane's public endpoint of ${api} is an `
      + 'OpenShift Route (its Service is not a LoadBalancer and has no endpointURL), whose host the CR does not say',
    `give the URL clients reach Glance at (publicUrl; for the operator's Route, https:// and its host: oc get route glance-${api}-public), `
      + `set ${at('public')}, or import with --keystone-registration false (keystoneRegistration: false) to leave the catalog alone`);
  }
  return urls;
}

/**
 * The props of a CR object's fields, each at its row's prop: the field's value or CRD default,
 * through the row's reader. Fields below a "*" are read by their own table; `first` are read
 * before the others, so that their errors come first.
 */
function readFields(object: Record<string, any>, path: string, table: Record<string, Field>, first: string[] = []): Record<string, any> {
  const props: Record<string, any> = {};
  const fields = [...first, ...Object.keys(table).filter((field) => !first.includes(field))];
  for (const field of fields) {
    const row = table[field];
    if (row.kind !== 'read' || row.prop === undefined || field.includes('*')) continue;
    // A mapping with fields of its own is read through them.
    if (!row.as && Object.keys(table).some((k) => k.startsWith(`${field}.`))) continue;
    const found = valueAt(object, field) ?? row.default;
    const read = found === undefined || !row.as ? found : row.as(found, `${path}.${field}`);
    if (read === undefined) continue;
    const keys = row.prop.split('.');
    const parent = keys.slice(0, -1).reduce((o, key) => (o[key] ??= {}), props);
    parent[keys[keys.length - 1]] = read;
  }
  return props;
}

/**
 * The Memcached the operator points Glance's token cache at: the CR's memcachedInstance, with the
 * replicas of the control plane's template of that name (spec.memcached.templates, the Memcached
 * CRD's default 1), or 1 for a Glance CR, whose Memcached is not in it. None for "" or a control
 * plane without memcached.
 */
function memcachedOf(path: string, instance: string, located: Located): CustomResourceRead['memcached'] {
  if (instance === '') return undefined;
  // Its pods are <instance>-<N>.<instance>: a DNS label.
  checkNamePart(`${path}.memcachedInstance`, instance);
  const plane = located.controlPlaneMemcached;
  if (plane === undefined) return { instance, replicas: 1 };
  if (valueAt(plane, 'enabled') === false) return undefined;
  const replicas = valueAt(plane, `templates.${instance}.replicas`) ?? 1;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new GlanceValidationError(`spec.memcached.templates.${instance}.replicas`, replicas, 'is not a whole number of 0 or more', 'use e.g. 1');
  }
  return replicas === 0 ? undefined : { instance, replicas };
}

/**
 * The notifications, as openstack-operator and the glance-operator decide the bus: the template's
 * notificationsBus.cluster, else its notificationBusInstance, else the control plane's
 * spec.notificationsBus.cluster; its URL from options.notificationsTransportUrlSecret, else from the
 * Secret infra-operator writes for the TransportURL the glance-operator makes for it
 * (`<glance>-glance-transport`: `rabbitmq-transport-url-<glance>-glance-transport`, key transport_url;
 * after a credential rotation the TransportURL's status names another, which the option gives).
 */
function notificationsOf(spec: Record<string, any>, located: Located, options: CustomResourceOptions, glanceName: string)
  : GlanceProps['notifications'] {
  const given = options.notificationsTransportUrlSecret;
  const planeCluster = valueAt(located.controlPlaneNotificationsBus ?? {}, 'cluster');
  const bus = nonEmpty(valueAt(spec, 'notificationsBus.cluster') ?? '') ?? nonEmpty(valueAt(spec, 'notificationBusInstance') ?? '')
    ?? (typeof planeCluster === 'string' ? nonEmpty(planeCluster) : undefined);
  if (bus === undefined) {
    if (given) {
      throw new GlanceValidationError('--notifications-secret', `${given.name}:${given.key}`, 'is given, and the CR has no notifications bus',
        'drop it, or give the CR its notificationsBus');
    }
    return undefined;
  }
  return { transportUrlSecret: given ?? { name: `rabbitmq-transport-url-${glanceName}-glance-transport`, key: 'transport_url' } };
}

/** The one application credential Secret the APIs of a Glance CR name (each the same, or none at all), and the field of the first. */
function sharedApplicationCredential(path: string, entries: Array<[string, any]>): { secret?: string; field?: string } {
  const named = entries.map(([name, api]) => [name, nonEmpty(valueAt(api ?? {}, 'auth.applicationCredentialSecret') ?? '')] as const);
  const first = named.find(([, secret]) => secret !== undefined);
  if (!first) return {};
  const other = named.find(([, secret]) => secret !== first[1]);
  if (other) {
    throw new GlanceValidationError(`${path}.glanceAPIs.${other[0]}.auth.applicationCredentialSecret`, other[1] ?? '',
      `differs from ${path}.glanceAPIs.${first[0]}.auth.applicationCredentialSecret ("${first[1]}"): cdk8s-glance authenticates every API `
      + 'as one service user, with one credential', 'name the same Secret in every API, as the openstack-operator does');
  }
  return { secret: first[1], field: `${path}.glanceAPIs.${first[0]}.auth.applicationCredentialSecret` };
}

/**
 * An API's cache as the operator's GlanceAPI has it: its own schedules (the CRD's defaults where unset), and its
 * own size, or where it has none the top level's, which the library's field-by-field inheritance gives it.
 */
function apiCacheOf(cache: Partial<ImageCacheOptions>, storageClass: string | undefined): ImageCacheOptions {
  const { size, ...schedules } = cache;
  return { ...schedules, ...(size ? { size } : {}), storageClass } as ImageCacheOptions;
}

/** The image cache read from its fields: none without a size (the CRD's default size is ""). */
function cacheOf(cache: ImageCacheOptions | undefined, storageClass: string | undefined): ImageCacheOptions | undefined {
  if (cache?.size === undefined || cache.size === '') return undefined;
  // The operator sizes the image cache claims from the deployment's storage class.
  return { ...cache, storageClass };
}
