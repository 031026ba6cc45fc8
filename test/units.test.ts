/**
 * The small parsers every prop goes through, tested on their own with exact values: the ini
 * renderer and reader, Kubernetes quantities, and cron schedules (bounds, names, shortcuts and the
 * shortest interval the job deadlines come from).
 */
import { Cron } from 'cdk8s';
import { expectInvalid } from './helpers';
import { IniValues, parseIni, renderIni } from '../lib/ini';
import {
  ceilFraction, floorProduct, numberToFraction, parseQuantity, parseStorageSize, validateResourceQuantity,
} from '../lib/quantity';
import { shortestIntervalMinutes, toValidCron } from '../lib/schedule';

describe('renderIni', () => {
  test('sections in order, "key = value" lines, a blank line between sections, a final newline', () => {
    expect(renderIni({ 'DEFAULT': { workers: 4, debug: true, name: 'a b' }, 'empty': {}, 'os_glance-x.y:z+1': { k: 'v' } }))
      .toBe('[DEFAULT]\nworkers = 4\ndebug = true\nname = a b\n\n[empty]\n\n[os_glance-x.y:z+1]\nk = v\n');
    expect(renderIni({})).toBe('\n');
  });

  test.each([
    ['a newline in a value', { DEFAULT: { debug: 'true\n[database]\nconnection = sqlite://' } }, /invalid ini option "debug"/],
    ['a carriage return in a value', { DEFAULT: { debug: 'true\rx' } }, /invalid ini option/],
    ['a NUL in a value', { DEFAULT: { debug: 'a\0b' } }, /invalid ini option/],
    ['a key with a space', { DEFAULT: { 'a b': 'x' } }, /invalid ini option "a b"/],
    ['a key with "="', { DEFAULT: { 'a=b': 'x' } }, /invalid ini option/],
    ['an empty key', { DEFAULT: { '': 'x' } }, /invalid ini option ""/],
    ['a section with "]"', { 'a]b': {} }, /invalid ini section name "a\]b"/],
    ['a section with a newline', { 'a\nb': {} }, /invalid ini section name/],
    ['an empty section', { '': {} }, /invalid ini section name ""/],
  ])('refuses %s, which could break out of its line', (_what, sections, message) => {
    expect(() => renderIni(sections)).toThrow(message);
  });

  test.each([
    ['a lone quote', '"'],
    ['a quoted value', '\'a\''],
    ['quotes at both ends around others', '"a"b"'],
    ['white space at the edges', ' x '],
    ['a no-break space at an edge', 'x\u00a0'],
    ['a continuation', 'a,\nb'],
  ])('text a user wrote reads back as written: %s', (_what, value) => {
    expect(parseIni('p', renderIni({ cors: { v: value } }, IniValues.AS_WRITTEN)).cors.v).toBe(value);
  });

  test('the library\'s values read back as written, "$" doubled for oslo.config', () => {
    expect(renderIni({ DEFAULT: { a: '"', b: ' x ', c: 'p$w' } })).toBe('[DEFAULT]\na = """\nb = " x "\nc = p$$w\n');
  });
});

describe('parseIni', () => {
  test('reads sections, both separators, comments, blank lines and continuation lines; names normalised', () => {
    const text = '# comment\n; other comment\n\n   \n[DEFAULT]\nDebug-Level = 1\nfoo:bar\n  more\n\t and more\n[Section.x]\nempty =\n[DEFAULT]\nlast = 2\n';
    expect(parseIni('p', text)).toEqual({
      'DEFAULT': { debug_level: '1', foo: 'bar\nmore\nand more', last: '2' },
      'Section.x': { empty: '' },
    });
  });

  test('a section header with white space after it; inside the brackets it is refused (oslo.config reads " glance_store ")', () => {
    expect(parseIni('p', '[glance_store]  \na = 1\n')).toEqual({ glance_store: { a: '1' } });
    expectInvalid(() => parseIni('p', '[ glance_store ]\na = 1\n'), 'p', /line 1 has an invalid section name/);
  });

  test.each([
    ['  indented = 1\n', /line 1 is indented but continues no option.*Fix: remove the leading white space/],
    ['[DEFAULT]\n  indented\n', /line 2 is indented but continues no option/],
    ['[a b]\n', /line 1 has an invalid section name/],
    ['[DEFAULT]\njust words\n', /line 2 is neither a \[section\], an option "key = value" nor a comment/],
    ['[DEFAULT]\n= value\n', /line 2 is neither/],
    ['debug = true\n', /line 1 sets an option before any \[section\].*Fix: start the text with a section header/],
  ])('refuses %j, naming the line and the fix', (text, message) => {
    expectInvalid(() => parseIni('customServiceConfig', text), 'customServiceConfig', message);
  });
});

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
    expectInvalid(() => validateResourceQuantity('resources.cpu', q as any), 'resources.cpu', /is not a positive Kubernetes quantity.*Fix: write e\.g\. "500m"/);
  });
});

describe('toValidCron', () => {
  test.each([
    ['@yearly', '0 0 1 1 *'], ['@annually', '0 0 1 1 *'], ['@monthly', '0 0 1 * *'], ['@weekly', '0 0 * * 0'],
    ['@daily', '0 0 * * *'], ['@midnight', '0 0 * * *'], ['@hourly', '0 * * * *'], [' @hourly ', '0 * * * *'],
  ])('the shortcut %j is %j', (text, expanded) => {
    expect(toValidCron('s', text).expressionString).toBe(expanded);
  });

  test.each(['@reboot', '@every 5m', '@Daily', '@'])('%j is no shortcut of the CronJob controller', (text) => {
    expectInvalid(() => toValidCron('s', text), 's', /has 1 fields, not 5|has 2 fields, not 5/);
  });

  test('five fields pass through as written, white space collapsed', () => {
    expect(toValidCron('s', '  */5   1-3,7 ? JAN-mar  MON-fri ').expressionString).toBe('*/5 1-3,7 ? JAN-mar MON-fri');
  });

  test('a cdk8s Cron is read through its expression', () => {
    expect(toValidCron('s', Cron.daily()).expressionString).toBe(Cron.daily().expressionString);
    expectInvalid(() => toValidCron('s', Cron.schedule({ minute: '60' })), 's', /minute field "60" is outside 0-59/);
  });

  test.each([undefined, null, 5, {}])('%p is neither text nor a Cron', (schedule) => {
    expectInvalid(() => toValidCron('s', schedule as any), 's', /is neither cron text nor a cdk8s Cron.*Fix: give e\.g\. "1 0 \* \* \*"/);
  });

  test.each([
    ['59 23 31 12 7', 'the maximum of every field'],
    ['0 0 1 1 0', 'the minimum of every field'],
    ['0-59 0-23 1-31 1-12 0-7', 'full ranges'],
    ['1-1 * * * *', 'a range of one'],
    ['5/15 * * * *', 'a step from a start'],
    ['0-30/10 * * * *', 'a step over a range'],
    ['* * * jan,DEC sun,SAT', 'names in either case'],
    ['0 0 ? * ?', '"?" in both day fields'],
    ['*/59 */23 */31 */12 */7', 'the largest steps'],
  ])('accepts %j: %s', (text) => {
    expect(toValidCron('s', text).expressionString).toBe(text);
  });

  test.each([
    ['-1 * * * *', /minute field "-1" is not a value/],
    ['60 * * * *', /minute field "60" is outside 0-59/],
    ['* 24 * * *', /hour field "24" is outside 0-23/],
    ['* * 0 * *', /day of month field "0" is outside 1-31/],
    ['* * 32 * *', /day of month field "32" is outside 1-31/],
    ['* * * 0 *', /month field "0" is outside 1-12/],
    ['* * * 13 *', /month field "13" is outside 1-12/],
    ['* * * * 8', /day of week field "8" is outside 0-7/],
    ['0-60 * * * *', /minute field "0-60" is outside 0-59/],
    ['* * 0-5 * *', /day of month field "0-5" is outside 1-31/],
    ['1,60 * * * *', /minute field "1,60" is outside 0-59/],
    ['* * * jan-foo *', /month field "jan-foo" is outside 1-12/],
    ['* * * * mon-sun', /day of week field "mon-sun" has a range that runs backwards/],
    ['* * * sun *', /month field "sun" is outside 1-12/],
    ['* * * * jan', /day of week field "jan" is outside 0-7/],
    ['* * * ? *', /month field "\?" uses "\?", allowed only in day fields/],
    ['? * * * *', /minute field "\?" uses "\?"/],
    ['* * * * */0', /day of week field "\*\/0" has a step of 0/],
    ['1-2-3 * * * *', /is not a value, range, list or step/],
    ['1, * * * *', /is not a value, range, list or step/],
    ['*/ * * * *', /is not a value, range, list or step/],
    ['* * * * * *', /has 6 fields, not 5/],
    ['', /has 1 fields, not 5/],
  ])('refuses %j', (text, message) => {
    const err = expectInvalid(() => toValidCron('imageCache.prunerSchedule', text), 'imageCache.prunerSchedule', message);
    expect(err.message).toMatch(/Fix: use five fields "minute hour day-of-month month day-of-week"/);
  });
});

describe('shortestIntervalMinutes', () => {
  test.each([
    ['* * * * *', 1],
    ['*/30 * * * *', 30],
    ['5/15 * * * *', 15],
    ['0,50 * * * *', 10],
    ['0,10 * * * *', 10],
    ['0 * * * *', 60],
    ['0 9-17 * * *', 60],
    ['0 9,17 * * *', 8 * 60],
    ['30 23 * * *', 1440],
    ['1 0 * * *', 1440],
    ['0 0 * * 0', 7 * 1440],
    ['0 0 * * 7', 7 * 1440],
    ['0 0 * * 1-5', 1440],
    ['0 0 1 * *', 28 * 1440],
    ['0 0 31 * *', 31 * 1440],
    ['0 0 29 2 *', 4 * 365 * 1440 + 1440],
    ['0 0 1 1 *', 365 * 1440],
    ['0 0 1 * 1', 1440],
    ['0 0 ? * 1', 7 * 1440],
    ['0 0 * * ?', 1440],
    ['0 0 1-7 * 1', 1440],
    ['0 0 1,2 * *', 1440],
    ['0 12 1 */2 *', 59 * 1440],
    ['0 0 * jan *', 1440],
    // Mondays of February, or its 31st, which it has not.
    ['0 0 31 2 1', 7 * 1440],
  ])('%j runs at least %d minutes apart', (text, minutes) => {
    expect(shortestIntervalMinutes(toValidCron('s', text))).toBe(minutes);
  });

  test('the gap across midnight counts', () => {
    expect(shortestIntervalMinutes(toValidCron('s', '0 1,23 * * *'))).toBe(120);
  });
});

describe('found by the mutation run', () => {
  test('quantities: several digits after the point, whole numbers of two digits', () => {
    expect(parseQuantity('.55')).toEqual({ numerator: 55n, denominator: 100n });
    expect(numberToFraction(10)).toEqual({ numerator: 10n, denominator: 1n });
    expect(numberToFraction(12.5)).toEqual({ numerator: 125n, denominator: 10n });
  });

  test('every month and weekday name, in order', () => {
    const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
    const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
    months.forEach((name, i) => {
      expect(toValidCron('s', `0 0 1 ${name} *`).expressionString).toBe(`0 0 1 ${name} *`);
      // The same month by number and by name: one run a year.
      expect(shortestIntervalMinutes(toValidCron('s', `0 0 1 ${name},${i + 1} *`))).toBe(shortestIntervalMinutes(toValidCron('s', `0 0 1 ${i + 1} *`)));
      if (i > 0) expectInvalid(() => toValidCron('s', `0 0 1 ${name}-${months[i - 1]} *`), 's', /runs backwards/);
    });
    days.forEach((name, i) => {
      expect(shortestIntervalMinutes(toValidCron('s', `0 0 * * ${name},${i}`))).toBe(7 * 1440);
      if (i > 0) expectInvalid(() => toValidCron('s', `0 0 * * ${name}-${days[i - 1]}`), 's', /runs backwards/);
    });
    expect(shortestIntervalMinutes(toValidCron('s', '0 0 * * sun,1'))).toBe(1440);
  });

  test.each(['1a * * * *', 'a1 * * * *', '* * * 1jan *'])('%j is no value', (text) => {
    expectInvalid(() => toValidCron('s', text), 's', /is outside/);
  });

  test('minutes listed out of order, and a step over the day fields', () => {
    expect(shortestIntervalMinutes(toValidCron('s', '50,10 * * * *'))).toBe(20);
    expect(shortestIntervalMinutes(toValidCron('s', '0 23,1 * * *'))).toBe(120);
    // "*/2" restricts the day of month: both day fields must match (the controller's rule for "*"-led fields).
    expect(shortestIntervalMinutes(toValidCron('s', '0 0 */2 * 1'))).toBe(7 * 1440);
    // Both day fields restricted: either may match.
    expect(shortestIntervalMinutes(toValidCron('s', '0 0 1-31/2 * 1'))).toBe(1440);
  });
});
