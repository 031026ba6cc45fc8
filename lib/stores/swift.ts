import { Construct } from 'constructs';
import {
  checkDescription, checkKeystoneName, checkOneOf, checkOptionsObject, FROM_SECRET, managedOptions, NO_VOLUMES, podParts, storeConfig,
} from './checks';
import { ONLY_STORE, StoreAt, StoreConfig, StoreContext } from './context';
import { ImageBackend } from './image-backend';
import { SwiftBackendOptions } from './options';
import { StorePodParts } from './pod-parts';
import { GlanceValidationError } from '../errors';
import { checkLine, checkSecretKey } from '../names';

const FACTORY = 'ImageBackend.swift()';
const ENDPOINT_TYPES = ['internalURL', 'publicURL', 'adminURL'] as const;

/** ImageBackend.swift(): single-tenant Swift, authenticated with Keystone v3 against the deployment's Keystone. */
export class SwiftStore extends ImageBackend {
  public readonly isShared = true;
  public readonly _locationsServeClones = false;
  public readonly _locationsHoldCredentials = true;

  constructor(private readonly options: SwiftBackendOptions) {
    super();
    checkOptionsObject(FACTORY, options, 'nothing, or an object such as { container: "glance" }');
    if (options.keySecret !== undefined) checkSecretKey(`${FACTORY}.keySecret`, options.keySecret);
    checkKeystoneName(`${FACTORY}.user`, options.user);
    checkKeystoneName(`${FACTORY}.projectName`, options.projectName);
    const container = options.container;
    if (container !== undefined && (typeof container !== 'string' || !/^[^/\s]{1,256}$/.test(container))) {
      throw new GlanceValidationError(`${FACTORY}.container`, container, 'is not a Swift container name',
        'use up to 256 characters without "/" or white space');
    }
    if (options.region !== undefined) checkLine(`${FACTORY}.region`, options.region, 'use the region name of the Keystone catalog, e.g. "regionOne"');
    checkOneOf(`${FACTORY}.endpointType`, options.endpointType, ENDPOINT_TYPES);
    checkDescription(FACTORY, options.description);
  }

  public _config(context: StoreContext, at = ONLY_STORE): StoreConfig {
    const region = this.options.region ?? context.keystone.region;
    return storeConfig(at, 'swift', {
      swift_store_auth_version: '3',
      swift_store_auth_address: context.keystone.authUrl,
      swift_store_user: `${this.options.projectName ?? context.keystone.projectName}:${this.options.user ?? context.keystone.username}`,
      swift_store_endpoint_type: this.options.endpointType ?? 'internalURL',
      ...(region !== undefined ? { swift_store_region: region } : {}),
      swift_store_container: this.options.container ?? 'glance',
      swift_store_create_container_on_put: true,
      ...(context.caFile ? { swift_store_cacert: context.caFile } : {}),
      store_description: this.options.description ?? 'Swift backend',
    });
  }

  public _managedOptions(at = ONLY_STORE): Record<string, string> {
    const prop = at.prop;
    return managedOptions(at, {
      swift_store_auth_version: `${prop} (Keystone v3)`,
      swift_store_auth_address: 'keystone.authUrl (the Swift store authenticates against the deployment\'s Keystone)',
      swift_store_user: `${prop}.projectName and ${prop}.user`,
      swift_store_key: `${prop}.keySecret (the key ${FROM_SECRET})`,
      swift_store_endpoint_type: `${prop}.endpointType`,
      swift_store_region: `${prop}.region`,
      swift_store_container: `${prop}.container`,
      swift_store_create_container_on_put: `${prop} (the container is created on the first upload)`,
      swift_store_config_file: `${prop} (the credentials come from glance.conf and the key's Secret)`,
      swift_store_cacert: 'tls.caBundleSecret',
      store_description: `${prop}.description`,
    });
  }

  public _podParts(context: StoreContext, at = ONLY_STORE): StorePodParts {
    return podParts(at, NO_VOLUMES, { swift_store_key: this.options.keySecret ?? context.keystone.passwordSecret });
  }

  public _bindDeployment(_scope: Construct, _glanceName: string, at: StoreAt = ONLY_STORE): Record<string, string> {
    return this.options.keySecret ? { [`${at.prop}.keySecret.name`]: this.options.keySecret.name } : {};
  }
}
