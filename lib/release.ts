import { GlanceValidationError } from './errors';

/** 2026.1 (Glance 32): the first release whose API the library serves with uWSGI. */
const UWSGI_FROM_GLANCE_MAJOR = 32;

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

  /**
   * Whether the API runs under uWSGI rather than as the eventlet `glance-api`: from 2026.1 (Glance
   * 32) on, which deprecates the eventlet server; 2026.2 (Glance 33) removes it (lib/api-serving.ts).
   * @internal
   */
  public get _servedByUwsgi(): boolean {
    return this.glanceMajor >= UWSGI_FROM_GLANCE_MAJOR;
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
