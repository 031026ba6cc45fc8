/**
 * The image store of a CR: the store sections of its customServiceConfig and the volumes its
 * extraMounts give Glance.
 */
import { checkIniAssignments } from '../config-guard';
import { GlanceValidationError } from '../errors';
import { ImageBackend } from '../image-backend';
import { IniAssignment, IniValues, readIni, renderIni } from '../ini';
import { FILE_STORE_DIR } from '../pod-security';
import type { Located } from './locate';
import type { CustomResourceOptions } from './options';
import { isObject } from './values';

export interface Stores {
  readonly backend?: ImageBackend;
  readonly customServiceConfig?: string;
  /** Whether customServiceConfig lists the stores ([DEFAULT] enabled_backends). */
  readonly listedInConfig: boolean;
  readonly flag: string;
  readonly fix: string;
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
  const assignments = custom === undefined ? [] : readIni(`${path}.customServiceConfig`, custom);
  checkIniAssignments(`${path}.customServiceConfig`, assignments, {});
  const sections = sectionsOf(assignments);
  const enabled = sections.DEFAULT?.enabled_backends;
  const mounts = mountsOf(located, apiNames);
  if (enabled === undefined && !mounts.nfs && !mounts.cephSecrets.length) {
    return {
      backend: options.backend,
      customServiceConfig: custom,
      listedInConfig: false,
      flag: `${path}.extraMounts (or --ceph-secret, --shared-claim)`,
      fix: 'mount an NFS volume at /var/lib/glance/images through extraMounts, give --shared-claim NAME or --shared-storage-class CLASS, '
        + 'or use Ceph (--ceph-secret NAME)',
    };
  }
  const crPath = `${path}.customServiceConfig`;
  if (options.backend) {
    throw new GlanceValidationError(enabled !== undefined ? crPath : mounts.path, enabled ?? 'extraMounts',
      'configures the image store, and so does a store option (--ceph-secret, --shared-claim or --shared-storage-class)',
      'give the store one way: remove the option');
  }
  const backends = String(enabled ?? 'default_backend:file').split(',').map((b) => b.split(':').map((part) => part.trim()));
  const defaultName = String(sections.glance_store?.default_backend ?? backends[0][0]);
  const stores: Record<string, ImageBackend> = {};
  for (const [name, type] of backends) {
    if (!name || !type) {
      throw new GlanceValidationError(crPath, enabled, 'is not a list of <name>:<type> (enabled_backends)', 'write e.g. "default_backend:rbd"');
    }
    const section = sections[name] ?? {};
    // What the store renders itself leaves the user's config (an emptied section goes below);
    // options it does not read stay theirs.
    stores[name] = storeFromSection(type, name, section, mounts, `${crPath} [${name}]`);
  }
  if (!Object.hasOwn(stores, defaultName)) {
    throw new GlanceValidationError(crPath, `default_backend = ${defaultName}`, 'names no store of enabled_backends',
      'name one of them in [glance_store] default_backend');
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
    listedInConfig: enabled !== undefined,
    flag: backends.some(([, type]) => type === 'file') ? mounts.path : crPath,
    fix: 'mount an NFS volume at /var/lib/glance/images through extraMounts, or use Ceph',
  };
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
    default:
      throw new GlanceValidationError(path, `${name}:${type}`, `is not supported by cdk8s-glance from a CR: the ${type} store`,
        type === 'cinder' ? 'the cinder store needs privileged API pods: use ImageBackend.cinder({ allowPrivilegedAttach: true }) in code'
          : 'use the file, rbd or swift store here, or ImageBackend in code (s3 takes its keys from Secrets)');
  }
}

/** A store factory's error about what extraMounts gave (`options` of its props) is named by the extraMounts. */
function fromMounts<T>(mounts: Mounts, options: RegExp, build: () => T): T {
  try {
    return build();
  } catch (e) {
    throw e instanceof GlanceValidationError && options.test(e.prop) ? e.renamed(mounts.path) : e;
  }
}

interface Mounts { readonly nfs?: { server: string; path: string }; readonly cephSecrets: string[]; readonly path: string }

/** The extraMounts that reach Glance: an NFS volume at the file store, Ceph Secrets at /etc/ceph; `apiNames` are the APIs a propagation may name. */
function mountsOf(located: Located, apiNames: string[]): Mounts {
  const extra = located.extraMounts ?? { value: located.spec.extraMounts, path: `${located.path}.extraMounts` };
  const result: { nfs?: { server: string; path: string }; cephSecrets: string[]; path: string } = { cephSecrets: [], path: extra.path };
  if (extra.value === undefined) return result;
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
            throw new GlanceValidationError(`${volPath}.volumes`, volume.nfs, 'is an NFS volume without server and path',
              'give nfs.server and nfs.path');
          }
          result.nfs = { server: volume.nfs.server, path: volume.nfs.path };
        } else if (where === '/etc/ceph' && (volume?.secret || volume?.projected)) {
          const secrets = volume.secret ? [volume.secret.secretName] : (volume.projected.sources ?? []).map((s: any) => s?.secret?.name);
          if (volume.secret && typeof volume.secret.secretName !== 'string') {
            throw new GlanceValidationError(`${volPath}.volumes`, volume, 'is a Secret volume without secretName (Kubernetes would reject it)',
              'name the Secret in secret.secretName');
          }
          if (secrets.some((s: unknown) => typeof s !== 'string')) {
            throw new GlanceValidationError(`${volPath}.volumes`, volume, 'projects something other than Secrets into /etc/ceph',
              'project only the Ceph Secrets');
          }
          result.cephSecrets.push(...secrets);
        } else {
          throw new GlanceValidationError(mountPath, mount,
            'is not supported by cdk8s-glance: only an NFS volume at /var/lib/glance/images and Ceph Secrets at /etc/ceph are read from extraMounts',
            'remove it; see the README, "Bring your Glance CR"');
        }
      }
    });
  });
  return result;
}

