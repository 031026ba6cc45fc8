/**
 * The image store of a CR, and its policy ConfigMap: the store sections of its customServiceConfig and the volumes its
 * extraMounts give Glance.
 */
import { checkIniAssignments } from '../config-guard';
import { GlanceValidationError } from '../errors';
import type { GlanceExtraMount } from '../extra-mounts';
import { ImageBackend, S3BucketUrlFormat } from '../image-backend';
import { IniAssignment, IniValues, readIni, renderIni } from '../ini';
import { checkSubdomain } from '../names';
import { FILE_STORE_DIR, POLICY_DIR, STATE_LOCK_DIR } from '../pod-security';
import { GlanceRelease } from '../release';
import type { Located } from './locate';
import type { CustomResourceOptions } from './options';
import { isObject, unsupportedAt } from './values';

export interface Stores {
  readonly backend?: ImageBackend;
  /** The ConfigMap of policy files mounted at /etc/glance/policy.d, whose [oslo_policy] options left customServiceConfig. */
  readonly policyConfigMap?: string;
  readonly customServiceConfig?: string;
  /** Whether customServiceConfig lists the stores ([DEFAULT] enabled_backends). */
  readonly listedInConfig: boolean;
  readonly flag: string;
  readonly fix: string;
  /** The volumes extraMounts give Glance, which an API's own stores also use. */
  readonly mounts: Mounts;
}

/**
 * The image store: from the CR (customServiceConfig's store sections and extraMounts) or from
 * the options, never both. The store options leave customServiceConfig, since cdk8s-glance
 * renders them itself.
 */
export function storesOf(located: Located, options: CustomResourceOptions, apiNames: string[]): Stores {
  const { spec, path } = located;
  const custom: string | undefined = spec.customServiceConfig;
  // Read once. The trust boundary on the text as the CR holds it, so that a line number is the CR's
  // (the store's options leave the text below); the options the library manages are checked when it is rendered.
  const written = custom === undefined ? [] : readIni(`${path}.customServiceConfig`, custom);
  const mounts = mountsOf(located, apiNames);
  const assignments = withoutPolicyOptions(withoutOperatorLockPath(written), mounts.policyConfigMap, options.release ?? GlanceRelease.ANTELOPE);
  const policyTaken = assignments.length < written.length;
  checkIniAssignments(`${path}.customServiceConfig`, assignments, {});
  const sections = sectionsOf(assignments);
  const enabled = sections.DEFAULT?.enabled_backends;
  const policy = mounts.policyConfigMap ? { policyConfigMap: mounts.policyConfigMap } : {};
  if (enabled === undefined && !mounts.nfs && !mounts.cephSecrets.length) {
    return {
      backend: options.backend,
      ...policy,
      // As written (its comments and line numbers kept), unless policy options left it.
      customServiceConfig: policyTaken ? rendered(sections) : custom,
      listedInConfig: false,
      flag: `${path}.extraMounts (or --ceph-secret, --shared-claim)`,
      fix: 'mount an NFS volume at /var/lib/glance/images through extraMounts, give --shared-claim NAME or --shared-storage-class CLASS, '
        + 'or use Ceph (--ceph-secret NAME)',
      mounts,
    };
  }
  const crPath = `${path}.customServiceConfig`;
  if (options.backend) {
    throw new GlanceValidationError(enabled !== undefined ? crPath : mounts.path, enabled ?? 'extraMounts',
      'configures the image store, and so does a store option (--ceph-secret, --shared-claim or --shared-storage-class)',
      'give the store one way: remove the option');
  }
  const { backend, types } = storesFromSections(sections, String(enabled ?? 'default_backend:file'), mounts, crPath,
    options.allowPrivilegedCinder === true);
  return {
    backend,
    ...policy,
    customServiceConfig: rendered(sections),
    listedInConfig: enabled !== undefined,
    flag: types.includes('file') ? mounts.path : crPath,
    fix: 'mount an NFS volume at /var/lib/glance/images through extraMounts, or use Ceph',
    mounts,
  };
}

/**
 * An API's own stores (the distributed layout: glance-operator's edge sample, architecture's dcn):
 * enabled_backends in the API's customServiceConfig, which the operator gives that API in place of
 * the top level's. Their volumes are the deployment's extraMounts. Undefined where the API's config
 * lists no stores.
 */
export function apiStoresOf(crPath: string, custom: string, mounts: Mounts, privilegedCinder: boolean)
  : { backend: ImageBackend; customServiceConfig?: string } | undefined {
  const assignments = withoutOperatorLockPath(readIni(crPath, custom));
  const sections = sectionsOf(assignments);
  const enabled = sections.DEFAULT?.enabled_backends;
  if (enabled === undefined) return undefined;
  const { backend, types } = storesFromSections(sections, String(enabled), mounts, crPath, privilegedCinder);
  if (types.includes('file')) {
    throw unsupportedAt(crPath, enabled, 'a file store of an API\'s own (its images and shared claim are the deployment\'s)');
  }
  return { backend, customServiceConfig: rendered(sections) };
}

/**
 * The stores `enabled` (<name>:<type>,...) lists, each from its section, whose store options leave
 * `sections`, as do the store list and default. The stores keep their names: a name is the store id
 * that image locations record. (One store named default_backend renders as the library's single
 * store does.)
 */
function storesFromSections(sections: Record<string, Record<string, string>>, enabled: string, mounts: Mounts, crPath: string,
  privilegedCinder: boolean): { backend: ImageBackend; types: string[] } {
  const backends = enabled.split(',').map((b) => b.split(':').map((part) => part.trim()));
  const defaultName = String(sections.glance_store?.default_backend ?? backends[0][0]);
  const stores: Record<string, ImageBackend> = {};
  for (const [name, type] of backends) {
    if (!name || !type) {
      throw new GlanceValidationError(crPath, enabled, 'is not a list of <name>:<type> (enabled_backends)', 'write e.g. "default_backend:rbd"');
    }
    const section = sections[name] ?? {};
    // What the store renders itself leaves the user's config (an emptied section goes below);
    // options it does not read stay theirs.
    stores[name] = storeFromSection(type, name, section, mounts, `${crPath} [${name}]`, privilegedCinder);
  }
  if (!Object.hasOwn(stores, defaultName)) {
    throw new GlanceValidationError(crPath, `default_backend = ${defaultName}`, 'names no store of enabled_backends',
      'name one of them in [glance_store] default_backend');
  }
  delete sections.DEFAULT?.enabled_backends;
  delete sections.glance_store?.default_backend;
  // The legacy store list: multiple stores ignore it.
  delete sections.glance_store?.stores;
  return { backend: ImageBackend.multi({ stores, defaultStore: defaultName }), types: backends.map(([, type]) => type) };
}

/**
 * The options by section, as parseIni gives them, less the sections without options (no store
 * reads one, and the user's config drops them). Own properties only: a section or option named
 * __proto__ is one like any other.
 */
function sectionsOf(assignments: IniAssignment[]): Record<string, Record<string, string>> {
  const define = (target: object, key: string, value: unknown) =>
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  const sections: Record<string, Record<string, string>> = {};
  for (const { section, name, value } of assignments) {
    if (!Object.hasOwn(sections, section)) define(sections, section, {});
    define(sections[section], name, value);
  }
  return sections;
}

/** Options read from a customServiceConfig, as oslo ini text again (the stores' leftovers are rendered so); undefined for none. */
export function renderedAssignments(assignments: IniAssignment[]): string | undefined {
  return rendered(sectionsOf(assignments));
}

/** The sections that still have options, as oslo ini text; undefined for none. */
function rendered(sections: Record<string, Record<string, string>>): string | undefined {
  const rest = Object.fromEntries(Object.entries(sections).filter(([, opts]) => Object.keys(opts).length > 0));
  return Object.keys(rest).length ? renderIni(rest, IniValues.AS_WRITTEN) : undefined;
}

/**
 * The glance-operator's policy sample: a ConfigMap mounted at /etc/glance/policy.d through
 * extraMounts, and `[oslo_policy] policy_file` naming a file of it. Under the operator,
 * oslo.policy reads that file, then every file of the directory (policy_dirs' default `policy.d`,
 * which oslo.config finds in /etc/glance); with policyConfigMap it reads the library's policy file,
 * then every file of the same directory: the same rules, the cache rules the user's files do not
 * name aside (Glance's defaults for them, admins only, are the library's). So with the mount, a
 * policy_file in that directory leaves the config, and so do enforce_new_defaults and enforce_scope
 * set to true where the library sets them too (2023.1 on; the operator's template always does).
 * Any other [oslo_policy] option stays, for the config guard to refuse.
 */
function withoutPolicyOptions(assignments: IniAssignment[], configMap: string | undefined, release: GlanceRelease): IniAssignment[] {
  if (configMap === undefined) return assignments;
  const enforcing = release.isAtLeast(GlanceRelease.ANTELOPE);
  const inPolicyDir = (file: string) => file.startsWith(`${POLICY_DIR}/`) && /^[^/]+$/.test(file.slice(POLICY_DIR.length + 1));
  return assignments.filter(({ section, name, value }) => section !== 'oslo_policy' || !(
    (name === 'policy_file' && inPolicyDir(value))
    || (enforcing && ['enforce_new_defaults', 'enforce_scope'].includes(name) && /^true$/i.test(value))));
}

/**
 * The glance-operator's own lock_path (templates/common/config/00-config.conf: [oslo_concurrency]
 * lock_path = /var/lib/glance/tmp), which some CRs write out again: it leaves the config, as
 * cdk8s-glance puts the locks on a volume of the pod itself (there, without a cache; on the cache
 * volume, shared with the cache jobs, with one). Any other lock_path stays, for the guard to refuse.
 */
function withoutOperatorLockPath(assignments: IniAssignment[]): IniAssignment[] {
  return assignments.filter(({ section, name, value }) =>
    !(section === 'oslo_concurrency' && name === 'lock_path' && value.replace(/\/+$/, '') === STATE_LOCK_DIR));
}

/** Options that hold the operator's template for a value cdk8s-glance fills in itself. */
const OPERATOR_TEMPLATE = /^\{\{\s*\.[A-Za-z]+\s*\}\}$/;

/**
 * One store of enabled_backends, from its section of customServiceConfig. The options it maps
 * are taken out of `section`; the rest stay in the user's config.
 */
function storeFromSection(type: string, name: string, section: Record<string, string>, mounts: Mounts, path: string,
  privilegedCinder: boolean): ImageBackend {
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
        throw new GlanceValidationError(path, `filesystem_store_datadir = ${dir}`, 'puts the file store elsewhere than /var/lib/glance/images',
          `use ${FILE_STORE_DIR}`);
      }
      return fromMounts(mounts, /\.sharedStore\.nfs\b/, () => ImageBackend.file({
        sharedStore: mounts.nfs ? { nfs: mounts.nfs } : undefined,
        description,
      }));
    }
    case 'rbd': {
      if (mounts.cephSecrets.length === 0) {
        throw new GlanceValidationError(mounts.path, 'no Ceph Secret',
          `is where the ${name} store's ceph.conf and keyring come from, and it mounts none at /etc/ceph`,
          'mount the Ceph Secret(s) at /etc/ceph in extraMounts, with a propagation that names Glance');
      }
      const conf = take('rbd_store_ceph_conf') ?? '/etc/ceph/ceph.conf';
      const cluster = /^\/etc\/ceph\/([A-Za-z0-9_.-]+)\.conf$/.exec(conf)?.[1];
      if (!cluster) {
        throw new GlanceValidationError(path, `rbd_store_ceph_conf = ${conf}`, 'is not a file /etc/ceph/<cluster>.conf',
          'keep the Ceph files in /etc/ceph');
      }
      const pool = take('rbd_store_pool');
      return fromMounts(mounts, /\.cephSecretNames\b/,
        () => ImageBackend.rbd({ cephSecretNames: mounts.cephSecrets, cluster, pool, user: take('rbd_store_user'), description }));
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
      if (version !== undefined && version !== '3') {
        throw new GlanceValidationError(path, `swift_store_auth_version = ${version}`, 'is not Keystone v3', 'use 3');
      }
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
    case 's3':
      return s3FromSection(take, path, description);
    case 'cinder':
      if (!privilegedCinder) {
        throw new GlanceValidationError(path, `${name}:cinder`, 'is a cinder store, whose API pods the glance-operator runs privileged, '
          + 'in the node\'s PID namespace, running the node\'s iscsiadm, multipath and nvme: Pod Security "restricted" forbids such pods',
        'import with --allow-privileged-cinder true (allowPrivilegedCinder: true) to deploy them so, in a namespace whose Pod Security '
          + 'admits privileged pods; or use another store');
      }
      return cinderFromSection(take, path, description);
    default:
      throw new GlanceValidationError(path, `${name}:${type}`, `is not supported by cdk8s-glance from a CR: the ${type} store`,
        'use the file, rbd, swift, s3 or cinder store here, or ImageBackend in code');
  }
}

/**
 * The glance-operator's cinder store (its samples: the deployment's Keystone, service user and
 * password as its templates, a volume type, multipath), as the operator deploys it: privileged API
 * pods that run the node's attach programs (glanceapi_controller.go makes them privileged for a
 * cinder store; glance/volumes.go mounts the node's paths and run-on-host): ImageBackend.cinder's
 * nodeTools.
 */
function cinderFromSection(take: (option: string) => string | undefined, path: string, description: string | undefined): ImageBackend {
  const template = (option: string, credential: boolean) => {
    const value = take(option);
    if (value !== undefined && !OPERATOR_TEMPLATE.test(value)) {
      throw new GlanceValidationError(path, `${option} = ${credential ? '<hidden>' : value}`,
        credential ? 'puts a credential in customServiceConfig' : 'points Cinder\'s store at another Keystone than the deployment\'s',
        'leave it to cdk8s-glance (the operator\'s template): the cinder store authenticates against keystone as the service user, '
          + 'with the password from its Secret');
    }
  };
  template('cinder_store_auth_address', false);
  template('cinder_store_password', true);
  // (The operator's sample also writes cinder_store_auth_type, which no glance_store reads: it stays the user's, without effect.)
  for (const option of ['cinder_store_application_credential_id', 'cinder_store_application_credential_secret']) {
    const value = take(option);
    if (value !== undefined) {
      throw new GlanceValidationError(path, `${option} = <hidden>`,
        'is an option glance_store reads from 5.4.0 on; the glance_store of the releases cdk8s-glance deploys ignores it, and the '
          + 'store would act with each user\'s own token instead of one service identity',
        'authenticate the store as the service user: cinder_store_user_name = {{ .ServiceUser }} and '
          + 'cinder_store_password = {{ .ServicePassword }}, as the glance-operator\'s cinder sample does');
    }
  }
  for (const option of ['cinder_store_user_domain_name', 'cinder_store_project_domain_name']) {
    const value = take(option);
    if (value !== undefined && !OPERATOR_TEMPLATE.test(value) && value !== 'Default') {
      throw new GlanceValidationError(path, `${option} = ${value}`, 'puts the cinder store\'s user in another domain than the service user\'s',
        'leave it out: the store uses the service user\'s domain (Default)');
    }
  }
  const own = (option: string) => {
    const value = take(option);
    return value === undefined || OPERATOR_TEMPLATE.test(value) ? undefined : value;
  };
  return ImageBackend._readFrom(path, () => ImageBackend.cinder({
    allowPrivilegedAttach: true,
    nodeTools: true,
    user: own('cinder_store_user_name'),
    projectName: own('cinder_store_project_name'),
    catalogInfo: own('cinder_catalog_info'),
    volumeType: own('cinder_volume_type'),
    useMultipath: osloBoolean(take('cinder_use_multipath'), path, 'cinder_use_multipath'),
    description,
  }));
}

/** The CA bundles of the images' own trust (RHEL's, the podified images', and Debian's): the S3 client's default. */
const SYSTEM_CA_BUNDLES = [
  '/etc/pki/tls/certs/ca-bundle.crt', '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', '/etc/ssl/certs/ca-certificates.crt',
];

/** oslo.config's booleans. */
function osloBoolean(value: string | undefined, path: string, option: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (/^(true|yes|on|1)$/i.test(value)) return true;
  if (/^(false|no|off|0)$/i.test(value)) return false;
  throw new GlanceValidationError(path, `${option} = ${value}`, 'is not a boolean oslo.config reads', 'use true or false');
}

/**
 * The glance-operator's s3 layout: the store's section in customServiceConfig, its endpoint, bucket
 * and keys in customServiceConfigSecrets (the sample's s3glance Secret), which the API pods check
 * and read (ImageBackend.s3's fromConfigSecrets). Keys written in customServiceConfig itself are refused.
 */
function s3FromSection(take: (option: string) => string | undefined, path: string, description: string | undefined): ImageBackend {
  for (const option of ['s3_store_access_key', 's3_store_secret_key']) {
    if (take(option) !== undefined) {
      throw new GlanceValidationError(path, `${option} = <hidden>`, 'puts a credential in customServiceConfig',
        'move it to a Secret of customServiceConfigSecrets, as the glance-operator\'s s3 sample keeps it');
    }
  }
  const cacert = take('s3_store_cacert');
  if (cacert !== undefined && !SYSTEM_CA_BUNDLES.includes(cacert)) {
    throw new GlanceValidationError(path, `s3_store_cacert = ${cacert}`, 'names a CA file cdk8s-glance does not mount',
      `leave it out, or name the image's own bundle (${SYSTEM_CA_BUNDLES[0]}); for a CA of your own use ImageBackend.s3({ caCertSecret }) in code, `
      + 'or the deployment\'s CA bundle (tls.caBundleSecretName)');
  }
  const format = take('s3_store_bucket_url_format');
  return ImageBackend._readFrom(path, () => ImageBackend.s3({
    fromConfigSecrets: true,
    host: take('s3_store_host'),
    bucket: take('s3_store_bucket'),
    // glance_store's default where the CR does not say (the library's own default is to create it).
    createBucketOnPut: osloBoolean(take('s3_store_create_bucket_on_put'), path, 's3_store_create_bucket_on_put') ?? false,
    bucketUrlFormat: format as S3BucketUrlFormat | undefined,
    description,
  }));
}

/**
 * A mount of whole Secrets (one, or several projected) or a whole ConfigMap, as the library's
 * extraMounts give them (read-only, every key a file); undefined for another volume, a subPath, or
 * a volume that picks some keys (items).
 */
function extraMountOf(volume: any, mount: any, volPath: string): GlanceExtraMount | undefined {
  if (mount?.subPath !== undefined || typeof mount?.mountPath !== 'string') return undefined;
  const mountPath = mount.mountPath;
  if (volume?.secret && volume.secret.items === undefined) return { mountPath, secretNames: [secretNameOf(volume, volPath)] };
  const sources: any[] | undefined = volume?.projected?.sources;
  if (Array.isArray(sources) && sources.length && sources.every((s) => isObject(s) && Object.keys(s).length === 1 && isObject(s.secret)
    && typeof s.secret.name === 'string' && s.secret.items === undefined)) {
    return { mountPath, secretNames: sources.map((s) => s.secret.name) };
  }
  if (volume?.configMap && typeof volume.configMap.name === 'string' && volume.configMap.items === undefined) {
    return { mountPath, configMapName: volume.configMap.name };
  }
  return undefined;
}

/** The Secret of a Secret volume, which Kubernetes requires it to name. */
function secretNameOf(volume: any, volPath: string): string {
  if (typeof volume.secret.secretName !== 'string') {
    throw new GlanceValidationError(`${volPath}.volumes`, volume, 'is a Secret volume without secretName (Kubernetes would reject it)',
      'name the Secret in secret.secretName');
  }
  return volume.secret.secretName;
}

/** The Ceph Secrets a mount of extraMounts puts at /etc/ceph (a Secret, or Secrets projected), checked; undefined for another mount. */
function cephSecretsOf(volume: any, mount: any, volPath: string): string[] | undefined {
  if (String(mount?.mountPath).replace(/\/+$/, '') !== '/etc/ceph' || !(volume?.secret || volume?.projected)) return undefined;
  const secrets = volume.secret ? [secretNameOf(volume, volPath)] : (volume.projected.sources ?? []).map((s: any) => s?.secret?.name);
  if (secrets.some((s: unknown) => typeof s !== 'string')) {
    throw new GlanceValidationError(`${volPath}.volumes`, volume, 'projects something other than Secrets into /etc/ceph',
      'project only the Ceph Secrets');
  }
  return secrets;
}

/** The mounts an API's own stores use: the deployment's, and the Ceph Secrets mounted for that API alone. */
export function mountsForApi(mounts: Mounts, api: string): Mounts {
  const own = mounts.apiCephSecrets[api];
  return own ? { ...mounts, cephSecrets: [...mounts.cephSecrets, ...own.secrets], path: own.path } : mounts;
}

/** A store factory's error about what extraMounts gave (`options` of its props) is named by the extraMounts. */
function fromMounts<T>(mounts: Mounts, options: RegExp, build: () => T): T {
  try {
    return build();
  } catch (e) {
    throw e instanceof GlanceValidationError && options.test(e.prop) ? e.renamed(mounts.path) : e;
  }
}

export interface Mounts {
  readonly nfs?: { server: string; path: string };
  readonly cephSecrets: string[];
  /**
   * Ceph Secrets at /etc/ceph for some APIs only (a propagation naming them: the distributed layout, each site's API with its
   * own cluster's files), by API, with the path of the mount: the Secrets of that API's own stores.
   */
  readonly apiCephSecrets: Record<string, { readonly secrets: string[]; readonly path: string }>;
  /** A ConfigMap at /etc/glance/policy.d. */
  readonly policyConfigMap?: string;
  /** The other Secrets and ConfigMaps mounted for Glance, as they are: extraMounts of the library, each with the path of its mount. */
  readonly extraMounts: Array<{ readonly mount: GlanceExtraMount; readonly path: string }>;
  readonly path: string;
}

/** The extraMounts that reach Glance: an NFS volume at the file store, Ceph Secrets at /etc/ceph; `apiNames` are the APIs a propagation may name. */
function mountsOf(located: Located, apiNames: string[]): Mounts {
  // Glance's own, then a control plane's, which openstack-operator appends to them (ReconcileGlance).
  const own = { value: located.spec.extraMounts, path: `${located.path}.extraMounts` };
  const lists = [own, ...located.extraMounts ? [located.extraMounts] : []].filter((list) => list.value !== undefined);
  // Errors about the store's volumes name the list that gives them (or, with none, where to add one).
  const path = (lists[lists.length - 1] ?? located.extraMounts ?? own).path;
  const result: { -readonly [K in keyof Mounts]: Mounts[K] } = { cephSecrets: [], apiCephSecrets: {}, extraMounts: [], path };
  for (const extra of lists) readMounts(extra, apiNames, result);
  return result;
}

/** One extraMounts list into `result`. */
function readMounts(extra: { readonly value: unknown; readonly path: string }, apiNames: string[],
  result: { -readonly [K in keyof Mounts]: Mounts[K] }): void {
  if (!Array.isArray(extra.value)) throw new GlanceValidationError(extra.path, extra.value, 'is not a list', 'write extraMounts as a YAML list');
  extra.value.forEach((entry: any, i: number) => {
    const entryPath = `${extra.path}[${i}]`;
    if (!isObject(entry) || !Array.isArray(entry.extraVol)) {
      throw new GlanceValidationError(`${entryPath}.extraVol`, entry?.extraVol, 'is not a list', 'give extraVol as a list');
    }
    entry.extraVol.forEach((vol: any, j: number) => {
      const volPath = `${entryPath}.extraVol[${j}]`;
      const propagation: unknown[] = vol?.propagation ?? [];
      if (!Array.isArray(propagation)) throw new GlanceValidationError(`${volPath}.propagation`, propagation, 'is not a list', 'list the services');
      // The operator mounts into an API pod what names Glance, GlanceAPI or that API's own name;
      // mounts meant for other services (Cinder, Manila, ...) are not Glance's. A mount for only
      // some of the APIs is read for Ceph's files alone (the Secrets of those APIs' own stores):
      // every other volume is the deployment's, which every API pod mounts.
      const names = propagation.map(String);
      const forApis = apiNames.filter((api) => names.includes(api));
      // Stryker disable next-line ArrayDeclaration: an entry that is not a volume has no name for a mount to find
      const volumes: any[] = Array.isArray(vol?.volumes) ? vol.volumes : [];
      if (propagation.length && !names.some((p) => /^glance/i.test(p))) {
        if (forApis.length === 0) return;
        if (forApis.length < apiNames.length) {
          const mounts: any[] = Array.isArray(vol?.mounts) ? vol.mounts : [];
          const ceph = mounts.map((mount) => cephSecretsOf(volumes.find((v) => v?.name === mount?.name), mount, volPath));
          if (ceph.length === 0 || ceph.some((secrets) => secrets === undefined)) {
            throw new GlanceValidationError(`${volPath}.propagation`, propagation,
              `is not supported by cdk8s-glance: a mount for some of the APIs (${forApis.join(', ')}) other than Ceph's files at /etc/ceph, `
              + 'where every API pod mounts the same', 'propagate it to Glance, so that every API mounts it, or remove it');
          }
          for (const api of forApis) {
            const earlier = result.apiCephSecrets[api];
            result.apiCephSecrets[api] = { secrets: [...earlier?.secrets ?? [], ...ceph.flat() as string[]], path: `${volPath}.propagation` };
          }
          return;
        }
      }
      for (const [k, mount] of (Array.isArray(vol?.mounts) ? vol.mounts : []).entries()) {
        const mountPath = `${volPath}.mounts[${k}]`;
        const volume = volumes.find((v) => v?.name === mount?.name);
        const where = String(mount?.mountPath).replace(/\/+$/, '');
        const ceph = cephSecretsOf(volume, mount, volPath);
        if (volume?.nfs && where === FILE_STORE_DIR) {
          if (typeof volume.nfs.server !== 'string' || typeof volume.nfs.path !== 'string') {
            throw new GlanceValidationError(`${volPath}.volumes`, volume.nfs, 'is an NFS volume without server and path',
              'give nfs.server and nfs.path');
          }
          result.nfs = { server: volume.nfs.server, path: volume.nfs.path };
        } else if (ceph) {
          result.cephSecrets.push(...ceph);
        } else if (where === POLICY_DIR && volume?.configMap) {
          checkSubdomain(`${volPath}.volumes`, volume.configMap.name,
            'is a ConfigMap volume whose name is no DNS-1123 subdomain (Kubernetes would reject it)',
            'name the ConfigMap of policy files in configMap.name');
          result.policyConfigMap = volume.configMap.name;
        } else {
          const whole = extraMountOf(volume, mount, volPath);
          if (!whole) {
            throw new GlanceValidationError(mountPath, mount,
              'is not supported by cdk8s-glance: only an NFS volume at /var/lib/glance/images, and whole Secrets and ConfigMaps (Ceph\'s files '
              + 'at /etc/ceph, policy files at /etc/glance/policy.d, any other read-only files) are read from extraMounts',
              'remove it; see the README, "Bring your Glance CR"');
          }
          result.extraMounts.push({ mount: whole, path: mountPath });
        }
      }
    });
  });
}

