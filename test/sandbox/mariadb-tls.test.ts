/**
 * MariaDB over TLS as Glance reaches it: a real MariaDB serving the test PKI's certificate with
 * require_secure_transport=ON, and clients that connect as Glance does, through oslo.db's own
 * create_engine with `[database] connection_parameters = ssl_ca=<bundle>` (SQLAlchemy's PyMySQL
 * dialect turns ssl_ca into PyMySQL's ssl dict, and PyMySQL then requires a certificate from
 * that CA and checks the host name). Each check runs with Glance 25's libraries (this machine:
 * oslo.db 12.1, SQLAlchemy 1.4, PyMySQL 1.0.2) and Glance 30's (the trixie root: oslo.db 17.2,
 * SQLAlchemy 2.0, PyMySQL 1.1.1), by a cluster DNS name from the client's /etc/hosts.
 *
 * A second server has require_secure_transport OFF and a user created REQUIRE SSL instead,
 * which is how mariadb-operator enforces TLS (per account).
 */
import { existsSync } from 'fs';
import { join } from 'path';
import { connectAsOsloDb, MARIADB_INSTALL_HINT, MariaDb, OsloDbConnectResult } from './mariadb';
import { TestPki } from './tls';
import { GLANCE_IMAGES } from '../e2e/sandboxed-glance';

const NS = 'openstack';
const DB_HOST = `openstack.${NS}.svc`;
/** A name that reaches the same server, which its certificate does not cover. */
const OTHER_HOST = `other-db.${NS}.svc`;
const PASSWORD = 'glance-db-secret';

let pki: TestPki;
let db: MariaDb;
let perUser: MariaDb;
let bundle: string;
let wrongBundle: string;
let bundleWithSystem: string;

beforeAll(async () => {
  if (!existsSync('/usr/sbin/mariadbd')) throw new Error(MARIADB_INSTALL_HINT);
  pki = new TestPki();
  const cert = pki.issue('db', { dnsNames: [DB_HOST, `${DB_HOST}.cluster.local`] });
  bundle = pki.writeCaBundle(join(pki.root, 'bundle'));
  wrongBundle = pki.writeCaBundle(join(pki.root, 'wrong-bundle'), [pki.wrongCa]);
  bundleWithSystem = pki.writeCaBundle(join(pki.root, 'combined-ca-bundle'), [pki.wrongCa, pki.ca], true);
  const serverTls = { certFile: cert.certFile, keyFile: cert.keyFile, caFile: bundle };
  db = new MariaDb();
  perUser = new MariaDb(db.address, db.port + 1);
  await Promise.all([db.start({ tls: serverTls }), perUser.start({ tls: { ...serverTls, requireSecureTransport: false } })]);
  await db.createDatabase('glance', 'glance', PASSWORD);
  await perUser.createDatabase('glance', 'glance', PASSWORD, { requireSsl: true });
  await perUser.createDatabase('plain', 'plain', PASSWORD);
});

afterAll(() => {
  db?.stop();
  perUser?.stop();
  pki?.remove();
});

test('the servers serve TLS with the test certificate; one requires secure transport, the other not', async () => {
  const vars = await db.tlsVariables();
  expect(vars).toMatchObject({ have_ssl: 'YES', require_secure_transport: 'ON', ssl_cert: db.tls!.certFile, ssl_ca: bundle });
  expect(await perUser.tlsVariables()).toMatchObject({ have_ssl: 'YES', require_secure_transport: 'OFF' });
});

const IMAGES = [
  { name: 'Glance 25 (bookworm: oslo.db 12, SQLAlchemy 1.4, PyMySQL 1.0)', root: GLANCE_IMAGES.bookworm.root },
  { name: 'Glance 30 (trixie: oslo.db 17, SQLAlchemy 2.0, PyMySQL 1.1)', root: GLANCE_IMAGES.trixie.root },
];

describe.each(IMAGES)('$name', ({ root }) => {
  const connect = (server: MariaDb, options: { host?: string; user?: string; parameters?: string } = {}): Promise<OsloDbConnectResult> => {
    const user = options.user ?? 'glance';
    return connectAsOsloDb({
      url: `mysql+pymysql://${user}:${PASSWORD}@${options.host ?? DB_HOST}:${server.port}/${user}`,
      connectionParameters: options.parameters,
      imageRoot: root,
      hosts: { [DB_HOST]: server.address, [OTHER_HOST]: server.address },
      binds: [pki.root],
    });
  };

  beforeAll(() => {
    if (!existsSync(join(root, 'usr/lib/python3/dist-packages/oslo_db'))) {
      throw new Error(`no oslo.db in ${root}: sudo bash scripts/install-glance.sh`);
    }
  });

  test('connection_parameters = ssl_ca=<bundle>: oslo.db hands PyMySQL the CA, the session is TLS with a cipher', async () => {
    const result = await connect(db, { parameters: `ssl_ca=${bundle}` });
    expect(result).toMatchObject({ ok: true, connectSsl: { ca: bundle }, user: 'glance@%' });
    expect(result.cipher).toMatch(/^(TLS_AES|ECDHE-)/);
    expect(result.version).toMatch(/^TLSv1\.[23]$/);
  });

  test('the operator\'s bundle layout (another CA first, the system trust after) verifies too', async () => {
    const result = await connect(db, { parameters: `ssl_ca=${bundleWithSystem}` });
    expect(result.ok).toBe(true);
    expect(result.cipher).not.toBe('');
  });

  // MariaDB refuses with a plain access denied (1045), not MySQL's 3159 (ER_SECURE_TRANSPORT_REQUIRED):
  // the same user and password get in over TLS.
  test('no connection_parameters: PyMySQL connects in plain text and require_secure_transport refuses it (1045)', async () => {
    const result = await connect(db);
    expect(result).toMatchObject({ ok: false, connectSsl: null, mysqlCode: 1045 });
    expect(result.mysqlMessage).toMatch(/^Access denied for user 'glance'@/);
    expect(await connect(db, { parameters: `ssl_ca=${bundle}` })).toMatchObject({ ok: true, user: 'glance@%' });
  });

  // mariadbd sends its CA (ssl_ca) after its certificate: the client finds a self-signed CA it does not trust.
  test('ssl_ca of the wrong CA: certificate verification fails (self-signed certificate in certificate chain)', async () => {
    const result = await connect(db, { parameters: `ssl_ca=${wrongBundle}` });
    expect(result).toMatchObject({ ok: false, verifyCode: 19, verifyMessage: 'self-signed certificate in certificate chain' });
    expect(result.mysqlCode).toBe(2003);
  });

  test('a host name the server certificate does not cover: the hostname check fails', async () => {
    const result = await connect(db, { host: OTHER_HOST, parameters: `ssl_ca=${bundle}` });
    expect(result).toMatchObject({ ok: false, verifyCode: 62 });
    expect(result.verifyMessage).toMatch(/Hostname mismatch/i);
  });

  test('per user (REQUIRE SSL, secure transport off): refused in plain text, TLS with ssl_ca; a plain user connects without', async () => {
    const refused = await connect(perUser);
    expect(refused).toMatchObject({ ok: false, mysqlCode: 1045 });
    expect(refused.mysqlMessage).toMatch(/Access denied for user 'glance'/);
    const tls = await connect(perUser, { parameters: `ssl_ca=${bundle}` });
    expect(tls).toMatchObject({ ok: true, user: 'glance@%' });
    expect(tls.cipher).not.toBe('');
    const plain = await connect(perUser, { user: 'plain' });
    expect(plain).toMatchObject({ ok: true, cipher: '', user: 'plain@%' });
  });
});
