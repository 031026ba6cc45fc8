import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkDescription, checkKeystoneName, checkOptionsObject, FROM_SECRET, managedOptions, podParts, storeConfig } from './checks';
import { ONLY_STORE, StoreAt, StoreConfig, StoreContext } from './context';
import { ImageBackend } from './image-backend';
import { CinderBackendOptions } from './options';
import { StorePodParts } from './pod-parts';
import { GlanceValidationError } from '../errors';
import { checkLine, checkSecretKey } from '../names';
import { GLANCE_UID } from '../pod-security';

const FACTORY = 'ImageBackend.cinder()';

/**
 * The glance-api container of a deployment with a Cinder store, opted in: glance_store's cinder
 * driver runs "sudo glance-rootwrap" and oslo.privsep's helper through it (so no no_new_privs),
 * and os-brick needs the node's devices. It still starts as the glance user, read-only.
 */
const PRIVILEGED_ATTACH_SECURITY: k8s.SecurityContext = {
  runAsNonRoot: true,
  runAsUser: GLANCE_UID,
  runAsGroup: GLANCE_UID,
  allowPrivilegeEscalation: true,
  privileged: true,
  readOnlyRootFilesystem: true,
};

/** The node's paths os-brick reads and writes to attach a volume, as the glance-operator mounts them for Cinder. */
const ATTACH_HOST_PATHS: Array<{ name: string; path: string; type: string; readOnly: boolean }> = [
  // Device nodes of attached volumes appear on the node's /dev after the container started.
  { name: 'host-dev', path: '/dev', type: 'Directory', readOnly: false },
  // SCSI rescans and device lookups.
  { name: 'host-sys', path: '/sys', type: 'Directory', readOnly: false },
  // The node's iSCSI initiator name and NVMe host NQN.
  { name: 'host-etc-iscsi', path: '/etc/iscsi', type: 'DirectoryOrCreate', readOnly: true },
  { name: 'host-etc-nvme', path: '/etc/nvme', type: 'DirectoryOrCreate', readOnly: false },
];

/** The versioned Keystone URL: glance_store's cinder driver gives it to keystoneauth's V3Password as is. */
function keystoneV3(authUrl: string): string {
  const url = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(url) ? url : `${url}/v3`;
}

/** ImageBackend.cinder(): images are Cinder volumes, which the API attaches to itself, privileged. */
export class CinderStore extends ImageBackend {
  public readonly isShared = true;
  public readonly _locationsServeClones = false;
  public readonly _locationsHoldCredentials = false;

  constructor(private readonly options: CinderBackendOptions) {
    super();
    checkOptionsObject(FACTORY, options, '{ allowPrivilegedAttach: true }');
    if (options.allowPrivilegedAttach !== true) {
      throw new GlanceValidationError(`${FACTORY}.allowPrivilegedAttach`, options.allowPrivilegedAttach,
        'is not true, and the Cinder store cannot work in a Pod Security "restricted" pod: Glance attaches each image volume to the API pod as root '
        + '(sudo glance-rootwrap and oslo.privsep, which no_new_privs stops) with the node\'s devices',
        'set allowPrivilegedAttach: true to run the glance-api containers privileged (README, "Storage"), or use another store');
    }
    if (options.passwordSecret !== undefined) checkSecretKey(`${FACTORY}.passwordSecret`, options.passwordSecret);
    checkKeystoneName(`${FACTORY}.user`, options.user);
    checkKeystoneName(`${FACTORY}.projectName`, options.projectName);
    const catalog = options.catalogInfo;
    if (catalog !== undefined && (typeof catalog !== 'string' || !/^[^:\s]+:[^:\s]*:(publicURL|internalURL|adminURL)$/.test(catalog))) {
      throw new GlanceValidationError(`${FACTORY}.catalogInfo`, catalog, 'is not "<service_type>:<service_name>:<interface>"',
        'use e.g. "volumev3::internalURL"');
    }
    if (options.volumeType !== undefined) checkLine(`${FACTORY}.volumeType`, options.volumeType, 'use the name of a Cinder volume type');
    checkDescription(FACTORY, options.description);
  }

  public _config(context: StoreContext, at = ONLY_STORE): StoreConfig {
    return storeConfig(at, 'cinder', {
      cinder_store_auth_address: keystoneV3(context.keystone.authUrl),
      cinder_store_user_name: this.options.user ?? context.keystone.username,
      cinder_store_project_name: this.options.projectName ?? context.keystone.projectName,
      cinder_store_user_domain_name: context.keystone.domainName,
      cinder_store_project_domain_name: context.keystone.domainName,
      cinder_catalog_info: this.options.catalogInfo ?? 'volumev3::internalURL',
      ...(this.options.volumeType !== undefined ? { cinder_volume_type: this.options.volumeType } : {}),
      ...(context.caFile ? { cinder_ca_certificates_file: context.caFile } : {}),
      store_description: this.options.description ?? 'Cinder backend',
    });
  }

  public _managedOptions(at = ONLY_STORE): Record<string, string> {
    const prop = at.prop;
    return managedOptions(at, {
      cinder_store_auth_address: 'keystone.authUrl (the Cinder store authenticates against the deployment\'s Keystone)',
      cinder_store_user_name: `${prop}.user`,
      cinder_store_project_name: `${prop}.projectName`,
      cinder_store_user_domain_name: 'keystone.domainName',
      cinder_store_project_domain_name: 'keystone.domainName',
      cinder_store_password: `${prop}.passwordSecret (the password ${FROM_SECRET})`,
      cinder_catalog_info: `${prop}.catalogInfo`,
      cinder_volume_type: `${prop}.volumeType`,
      cinder_ca_certificates_file: 'tls.caBundleSecret',
      store_description: `${prop}.description`,
    });
  }

  public _podParts(context: StoreContext, at = ONLY_STORE): StorePodParts {
    return podParts(at, {
      volumes: ATTACH_HOST_PATHS.map(({ name, path, type }) => ({ name, hostPath: { path, type } })),
      mounts: ATTACH_HOST_PATHS.map(({ name, path, readOnly }) => ({ name, mountPath: path, ...(readOnly ? { readOnly } : {}) })),
      securityContext: PRIVILEGED_ATTACH_SECURITY,
    }, { cinder_store_password: this.options.passwordSecret ?? context.keystone.passwordSecret });
  }

  public _bindDeployment(_scope: Construct, _glanceName: string, at: StoreAt = ONLY_STORE): Record<string, string> {
    return this.options.passwordSecret ? { [`${at.prop}.passwordSecret.name`]: this.options.passwordSecret.name } : {};
  }
}
