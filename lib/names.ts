import { GlanceValidationError } from './errors';

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Object kinds whose names we derive, with the length Kubernetes really allows for each. */
export enum NameKind {
  // Pods get a "controller-revision-hash" label of "<name>-<10 chars>", capped at 63.
  STATEFUL_SET = 52,
  // Jobs get "<name>-<8 digit timestamp>" and their pods a further suffix.
  CRON_JOB = 52,
  SERVICE = 63,
  OBJECT = 63,
}

/** Checks that a user-given name part is a lower-case DNS-1123 label. */
export function checkNamePart(prop: string, value: string): void {
  if (typeof value !== 'string' || !DNS_1123_LABEL.test(value) || value.length > 63) {
    throw new GlanceValidationError(prop, value, 'is not a DNS-1123 label',
      'use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit');
  }
}

/**
 * Checks a name derived from props against the limits of its kind.
 * `prop` names the prop to shorten when the derived name is too long.
 */
export function checkDerivedName(prop: string, name: string, kind: NameKind, what: string): void {
  const pattern = kind === NameKind.SERVICE ? DNS_1035_LABEL : DNS_1123_LABEL;
  if (!pattern.test(name)) {
    throw new GlanceValidationError(prop, name, `gives the ${what} name "${name}", which is not a valid DNS label`,
      kind === NameKind.SERVICE ? 'start the name with a letter' : 'use lower-case letters, digits and "-"');
  }
  if (name.length > kind) {
    throw new GlanceValidationError(prop, name, `gives the ${what} name "${name}" of ${name.length} characters, over the limit of ${kind}`,
      `shorten ${prop} by at least ${name.length - kind} characters`);
  }
}

/** Checks that no two derived objects of one kind share a name. */
export class NameRegistry {
  private readonly seen = new Map<string, string>();

  public claim(kind: string, name: string, prop: string): void {
    const key = `${kind}/${name}`;
    const owner = this.seen.get(key);
    if (owner !== undefined) {
      throw new GlanceValidationError(prop, name, `gives a ${kind} named "${name}", which ${owner} already uses`,
        'rename one of the APIs so that their derived names differ');
    }
    this.seen.set(key, prop);
  }
}
