import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import type { ImageCacheOptions } from './cache/cache-options';
import { SecretKeySelector } from './names';
import { GlanceRelease } from './release';
import type { ResolvedCommonProps } from './service-config';
import type { ResolvedTls } from './tls/resolve';

/** What an API's image cache adds to it. */
export interface CacheParts {
  /** [DEFAULT] options of glance.conf. */
  readonly options: Record<string, string>;
  /** oslo.policy rules of the cache API. */
  readonly policyRules: Record<string, string>;
  /** The per-replica volumeClaimTemplate, and where the API mounts it. */
  readonly claimTemplate: k8s.KubePersistentVolumeClaimProps;
  readonly mountPath: string;
}

/** The settings an API's children read: resolved once by Glance, never re-validated. */
export interface ApiSettings {
  /** The Glance image and its pull policy. */
  readonly image: string;
  readonly imagePullPolicy: kplus.ImagePullPolicy;
  readonly release: GlanceRelease;
  /** The database URL's Secret key. */
  readonly databaseConnection: SecretKeySelector;
  /** The Glance service user's Keystone password (precache authenticates as it). */
  readonly keystonePassword: SecretKeySelector;
  /** Its application credential's Secret, which replaces the password when given. */
  readonly keystoneApplicationCredentialSecret?: string;
  /** Whether NetworkPolicies are created. */
  readonly networkPolicies: boolean;
  /** How errors name this API's props, e.g. "apis.default". */
  readonly propPath: string;
  /** Whether the API serves HTTPS (its replicas' URLs are https). */
  readonly https: boolean;
  /** The deployment's TLS: the CA bundle its jobs trust. */
  readonly tls: ResolvedTls;
}

/**
 * The deployment a GlanceApi belongs to, as the API sees it. Glance is the one implementation:
 * it resolves the shared props once, and each API it holds (made from its `apis` or added
 * later) reads them here and registers itself.
 * @internal
 */
export abstract class GlanceDeploymentBase extends Construct {
  /**
   * The deployment a construct belongs to: the nearest Glance among its scopes.
   * @internal
   */
  public static _of(construct: IConstruct): GlanceDeploymentBase | undefined {
    return construct.node.scopes.find((scope): scope is GlanceDeploymentBase => scope instanceof GlanceDeploymentBase);
  }

  /**
   * The shared props, checked, with their defaults.
   * @internal
   */
  public abstract readonly _common: ResolvedCommonProps;
  /**
   * The image cache every API inherits.
   * @internal
   */
  public abstract readonly _imageCache?: ImageCacheOptions;

  /**
   * Registers an API: claims its names, and checks the rules across APIs.
   * @internal
   */
  public abstract _addApi(api: GlanceApiBase, apiName: string): void;

  /**
   * Orders and checks the deployment's objects again after a construct added some.
   * @internal
   */
  public abstract _objectsAdded(): void;
}

/**
 * One Glance API StatefulSet as its children see it. GlanceApi is the one implementation; the
 * image cache pushes its parts into it (config options, policy, files, claim template), so the
 * API never pulls them back out.
 * @internal
 */
export abstract class GlanceApiBase extends Construct {
  /**
   * The API a construct belongs to: the nearest GlanceApi among its scopes.
   * @internal
   */
  public static _of(construct: IConstruct): GlanceApiBase | undefined {
    // No GlanceApiBase holds another: the one among the scopes is the nearest.
    return construct.node.scopes.find((scope): scope is GlanceApiBase => scope instanceof GlanceApiBase);
  }

  /** StatefulSet name, also the headless Service's name. */
  public abstract readonly statefulSetName: string;
  /** Replica count. */
  public abstract readonly replicas: number;
  /** The Secret with the configuration files. */
  public abstract readonly configSecretName: string;

  /**
   * The resolved settings of the API.
   * @internal
   */
  public abstract readonly _settings: ApiSettings;

  /**
   * Adds the image cache's parts to the API; `cache` is the ImageCache construct.
   * @internal
   */
  public abstract _addCache(parts: CacheParts, cache: Construct): void;

  /**
   * Adds a file to the API's config Secret, which the API and its cache jobs mount.
   * @internal
   */
  public abstract _addConfigFile(name: string, text: string): void;

  /**
   * Registers a cache job of one kind (pruner, cleaner, precache): an API has at most one of each.
   * @internal
   */
  public abstract _addCacheJob(kind: string): void;
}

/**
 * After a construct of the library added objects: the deployment orders and checks them again,
 * so that a child added after its Glance was built is placed as one made with it.
 */
export function objectsAdded(construct: IConstruct): void {
  GlanceDeploymentBase._of(construct)?._objectsAdded();
}
