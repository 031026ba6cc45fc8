import { LIMITS_STARTER } from './keystone/quotas';
import { API_PORT } from './names';
import { CONFIG_ARGS, CONFIG_DIR, kubeletLiteral, OSLO_ENV_ESCAPE } from './pod-security';
import { GlanceRelease } from './release';

// How the API container serves Glance, release by release (GlanceRelease._servedByUwsgi):
// - up to 2025.2 (Glance 31), the eventlet server `glance-api`, bound and sized by glance.conf;
// - from 2026.1 (Glance 32) on, uWSGI: 32 deprecates the eventlet server and its options, 33 removes
//   both (`glance-api` prints "Standalone glance-api is no longer supported" and exits 1).

/** Where the API's server listens inside the pod. */
interface ApiListen {
  readonly host: string;
  readonly port: number;
}

/** Every address of the pod, on the port the Services and the probes use. */
const POD_LISTEN: ApiListen = { host: '0.0.0.0', port: API_PORT };

/** Behind the TLS terminator (lib/tls/terminator.ts proxies to it): the pod's loopback address, a port no Service names. */
export const BEHIND_TERMINATOR: ApiListen = { host: '127.0.0.1', port: 9293 };

const listenOf = (behindTerminator: boolean) => (behindTerminator ? BEHIND_TERMINATOR : POD_LISTEN);

/** uWSGI's configuration, in the API's config Secret: not `*.conf`, so oslo.config does not parse it. */
export const UWSGI_INI = 'glance-api-uwsgi.ini';
/** The WSGI entry point uWSGI loads, in the same Secret (also not `*.conf`). */
export const WSGI_FILE = 'glance-api.wsgi';

/**
 * The entry point of every release: `init_app` is in glance.common.wsgi_app from Glance 25 to 33,
 * whereas glance.wsgi.api is not installed by 30.0.0 and 31.0.0 (no `__init__.py`) and the
 * glance-wsgi-api script is gone from 32 on.
 */
export const WSGI_APP = 'from glance.common.wsgi_app import init_app\napplication = init_app()\n';

/**
 * The API container's command. Under uWSGI it has no --config-file/--config-dir (uWSGI would take
 * them for its own options, and init_app ignores the command line): the ini points Glance at the
 * config directory (OS_GLANCE_CONFIG_DIR). The OS_* variables are escaped for oslo.config all the
 * same (OSLO_ENV_ESCAPE): uWSGI hands its environment to Glance.
 */
export function apiCommand(release: GlanceRelease, quotas = false): string[] {
  const program = release._servedByUwsgi ? ['uwsgi', '--ini', `${CONFIG_DIR}/${UWSGI_INI}`] : ['glance-api', ...CONFIG_ARGS];
  // With quotas, the starter finds oslo.limit's endpoint id first, then hands over to the usual escape.
  const starter = quotas ? ['python3', `${CONFIG_DIR}/${LIMITS_STARTER}`] : [];
  return kubeletLiteral([...starter, 'python3', '-c', OSLO_ENV_ESCAPE, ...program]);
}

/**
 * glance.conf [DEFAULT] options of the server: where the eventlet server binds and how many worker
 * processes it forks. None under uWSGI, which only the eventlet server read (deprecated in Glance
 * 32, removed in 33): the ini binds and sizes uWSGI.
 */
export function apiServerOptions(release: GlanceRelease, workers: number, behindTerminator = false): Record<string, string | number> {
  if (release._servedByUwsgi) return {};
  const listen = listenOf(behindTerminator);
  return { bind_host: listen.host, bind_port: listen.port, workers };
}

/** The files the API's config Secret holds for its server: none for the eventlet server. */
export function apiServerFiles(release: GlanceRelease, workers: number, behindTerminator = false): Record<string, string> {
  if (!release._servedByUwsgi) return {};
  return { [UWSGI_INI]: uwsgiIni(workers, listenOf(behindTerminator)), [WSGI_FILE]: WSGI_APP };
}

/**
 * uWSGI's ini. Measured with Debian trixie's uWSGI 2.0.28 and Glance 30 (test/e2e/uwsgi-serving.test.ts).
 * Left out on purpose: http-auto-chunked, http-chunked-input and http-raw-body (Debian's and
 * upstream's ini) are options of uWSGI's HTTP router (`http`), unknown to `http-socket`, and
 * uWSGI ignores unknown ini options silently; wsgi-manage-chunked-input exists only in uWSGI 2.1.
 * Under http-socket Glance reads a chunked body itself (uwsgi.chunked_read). No uid/gid: the pod
 * runs as 42415. No logto: uWSGI and Glance log to stderr. No harakiri: it would end long transfers.
 */
function uwsgiIni(workers: number, listen: ApiListen): string {
  const lines = [
    '[uwsgi]',
    '# glance-api under uWSGI, written by cdk8s-glance.',
    '# Debian and RHEL package the Python plugin apart; a uWSGI built with Python (pip) has it built in.',
    'if-not-plugin = python',
    'plugin = python3',
    'endif =',
    `wsgi-file = ${CONFIG_DIR}/${WSGI_FILE}`,
    '# init_app ignores the command line: it reads $OS_GLANCE_CONFIG_DIR/glance-api.conf (the empty anchor,',
    '# instead of the image\'s /etc/glance/glance-api.conf), then oslo.config finds this directory by itself.',
    `env = OS_GLANCE_CONFIG_DIR=${CONFIG_DIR}`,
    '# A Glance that cannot start (a wrong option, an unreachable store) stops the container.',
    'need-app = true',
    'master = true',
    '# Each worker loads Glance after the fork: its database pool, threads and cache worker are its own.',
    'lazy-apps = true',
    '# Glance runs threads: the task pool and the cache worker (PUT /v2/cache/<image>).',
    'enable-threads = true',
    '# SIGTERM (what the kubelet sends) stops uWSGI; without this it would reload.',
    'die-on-term = true',
    `processes = ${workers}`,
    'threads = 1',
    'thunder-lock = true',
    `http-socket = ${listen.host}:${listen.port}`,
    '# Request headers (Keystone tokens, service tokens) up to 64 KiB, as upstream and kolla set.',
    'buffer-size = 65535',
    'add-header = Connection: close',
    '# Seconds a client may stay silent, not a cap on a transfer: a long upload or download goes on.',
    'socket-timeout = 30',
    '# The largest chunk of a chunked upload (default 1 MiB), as kolla sets it.',
    'chunked-input-limit = 67108864',
  ];
  return lines.join('\n') + '\n';
}
