import { Construct } from 'constructs';
import { isObject } from './checks';
import { StoreAt, storeOfMulti, StoreConfig, StoreContext } from './context';
import { ImageBackend, MultiBackendOptions } from './image-backend';
import { mergePodParts, StorePodParts } from './pod-parts';
import { GlanceValidationError } from '../errors';

/** A multi-store is only ever the backend prop (it does not nest): its errors name that prop's path. */
const BACKEND = 'backend';

/**
 * Option groups of Glance and the libraries it loads (read from Glance 25 and 30 by the e2e
 * tier): a store named like one would share its section. Prefixes: Glance's reserved stores,
 * oslo and privsep groups.
 */
const RESERVED_STORE_NAMES = [
  'barbican', 'barbican_service_user', 'cinder', 'cors', 'database', 'default', 'file', 'glance_download_opts', 'glance_store',
  'healthcheck', 'image_conversion', 'image_format', 'image_import_opts', 'import_filtering_opts', 'inject_metadata_properties',
  'key_manager', 'keystone_authtoken', 'os_brick', 'paste_deploy', 'profiler', 'profiler_jaeger', 'profiler_otlp',
  'store_type_location_strategy', 'task', 'taskflow_executor', 'vault', 'wsgi',
];
const RESERVED_STORE_PREFIXES = ['os_glance_', 'oslo_', 'privsep'];

/** A store name: a glance.conf section, and the store id of the image API. */
function checkStoreName(prop: string, name: string): void {
  if (!/^[a-z][a-z0-9_-]{0,62}$/.test(name)) {
    throw new GlanceValidationError(prop, name, 'is not a store name',
      'use up to 63 lower-case letters, digits, "_" and "-", starting with a letter');
  }
  if (RESERVED_STORE_NAMES.includes(name) || RESERVED_STORE_PREFIXES.some((prefix) => name.startsWith(prefix))) {
    throw new GlanceValidationError(prop, name, 'is the name of an option group of Glance or its libraries, whose section the store would share',
      'choose another name, e.g. "ceph0" or "swift0"');
  }
}

/** ImageBackend.multi(): several single stores, each in the section of its name. */
export class MultiStore extends ImageBackend {
  public readonly isShared: boolean;
  public readonly _locationsHoldCredentials: boolean;
  public readonly _locationsServeClones: boolean;
  public readonly _convertsImports: boolean;
  /** The stores in the order given, each where it sits. */
  private readonly stores: Array<[StoreAt, ImageBackend]>;
  private readonly defaultStore: string;

  constructor(options: MultiBackendOptions) {
    super();
    if (!isObject(options)) {
      throw new GlanceValidationError(BACKEND, options, 'is ImageBackend.multi() without its options',
        'give at least { stores: { ceph0: ImageBackend.rbd({ ... }), swift0: ImageBackend.swift() }, defaultStore: "ceph0" }');
    }
    const stores = options.stores;
    if (!isObject(stores) || Object.keys(stores).length === 0) {
      throw new GlanceValidationError(`${BACKEND}.stores`, stores, 'names no store',
        'give the stores by name, e.g. { ceph0: ImageBackend.rbd({ ... }), swift0: ImageBackend.swift() }');
    }
    const owners = new Map<string, string>();
    for (const [name, store] of Object.entries(stores)) {
      const at = storeOfMulti(name);
      checkStoreName(at.prop, name);
      if (!(store instanceof ImageBackend) || store instanceof MultiStore) {
        throw new GlanceValidationError(at.prop, store instanceof MultiStore ? 'ImageBackend.multi()' : store,
          store instanceof MultiStore ? 'is ImageBackend.multi(), which does not nest' : 'is not an ImageBackend',
          'give a single store: ImageBackend.file(), rbd(), swift(), s3() or cinder()');
      }
      const dir = store._imageDir;
      if (dir !== undefined) {
        if (owners.has(dir)) {
          throw new GlanceValidationError(at.prop, name, `keeps its images in ${dir}, as store "${owners.get(dir)}" does`, 'keep one file store');
        }
        owners.set(dir, name);
      }
    }
    // Own stores only: "toString" is in every object.
    if (!Object.hasOwn(stores, options.defaultStore)) {
      throw new GlanceValidationError(`${BACKEND}.defaultStore`, options.defaultStore, 'names no store of stores',
        `use one of ${Object.keys(stores).map((n) => `"${n}"`).join(', ')}`);
    }
    this.stores = Object.entries(stores).map(([name, store]) => [storeOfMulti(name), store]);
    this.defaultStore = options.defaultStore;
    this.isShared = this.stores.every(([, store]) => store.isShared);
    this._locationsHoldCredentials = this.stores.some(([, store]) => store._locationsHoldCredentials);
    // Locations that hold credentials are never shown, so none serves a clone then.
    this._locationsServeClones = !this._locationsHoldCredentials && this.stores.some(([, store]) => store._locationsServeClones);
    this._convertsImports = this.stores.some(([, store]) => store._convertsImports);
  }

  public _config(context: StoreContext): StoreConfig {
    const configs = this.stores.map(([at, store]) => store._config(context, at));
    return {
      enabledBackends: configs.map((config) => config.enabledBackends).join(','),
      defaultBackend: this.defaultStore,
      sections: Object.assign({}, ...configs.map((config) => config.sections)),
    };
  }

  public _managedOptions(): Record<string, string> {
    return Object.assign({}, ...this.stores.map(([at, store]) => store._managedOptions(at)));
  }

  public _fromConfigSecrets(): Record<string, string> {
    return Object.assign({}, ...this.stores.map(([at, store]) => store._fromConfigSecrets(at)));
  }

  public _podParts(context: StoreContext): StorePodParts {
    return mergePodParts(this.stores.map(([at, store]) => [at, store._podParts(context, at)]));
  }

  public _checkDeployment(totalReplicas: number, statefulSets: number): void {
    for (const [at, store] of this.stores) store._checkDeployment(totalReplicas, statefulSets, at);
  }

  public _bindDeployment(scope: Construct, glanceName: string): Record<string, string> {
    return Object.assign({}, ...this.stores.map(([at, store]) => store._bindDeployment(scope, glanceName, at)));
  }

  public _checkApi(path: string, replicas: number, stateIsEphemeral: boolean): void {
    for (const [, store] of this.stores) store._checkApi(path, replicas, stateIsEphemeral);
  }
}
