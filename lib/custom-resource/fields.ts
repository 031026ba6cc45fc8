/**
 * The fields of the Glance CRD and of the control plane's glance section, one row each: how
 * cdk8s-glance treats the field, its type and CRD default, and for a field it reads, the prop it
 * becomes. The reader (read.ts) fills the props from these rows, and errors on a prop are named
 * by the row's field (translate.ts): a field's mapping is written here only.
 */
import {
  apiConfigOf, apiTypeOf, cronOf, endpointServicesOf, mebibytesOf, nonEmpty, nonEmptyList, OVERRIDE_PARTS, quantityOf, RESOURCE_PARTS, resourcesOf,
} from './values';

export type FieldType = 'string' | 'integer' | 'boolean' | 'object' | 'array' | 'quantity' | 'stringMap';

/** Turns a field's value (its CRD default where unset) into its prop's; `path` is the field's path in the CR, for errors. */
export type FieldReader = (value: any, path: string) => unknown;

/** The CRD's bounds on a field's value: the API server refuses a value outside them. */
export interface FieldBounds {
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
}

/** Where a field that is read goes. */
export interface FieldProp {
  /**
   * The prop path the field becomes, relative to the props its table reads ("*" stands for the
   * field's own "*"). An error on that prop, or on a prop below it, names the field.
   * @default - none: the reader uses the field in other ways (extraMounts)
   */
  readonly prop?: string;
  /** The CRD default. */
  readonly default?: unknown;
  /** @default - the value as it is */
  readonly as?: FieldReader;
  /** For a mapping read as a whole: the props below `prop`, each with its path below the field. */
  readonly parts?: Readonly<Record<string, string>>;
}

/**
 * How cdk8s-glance treats one field of the Glance CRD:
 * - read: becomes a prop (see FieldProp), its CRD default applied;
 * - ignored: accepted; it has no meaning for a synthesized deployment (the comment above it, and README, say why);
 * - unsupported: refused unless it holds its CRD default or is empty, naming the feature.
 */
export type Field = { readonly bounds?: FieldBounds } & (
  | ({ readonly kind: 'read'; readonly type: FieldType } & FieldProp)
  | { readonly kind: 'ignored'; readonly type: FieldType; readonly default?: unknown }
  | { readonly kind: 'unsupported'; readonly type: FieldType; readonly default?: unknown; readonly feature: string });

const read = (type: FieldType, prop: FieldProp & { readonly bounds?: FieldBounds } = {}): Field => ({ kind: 'read', type, ...prop });
const ignored = (type: FieldType, dflt?: unknown, bounds?: FieldBounds): Field => ({ kind: 'ignored', type, default: dflt, bounds });
const unsupported = (type: FieldType, feature: string, dflt?: unknown): Field => ({ kind: 'unsupported', type, feature, default: dflt });

// The API's storage fields are refused with their parent: cdk8s-glance never reads below it.
const PER_API_STORAGE = 'per-API storage (glanceAPIs.*.storage)';

/** The fields of one entry of glanceAPIs; their props are GlanceApiOptions'. */
export const API_FIELDS: Record<string, Field> = {
  // The probes' timing, as the operator derives it (read.ts); where unset, spec.apiTimeout
  'apiTimeout': read('integer', { bounds: { minimum: 1 } }),
  'auth': read('object'),
  // keystone.applicationCredentialSecret when every API names the same (read.ts)
  'auth.applicationCredentialSecret': read('string'),
  'customServiceConfig': read('string', { prop: 'customServiceConfig', as: apiConfigOf }),
  // In place of spec.customServiceConfigSecrets; empty, that list (glance_controller.go apiDeploymentCreateOrUpdate)
  'customServiceConfigSecrets': read('array', { prop: 'configSecrets', as: nonEmptyList }),
  'imageCache': read('object', { prop: 'imageCache' }),
  'imageCache.cleanerScheduler': read('string', { prop: 'imageCache.cleanerSchedule', default: '*/30 * * * *', as: cronOf }),
  'imageCache.prunerScheduler': read('string', { prop: 'imageCache.prunerSchedule', default: '1 0 * * *', as: cronOf }),
  'imageCache.size': read('quantity', { prop: 'imageCache.size', default: '', as: quantityOf }),
  'networkAttachments': read('array', { prop: 'networkAttachments' }),
  // Where unset, spec.nodeSelector
  'nodeSelector': read('stringMap', { prop: 'nodeSelector' }),
  'override': read('object', { prop: 'endpointServices', as: endpointServicesOf, parts: OVERRIDE_PARTS }),
  'replicas': read('integer', { prop: 'replicas', default: 1, bounds: { minimum: 0, maximum: 32 } }),
  'resources': read('object', { prop: 'resources', as: resourcesOf, parts: RESOURCE_PARTS }),
  'storage': unsupported('object', PER_API_STORAGE),
  'storage.external': unsupported('boolean', PER_API_STORAGE),
  'storage.storageClass': unsupported('string', PER_API_STORAGE),
  'storage.storageRequest': unsupported('string', PER_API_STORAGE),
  // The API's certificates (an empty name is none, as the operator reads it); the CA bundle becomes the
  // deployment's tls.caBundleSecret, and a control plane replaces them all (tls.ts)
  'tls': read('object'),
  'tls.api': read('object'),
  'tls.api.internal': read('object'),
  'tls.api.internal.secretName': read('string', { prop: 'tls.internalSecretName', as: nonEmpty }),
  'tls.api.public': read('object'),
  'tls.api.public.secretName': read('string', { prop: 'tls.publicSecretName', as: nonEmpty }),
  'tls.caBundleSecretName': read('string'),
  // The Topology resource it names, from the input's documents (read.ts); where unset, spec.topologyRef
  'topologyRef': read('object'),
  'type': read('string', { prop: 'type', default: 'split', as: apiTypeOf }),
};

/**
 * Where the operators' code gives a field its effect: "<repository> <file> <function>", a function
 * that reads the field (test/custom-resource/field-sources.test.ts checks each against the
 * functions that read it, test/fixtures/operator-field-refs.txt, written from the code by
 * scripts/collect-operator-field-refs.ts). README's reader table follows them.
 */
const GO = 'glance-operator';
const WEBHOOK = `${GO} api/v1beta1/glance_webhook.go Default`;
const INHERITANCE = `${GO} internal/controller/glance_controller.go apiDeploymentCreateOrUpdate`;
const API_CONFIG = `${GO} internal/controller/glanceapi_controller.go generateServiceConfig`;
const API_STATEFUL_SET = `${GO} internal/glanceapi/statefulset.go StatefulSet`;
const API_CLAIMS = `${GO} internal/glance/pvc.go GetPvc`;
const CONTROL_PLANE = 'openstack-operator internal/openstack/glance.go ReconcileGlance';
/** A field no function reads where it is (the reader accepts it without effect, and says so). */
export const NOT_READ = 'none';

/** The source of each field of API_FIELDS (the GlanceAPI's spec, or the Glance's glanceAPIs entry). */
export const API_FIELD_SOURCES: Record<string, string> = {
  'apiTimeout': API_STATEFUL_SET,
  'auth': API_CONFIG,
  'auth.applicationCredentialSecret': API_CONFIG,
  'customServiceConfig': API_CONFIG,
  'customServiceConfigSecrets': API_CONFIG,
  'imageCache': API_CONFIG,
  'imageCache.cleanerScheduler': `${GO} internal/controller/glanceapi_controller.go ensureImageCacheJob`,
  'imageCache.prunerScheduler': `${GO} internal/controller/glanceapi_controller.go ensureImageCacheJob`,
  'imageCache.size': API_STATEFUL_SET,
  'networkAttachments': `${GO} internal/controller/glanceapi_controller.go reconcileNormal`,
  'nodeSelector': API_STATEFUL_SET,
  'override': `${GO} internal/controller/glanceapi_controller.go reconcileInit`,
  'replicas': API_STATEFUL_SET,
  'resources': API_STATEFUL_SET,
  'storage': API_STATEFUL_SET,
  'storage.external': API_STATEFUL_SET,
  'storage.storageClass': API_CLAIMS,
  'storage.storageRequest': API_CLAIMS,
  'tls': API_STATEFUL_SET,
  'tls.api': API_STATEFUL_SET,
  'tls.api.internal': API_STATEFUL_SET,
  'tls.api.internal.secretName': API_STATEFUL_SET,
  'tls.api.public': API_STATEFUL_SET,
  'tls.api.public.secretName': API_STATEFUL_SET,
  'tls.caBundleSecretName': API_STATEFUL_SET,
  'topologyRef': `${GO} internal/controller/glanceapi_controller.go reconcileNormal`,
  'type': API_STATEFUL_SET,
};

/** The source of each of GLANCE_SPEC_FIELDS' own fields (those below glanceAPIs.* are API_FIELD_SOURCES'). */
export const GLANCE_SPEC_FIELD_SOURCES: Record<string, string> = {
  'apiTimeout': WEBHOOK,
  'containerImage': INHERITANCE,
  'customServiceConfig': INHERITANCE,
  'customServiceConfigSecrets': INHERITANCE,
  'databaseAccount': `${GO} internal/controller/glance_controller.go ensureDB`,
  'databaseInstance': `${GO} internal/controller/glance_controller.go ensureDB`,
  'dbPurge': `${GO} internal/glance/cronjob.go DBPurgeJob`,
  'dbPurge.age': `${GO} internal/glance/cronjob.go DBPurgeJob`,
  'dbPurge.schedule': `${GO} internal/controller/glance_controller.go ensureDBPurgeJob`,
  'extraMounts': INHERITANCE,
  'glanceAPIs': `${GO} internal/controller/glance_controller.go apiDeployment`,
  'glanceAPIs.*': `${GO} internal/controller/glance_controller.go apiDeployment`,
  'imageCache': INHERITANCE,
  'imageCache.cleanerScheduler': NOT_READ,
  'imageCache.prunerScheduler': NOT_READ,
  'imageCache.size': INHERITANCE,
  'keystoneEndpoint': INHERITANCE,
  'memcachedInstance': INHERITANCE,
  'nodeSelector': INHERITANCE,
  'notificationBusInstance': `${GO} internal/controller/glance_controller.go transportURLCreateOrUpdate`,
  'notificationsBus': `${GO} internal/controller/glance_controller.go reconcileNormal`,
  'notificationsBus.cluster': `${GO} internal/controller/glance_controller.go reconcileNormal`,
  'notificationsBus.user': `${GO} internal/controller/glance_controller.go reconcileNormal`,
  'notificationsBus.vhost': `${GO} internal/controller/glance_controller.go reconcileNormal`,
  'passwordSelectors': INHERITANCE,
  'passwordSelectors.service': API_CONFIG,
  'preserveJobs': `${GO} internal/controller/glance_controller.go reconcileInit`,
  'quotas': `${GO} api/v1beta1/glance_types.go GetQuotaLimits`,
  'quotas.imageCountTotal': `${GO} api/v1beta1/glance_types.go GetQuotaLimits`,
  'quotas.imageCountUpload': `${GO} api/v1beta1/glance_types.go GetQuotaLimits`,
  'quotas.imageSizeTotal': `${GO} api/v1beta1/glance_types.go GetQuotaLimits`,
  'quotas.imageStageTotal': `${GO} api/v1beta1/glance_types.go GetQuotaLimits`,
  'secret': INHERITANCE,
  'serviceUser': INHERITANCE,
  'storage': INHERITANCE,
  'storage.external': INHERITANCE,
  'storage.storageClass': API_CLAIMS,
  'storage.storageRequest': API_CLAIMS,
  'topologyRef': INHERITANCE,
};

/** The source of each of CONTROL_PLANE_GLANCE_FIELDS (spec.glance.<field>) and of CONTROL_PLANE_INHERITED_FIELDS' (spec.<from>). */
export const CONTROL_PLANE_FIELD_SOURCES: Record<string, string> = Object.fromEntries([
  'glance.enabled', 'glance.template', 'glance.serviceName', 'glance.uniquePodNames', 'glance.apiOverrides', 'glance.applicationCredential',
  'glance.applicationCredential.enabled', 'glance.applicationCredential.expirationDays', 'glance.applicationCredential.gracePeriodDays',
  'glance.applicationCredential.roles', 'glance.applicationCredential.unrestricted', 'glance.applicationCredential.accessRules',
  'secret', 'storageClass', 'nodeSelector', 'topologyRef',
].map((field) => [field, CONTROL_PLANE]));

/** The rows of a table below `field`, their props below `prop`. */
function below(field: string, prop: string, table: Record<string, Field>): Record<string, Field> {
  return Object.fromEntries(Object.entries(table).map(([path, row]) =>
    [`${field}.${path}`, row.kind === 'read' && row.prop !== undefined ? { ...row, prop: `${prop}.${row.prop}` } : row]));
}

/** Every field of the Glance CRD's spec (test/fixtures/glance-crd-fields.txt is checked against it); their props are GlanceProps'. */
export const GLANCE_SPEC_FIELDS: Record<string, Field> = {
  // Ignored: the Route and httpd timeouts: cdk8s-glance creates neither
  // Each API's, where its own is unset: the probes' timing (read.ts)
  'apiTimeout': read('integer', { default: 60, bounds: { minimum: 1 } }),
  'containerImage': read('string', { prop: 'image' }),
  // The store sections leave it (stores.ts)
  'customServiceConfig': read('string', { prop: 'customServiceConfig' }),
  // Each API's, unless it lists Secrets of its own; checked in the API pods before glance-api starts
  'customServiceConfigSecrets': read('array', { prop: 'configSecrets', as: nonEmptyList }),
  // Ignored: the MariaDBAccount resource: the database URL in your Secret holds the account
  'databaseAccount': ignored('string', 'glance'),
  // Ignored: the MariaDB resource: give the database URL's Secret (--database-secret)
  'databaseInstance': ignored('string'),
  'dbPurge': read('object', { prop: 'dbPurge' }),
  'dbPurge.age': read('integer', { prop: 'dbPurge.ageInDays', default: 30, bounds: { minimum: 1 } }),
  'dbPurge.schedule': read('string', { prop: 'dbPurge.schedule', default: '1 0 * * *', as: cronOf }),
  // With customServiceConfig, the store and the policy ConfigMap (stores.ts)
  'extraMounts': read('array'),
  'glanceAPIs': read('object', { prop: 'apis', default: {} }),
  'glanceAPIs.*': read('object', { prop: 'apis.*' }),
  ...below('glanceAPIs.*', 'apis.*', API_FIELDS),
  // The size: each API without one of its own takes it (glance_controller.go apiDeploymentCreateOrUpdate)
  'imageCache': read('object', { prop: 'imageCache' }),
  // Ignored: each API runs on its own schedules (the API's, or the CRD's defaults); no controller reads these
  'imageCache.cleanerScheduler': ignored('string', '*/30 * * * *'),
  'imageCache.prunerScheduler': ignored('string', '1 0 * * *'),
  'imageCache.size': read('quantity', { prop: 'imageCache.size', default: '', as: quantityOf }),
  // The API whose endpoints the registration Job puts in Keystone's catalog (unset: the only API)
  'keystoneEndpoint': read('string', { prop: 'keystone.registration.api', default: '', as: nonEmpty }),
  // The Memcached resource whose servers cache tokens: keystone.memcachedServers, one per replica (read.ts, Glance.fromCustomResource)
  'memcachedInstance': read('string', { default: 'memcached' }),
  // The nodeSelector of the APIs without one
  'nodeSelector': read('stringMap'),
  // The RabbitMQ cluster of the notifications (deprecated for notificationsBus.cluster): its TransportURL's Secret is
  // options.notificationsTransportUrlSecret (read.ts); the user and vhost are the TransportURL's, in that Secret's URL
  'notificationBusInstance': read('string'),
  'notificationsBus': read('object'),
  'notificationsBus.cluster': read('string', { bounds: { minLength: 1 } }),
  'notificationsBus.user': read('string'),
  'notificationsBus.vhost': read('string'),
  'passwordSelectors': read('object', { default: { service: 'GlancePassword' } }),
  'passwordSelectors.service': read('string', { prop: 'keystone.passwordSecret.key', default: 'GlancePassword' }),
  // Ignored: Job cleanup: cdk8s-glance keeps the db-sync Job until you delete it
  'preserveJobs': ignored('boolean', false),
  // As the operator: all four registered once any is above 0 (IsQuotaEnabled, GetQuotaLimits), none otherwise (read.ts)
  'quotas': read('object'),
  'quotas.imageCountTotal': read('integer', { prop: 'quotas.imageCountTotal', default: 0 }),
  'quotas.imageCountUpload': read('integer', { prop: 'quotas.imageCountUploading', default: 0 }),
  // In MiB, Keystone's unit for Glance's size limits
  'quotas.imageSizeTotal': read('integer', { prop: 'quotas.imageSizeTotal', default: 0, as: mebibytesOf }),
  'quotas.imageStageTotal': read('integer', { prop: 'quotas.imageStageTotal', default: 0, as: mebibytesOf }),
  // Where unset, the operator's convention: "osp-secret"
  'secret': read('string', { prop: 'keystone.passwordSecret.name' }),
  'serviceUser': read('string', { prop: 'keystone.username', default: 'glance' }),
  'storage': read('object', { prop: 'storage' }),
  'storage.external': read('boolean', { prop: 'storage.external' }),
  // The image cache claims' class too
  // "" is the default class, as the operator reads it (an unset storageClassName)
  'storage.storageClass': read('string', { prop: 'storage.storageClass', as: nonEmpty }),
  // "" or unset: no claim (storage.external), as the operator's webhook sets it (read.ts)
  'storage.storageRequest': read('quantity', { prop: 'storage.storageRequest', as: (v) => nonEmpty(quantityOf(v)!) }),
  // Each API's, where its own is unset (read.ts)
  'topologyRef': read('object'),
};

/**
 * Fields earlier versions of the CRD had, which samples and old exports still carry. The API
 * server drops them on apply; so does cdk8s-glance, with a warning. Any other field the CRD
 * lacks is refused: a misspelt field would silently lose what it says.
 */
export const FORMER_GLANCE_SPEC_FIELDS: Record<string, string> = {
  'glanceAPIs.*.preserveJobs': 'moved to spec.preserveJobs',
};

/**
 * The control plane's fields its Glance takes where the template leaves them empty, as
 * openstack-operator's ReconcileGlance fills them in (internal/openstack/glance.go): `secret` and
 * `storageClass` where the template's are "" or unset, `nodeSelector` and `topologyRef` where unset.
 * Each key is the template's field; `from` is the control plane's.
 */
export const CONTROL_PLANE_INHERITED_FIELDS: Record<string, Field & { readonly from: string }> = {
  'secret': { ...read('string'), from: 'secret' },
  'storage.storageClass': { ...read('string'), from: 'storageClass' },
  'nodeSelector': { ...read('stringMap'), from: 'nodeSelector' },
  'topologyRef': { ...read('object'), from: 'topologyRef' },
};

/** The control plane's glance section around the Glance spec (OpenStackControlPlane spec.glance, core.openstack.org/v1beta1). */
export const CONTROL_PLANE_GLANCE_FIELDS: Record<string, Field> = {
  'enabled': read('boolean', { default: true }),
  'template': read('object'),
  // The Glance CR's name
  'serviceName': read('string', { default: 'glance' }),
  // Ignored (the CRD's default is true): a random suffix on the Glance CR's name: cdk8s-glance
  // names objects from serviceName, which keeps them stable
  'uniquePodNames': ignored('boolean'),
  // Ignored: Route overrides: cdk8s-glance creates no Route
  'apiOverrides': ignored('object'),
  // With the control plane's own spec.applicationCredential.enabled: keystone-operator's Secret ac-<serviceName>-secret (locate.ts)
  'applicationCredential': read('object'),
  'applicationCredential.enabled': read('boolean', { default: false }),
  // Ignored: how keystone-operator makes and rotates the credential; cdk8s-glance reads its Secret
  'applicationCredential.expirationDays': ignored('integer'),
  'applicationCredential.gracePeriodDays': ignored('integer'),
  'applicationCredential.roles': ignored('array'),
  'applicationCredential.unrestricted': ignored('boolean'),
  'applicationCredential.accessRules': ignored('array'),
};
