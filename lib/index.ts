export { Errors, GlanceValidationError } from './errors';
export * from './types';
export * from './stores';
export type {
  DatabaseOptions, GlanceCommonProps, KeystoneOptions, StorageOptions, UploadLimitOptions,
} from './service-config';
export type {
  GlanceEgressDestination, GlanceEgressOptions, GlanceEndpointAccessOptions, GlanceNetworkPolicyOptions,
} from './network-policy';
export type { WebDownloadOptions } from './web-download';
export type { CacheJobProps } from './cache/cache-job';
export * from './cache/cache-pruner';
export * from './cache/cache-cleaner';
export { CachePrecache } from './cache/cache-precache';
export type { CachePrecacheProps, PrecacheOptions } from './cache/cache-precache';
export * from './cache/image-cache';
export { GlanceApiBase } from './api-host';
export * from './glance-api';
export * from './glance-props';
export * from './glance';
export type { CustomResourceOptions } from './custom-resource';
