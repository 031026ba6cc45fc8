import { readFileSync } from 'fs';
import { join } from 'path';
import { k8s } from 'cdk8s-plus-28';
import { GUARD_TABLES } from './config-guard';
import { GlanceValidationError } from './errors';
import { checkSubdomain } from './names';
import { CONFIG_DIR, RESTRICTED_CONTAINER_SECURITY, SECRET_MODE } from './pod-security';

/**
 * configSecrets: Secrets whose keys are oslo.config text, which the glance-operator's
 * customServiceConfigSecrets also are (its s3 sample keeps the store's keys so). Their text is not
 * known at synth time, so the API pod checks it before glance-api starts: the init container
 * `config-secrets` runs glance-config-secrets.py with the rules the synth-time guard applies to
 * customServiceConfig (config-guard.ts), for this API, and writes the text into the pod's config
 * directory, an emptyDir in memory into which it also copies the library's files. A Secret changed
 * later applies when the pods restart, checked again.
 */

/** The check, shipped in the API's config Secret (not `*.conf`: oslo.config does not read it). */
export const CONFIG_SECRETS_SCRIPT = 'glance-config-secrets.py';
const CONFIG_SECRETS_SCRIPT_TEXT = readFileSync(join(__dirname, CONFIG_SECRETS_SCRIPT), 'utf8');
/** The API's rules for the check, in the same Secret. */
export const CONFIG_SECRETS_RULES = 'config-secrets-rules.json';
/** Where the init container reads the library's config Secret, to copy it into CONFIG_DIR. */
export const LIBRARY_CONFIG_DIR = '/etc/glance/glance.conf.library';
/** Where the init container reads each Secret: `<dir>/<index>`. */
export const CONFIG_SECRETS_DIR = '/etc/glance/config-secrets';
/** The emptyDir (in memory: the text may hold credentials) that is glance-api's config directory. */
const CONFIG_DIR_VOLUME = 'config-dir';

/** The Secrets of a configSecrets prop, checked: names of Secrets, each once. */
export function checkConfigSecrets(prop: string, names: string[] | undefined): string[] | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names)) throw new GlanceValidationError(prop, names, 'is not a list of Secret names', 'give e.g. ["glance-s3-config"]');
  names.forEach((name, i) => {
    checkSubdomain(`${prop}[${i}]`, name, 'is not a Secret name');
    if (names.indexOf(name) !== i) {
      throw new GlanceValidationError(`${prop}[${i}]`, name, `names the Secret of ${prop}[${names.indexOf(name)}] again`, 'list each Secret once');
    }
  });
  return names;
}

/** The rules glance-config-secrets.py applies: those of customServiceConfig for this API (checkIniAssignments). */
export interface ConfigSecretsRules {
  readonly prop: string;
  readonly secrets: string[];
  readonly managed: Record<string, string>;
  readonly aliases: Record<string, string>;
  readonly meta: Record<string, string>;
  readonly guarded: Record<string, { readonly allowed: readonly string[]; readonly why: string }>;
  readonly substitution: boolean;
  /** Options the Secrets must set ("section.option"), each with the prop that leaves it to them (ImageBackend.s3's fromConfigSecrets). */
  readonly required: Record<string, string>;
}

export function configSecretsRules(prop: string, secrets: string[], managed: Record<string, string>, substitution: boolean,
  required: Record<string, string> = {}): ConfigSecretsRules {
  return { prop, secrets, managed, ...GUARD_TABLES, substitution, required };
}

/** The files of the API's config Secret that the check needs. */
export function configSecretsFiles(rules: ConfigSecretsRules): Record<string, string> {
  return { [CONFIG_SECRETS_SCRIPT]: CONFIG_SECRETS_SCRIPT_TEXT, [CONFIG_SECRETS_RULES]: JSON.stringify(rules, null, 1) + '\n' };
}

/** What configSecrets add to the API pod: volumes, the init container, and glance-api's config mount. */
export interface ConfigSecretsPodParts {
  readonly volumes: k8s.Volume[];
  readonly initContainer: k8s.Container;
  readonly apiConfigMount: k8s.VolumeMount;
}

export function configSecretsPodParts(secrets: string[], image: string, imagePullPolicy: string): ConfigSecretsPodParts {
  const secretVolume = (i: number) => `config-secret-${i}`;
  return {
    volumes: [
      // In memory, and small: config text, and the library's files.
      { name: CONFIG_DIR_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('16Mi') } },
      ...secrets.map((secretName, i) => ({ name: secretVolume(i), secret: { secretName, defaultMode: SECRET_MODE } })),
    ],
    initContainer: {
      name: 'config-secrets',
      image,
      imagePullPolicy,
      command: ['python3', `${LIBRARY_CONFIG_DIR}/${CONFIG_SECRETS_SCRIPT}`, `${LIBRARY_CONFIG_DIR}/${CONFIG_SECRETS_RULES}`,
        LIBRARY_CONFIG_DIR, CONFIG_SECRETS_DIR, CONFIG_DIR],
      // Its refusal is what `kubectl describe pod` shows.
      terminationMessagePolicy: 'FallbackToLogsOnError',
      resources: {
        requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('64Mi') },
        limits: { cpu: k8s.Quantity.fromString('500m'), memory: k8s.Quantity.fromString('128Mi') },
      },
      securityContext: RESTRICTED_CONTAINER_SECURITY,
      volumeMounts: [
        { name: 'config', mountPath: LIBRARY_CONFIG_DIR, readOnly: true },
        ...secrets.map((_, i) => ({ name: secretVolume(i), mountPath: `${CONFIG_SECRETS_DIR}/${i}`, readOnly: true })),
        { name: CONFIG_DIR_VOLUME, mountPath: CONFIG_DIR },
      ],
    },
    apiConfigMount: { name: CONFIG_DIR_VOLUME, mountPath: CONFIG_DIR, readOnly: true },
  };
}
