/**
 * The ini reader and renderer (lib/ini.ts). parseIni and readIni read customServiceConfig as
 * oslo.config's parser does (oslo_config/iniparser.py and cfg.ConfigParser), and refuse the texts
 * oslo.config would read otherwise than they look; renderIni writes what they read back.
 * test/e2e/ini-differential.test.ts checks the same against the real oslo.config on generated texts.
 */
import { expectInvalid } from './helpers';
import { checkCustomServiceConfig } from '../lib/config-guard';
import { iniGroup, IniValues, parseIni, readIni, renderIni } from '../lib/ini';

describe('renderIni', () => {
  test('sections in order, "key = value" lines, a blank line between sections, a final newline', () => {
    expect(renderIni({ 'DEFAULT': { workers: 4, debug: true, name: 'a b' }, 'empty': {}, 'os_glance-x.y:z+1': { k: 'v' } }))
      .toBe('[DEFAULT]\nworkers = 4\ndebug = true\nname = a b\n\n[empty]\n\n[os_glance-x.y:z+1]\nk = v\n');
  });

  test('no sections render as a single line end', () => {
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

  test('text a user wrote keeps its continuation lines, each re-indented by four spaces without its own white space', () => {
    expect(renderIni({ cors: { v: 'a\n   b  \n\tc' } }, IniValues.AS_WRITTEN)).toBe('[cors]\nv = a\n    b\n    c\n');
    // A value that starts on the next line: its first line is empty.
    expect(renderIni({ cors: { v: '\nb' } }, IniValues.AS_WRITTEN)).toBe('[cors]\nv = \n    b\n');
  });

  test.each([
    ['an empty continuation line', 'a\n\nb'],
    ['a continuation line of white space only', 'a\n   \nb'],
    ['an empty last line', 'a\n'],
  ])('text a user wrote is refused with %s: oslo.config would end the value there', (_what, value) => {
    expect(() => renderIni({ cors: { v: value } }, IniValues.AS_WRITTEN)).toThrow(/invalid ini option "v"/);
  });

  test('the library\'s values read back as written, "$" doubled for oslo.config', () => {
    expect(renderIni({ DEFAULT: { a: '"', b: ' x ', c: 'p$w' } })).toBe('[DEFAULT]\na = """\nb = " x "\nc = p$$w\n');
  });
});

describe('what oslo.config reads, parseIni reads', () => {
  test('continuation lines, indented by spaces or tabs, join with "\\n" without their indentation', () => {
    expect(parseIni('p', '[DEFAULT]\na = one\n  two\n\tthree\n\t and more\n')).toEqual({ DEFAULT: { a: 'one\ntwo\nthree\nand more' } });
  });

  test('an indented "#" line continues the value: it is no comment', () => {
    expect(parseIni('p', '[DEFAULT]\na = one\n  # four\n')).toEqual({ DEFAULT: { a: 'one\n# four' } });
  });

  test('a blank line ends a value', () => {
    expect(parseIni('p', '[DEFAULT]\na = 1\n\nb = 2\n')).toEqual({ DEFAULT: { a: '1', b: '2' } });
  });

  test('a comment line ends a value', () => {
    expect(parseIni('p', '[DEFAULT]\nb = 2\n# c\nd = 3\n')).toEqual({ DEFAULT: { b: '2', d: '3' } });
  });

  test('a line of white space only is a blank line', () => {
    expect(parseIni('p', '\n   \n[DEFAULT]\na = 1\n')).toEqual({ DEFAULT: { a: '1' } });
  });

  test('"#" and ";" at the start of a line begin a comment, before any section too', () => {
    expect(parseIni('p', '# x\n; y\n[DEFAULT]\n# z\n; w\n')).toEqual({ DEFAULT: {} });
  });

  test('"#" and ";" inside a value are part of the value', () => {
    expect(parseIni('p', '[DEFAULT]\na = b # c\nd = ; e\n')).toEqual({ DEFAULT: { a: 'b # c', d: '; e' } });
  });

  test('a key with ":" only, and either separator inside the value', () => {
    expect(parseIni('p', '[DEFAULT]\na: 1\nb=2:3\nc:4=5\n').DEFAULT).toEqual({ a: '1', b: '2:3', c: '4=5' });
  });

  test('parsed sections and options are plain enumerable properties', () => {
    const parsed = parseIni('p', '[DEFAULT]\na = 1\nb = 2\n[x]\n');
    expect([Object.keys(parsed), Object.keys(parsed.DEFAULT), JSON.stringify(parsed)]).toEqual([['DEFAULT', 'x'], ['a', 'b'],
      '{"DEFAULT":{"a":"1","b":"2"},"x":{}}']);
  });

  test('":" and "=" both separate, whichever comes first', () => {
    expect(parseIni('p', '[DEFAULT]\na: b = c\nd = e: f\ng:h\n')).toEqual({ DEFAULT: { a: 'b = c', d: 'e: f', g: 'h' } });
  });

  test('an option without a value is empty', () => {
    expect(parseIni('p', '[DEFAULT]\nempty =\n')).toEqual({ DEFAULT: { empty: '' } });
  });

  test('one pair of matching quotes comes off', () => {
    expect(parseIni('p', '[DEFAULT]\na = "x y"\nb = \'z\'\nd = ""q""\n')).toEqual({ DEFAULT: { a: 'x y', b: 'z', d: '"q"' } });
  });

  test('unmatched quotes stay', () => {
    expect(parseIni('p', '[DEFAULT]\nc = "x\'\n')).toEqual({ DEFAULT: { c: '"x\'' } });
  });

  test('a lone quote becomes empty', () => {
    expect(parseIni('p', '[DEFAULT]\ne = "\n')).toEqual({ DEFAULT: { e: '' } });
  });

  test('only the first line of a multi-line value loses its quotes', () => {
    expect(parseIni('p', '[DEFAULT]\na = "x"\n  "y"\n')).toEqual({ DEFAULT: { a: 'x\n"y"' } });
  });

  test('a value loses the white space around it, not inside it', () => {
    expect(parseIni('p', '[DEFAULT]\na =   x \t y\t \n')).toEqual({ DEFAULT: { a: 'x \t y' } });
  });

  test('Unicode spaces inside a value stay', () => {
    expect(parseIni('p', '[DEFAULT]\nb = caf\u00e9\u00a0au\u3000lait\n')).toEqual({ DEFAULT: { b: 'caf\u00e9\u00a0au\u3000lait' } });
  });

  test('sections keep their names as written, empty ones too', () => {
    expect(parseIni('p', '[Paste_Deploy]\n[DEFAULT]\n[Section.x]\n')).toEqual({ 'Paste_Deploy': {}, 'DEFAULT': {}, 'Section.x': {} });
  });

  test('white space after a section header is ignored', () => {
    expect(parseIni('p', '[glance_store]  \na = 1\n')).toEqual({ glance_store: { a: '1' } });
  });

  test('a section written twice is one section with the options of both', () => {
    expect(parseIni('p', '[DEFAULT]\na = 1\n[x]\n[DEFAULT]\nb = 2\n')).toEqual({ DEFAULT: { a: '1', b: '2' }, x: {} });
  });

  test('option names are normalised: lower case, "-" as "_"', () => {
    expect(parseIni('p', '[DEFAULT]\nDebug-Level = 1\n')).toEqual({ DEFAULT: { debug_level: '1' } });
  });

  test('a repeated key keeps every value in readIni (multi-valued options)', () => {
    const text = '[oslo_messaging_notifications]\ndriver = messagingv2\ndriver = log\n';
    expect(readIni('p', text).map((a) => [a.line, a.section, a.key, a.name, a.value])).toEqual([
      [2, 'oslo_messaging_notifications', 'driver', 'driver', 'messagingv2'], [3, 'oslo_messaging_notifications', 'driver', 'driver', 'log'],
    ]);
  });

  test('a repeated key keeps its last value in parseIni', () => {
    const text = '[oslo_messaging_notifications]\ndriver = messagingv2\ndriver = log\n';
    expect(parseIni('p', text)).toEqual({ oslo_messaging_notifications: { driver: 'log' } });
  });

  test('groups as oslo.config names them: DEFAULT as written, every other in lower case', () => {
    expect([iniGroup('DEFAULT'), iniGroup('default'), iniGroup('Default'), iniGroup('Paste_Deploy')])
      .toEqual(['DEFAULT', 'default', 'default', 'paste_deploy']);
  });

  test('a section or option named like an Object property is one like any other', () => {
    const parsed = parseIni('p', '[__proto__]\nconstructor = x\n[constructor]\n__proto__ = y\n');
    expect(Object.keys(parsed)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')!.value).toEqual({ constructor: 'x' });
    expect(Object.getOwnPropertyDescriptor(parsed.constructor, '__proto__')!.value).toBe('y');
    expect(({} as any).constructor).toBe(Object);
  });

  test('a text without a last line end is read to its end', () => {
    expect(parseIni('p', '[DEFAULT]\na = 1')).toEqual({ DEFAULT: { a: '1' } });
  });

  test('an empty text has no sections', () => {
    expect(parseIni('p', '')).toEqual({});
  });
});

describe('what oslo.config refuses, parseIni refuses', () => {
  test.each([
    ['[DEFAULT\n', /line 1 is neither a \[section\].*section header ends with "\]"/],
    ['[DEFAULT] # c\n', /line 1 is neither a \[section\]/],
    ['[]\n', /line 1 has an invalid section name/],
    ['[a b]\n', /line 1 has an invalid section name/],
    ['[DEFAULT]\njust words\n', /line 2 is neither a \[section\], an option "key = value" nor a comment/],
    ['[DEFAULT]\njustakey\n', /line 2 is neither a \[section\], an option "key = value" nor a comment/],
    ['[DEFAULT]\n = value\n', /line 2 is indented but continues no option/],
    ['[DEFAULT]\n= value\n', /line 2 is neither a \[section\]/],
    ['a = 1\n', /line 1 sets an option before any \[section\].*Fix: start the text with a section header/],
    ['  indented = 1\n', /line 1 is indented but continues no option.*Fix: remove the leading white space/],
    ['[DEFAULT]\n  x\n', /line 2 is indented but continues no option/],
    ['[DEFAULT]\na = 1\n\n  x\n', /line 4 is indented but continues no option \(a header, a comment or a blank line ends/],
    ['[DEFAULT]\na = 1\n# c\n  x\n', /line 4 is indented but continues no option/],
    // Anchored at both ends: text after a header, or a key with a space, is no header nor option.
    ['[DEFAULT] trailing\n', /line 1 is neither a \[section\]/],
    ['[DEFAULT]\na b = c\n', /line 2 is neither a \[section\]/],
  ])('%j', (text, message) => {
    expectInvalid(() => parseIni('customServiceConfig', text), 'customServiceConfig', message);
  });
});

describe('the tricks of issue 21: each refused, naming the line', () => {
  test.each([
    ['a lone CR (a line end to Python)', '[paste_deploy]\nx = 1\rflavor = caching\n', /line 2 contains a carriage return U\+000D/],
    ['CR LF too', '[DEFAULT]\nx = 1\r\n', /line 2 contains a carriage return/],
    ['a vertical tab', '[paste_deploy]\nx = 1\n\vflavor = caching\n', /line 3 contains a vertical tab U\+000B/],
    ['a form feed', '[paste_deploy]\nx = 1\n\fflavor = caching\n', /line 3 contains a form feed U\+000C/],
    ['\\x1c', '[paste_deploy]\nx = 1\n\x1cflavor = caching\n', /line 3 contains the character U\+001C/],
    ['\\x1f', '[paste_deploy]\nx = 1\n\x1fflavor = caching\n', /U\+001F/],
    ['NEL', '[paste_deploy]\nx = 1\n\x85flavor = caching\n', /line 3 contains NEL U\+0085/],
    ['a line separator', '[paste_deploy]\nx = 1\n\u2028flavor = caching\n', /a line separator U\+2028/],
    ['a paragraph separator', '[paste_deploy]\nx = 1\n\u2029flavor = caching\n', /a paragraph separator U\+2029/],
    ['NUL', '[DEFAULT]\nx = a\0b\n', /line 2 contains NUL U\+0000/],
    ['another C0 control, in a value too', '[DEFAULT]\nx = a\x01b\n', /U\+0001/],
    ['DEL', '[DEFAULT]\nx = a\x7fb\n', /U\+007F/],
    ['a byte order mark', '\ufeff[DEFAULT]\n', /line 1 contains a byte order mark U\+FEFF/],
    ['a lone surrogate', '[DEFAULT]\nx = \ud800\n', /line 2 contains the character U\+D800/],
    ['a vertical tab in a quoted value', '[DEFAULT]\nx = "a\vb"\n', /line 2 contains a vertical tab/],
  ])('%s', (_what, text, message) => {
    expectInvalid(() => parseIni('customServiceConfig', text), 'customServiceConfig', message);
  });

  test.each([
    ['NBSP at a line start', '[paste_deploy]\nx = 1\n\u00a0flavor = caching\n', /line 3 has a no-break space U\+00A0 at the start of the line/],
    ['an ideographic space at a line start', '[paste_deploy]\nx = 1\n\u3000flavor = caching\n', /line 3 has the character U\+3000 at the start/],
    ['U+2000 at a line start', '[DEFAULT]\n\u2000show_image_direct_url = true\n', /U\+2000 at the start/],
    ['U+1680 at a line start', '[DEFAULT]\n\u1680x = 1\n', /U\+1680/],
    ['U+202F in a key', '[DEFAULT]\nx\u202f= 1\n', /U\+202F in or around the key/],
    ['U+205F in a key', '[DEFAULT]\nfla\u205fvor = 1\n', /in or around the key/],
    ['NBSP after a header', '[paste_deploy]\u00a0\n', /after the section header/],
    ['NBSP in a header', '[paste\u00a0deploy]\n', /invalid section name/],
    ['NBSP in the indentation of a continuation', '[DEFAULT]\nx = 1\n \u00a0y\n', /in the indentation/],
    ['NBSP at the start of a value', '[DEFAULT]\nx = \u00a0y\n', /at the start of a value/],
    ['NBSP at the end of a value', '[DEFAULT]\nx = y\u00a0\n', /at the end of a value/],
    ['NBSP on a blank line', '[DEFAULT]\nx = y\n\u00a0\n', /on a blank line/],
  ])('%s', (_what, text, message) => {
    expectInvalid(() => parseIni('customServiceConfig', text), 'customServiceConfig', message);
  });

  test('spaces inside a header\'s brackets: oslo.config reads the group " paste_deploy ", which nothing reads', () => {
    expectInvalid(() => parseIni('p', '[ paste_deploy ]\nflavor = x\n'), 'p', /line 1 has an invalid section name/);
  });

  test('one option in two spellings of a group: oslo.config reads only the one spelled as the option is named', () => {
    const err = expectInvalid(() => parseIni('p', '[paste_deploy]\nFlavor = x\n[PASTE_DEPLOY]\nflavor = y\n'), 'p',
      /line 4 writes the option Flavor of line 2 spelled otherwise/);
    expect(err.message).toContain('(got "[PASTE_DEPLOY] flavor"). Fix: write each option once, '
      + 'as oslo.config names it (lower case, "_"): flavor');
  });

  test('the error names the first line of the first spelling, however often it was written since', () => {
    expectInvalid(() => parseIni('p', '[DEFAULT]\nimage_cache_dir = a\nimage_cache_dir = b\nImage_cache_dir = c\n'), 'p',
      /line 4 writes the option image_cache_dir of line 2 spelled otherwise: oslo\.config reads each spelling as an option of its own/);
  });

  test('the refusals\' texts in full', () => {
    expect(expectInvalid(() => parseIni('p', '[DEFAULT]\nx = 1\n\vy\n'), 'p', /contains/).message)
      .toContain('line 3 contains a vertical tab U+000B, which oslo.config reads otherwise than it looks (a line end or white space)');
    expect(expectInvalid(() => parseIni('p', '[DEFAULT]\n\n  x\n'), 'p', /indented/).message)
      .toContain('line 3 is indented but continues no option (a header, a comment or a blank line ends an option\'s value)');
    expect(expectInvalid(() => parseIni('p', '[DEFAULT]\nx = 1\n  y\u00a0\n'), 'p', /U\+00A0/).message)
      .toContain('line 3 has a no-break space U+00A0 at the end of a value, where oslo.config reads it as white space');
    // A line that is no option: named so, whatever it holds after its missing key.
    expect(expectInvalid(() => parseIni('p', '[DEFAULT]\n=\u00a0x\n'), 'p', /neither/).message)
      .toContain('line 2 is neither a [section], an option "key = value" nor a comment');
  });

  test('a no-break space inside a continuation line is part of the value, not of its indentation', () => {
    expect(parseIni('p', '[DEFAULT]\nx = 1\n  a\u00a0b\n').DEFAULT.x).toBe('1\na\u00a0b');
  });

  test('one option written with "-" and with "_" in one group is refused', () => {
    expectInvalid(() => parseIni('p', '[DEFAULT]\nimage-cache-dir = x\nimage_cache_dir = y\n'), 'p',
      /line 3 writes the option image-cache-dir of line 2/);
  });

  test('one spelling in two groups oslo.config keeps apart ([DEFAULT] and [default]) is no conflict', () => {
    expect(parseIni('p', '[DEFAULT]\nx = 1\n[default]\nX = 2\n')).toEqual({ DEFAULT: { x: '1' }, default: { x: '2' } });
  });

  test.each([
    ['a lone CR', '[paste_deploy]\nx = 1\rflavor = caching\n', /line 2 contains/],
    ['a no-break space', '[paste_deploy]\nx = 1\n\u00a0flavor = caching\n', /line 3 has/],
    ['a vertical tab', '[paste_deploy]\nx = 1\n\vflavor = caching\n', /line 3 contains/],
    // The old reader took this line as a continuation of x; oslo.config reads the option.
    ['an em space', '[paste_deploy]\nx = 1\n\u2003flavor = caching\n', /U\+2003/],
  ])('the guard refuses %s that hid a managed option', (_what, text, message) => {
    expectInvalid(() => checkCustomServiceConfig('customServiceConfig', text), 'customServiceConfig', message);
  });
});
