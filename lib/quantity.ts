import type { Duration } from 'cdk8s';
import { GlanceValidationError } from './errors';

/** The largest value of a Kubernetes int32 field (a probe's seconds, a threshold). */
export const INT32_MAX = 2 ** 31 - 1;

/** An exact non-negative rational number: numerator / denominator. */
export interface Fraction {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

const BINARY_SUFFIX: Record<string, bigint> = {
  Ki: 1024n, Mi: 1024n ** 2n, Gi: 1024n ** 3n, Ti: 1024n ** 4n, Pi: 1024n ** 5n, Ei: 1024n ** 6n,
};
const DECIMAL_EXPONENT: Record<string, number> = { m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

// The Kubernetes quantity grammar (k8s.io/apimachinery/pkg/api/resource), without a sign.
const QUANTITY = /^(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

/**
 * Parses a Kubernetes quantity ("10Gi", "500G", "1.5Gi", "100Mi", "1e9") into an exact fraction.
 * Returns undefined when the text is not a quantity.
 */
export function parseQuantity(text: string): Fraction | undefined {
  const match = QUANTITY.exec(text.startsWith('+') ? text.slice(1) : text);
  if (!match) return undefined;
  const [, number, suffix] = match;
  const [whole, fractionDigits = ''] = number.split('.');
  // ".5" has no whole part: its digits alone are the numerator.
  let numerator = BigInt(whole + fractionDigits);
  let denominator = 10n ** BigInt(fractionDigits.length);
  let exponent = 0;
  if (suffix && BINARY_SUFFIX[suffix]) {
    numerator *= BINARY_SUFFIX[suffix];
  } else if (suffix && suffix in DECIMAL_EXPONENT) {
    exponent = DECIMAL_EXPONENT[suffix];
  } else if (suffix) {
    exponent = Number(suffix.slice(1));
    // Kubernetes caps decimal exponents; anything this large is a typo, not a disk.
    if (Math.abs(exponent) > 30) return undefined;
  }
  numerator *= 10n ** BigInt(Math.max(exponent, 0));
  denominator *= 10n ** BigInt(Math.max(-exponent, 0));
  return { numerator, denominator };
}

/** Converts a non-negative finite number to an exact fraction, as JavaScript prints it ("0.85", "5e-324"). */
export function numberToFraction(value: number): Fraction {
  // Negative, NaN and Infinity do not print as digits: the pattern refuses them. (What does print
  // as digits ends as the pattern does.)
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?/.exec(String(value));
  if (!match) throw new Error(`not a non-negative finite number: ${value}`);
  const [, whole, fraction = '', exponentText] = match;
  const exponent = Number(exponentText ?? 0) - fraction.length;
  const digits = BigInt(whole + fraction);
  return { numerator: digits * 10n ** BigInt(Math.max(exponent, 0)), denominator: 10n ** BigInt(Math.max(-exponent, 0)) };
}

/** floor(a × b) for exact fractions. */
export function floorProduct(a: Fraction, b: Fraction): bigint {
  return (a.numerator * b.numerator) / (a.denominator * b.denominator);
}

/** ceil(a): the byte count Kubernetes provisions for a storage request. */
export function ceilFraction(a: Fraction): bigint {
  return (a.numerator + a.denominator - 1n) / a.denominator;
}

/**
 * Validates a storage size prop and returns its exact value in bytes.
 * Rejects malformed text, negative, zero and milli-unit sizes.
 */
export function parseStorageSize(prop: string, value: string): Fraction {
  const example = 'write a positive Kubernetes quantity such as "10Gi", "500G" or "1.5Gi"';
  if (typeof value !== 'string') {
    throw new GlanceValidationError(prop, value, 'is not a Kubernetes quantity', example);
  }
  if (value.startsWith('-')) {
    throw new GlanceValidationError(prop, value, 'is negative; a volume size must be positive', example);
  }
  const parsed = parseQuantity(value);
  if (!parsed) {
    throw new GlanceValidationError(prop, value, 'is not a Kubernetes quantity', example);
  }
  if (value.endsWith('m')) {
    throw new GlanceValidationError(prop, value, 'is in milli-units, a thousandth of a byte', `${example} (note "M" for megabytes, "m" is milli)`);
  }
  if (parsed.numerator === 0n) {
    throw new GlanceValidationError(prop, value, 'is zero; a volume size must be positive', example);
  }
  return parsed;
}

/** Validates a CPU or memory quantity for container resources. */
export function validateResourceQuantity(prop: string, value: string): void {
  // parseQuantity takes no "-": a negative amount is no quantity here.
  const parsed = typeof value === 'string' ? parseQuantity(value) : undefined;
  if (!parsed || parsed.numerator === 0n) {
    throw new GlanceValidationError(prop, value, 'is not a positive Kubernetes quantity',
      'write e.g. "500m" or "1" for CPU, "512Mi" or "2Gi" for memory');
  }
}

/**
 * A Duration's whole seconds, from `min` to `max`; otherwise an error naming `prop`, the Duration
 * as written (or the value as given, when it is no Duration), `problem` and `fix`.
 */
export function wholeSeconds(prop: string, duration: Duration, bounds: { min: number; max?: number }, problem: string, fix: string): number {
  let seconds = NaN;
  try {
    seconds = duration.toSeconds();
  } catch {
    // A Duration that cannot say its whole seconds, or no Duration: refused below.
  }
  if (!Number.isInteger(seconds) || seconds < bounds.min || (bounds.max !== undefined && seconds > bounds.max)) {
    throw new GlanceValidationError(prop, typeof duration?.toHumanString === 'function' ? duration.toHumanString() : duration, problem, fix);
  }
  return seconds;
}
