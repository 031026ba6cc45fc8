import { Cron } from 'cdk8s';
import { GlanceValidationError } from './errors';

// Fields of a standard 5-field cron expression, as the Kubernetes CronJob controller parses it.
const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 7, question: true, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

// A Map, not an object: a schedule such as "toString" must not find Object.prototype.
const MACROS = new Map<string, string>([
  ['@yearly', '0 0 1 1 *'], ['@annually', '0 0 1 1 *'], ['@monthly', '0 0 1 * *'],
  ['@weekly', '0 0 * * 0'], ['@daily', '0 0 * * *'], ['@midnight', '0 0 * * *'], ['@hourly', '0 * * * *'],
]);

/**
 * Validates a schedule prop, a cdk8s Cron, and returns it. Accepts what the Kubernetes CronJob
 * controller accepts: five fields or an @-macro. Text (from JavaScript or YAML) is refused with
 * the Cron to write instead.
 */
export function toValidCron(prop: string, schedule: Cron): Cron {
  if (typeof schedule === 'string') {
    throw new GlanceValidationError(prop, schedule, 'is text, not a cdk8s Cron', `write it as a Cron: ${cronCallOf(schedule)}`);
  }
  const text = schedule?.expressionString;
  if (typeof text !== 'string') {
    throw new GlanceValidationError(prop, schedule, 'is not a cdk8s Cron', 'give e.g. Cron.daily() or Cron.schedule({ minute: \'1\', hour: \'0\' })');
  }
  return cronFromText(prop, text);
}

/**
 * Validates schedule text (a default, a CR's field) as the CronJob controller parses it, and
 * returns it as a Cron.
 */
export function cronFromText(prop: string, text: string): Cron {
  if (typeof text !== 'string') {
    throw new GlanceValidationError(prop, text, 'is not cron text', 'give five fields, e.g. "1 0 * * *"');
  }
  const fields = fieldsOf(text);
  const fix = 'use five fields "minute hour day-of-month month day-of-week", e.g. "1 0 * * *" or "*/30 * * * *"';
  if (fields.length !== 5) {
    throw new GlanceValidationError(prop, text, `has ${fields.length} fields, not 5`, fix);
  }
  fields.forEach((field, index) => {
    const problem = fieldProblem(field, FIELDS[index]);
    if (problem) throw new GlanceValidationError(prop, text, `${FIELDS[index].name} field "${field}" ${problem}`, fix);
  });
  const [minute, hour, day, month, weekDay] = fields;
  return Cron.schedule({ minute, hour, day, month, weekDay });
}

/** A schedule prop, checked, or the default text when it is unset. */
export function scheduleOf(prop: string, schedule: Cron | undefined, defaultText: string): Cron {
  return schedule === undefined ? cronFromText(prop, defaultText) : toValidCron(prop, schedule);
}

/** The cdk8s call that gives the schedule of this text, for an error's fix. */
function cronCallOf(text: string): string {
  const fields = fieldsOf(text);
  if (fields.length !== 5) return 'Cron.schedule({ minute, hour, day, month, weekDay }), or Cron.daily()';
  const set = ['minute', 'hour', 'day', 'month', 'weekDay'].map((name, i) => [name, fields[i]]).filter(([, value]) => value !== '*');
  return set.length ? `Cron.schedule({ ${set.map(([name, value]) => `${name}: '${value}'`).join(', ')} })` : 'Cron.everyMinute()';
}

/** The fields of a schedule's text, an @-macro expanded, split at white space; not checked. */
function fieldsOf(text: string): string[] {
  const trimmed = text.trim();
  return (MACROS.get(trimmed) ?? trimmed).split(/\s+/);
}

function fieldProblem(field: string, spec: typeof FIELDS[number]): string | undefined {
  for (const part of field.split(',')) {
    const match = /^(\*|\?|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/i.exec(part);
    if (!match) return 'is not a value, range, list or step';
    // No step is a step of 1, as in the controller's parser.
    const [, base, step = '1'] = match;
    if (Number(step) === 0) return 'has a step of 0';
    if (base === '*') continue;
    if (base === '?') {
      if (!spec.question) return 'uses "?", allowed only in day fields';
      continue;
    }
    const bounds = base.split('-').map((v) => valueOf(v, spec));
    if (bounds.some((v) => v < spec.min || v > spec.max)) {
      return `is outside ${spec.min}-${spec.max}`;
    }
    // A single value is the range from itself to itself.
    const [low, high = low] = bounds;
    if (low > high) return 'has a range that runs backwards';
  }
  return undefined;
}

function valueOf(text: string, spec: typeof FIELDS[number]): number {
  if (/^\d+$/.test(text)) return Number(text);
  // An unknown name gives -1 (0 for a month): below every field's minimum, so refused as outside it.
  const index = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  return spec.name === 'month' ? index + 1 : index;
}

/**
 * The shortest time between two runs of a valid schedule, in minutes, as the CronJob controller
 * fires it in UTC. Days are walked over eight years, so that leap days and every weekday of
 * every month count; within a day the gaps are the same every day.
 */
export function shortestIntervalMinutes(schedule: Cron): number {
  const [minute, hour, day, month, weekDay] = fieldsOf(schedule.expressionString);
  const minutes = expandField(minute, FIELDS[0]);
  const hours = expandField(hour, FIELDS[1]);
  const days = expandField(day, FIELDS[2]);
  const months = expandField(month, FIELDS[3]);
  const weekDays = new Set([...expandField(weekDay, FIELDS[4])].map((d) => d % 7));
  const hourStarts = [...hours].map((h) => h * 60);
  // Stryker disable next-line ArithmeticOperator: start - m mirrors the minutes within each hour, which keeps every gap.
  const times = hourStarts.flatMap((start) => [...minutes].map((m) => start + m));
  times.sort((a, b) => a - b);
  let shortest = Infinity;
  for (let i = 1; i < times.length; i++) shortest = Math.min(shortest, times[i] - times[i - 1]);
  // As the controller: when either day field is unrestricted both must match, otherwise either.
  const anyDay = (field: string) => field.startsWith('*') || field === '?';
  const either = !anyDay(day) && !anyDay(weekDay);
  const start = Date.UTC(2024, 0, 1) / 86_400_000;
  let previousDay: number | undefined;
  // Stryker disable next-line EqualityOperator: one more day than eight years finds no shorter gap.
  for (let d = start; d < start + 8 * 366; d++) {
    const date = new Date(d * 86_400_000);
    const dayMatch = days.has(date.getUTCDate());
    const weekDayMatch = weekDays.has(date.getUTCDay());
    if (!months.has(date.getUTCMonth() + 1) || !(either ? dayMatch || weekDayMatch : dayMatch && weekDayMatch)) continue;
    if (previousDay !== undefined) shortest = Math.min(shortest, (d - previousDay) * 1440 + times[0] - times[times.length - 1]);
    previousDay = d;
  }
  return shortest;
}

function expandField(field: string, spec: typeof FIELDS[number]): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    // Valid by now (toValidCron): base and step split at "/".
    const [base, step] = part.split('/');
    let [low, high] = [spec.min, spec.max];
    if (base !== '*' && base !== '?') {
      const bounds = base.split('-').map((v) => valueOf(v, spec));
      low = bounds[0];
      // "5/15" runs from 5 to the field's maximum, as in the controller's parser.
      high = bounds.length === 2 ? bounds[1] : step !== undefined ? spec.max : low;
    }
    for (let v = low; v <= high; v += Number(step ?? 1)) values.add(v);
  }
  return values;
}
