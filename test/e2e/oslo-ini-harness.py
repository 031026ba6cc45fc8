"""What the real oslo.config reads from config texts: the harness of test/e2e/ini-differential.test.ts.

Three modes, each one process for every text (JSON lines in, JSON lines out, one answer per line):

  python3 oslo-ini-harness.py parse
      stdin: {"text": "..."} per line. Each text is written to a file (UTF-8, no newline
      translation) and read by oslo.config's own ConfigParser._parse_file into a _Namespace, as
      ConfigOpts reads every --config-file (open() with universal newlines, the locale's encoding).
      stdout: {"ok": false, "error": "..."} when oslo.config refuses the file, else
      {"ok": true, "assignments": [[section, key, value], ...] in file order,
       "parsed": {section: {key: [values]}}, "normalized": {group: {key: [values]}}}.

  python3 oslo-ini-harness.py guard SCRIPT RULES_JSON
      stdin: {"key": "...", "text": "..."} per line. The pod's guard of configSecrets (SCRIPT,
      lib/glance-config-secrets.py, imported) on the text as the one key of the one Secret, with the
      rules of RULES_JSON: {"ok": true, "count": n} or {"ok": false, "refused": "<its message>"}.
      Any other exception ends the harness (a defect of the guard).

  python3 oslo-ini-harness.py glance OPTIONS_JSON GLANCE_API_ARGS...
      Inside the API container: sys.argv[0] is /usr/bin/glance-api, the options glance-api
      registers are registered (its modules, the option namespaces of its libraries, the
      multi-store groups as glance.common.wsgi registers them, keystoneauth's password plugin),
      and for every line on stdin glance.common.config.parse_args(GLANCE_API_ARGS) runs again (ConfigOpts
      clears itself on each call) and the value of each [group, option] of OPTIONS is printed:
      {"values": {"group.option": value}} or {"error": "..."}. The test rewrites the config
      files between lines.
"""
import json
import os
import sys
import tempfile


def parse_mode():
    from oslo_config import cfg

    class Recorder(cfg.ConfigParser):
        """oslo.config's parser, recording each assignment in order as it hands it over."""
        recorded = []

        def assignment(self, key, value):
            super().assignment(key, value)
            Recorder.recorded.append([self.section, key, '\n'.join(value)])

    directory = tempfile.mkdtemp(prefix='oslo-ini-')
    path = os.path.join(directory, 'custom.conf')
    for line in sys.stdin:
        text = json.loads(line)['text']
        with open(path, 'w', encoding='utf-8', newline='') as f:
            f.write(text)
        Recorder.recorded = []
        namespace = cfg._Namespace(cfg.ConfigOpts())
        try:
            Recorder._parse_file(path, namespace)
        except cfg.ConfigFileParseError as error:
            answer = {'ok': False, 'error': str(error)}
        else:
            parsed, normalized = namespace._parsed[0], namespace._normalized[0]
            # The recording is what the namespace holds, in file order.
            check_parsed, check_normalized = {}, {}
            for section, key, value in Recorder.recorded:
                check_parsed.setdefault(section, {}).setdefault(key, []).append(value)
                group = cfg._normalize_group_name(section)
                check_normalized.setdefault(group, {}).setdefault(key, []).append(value)
            strip_empty = lambda sections: {s: o for s, o in sections.items() if o}
            if check_parsed != strip_empty(parsed) or check_normalized != strip_empty(normalized):
                raise SystemExit('harness: recorded assignments differ from the namespace for %r' % text)
            answer = {'ok': True, 'assignments': Recorder.recorded, 'parsed': parsed, 'normalized': normalized}
        print(json.dumps(answer), flush=True)


# The config namespaces glance-api loads (as scripts/managed-option-aliases.py lists them).
NAMESPACES = ['glance', 'glance.api', 'glance.store', 'glance.multi_store', 'glance.cache', 'glance.manage',
              'keystonemiddleware.auth_token', 'oslo.concurrency', 'oslo.db', 'oslo.log', 'oslo.middleware',
              'oslo.middleware.http_proxy_to_wsgi', 'oslo.policy']


def glance_mode(args, options):
    sys.argv[0] = '/usr/bin/glance-api'
    # glance-api's module-level registrations (glance/cmd/api.py).
    from oslo_config import cfg
    from oslo_config import generator
    from oslo_log import log as logging
    from glance.common import config
    from glance.common import wsgi
    import glance.api.policy  # noqa: F401
    import glance_store
    from keystoneauth1 import loading
    CONF = cfg.CONF
    CONF.import_group('profiler', 'glance.common.wsgi')
    logging.register_options(CONF)
    if hasattr(wsgi, 'register_cli_opts'):  # Glance 25; Glance 30's glance-api registers no CLI options of its own
        wsgi.register_cli_opts()

    def register(opts, group):
        for opt in opts:
            try:
                CONF.register_opt(opt, group=group)
            except cfg.DuplicateOptError:
                pass  # the same name registered by another namespace: glance-api's own wins

    for _namespace, groups in generator._list_opts(NAMESPACES):
        for group, group_opts in groups:
            name = getattr(group, 'name', group)
            register(group_opts, None if name in (None, 'DEFAULT') else group)
    register(loading.get_auth_plugin_conf_options('password'), 'keystone_authtoken')
    stores_registered = False
    for _line in sys.stdin:
        try:
            config.parse_args(args)
            config.set_config_defaults()
            if not stores_registered and CONF.enabled_backends:
                glance_store.register_store_opts(CONF, reserved_stores=wsgi.RESERVED_STORES)
                # What each store's constructor registers in its group (glance_store.driver.Store).
                from glance_store import driver
                for backend in CONF.enabled_backends:
                    register(driver.Store.MULTI_BACKEND_OPTIONS, backend)
                stores_registered = True
            values = {}
            for group, name in options:
                values['%s.%s' % (group, name)] = CONF[name] if group == 'DEFAULT' else CONF[group][name]
            answer = {'values': values}
        except (Exception, SystemExit) as error:  # noqa: B902 (glance-api exits on any of them; argparse exits)
            answer = {'error': '%s: %s' % (type(error).__name__, error), 'parse_error': isinstance(error, cfg.ConfigFileParseError)}
        print('@@' + json.dumps(answer, default=str, sort_keys=True), flush=True)


def guard_mode(script, rules_path):
    """The pod's guard (lib/glance-config-secrets.py) on each text, as the one key of the one Secret of configSecrets."""
    import importlib.util
    spec = importlib.util.spec_from_file_location('glance_config_secrets', script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with open(rules_path, encoding='utf-8') as f:
        rules = json.load(f)
    directory = tempfile.mkdtemp(prefix='config-secrets-')
    secret = os.path.join(directory, 'secrets', '0')
    os.makedirs(secret)
    out = os.path.join(directory, 'out.conf')
    for line in sys.stdin:
        request = json.loads(line)
        with open(os.path.join(secret, request['key']), 'w', encoding='utf-8', newline='') as f:
            f.write(request['text'])
        try:
            answer = {'ok': True, 'count': module.guard(rules, os.path.join(directory, 'secrets'), out)}
        except module.Refusal as refused:
            answer = {'ok': False, 'refused': str(refused)}
        os.remove(os.path.join(secret, request['key']))
        print(json.dumps(answer), flush=True)


if __name__ == '__main__':
    if sys.argv[1] == 'parse':
        parse_mode()
    elif sys.argv[1] == 'glance':
        # In glance-api's place in the container's command: the options to report, then glance-api's own arguments.
        glance_mode(sys.argv[3:], json.loads(sys.argv[2]))
    elif sys.argv[1] == 'guard':
        guard_mode(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit('usage: oslo-ini-harness.py parse | glance OPTIONS_JSON GLANCE_API_ARGS... | guard SCRIPT RULES_JSON')
