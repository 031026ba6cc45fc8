import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { GlanceRelease, SecretKeySelector } from './types';

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
  /** Whether NetworkPolicies are created. */
  readonly networkPolicies: boolean;
  /** How errors name this API's props, e.g. "apis.default". */
  readonly propPath: string;
}

/**
 * One Glance API StatefulSet as its children see it. GlanceApi is the one implementation; the
 * image cache pushes its parts into it (config options, policy, files, claim template), so the
 * API never pulls them back out.
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
   * Adds the image cache's parts to the API.
   * @internal
   */
  public abstract _addCache(parts: CacheParts): void;

  /**
   * Adds a file to the API's config Secret, which the API and its cache jobs mount.
   * @internal
   */
  public abstract _addConfigFile(name: string, text: string): void;
}
