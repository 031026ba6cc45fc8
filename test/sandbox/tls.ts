/**
 * A throwaway PKI for the TLS tests, made with the real `openssl` CLI in a temporary directory,
 * and a TLS client check by `openssl s_client`.
 *
 * - Two unrelated self-signed CAs: `ca` (the one the deployment trusts) and `wrongCa` (a CA a
 *   client must refuse). Both are `CA:TRUE` (critical), `keyCertSign, cRLSign`, with a subject
 *   key id, so that a strict verifier (Python 3.13's default context sets VERIFY_X509_STRICT)
 *   accepts them.
 * - Server certificates are issued by `openssl ca` with explicit start and end dates, so that an
 *   expired one is a real certificate whose notAfter has passed (OpenSSL 3.0, this machine's,
 *   has no `x509 -not_before/-not_after`; they came in 3.4). Like cert-manager's for the
 *   operator's Services: the names only in subjectAltName (wildcards allowed, no commonName
 *   unless asked), `serverAuth`, `digitalSignature, keyEncipherment`, an RSA 2048 key by
 *   default (cert-manager's default), authority and subject key ids.
 * - `writeSecret` writes cert-manager's Secret layout (tls.crt, tls.key, ca.crt) and
 *   `writeCaBundle` the operator's CA bundle Secret key (tls-ca-bundle.pem).
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { connect } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { HANG_GUARD_MS, until } from '../waiting';

export const OPENSSL = '/usr/bin/openssl';
/** cert-manager's keys of a `kubernetes.io/tls` Secret. */
export const TLS_CERT_KEY = 'tls.crt';
export const TLS_KEY_KEY = 'tls.key';
export const TLS_CA_KEY = 'ca.crt';
/** The key of the operator's CA bundle Secret (combined-ca-bundle). */
export const CA_BUNDLE_KEY = 'tls-ca-bundle.pem';
/** Debian's system trust (python3-certifi returns it on Debian). */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export type KeyType = 'rsa' | 'ec';

/** A CA of the test PKI. */
export interface TestCa {
  readonly name: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** The certificate, PEM. */
  readonly pem: string;
  /** SHA-256 fingerprint as `openssl x509 -fingerprint -sha256` prints it (AB:CD:...). */
  readonly fingerprint: string;
}

/** A server certificate of the test PKI. */
export interface TestCertificate {
  readonly name: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** The issuer's certificate (what cert-manager puts in ca.crt). */
  readonly issuer: TestCa;
  /** The certificate and its key, PEM. */
  readonly pem: string;
  readonly keyPem: string;
  /** The subjectAltName DNS names, in the order given. */
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 fingerprint as `openssl x509 -fingerprint -sha256` prints it (AB:CD:...). */
  readonly fingerprint: string;
}

export interface IssueOptions {
  /** subjectAltName DNS names; `*.x.y` wildcards allowed. */
  readonly dnsNames: readonly string[];
  /** subjectAltName IP addresses. @default none */
  readonly ipAddresses?: readonly string[];
  /**
   * A commonName in the subject.
   * @default none: the subject is O=cdk8s-glance-e2e, OU=<name> (the operator's service certificates have no commonName)
   */
  readonly commonName?: string;
  /** @default the PKI's `ca` */
  readonly issuer?: TestCa;
  /** @default one hour ago */
  readonly notBefore?: Date;
  /** @default notBefore + 365 days */
  readonly notAfter?: Date;
  /** @default 'rsa' (2048 bits) */
  readonly keyType?: KeyType;
}

/**
 * Whether a subjectAltName DNS entry covers a host name, by the rule TLS clients apply
 * (RFC 6125 6.4.3, as OpenSSL's and Python's hostname checks do): case-insensitive; a wildcard
 * only as the whole left-most label, matching exactly one label.
 */
export function coversName(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().split('.');
  const h = host.toLowerCase().split('.');
  if (p.length !== h.length) return false;
  return p.every((label, i) => label === h[i] || (i === 0 && label === '*' && h[i].length > 0));
}

/** openssl's time format for `ca -startdate/-enddate`: YYYYMMDDHHMMSSZ (UTC). */
function opensslTime(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
}

function openssl(args: string[], cwd?: string): string {
  try {
    return execFileSync(OPENSSL, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: HANG_GUARD_MS });
  } catch (error: any) {
    throw new Error(`openssl ${args.join(' ')} failed (${error.status ?? error.signal}): ${String(error.stderr ?? '').slice(-2000)}`);
  }
}

/** The SHA-256 fingerprint of a PEM certificate (file), as `openssl x509 -fingerprint -sha256` prints it. */
export function fingerprintOf(certFile: string): string {
  const out = openssl(['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256']);
  const match = /Fingerprint=([0-9A-F:]+)/.exec(out);
  if (!match) throw new Error(`no fingerprint in: ${out}`);
  return match[1];
}

/** The subjectAltName entries of a PEM certificate (file), as openssl prints them: `DNS:x`, `IP Address:1.2.3.4`. */
export function subjectAltNamesOf(certFile: string): string[] {
  return parseSubjectAltNames(openssl(['x509', '-in', certFile, '-noout', '-ext', 'subjectAltName']));
}

function parseSubjectAltNames(text: string): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((line) => /X509v3 Subject Alternative Name/.test(line));
  if (at < 0) return [];
  return lines[at + 1].trim().split(/,\s*/).filter(Boolean);
}

/** The command that shows how a certificate Secret volume at `dir` looks from inside a container: links, the key's mode and owners, the entries. */
export function secretVolumeCommand(dir: string): string[] {
  return ['/bin/sh', '-c', `cd ${dir} && readlink tls.crt tls.key ..data && stat -L -c "%a %u %g" tls.key && ls -A | tr "\\n" " "`];
}

/**
 * secretVolumeCommand's output, with the kubelet's timestamped directory name (`..2026_12_06_05_40_01.123456789`)
 * as `..<timestamp>`: equal to SECRET_VOLUME_LAYOUT on a real kubelet (the cluster tier) and in the pod sandbox (the e2e).
 */
export function secretVolumeLayout(stdout: string): object {
  const [crt, key, data, mode, listing] = stdout.trim().split('\n');
  const stamp = (name: string) => (/^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+$/.test(name) ? '..<timestamp>' : name);
  return { crt, key, data: stamp(data ?? ''), mode, entries: (listing ?? '').trim().split(/\s+/).map(stamp).sort() };
}

/** A Secret volume of a TLS certificate as the kubelet writes it for our pods (items tls.crt and tls.key, mode 0440, fsGroup 42415). */
export const SECRET_VOLUME_LAYOUT = {
  crt: '..data/tls.crt',
  key: '..data/tls.key',
  data: '..<timestamp>',
  mode: '440 0 42415',
  entries: ['..<timestamp>', '..data', 'tls.crt', 'tls.key'],
};

/** Whether a private key (file) belongs to a certificate (file): same public key. */
export function keyMatchesCertificate(certFile: string, keyFile: string): boolean {
  return openssl(['x509', '-in', certFile, '-noout', '-pubkey']) === openssl(['pkey', '-in', keyFile, '-pubout']);
}

export class TestPki {
  public readonly root: string;
  /** The CA the deployment trusts. */
  public readonly ca: TestCa;
  /** An unrelated CA: what it signs, a client trusting `ca` must refuse. */
  public readonly wrongCa: TestCa;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'tls-e2e-'));
    // The temporary directory is the pods' to read: keys mode 0600 are still only root's.
    this.ca = this.createCa('ca', 'cdk8s-glance e2e CA');
    this.wrongCa = this.createCa('wrong-ca', 'cdk8s-glance e2e unrelated CA');
  }

  /** A self-signed CA of its own, valid 10 years from an hour ago. */
  public createCa(name: string, commonName = name, keyType: KeyType = 'rsa'): TestCa {
    const dir = join(this.root, name);
    mkdirSync(dir);
    const keyFile = join(dir, 'ca.key');
    const certFile = join(dir, 'ca.crt');
    openssl(['genpkey', ...keyArgs(keyType), '-out', keyFile]);
    // `openssl ca`'s own files: its database and where it keeps what it issued.
    writeFileSync(join(dir, 'index.txt'), '');
    mkdirSync(join(dir, 'issued'));
    writeFileSync(join(dir, 'ca.cnf'), [
      '[ca]',
      'default_ca = test_ca',
      '[test_ca]',
      `dir = ${dir}`,
      'database = $dir/index.txt',
      'new_certs_dir = $dir/issued',
      `certificate = ${certFile}`,
      `private_key = ${keyFile}`,
      'rand_serial = yes',
      'unique_subject = no',
      'default_md = sha256',
      'policy = policy_any',
      'email_in_dn = no',
      // The subject as in the request; extensions only from -extfile.
      'preserve = yes',
      '[policy_any]',
      'organizationName = optional',
      'organizationalUnitName = optional',
      'commonName = optional',
      '[ca_ext]',
      'basicConstraints = critical, CA:TRUE',
      'keyUsage = critical, keyCertSign, cRLSign',
      'subjectKeyIdentifier = hash',
      '',
    ].join('\n'));
    const csr = join(dir, 'ca.csr');
    openssl(['req', '-new', '-key', keyFile, '-subj', `/O=cdk8s-glance-e2e/CN=${commonName}`, '-out', csr]);
    const notBefore = new Date(Date.now() - 3600_000);
    const notAfter = new Date(notBefore.getTime() + 3650 * 86400_000);
    openssl(['ca', '-batch', '-config', join(dir, 'ca.cnf'), '-selfsign', '-keyfile', keyFile, '-in', csr, '-out', certFile,
      '-notext', '-extensions', 'ca_ext', '-startdate', opensslTime(notBefore), '-enddate', opensslTime(notAfter)]);
    return { name, certFile, keyFile, pem: readFileSync(certFile, 'utf8'), fingerprint: fingerprintOf(certFile) };
  }

  /** A server certificate for `options.dnsNames` (and IPs), signed by `options.issuer` (the PKI's `ca`). */
  public issue(name: string, options: IssueOptions): TestCertificate {
    const issuer = options.issuer ?? this.ca;
    const dnsNames = [...options.dnsNames];
    const ipAddresses = [...(options.ipAddresses ?? [])];
    if (!dnsNames.length && !ipAddresses.length) throw new Error(`tls: certificate ${name} needs a DNS name or an IP address`);
    const dir = join(this.root, 'certs', name);
    mkdirSync(dir, { recursive: true });
    const keyFile = join(dir, 'tls.key');
    const certFile = join(dir, 'tls.crt');
    openssl(['genpkey', ...keyArgs(options.keyType ?? 'rsa'), '-out', keyFile]);
    const csr = join(dir, 'tls.csr');
    const subject = options.commonName ? `/O=cdk8s-glance-e2e/OU=${name}/CN=${options.commonName}` : `/O=cdk8s-glance-e2e/OU=${name}`;
    openssl(['req', '-new', '-key', keyFile, '-subj', subject, '-out', csr]);
    const ext = join(dir, 'ext.cnf');
    writeFileSync(ext, [
      '[server]',
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      'extendedKeyUsage = serverAuth',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid, issuer',
      `subjectAltName = ${[...dnsNames.map((n) => `DNS:${n}`), ...ipAddresses.map((ip) => `IP:${ip}`)].join(', ')}`,
      '',
    ].join('\n'));
    const notBefore = options.notBefore ?? new Date(Date.now() - 3600_000);
    const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 365 * 86400_000);
    // Whole seconds: openssl keeps no more.
    const [start, end] = [notBefore, notAfter].map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));
    openssl(['ca', '-batch', '-config', join(issuer.certFile, '..', 'ca.cnf'), '-in', csr, '-out', certFile, '-notext',
      '-extfile', ext, '-extensions', 'server', '-startdate', opensslTime(start), '-enddate', opensslTime(end)]);
    return {
      name,
      certFile,
      keyFile,
      issuer,
      pem: readFileSync(certFile, 'utf8'),
      keyPem: readFileSync(keyFile, 'utf8'),
      dnsNames,
      ipAddresses,
      notBefore: start,
      notAfter: end,
      fingerprint: fingerprintOf(certFile),
    };
  }

  /** A certificate for `dnsNames` whose validity ended a day ago (valid from two days ago). */
  public issueExpired(name: string, dnsNames: readonly string[], issuer?: TestCa): TestCertificate {
    const now = Date.now();
    return this.issue(name, { dnsNames, issuer, notBefore: new Date(now - 2 * 86400_000), notAfter: new Date(now - 86400_000) });
  }

  /**
   * A certificate for `dnsNames` except every entry that covers `missing` (a wildcard too), so
   * that it really does not cover that name; fails if nothing is left.
   */
  public issueWithout(name: string, dnsNames: readonly string[], missing: string, issuer?: TestCa): TestCertificate {
    const left = dnsNames.filter((pattern) => !coversName(pattern, missing));
    if (!left.length) throw new Error(`tls: every name of ${dnsNames.join(', ')} covers ${missing}`);
    return this.issue(name, { dnsNames: left, issuer });
  }

  /** The Secret data cert-manager writes for a Certificate: tls.crt, tls.key and ca.crt (the issuer). */
  public secretData(cert: TestCertificate): Record<string, string> {
    return { [TLS_CERT_KEY]: cert.pem, [TLS_KEY_KEY]: cert.keyPem, [TLS_CA_KEY]: cert.issuer.pem };
  }

  /** Writes the Secret's files into `dir` (made if missing; tls.key mode 0600); returns `dir`. */
  public writeSecret(cert: TestCertificate, dir: string): string {
    mkdirSync(dir, { recursive: true });
    for (const [key, value] of Object.entries(this.secretData(cert))) {
      writeFileSync(join(dir, key), value, { mode: key === TLS_KEY_KEY ? 0o600 : 0o644 });
    }
    return dir;
  }

  /**
   * A CA bundle: the given CAs' certificates, and Debian's system trust after them if
   * `withSystemTrust` (as the operator's combined-ca-bundle ends with the image's system bundle).
   */
  public caBundle(cas: readonly TestCa[] = [this.ca], withSystemTrust = false): string {
    return [...cas.map((ca) => ca.pem), ...(withSystemTrust ? [readFileSync(SYSTEM_CA_BUNDLE, 'utf8')] : [])].join('');
  }

  /** Writes `caBundle(cas, withSystemTrust)` as `<dir>/tls-ca-bundle.pem` (dir made if missing); returns the file. */
  public writeCaBundle(dir: string, cas: readonly TestCa[] = [this.ca], withSystemTrust = false): string {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, CA_BUNDLE_KEY);
    writeFileSync(file, this.caBundle(cas, withSystemTrust));
    return file;
  }

  /** Removes the temporary directory, keys and all. */
  public remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

function keyArgs(keyType: KeyType): string[] {
  return keyType === 'rsa' ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'] : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
}

/** What a TLS client saw: `handshake`. */
export interface HandshakeResult {
  /** The handshake completed and the chain and the host name verified. */
  readonly ok: boolean;
  /** Why verification failed, as OpenSSL says it (`hostname mismatch`, `certificate has expired`, ...), or undefined. */
  readonly verifyError?: string;
  /** OpenSSL's verify code (0 when ok; 62 hostname mismatch, 10 expired, 20 unknown issuer, 18/19 self-signed). */
  readonly verifyCode?: number;
  /** The subjectAltName entries of the certificate the server sent (`DNS:x`, `IP Address:...`); empty if it sent none. */
  readonly subjectAltNames: string[];
  /** The SHA-256 fingerprint of the certificate the server sent (AB:CD:...), or undefined if it sent none. */
  readonly fingerprint?: string;
  /** The protocol and cipher negotiated (undefined when the handshake did not complete). */
  readonly protocol?: string;
  readonly cipher?: string;
  /** s_client's stdout and stderr, for a failure message. */
  readonly output: string;
}

export interface HandshakeOptions {
  /** The only CAs trusted (`-CAfile`). */
  readonly caFile: string;
  /** SNI (`-servername`); also the name verified unless `verifyHostname` says otherwise. @default none (no SNI, no name check) */
  readonly servername?: string;
  /** The name the certificate must cover (`-verify_hostname`), or false for none. @default servername */
  readonly verifyHostname?: string | false;
}

async function sClient(args: string[]): Promise<{ code: number; output: string; stdout: string }> {
  // stdin is empty: s_client sends close_notify after the handshake and exits.
  return new Promise((resolve, reject) => {
    const child = execFile(OPENSSL, ['s_client', ...args], { timeout: HANG_GUARD_MS, maxBuffer: 16 * 1024 * 1024 }, (error: any, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`openssl s_client ${args.join(' ')}: ${error.message}`));
        return;
      }
      resolve({ code: error ? error.code : 0, output: `${stdout}\n${stderr}`, stdout });
    });
    child.stdin?.end();
  });
}

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/;

async function describePem(pem: string): Promise<{ fingerprint: string; subjectAltNames: string[] }> {
  const run = (args: string[]) => new Promise<string>((resolve, reject) => {
    const child = execFile(OPENSSL, args, { timeout: HANG_GUARD_MS }, (error, stdout, stderr) => {
      if (error) reject(new Error(`openssl ${args.join(' ')}: ${stderr}`)); else resolve(stdout);
    });
    child.stdin?.end(pem);
  });
  const fp = /Fingerprint=([0-9A-F:]+)/.exec(await run(['x509', '-noout', '-fingerprint', '-sha256']));
  if (!fp) throw new Error('openssl x509 printed no fingerprint');
  return { fingerprint: fp[1], subjectAltNames: parseSubjectAltNames(await run(['x509', '-noout', '-ext', 'subjectAltName'])) };
}

/**
 * A TLS handshake with host:port by `openssl s_client -verify_return_error`, trusting only
 * `caFile`, with SNI `servername`, checking that name (`-verify_hostname`: `-servername` alone
 * checks no name). On a verify failure s_client aborts before printing the server's
 * certificate; a second handshake that does not verify then reads it, so that `fingerprint`
 * and `subjectAltNames` always say what the server sent.
 */
export async function handshake(host: string, port: number, options: HandshakeOptions): Promise<HandshakeResult> {
  const base = ['-connect', `${host}:${port}`, '-CAfile', options.caFile, ...(options.servername ? ['-servername', options.servername] : [])];
  const name = options.verifyHostname === undefined ? options.servername : options.verifyHostname || undefined;
  const verified = await sClient([...base, '-verify_return_error', ...(name ? ['-verify_hostname', name] : [])]);
  const codeMatch = /Verify return code: (\d+) \(([^)]*)\)/.exec(verified.output);
  const verifyErrorLine = /verify error:num=(\d+):(.*)/.exec(verified.output);
  const verifyCode = codeMatch ? Number(codeMatch[1]) : verifyErrorLine ? Number(verifyErrorLine[1]) : undefined;
  const ok = verified.code === 0 && verifyCode === 0;
  let pem = PEM.exec(verified.stdout)?.[0];
  let output = verified.output;
  if (!pem) {
    const unverified = await sClient(base);
    pem = PEM.exec(unverified.stdout)?.[0];
    output += `\n--- unverified handshake, for the certificate\n${unverified.output}`;
  }
  const served = pem ? await describePem(pem) : undefined;
  // `New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384` (the SSL-Session block is not always printed before s_client exits).
  const negotiated = /^New, (\S+), Cipher is (\S+)/m.exec(verified.stdout);
  return {
    ok,
    verifyError: ok ? undefined : (codeMatch?.[2] ?? verifyErrorLine?.[2]?.trim() ?? 'handshake failed'),
    verifyCode,
    subjectAltNames: served?.subjectAltNames ?? [],
    fingerprint: served?.fingerprint,
    protocol: ok ? negotiated?.[1] : undefined,
    cipher: ok ? negotiated?.[2] : undefined,
    output,
  };
}

/** Whether something accepts TCP connections on host:port. */
export function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => { socket.destroy(); resolve(false); });
  });
}

/**
 * `openssl s_server -www` on host:port with a certificate, and optionally a second one it serves
 * to clients whose SNI is `sni.servername` (`-servername/-cert2/-key2`). For testing clients.
 */
export class OpensslServer {
  private child?: ChildProcess;
  private readonly log: string[] = [];

  constructor(public readonly host: string, public readonly port: number, private readonly cert: TestCertificate,
    private readonly sni?: { readonly servername: string; readonly cert: TestCertificate }) {}

  /** Starts it; resolves once it accepts connections. */
  public async start(): Promise<void> {
    const args = ['s_server', '-www', '-accept', `${this.host}:${this.port}`, '-cert', this.cert.certFile, '-key', this.cert.keyFile,
      ...(this.sni ? ['-servername', this.sni.servername, '-cert2', this.sni.cert.certFile, '-key2', this.sni.cert.keyFile] : [])];
    const child = spawn(OPENSSL, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    child.stdout?.on('data', (chunk) => this.log.push(String(chunk)));
    child.stderr?.on('data', (chunk) => this.log.push(String(chunk)));
    await until(`openssl s_server accepts on ${this.host}:${this.port}`, async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`openssl s_server exited: ${this.log.join('')}`);
      return listening(this.host, this.port);
    }, { everyMs: 50, detail: () => this.log.join('').slice(-2000) });
  }

  /** Kills it and waits until the port is free. */
  public async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child?.pid) return;
    const exited = child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    await exited;
    await until(`${this.host}:${this.port} is free`, async () => !(await listening(this.host, this.port)), { everyMs: 50 });
  }
}
