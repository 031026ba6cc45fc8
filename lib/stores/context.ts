import { SecretKeySelector } from '../names';

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
  /** The CA bundle every Glance container trusts (tls.caBundleSecret), for the stores that reach HTTPS endpoints. */
  readonly caFile?: string;
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
  /** The token cache's memcached servers (host:port), when there are any. */
  readonly memcachedServers?: string[];
  /** The Secret of the application credential that replaces the password, when there is one. */
  readonly applicationCredentialSecret?: string;
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

/**
 * Where a store sits in a deployment: its glance.conf section (also the prefix of its environment
 * variables and of its own files' directory), and the prop that errors at the deployment name it by.
 */
export interface StoreAt {
  readonly section: string;
  readonly prop: string;
}

/** A deployment's only store: the section as the glance-operator names it, the prop `backend`. */
export const ONLY_STORE: StoreAt = { section: 'default_backend', prop: 'backend' };

/** The store `name` of ImageBackend.multi(): its section is its name. */
export function storeOfMulti(name: string): StoreAt {
  return { section: name, prop: `backend.stores.${name}` };
}
