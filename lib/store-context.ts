import { SecretKeySelector } from './types';

/**
 * What an image store may read of the deployment it belongs to, resolved once with every default
 * filled in (service-config.ts). The stores get it as an argument of their render methods and read
 * nothing else of the deployment. Not part of the public API.
 */
export interface StoreContext {
  /** The Glance name: the prefix of every object name. */
  readonly glanceName: string;
  /** The Keystone the API authenticates against, as keystone_authtoken uses it. */
  readonly keystone: ResolvedKeystone;
}

/** KeystoneOptions with their defaults. */
export interface ResolvedKeystone {
  readonly authUrl: string;
  readonly publicAuthUrl: string;
  readonly username: string;
  readonly projectName: string;
  readonly domainName: string;
  readonly region?: string;
  readonly passwordSecret: SecretKeySelector;
}

/** What a backend writes into glance.conf. */
export interface StoreConfig {
  /** [DEFAULT] enabled_backends. */
  readonly enabledBackends: string;
  /** [glance_store] default_backend. */
  readonly defaultBackend: string;
  /** One section per store, by store name. */
  readonly sections: Record<string, Record<string, string | boolean>>;
}
