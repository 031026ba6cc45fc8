import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { GlanceValidationError } from './errors';
import { checkNamePart } from './names';
import { FILE_STORE_DIR, glanceLabels, SECRET_MODE } from './pod-security';
import { parseStorageSize } from './quantity';

/** Where the file store keeps images when several replicas must see the same files. */
export interface SharedStoreOptions {
  /**
   * An existing ReadWriteMany claim (NFS or similar) to mount at the file store.
   * @default - a claim named "<name>-images" is created from storageClass and storageRequest
   */
  readonly existingClaimName?: string;
  /**
   * A storage class that provides ReadWriteMany volumes, such as an NFS provisioner's.
   * Required unless existingClaimName is set.
   * @default - none
   */
  readonly storageClass?: string;
  /**
   * Size of the created claim.
   * @default "100Gi"
   */
  readonly storageRequest?: string;
}

/** Options of the file store. */
export interface FileBackendOptions {
  /**
   * A shared ReadWriteMany volume for the images. Required when the deployment runs more than
   * one replica: every replica must read the files any other replica wrote.
   * @default - images live on the replica's own volume, valid with one replica only
   */
  readonly sharedStore?: SharedStoreOptions;
}

/** Options of the Ceph RBD store. */
export interface RbdBackendOptions {
  /**
   * Secret that holds "ceph.conf" and the client keyring, mounted at /etc/ceph.
   */
  readonly cephSecretName: string;
  /**
   * RBD pool for images.
   * @default "images"
   */
  readonly pool?: string;
  /**
   * Ceph client user (the keyring must be "ceph.client.<user>.keyring").
   * @default "openstack"
   */
  readonly user?: string;
}

/** What a store adds to one API's pod: volumes and their mounts in the glance-api container. */
export interface StorePodParts {
  /** Volumes of the pod. */
  readonly volumes: k8s.Volume[];
  /** Mounts of the glance-api container. */
  readonly mounts: k8s.VolumeMount[];
}

/**
 * Glance's image store. Each kind of store renders itself: its glance.conf section, the volumes
 * its replicas mount, and the objects and checks it needs at the deployment level. Adding a
 * store touches this file only.
 */
export abstract class ImageBackend {
  /** The file store, at /var/lib/glance/images. */
  public static file(options: FileBackendOptions = {}): ImageBackend {
    return new FileBackend(options);
  }

  /** Ceph RBD; images are shared by every replica through the Ceph cluster. */
  public static rbd(options: RbdBackendOptions): ImageBackend {
    return new RbdBackend(options);
  }

  /** True when every replica sees the same images without further volumes. */
  public abstract readonly isShared: boolean;

  /**
   * The store type in enabled_backends ("file", "rbd").
   * @internal
   */
  public abstract readonly _storeType: string;

  /**
   * Whether the store's image locations serve the other services (Nova and Cinder clone from
   * Ceph), so that internal APIs show them and a deployment is split by default (OSSN-0090).
   * @internal
   */
  public abstract readonly _locationsServeClones: boolean;

  /**
   * Options of the "[default_backend]" section of glance.conf.
   * @internal
   */
  public abstract _storeOptions(): Record<string, string>;

  /**
   * Volumes and mounts every API replica needs for this store.
   * @internal
   */
  public abstract _podParts(glanceName: string): StorePodParts;

  /**
   * Checks the whole deployment's replica count against the store.
   * @internal
   */
  public abstract _checkDeployment(totalReplicas: number, statefulSets: number): void;

  /**
   * Creates the deployment-level objects the store needs (a shared claim), and returns the user's
   * Secrets it names, by prop, for Glance to check against its own.
   * @internal
   */
  public abstract _bindDeployment(scope: Construct, glanceName: string): Array<[string, string]>;

  /**
   * Checks one API StatefulSet against the store.
   * @internal
   */
  public abstract _checkApi(path: string, replicas: number, stateIsEphemeral: boolean): void;
}

class FileBackend extends ImageBackend {
  public readonly _storeType = 'file';
  public readonly _locationsServeClones = false;
  private readonly shared?: SharedStoreOptions;

  constructor(options: FileBackendOptions) {
    super();
    const shared = options.sharedStore;
    if (shared) {
      if (shared.existingClaimName === undefined && shared.storageClass === undefined) {
        throw new GlanceValidationError('backend.sharedStore', shared, 'names neither an existing claim nor a storage class',
          'set sharedStore.existingClaimName to a ReadWriteMany claim, or sharedStore.storageClass to an NFS (ReadWriteMany) storage class');
      }
      if (shared.existingClaimName !== undefined) checkNamePart('backend.sharedStore.existingClaimName', shared.existingClaimName);
      if (shared.storageRequest !== undefined) parseStorageSize('backend.sharedStore.storageRequest', shared.storageRequest);
    }
    this.shared = shared;
  }

  public get isShared(): boolean {
    return this.shared !== undefined;
  }

  public _storeOptions(): Record<string, string> {
    return { filesystem_store_datadir: FILE_STORE_DIR, store_description: 'File backend' };
  }

  public _podParts(glanceName: string): StorePodParts {
    if (!this.shared) return { volumes: [], mounts: [] };
    return {
      volumes: [{ name: 'images', persistentVolumeClaim: { claimName: this.shared.existingClaimName ?? `${glanceName}-images` } }],
      mounts: [{ name: 'images', mountPath: FILE_STORE_DIR }],
    };
  }

  public _checkDeployment(totalReplicas: number, statefulSets: number): void {
    if (!this.shared && totalReplicas > 1) {
      throw new GlanceValidationError('backend', `file store, ${totalReplicas} replicas in ${statefulSets} StatefulSet(s)`,
        'gives each replica its own file store, so replicas cannot serve each other\'s images',
        'use ImageBackend.file({ sharedStore: { storageClass: "<an NFS/ReadWriteMany class>" } }), or ImageBackend.rbd()');
    }
  }

  public _bindDeployment(scope: Construct, glanceName: string): Array<[string, string]> {
    if (this.shared && this.shared.existingClaimName === undefined) {
      new k8s.KubePersistentVolumeClaim(scope, 'images', {
        metadata: { name: `${glanceName}-images`, labels: glanceLabels('image-store') },
        spec: {
          accessModes: ['ReadWriteMany'],
          storageClassName: this.shared.storageClass,
          resources: { requests: { storage: k8s.Quantity.fromString(this.shared.storageRequest ?? '100Gi') } },
        },
      });
    }
    return [];
  }

  public _checkApi(path: string, replicas: number, stateIsEphemeral: boolean): void {
    if (!this.shared && (replicas > 1 || stateIsEphemeral)) {
      throw new GlanceValidationError(`${path}.replicas`, replicas,
        stateIsEphemeral ? 'keeps file-store images in an emptyDir (storage.external)' : 'runs several replicas on a file store that is not shared',
        'give ImageBackend.file({ sharedStore: ... }) a ReadWriteMany (NFS) claim or storage class, or use ImageBackend.rbd()');
    }
  }
}

class RbdBackend extends ImageBackend {
  public readonly isShared = true;
  public readonly _storeType = 'rbd';
  public readonly _locationsServeClones = true;

  constructor(private readonly options: RbdBackendOptions) {
    super();
    if (typeof options !== 'object' || options === null) {
      throw new GlanceValidationError('backend', options, 'is ImageBackend.rbd() without its options', 'give at least { cephSecretName: "<Secret with ceph.conf and the keyring>" }');
    }
    checkNamePart('backend.cephSecretName', options.cephSecretName);
    for (const [prop, value] of [['backend.pool', options.pool], ['backend.user', options.user]]) {
      if (value !== undefined && !/^[A-Za-z0-9_.-]+$/.test(value)) {
        throw new GlanceValidationError(prop!, value, 'is not a Ceph name', 'use letters, digits, "_", "-" and "."');
      }
    }
  }

  public _storeOptions(): Record<string, string> {
    return {
      rbd_store_pool: this.options.pool ?? 'images',
      rbd_store_user: this.options.user ?? 'openstack',
      rbd_store_ceph_conf: '/etc/ceph/ceph.conf',
      store_description: 'Ceph RBD backend',
    };
  }

  public _podParts(): StorePodParts {
    return {
      volumes: [{ name: 'ceph', secret: { secretName: this.options.cephSecretName, defaultMode: SECRET_MODE } }],
      mounts: [{ name: 'ceph', mountPath: '/etc/ceph', readOnly: true }],
    };
  }

  public _checkDeployment(): void {}

  public _bindDeployment(): Array<[string, string]> {
    return [['backend.cephSecretName', this.options.cephSecretName]];
  }

  public _checkApi(): void {}
}
