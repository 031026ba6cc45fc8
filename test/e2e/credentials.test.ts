/**
 * Credentials with `$`, `${x}` and `%` (issue 21), end to end: real Keystone (../sandbox/keystone.ts)
 * and real MariaDB (../sandbox/mariadb.ts) in front of real Glance 25.1.0 (Debian bookworm) and
 * 30.0.0 (Debian trixie), every Glance process in its pod sandbox, nothing of the auth pipeline
 * overlaid (the overlay sets only bind_host).
 *
 * oslo.config expands `$name` and `${group.name}` in every string value it reads, the
 * OS_<GROUP>__<OPTION> variables included, and the library passes the Keystone service password
 * (OS_KEYSTONE_AUTHTOKEN__PASSWORD) and the database URL (OS_DATABASE__CONNECTION) from the user's
 * Secrets as such variables. Here:
 * - the Glance service user's Keystone password holds `$name`, `${x}`, `${keystone_authtoken.password}`,
 *   `$$`, `%` sequences, both quotes, spaces, a backslash and non-ASCII text;
 * - the MariaDB glance user's password holds `$`, `${x}`, `%`, `@`, `:`, `/`, `?`, `#`, quotes and
 *   a backslash, and the URL in the Secret carries it as SQLAlchemy parses it (make_url, 1.4 and
 *   2.0): the password is everything between the first `:` after the user and the `@` before the
 *   host, then percent-decoded, so `%` must be written `%25` and `@` `%40`; every other character of
 *   it is written as is, `$` and `${x}` included. ASCII only: PyMySQL sends the password as latin-1,
 *   so a password with `é` set through a UTF-8 client is refused by MariaDB (1045, Access denied).
 * Then db-sync, glance-api, a member's image round trip, the cache jobs and db-purge must all work,
 * and a 401's WWW-Authenticate header must show the `keystone.publicAuthUrl` as written.
 */
import { randomBytes } from 'crypto';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { Glance, ImageBackend } from '../../lib';
import { BASE_PROPS, find, Manifest, ofKind } from '../helpers';
import { GLANCE_IMAGES, GlanceImage, glanceVersion, realKeystone, requireRealGlance, SandboxedGlance } from './sandboxed-glance';
import { Keystone, requireKeystone } from '../sandbox/keystone';
import { until } from '../waiting';

const STS = 'glance-default-single';
const NAMESPACE = 'openstack';
const KEYSTONE_HOST = `keystone-internal.${NAMESPACE}.svc`;
const GLANCE_PASSWORD = 'Str0ng$ecret ${x} ${keystone_authtoken.password} $HOME $$ %s %(x)s 50% \'q\' "d" \\ é 雪';
const DB_PASSWORD = 'db$ecret ${x} ${database.connection} $$ %s %25 50% @:/?# \'q\' "d" \\';
/** Percent-encodes what SQLAlchemy's URL parser needs encoded in a password: `%` and `@`. */
const sqlalchemyPassword = (password: string) => password.replace(/[%@]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const DB_URL = `mysql+pymysql://glance:${sqlalchemyPassword(DB_PASSWORD)}@openstack.${NAMESPACE}.svc/glance`;
const PUBLIC_AUTH_URL = 'http://keystone.example/${keystone_authtoken.password}';
const PRECACHED = 'precache-me';

// What glance-api's oslo.config reads, run in glance-api's place in the API container's own command
// (its wrapper, environment and config arguments): the credentials and the URL sent with a 401.
const LOADER = `
import json, sys
args = sys.argv[1:]
sys.argv[0] = '/usr/bin/glance-api'
from oslo_config import cfg
from glance.common import config
from oslo_db import options as db_options
from keystoneauth1 import loading
from keystonemiddleware.auth_token import _opts
C = cfg.CONF
db_options.set_defaults(C)
C.register_opts(_opts._OPTS, group='keystone_authtoken')
C.register_opts(loading.get_auth_plugin_conf_options('password'), group='keystone_authtoken')
config.parse_args(args)
out = {}
for key, read in [('password', lambda: C.keystone_authtoken.password), ('connection', lambda: C.database.connection),
                  ('www_authenticate_uri', lambda: C.keystone_authtoken.www_authenticate_uri)]:
    try:
        out[key] = read()
    except Exception as e:
        out[key] = 'ERROR %s: %s' % (type(e).__name__, e)
print(json.dumps(out))
`;

const keystone = new Keystone();
let member: { name: string; password: string };
const timings: string[] = [];

/** Exit 0, or the exit code with the end of the job's output in the failure. */
function expectExit0(run: { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }, what: string): void {
  const tail = (run.stdout + run.stderr).trim().split('\n').slice(-12).join('\n');
  expect(run.code === 0 ? `${what}: exit 0` : `${what}: exit ${run.code ?? run.signal}\n${tail}`).toBe(`${what}: exit 0`);
}

beforeAll(async () => {
  requireKeystone();
  await keystone.start();
  const ids = await keystone.setupGlanceIdentities(GLANCE_PASSWORD, `http://glance-default.${NAMESPACE}.svc:9292`);
  member = ids.member;
});

afterAll(async () => {
  await keystone.stop();
  console.log(['Credentials with $, ${x} and % (each step, ms):', ...timings].join('\n'));
});

test('the test\'s credentials hold what oslo.config would substitute, and the URL holds the DB password as SQLAlchemy reads it', async () => {
  for (const text of ['$ecret', '${x}', '${keystone_authtoken.password}', '$HOME', '$$', '%s', '%(x)s', '\'q\'', '"d"', ' \\ ', 'é', '雪']) {
    expect(GLANCE_PASSWORD).toContain(text);
  }
  // The URL text itself carries a literal $ and ${x}, and % (each % and @ of the password percent-encoded).
  expect(DB_URL).toBe('mysql+pymysql://glance:db$ecret ${x} ${database.connection} $$ %25s %2525 50%25 %40:/?# \'q\' "d" \\@openstack.openstack.svc/glance');
  // Keystone took the service user's password as written.
  expect(await keystone.token('glance', GLANCE_PASSWORD, 'service')).toMatch(/^\S+$/);
});

function synthesize(image: GlanceImage): Manifest[] {
  const chart = new Chart(new App(), 'e2e', { namespace: NAMESPACE });
  new Glance(chart, 'glance', {
    ...BASE_PROPS,
    release: image.release,
    keystone: {
      authUrl: keystone.urlAt(KEYSTONE_HOST),
      publicAuthUrl: PUBLIC_AUTH_URL,
      passwordSecret: {
        name: 'osp-secret',
        key: 'GlancePassword',
      },
    },
    backend: ImageBackend.file({ sharedStore: { existingClaimName: 'glance-images-nfs' } }),
    imageCache: { size: '256Mi', precache: { images: [PRECACHED] } },
    apis: { default: { replicas: 1 } },
  });
  return Testing.synth(chart) as Manifest[];
}

describe.each([GLANCE_IMAGES.bookworm, GLANCE_IMAGES.trixie])('$name', (image) => {
  let glance: SandboxedGlance;
  let version = '';
  // Every job's stdout and stderr.
  const outputs: string[] = [];
  const kept = <T extends { stdout: string; stderr: string }>(run: T): T => { outputs.push(run.stdout + run.stderr); return run; };

  async function timed(step: string, body: () => Promise<void>): Promise<void> {
    const started = performance.now();
    try {
      await body();
    } finally {
      timings.push(`${version.padEnd(7)} ${step.padEnd(52)} ${(performance.now() - started).toFixed(0).padStart(7)}`);
    }
  }

  beforeAll(async () => {
    requireRealGlance(image);
    version = glanceVersion(image);
    glance = new SandboxedGlance(synthesize(image), STS, NAMESPACE, { 'glance-images-nfs': '1Gi' }, image,
      { 'glance-db': { connection: DB_URL }, 'osp-secret': { GlancePassword: GLANCE_PASSWORD } },
      {
        keystone: realKeystone(keystone, KEYSTONE_HOST),
        dbPassword: DB_PASSWORD,
      });
    await glance.db.start();
    await glance.db.createDatabase('glance', 'glance', DB_PASSWORD);
  });

  afterAll(async () => {
    await glance?.destroy();
  });

  test('the credentials reach the pods only from the user\'s Secrets', () => {
    const container = find(glance.manifests, 'StatefulSet', STS).spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.valueFrom?.secretKeyRef]));
    expect(env.OS_DATABASE__CONNECTION).toEqual({ name: 'glance-db', key: 'connection' });
    expect(env.OS_KEYSTONE_AUTHTOKEN__PASSWORD).toEqual({ name: 'osp-secret', key: 'GlancePassword' });
    expect(glance.glanceConf.keystone_authtoken.password).toBeUndefined();
    expect(glance.glanceConf.database?.connection).toBeUndefined();
  });

  test('oslo.config in the API pod reads the password, the DB URL and www_authenticate_uri exactly as written',
    () => timed('oslo.config reads the credentials', async () => {
      const pod = glance.node.pod('StatefulSet', STS, 0);
      try {
        const result = await pod.run({ replaceProgram: { from: 'glance-api', to: ['/usr/bin/python3', '-c', LOADER] } });
        expectExit0(result, 'the loader');
        expect(JSON.parse(result.stdout.trim().split('\n').pop()!)).toEqual({
          password: GLANCE_PASSWORD, connection: DB_URL, www_authenticate_uri: PUBLIC_AUTH_URL,
        });
      } finally {
        pod.delete();
      }
    }));

  test('the db-sync Job migrates the database through the URL with $, ${x} and %25', () => timed('db-sync Job', async () => {
    const run = kept(await glance.runJob('Job', 'glance-db-sync-<hash>'));
    expectExit0(run, 'db-sync');
    const heads = (await glance.db.sql('SELECT version_num FROM alembic_version', 'glance')).trim().split('\n');
    expect(heads).toHaveLength(1);
    expect(heads[0]).toMatch(/^[a-z0-9_]+$/);
    expect(await glance.db.sql('SELECT COUNT(*) FROM images', 'glance')).toBe('0\n');
  }));

  test('glance-api starts and answers its healthcheck', () => timed('glance-api start (healthy)', async () => {
    await glance.start(0);
    expect(await glance.healthy(0)).toBe(true);
  }));

  test('a 401 names the public auth URL as written, with no password in it', () => timed('401 WWW-Authenticate', async () => {
    const response = await fetch(`${glance.podUrl(0)}/v2/images`);
    await response.arrayBuffer();
    expect(response.status).toBe(401);
    const header = response.headers.get('www-authenticate');
    expect(header).toBe(`Keystone uri="${PUBLIC_AUTH_URL}"`);
    expect(header).not.toContain('Str0ng');
  }));

  test('a member\'s token: list, create, upload and download an image (keystonemiddleware authenticated with the exact password)',
    () => timed('member: list, create, upload, download', async () => {
      const token = await keystone.token(member.name, member.password, 'demo');
      const url = glance.podUrl(0);
      const headers = { 'X-Auth-Token': token };
      const list = await fetch(`${url}/v2/images`, { headers });
      expect(list.status).toBe(200);
      expect((await list.json() as any).images).toEqual([]);
      const created = await fetch(`${url}/v2/images`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'member-image', disk_format: 'raw', container_format: 'bare' }),
      });
      const body = await created.json() as any;
      expect({ status: created.status, body }).toEqual({ status: 201, body: expect.objectContaining({ id: expect.any(String), status: 'queued' }) });
      const data = randomBytes(256 * 1024);
      const upload = await fetch(`${url}/v2/images/${body.id}/file`, {
        method: 'PUT', headers: { ...headers, 'Content-Type': 'application/octet-stream' }, body: data,
      });
      await upload.arrayBuffer();
      expect(upload.status).toBe(204);
      const download = await fetch(`${url}/v2/images/${body.id}/file`, { headers });
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(data)).toBe(true);
      expect(await glance.db.sql(`SELECT status FROM images WHERE id = '${body.id}'`, 'glance')).toBe('active\n');
    }));

  test('the precache Job authenticates as the Glance service user with the exact password and caches the image',
    () => timed('precache Job (service user)', async () => {
      const file = join(glance.node.root, 'client', 'precache.raw');
      mkdirSync(join(glance.node.root, 'client'), { recursive: true });
      writeFileSync(file, randomBytes(128 * 1024));
      const table = await glance.glance(0, 'image-create', '--name', PRECACHED, '--visibility', 'public', '--disk-format', 'raw',
        '--container-format', 'bare', '--file', file);
      const id = /^\|\s*id\s*\|\s*([0-9a-f-]{36})\s*\|/m.exec(table)![1];
      const job = ofKind(glance.manifests, 'Job').find((j) => j.metadata.name.startsWith(`${STS}-precache-`))!;
      const run = kept(await glance.runJob('Job', job.metadata.name));
      expectExit0(run, 'precache');
      expect(run.stdout + run.stderr).toContain('queued 1');
      await until('replica 0 lists the precached image', async () => (await glance.cachedImages(0)).includes(id));
    }));

  test('the pruner and cleaner CronJobs run to exit 0', () => timed('pruner and cleaner CronJobs', async () => {
    for (const kind of ['pruner', 'cleaner'] as const) {
      const run = kept(await glance.runCacheJob(kind, 0));
      expectExit0(run, kind);
    }
  }));

  test('the db-purge CronJob runs to exit 0', () => timed('db-purge CronJob', async () => {
    const run = kept(await glance.runJob('CronJob', 'glance-db-purge'));
    expectExit0(run, 'db-purge');
  }));

  test('no job\'s output shows either password', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(5);
    for (const secret of ['Str0ng$ecret', 'db$ecret', sqlalchemyPassword(DB_PASSWORD)]) {
      expect(outputs.filter((output) => output.includes(secret))).toEqual([]);
    }
  });
});
