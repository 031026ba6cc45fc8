import { GlanceValidationError } from './errors';
import { checkNamePart } from './names';
import { FILE_STORE_DIR } from './pod-security';
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

/** The kind of image store. */
export enum ImageBackendType {
  /** Files on a (shared) filesystem. */
  FILE = 'file',
  /** Ceph RBD. */
  RBD = 'rbd',
}

/** Glance's image store: the file store or Ceph RBD. */
export class ImageBackend {
  /** The file store, at /var/lib/glance/images. */
  public static file(options: FileBackendOptions = {}): ImageBackend {
    const shared = options.sharedStore;
    if (shared) {
      if (shared.existingClaimName === undefined && shared.storageClass === undefined) {
        throw new GlanceValidationError('backend.sharedStore', shared, 'names neither an existing claim nor a storage class',
          'set sharedStore.existingClaimName to a ReadWriteMany claim, or sharedStore.storageClass to an NFS (ReadWriteMany) storage class');
      }
      if (shared.existingClaimName !== undefined) checkNamePart('backend.sharedStore.existingClaimName', shared.existingClaimName);
      if (shared.storageRequest !== undefined) parseStorageSize('backend.sharedStore.storageRequest', shared.storageRequest);
    }
    return new ImageBackend(ImageBackendType.FILE, options, undefined);
  }

  /** Ceph RBD; images are shared by every replica through the Ceph cluster. */
  public static rbd(options: RbdBackendOptions): ImageBackend {
    checkNamePart('backend.cephSecretName', options.cephSecretName);
    for (const [prop, value] of [['backend.pool', options.pool], ['backend.user', options.user]]) {
      if (value !== undefined && !/^[A-Za-z0-9_.-]+$/.test(value)) {
        throw new GlanceValidationError(prop!, value, 'is not a Ceph name', 'use letters, digits, "_", "-" and "."');
      }
    }
    return new ImageBackend(ImageBackendType.RBD, undefined, options);
  }

  private constructor(
    /** The kind of store. */
    public readonly type: ImageBackendType,
    /** File store options, for the file store. */
    public readonly fileOptions: FileBackendOptions | undefined,
    /** RBD options, for the rbd store. */
    public readonly rbdOptions: RbdBackendOptions | undefined,
  ) {}

  /** True when every replica sees the same images without further volumes. */
  public get isShared(): boolean {
    return this.type === ImageBackendType.RBD || this.fileOptions?.sharedStore !== undefined;
  }

  /**
   * Options of the "[default_backend]" section of glance.conf.
   * @internal
   */
  public _storeOptions(): Record<string, string> {
    if (this.type === ImageBackendType.RBD) {
      const user = this.rbdOptions!.user ?? 'openstack';
      return {
        rbd_store_pool: this.rbdOptions!.pool ?? 'images',
        rbd_store_user: user,
        rbd_store_ceph_conf: '/etc/ceph/ceph.conf',
        store_description: 'Ceph RBD backend',
      };
    }
    return { filesystem_store_datadir: FILE_STORE_DIR, store_description: 'File backend' };
  }
}
