import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkDescription, checkOptionsObject, managedOptions, podParts, storeConfig } from './checks';
import { ONLY_STORE, StoreAt, StoreConfig, StoreContext } from './context';
import { ImageBackend } from './image-backend';
import { RbdBackendOptions } from './options';
import { StorePodParts } from './pod-parts';
import { GlanceValidationError } from '../errors';
import { checkNamePart } from '../names';
import { SECRET_MODE } from '../pod-security';

const FACTORY = 'ImageBackend.rbd()';
/** Where Ceph's files are: <cluster>.conf and the keyrings. */
const CEPH_DIR = '/etc/ceph';
/** A Ceph name: pools, users and clusters. */
const CEPH_NAME = /^[A-Za-z0-9_.-]+$/;

/** ImageBackend.rbd(): images in a Ceph pool, read with the Ceph Secrets mounted at /etc/ceph. */
export class RbdStore extends ImageBackend {
  public readonly isShared = true;
  public readonly _locationsServeClones = true;
  public readonly _locationsHoldCredentials = false;
  public readonly _convertsImports = true;
  /** The Ceph Secrets, each with its option (cephSecretName, cephSecretNames[i]), without repeats. */
  private readonly secrets: Array<[string, string]>;

  constructor(private readonly options: RbdBackendOptions) {
    super();
    checkOptionsObject(FACTORY, options, 'at least { cephSecretName: "<Secret with ceph.conf and the keyring>" }');
    const { cephSecretName, cephSecretNames } = options;
    if (cephSecretNames === undefined || cephSecretName !== undefined) checkNamePart(`${FACTORY}.cephSecretName`, cephSecretName!);
    if (cephSecretNames !== undefined) {
      if (!Array.isArray(cephSecretNames) || (cephSecretNames.length === 0 && cephSecretName === undefined)) {
        throw new GlanceValidationError(`${FACTORY}.cephSecretNames`, cephSecretNames, 'is not a list of Secret names',
          'list the Secrets to project into /etc/ceph, e.g. ["ceph-conf-az0", "ceph-conf-az1"]');
      }
      cephSecretNames.forEach((name, i) => checkNamePart(`${FACTORY}.cephSecretNames[${i}]`, name));
    }
    for (const key of ['pool', 'user'] as const) {
      const value = options[key];
      if (value !== undefined && (typeof value !== 'string' || !CEPH_NAME.test(value))) {
        throw new GlanceValidationError(`${FACTORY}.${key}`, value, 'is not a Ceph name', 'use letters, digits, "_", "-" and "."');
      }
    }
    const cluster = options.cluster;
    if (cluster !== undefined && (typeof cluster !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cluster))) {
      throw new GlanceValidationError(`${FACTORY}.cluster`, cluster, 'is not a Ceph cluster name',
        'use letters, digits, "_" and "-": Glance reads /etc/ceph/<cluster>.conf');
    }
    checkDescription(FACTORY, options.description);
    const named: Array<[string, string]> = [
      ...(cephSecretName !== undefined ? [['cephSecretName', cephSecretName] as [string, string]] : []),
      ...(cephSecretNames ?? []).map((name, i) => [`cephSecretNames[${i}]`, name] as [string, string]),
    ];
    this.secrets = named.filter(([, name], i) => named.findIndex(([, other]) => other === name) === i);
  }

  public _config(_context: StoreContext, at = ONLY_STORE): StoreConfig {
    return storeConfig(at, 'rbd', {
      rbd_store_pool: this.options.pool ?? 'images',
      rbd_store_user: this.options.user ?? 'openstack',
      rbd_store_ceph_conf: `${CEPH_DIR}/${this.options.cluster ?? 'ceph'}.conf`,
      store_description: this.options.description ?? 'Ceph RBD backend',
    });
  }

  public _managedOptions(at = ONLY_STORE): Record<string, string> {
    return managedOptions(at, {
      rbd_store_pool: `${at.prop}.pool`,
      rbd_store_user: `${at.prop}.user`,
      rbd_store_ceph_conf: `${at.prop}.cluster (the Ceph Secrets are mounted at ${CEPH_DIR})`,
      store_description: `${at.prop}.description`,
    });
  }

  public _podParts(_context: StoreContext, at = ONLY_STORE): StorePodParts {
    const names = this.secrets.map(([, name]) => name);
    const volume: k8s.Volume = names.length === 1
      ? { name: 'ceph', secret: { secretName: names[0], defaultMode: SECRET_MODE } }
      : { name: 'ceph', projected: { defaultMode: SECRET_MODE, sources: names.map((name) => ({ secret: { name } })) } };
    return podParts(at, { volumes: [volume], mounts: [{ name: 'ceph', mountPath: CEPH_DIR, readOnly: true }] });
  }

  public _bindDeployment(_scope: Construct, _glanceName: string, at: StoreAt = ONLY_STORE): Record<string, string> {
    return Object.fromEntries(this.secrets.map(([option, name]) => [`${at.prop}.${option}`, name]));
  }
}
