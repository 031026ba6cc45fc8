import { GlanceValidationError } from './errors';

/** Option values by section, in the order they are written. */
export type IniSections = Record<string, Record<string, string | number | boolean>>;

const NAME = /^[A-Za-z0-9_.:+-]+$/;

/** Renders oslo.config ini text. Rejects anything that could break out of its line. */
export function renderIni(sections: IniSections): string {
  const blocks: string[] = [];
  for (const [section, options] of Object.entries(sections)) {
    if (!NAME.test(section)) throw new Error(`invalid ini section name ${JSON.stringify(section)}`);
    const lines = [`[${section}]`];
    for (const [key, value] of Object.entries(options)) {
      const text = String(value);
      if (!NAME.test(key) || /[\r\n\0]/.test(text)) {
        throw new Error(`invalid ini option ${JSON.stringify(key)} = ${JSON.stringify(text)}`);
      }
      lines.push(`${key} = ${text}`);
    }
    blocks.push(lines.join('\n'));
  }
  return blocks.join('\n\n') + '\n';
}

/**
 * Parses raw oslo ini text the way oslo.config does, rejecting lines it would reject.
 * Returns the options found, with names normalised (lower case, "-" as "_").
 */
export function parseIni(prop: string, text: string): Record<string, Record<string, string>> {
  const result: Record<string, Record<string, string>> = {};
  let section: string | undefined;
  let lastKey: string | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    const where = `line ${index + 1}`;
    if (/^\s*([#;].*)?$/.test(line)) return;
    if (/^\s/.test(line)) {
      // A continuation line extends the previous value.
      if (!section || !lastKey) {
        throw new GlanceValidationError(prop, line, `${where} is indented but continues no option`, 'remove the leading white space');
      }
      result[section][lastKey] += '\n' + line.trim();
      return;
    }
    const header = /^\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      section = header[1].trim();
      if (!NAME.test(section)) {
        throw new GlanceValidationError(prop, line, `${where} has an invalid section name`, 'use letters, digits, "_", "-", "." or ":" in section names');
      }
      result[section] ??= {};
      lastKey = undefined;
      return;
    }
    const option = /^([^=:\s]+)\s*[=:]\s*(.*)/.exec(line);
    if (!option) {
      throw new GlanceValidationError(prop, line, `${where} is neither a [section], an option "key = value" nor a comment`, 'fix the ini syntax');
    }
    if (!section) {
      throw new GlanceValidationError(prop, line, `${where} sets an option before any [section]`, 'start the text with a section header such as [DEFAULT]');
    }
    lastKey = option[1].toLowerCase().replace(/-/g, '_');
    result[section][lastKey] = option[2];
  });
  return result;
}
