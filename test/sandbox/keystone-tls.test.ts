/**
 * Keystone over HTTPS (uWSGI's --https-socket with the test PKI's certificate), reached as Glance's
 * processes reach it: keystoneauth1 sessions (verify = a CA file, or REQUESTS_CA_BUNDLE) and
 * keystonemiddleware's auth_token with `[keystone_authtoken] cafile`, by the cluster names of the
 * catalog, with Glance 25's libraries (this machine) and Glance 30's (the trixie root). Root is
 * needed only for the trixie root's bwrap.
 */
import { existsSync } from 'fs';
import { join } from 'path';
import { GlanceIdentities, Keystone, keystoneClient, KeystoneClientResult } from './keystone';
import { GLANCE_IMAGES } from '../e2e/sandboxed-glance';
import { HANG_GUARD_MS } from '../waiting';
import { handshake, TestCertificate, TestPki } from './tls';

const NS = 'openstack';
const INTERNAL = `keystone-internal.${NS}.svc`;
const PUBLIC = `keystone-public.${NS}.svc`;
const GLANCE_PASSWORD = 'glance-keystone-secret';
const IMAGE_URL = `https://glance-default-internal.${NS}.svc:9292`;

let pki: TestPki;
let cert: TestCertificate;
let keystone: Keystone;
let ids: GlanceIdentities;
let bundle: string;
let wrongBundle: string;
let memberToken: string;

beforeAll(async () => {
  pki = new TestPki();
  cert = pki.issue('keystone', { dnsNames: [INTERNAL, `${INTERNAL}.cluster.local`, PUBLIC, `${PUBLIC}.cluster.local`] });
  bundle = pki.writeCaBundle(join(pki.root, 'bundle'), [pki.wrongCa, pki.ca], true);
  wrongBundle = pki.writeCaBundle(join(pki.root, 'wrong-bundle'), [pki.wrongCa]);
  keystone = new Keystone({
    endpointHosts: { internal: INTERNAL, public: PUBLIC, admin: INTERNAL },
    tls: { certFile: cert.certFile, keyFile: cert.keyFile, caFile: bundle },
  });
  await keystone.start();
  ids = await keystone.setupGlanceIdentities(GLANCE_PASSWORD, IMAGE_URL);
  memberToken = await keystone.token(ids.member.name, ids.member.password, 'demo');
});

afterAll(async () => {
  await keystone?.stop();
  pki?.remove();
});

test('uWSGI serves the test certificate over TLS: handshake by the internal name verifies against the CA', async () => {
  expect(keystone.url).toBe(`https://${keystone.address}:${keystone.port}`);
  const result = await handshake(keystone.address, keystone.port, { caFile: bundle, servername: INTERNAL });
  expect(result).toMatchObject({ ok: true, fingerprint: cert.fingerprint });
  const wrong = await handshake(keystone.address, keystone.port, { caFile: wrongBundle, servername: INTERNAL });
  expect(wrong).toMatchObject({ ok: false, fingerprint: cert.fingerprint });
});

test('plain HTTP to the HTTPS socket gets no HTTP answer', async () => {
  const answer = await fetch(`http://${keystone.address}:${keystone.port}/v3`, { signal: AbortSignal.timeout(HANG_GUARD_MS) })
    .then((r) => `HTTP ${r.status}`, (error) => `${error}: ${error.cause}`);
  expect(answer).toMatch(/^TypeError: fetch failed: .*(other side closed|SocketError|ECONNRESET)/);
});

test('the catalog\'s identity endpoints are https:// by the cluster names', async () => {
  const token = await keystone.validateToken(memberToken);
  const identity = token.catalog.find((service: any) => service.type === 'identity');
  expect(identity.endpoints.map((e: any) => [e.interface, e.url]).sort()).toEqual([
    ['admin', `https://${INTERNAL}:5000/v3`],
    ['internal', `https://${INTERNAL}:5000/v3`],
    ['public', `https://${PUBLIC}:5000/v3`],
  ]);
});

const IMAGES = [
  { name: 'Glance 25 (bookworm: keystoneauth1, keystonemiddleware of this machine)', root: GLANCE_IMAGES.bookworm.root },
  { name: 'Glance 30 (trixie root)', root: GLANCE_IMAGES.trixie.root },
];

describe.each(IMAGES)('$name', ({ root }) => {
  const options = (env: Record<string, string> = {}) => ({ imageRoot: root, hosts: keystone.hosts(INTERNAL, PUBLIC), binds: [pki.root], env });
  const session = (cafile?: string, env: Record<string, string> = {}): Promise<KeystoneClientResult> => keystoneClient({
    mode: 'session', authUrl: keystone.urlAt(INTERNAL), user: 'glance', password: GLANCE_PASSWORD, project: 'service', cafile,
  }, options(env));
  const authtoken = (cafile?: string): Record<string, string> => ({
    auth_type: 'password',
    auth_url: keystone.urlAt(INTERNAL),
    www_authenticate_uri: keystone.urlAt(PUBLIC),
    username: 'glance',
    password: GLANCE_PASSWORD,
    project_name: 'service',
    user_domain_name: 'Default',
    project_domain_name: 'Default',
    interface: 'internal',
    region_name: keystone.region,
    ...(cafile ? { cafile } : {}),
  });
  const middleware = (cafile?: string, env: Record<string, string> = {}) =>
    keystoneClient({ mode: 'middleware', authtoken: authtoken(cafile), token: memberToken }, options(env));

  beforeAll(() => {
    if (!existsSync(join(root, 'usr/lib/python3/dist-packages/keystonemiddleware'))) {
      throw new Error(`no keystonemiddleware in ${root}: sudo bash scripts/install-glance.sh`);
    }
  });

  test('keystoneauth with verify=<bundle> gets a token over HTTPS and the https identity endpoint', async () => {
    const result = await session(bundle);
    expect(result).toMatchObject({ ok: true, identityEndpoint: `https://${INTERNAL}:5000/v3` });
    expect(result.token).toMatch(/^gAAAA/);
    expect((await keystone.validateToken(result.token!)).user.name).toBe('glance');
  });

  test('keystoneauth with no cafile but REQUESTS_CA_BUNDLE=<bundle> gets a token', async () => {
    const result = await session(undefined, { REQUESTS_CA_BUNDLE: bundle });
    expect(result.ok).toBe(true);
    expect(result.token).toMatch(/^gAAAA/);
  });

  test('keystoneauth trusting only the wrong CA fails verification', async () => {
    const result = await session(wrongBundle);
    expect(result.ok).toBe(false);
    expect(result.verifyMessage).toMatch(/unable to get local issuer certificate/);
  });

  test('keystoneauth with the system trust only fails verification', async () => {
    const result = await session();
    expect(result.ok).toBe(false);
    expect(result.verifyMessage).toMatch(/unable to get local issuer certificate/);
  });

  test('keystonemiddleware with [keystone_authtoken] cafile validates a member token: 200, Confirmed', async () => {
    const result = await middleware(bundle);
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(JSON.parse(result.body!)).toMatchObject({ HTTP_X_IDENTITY_STATUS: 'Confirmed', HTTP_X_USER_NAME: 'member', HTTP_X_PROJECT_NAME: 'demo' });
  });

  test('keystonemiddleware with cafile of the wrong CA cannot reach Keystone: 503', async () => {
    const result = await middleware(wrongBundle);
    expect(result).toMatchObject({ ok: false, status: 503 });
    expect(result.log!.join('\n')).toMatch(/CERTIFICATE_VERIFY_FAILED/);
    expect((await middleware(bundle)).log!.join('\n')).not.toMatch(/CERTIFICATE_VERIFY_FAILED/);
  });

  test('keystonemiddleware without cafile but REQUESTS_CA_BUNDLE=<bundle> validates too', async () => {
    expect(await middleware(undefined, { REQUESTS_CA_BUNDLE: bundle })).toMatchObject({ ok: true, status: 200 });
  });
});
