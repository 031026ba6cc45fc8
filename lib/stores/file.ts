import { Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkDescription, checkOptionsObject, isObject, managedOptions, NO_VOLUMES, podParts, storeConfig } from './checks';
import { ONLY_STORE, StoreConfig, StoreContext } from './context';
import { ImageBackend } from './image-backend';
import { FileBackendOptions, SharedStoreOptions } from './options';
import { StorePodParts } from './pod-parts';
import { GlanceValidationError } from '../errors';
import { checkNamePart, checkSubdomain, HOST } from '../names';
import { FILE_STORE_DIR, glanceLabels } from '../pod-security';
import { parseStorageSize } from '../quantity';

const FACTORY = 'ImageBackend.file()';

/** ImageBackend.file(): images on the replica's own volume, or on a shared ReadWriteMany claim. */
export class FileStore extends ImageBackend {
  public readonly _locationsServeClones = false;
  public readonly _locationsHoldCredentials = false;
  public readonly _imageDir = FILE_STORE_DIR;
  private readonly shared?: SharedStoreOptions;
  private readonly description?: string;

  constructor(options: FileBackendOptions) {
    super();
    checkOptionsObject(FACTORY, options, 'nothing, or an object such as { sharedStore: { storageClass: "nfs-client" } }');
    checkDescription(FACTORY, options.description);
    if (options.sharedStore !== undefined) checkSharedStore(`${FACTORY}.sharedStore`, options.sharedStore);
    this.shared = options.sharedStore;
    this.description = options.description;
  }

  public get isShared(): boolean {
    return this.shared !== undefined;
  }

  public _config(_context: StoreContext, at = ONLY_STORE): StoreConfig {
    return storeConfig(at, 'file', { filesystem_store_datadir: FILE_STORE_DIR, store_description: this.description ?? 'File backend' });
  }

  public _managedOptions(at = ONLY_STORE): Record<string, string> {
    return managedOptions(at, {
      filesystem_store_datadir: `${at.prop} (ImageBackend.file() mounts the store at ${FILE_STORE_DIR})`,
      store_description: `${at.prop}.description`,
    });
  }

  public _podParts(context: StoreContext, at = ONLY_STORE): StorePodParts {
    if (!this.shared) return podParts(at, NO_VOLUMES);
    return podParts(at, {
      volumes: [{ name: 'images', persistentVolumeClaim: { claimName: this.shared.existingClaimName ?? `${context.glanceName}-images` } }],
      mounts: [{ name: 'images', mountPath: FILE_STORE_DIR }],
    });
  }

  public _checkDeployment(totalReplicas: number, statefulSets: number, at = ONLY_STORE): void {
    if (!this.isShared && totalReplicas > 1) {
      throw new GlanceValidationError(at.prop, `file store, ${totalReplicas} replicas in ${statefulSets} StatefulSet(s)`,
        'gives each replica its own file store, so replicas cannot serve each other\'s images',
        'use ImageBackend.file({ sharedStore: { storageClass: "<an NFS/ReadWriteMany class>" } }), or ImageBackend.rbd()');
    }
  }

  public _checkApi(path: string, replicas: number, stateIsEphemeral: boolean): void {
    if (this.isShared) return;
    const fix = 'give ImageBackend.file({ sharedStore: ... }) a ReadWriteMany (NFS) claim or storage class, or use ImageBackend.rbd()';
    if (stateIsEphemeral) {
      throw new GlanceValidationError('storage.external', true, `keeps the file store's images of ${path} in an emptyDir, lost with each pod`,
        `${fix}; or leave storage.external unset for a claim per replica`);
    }
    if (replicas > 1) throw new GlanceValidationError(`${path}.replicas`, replicas, 'runs several replicas on a file store that is not shared', fix);
  }

  public _bindDeployment(scope: Construct, glanceName: string): Record<string, string> {
    const shared = this.shared;
    if (!shared || shared.existingClaimName !== undefined) return {};
    const claimName = `${glanceName}-images`;
    const storage = k8s.Quantity.fromString(shared.storageRequest ?? '100Gi');
    // An NFS export gets a PersistentVolume of its own, pre-bound both ways: the claim names the
    // volume, the volume (where the namespace is known) the claim, and its empty class keeps
    // dynamic provisioning and other claims away. PersistentVolumes are cluster-wide: the name
    // carries the namespace.
    const namespace = Chart.of(scope).namespace;
    const volumeName = shared.nfs && (namespace ? `${namespace}-${claimName}` : claimName);
    if (shared.nfs) {
      const volume = new k8s.KubePersistentVolume(scope, 'images-nfs', {
        metadata: { name: volumeName, labels: glanceLabels('image-store') },
        spec: {
          accessModes: ['ReadWriteMany'],
          capacity: { storage },
          nfs: { server: shared.nfs.server, path: shared.nfs.path },
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: '',
          claimRef: namespace ? { namespace, name: claimName } : undefined,
        },
      });
      // Cluster-wide: not in the namespace cdk8s gives every object of the chart.
      if (namespace) volume.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
    new k8s.KubePersistentVolumeClaim(scope, 'images', {
      metadata: { name: claimName, labels: glanceLabels('image-store') },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: shared.nfs ? '' : shared.storageClass,
        volumeName,
        resources: { requests: { storage } },
      },
    });
    return {};
  }
}

function checkSharedStore(prop: string, shared: unknown): void {
  if (!isObject(shared) || (shared.existingClaimName === undefined && shared.storageClass === undefined && shared.nfs === undefined)) {
    throw new GlanceValidationError(prop, shared, 'names neither an existing claim, a storage class nor an NFS export',
      'set sharedStore.existingClaimName to a ReadWriteMany claim, sharedStore.storageClass to an NFS (ReadWriteMany) storage class, '
      + 'or sharedStore.nfs to { server, path }');
  }
  if (shared.existingClaimName !== undefined) checkNamePart(`${prop}.existingClaimName`, shared.existingClaimName);
  if (shared.storageClass !== undefined) checkSubdomain(`${prop}.storageClass`, shared.storageClass);
  if (shared.storageRequest !== undefined) parseStorageSize(`${prop}.storageRequest`, shared.storageRequest);
  if (shared.nfs !== undefined) {
    if (shared.existingClaimName !== undefined || shared.storageClass !== undefined) {
      throw new GlanceValidationError(`${prop}.nfs`, shared.nfs, 'is given together with existingClaimName or storageClass',
        'give the shared store one way: an NFS export, a claim, or a storage class');
    }
    checkNfs(`${prop}.nfs`, shared.nfs);
  }
}

function checkNfs(prop: string, nfs: unknown): void {
  if (!isObject(nfs)) {
    throw new GlanceValidationError(prop, nfs, 'is not an NFS export', 'give { server: "nfs.example.com", path: "/exports/glance" }');
  }
  if (typeof nfs.server !== 'string' || !HOST.test(nfs.server)) {
    throw new GlanceValidationError(`${prop}.server`, nfs.server, 'is not a host name or IP address', 'use e.g. "nfs.example.com" or "192.0.2.5"');
  }
  if (typeof nfs.path !== 'string' || !/^\/[^\s\0]*$/.test(nfs.path) || nfs.path.split('/').includes('..')) {
    throw new GlanceValidationError(`${prop}.path`, nfs.path, 'is not an absolute export path', 'use e.g. "/exports/glance", without spaces or ".."');
  }
}
