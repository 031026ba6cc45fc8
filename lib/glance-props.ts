import { Cron } from 'cdk8s';
import { ImageCacheOptions } from './cache/cache-options';
import { GlanceCommonProps } from './common-props';
import { GlanceApiOptions } from './glance-api-props';

/** The periodic purge of soft-deleted rows from the Glance database. */
export interface DbPurgeOptions {
  /**
   * Rows deleted longer ago than this many days are purged.
   * @default 30
   */
  readonly ageInDays?: number;
  /**
   * When the purge runs.
   * @default "1 0 * * *"
   */
  readonly schedule?: Cron;
}

/** Props of a whole Glance deployment. */
export interface GlanceProps extends GlanceCommonProps {
  /**
   * The Glance APIs by name. Each becomes one StatefulSet, or two for GlanceApiType.SPLIT.
   * @default - { default: {} }: one single-type API with one replica
   */
  readonly apis?: { [name: string]: GlanceApiOptions };
  /**
   * The image cache every API inherits; an API's own imageCache overrides it field by field.
   * @default - no image cache
   */
  readonly imageCache?: ImageCacheOptions;
  /**
   * The database purge CronJob.
   * @default - purge rows older than 30 days, daily at 00:01
   */
  readonly dbPurge?: DbPurgeOptions;
}
