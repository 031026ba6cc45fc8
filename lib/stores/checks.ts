/**
 * What every store's factory checks its options with, and the pieces of the store protocol that
 * are the same for every store: the section's place in glance.conf, the environment variables
 * of options from Secrets, and the options a store manages.
 */
import type { k8s } from 'cdk8s-plus-28';
import { GlanceValidationError } from '../errors';
import { checkLine, SecretKeySelector } from '../names';
import { StoreAt, StoreConfig } from './context';
import type { ImageBackend } from './image-backend';
import { StorePodParts } from './pod-parts';

/**
 * Whether a value given as a backend is one. Duck-typed: a backend from another copy of this
 * package is as good. Its factory checked its options.
 */
export function isImageBackend(value: unknown): value is ImageBackend {
  return typeof (value as any)?._config === 'function';
}

/** A JavaScript caller may pass anything: only a plain object is an options object. */
export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `factory` is how errors name the factory's call, e.g. "ImageBackend.rbd()". */
export function checkOptionsObject(factory: string, options: unknown, example: string): void {
  if (!isObject(options)) throw new GlanceValidationError(factory, options, 'is not given an options object', `give ${example}`);
}

export function checkDescription(factory: string, description: unknown): void {
  if (description !== undefined) checkLine(`${factory}.description`, description, 'use a single line of text');
}

/** A Keystone name that may not hold ":" either (Swift's "<project>:<user>"). */
export function checkKeystoneName(prop: string, value: unknown): void {
  if (value === undefined) return;
  checkLine(prop, value, 'use a single-line Keystone name');
  if ((value as string).includes(':')) {
    throw new GlanceValidationError(prop, value, 'contains ":"', 'use a Keystone name without ":" (Glance splits "<project>:<user>" there)');
  }
}

export function checkOneOf(prop: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    throw new GlanceValidationError(prop, value, `is not one of ${allowed.join(', ')}`, `use one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
}

/** A store that is the only one: `type` in enabled_backends, its options in its section. */
export function storeConfig(at: StoreAt, type: string, options: Record<string, string | boolean>): StoreConfig {
  return { enabledBackends: `${at.section}:${type}`, defaultBackend: at.section, sections: { [at.section]: options } };
}

/** The options a store manages, as "section.option", each with the prop that sets it (customServiceConfig may not). */
export function managedOptions(at: StoreAt, props: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(props).map(([option, prop]) => [`${at.section}.${option}`, prop]));
}

/** A store's volumes and mounts, with the options it takes from Secrets as oslo.config's environment variables. */
export function podParts(at: StoreAt, own: StorePodParts, fromSecrets: Record<string, SecretKeySelector> = {}): StorePodParts {
  const env: k8s.EnvVar[] = Object.entries(fromSecrets).map(([option, ref]) => ({
    // oslo.config's environment source: OS_<GROUP>__<OPTION>, both upper-cased.
    name: `OS_${at.section.toUpperCase()}__${option.toUpperCase()}`,
    valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } },
  }));
  return env.length ? { ...own, env } : own;
}

/** No volume of its own. */
export const NO_VOLUMES: StorePodParts = { volumes: [], mounts: [] };

/** How a store's managed options name a credential it takes from a Secret. */
export const FROM_SECRET = 'reaches Glance from its Secret as an environment variable, never in a file';
