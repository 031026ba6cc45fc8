import { checkSubdomain, SecretKeySelector } from '../names';

// How Glance's processes authenticate to Keystone as the service user: its password, or an
// application credential (the keystone-operator's Secret layout: AC_ID and AC_SECRET).

/** The keys of an application credential's Secret, as keystone-operator writes it (`ac-<service>-secret`). */
export const APPLICATION_CREDENTIAL_KEYS = { id: 'AC_ID', secret: 'AC_SECRET' } as const;

/** The service user's credentials, as the processes get them. */
export interface ServiceCredentials {
  readonly passwordSecret: SecretKeySelector;
  /** The Secret of an application credential, which then replaces the password. */
  readonly applicationCredentialSecret?: string;
}

/** Checks keystone.applicationCredentialSecret, when given. */
export function checkApplicationCredential(secret: string | undefined): void {
  if (secret === undefined) return;
  // A Secret name is a DNS subdomain.
  checkSubdomain('keystone.applicationCredentialSecret', secret, 'is not a Secret name',
    'name the Secret that holds the application credential\'s AC_ID and AC_SECRET, e.g. "ac-glance-secret"');
}

/**
 * The environment variables that give one oslo.config group (`keystone_authtoken`, `oslo_limit`)
 * the service user's credentials, each from its Secret key: OS_<GROUP>__PASSWORD, or the
 * application credential's OS_<GROUP>__APPLICATION_CREDENTIAL_ID and _SECRET.
 */
export function credentialEnv(group: string, credentials: ServiceCredentials): Array<{ name: string; secret: SecretKeySelector }> {
  const prefix = `OS_${group.toUpperCase()}__`;
  const ac = credentials.applicationCredentialSecret;
  if (ac === undefined) return [{ name: `${prefix}PASSWORD`, secret: credentials.passwordSecret }];
  return [
    { name: `${prefix}APPLICATION_CREDENTIAL_ID`, secret: { name: ac, key: APPLICATION_CREDENTIAL_KEYS.id } },
    { name: `${prefix}APPLICATION_CREDENTIAL_SECRET`, secret: { name: ac, key: APPLICATION_CREDENTIAL_KEYS.secret } },
  ];
}

/**
 * The auth options of a group beside its URL: those of the password (the user, its domain, its
 * scope), or with an application credential its type alone (the credential carries user and scope).
 */
export function authOptions(credentials: ServiceCredentials, password: Record<string, string>): Record<string, string> {
  return credentials.applicationCredentialSecret === undefined ? { auth_type: 'password', ...password } : { auth_type: 'v3applicationcredential' };
}
