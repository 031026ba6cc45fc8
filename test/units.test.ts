/**
 * Kubernetes quantities (lib/quantity.ts), which every size and resource prop goes through, tested
 * on their own with exact values: parsing, exact fractions and their rounding. The ini reader and
 * renderer are in test/ini.test.ts, cron schedules in test/schedule.test.ts.
 */
import { expectInvalid } from './helpers';
import {
  ceilFraction, floorProduct, numberToFraction, parseQuantity, parseStorageSize, validateResourceQuantity,
} from '../lib/quantity';

describe('parseQuantity', () => {
  const value = (text: string) => {
    const q = parseQuantity(text);
    return q && `${q.numerator}/${q.denominator}`;
  };

  test.each([
    ['1Ki', '1024/1'], ['1Mi', `${1024 ** 2}/1`], ['1Gi', `${1024 ** 3}/1`], ['1Ti', `${1024n ** 4n}/1`],
    ['1Pi', `${1024n ** 5n}/1`], ['1Ei', `${1024n ** 6n}/1`],
    ['1m', '1/1000'], ['1k', '1000/1'], ['1M', '1000000/1'], ['1G', '1000000000/1'], ['1T', `${10n ** 12n}/1`],
    ['1P', `${10n ** 15n}/1`], ['1E', `${10n ** 18n}/1`],
    ['1e3', '1000/1'], ['1E3', '1000/1'], ['1e+3', '1000/1'], ['1e-3', '1/1000'], ['1e30', `${10n ** 30n}/1`], ['1e-30', `1/${10n ** 30n}`],
    ['1.5Gi', `${15n * 1024n ** 3n}/10`], ['.5', '5/10'], ['5.', '5/1'], ['+5', '5/1'], ['0', '0/1'], ['007', '7/1'],
    // Several digits after the point.
    ['.55', '55/100'],
  ])('%s is %s', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  test.each(['', '-1', '1e31', '1e-31', 'Gi', '1 Gi', '1gi', '1KI', '1.2.3', '1e', '++1', '.', '1Gi ', '0x10'])('%j is not a quantity', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});

describe('fractions', () => {
  test.each([
    [0, '0/1'], [3, '3/1'], [0.85, '85/100'], [1.5, '15/10'], [1e21, `${10n ** 21n}/1`], [5e-324, `5/${10n ** 324n}`], [1.25e-7, `125/${10n ** 9n}`],
    // Whole numbers of two digits, and a fraction above 10.
    [10, '10/1'], [12.5, '125/10'],
  ])('numberToFraction(%p) is %s', (n, expected) => {
    const f = numberToFraction(n);
    expect(`${f.numerator}/${f.denominator}`).toBe(expected);
  });

  test.each([-1, -0.5, NaN, Infinity, -Infinity])('numberToFraction(%p) throws', (n) => {
    expect(() => numberToFraction(n)).toThrow(/not a non-negative finite number/);
  });

  test('floorProduct and ceilFraction round the right way', () => {
    expect(floorProduct({ numerator: 7n, denominator: 2n }, { numerator: 1n, denominator: 3n })).toBe(1n);
    expect(floorProduct({ numerator: 10n, denominator: 1n }, { numerator: 85n, denominator: 100n })).toBe(8n);
    expect(floorProduct({ numerator: 6n, denominator: 1n }, { numerator: 1n, denominator: 2n })).toBe(3n);
    expect(ceilFraction({ numerator: 7n, denominator: 2n })).toBe(4n);
    expect(ceilFraction({ numerator: 6n, denominator: 2n })).toBe(3n);
    expect(ceilFraction({ numerator: 1n, denominator: 1000n })).toBe(1n);
    expect(ceilFraction({ numerator: 0n, denominator: 5n })).toBe(0n);
  });
});

describe('parseStorageSize', () => {
  test('returns the exact size', () => {
    expect(parseStorageSize('p', '1.5Gi')).toEqual({ numerator: 15n * 1024n ** 3n, denominator: 10n });
    expect(parseStorageSize('p', '1')).toEqual({ numerator: 1n, denominator: 1n });
  });

  test.each([
    [' 1Gi', /is not a Kubernetes quantity/],
    ['1Gi ', /is not a Kubernetes quantity/],
    ['', /is not a Kubernetes quantity/],
    [7, /is not a Kubernetes quantity/],
    [undefined, /is not a Kubernetes quantity/],
    ['-1Gi', /is negative; a volume size must be positive/],
    ['-0', /is negative/],
    ['1x', /is not a Kubernetes quantity/],
    ['100m', /is in milli-units.*"M" for megabytes/],
    ['0', /is zero; a volume size must be positive/],
    ['0.0Gi', /is zero/],
  ])('refuses %j', (size, message) => {
    const err = expectInvalid(() => parseStorageSize('imageCache.size', size as any), 'imageCache.size', message);
    expect(err.message).toMatch(/Fix: write a positive Kubernetes quantity such as "10Gi", "500G" or "1.5Gi"/);
  });
});

describe('validateResourceQuantity', () => {
  test.each(['500m', '1', '0.5', '2Gi', '512Mi', '1e3'])('accepts %j', (q) => {
    expect(() => validateResourceQuantity('resources.cpu', q)).not.toThrow();
  });

  test.each(['0', '0m', '-1', '-500m', 'one', '', 2, null])('refuses %j', (q) => {
    expectInvalid(() => validateResourceQuantity('resources.cpu', q as any), 'resources.cpu',
      /is not a positive Kubernetes quantity.*Fix: write e\.g\. "500m"/);
  });
});
