import { Construct } from 'constructs';
import { GlanceValidationError } from '../errors';
import { StoreAt, StoreConfig, StoreContext } from './context';
import {
  CinderBackendOptions, FileBackendOptions, RbdBackendOptions, S3BackendOptions, SwiftBackendOptions,
} from './options';
import { StorePodParts } from './pod-parts';

/** Several stores at once (Glance's multi-store), one of them the default. */
export interface MultiBackendOptions {
  /**
   * The stores by name. Each name is a glance.conf section and a store id of the image API
   * (GET /v2/info/stores, the "stores" of an import): lower-case letters, digits, "_" and "-",
   * starting with a letter. Each store is a single store (ImageBackend.file(), rbd(), swift(),
   * s3() or cinder()); at most one file store.
   */
  readonly stores: { [name: string]: ImageBackend };
  /** The name of the store new images go to (glance_store default_backend). */
  readonly defaultStore: string;
}

/** The store classes behind the factories, one module each under lib/stores/. */
export interface StoreClasses {
  readonly file: new (options: FileBackendOptions) => ImageBackend;
  readonly rbd: new (options: RbdBackendOptions) => ImageBackend;
  readonly swift: new (options: SwiftBackendOptions) => ImageBackend;
  readonly s3: new (options: S3BackendOptions) => ImageBackend;
  readonly cinder: new (options: CinderBackendOptions) => ImageBackend;
  readonly multi: new (options: MultiBackendOptions) => ImageBackend;
}

/**
 * Given once by lib/stores/index.ts: the store modules extend ImageBackend, so this module cannot
 * import them without a cycle.
 */
let classes: StoreClasses | undefined;

/** Gives the factories their classes (lib/stores/index.ts). */
export function defineStores(given: StoreClasses): void {
  classes = given;
}

function storeClasses(): StoreClasses {
  if (!classes) throw new Error('ImageBackend has no stores: import it from lib/stores (index.ts), which defines them');
  return classes;
}

/**
 * Glance's image store, or several. Each kind of store renders itself: its glance.conf section,
 * the volumes and environment its replicas need, and the objects and checks it needs at the
 * deployment level. Each factory checks its options at once, naming the option it refuses.
 * Adding a store adds a module under lib/stores/.
 */
export abstract class ImageBackend {
  /** The file store, at /var/lib/glance/images. */
  public static file(options: FileBackendOptions = {}): ImageBackend {
    return new (storeClasses().file)(options);
  }

  /** Ceph RBD; images are shared by every replica through the Ceph cluster. */
  public static rbd(options: RbdBackendOptions): ImageBackend {
    return new (storeClasses().rbd)(options);
  }

  /**
   * Swift, authenticated with Keystone v3 against the deployment's Keystone as `<project>:<user>`.
   * The key reaches Glance from its Secret as an environment variable. Glance records the user and
   * key in every image location of this store, so no API of the deployment shows image locations.
   */
  public static swift(options: SwiftBackendOptions = {}): ImageBackend {
    return new (storeClasses().swift)(options);
  }

  /**
   * An S3 bucket. The access and secret keys reach Glance from their Secrets as environment
   * variables. Glance records them in every image location of this store, so no API of the
   * deployment shows image locations.
   */
  public static s3(options: S3BackendOptions): ImageBackend {
    return new (storeClasses().s3)(options);
  }

  /**
   * Cinder volumes. Needs allowPrivilegedAttach: attaching a volume takes root and the node's
   * devices (see CinderBackendOptions.allowPrivilegedAttach).
   */
  public static cinder(options: CinderBackendOptions = {}): ImageBackend {
    return new (storeClasses().cinder)(options);
  }

  /** Several stores at once, such as two Ceph clusters and Swift; new images go to defaultStore. */
  public static multi(options: MultiBackendOptions): ImageBackend {
    return new (storeClasses().multi)(options);
  }

  /**
   * Runs `build`, which makes stores from options read elsewhere (a custom resource): a refusal of
   * a store's factory (named "ImageBackend.<store>()...") or of ImageBackend.multi() ("backend...")
   * then names `prop`, where the options were read, with the factory's problem and fix.
   * @internal
   */
  public static _readFrom<T>(prop: string, build: () => T): T {
    try {
      return build();
    } catch (e) {
      throw e instanceof GlanceValidationError && /^(ImageBackend\.|backend(\.|$))/.test(e.prop) ? e.renamed(prop) : e;
    }
  }

  /** True when every replica sees the same images without further volumes. */
  public abstract readonly isShared: boolean;

  /**
   * Whether the store's image locations serve the other services (Nova and Cinder clone from
   * Ceph), so that internal APIs show them and a deployment is split by default (OSSN-0090).
   * @internal
   */
  public abstract readonly _locationsServeClones: boolean;

  /**
   * Whether Glance writes credentials into the store's image locations (swift and s3 with their
   * credentials in glance.conf), so that no API may show locations.
   * @internal
   */
  public abstract readonly _locationsHoldCredentials: boolean;

  /**
   * Whether the store is Ceph's (or a multi-store holds one), for which the glance-operator converts
   * the images imported through an external API to raw: see GlanceApiSettings.imageConversion.
   * @internal
   */
  public readonly _convertsImports: boolean = false;

  /**
   * The directory of the pod where the store keeps images, which only one store of a deployment
   * can own (the file store's).
   * @internal
   */
  public readonly _imageDir?: string;

  /**
   * What the backend writes into glance.conf; a store of ImageBackend.multi() is `at` its section.
   * @internal
   */
  public abstract _config(context: StoreContext, at?: StoreAt): StoreConfig;

  /**
   * The options the backend writes, as "section.option", each with the prop that sets it:
   * customServiceConfig may not set them.
   * @internal
   */
  public abstract _managedOptions(at?: StoreAt): Record<string, string>;

  /**
   * Volumes, mounts and environment every API replica needs for the backend.
   * @internal
   */
  public abstract _podParts(context: StoreContext, at?: StoreAt): StorePodParts;

  /**
   * Checks the whole deployment's replica count against the store.
   * @internal
   */
  public _checkDeployment(_totalReplicas: number, _statefulSets: number, _at?: StoreAt): void {}

  /**
   * Creates the deployment-level objects the store needs (a shared claim), and returns the user's
   * Secrets it names, by prop, for Glance to check against its own.
   * @internal
   */
  public abstract _bindDeployment(scope: Construct, glanceName: string, at?: StoreAt): Record<string, string>;

  /**
   * The options the backend leaves to configSecrets (the glance-operator's s3 layout keeps a store's
   * endpoint and keys in Secrets of oslo.config text), as "section.option", each with the prop that
   * says so: the API pod refuses to start unless its configSecrets set each.
   * @internal
   */
  public _fromConfigSecrets(_at?: StoreAt): Record<string, string> {
    return {};
  }

  /**
   * Checks one API StatefulSet (`path` names the API) against the store.
   * @internal
   */
  public _checkApi(_path: string, _replicas: number, _stateIsEphemeral: boolean): void {}
}
