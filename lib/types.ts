import { GlanceValidationError } from './errors';

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
 * The OpenStack release of the Glance image. It picks defaults that differ by release: the image
 * cache driver, and the policy settings. An open set: `GlanceRelease.of('2026.1')` names a
 * release newer than this library without waiting for a new version of it.
 */
export class GlanceRelease {
  /** 2022.1 (Glance 24): the first release with the /v2/cache API. */
  public static readonly YOGA = new GlanceRelease('2022.1', 'yoga');
  /** 2022.2 (Glance 25). */
  public static readonly ZED = new GlanceRelease('2022.2', 'zed');
  /** 2023.1 (Glance 26). */
  public static readonly ANTELOPE = new GlanceRelease('2023.1', 'antelope');
  /** 2023.2 (Glance 27). */
  public static readonly BOBCAT = new GlanceRelease('2023.2', 'bobcat');
  /** 2024.1 (Glance 28): adds the centralized_db cache driver and deprecates sqlite. */
  public static readonly CARACAL = new GlanceRelease('2024.1', 'caracal');
  /** 2024.2 (Glance 29). */
  public static readonly DALMATIAN = new GlanceRelease('2024.2', 'dalmatian');
  /** 2025.1 (Glance 30). */
  public static readonly EPOXY = new GlanceRelease('2025.1', 'epoxy');
  /** 2025.2 (Glance 31). */
  public static readonly FLAMINGO = new GlanceRelease('2025.2', 'flamingo');

  /** Every release this library names, oldest first. */
  public static get known(): GlanceRelease[] {
    return [GlanceRelease.YOGA, GlanceRelease.ZED, GlanceRelease.ANTELOPE, GlanceRelease.BOBCAT,
      GlanceRelease.CARACAL, GlanceRelease.DALMATIAN, GlanceRelease.EPOXY, GlanceRelease.FLAMINGO];
  }

  /**
   * A release by its number ("2025.1") or its code name ("epoxy", any case). Numbers of releases
   * newer than this library are accepted; anything before 2022.1 (Yoga) is not supported.
   */
  public static of(release: string): GlanceRelease {
    // Stryker disable next-line StringLiteral: any text that is no release is refused just the same
    const text = typeof release === 'string' ? release.trim().toLowerCase() : '';
    const known = GlanceRelease.known.find((r) => r.version === text || r.codeName === text);
    if (known) return known;
    const match = /^(20\d\d)\.([12])$/.exec(text);
    // Stryker disable next-line EqualityOperator: 2022.1 and 2022.2 are found by name above
    if (!match || Number(match[1]) < 2022) {
      throw new GlanceValidationError('release', release, 'is not a supported OpenStack release',
        `use a release number from 2022.1 on ("2025.1") or a name: ${GlanceRelease.known.map((r) => r.codeName).join(', ')}`);
    }
    return new GlanceRelease(text, text);
  }

  /** The Glance major version of the release: 24 for 2022.1, one more for each release after. */
  public readonly glanceMajor: number;

  private constructor(
    /** The release number, "2025.1". */
    public readonly version: string,
    /** The code name, "epoxy" (the number for releases newer than this library). */
    public readonly codeName: string,
  ) {
    const [year, half] = version.split('.').map(Number);
    this.glanceMajor = 24 + (year - 2022) * 2 + (half - 1);
  }

  /** Whether this release is `other` or a later one. */
  public isAtLeast(other: GlanceRelease): boolean {
    return this.glanceMajor >= other.glanceMajor;
  }

  /** "2025.1 (epoxy)". */
  public toString(): string {
    return this.codeName === this.version ? this.version : `${this.version} (${this.codeName})`;
  }
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

/**
 * The role of one API StatefulSet: which endpoints it serves. A Glance-level GlanceApiType.SPLIT
 * becomes two StatefulSets, INTERNAL and EXTERNAL; SPLIT is no role, so it cannot be asked of one.
 */
export enum GlanceApiRole {
  /** Both the public and the internal endpoint. */
  SINGLE = 'single',
  /** Only the internal endpoint. */
  INTERNAL = 'internal',
  /** Only the public endpoint. */
  EXTERNAL = 'external',
  /** An edge site's API: only the internal endpoint, for the local compute nodes. */
  EDGE = 'edge',
}

/** Access mode of the volume that holds a replica's /var/lib/glance. */
export enum StorageAccessMode {
  /** One node at a time: the usual block-backed volume. */
  READ_WRITE_ONCE = 'ReadWriteOnce',
  /** Many nodes at once: NFS and similar shared filesystems. */
  READ_WRITE_MANY = 'ReadWriteMany',
}
