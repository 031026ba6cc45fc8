export * from './types';
export * from './image-backend';
export { DatabaseOptions, GlanceCommonProps, KeystoneOptions, StorageOptions } from './service-config';
export { CacheJobProps } from './cache-job';
export * from './cache-pruner';
export * from './cache-cleaner';
export * from './image-cache';
export * from './glance-api';
export * from './glance';
