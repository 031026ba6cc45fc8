/**
 * How the API container serves Glance, by release (lib/api-serving.ts): the eventlet glance-api up
 * to 2025.2, uWSGI from 2026.1 on (Glance 32 deprecates the eventlet server, 33 removes it). The
 * e2e proof that the uWSGI mode serves real Glance is test/e2e/uwsgi-serving.test.ts.
 */
import { GlanceRelease } from '../lib';
import { find, glanceCommandOf, glanceConf, Manifest, parseIniText, podSpecs, synthGlance } from './helpers';
import { apiServerFiles, apiServerOptions } from '../lib/api-serving';

const STS = 'glance-default-single';
const CONFIG_DIR = '/etc/glance/glance.conf.d';
const ESCAPE = expect.stringMatching(/os\.environ\.update\(.*startswith\('OS_'\).*os\.execvp\(sys\.argv\[1\], sys\.argv\[1:\]\)/);

function synth(release: GlanceRelease, workers?: number): Manifest[] {
  return synthGlance({ release, imageCache: { size: '10Gi' }, apis: { default: { workers } } });
}
const apiContainer = (manifests: Manifest[]) => find(manifests, 'StatefulSet', STS).spec.template.spec.containers[0];
const configFiles = (manifests: Manifest[]): Record<string, string> => find(manifests, 'Secret', `${STS}-config`).stringData;
const uwsgiIni = (manifests: Manifest[]) => parseIniText(configFiles(manifests)['glance-api-uwsgi.ini']).uwsgi;

describe('which server each release runs', () => {
  test.each(GlanceRelease.known.map((r) => [r.toString(), r]))('%s is served by the eventlet glance-api', (_name, release) => {
    expect(release._servedByUwsgi).toBe(false);
  });

  test.each(['2026.1', '2026.2', '2027.1'])('%s is served by uWSGI', (text) => {
    expect(GlanceRelease.of(text)._servedByUwsgi).toBe(true);
  });
});

describe('2025.2: the eventlet glance-api, as before', () => {
  const manifests = synth(GlanceRelease.FLAMINGO, 4);

  test('the API container runs glance-api with the library\'s config files', () => {
    expect(apiContainer(manifests).command).toEqual(glanceCommandOf(['glance-api']));
  });

  test('glance.conf binds the eventlet server on every address of the pod, port 9292, with the workers prop', () => {
    const conf = glanceConf(manifests, STS).DEFAULT;
    expect({ host: conf.bind_host, port: conf.bind_port, workers: conf.workers }).toEqual({ host: '0.0.0.0', port: '9292', workers: '4' });
  });

  test('the config Secret holds no uWSGI file', () => {
    expect(Object.keys(configFiles(manifests)).sort()).toEqual(['00-glance.conf', 'glance-api.conf', 'glance-cache-jobs.py', 'policy.yaml']);
  });
});

describe.each(['2026.1', '2026.2'])('%s: uWSGI', (text) => {
  const release = GlanceRelease.of(text);
  const manifests = synth(release, 5);

  test('the API container runs uwsgi with the library\'s ini, behind the $ escape of the OS_* variables, and no oslo arguments', () => {
    expect(apiContainer(manifests).command).toEqual(['python3', '-c', ESCAPE, 'uwsgi', '--ini', `${CONFIG_DIR}/glance-api-uwsgi.ini`]);
  });

  test('never the eventlet glance-api, which Glance 33 makes exit 1', () => {
    const programs = podSpecs(manifests).flatMap(({ spec }) => [...spec.initContainers ?? [], ...spec.containers])
      .flatMap((c: any) => c.command);
    expect(programs).not.toContain('glance-api');
  });

  test('the config Secret ships the ini and the .wsgi file, neither named *.conf (oslo.config would parse it)', () => {
    const files = configFiles(manifests);
    expect(Object.keys(files).sort()).toEqual(['00-glance.conf', 'glance-api-uwsgi.ini', 'glance-api.conf', 'glance-api.wsgi',
      'glance-cache-jobs.py', 'policy.yaml']);
    expect(Object.keys(files).filter((name) => name.endsWith('.conf')).sort()).toEqual(['00-glance.conf', 'glance-api.conf']);
  });

  test('the .wsgi file is the two lines that build Glance\'s application with init_app', () => {
    expect(configFiles(manifests)['glance-api.wsgi']).toBe('from glance.common.wsgi_app import init_app\napplication = init_app()\n');
  });

  test('uWSGI loads the .wsgi file where the config Secret is mounted', () => {
    const mount = apiContainer(manifests).volumeMounts.find((m: any) => m.name === 'config');
    expect(uwsgiIni(manifests)['wsgi-file']).toBe(`${mount.mountPath}/glance-api.wsgi`);
  });

  test('OS_GLANCE_CONFIG_DIR names the library\'s directory: init_app reads its empty anchor, not the image\'s glance-api.conf', () => {
    expect(uwsgiIni(manifests).env).toBe(`OS_GLANCE_CONFIG_DIR=${CONFIG_DIR}`);
    expect(configFiles(manifests)['glance-api.conf']).toMatch(/^# Empty/);
  });

  test('processes from the workers prop, one thread each, bound as glance-api was: every address, port 9292', () => {
    const ini = uwsgiIni(manifests);
    expect({ processes: ini.processes, threads: ini.threads, socket: ini['http-socket'] })
      .toEqual({ processes: '5', threads: '1', socket: '0.0.0.0:9292' });
  });

  test('a master that stops on SIGTERM, loads Glance in each worker after the fork, runs threads, exits when Glance cannot load', () => {
    const ini = uwsgiIni(manifests);
    const { master, 'die-on-term': dieOnTerm, 'lazy-apps': lazyApps, 'enable-threads': threads, 'need-app': needApp } = ini;
    expect({ master, dieOnTerm, lazyApps, threads, needApp })
      .toEqual({ master: 'true', dieOnTerm: 'true', lazyApps: 'true', threads: 'true', needApp: 'true' });
  });

  test('headers up to 64 KiB (Keystone tokens), a 30 s silence limit and no harakiri, which would end long transfers', () => {
    const ini = uwsgiIni(manifests);
    expect({ buffer: ini['buffer-size'], timeout: ini['socket-timeout'], harakiri: ini.harakiri, chunk: ini['chunked-input-limit'] })
      .toEqual({ buffer: '65535', timeout: '30', harakiri: undefined, chunk: String(64 * 1024 * 1024) });
  });

  test('no uid or gid (the pod runs as 42415) and no log file (logs go to stderr)', () => {
    const ini = uwsgiIni(manifests);
    expect(['uid', 'gid', 'logto', 'logto2', 'daemonize'].filter((option) => option in ini)).toEqual([]);
  });

  test('the ini is one statement per line: the section, a comment or an option, no blank line, ending in a newline', () => {
    const ini = configFiles(manifests)['glance-api-uwsgi.ini'];
    expect(ini.endsWith('\n')).toBe(true);
    const lines = ini.slice(0, -1).split('\n');
    expect(lines[0]).toBe('[uwsgi]');
    expect(lines.slice(1).filter((line) => !/^(# \S.*|[a-z-]+ = .*|endif =)$/.test(line))).toEqual([]);
    expect(lines.filter((line) => line.startsWith('# ')).length).toBeGreaterThanOrEqual(8);
  });

  test('the Python plugin is loaded only where uWSGI lacks it built in', () => {
    expect(configFiles(manifests)['glance-api-uwsgi.ini']).toContain('\nif-not-plugin = python\nplugin = python3\nendif =\n');
  });

  test('glance.conf no longer sets the eventlet server\'s bind_host, bind_port and workers (deprecated in 32, removed in 33)', () => {
    const conf = glanceConf(manifests, STS).DEFAULT;
    expect(['bind_host', 'bind_port', 'workers'].filter((option) => option in conf)).toEqual([]);
  });

  test('the db-sync Job still runs glance-manage with the library\'s config files', () => {
    expect(find(manifests, 'Job', 'glance-db-sync-<hash>').spec.template.spec.containers[0].command)
      .toEqual(glanceCommandOf(['glance-manage'], 'db_sync'));
  });
});

describe('behind the TLS terminator, glance-api moves to 127.0.0.1:9293', () => {
  const behindTerminator = true;

  test('uWSGI binds its http-socket there', () => {
    const ini = parseIniText(apiServerFiles(GlanceRelease.of('2026.1'), 2, behindTerminator)['glance-api-uwsgi.ini']).uwsgi;
    expect(ini['http-socket']).toBe('127.0.0.1:9293');
  });

  test('the eventlet server binds there through glance.conf', () => {
    expect(apiServerOptions(GlanceRelease.FLAMINGO, 2, behindTerminator)).toEqual({ bind_host: '127.0.0.1', bind_port: 9293, workers: 2 });
  });

  test('under uWSGI glance.conf has no server option whatever the address', () => {
    expect(apiServerOptions(GlanceRelease.of('2026.2'), 2, behindTerminator)).toEqual({});
  });

  test('the eventlet server ships no file whatever the address', () => {
    expect(apiServerFiles(GlanceRelease.FLAMINGO, 2, behindTerminator)).toEqual({});
  });
});
