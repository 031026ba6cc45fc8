/** A key inside a Kubernetes Secret. */
export interface SecretKeySelector {
  /** Name of the Secret, in the chart's namespace. */
  readonly name: string;
  /** Key inside the Secret. */
  readonly key: string;
}

/** CPU and memory for one container, as Kubernetes quantities. */
export interface ContainerResources {
  /** @default - the container's documented default */
  readonly cpuRequest?: string;
  /** @default - no CPU limit (throttling Glance stalls image transfers) */
  readonly cpuLimit?: string;
  /** @default - the container's documented default */
  readonly memoryRequest?: string;
  /** @default - the container's documented default */
  readonly memoryLimit?: string;
}

/**
 * The OpenStack release of the Glance image. It picks defaults that differ by release:
 * the image cache driver, and whether the cache API is served under /v2/cache.
 */
export enum GlanceRelease {
  /** 2022.1 (Glance 24): the first release with the /v2/cache API. */
  YOGA = 24,
  /** 2022.2 (Glance 25). */
  ZED = 25,
  /** 2023.1 (Glance 26). */
  ANTELOPE = 26,
  /** 2023.2 (Glance 27). */
  BOBCAT = 27,
  /** 2024.1 (Glance 28): adds the centralized_db cache driver and deprecates sqlite. */
  CARACAL = 28,
  /** 2024.2 (Glance 29). */
  DALMATIAN = 29,
  /** 2025.1 (Glance 30). */
  EPOXY = 30,
  /** 2025.2 (Glance 31). */
  FLAMINGO = 31,
}

/** Where Glance keeps the metadata of its local image cache. */
export enum ImageCacheDriver {
  /** A sqlite database inside each replica's cache directory. Deprecated from 2024.1. */
  SQLITE = 'sqlite',
  /** Extended attributes on the cache files; the cache filesystem must support user xattrs. */
  XATTR = 'xattr',
  /** Glance's own database (2024.1 and later). Needs worker_self_reference_url per replica. */
  CENTRALIZED_DB = 'centralized_db',
}

/** Which Keystone endpoints a Glance API serves. */
export enum GlanceApiType {
  /** One StatefulSet serving both the public and the internal endpoint. */
  SINGLE = 'single',
  /** Only the internal endpoint. */
  INTERNAL = 'internal',
  /** Only the public endpoint. */
  EXTERNAL = 'external',
  /** An edge site's API: only the internal endpoint, for the local compute nodes. */
  EDGE = 'edge',
  /** Two StatefulSets, one internal and one external, with the same settings. */
  SPLIT = 'split',
}

/** Access mode of the volume that holds a replica's /var/lib/glance. */
export enum StorageAccessMode {
  /** One node at a time: the usual block-backed volume. */
  READ_WRITE_ONCE = 'ReadWriteOnce',
  /** Many nodes at once: NFS and similar shared filesystems. */
  READ_WRITE_MANY = 'ReadWriteMany',
}
