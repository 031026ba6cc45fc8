import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkDescription, checkKeystoneName, checkOptionsObject, FROM_SECRET, managedOptions, podParts, storeConfig } from './checks';
import { ONLY_STORE, StoreAt, StoreConfig, StoreContext } from './context';
import { ImageBackend } from './image-backend';
import { CinderBackendOptions } from './options';
import { StorePodParts } from './pod-parts';
import { GlanceValidationError } from '../errors';
import { checkBoolean, checkLine, checkSecretKey } from '../names';
import { GLANCE_UID, glanceLabels } from '../pod-security';

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

/** os-brick's lock directory on the node, which Cinder's and Nova's attachments there share ([os_brick] lock_path). */
const OS_BRICK_LOCK_PATH = '/var/locks/openstack/os-brick';

/**
 * With nodeTools: the node's paths the operator mounts beside the attach paths: the node daemons'
 * runtime files, its kernel modules, and os-brick's lock directory, which Cinder's and Nova's
 * attachments on the node share ([os_brick] lock_path).
 */
const NODE_TOOLS_HOST_PATHS: typeof ATTACH_HOST_PATHS = [
  { name: 'host-run', path: '/run', type: 'Directory', readOnly: false },
  // Made where the node has none (a kernel without modules: the pod would never start), as the runtime does for the operator's untyped path.
  { name: 'host-lib-modules', path: '/lib/modules', type: 'DirectoryOrCreate', readOnly: true },
  { name: 'host-os-brick-locks', path: OS_BRICK_LOCK_PATH, type: 'DirectoryOrCreate', readOnly: false },
];

/** The programs os-brick runs that talk to the node's daemons or devices: with nodeTools, each path runs the node's own. */
const NODE_PROGRAMS = ['/usr/sbin/iscsiadm', '/usr/sbin/multipath', '/usr/sbin/multipathd', '/lib/udev/scsi_id', '/usr/sbin/nvme'];

/**
 * The wrapper mounted at each of NODE_PROGRAMS: it runs the program of its own path (not following
 * links: the path is the wrapper's) in every namespace of the node's process 1. os-brick runs it as
 * root, through oslo.privsep.
 */
const RUN_ON_NODE_TEXT = '#!/bin/sh\n# cdk8s-glance: runs the node\'s program of this path, in the node\'s namespaces (the pod has hostPID).\n'
  + 'exec nsenter --all --target 1 -- "$(realpath --no-symlinks "$0")" "$@"\n';
/**
 * Its key in the ConfigMap, which names its text's digest: the kubelet never updates a subPath
 * mount, so a new text (a library upgrade) must change the pod template, and so roll the pods.
 */
const RUN_ON_NODE = {
  key: `run-on-node-${createHash('sha256').update(RUN_ON_NODE_TEXT).digest('hex').slice(0, 10)}`,
  text: RUN_ON_NODE_TEXT,
};

/** The ConfigMap of the wrapper: one per deployment, whichever stores use it. */
const NODE_TOOLS_ID = 'cinder-node-tools';
const nodeToolsConfigMap = (glanceName: string) => `${glanceName}-${NODE_TOOLS_ID}`;

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
    for (const flag of ['nodeTools', 'useMultipath'] as const) checkBoolean(`${FACTORY}.${flag}`, options[flag]);
    checkDescription(FACTORY, options.description);
  }

  public _config(context: StoreContext, at = ONLY_STORE): StoreConfig {
    const config = storeConfig(at, 'cinder', {
      cinder_store_auth_address: keystoneV3(context.keystone.authUrl),
      cinder_store_user_name: this.options.user ?? context.keystone.username,
      cinder_store_project_name: this.options.projectName ?? context.keystone.projectName,
      cinder_store_user_domain_name: context.keystone.domainName,
      cinder_store_project_domain_name: context.keystone.domainName,
      cinder_catalog_info: this.options.catalogInfo ?? 'volumev3::internalURL',
      ...(this.options.volumeType !== undefined ? { cinder_volume_type: this.options.volumeType } : {}),
      ...(context.caFile ? { cinder_ca_certificates_file: context.caFile } : {}),
      ...(this.options.useMultipath ? { cinder_use_multipath: true } : {}),
      store_description: this.options.description ?? 'Cinder backend',
    });
    // The node's lock directory, shared with the node's other attachments (the same in every Cinder store that sets it).
    return this.options.nodeTools ? { ...config, sections: { ...config.sections, os_brick: { lock_path: OS_BRICK_LOCK_PATH } } } : config;
  }

  public _managedOptions(at = ONLY_STORE): Record<string, string> {
    const prop = at.prop;
    return {
      ...managedOptions(at, {
        cinder_store_auth_address: 'keystone.authUrl (the Cinder store authenticates against the deployment\'s Keystone)',
        cinder_store_user_name: `${prop}.user`,
        cinder_store_project_name: `${prop}.projectName`,
        cinder_store_user_domain_name: 'keystone.domainName',
        cinder_store_project_domain_name: 'keystone.domainName',
        cinder_store_password: `${prop}.passwordSecret (the password ${FROM_SECRET})`,
        cinder_catalog_info: `${prop}.catalogInfo`,
        cinder_volume_type: `${prop}.volumeType`,
        cinder_ca_certificates_file: 'tls.caBundleSecret',
        cinder_use_multipath: `${prop}.useMultipath`,
        store_description: `${prop}.description`,
      }),
      ...(this.options.nodeTools ? { 'os_brick.lock_path': `${prop}.nodeTools (the node's lock directory)` } : {}),
    };
  }

  public _podParts(context: StoreContext, at = ONLY_STORE): StorePodParts {
    const nodeTools = this.options.nodeTools === true;
    const hostPaths = [...ATTACH_HOST_PATHS, ...nodeTools ? NODE_TOOLS_HOST_PATHS : []];
    const volumes: k8s.Volume[] = hostPaths.map(({ name, path, type }) => ({ name, hostPath: { path, type } }));
    const mounts: k8s.VolumeMount[] = hostPaths.map(({ name, path, readOnly }) => ({ name, mountPath: path, ...(readOnly ? { readOnly } : {}) }));
    if (nodeTools) {
      volumes.push({ name: NODE_TOOLS_ID, configMap: { name: nodeToolsConfigMap(context.glanceName), defaultMode: 0o555 } });
      mounts.push(...NODE_PROGRAMS.map((path) => ({ name: NODE_TOOLS_ID, mountPath: path, subPath: RUN_ON_NODE.key, readOnly: true })));
    }
    return podParts(at, {
      volumes,
      mounts,
      securityContext: PRIVILEGED_ATTACH_SECURITY,
      ...(nodeTools ? { hostPID: true } : {}),
    }, { cinder_store_password: this.options.passwordSecret ?? context.keystone.passwordSecret });
  }

  public _bindDeployment(scope: Construct, glanceName: string, at: StoreAt = ONLY_STORE): Record<string, string> {
    // Several Cinder stores (or APIs' own) share the deployment's one wrapper.
    if (this.options.nodeTools && !scope.node.tryFindChild(NODE_TOOLS_ID)) {
      new k8s.KubeConfigMap(scope, NODE_TOOLS_ID, {
        metadata: { name: nodeToolsConfigMap(glanceName), labels: glanceLabels('cinder-node-tools') },
        data: { [RUN_ON_NODE.key]: RUN_ON_NODE.text },
      });
    }
    return this.options.passwordSecret ? { [`${at.prop}.passwordSecret.name`]: this.options.passwordSecret.name } : {};
  }
}
