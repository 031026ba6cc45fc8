import { GlanceValidationError } from './errors';

/** Option values by section, in the order they are written. */
export type IniSections = Record<string, Record<string, string | number | boolean>>;

const NAME = /^[A-Za-z0-9_.:+-]+$/;

/**
 * How renderIni writes values. LITERAL (the library's own): each `$` doubled, so that oslo.config's
 * substitution ($name, ${group.name}) reads the value as written. AS_WRITTEN: oslo ini text a user
 * wrote, read back by parseIni, whose `$` already mean what the user meant.
 */
export enum IniValues { LITERAL = 'literal', AS_WRITTEN = 'as-written' }

/**
 * Renders oslo.config ini text that oslo.config reads back as `sections`: a multi-line value (of
 * AS_WRITTEN text) as continuation lines; a value with white space at an edge, or between matching quotes, quoted
 * (oslo.config strips one pair). Rejects anything that could break out of its line.
 */
export function renderIni(sections: IniSections, values: IniValues = IniValues.LITERAL): string {
  const blocks: string[] = [];
  for (const [section, options] of Object.entries(sections)) {
    if (!NAME.test(section)) throw new Error(`invalid ini section name ${JSON.stringify(section)}`);
    const lines = [`[${section}]`];
    for (const [key, value] of Object.entries(options)) {
      const text = values === IniValues.LITERAL ? String(value).replace(/\$/g, '$$$$') : String(value);
      const parts = text.split('\n');
      // Only text a user wrote can hold a continuation; the library's values are one line each.
      const multiLine = values === IniValues.AS_WRITTEN && parts.slice(1).every((part) => part.trim() !== '');
      if (!NAME.test(key) || /[\r\0]/.test(text) || (parts.length > 1 && !multiLine)) {
        throw new Error(`invalid ini option ${JSON.stringify(key)} = ${JSON.stringify(text)}`);
      }
      // Quoted where oslo.config would strip what the value holds: white space, or a pair of quotes.
      const quoted = (part: string) => (part !== pyLstrip(pyRstrip(part)) || inQuotes(part) ? `"${part}"` : part);
      lines.push(`${key} = ${quoted(parts[0])}`, ...parts.slice(1).map((part) => `    ${part.trim()}`));
    }
    blocks.push(lines.join('\n'));
  }
  return blocks.join('\n\n') + '\n';
}

/** One assignment of an option, as oslo.config's parser hands it over. */
export interface IniAssignment {
  /** The line its key is on (1-based). */
  readonly line: number;
  /** The section as written between the brackets. */
  readonly section: string;
  /** The option name as written. */
  readonly key: string;
  /** The name normalised: lower case, "-" as "_". */
  readonly name: string;
  /** The value: stripped, one pair of matching quotes removed, continuation lines joined with "\n". */
  readonly value: string;
}

/**
 * What text and configs never need and oslo.config reads otherwise than it looks: control
 * characters but tab and line feed (a lone CR ends a line for Python's universal newlines; VT, FF,
 * \x1c-\x1f and NEL are white space to Python's str.strip), C1 controls, the Unicode line and
 * paragraph separators, the byte order mark (oslo.config reads it as part of the first line), and
 * lone surrogates (not Unicode text: no file can hold them).
 */
const FORBIDDEN = /[\0-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Python's str.isspace() (its str.strip() set) beyond space, tab and line feed, that FORBIDDEN leaves: Zs characters. */
const PYTHON_ONLY_SPACE = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/;
/** Python's str.isspace(), the set str.strip(), lstrip() and rstrip() remove (Python 3.11 and 3.13). */
const PY_SPACE = '[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const PY_LEADING = new RegExp(`^${PY_SPACE}+`);
const PY_TRAILING = new RegExp(`${PY_SPACE}+$`);
const pyLstrip = (text: string) => text.replace(PY_LEADING, '');
const pyRstrip = (text: string) => text.replace(PY_TRAILING, '');
/** oslo.config's quote rule: a stripped value whose first and last characters are the same quote loses them (one quote alone too). */
const inQuotes = (value: string) => value !== '' && value[0] === value[value.length - 1] && (value[0] === '"' || value[0] === '\'');
/** Option names: those of every oslo option; oslo.config would take any text before the separator. */
const KEY = /^[A-Za-z0-9_.-]+$/;

/** oslo.config's group name: DEFAULT as written, every other group in lower case (cfg._normalize_group_name). */
export function iniGroup(section: string): string {
  return section === 'DEFAULT' ? section : section.toLowerCase();
}

function charName(char: string): string {
  const code = char.codePointAt(0)!;
  const names: Record<number, string> = {
    0: 'NUL',
    0xb: 'a vertical tab',
    0xc: 'a form feed',
    0xd: 'a carriage return',
    0x85: 'NEL',
    0xa0: 'a no-break space',
    0x2028: 'a line separator',
    0x2029: 'a paragraph separator',
    0xfeff: 'a byte order mark',
  };
  return `${names[code] ?? 'the character'} U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Reads raw oslo ini text by oslo.config's own rules (oslo_config/iniparser.py BaseParser and
 * cfg.ConfigParser, identical in oslo.config 9.0.0 and 9.7.1), and refuses, naming the line:
 *
 * - every text oslo.config refuses: a section header without "]" or without a name, a line that is
 *   no comment, header or "key = value" (or "key: value"), an empty key, an indented line that
 *   continues nothing (after a header, a comment or a blank line), an option before any section;
 * - characters no config needs, which oslo.config reads otherwise than they look (FORBIDDEN);
 * - Python-only white space (no-break and other Unicode spaces, which str.strip() removes) outside
 *   the inside of a value: at a line's start or end, around or in a key, in a section header;
 * - what oslo.config reads as a name nothing looks up: section names other than letters, digits
 *   and "_.:+-" (" paste_deploy " with its spaces is a group of its own), keys other than letters,
 *   digits and "_.-";
 * - one option written in two spellings of one group (flavor and Flavor, or paste_deploy and
 *   PASTE_DEPLOY): oslo.config keeps both, and reads the one spelled as the option is named.
 *
 * Lines end at "\n" only, since every other line end is refused. A blank line ends a multi-line
 * value; an indented line, a "#" line too, continues it; the value is stripped and loses one pair
 * of matching quotes (its first line's); a key repeated in one group keeps every value (multi-valued
 * options), in order.
 */
export function readIni(prop: string, text: string): IniAssignment[] {
  return read(prop, text).assignments;
}

function read(prop: string, text: string): { sections: string[]; assignments: IniAssignment[] } {
  if (typeof text !== 'string') throw new GlanceValidationError(prop, text, 'is not text', 'give oslo ini text');
  const assignments: IniAssignment[] = [];
  const sections: string[] = [];
  const spellings = new Map<string, { key: string; line: number }>();
  let section: string | undefined;
  let pending: { line: number; key: string; pieces: string[] } | undefined;
  const flush = () => {
    if (!pending) return;
    const { line, key, pieces } = pending;
    pending = undefined;
    if (section === undefined) {
      throw new GlanceValidationError(prop, key, `line ${line} sets an option before any [section]`,
        'start the text with a section header such as [DEFAULT]');
    }
    const name = key.toLowerCase().replace(/-/g, '_');
    const id = `${iniGroup(section)}\n${name}`;
    const earlier = spellings.get(id);
    if (earlier && earlier.key !== key) {
      throw new GlanceValidationError(prop, `[${section}] ${key}`,
        `line ${line} writes the option ${earlier.key} of line ${earlier.line} spelled otherwise: oslo.config reads each spelling as an option of ` +
          'its own',
        `write each option once, as oslo.config names it (lower case, "_"): ${name}`);
    }
    if (!earlier) spellings.set(id, { key, line });
    assignments.push({ line, section, key, name, value: pieces.join('\n') });
  };
  text.split('\n').forEach((raw, index) => {
    const lineNo = index + 1;
    const where = `line ${lineNo}`;
    const forbidden = FORBIDDEN.exec(raw);
    if (forbidden) {
      throw new GlanceValidationError(prop, raw, `${where} contains ${charName(forbidden[0])}, which oslo.config reads otherwise than it looks (a ` +
        'line end or white space)',
      'remove it: write plain spaces, tabs and "\\n" line ends only');
    }
    const pythonOnly = (part: string, place: string) => {
      const found = PYTHON_ONLY_SPACE.exec(part);
      if (found) {
        throw new GlanceValidationError(prop, raw, `${where} has ${charName(found[0])} ${place}, where oslo.config reads it as white space`,
          'use a plain space or tab there (such characters are allowed only inside a value)');
      }
    };
    // oslo.config: line.rstrip(), with Python's white space.
    const line = pyRstrip(raw);
    const trailing = raw.slice(line.length);
    if (line === '') {
      pythonOnly(raw, 'on a blank line');
      flush();
      return;
    }
    if (line[0] === ' ' || line[0] === '\t') {
      const piece = pyLstrip(line);
      pythonOnly(line.slice(0, line.length - piece.length), 'in the indentation');
      if (!pending) {
        throw new GlanceValidationError(prop, raw, `${where} is indented but continues no option (a header, a comment or a blank line ends an ` +
          'option\'s value)',
        'remove the leading white space');
      }
      pythonOnly(trailing, 'at the end of a value');
      pending.pieces.push(piece);
      return;
    }
    flush();
    pythonOnly(line[0], 'at the start of the line');
    if (line[0] === '[') {
      pythonOnly(trailing, 'after the section header');
      if (!line.endsWith(']')) {
        throw new GlanceValidationError(prop, raw,
          `${where} is neither a [section], an option "key = value" nor a comment (a section header ends with "]")`, 'fix the ini syntax');
      }
      const name = line.slice(1, -1);
      if (!NAME.test(name)) {
        throw new GlanceValidationError(prop, raw, `${where} has an invalid section name`,
          'use letters, digits, "_", "-", ".", ":" or "+" in section names, with no space inside the brackets');
      }
      section = name;
      sections.push(name);
      return;
    }
    if (line[0] === '#' || line[0] === ';') return;
    const colon = line.indexOf(':');
    const equal = line.indexOf('=');
    const at = colon < 0 || (equal >= 0 && equal < colon) ? equal : colon;
    const keyPart = at < 0 ? line : line.slice(0, at);
    pythonOnly(keyPart, 'in or around the key');
    const key = keyPart.trim();
    if (at < 0 || !KEY.test(key)) {
      throw new GlanceValidationError(prop, raw, `${where} is neither a [section], an option "key = value" nor a comment`, 'fix the ini syntax');
    }
    // oslo.config: value.strip(), then one pair of matching quotes off.
    const after = line.slice(at + 1);
    let value = pyLstrip(after);
    pythonOnly(after.slice(0, after.length - value.length), 'at the start of a value');
    pythonOnly(trailing, 'at the end of a value');
    if (inQuotes(value)) value = value.slice(1, -1);
    pending = { line: lineNo, key, pieces: [value] };
  });
  flush();
  return { sections, assignments };
}

/**
 * Parses raw oslo ini text the way oslo.config does (readIni), rejecting what it would reject and
 * what it would read otherwise than it looks. Returns each section as written, with every option
 * under its normalised name (lower case, "-" as "_": a superset of what oslo.config looks up, which
 * is the name exactly as the option is named) and its last value, as oslo.config reads a
 * single-valued option.
 */
export function parseIni(prop: string, text: string): Record<string, Record<string, string>> {
  const result: Record<string, Record<string, string>> = {};
  // Redefined, never assigned: configurable is what lets a later value replace an earlier one.
  const set = (target: object, key: string, value: unknown) => Object.defineProperty(target, key, { value, enumerable: true, configurable: true });
  const { sections, assignments } = read(prop, text);
  // Sections without options are sections too. (Own properties only: a section or option named
  // __proto__ or constructor is one like any other.)
  for (const section of sections) set(result, section, {});
  for (const { section, name, value } of assignments) set(result[section], name, value);
  return result;
}
