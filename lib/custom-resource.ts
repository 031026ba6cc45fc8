import { parseAllDocuments } from 'yaml';
import type { ImageCacheOptions } from './cache/cache-options';
import { DatabaseOptions } from './common-props';
import { checkCustomServiceConfig } from './config-guard';
import { GlanceValidationError } from './errors';
import type { EndpointServiceOptions, EndpointServicesOptions, GlanceApiOptions } from './glance-api-props';
import type { GlanceProps } from './glance-props';
import { ImageBackend } from './image-backend';
import { IniValues, parseIni, renderIni } from './ini';
import { checkServiceType } from './names';
import { FILE_STORE_DIR } from './pod-security';
import { GlanceApiType, GlanceRelease } from './types';

/** What a Glance custom resource leaves to other resources, and cdk8s-glance needs. */
export interface CustomResourceOptions {
  /**
   * The database. The CR's databaseInstance names a MariaDB resource; here you name the Secret
   * that holds the connection URL for Glance's database on it.
   */
  readonly database: DatabaseOptions;
  /** Keystone URL the API validates tokens against. */
  readonly keystoneAuthUrl: string;
  /**
   * Keystone URL clients are sent to.
   * @default - keystoneAuthUrl
   */
  readonly keystonePublicAuthUrl?: string;
  /**
   * The image store, when the CR does not say it (customServiceConfig and extraMounts do). A CR
   * that configures a store and this option together are refused.
   * @default - the store the CR configures, else ImageBackend.file()
   */
  readonly backend?: ImageBackend;
  /**
   * The OpenStack release of the image.
   * @default GlanceRelease.ANTELOPE
   */
  readonly release?: GlanceRelease;
}

/** A Glance CR read into props, with where it came from. */
export interface CustomResourceRead {
  readonly props: GlanceProps;
  /** metadata.namespace of the CR, if it has one. */
  readonly namespace?: string;
  /** The same validation error in the CR's terms: its path (or CLI flag) and fix. */
  readonly inCrTerms: (error: GlanceValidationError) => GlanceValidationError;
}

type FieldType = 'string' | 'integer' | 'boolean' | 'object' | 'array' | 'quantity' | 'stringMap';
/**
 * How cdk8s-glance treats one field of the Glance CRD:
 * - read: becomes a prop (the reader below), its CRD default applied;
 * - ignored: accepted; it has no meaning for a synthesized deployment (the comment above it, and README, say why);
 * - unsupported: refused unless it holds its CRD default or is empty, naming the feature.
 */
type Field =
  | { readonly kind: 'read'; readonly type: FieldType; readonly default?: unknown }
  | { readonly kind: 'ignored'; readonly type: FieldType; readonly default?: unknown }
  | { readonly kind: 'unsupported'; readonly type: FieldType; readonly default?: unknown; readonly feature: string };

const read = (type: FieldType, dflt?: unknown): Field => ({ kind: 'read', type, default: dflt });
const ignored = (type: FieldType, dflt?: unknown): Field => ({ kind: 'ignored', type, default: dflt });
const unsupported = (type: FieldType, feature: string, dflt?: unknown): Field => ({ kind: 'unsupported', type, feature, default: dflt });

// The API's storage fields are refused with their parent: cdk8s-glance never reads below it.
const PER_API_STORAGE = 'per-API storage (glanceAPIs.*.storage)';

const API_FIELDS: Record<string, Field> = {
  // Ignored: the Route and httpd timeouts: cdk8s-glance creates neither
  'apiTimeout': ignored('integer'),
  'auth': unsupported('object', 'application credentials (auth.applicationCredentialSecret)'),
  'customServiceConfig': read('string'),
  'customServiceConfigSecrets': unsupported('array', 'config files from other Secrets (customServiceConfigSecrets)'),
  'imageCache': read('object'),
  'imageCache.cleanerScheduler': read('string', '*/30 * * * *'),
  'imageCache.prunerScheduler': read('string', '1 0 * * *'),
  'imageCache.size': read('quantity', ''),
  'networkAttachments': read('array'),
  'nodeSelector': read('stringMap'),
  'override': read('object'),
  'replicas': read('integer', 1),
  'resources': read('object'),
  'storage': unsupported('object', PER_API_STORAGE),
  'storage.external': unsupported('boolean', PER_API_STORAGE),
  'storage.storageClass': unsupported('string', PER_API_STORAGE),
  'storage.storageRequest': unsupported('string', PER_API_STORAGE),
  'tls': unsupported('object', 'TLS on the API pods (tls); terminate TLS in front and set behindTlsProxy'),
  'topologyRef': unsupported('object', 'Topology resources (topologyRef)'),
  'type': read('string', 'split'),
};

/** Every field of the Glance CRD's spec (test/fixtures/glance-crd-fields.txt is checked against it). */
export const GLANCE_SPEC_FIELDS: Record<string, Field> = {
  // Ignored: the Route and httpd timeouts: cdk8s-glance creates neither
  'apiTimeout': ignored('integer', 60),
  'containerImage': read('string'),
  'customServiceConfig': read('string'),
  'customServiceConfigSecrets': unsupported('array', 'config files from other Secrets (customServiceConfigSecrets)'),
  // Ignored: the MariaDBAccount resource: the database URL in your Secret holds the account
  'databaseAccount': ignored('string', 'glance'),
  // Ignored: the MariaDB resource: give the database URL's Secret (--database-secret)
  'databaseInstance': ignored('string'),
  'dbPurge': read('object'),
  'dbPurge.age': read('integer', 30),
  'dbPurge.schedule': read('string', '1 0 * * *'),
  'extraMounts': read('array'),
  'glanceAPIs': read('object', {}),
  'glanceAPIs.*': read('object'),
  ...Object.fromEntries(Object.entries(API_FIELDS).map(([path, field]) => [`glanceAPIs.*.${path}`, field])),
  'imageCache': read('object'),
  'imageCache.cleanerScheduler': read('string', '*/30 * * * *'),
  'imageCache.prunerScheduler': read('string', '1 0 * * *'),
  'imageCache.size': read('quantity', ''),
  'keystoneEndpoint': read('string', ''),
  // Ignored: the Memcached resource: keystonemiddleware caches tokens in each API process
  'memcachedInstance': ignored('string', 'memcached'),
  'nodeSelector': read('stringMap'),
  'notificationBusInstance': unsupported('string', 'notifications (notificationBusInstance)'),
  'notificationsBus': unsupported('object', 'notifications (notificationsBus)'),
  'passwordSelectors': read('object', { service: 'GlancePassword' }),
  'passwordSelectors.service': read('string', 'GlancePassword'),
  // Ignored: Job cleanup: cdk8s-glance keeps the db-sync Job until you delete it
  'preserveJobs': ignored('boolean', false),
  'quotas': read('object'),
  'quotas.imageCountTotal': unsupported('integer', 'Keystone unified limits (quotas)', 0),
  'quotas.imageCountUpload': unsupported('integer', 'Keystone unified limits (quotas)', 0),
  'quotas.imageSizeTotal': unsupported('integer', 'Keystone unified limits (quotas)', 0),
  'quotas.imageStageTotal': unsupported('integer', 'Keystone unified limits (quotas)', 0),
  'secret': read('string'),
  'serviceUser': read('string', 'glance'),
  'storage': read('object'),
  'storage.external': read('boolean'),
  'storage.storageClass': read('string'),
  'storage.storageRequest': read('quantity'),
  'topologyRef': unsupported('object', 'Topology resources (topologyRef)'),
};

/**
 * Fields earlier versions of the CRD had, which samples and old exports still carry. The API
 * server drops them on apply; so does cdk8s-glance, with a warning. Any other field the CRD
 * lacks is refused: a misspelt field would silently lose what it says.
 */
export const FORMER_GLANCE_SPEC_FIELDS: Record<string, string> = {
  'glanceAPIs.*.preserveJobs': 'moved to spec.preserveJobs',
};

/** The control plane's glance section around the Glance spec (OpenStackControlPlane spec.glance, core.openstack.org/v1beta1). */
export const CONTROL_PLANE_GLANCE_FIELDS: Record<string, Field> = {
  enabled: read('boolean', true),
  template: read('object'),
  serviceName: read('string', 'glance'),
  // Ignored (the CRD's default is true): a random suffix on the Glance CR's name: cdk8s-glance
  // names objects from serviceName, which keeps them stable
  uniquePodNames: ignored('boolean'),
  // Ignored: Route overrides: cdk8s-glance creates no Route
  apiOverrides: ignored('object'),
  applicationCredential: unsupported('object', 'application credentials (applicationCredential)', {}),
};

// A Map, not an object: a type such as "toString" must not find Object.prototype.
const API_TYPES = new Map<string, GlanceApiType>([
  ['single', GlanceApiType.SINGLE], ['split', GlanceApiType.SPLIT], ['edge', GlanceApiType.EDGE],
]);

interface Located {
  readonly spec: Record<string, any>;
  readonly path: string;
  readonly metadata: Record<string, any>;
  readonly extraMounts?: { readonly value: unknown; readonly path: string };
}

/**
 * Finds the Glance spec in what the user gave: YAML text or an object holding a whole
 * OpenStackControlPlane, a bare Glance CR, or just its spec.
 */
export function glanceSpecOf(input: unknown): Located {
  if (typeof input === 'string') {
    const docs = parseAllDocuments(input);
    const errors = docs.flatMap((d) => d.errors);
    if (errors.length) throw new GlanceValidationError('customResource', errors[0].message, 'is not valid YAML', 'fix the YAML syntax');
    let objects: any[];
    try {
      // toJS refuses more than 100 alias expansions: a few lines of aliases can expand to gigabytes.
      objects = docs.map((d) => d.toJS()).filter((o) => isObject(o));
    } catch (e) {
      throw new GlanceValidationError('customResource', (e as Error).message, 'cannot be read as YAML data', 'remove the aliases that expand it');
    }
    const found = objects.filter((o) => o.kind === 'OpenStackControlPlane' || o.kind === 'Glance');
    if (found.length !== 1) {
      throw new GlanceValidationError('customResource', `${found.length} OpenStackControlPlane or Glance documents`,
        'must hold exactly one OpenStackControlPlane or Glance resource', 'give one file per Glance');
    }
    return glanceSpecOf(found[0]);
  }
  if (!isObject(input)) throw new GlanceValidationError('customResource', input, 'is not an object', 'give a Glance CR, its spec, or YAML text');
  const metadata = isObject(input.metadata) ? input.metadata : {};
  if (input.kind === 'OpenStackControlPlane') {
    const glance = input.spec?.glance;
    if (!isObject(glance) || !isObject(glance.template)) {
      throw new GlanceValidationError('spec.glance.template', glance?.template, 'is missing', 'add the Glance template to the OpenStackControlPlane');
    }
    walk(glance, 'spec.glance', CONTROL_PLANE_GLANCE_FIELDS, '');
    if (!valueOrDefault(glance, 'enabled', CONTROL_PLANE_GLANCE_FIELDS)) {
      throw new GlanceValidationError('spec.glance.enabled', false, 'disables Glance', 'set enabled: true, or do not synthesize Glance');
    }
    // The control plane names its Glance "glance"; its extraMounts sit beside the services.
    return {
      spec: glance.template,
      path: 'spec.glance.template',
      metadata: { name: valueOrDefault(glance, 'serviceName', CONTROL_PLANE_GLANCE_FIELDS), namespace: metadata.namespace },
      extraMounts: { value: input.spec.extraMounts, path: 'spec.extraMounts' },
    };
  }
  if (input.kind === 'Glance') {
    if (!isObject(input.spec)) throw new GlanceValidationError('spec', input.spec, 'is missing', 'give the Glance CR a spec');
    return { spec: input.spec, path: 'spec', metadata };
  }
  if (input.kind !== undefined) {
    throw new GlanceValidationError('kind', input.kind, 'is neither OpenStackControlPlane nor Glance', 'give one of those resources');
  }
  return { spec: input, path: 'spec', metadata: {} };
}

/** Reads a Glance CR into GlanceProps, rejecting every field it cannot honour. */
export function glancePropsFromCustomResource(input: unknown, options: CustomResourceOptions): GlanceProps {
  return readCustomResource(input, options).props;
}

/** Reads a Glance CR: its props, its namespace, and how to name its fields in errors. */
export function readCustomResource(input: unknown, options: CustomResourceOptions): CustomResourceRead {
  const located = glanceSpecOf(input);
  const { spec, path } = located;
  walk(spec, path, GLANCE_SPEC_FIELDS, '');
  const at = (field: string) => `${path}.${field}`;
  const value = (field: string) => valueOrDefault(spec, field, GLANCE_SPEC_FIELDS);

  const glanceAPIs: Record<string, any> = value('glanceAPIs');
  // A CR without glanceAPIs has the one API named "default".
  const entries = Object.entries<any>(Object.keys(glanceAPIs).length ? glanceAPIs : { default: {} });
  const keystoneEndpoint: string = value('keystoneEndpoint');
  if (keystoneEndpoint !== '' && !Object.hasOwn(glanceAPIs, keystoneEndpoint)) {
    throw new GlanceValidationError(at('keystoneEndpoint'), keystoneEndpoint, 'names no entry of glanceAPIs', 'name the API whose endpoints Keystone lists');
  }
  const storage = spec.storage ?? {};
  // The operator reads "" as "the default class", as an unset storageClassName does; it sizes the
  // image cache claims from the same class.
  const storageClass = storage.storageClass === '' ? undefined : storage.storageClass;
  const apis: Record<string, GlanceApiOptions> = {};
  for (const [name, api] of entries) {
    const apiPath = `${path}.glanceAPIs.${name}`;
    const apiValue = (field: string) => valueOrDefault(api ?? {}, field, API_FIELDS);
    const typeName: string = apiValue('type');
    const type = API_TYPES.get(typeName);
    if (!type) throw new GlanceValidationError(`${apiPath}.type`, typeName, 'is not a Glance API type', `use one of ${[...API_TYPES.keys()].join(', ')}`);
    const apiConfig = api?.customServiceConfig === undefined ? {} : parseIni(`${apiPath}.customServiceConfig`, api.customServiceConfig);
    if (apiConfig.DEFAULT?.enabled_backends !== undefined || apiConfig.glance_store !== undefined) {
      throw new GlanceValidationError(`${apiPath}.customServiceConfig`, apiConfig.DEFAULT?.enabled_backends ?? '[glance_store]',
        'is not supported by cdk8s-glance: per-API stores (enabled_backends or [glance_store] in an API\'s customServiceConfig)',
        'configure the stores once, in spec customServiceConfig; every API of a deployment serves the same stores');
    }
    apis[name] = {
      type,
      replicas: apiValue('replicas'),
      customServiceConfig: api?.customServiceConfig,
      imageCache: imageCacheOf(api?.imageCache, storageClass),
      nodeSelector: api?.nodeSelector ?? spec.nodeSelector,
      networkAttachments: api?.networkAttachments,
      endpointServices: api?.override ? endpointServicesOf(api.override, `${apiPath}.override`) : undefined,
      resources: api?.resources ? resourcesOf(api.resources, `${apiPath}.resources`) : undefined,
    };
  }

  const stores = ImageBackend._readFrom(`${path}.customServiceConfig`, () => storesOf(located, options, entries.map(([name]) => name)));
  const props: GlanceProps = {
    name: located.metadata.name ?? 'glance',
    image: spec.containerImage,
    release: options.release,
    database: options.database,
    keystone: {
      authUrl: options.keystoneAuthUrl,
      publicAuthUrl: options.keystonePublicAuthUrl,
      username: value('serviceUser'),
      // The glance-operator's convention: the service password in "osp-secret", key "GlancePassword".
      passwordSecret: { name: spec.secret ?? 'osp-secret', key: value('passwordSelectors.service') },
    },
    backend: stores.backend,
    storage: spec.storage && { storageRequest: quantityOf(storage.storageRequest), storageClass, external: storage.external },
    customServiceConfig: stores.customServiceConfig,
    imageCache: imageCacheOf(spec.imageCache, storageClass),
    // The operator always purges: its CRD defaults are cdk8s-glance's own.
    dbPurge: { ageInDays: value('dbPurge.age'), schedule: value('dbPurge.schedule') },
    apis,
  };
  if (typeof props.name !== 'string') {
    throw new GlanceValidationError('metadata.name', props.name, 'is not a name', 'give the Glance CR a name such as "glance"');
  }
  const namespace = located.metadata.namespace;
  if (namespace !== undefined && (typeof namespace !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))) {
    throw new GlanceValidationError('metadata.namespace', namespace, 'is not a Kubernetes namespace name', 'use lower-case letters, digits and "-"');
  }
  return { props, namespace, inCrTerms: crPathTranslator(path, stores) };
}

/** The prop paths of GlanceProps, in the terms of the CR (or the CLI flag) they came from. */
function crPathTranslator(path: string, store: { flag: string; fix: string }): (error: GlanceValidationError) => GlanceValidationError {
  // Each pattern matches a whole prop path; the first that matches renames it.
  const rules: Array<[string, string, string?]> = [
    ['name', 'metadata.name'],
    ['image', `${path}.containerImage`],
    ['release', '--release'],
    ['database(\\..*)?', '--database-secret'],
    ['keystone\\.passwordSecret\\.name', `${path}.secret`],
    ['keystone\\.passwordSecret\\.key', `${path}.passwordSelectors.service`],
    ['keystone\\.username', `${path}.serviceUser`],
    ['keystone\\.(publicAuthUrl|authUrl)', '--keystone-url'],
    ['backend(\\..*)?', store.flag, store.fix],
    ['apis\\.([^.]+)\\.imageCache\\.(pruner|cleaner)Schedule', `${path}.glanceAPIs.$1.imageCache.$2Scheduler`],
    ['imageCache\\.(pruner|cleaner)Schedule', `${path}.imageCache.$1Scheduler`],
    ['apis\\.([^.]+)\\.resources\\.(cpu|memory)Request', `${path}.glanceAPIs.$1.resources.requests.$2`],
    ['apis\\.([^.]+)\\.resources\\.(cpu|memory)Limit', `${path}.glanceAPIs.$1.resources.limits.$2`],
    ['apis\\.([^.]+)\\.endpointServices\\.(internal|public)Service\\.serviceType', `${path}.glanceAPIs.$1.override.service.$2.spec.type`],
    ['apis\\.([^.]+)\\.endpointServices\\.(internal|public)Service\\.(annotations|labels)(.*)', `${path}.glanceAPIs.$1.override.service.$2.metadata.$3$4`],
    ['apis(\\..*)?', `${path}.glanceAPIs$1`],
    ['dbPurge\\.ageInDays', `${path}.dbPurge.age`],
    ['(imageCache|storage|dbPurge|customServiceConfig)(\\..*)?', `${path}.$1$2`],
  ];
  const compiled = rules.map(([pattern, to, fix]) => [new RegExp(`^(?:${pattern})$`), to, fix] as const);
  return (error) => {
    const rule = compiled.find(([pattern]) => pattern.test(error.prop));
    return rule ? error.renamed(error.prop.replace(rule[0], rule[1]), rule[2]) : error;
  };
}

interface Stores { readonly backend?: ImageBackend; readonly customServiceConfig?: string; readonly flag: string; readonly fix: string }

/**
 * The image store: from the CR (customServiceConfig's store sections and extraMounts) or from
 * the options, never both. The store options leave customServiceConfig, since cdk8s-glance
 * renders them itself.
 */
function storesOf(located: Located, options: CustomResourceOptions, apiNames: string[]): Stores {
  const { spec, path } = located;
  const custom: string | undefined = spec.customServiceConfig;
  const sections = custom === undefined ? {} : parseIni(`${path}.customServiceConfig`, custom);
  // The trust boundary on the text as the CR holds it, so that a line number is the CR's (the store's
  // options leave the text below); the options the library manages are checked when it is rendered.
  if (custom !== undefined) checkCustomServiceConfig(`${path}.customServiceConfig`, custom, {});
  const enabled = sections.DEFAULT?.enabled_backends;
  const mounts = mountsOf(located, apiNames);
  if (enabled === undefined && !mounts.nfs && !mounts.cephSecrets.length) {
    return {
      backend: options.backend,
      customServiceConfig: custom,
      flag: `${path}.extraMounts (or --ceph-secret, --shared-claim)`,
      fix: 'mount an NFS volume at /var/lib/glance/images through extraMounts, give --shared-claim NAME or --shared-storage-class CLASS, or use Ceph (--ceph-secret NAME)',
    };
  }
  const crPath = `${path}.customServiceConfig`;
  if (options.backend) {
    throw new GlanceValidationError(enabled !== undefined ? crPath : mounts.path, enabled ?? 'extraMounts',
      'configures the image store, and so does a store option (--ceph-secret, --shared-claim or --shared-storage-class)', 'give the store one way: remove the option');
  }
  const backends = String(enabled ?? 'default_backend:file').split(',').map((b) => b.split(':').map((part) => part.trim()));
  const defaultName = String(sections.glance_store?.default_backend ?? backends[0][0]);
  const stores: Record<string, ImageBackend> = {};
  for (const [name, type] of backends) {
    if (!name || !type) throw new GlanceValidationError(crPath, enabled, 'is not a list of <name>:<type> (enabled_backends)', 'write e.g. "default_backend:rbd"');
    const section = sections[name] ?? {};
    // What the store renders itself leaves the user's config (an emptied section goes below);
    // options it does not read stay theirs.
    stores[name] = storeFromSection(type, name, section, mounts, `${crPath} [${name}]`);
  }
  if (!Object.hasOwn(stores, defaultName)) {
    throw new GlanceValidationError(crPath, `default_backend = ${defaultName}`, 'names no store of enabled_backends', 'name one of them in [glance_store] default_backend');
  }
  delete sections.DEFAULT?.enabled_backends;
  delete sections.glance_store?.default_backend;
  // The legacy store list: multiple stores ignore it.
  delete sections.glance_store?.stores;
  const rest = Object.fromEntries(Object.entries(sections).filter(([, opts]) => Object.keys(opts).length > 0));
  // The stores keep their names: a name is the store id that image locations record. (One store
  // named default_backend renders as the library's single store does.)
  return {
    backend: ImageBackend.multi({ stores, defaultStore: defaultName }),
    customServiceConfig: Object.keys(rest).length ? renderIni(rest, IniValues.AS_WRITTEN) : undefined,
    flag: backends.some(([, type]) => type === 'file') ? mounts.path : crPath,
    fix: 'mount an NFS volume at /var/lib/glance/images through extraMounts, or use Ceph',
  };
}

/** Options that hold the operator's template for a value cdk8s-glance fills in itself. */
const OPERATOR_TEMPLATE = /^\{\{\s*\.[A-Za-z]+\s*\}\}$/;

/**
 * One store of enabled_backends, from its section of customServiceConfig. The options it maps
 * are taken out of `section`; the rest stay in the user's config.
 */
function storeFromSection(type: string, name: string, section: Record<string, string>, mounts: Mounts, path: string): ImageBackend {
  const take = (option: string): string | undefined => {
    const value = section[option];
    delete section[option];
    // oslo.config drops the quotes around a value that starts and ends with the same one.
    return value === undefined ? undefined : String(value).replace(/^(["'])(.*)\1$/, '$2');
  };
  const description = take('store_description');
  switch (type) {
    case 'file': {
      const dir = (take('filesystem_store_datadir') ?? FILE_STORE_DIR).replace(/\/+$/, '');
      if (dir !== FILE_STORE_DIR) {
        throw new GlanceValidationError(path, `filesystem_store_datadir = ${dir}`, 'puts the file store elsewhere than /var/lib/glance/images', `use ${FILE_STORE_DIR}`);
      }
      return ImageBackend.file({ sharedStore: mounts.nfs ? { nfs: mounts.nfs } : undefined, description });
    }
    case 'rbd': {
      if (mounts.cephSecrets.length === 0) {
        throw new GlanceValidationError(mounts.path, 'no Ceph Secret', `is where the ${name} store's ceph.conf and keyring come from, and it mounts none at /etc/ceph`,
          'mount the Ceph Secret(s) at /etc/ceph in extraMounts, with a propagation that names Glance');
      }
      const conf = take('rbd_store_ceph_conf') ?? '/etc/ceph/ceph.conf';
      const cluster = /^\/etc\/ceph\/([A-Za-z0-9_.-]+)\.conf$/.exec(conf)?.[1];
      if (!cluster) throw new GlanceValidationError(path, `rbd_store_ceph_conf = ${conf}`, 'is not a file /etc/ceph/<cluster>.conf', 'keep the Ceph files in /etc/ceph');
      return ImageBackend.rbd({ cephSecretNames: mounts.cephSecrets, cluster, pool: take('rbd_store_pool'), user: take('rbd_store_user'), description });
    }
    case 'swift': {
      // The operator's templates stand for the deployment's own Keystone, service user and region.
      for (const option of ['swift_store_auth_address', 'swift_store_key']) {
        const value = take(option);
        if (value !== undefined && !OPERATOR_TEMPLATE.test(value)) {
          throw new GlanceValidationError(path, `${option} = ${option.endsWith('key') ? '<hidden>' : value}`,
            option.endsWith('key') ? 'puts a credential in customServiceConfig' : 'points Swift at another Keystone than the deployment\'s',
            'leave it to cdk8s-glance: the Swift store authenticates against keystone with the service user\'s password Secret');
        }
      }
      const version = take('swift_store_auth_version');
      if (version !== undefined && version !== '3') throw new GlanceValidationError(path, `swift_store_auth_version = ${version}`, 'is not Keystone v3', 'use 3');
      take('swift_store_create_container_on_put');
      const [projectName, user] = (take('swift_store_user') ?? '').split(':');
      const region = take('swift_store_region');
      return ImageBackend.swift({
        projectName: projectName || undefined,
        user: user || undefined,
        region: OPERATOR_TEMPLATE.test(String(region)) ? undefined : region,
        endpointType: take('swift_store_endpoint_type'),
        container: take('swift_store_container'),
        description,
      });
    }
    default:
      throw new GlanceValidationError(path, `${name}:${type}`, `is not supported by cdk8s-glance from a CR: the ${type} store`,
        type === 'cinder' ? 'the cinder store needs privileged API pods: use ImageBackend.cinder({ allowPrivilegedAttach: true }) in code'
          : 'use the file, rbd or swift store here, or ImageBackend in code (s3 takes its keys from Secrets)');
  }
}

interface Mounts { readonly nfs?: { server: string; path: string }; readonly cephSecrets: string[]; readonly path: string }

/** The extraMounts that reach Glance: an NFS volume at the file store, Ceph Secrets at /etc/ceph; `apiNames` are the APIs a propagation may name. */
function mountsOf(located: Located, apiNames: string[]): Mounts {
  const extra = located.extraMounts ?? { value: located.spec.extraMounts, path: `${located.path}.extraMounts` };
  const result: { nfs?: { server: string; path: string }; cephSecrets: string[]; path: string } = { cephSecrets: [], path: extra.path };
  if (extra.value === undefined || extra.value === null) return result;
  if (!Array.isArray(extra.value)) throw new GlanceValidationError(extra.path, extra.value, 'is not a list', 'write extraMounts as a YAML list');
  extra.value.forEach((entry: any, i: number) => {
    const entryPath = `${extra.path}[${i}]`;
    if (!isObject(entry) || !Array.isArray(entry.extraVol)) throw new GlanceValidationError(`${entryPath}.extraVol`, entry?.extraVol, 'is not a list', 'give extraVol as a list');
    entry.extraVol.forEach((vol: any, j: number) => {
      const volPath = `${entryPath}.extraVol[${j}]`;
      const propagation: unknown[] = vol?.propagation ?? [];
      if (!Array.isArray(propagation)) throw new GlanceValidationError(`${volPath}.propagation`, propagation, 'is not a list', 'list the services');
      // The operator mounts into an API pod what names Glance, GlanceAPI or that API's own name;
      // mounts meant for other services (Cinder, Manila, ...) are not Glance's. A mount for only
      // some of the APIs has no counterpart here: every API pod of a deployment mounts the same.
      const names = propagation.map(String);
      const forApis = apiNames.filter((api) => names.includes(api));
      if (propagation.length && !names.some((p) => /^glance/i.test(p))) {
        if (forApis.length === 0) return;
        if (forApis.length < apiNames.length) {
          throw new GlanceValidationError(`${volPath}.propagation`, propagation,
            `is not supported by cdk8s-glance: a mount for some of the APIs (${forApis.join(', ')}), where every API pod mounts the same`,
            'propagate it to Glance, so that every API mounts it, or remove it');
        }
      }
      // Stryker disable next-line ArrayDeclaration: an entry that is not a volume has no name for a mount to find
      const volumes: any[] = Array.isArray(vol?.volumes) ? vol.volumes : [];
      for (const [k, mount] of (Array.isArray(vol?.mounts) ? vol.mounts : []).entries()) {
        const mountPath = `${volPath}.mounts[${k}]`;
        const volume = volumes.find((v) => v?.name === mount?.name);
        const where = String(mount?.mountPath).replace(/\/+$/, '');
        if (volume?.nfs && where === FILE_STORE_DIR) {
          if (typeof volume.nfs.server !== 'string' || typeof volume.nfs.path !== 'string') {
            throw new GlanceValidationError(`${volPath}.volumes`, volume.nfs, 'is an NFS volume without server and path', 'give nfs.server and nfs.path');
          }
          result.nfs = { server: volume.nfs.server, path: volume.nfs.path };
        } else if (where === '/etc/ceph' && (volume?.secret || volume?.projected)) {
          const secrets = volume.secret ? [volume.secret.secretName] : (volume.projected.sources ?? []).map((s: any) => s?.secret?.name);
          if (volume.secret && typeof volume.secret.secretName !== 'string') {
            throw new GlanceValidationError(`${volPath}.volumes`, volume, 'is a Secret volume without secretName (Kubernetes would reject it)', 'name the Secret in secret.secretName');
          }
          if (secrets.some((s: unknown) => typeof s !== 'string')) {
            throw new GlanceValidationError(`${volPath}.volumes`, volume, 'projects something other than Secrets into /etc/ceph', 'project only the Ceph Secrets');
          }
          result.cephSecrets.push(...secrets);
        } else {
          throw new GlanceValidationError(mountPath, mount, 'is not supported by cdk8s-glance: only an NFS volume at /var/lib/glance/images and Ceph Secrets at /etc/ceph are read from extraMounts',
            'remove it; see the README, "Bring your Glance CR"');
        }
      }
    });
  });
  return result;
}

/**
 * The operator's override of the endpoint Services: type, annotations and labels, for internal
 * and public. Anything else it can override is refused by its path.
 */
function endpointServicesOf(override: Record<string, any>, path: string): EndpointServicesOptions | undefined {
  const result: Record<string, EndpointServiceOptions> = {};
  for (const [key, value] of Object.entries(override)) {
    if (key !== 'service') throw unsupportedAt(`${path}.${key}`, value, `overrides of ${key}`);
    if (!isObject(value)) throw new GlanceValidationError(`${path}.service`, value, 'is not a mapping', 'give internal and public');
    for (const [endpoint, service] of Object.entries<any>(value)) {
      const at = `${path}.service.${endpoint}`;
      if (endpoint !== 'internal' && endpoint !== 'public') throw unsupportedAt(at, service, `an override of the ${endpoint} Service`);
      if (service === null || service === undefined) continue;
      if (!isObject(service)) throw new GlanceValidationError(at, service, 'is not a mapping', 'give metadata and spec');
      for (const [part, content] of Object.entries<any>(service)) {
        const allowed = SERVICE_OVERRIDES.get(part);
        if (!isObject(content)) throw unsupportedAt(`${at}.${part}`, content, `Service ${part} overrides`);
        for (const field of Object.keys(content)) {
          if (!allowed?.includes(field)) throw unsupportedAt(`${at}.${part}.${field}`, content[field], `Service overrides of ${part}.${field}`);
        }
      }
      result[`${endpoint}Service`] = {
        // The CR's type strings are kplus.ServiceType's values: the props' own check applies.
        serviceType: checkServiceType(`${at}.spec.type`, service.spec?.type),
        annotations: service.metadata?.annotations,
        labels: service.metadata?.labels,
      };
    }
  }
  return Object.keys(result).length ? result : undefined;
}

/** What an endpoint Service override may set, by part. */
const SERVICE_OVERRIDES = new Map([['metadata', ['annotations', 'labels']], ['spec', ['type']]]);

function unsupportedAt(path: string, value: unknown, feature: string): GlanceValidationError {
  return new GlanceValidationError(path, value, `is not supported by cdk8s-glance: ${feature}`,
    'remove it; see the README, "Bring your Glance CR", for what cdk8s-glance reads and what replaces the rest');
}

function imageCacheOf(cache: any, storageClass: string | undefined): ImageCacheOptions | undefined {
  if (cache === undefined || cache === null) return undefined;
  // The CRD's default size is "": no cache.
  const size = quantityOf(cache.size);
  if (size === undefined || size === '') return undefined;
  return { size, prunerSchedule: cache.prunerScheduler, cleanerSchedule: cache.cleanerScheduler, storageClass };
}

function resourcesOf(resources: any, path: string): GlanceApiOptions['resources'] {
  for (const key of Object.keys(resources)) {
    if (key !== 'requests' && key !== 'limits') throw new GlanceValidationError(`${path}.${key}`, resources[key], 'is not supported by cdk8s-glance', 'give requests and limits only');
    for (const [resource, amount] of Object.entries<any>(resources[key] ?? {})) {
      if (resource !== 'cpu' && resource !== 'memory') throw new GlanceValidationError(`${path}.${key}.${resource}`, amount, 'is not supported by cdk8s-glance', 'give cpu and memory only');
    }
  }
  return {
    cpuRequest: quantityOf(resources.requests?.cpu),
    memoryRequest: quantityOf(resources.requests?.memory),
    cpuLimit: quantityOf(resources.limits?.cpu),
    memoryLimit: quantityOf(resources.limits?.memory),
  };
}

/** YAML reads "10" as a number; quantities are text. */
function quantityOf(value: string | number | undefined): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

/** A field's value, or its CRD default. */
function valueOrDefault(object: Record<string, any>, path: string, table: Record<string, Field>): any {
  const found = path.split('.').reduce<any>((o, key) => (isObject(o) ? o[key] : undefined), object);
  return found ?? table[path].default;
}

/**
 * Checks every field of a CR object against the table: types, unsupported features, and fields
 * the CRD does not have. The API server drops those on apply; a misspelt field would silently
 * lose what it says, so they are refused.
 */
function walk(object: Record<string, any>, crPath: string, table: Record<string, Field>, prefix: string): void {
  for (const [key, child] of Object.entries(object)) {
    const tablePath = prefix ? `${prefix}.${key}` : key;
    const path = `${crPath}.${key}`;
    // Own properties only: a field named "constructor" must not match Object.prototype.
    const patternPath = Object.hasOwn(table, tablePath) ? tablePath : `${prefix}.*`;
    const field = Object.hasOwn(table, patternPath) ? table[patternPath] : undefined;
    const former = Object.hasOwn(FORMER_GLANCE_SPEC_FIELDS, tablePath) ? FORMER_GLANCE_SPEC_FIELDS[tablePath] : undefined;
    if (!field && former !== undefined) {
      process.emitWarning(`cdk8s-glance: ${path} is no field of the Glance CRD any more (${former}); the API server drops it on apply, and so does cdk8s-glance`,
        { code: 'CDK8S_GLANCE_FORMER_CR_FIELD' });
      continue;
    }
    if (!field) {
      throw new GlanceValidationError(path, child, 'is not a field of the Glance CRD (the API server would drop it)',
        `remove it, or check its spelling against the CRD (fields here: ${Object.keys(table).filter((k) => k.startsWith(prefix ? `${prefix}.` : '')
          && !k.slice(prefix ? prefix.length + 1 : 0).includes('.')).map((k) => k.split('.').pop()).join(', ')})`);
    }
    if (child === null || child === undefined) continue;
    if (!hasType(child, field.type)) throw new GlanceValidationError(path, child, `is not ${article(field.type)}`, `write it as ${article(field.type)}`);
    if (field.kind === 'unsupported' && !isDefaultOrEmpty(child, field.default)) {
      throw new GlanceValidationError(path, child, `is not supported by cdk8s-glance: ${field.feature}`,
        'remove it; see the README, "Bring your Glance CR", for what cdk8s-glance reads and what replaces the rest');
    }
    const hasChildren = Object.keys(table).some((k) => k.startsWith(`${patternPath}.`));
    // Only mappings have fields below them; an unsupported one got here empty, and its fields are too.
    if (hasChildren) walk(child, path, table, patternPath);
  }
}

function hasType(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'integer': return Number.isInteger(value);
    case 'quantity': return typeof value === 'string' || typeof value === 'number';
    case 'object': return isObject(value);
    case 'stringMap': return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
    case 'array': return Array.isArray(value);
    default: return typeof value === type;
  }
}

function article(type: FieldType): string {
  return {
    string: 'a string',
    integer: 'a whole number',
    boolean: 'true or false',
    object: 'a mapping',
    array: 'a list',
    quantity: 'a quantity',
    stringMap: 'a mapping of strings',
  }[type];
}

function isDefaultOrEmpty(value: unknown, dflt: unknown): boolean {
  if (JSON.stringify(value) === JSON.stringify(dflt)) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.values(value).every((v) => v === null || isDefaultOrEmpty(v, undefined));
  return value === '';
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
