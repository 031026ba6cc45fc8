"""The config of configSecrets, checked before glance-api starts.

Run by the API pod's init container `config-secrets` (cdk8s-glance writes this file and its rules,
config-secrets-rules.json, into the API's config Secret):

    python3 glance-config-secrets.py RULES LIBRARY_DIR SECRETS_DIR CONFIG_DIR

1. Copies the library's config files (LIBRARY_DIR, the config Secret's volume) into CONFIG_DIR,
   the pod's config directory (an emptyDir in memory), which glance-api then reads (read-only),
   with the Secret volume's mode, 0440.
2. Reads the Secrets as the glance-operator reads customServiceConfigSecrets: each Secret in the
   order listed (SECRETS_DIR/<index>, its volume), its keys in name order, each key's text followed
   by a newline, into one text; writes it to CONFIG_DIR/70-config-secrets.conf, read after
   customServiceConfig.
3. Reads that file with oslo.config's own parser, as glance-api will, and refuses what
   customServiceConfig may not set (README, "Security"): an option cdk8s-glance manages, under any
   name oslo.config reads it by; a meta option; an option outside the allow-list of a guarded
   section; a `$` reference, unless customServiceConfigSubstitution. The rules are the API's, as
   cdk8s-glance computed them at synth time; and a Secret that leaves out an option the store takes
   from them (ImageBackend.s3's fromConfigSecrets). A refusal removes the file, names the Secret, its key,
   the line and the option (never the value: it may be a credential), and ends the container with
   status 1 before glance-api starts; the message is also the container's termination message.

Differential test: test/e2e/ini-differential.test.ts (the same verdicts and messages as the
synth-time guard, lib/config-guard.ts, on every text it reads).
"""
import json
import os
import shutil
import sys

from oslo_config import cfg

OUTPUT = '70-config-secrets.conf'


class Refusal(Exception):
    pass


def describe(value):
    """A value as the synth-time guard's message shows it (JSON.stringify)."""
    return json.dumps(value, ensure_ascii=False)


def refusal(prop, value, problem, fix):
    """The synth-time guard's message (lib/errors.ts, GlanceValidationError)."""
    return Refusal('%s: %s (got %s). Fix: %s' % (prop, problem, describe(value), fix))


def remove(path):
    """A file of an earlier run of this container in the same pod (read-only to its owner), if there is one."""
    if os.path.lexists(path):
        os.remove(path)


def group_of(section):
    """oslo.config's group of a section: DEFAULT as written, every other lower-case."""
    return section if section == 'DEFAULT' else section.lower()


def name_of(key):
    """An option's name as the synth-time guard compares it (lib/ini.ts, IniAssignment.name): lower case, "-" as "_"."""
    return key.lower().replace('-', '_')


class Recorder(cfg.ConfigParser):
    """oslo.config's parser, recording each assignment with the line of its key, in file order."""

    def __init__(self, filename, sections):
        super().__init__(filename, sections)
        self.recorded = []
        self.key_line = 0

    def _split_key_value(self, line):
        self.key_line = self.lineno
        return super()._split_key_value(line)

    def assignment(self, key, value):
        super().assignment(key, value)
        self.recorded.append((self.key_line, self.section, key, '\n'.join(value)))


def read_assignments(path):
    """What oslo.config reads from the file, as glance-api reads each config file."""
    parser = Recorder(path, {})
    parser.parse()
    return parser.recorded


def check(assignments, rules, segments):
    """Raises the first refusal, in the synth-time guard's order: spellings first, then each option."""
    source = 'configSecrets'
    spellings = {}
    for line, section, key, _ in assignments:
        name = name_of(key)
        ident = (group_of(section), name)
        earlier = spellings.get(ident)
        if earlier and earlier[0] != key:
            raise refusal(segments.prop_of(line), '[%s] %s' % (section, key),
                          'line %d writes the option %s of line %d spelled otherwise: oslo.config reads each spelling as an option '
                          'of its own' % (segments.local_line(line), earlier[0], segments.local_line(earlier[1])),
                          'write each option once, as oslo.config names it (lower case, "_"): %s' % name)
        if earlier is None:
            spellings[ident] = (key, line)
    for line, section, key, value in assignments:
        name = name_of(key)
        group = group_of(section)
        written = '[%s] %s' % (section, key)
        read = '%s.%s' % (group, name)
        option = rules['aliases'].get(read, read)
        set_instead = rules['managed'].get(option)
        if set_instead:
            read_as = '' if option == '%s.%s' % (section, key) else ' (oslo.config reads it as [%s)' % option.replace('.', '] ', 1)
            raise refusal(segments.prop_of(line), written, 'overrides an option cdk8s-glance manages%s' % read_as, 'remove it and set %s' % set_instead)
        if name in rules['meta']:
            raise refusal(segments.prop_of(line), written, 'may not be set: it %s' % rules['meta'][name], 'remove it')
        guarded = rules['guarded'].get(group)
        if guarded is not None and name not in guarded['allowed']:
            may = ('set only %s in [%s]' % (', '.join(guarded['allowed']), group)) if guarded['allowed'] else 'set nothing in [%s]' % group
            raise refusal(segments.prop_of(line), written, 'is in a section %s may not change: %s' % (source, guarded['why']),
                          'remove it; %s may %s' % (source, may))
        if not rules['substitution'] and '$' in value.replace('$$', ''):
            raise refusal(segments.prop_of(line), written,
                          '(the option on line %d) holds a "$" in its value, which oslo.config reads as a reference to another option '
                          '($name or ${group.name}: a password, for one)' % segments.local_line(line),
                          'write "$$" for a "$"; to refer to other options on purpose, set customServiceConfigSubstitution to true')


class Segments:
    """Where each line of the combined text comes from: (first line, Secret index, Secret name, key), in order."""

    def __init__(self, prop):
        self.prop = prop
        self.starts = []

    def add(self, first_line, index, name, key):
        self.starts.append((first_line, index, name, key))

    def at(self, line):
        found = self.starts[0]
        for segment in self.starts:
            if segment[0] <= line:
                found = segment
        return found

    def local_line(self, line):
        return line - self.at(line)[0] + 1

    def prop_of(self, line):
        _, index, name, key = self.at(line)
        return '%s[%d] (Secret %s, key %s)' % (self.prop, index, describe(name), describe(key))


def combine(prop, names, secrets_dir):
    """The Secrets' texts, as the glance-operator joins them, and where each line comes from."""
    text = ''
    segments = Segments(prop)
    for index, name in enumerate(names):
        directory = os.path.join(secrets_dir, str(index))
        # The kubelet's own entries (..data, ..<timestamp>) are not keys: a key never starts with "..".
        for key in sorted(k for k in os.listdir(directory) if not k.startswith('..')):
            with open(os.path.join(directory, key), 'rb') as f:
                raw = f.read()
            try:
                content = raw.decode('utf-8')
            except UnicodeDecodeError:
                raise refusal('%s[%d] (Secret %s, key %s)' % (prop, index, describe(name), describe(key)), key, 'is not UTF-8 text',
                              'give oslo ini text')
            # Lines as Python's universal newlines end them, as oslo.config's open() reads the file.
            segments.add(text.replace('\r\n', '\n').replace('\r', '\n').count('\n') + 1, index, name, key)
            text += content + '\n'
    return text, segments


def guard(rules, secrets_dir, path):
    """Writes the Secrets' text to `path` and checks it there; returns how many options it sets, or raises Refusal."""
    text, segments = combine(rules['prop'], rules['secrets'], secrets_dir)
    remove(path)
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write(text)
    os.chmod(path, 0o440)
    try:
        assignments = read_assignments(path) if segments.starts else []
    except cfg.ParseError as error:
        line = error.lineno
        raise refusal(segments.prop_of(line), 'line %d' % segments.local_line(line),
                      'is not oslo ini as oslo.config reads it: %s' % error.msg, 'give oslo ini text, each option under a [section]')
    check(assignments, rules, segments)
    # What a store leaves to the Secrets (ImageBackend.s3's fromConfigSecrets): each must be there.
    written = set((group_of(section), name_of(key)) for _, section, key, _ in assignments)
    for option, by in sorted(rules.get('required', {}).items()):
        group, name = option.split('.', 1)
        if (group, name) not in written:
            raise refusal(rules['prop'], rules['secrets'], 'set no [%s] %s, which %s takes from them' % (group, name, by),
                          'set it in one of the Secrets: a key of oslo.config text with "[%s]" and "%s = ..."' % (group, name))
    return len(assignments)


def main(argv):
    rules_path, library_dir, secrets_dir, config_dir = argv[1:5]
    with open(rules_path, encoding='utf-8') as f:
        rules = json.load(f)
    for entry in os.listdir(library_dir):
        if not entry.startswith('..'):
            copy = os.path.join(config_dir, entry)
            remove(copy)
            shutil.copyfile(os.path.join(library_dir, entry), copy)
            # As the Secret volume has them: the glance group's only.
            os.chmod(copy, 0o440)
    path = os.path.join(config_dir, OUTPUT)
    try:
        count = guard(rules, secrets_dir, path)
    except Refusal as refused:
        remove(path)
        message = 'cdk8s-glance: %s' % refused
        print(message, file=sys.stderr)
        try:
            with open('/dev/termination-log', 'w', encoding='utf-8') as f:
                f.write(message)
        except OSError:
            pass
        return 1
    print('cdk8s-glance: %s: %d option(s) from %d Secret(s) in %s' % (rules['prop'], count, len(rules['secrets']), path))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
