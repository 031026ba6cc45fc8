import { Construct } from 'constructs';
import { checkDescription, checkOneOf, checkOptionsObject, FROM_SECRET, managedOptions, NO_VOLUMES, podParts, storeConfig } from './checks';
import { ONLY_STORE, StoreAt, StoreConfig, StoreContext } from './context';
import { ImageBackend } from './image-backend';
import { S3BackendOptions, S3BucketUrlFormat } from './options';
import { StorePodParts } from './pod-parts';
import { GlanceValidationError } from '../errors';
import { checkBoolean, checkSecretKey, HOST, SecretKeySelector } from '../names';
import { SECRET_MODE } from '../pod-security';

const FACTORY = 'ImageBackend.s3()';
/** Where stores mount files of their own (the S3 CA bundle), one directory per store: its section. */
const STORE_FILES_DIR = '/etc/glance/stores';
/** [scheme://]host[:port][/], as glance_store's s3 driver takes it (http without a scheme). */
const ENDPOINT = /^(?:https?:\/\/)?([^/:\s[\]]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?\/?$/;

/** ImageBackend.s3(): an S3 bucket, with its keys from Secrets. */
export class S3Store extends ImageBackend {
  public readonly isShared = true;
  public readonly _locationsServeClones = false;
  public readonly _locationsHoldCredentials = true;

  constructor(private readonly options: S3BackendOptions) {
    super();
    checkOptionsObject(FACTORY, options,
      'at least { host: "https://s3.example.com", bucket: "glance", accessKeySecret: { name, key }, secretKeySecret: { name, key } }');
    const fromConfigSecrets = options.fromConfigSecrets ?? false;
    checkBoolean(`${FACTORY}.fromConfigSecrets`, fromConfigSecrets);
    const { host, bucket } = options;
    // With fromConfigSecrets, what is not given comes from configSecrets; what is given is checked alike.
    const given = (value: unknown) => !fromConfigSecrets || value !== undefined;
    const endpoint = typeof host === 'string' ? ENDPOINT.exec(host) : null;
    if (given(host) && (!endpoint || !HOST.test(endpoint[1]) || Number(endpoint[2]) < 1 || Number(endpoint[2]) > 65535)) {
      throw new GlanceValidationError(`${FACTORY}.host`, host, 'is not an S3 endpoint',
        'use e.g. "https://s3.example.com", "http://rgw.ceph.svc:8080" or "s3.example.com:8080"');
    }
    if (given(bucket) && (typeof bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))) {
      throw new GlanceValidationError(`${FACTORY}.bucket`, bucket, 'is not an S3 bucket name',
        'use 3 to 63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit');
    }
    if (given(options.accessKeySecret)) checkSecretKey(`${FACTORY}.accessKeySecret`, options.accessKeySecret);
    if (given(options.secretKeySecret)) checkSecretKey(`${FACTORY}.secretKeySecret`, options.secretKeySecret);
    if (options.caCertSecret !== undefined) checkSecretKey(`${FACTORY}.caCertSecret`, options.caCertSecret);
    checkBoolean(`${FACTORY}.createBucketOnPut`, options.createBucketOnPut);
    checkOneOf(`${FACTORY}.bucketUrlFormat`, options.bucketUrlFormat, Object.values(S3BucketUrlFormat));
    checkDescription(FACTORY, options.description);
  }

  public _config(context: StoreContext, at = ONLY_STORE): StoreConfig {
    return storeConfig(at, 's3', {
      ...(this.options.host !== undefined ? { s3_store_host: this.options.host } : {}),
      ...(this.options.bucket !== undefined ? { s3_store_bucket: this.options.bucket } : {}),
      s3_store_create_bucket_on_put: this.options.createBucketOnPut ?? true,
      s3_store_bucket_url_format: this.options.bucketUrlFormat ?? S3BucketUrlFormat.AUTO,
      // The store's own CA, or the deployment's bundle (Glance 25's glance_store reads neither; boto3 then trusts its own store).
      ...(this.options.caCertSecret ? { s3_store_cacert: `${STORE_FILES_DIR}/${at.section}/ca.crt` } : {}),
      ...(!this.options.caCertSecret && context.caFile ? { s3_store_cacert: context.caFile } : {}),
      store_description: this.options.description ?? 'S3 backend',
    });
  }

  public _managedOptions(at = ONLY_STORE): Record<string, string> {
    const prop = at.prop;
    const left = this._fromConfigSecrets(at);
    return Object.fromEntries(Object.entries(managedOptions(at, {
      s3_store_host: `${prop}.host`,
      s3_store_bucket: `${prop}.bucket`,
      s3_store_create_bucket_on_put: `${prop}.createBucketOnPut`,
      s3_store_bucket_url_format: `${prop}.bucketUrlFormat`,
      s3_store_cacert: `${prop}.caCertSecret, or tls.caBundleSecret`,
      s3_store_access_key: `${prop}.accessKeySecret (the key ${FROM_SECRET})`,
      s3_store_secret_key: `${prop}.secretKeySecret (the key ${FROM_SECRET})`,
      store_description: `${prop}.description`,
    })).filter(([option]) => !(option in left)));
  }

  public _fromConfigSecrets(at = ONLY_STORE): Record<string, string> {
    if (!this.options.fromConfigSecrets) return {};
    const wanted: Record<string, unknown> = {
      s3_store_host: this.options.host,
      s3_store_bucket: this.options.bucket,
      s3_store_access_key: this.options.accessKeySecret,
      s3_store_secret_key: this.options.secretKeySecret,
    };
    const prop = `${at.prop} (${FACTORY} with fromConfigSecrets)`;
    return Object.fromEntries(Object.entries(wanted).filter(([, value]) => value === undefined).map(([option]) => [`${at.section}.${option}`, prop]));
  }

  public _podParts(_context: StoreContext, at = ONLY_STORE): StorePodParts {
    const ca = this.options.caCertSecret;
    const own: StorePodParts = !ca ? NO_VOLUMES : {
      volumes: [{ name: 's3-ca', secret: { secretName: ca.name, defaultMode: SECRET_MODE, items: [{ key: ca.key, path: 'ca.crt' }] } }],
      mounts: [{ name: 's3-ca', mountPath: `${STORE_FILES_DIR}/${at.section}`, readOnly: true }],
    };
    const keys = { s3_store_access_key: this.options.accessKeySecret, s3_store_secret_key: this.options.secretKeySecret };
    return podParts(at, own, Object.fromEntries(Object.entries(keys).filter(([, ref]) => ref !== undefined)) as Record<string, SecretKeySelector>);
  }

  public _bindDeployment(_scope: Construct, _glanceName: string, at: StoreAt = ONLY_STORE): Record<string, string> {
    return {
      ...(this.options.accessKeySecret ? { [`${at.prop}.accessKeySecret.name`]: this.options.accessKeySecret.name } : {}),
      ...(this.options.secretKeySecret ? { [`${at.prop}.secretKeySecret.name`]: this.options.secretKeySecret.name } : {}),
      ...(this.options.caCertSecret ? { [`${at.prop}.caCertSecret.name`]: this.options.caCertSecret.name } : {}),
    };
  }
}
