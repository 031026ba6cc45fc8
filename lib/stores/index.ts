/**
 * The image stores: ImageBackend, the protocol every store implements (image-backend.ts), and
 * one module per store. Importing ImageBackend from here gives its factories their classes.
 */
import { CinderStore } from './cinder';
import { FileStore } from './file';
import { defineStores } from './image-backend';
import { MultiStore } from './multi';
import { RbdStore } from './rbd';
import { S3Store } from './s3';
import { SwiftStore } from './swift';

defineStores({ file: FileStore, rbd: RbdStore, swift: SwiftStore, s3: S3Store, cinder: CinderStore, multi: MultiStore });

export { ImageBackend } from './image-backend';
export type { MultiBackendOptions } from './image-backend';
export { S3BucketUrlFormat } from './options';
export type {
  CinderBackendOptions, FileBackendOptions, NfsShareOptions, RbdBackendOptions, S3BackendOptions, SharedStoreOptions, SwiftBackendOptions,
} from './options';
