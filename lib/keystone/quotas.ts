import { readFileSync } from 'fs';
import { join } from 'path';
import { GlanceQuotaOptions, KeystoneOptions, UploadLimitOptions } from '../common-props';
import { GlanceValidationError } from '../errors';
import { ceilFraction, parseQuantity } from '../quantity';
import { authOptions } from './credentials';
import { ResolvedKeystone } from '../stores/context';

// quotas: Glance's per-project limits in Keystone (unified limits). The registration Job registers
// them; each API process enforces them, as the service user with a system-scoped token.

/** What customServiceConfig may not set with quotas: the library writes them. */
export const QUOTA_MANAGED_OPTIONS: Record<string, string> = Object.fromEntries(['DEFAULT.use_keystone_limits', ...[
  'auth_url', 'auth_type', 'username', 'password', 'user_domain_name', 'user_domain_id', 'system_scope', 'project_name', 'project_id',
  'endpoint_id', 'endpoint_service_type', 'endpoint_service_name', 'endpoint_interface', 'endpoint_region_name', 'cafile', 'valid_interfaces',
  'region_name', 'application_credential_id', 'application_credential_secret', 'application_credential_name',
].map((option) => `oslo_limit.${option}`)].map((option) => [option, 'quotas']));

/** The registered limits, by Keystone resource name: sizes in MiB, as Glance counts them. */
export type KeystoneLimits = Record<string, number>;

const MIB = 1024n * 1024n;

/** The quotas, checked, as the limits the registration Job registers; undefined without quotas. */
export function resolveQuotas(quotas: GlanceQuotaOptions | undefined, keystone: KeystoneOptions,
  limits: UploadLimitOptions | undefined): KeystoneLimits | undefined {
  if (quotas === undefined) return undefined;
  if (typeof quotas !== 'object' || quotas === null || Array.isArray(quotas)) {
    throw new GlanceValidationError('quotas', quotas, 'is not an object',
      'give e.g. { imageSizeTotal: "100Gi", imageStageTotal: "20Gi", imageCountTotal: 100, imageCountUploading: 2 }');
  }
  if (keystone.registration === undefined) {
    throw new GlanceValidationError('keystone.registration', undefined, 'is needed for quotas: its Job registers the limits in Keystone',
      'set keystone.registration (and the Keystone admin it runs as)');
  }
  if (limits?.userStorageQuota !== undefined) {
    throw new GlanceValidationError('limits.userStorageQuota', limits.userStorageQuota, 'is ignored by Glance once quotas are set',
      'remove it: quotas.imageSizeTotal bounds what each project stores');
  }
  return {
    image_size_total: mebibytes('quotas.imageSizeTotal', quotas.imageSizeTotal),
    image_stage_total: mebibytes('quotas.imageStageTotal', quotas.imageStageTotal),
    image_count_total: count('quotas.imageCountTotal', quotas.imageCountTotal),
    image_count_uploading: count('quotas.imageCountUploading', quotas.imageCountUploading),
  };
}

/** A size limit in whole MiB, the unit Glance counts in (0 allows no data). */
function mebibytes(prop: string, size: string): number {
  const parsed = typeof size === 'string' && !size.endsWith('m') ? parseQuantity(size) : undefined;
  if (!parsed) throw new GlanceValidationError(prop, size, 'is not a Kubernetes quantity of bytes', 'use e.g. "100Gi" or "512Mi"');
  const bytes = ceilFraction(parsed);
  if (parsed.numerator % parsed.denominator !== 0n || bytes % MIB !== 0n || bytes / MIB > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new GlanceValidationError(prop, size, 'is not a whole number of MiB, which Glance counts its limits in', 'use e.g. "100Gi" or "512Mi"');
  }
  return Number(bytes / MIB);
}

function count(prop: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new GlanceValidationError(prop, value, 'is not a whole number of 0 or more', 'use e.g. 100');
  }
  return value;
}

/**
 * `[oslo_limit]` of the API processes: the service user, system-scoped (the registration Job grants
 * it the system role reader), reaching Keystone's internal endpoint in the region. The password
 * comes from the environment (OS_OSLO_LIMIT__PASSWORD), and so does endpoint_id: the starter
 * (LIMITS_STARTER) looks it up with these options.
 */
export function osloLimitOptions(keystone: ResolvedKeystone, caFile: string | undefined): Record<string, string> {
  return {
    auth_url: keystone.authUrl,
    // An application credential is scoped to the project it was made in: no system scope then.
    ...authOptions(keystone, { username: keystone.username, user_domain_name: keystone.domainName, system_scope: 'all' }),
    valid_interfaces: 'internal',
    ...(keystone.region ? { region_name: keystone.region } : {}),
    ...(caFile ? { cafile: caFile } : {}),
  };
}

/** The API's starter with quotas (glance-limits-endpoint.py), shipped in its config Secret; its text. */
export const LIMITS_STARTER = 'glance-limits-endpoint.py';
export const LIMITS_STARTER_TEXT = readFileSync(join(__dirname, LIMITS_STARTER), 'utf8');
