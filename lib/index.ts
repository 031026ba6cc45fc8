export { Errors, GlanceValidationError } from './errors';
export * from './release';
export { ImageCacheDriver } from './cache/cache-options';
export { ObjectNaming, StorageAccessMode } from './common-props';
export type { SecretKeySelector } from './names';
export * from './stores';
export type {
  DatabaseOptions, GlanceCommonProps, GlanceNotificationOptions, GlanceQuotaOptions, KeystoneOptions, KeystoneRegistrationOptions, StorageOptions,
  UploadLimitOptions,
} from './common-props';
export type {
  GlanceEgressDestination, GlanceEgressOptions, GlanceEndpointAccessOptions, GlanceNetworkPolicyOptions,
} from './network-policy';
export type { WebDownloadOptions } from './web-download';
export type { GlanceExtraMount } from './extra-mounts';
export type { CertificateIssuer, GlanceApiTlsOptions, GlanceTlsOptions } from './tls/options';
export type { CacheJobProps } from './cache/cache-job';
export * from './cache/cache-pruner';
export * from './cache/cache-cleaner';
export { CachePrecache } from './cache/cache-precache';
export type { CachePrecacheProps } from './cache/cache-precache';
export type { CachePolicyRules, ImageCacheOptions, PrecacheOptions } from './cache/cache-options';
export * from './cache/image-cache';
export * from './glance-api-props';
export * from './glance-api';
export * from './glance-props';
export * from './glance';
export type { CustomResourceOptions } from './custom-resource';
