/**
 * Cron schedules (lib/schedule.ts): what cronFromText accepts and refuses, as the Kubernetes
 * CronJob controller parses a schedule (five fields or an @-macro; bounds, names, steps), and the
 * shortest interval between two runs, which the cache jobs' deadlines come from.
 */
import { Cron } from 'cdk8s';
import { expectInvalid } from './helpers';
import { cronFromText, shortestIntervalMinutes, toValidCron } from '../lib/schedule';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

describe('cronFromText', () => {
  test.each([
    ['@yearly', '0 0 1 1 *'], ['@annually', '0 0 1 1 *'], ['@monthly', '0 0 1 * *'], ['@weekly', '0 0 * * 0'],
    ['@daily', '0 0 * * *'], ['@midnight', '0 0 * * *'], ['@hourly', '0 * * * *'], [' @hourly ', '0 * * * *'],
  ])('the shortcut %j is %j', (text, expanded) => {
    expect(cronFromText('s', text).expressionString).toBe(expanded);
  });

  test.each(['@reboot', '@every 5m', '@Daily', '@'])('%j is no shortcut of the CronJob controller', (text) => {
    expectInvalid(() => cronFromText('s', text), 's', /has 1 fields, not 5|has 2 fields, not 5/);
  });

  test('five fields pass through as written, white space collapsed', () => {
    expect(cronFromText('s', '  */5   1-3,7 ? JAN-mar  MON-fri ').expressionString).toBe('*/5 1-3,7 ? JAN-mar MON-fri');
  });

  test('fields separated by tabs and line ends are five fields too', () => {
    expect(cronFromText('s', '0\t1\n* *  *').expressionString).toBe('0 1 * * *');
  });

  test.each([undefined, null, 5, {}])('%p is no cron text', (text) => {
    expectInvalid(() => cronFromText('s', text as any), 's', /is not cron text.*Fix: give five fields/);
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
    ['*/1 * * * *', 'a step of 1'],
  ])('accepts %j: %s', (text) => {
    expect(cronFromText('s', text).expressionString).toBe(text);
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
    ['*/00 * * * *', /minute field "\*\/00" has a step of 0/],
    ['5/0 * * * *', /minute field "5\/0" has a step of 0/],
    ['1-2-3 * * * *', /is not a value, range, list or step/],
    ['1, * * * *', /is not a value, range, list or step/],
    ['*/ * * * *', /is not a value, range, list or step/],
    ['* * * * * *', /has 6 fields, not 5/],
    ['', /has 1 fields, not 5/],
    // Found by the fuzzer: a plain-object lookup of the @-macros returned Object.prototype.toString.
    ['toString', /has 1 fields, not 5/],
    ['constructor', /has 1 fields, not 5/],
    ['* * *', /has 3 fields, not 5/],
  ])('refuses %j', (text, message) => {
    const err = expectInvalid(() => cronFromText('imageCache.prunerSchedule', text), 'imageCache.prunerSchedule', message);
    expect(err.message).toMatch(/Fix: use five fields "minute hour day-of-month month day-of-week"/);
  });

  test.each(['1a * * * *', 'a1 * * * *', '* * * 1jan *'])('%j is no value', (text) => {
    expectInvalid(() => cronFromText('s', text), 's', /is outside/);
  });

  test.each(MONTHS.map((name, i) => [name, i + 1]))('the month name %s is accepted as written', (name) => {
    expect(cronFromText('s', `0 0 1 ${name} *`).expressionString).toBe(`0 0 1 ${name} *`);
  });

  test.each(MONTHS.slice(1).map((name, i) => [name, MONTHS[i]]))('the month range %s-%s runs backwards', (later, earlier) => {
    expectInvalid(() => cronFromText('s', `0 0 1 ${later}-${earlier} *`), 's', /runs backwards/);
  });

  test.each(WEEKDAYS.slice(1).map((name, i) => [name, WEEKDAYS[i]]))('the weekday range %s-%s runs backwards', (later, earlier) => {
    expectInvalid(() => cronFromText('s', `0 0 * * ${later}-${earlier}`), 's', /runs backwards/);
  });
});

describe('toValidCron: a schedule prop is a cdk8s Cron', () => {
  test('a Cron is read through its expression', () => {
    expect(toValidCron('s', Cron.daily()).expressionString).toBe(Cron.daily().expressionString);
  });

  test('a Cron is checked like text', () => {
    expectInvalid(() => toValidCron('s', Cron.schedule({ minute: '60' })), 's', /minute field "60" is outside 0-59/);
  });

  test.each([
    ['1 0 * * *', "Cron.schedule({ minute: '1', hour: '0' })"],
    ['*/30 * * * *', "Cron.schedule({ minute: '*/30' })"],
    ['@weekly', "Cron.schedule({ minute: '0', hour: '0', weekDay: '0' })"],
    ['* * * * *', 'Cron.everyMinute()'],
    ['not a schedule', 'Cron.schedule({ minute, hour, day, month, weekDay }), or Cron.daily()'],
  ])('text %j, from JavaScript or YAML, is refused with the Cron to write: %s', (text, call) => {
    const err = expectInvalid(() => toValidCron('imageCache.prunerSchedule', text as any), 'imageCache.prunerSchedule', /is text, not a cdk8s Cron/);
    expect(err.fix).toBe(`write it as a Cron: ${call}`);
  });

  test('the Cron the fix names has the schedule of the text', () => {
    expect(Cron.schedule({ minute: '1', hour: '0' }).expressionString).toBe('1 0 * * *');
    expect(Cron.schedule({ minute: '0', hour: '0', weekDay: '0' }).expressionString).toBe(cronFromText('s', '@weekly').expressionString);
  });

  test.each([undefined, null, 5, {}])('%p is not a Cron', (schedule) => {
    expectInvalid(() => toValidCron('s', schedule as any), 's', /is not a cdk8s Cron.*Fix: give e\.g\. Cron\.daily\(\)/);
  });
});

describe('shortestIntervalMinutes', () => {
  const minutesOf = (text: string) => shortestIntervalMinutes(cronFromText('s', text));

  test.each([
    ['* * * * *', 1],
    ['*/30 * * * *', 30],
    ['5/15 * * * *', 15],
    ['5/20 3 * * *', 20],
    ['0,50 * * * *', 10],
    ['0,10 * * * *', 10],
    ['0,50 23 * * *', 50],
    // Minutes listed out of order.
    ['50,10 * * * *', 20],
    ['0 * * * *', 60],
    ['@hourly', 60],
    ['0 9-17 * * *', 60],
    ['0 8,20 * * *', 720],
    ['0 9,17 * * *', 8 * 60],
    // Across midnight, with the hours listed in either order.
    ['0 1,23 * * *', 120],
    ['0 23,1 * * *', 120],
    ['30 23 * * *', 1440],
    ['50 23 * * *', 1440],
    ['58 23 * * *', 1440],
    ['1 0 * * *', 1440],
    ['0 0 * * 0', 7 * 1440],
    ['0 0 * * 7', 7 * 1440],
    ['@weekly', 7 * 1440],
    ['30 23 * * 0', 7 * 1440],
    ['0 0 * * 1-5', 1440],
    ['0 22 * * 1-5', 1440],
    ['0 12 * * sun,sat', 1440],
    // Sunday as 0 and by name is one day.
    ['0 0 * * sun,1', 1440],
    ['0 0 1 * *', 28 * 1440],
    ['0 0 31 * *', 31 * 1440],
    ['0 0 29 2 *', 4 * 365 * 1440 + 1440],
    ['0 0 1 1 *', 365 * 1440],
    ['@yearly', 365 * 1440],
    ['0 0 1 * 1', 1440],
    ['0 0 ? * 1', 7 * 1440],
    ['0 0 * * ?', 1440],
    ['0 0 1-7 * 1', 1440],
    ['0 0 1,2 * *', 1440],
    ['0 12 1 */2 *', 59 * 1440],
    ['0 0 * jan *', 1440],
    // Mondays of February, or its 31st, which it has not.
    ['0 0 31 2 1', 7 * 1440],
    // Day of month OR day of week when both are set: Friday the 12th, then Saturday the 13th.
    ['0 0 13 * 5', 1440],
    // "*/2" restricts the day of month, but starts with "*": both day fields must match (the controller's rule).
    ['0 0 */2 * 1', 7 * 1440],
    // Both day fields restricted without "*": either may match.
    ['0 0 1-31/2 * 1', 1440],
    // Across a month's end: the 31st, then the 1st.
    ['0 0 1,31 * *', 1440],
    // Leap years: February 28th, then the 29th.
    ['0 0 28,29 2 *', 1440],
  ])('%j runs at least %d minutes apart', (text, minutes) => {
    expect(minutesOf(text)).toBe(minutes);
  });

  test.each(MONTHS.map((name, i) => [name, i + 1]))('the month name %s is month %d', (name, number) => {
    // The same month by name and by number: one run a year, as by number alone.
    expect(minutesOf(`0 0 1 ${name},${number} *`)).toBe(minutesOf(`0 0 1 ${number} *`));
  });

  test.each(WEEKDAYS.map((name, i) => [name, i]))('the weekday name %s is day %d', (name, number) => {
    expect(minutesOf(`0 0 * * ${name},${number}`)).toBe(7 * 1440);
  });

  test('a Cron whose fields cdk8s joined around spaces of their own is read field by field', () => {
    expect(shortestIntervalMinutes(Cron.schedule({ minute: '0 ', hour: ' 1,23' }))).toBe(120);
  });

  test('a Cron holding an @-macro is read as the macro', () => {
    expect(shortestIntervalMinutes({ expressionString: ' @weekly ' })).toBe(7 * 1440);
  });
});
