import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { REFERENCE, ROUTE_URL, runCapturing } from './cr-helpers';
import { runCli } from '../../lib/cli';
import { find, glanceConf, Manifest, ofKind } from '../helpers';

const made: string[] = [];
/** A temporary directory, removed after its test (thousands of runs had left thousands in /tmp). */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  made.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('cdk8s-glance synth --from', () => {
  const run = (...args: string[]) => runCapturing(args);

  test('turns the reference snippet into manifests under the output dir', () => {
    const dir = tempDir();
    const cr = join(dir, 'cr.yaml');
    writeFileSync(cr, REFERENCE);
    const result = run('synth', '--from', cr, '-o', join(dir, 'out'), '--namespace', 'cloud', '--ceph-secret', 'ceph-conf-files',
      '--public-url', ROUTE_URL);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain('glance-default-single (3 replicas)');
    const docs = parseAllDocuments(readFileSync(join(dir, 'out', 'glance.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
    const sts = docs.find((d) => d.kind === 'StatefulSet');
    expect(sts.metadata).toMatchObject({ name: 'glance-default-single', namespace: 'cloud' });
    const conf = docs.find((d) => d.metadata.name === 'glance-default-single-config').stringData['00-glance.conf'];
    expect(conf).toContain('enabled_backends = default_backend:rbd');
    // A control plane serves Glance over HTTPS by default, and Keystone with it.
    expect(conf).toContain('auth_url = https://keystone-internal.cloud.svc:5000');
  });

  test('--web-download-hosts offers web-download, as the operator\'s template does, fetching only from those hosts', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cr.yaml'), 'kind: Glance\nspec:\n  glanceAPIs:\n    default: { type: single }\n');
    const written = run('synth', '--from', join(dir, 'cr.yaml'), '-o', dir, '--ceph-secret', 'ceph',
      '--web-download-hosts', 'mirror.example.com, 192.0.2.7');
    expect([written.code, written.err]).toEqual([0, '']);
    const conf = parseAllDocuments(readFileSync(join(dir, 'glance.k8s.yaml'), 'utf8')).map((d) => d.toJSON())
      .find((o) => o.metadata.name === 'glance-default-single-config').stringData['00-glance.conf'];
    expect(conf).toContain('enabled_import_methods = [glance-direct,web-download,copy-image]');
    expect(conf).toContain('allowed_hosts = [mirror.example.com,192.0.2.7]');
  });

  test('--allow-privileged-cinder true deploys a cinder store as the operator does; without it the CR is refused, naming the flag', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cr.yaml'), 'kind: Glance\nspec:\n  glanceAPIs:\n    default: { type: single }\n'
      + '  customServiceConfig: |\n    [DEFAULT]\n    enabled_backends = default_backend:cinder\n');
    const refused = run('synth', '--from', join(dir, 'cr.yaml'), '-o', dir);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('Fix: import with --allow-privileged-cinder true');
    expect(existsSync(join(dir, 'glance.k8s.yaml'))).toBe(false);
    expect(run('synth', '--from', join(dir, 'cr.yaml'), '-o', dir, '--allow-privileged-cinder', 'yes'))
      .toMatchObject({ code: 2, err: expect.stringContaining('--allow-privileged-cinder takes true or false, got "yes"') });
    const written = run('synth', '--from', join(dir, 'cr.yaml'), '-o', dir, '--allow-privileged-cinder', 'true');
    expect([written.code, written.err]).toEqual([0, '']);
    const docs = parseAllDocuments(readFileSync(join(dir, 'glance.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    const pod = docs.find((o) => o.kind === 'StatefulSet').spec.template.spec;
    expect([pod.hostPID, pod.containers[0].securityContext.privileged]).toEqual([true, true]);
    expect(docs.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name)).toEqual(['glance-cinder-node-tools']);
  });

  test('reports an unsupported field and exits 1', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cr.yaml'), 'kind: Glance\nspec:\n  glanceAPIs:\n    default: {}\n  topologyRef: { name: t }\n');
    const result = run('synth', '--from', join(dir, 'cr.yaml'), '-o', dir);
    expect(result.code).toBe(1);
    expect(result.err).toContain('spec.topologyRef: names the Topology "t", which the input does not hold');
    expect(existsSync(join(dir, 'glance.k8s.yaml'))).toBe(false);
  });

  test('--notifications-secret names the bus\'s Secret after a rotation; its key defaults to the TransportURL Secret\'s', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cr.yaml'), 'kind: Glance\nspec:\n  glanceAPIs:\n    default: {}\n  notificationsBus: { cluster: rabbitmq }\n');
    const secret = 'rabbitmq-transport-url-glance-glance-transport-1a2b3c4d';
    const written = run('synth', '--from', join(dir, 'cr.yaml'), '-o', dir, '--ceph-secret', 'ceph', '--notifications-secret', secret);
    expect([written.code, written.err]).toEqual([0, '']);
    const sts = parseAllDocuments(readFileSync(join(dir, 'glance.k8s.yaml'), 'utf8')).map((d) => d.toJSON())
      .find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'glance-default-internal-api');
    expect(sts.spec.template.spec.containers[0].env).toContainEqual(
      { name: 'OS_OSLO_MESSAGING_NOTIFICATIONS__TRANSPORT_URL', valueFrom: { secretKeyRef: { name: secret, key: 'transport_url' } } });
    expect(run('synth', '--from', join(dir, 'cr.yaml'), '-o', dir, '--notifications-secret', 'a:b:c')).toMatchObject({ code: 2 });
  });

  test('--version prints the package\'s version', () => {
    const version = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
    expect(run('--version')).toMatchObject({ code: 0, out: `cdk8s-glance ${version}\n` });
  });

  test('synth --help prints the usage to stdout', () => {
    expect(run('synth', '--help')).toMatchObject({ code: 0, err: '' });
    expect(run('synth', '--help').out).toContain('--from FILE');
  });

  test('--from - reads standard input', () => {
    const dir = tempDir();
    const result = runCapturing(['synth', '--from', '-', '-o', dir, '--ceph-secret', 'ceph', '--public-url', ROUTE_URL], () => REFERENCE);
    expect({ code: result.code, out: result.out }).toEqual({ code: 0, out: expect.stringContaining('glance-default-single (3 replicas)') });
    expect(existsSync(join(dir, 'glance.k8s.yaml'))).toBe(true);
  });

  test('the namespace comes from the CR unless --namespace says it', () => {
    const dir = tempDir();
    const cr = join(dir, 'cr.yaml');
    writeFileSync(cr, 'kind: Glance\nmetadata:\n  name: glance\n  namespace: cloud\nspec:\n  glanceAPIs:\n    default: {}\n');
    expect(run('synth', '--from', cr, '-o', join(dir, 'out'), '--shared-claim', 'images')).toMatchObject({ code: 0, err: '' });
    const docs = parseAllDocuments(readFileSync(join(dir, 'out', 'glance.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
    expect(new Set(docs.map((d) => d.metadata.namespace))).toEqual(new Set(['cloud']));
  });

  test('a --namespace that differs from the CR\'s is refused with the fix, and nothing is written', () => {
    const dir = tempDir();
    const cr = join(dir, 'cr.yaml');
    writeFileSync(cr, 'kind: Glance\nmetadata:\n  name: glance\n  namespace: cloud\nspec:\n  glanceAPIs:\n    default: {}\n');
    const clash = run('synth', '--from', cr, '-o', join(dir, 'out2'), '--namespace', 'openstack', '--shared-claim', 'images');
    expect(clash).toEqual({
      code: 1,
      out: '',
      err: 'cdk8s-glance: --namespace: differs from the CR\'s metadata.namespace ("cloud") (got "openstack"). '
        + 'Fix: drop --namespace, or give the CR\'s namespace\n',
    });
    expect(existsSync(join(dir, 'out2'))).toBe(false);
  });

  test.each([
    ['a directory as input', (dir: string) => ['--from', dir], 'is a directory, not a file'],
    ['a missing input', (dir: string) => ['--from', join(dir, 'missing.yaml')], 'does not exist'],
    ['an output path that is a file', (dir: string) => ['--from', join(dir, 'cr.yaml'), '-o', join(dir, 'cr.yaml')], 'exists and is not a directory'],
    ['an output under a file', (dir: string) => ['--from', join(dir, 'cr.yaml'), '-o', join(dir, 'cr.yaml', 'out')], 'is a file, not a directory'],
    ['a YAML alias bomb', (dir: string) => {
      const letter = (n: number) => String.fromCharCode(97 + n);
      const lines = Array.from({ length: 9 }, (_, n) => `${letter(n + 1)}: &${letter(n + 1)} [${Array(9).fill(`*${letter(n)}`).join(',')}]`);
      writeFileSync(join(dir, 'bomb.yaml'), `a: &a ["x","x","x","x","x","x","x","x","x"]\n${lines.join('\n')}\n`
        + 'kind: Glance\nspec:\n  glanceAPIs:\n    default: {}\n');
      return ['--from', join(dir, 'bomb.yaml')];
    }, 'customResource'],
    // The API server drops the null entry; under the operator, no API would serve.
    ['glanceAPIs with a null entry', (dir: string) => {
      writeFileSync(join(dir, 'null.yaml'), 'kind: Glance\nspec:\n  glanceAPIs:\n    default:\n  storage:\n    storageRequest: 10G\n');
      return ['--from', join(dir, 'null.yaml'), '-o', join(dir, 'null-out')];
    }, 'spec.glanceAPIs: is empty'],
    ['an empty resources', (dir: string) => {
      writeFileSync(join(dir, 'res.yaml'), 'kind: Glance\nspec:\n  glanceAPIs:\n    default:\n      resources:\n');
      return ['--from', join(dir, 'res.yaml'), '-o', join(dir, 'res-out')];
    }, 'wrote'],
  ])('%s: a clear message, no stack trace, nothing written', (_name, args, message) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cr.yaml'), REFERENCE);
    const result = run('synth', ...args(dir), '--ceph-secret', 'ceph', '--public-url', ROUTE_URL);
    expect(result.out + result.err).toContain(message);
    expect(result.err).not.toMatch(/\n\s+at /);
    if (message !== 'wrote') {
      expect(result.code).toBe(1);
      expect(existsSync(join(dir, 'dist'))).toBe(false);
    } else {
      expect(result.code).toBe(0);
    }
  });

  test('every flag reaches the output, "--flag=value" included: database Secret, Keystone URLs, release, rbd pool and user', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cr.yaml'), 'kind: Glance\nspec:\n  glanceAPIs:\n    default:\n      type: single\n');
    const result = run('synth', `--from=${join(dir, 'cr.yaml')}`, '--output', join(dir, 'out'), '--database-secret', 'db:url',
      '--keystone-url=http://ks:5000', '--keystone-public-url', 'https://ks.example', '--release', 'epoxy',
      '--ceph-secret', 'ceph', '--rbd-pool', 'img', '--rbd-user', 'glance-rbd');
    expect(result).toEqual({ code: 0, err: '', out: `wrote ${join(dir, 'out', 'glance.k8s.yaml')}: glance-default-single (1 replicas)\n` });
    const docs: Manifest[] = parseAllDocuments(readFileSync(join(dir, 'out', 'glance.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
    const conf = glanceConf(docs, 'glance-default-single');
    expect(conf.keystone_authtoken).toMatchObject({ auth_url: 'http://ks:5000', www_authenticate_uri: 'https://ks.example' });
    expect(conf.default_backend).toMatchObject({ rbd_store_pool: 'img', rbd_store_user: 'glance-rbd' });
    expect(find(docs, 'Job', 'glance-db-sync-<hash>').spec.template.spec.containers[0].env).toEqual([
      { name: 'OS_DATABASE__CONNECTION', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } },
    ]);
    expect(conf.DEFAULT.enabled_backends).toBe('default_backend:rbd');
    expect(find(docs, 'StatefulSet', 'glance-default-single').metadata.namespace).toBe('openstack');
  });

  test('--shared-claim and --shared-storage-class give the file store on a ReadWriteMany claim', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cr.yaml'), 'kind: Glance\nspec:\n  glanceAPIs:\n    default:\n      type: single\n      replicas: 2\n');
    expect(run('synth', '--from', join(dir, 'cr.yaml'), '-o', join(dir, 'a'), '--shared-claim', 'images').code).toBe(0);
    const claimed: Manifest[] = parseAllDocuments(readFileSync(join(dir, 'a', 'glance.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
    const volumes = find(claimed, 'StatefulSet', 'glance-default-single').spec.template.spec.volumes;
    expect(volumes.filter((v: any) => v.persistentVolumeClaim).map((v: any) => v.persistentVolumeClaim.claimName)).toEqual(['images']);
    expect(ofKind(claimed, 'PersistentVolumeClaim')).toEqual([]);
    expect(run('synth', '--from', join(dir, 'cr.yaml'), '-o', join(dir, 'b'), '--shared-storage-class', 'nfs-client').code).toBe(0);
    const created: Manifest[] = parseAllDocuments(readFileSync(join(dir, 'b', 'glance.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
    expect(find(created, 'PersistentVolumeClaim', 'glance-images').spec)
      .toMatchObject({ storageClassName: 'nfs-client', accessModes: ['ReadWriteMany'] });
  });

  test.each([
    [['synth', '--from', 'x', '--database-secret', 'db'], '--database-secret takes NAME:KEY, got "db"'],
    [['synth', '--from', 'x', '--database-secret', 'db:'], '--database-secret takes NAME:KEY, got "db:"'],
    [['synth', '--from', 'x', '--database-secret', ':k'], '--database-secret takes NAME:KEY, got ":k"'],
    [['synth', '--from', 'x', '--database-secret', 'a:b:c'], '--database-secret takes NAME:KEY, got "a:b:c"'],
    [['synth', '--from'], '--from needs a value'],
    [['synth', '-o'], '--output needs a value'],
    [['synth', 'cr.yaml'], 'unknown option "cr.yaml"'],
    [['synth', '-x', '1'], 'unknown option "-x"'],
    [['synth', '--from', 'x', '--shared-claim', 'a', '--shared-storage-class', 'b'],
      '--shared-claim and --shared-storage-class choose different stores; give one'],
    [['synth', '--from', 'x', '--ceph-secret', 'c', '--shared-claim', 'n'], '--ceph-secret and --shared-claim choose different stores; give one'],
    [['synth', '--from', 'x', '--bogus', '1'], 'unknown option "--bogus"'],
    [['synth'], '--from is required'],
    [['render', '--from', 'x'], 'unknown command "render"'],
    [['synth', '-o', 'out'], '--from is required'],
  ])('%j is a usage error: exit 2, the message and the usage text', (args, message) => {
    const result = run(...args);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toContain(`cdk8s-glance: ${message}\n\nusage: cdk8s-glance synth --from`);
  });

  test('no arguments print the usage to stderr, exit 2', () => {
    expect(run()).toEqual({ code: 2, out: '', err: expect.stringMatching(/^usage: cdk8s-glance synth --from <cr.yaml \| -> \[options\]\n/) });
  });

  test('-h, --help and synth -h print the usage to stdout', () => {
    expect(run('-h')).toEqual({ code: 0, err: '', out: expect.stringMatching(/^usage: /) });
    expect(run('--help')).toEqual({ code: 0, err: '', out: expect.stringMatching(/^usage: /) });
    expect(run('synth', '-h')).toEqual({ code: 0, err: '', out: expect.stringMatching(/^usage: /) });
  });

  test('-V is --version', () => {
    expect(run('-V')).toEqual(run('--version'));
    expect(run('-V').out).toMatch(/^cdk8s-glance \d+\.\d+\.\d+\n$/);
  });

  test('a validation error exits 1 with our message alone', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cr.yaml'), 'kind: Glance\nspec:\n  glanceAPIs:\n    default: {}\n  imageCache:\n    size: 10 Gi\n');
    const result = run('synth', '--from', join(dir, 'cr.yaml'), '-o', join(dir, 'out'), '--ceph-secret', 'ceph', '--public-url', ROUTE_URL);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/^cdk8s-glance: spec\.imageCache\.size: is not a Kubernetes quantity \(got "10 Gi"\)\. Fix: .*\n$/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  test('the output is written whole or not at all: no temporary file is left', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cr.yaml'), REFERENCE);
    expect(run('synth', '--from', join(dir, 'cr.yaml'), '-o', join(dir, 'out'), '--ceph-secret', 'ceph', '--public-url', ROUTE_URL).code).toBe(0);
    expect(readdirSync(join(dir, 'out'))).toEqual(['glance.k8s.yaml']);
  });

  test('--naming library gives the library\'s names; a name of no scheme is a usage error naming both', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cr.yaml'), 'kind: Glance\nspec:\n  storage: { storageRequest: 10G }\n  glanceAPIs:\n    default: {}\n');
    const library = run('synth', '--from', join(dir, 'cr.yaml'), '-o', dir, '--ceph-secret', 'ceph', '--naming', 'library');
    expect(library)
      .toMatchObject({ code: 0, out: expect.stringContaining(': glance-default-internal (1 replicas), glance-default-external (1 replicas)') });
    const services = parseAllDocuments(readFileSync(join(dir, 'glance.k8s.yaml'), 'utf8')).map((d) => d.toJS())
      .filter((o) => o.kind === 'Service').map((o) => o.metadata.name).sort();
    expect(services).toEqual(['glance-default', 'glance-default-external', 'glance-default-internal', 'glance-default-public']);
    expect(run('synth', '--from', 'x', '--naming', 'operator'))
      .toMatchObject({ code: 2, err: expect.stringContaining('--naming takes library or glance-operator, got "operator"') });
  });

  test('a release --release does not know is a usage error, a release number too', () => {
    expect(run('synth', '--from', 'x', '--release', 'havana')).toMatchObject({ code: 2, err: expect.stringContaining('not one of yoga, zed') });
    // A numeric enum also maps 28 to "CARACAL": a number is not a release name.
    expect(run('synth', '--from', 'x', '--release', '28')).toMatchObject({ code: 2, err: expect.stringContaining('--release "28" is not one of') });
  });
});

describe('the CLI: streams, defaults, flags and file errors', () => {
  const glanceCr = 'kind: Glance\nmetadata:\n  name: glance\n  namespace: cloud\nspec:\n  glanceAPIs:\n    default: {}\n';
  const swiftCr = 'kind: Glance\nspec:\n  glanceAPIs:\n    default: {}\n'
    + '  customServiceConfig: |\n    [DEFAULT]\n    enabled_backends = default_backend:swift\n';
  const capture = (args: string[], stdin: () => string) => runCapturing(args, stdin);
  const failingStdin = (error: object) => () => {
    throw Object.assign(new Error('failed'), error);
  };

  test('without streams it writes to the process\'s stdout and stderr, and reads its stdin', () => {
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // The module object itself: an ES import's namespace cannot be spied on.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const read = jest.spyOn(require('fs') as typeof import('fs'), 'readFileSync');
    try {
      expect(runCli(['--version'])).toBe(0);
      expect(stdout).toHaveBeenCalledWith(expect.stringMatching(/^cdk8s-glance \d+\.\d+\.\d+/));
      expect(runCli([])).toBe(2);
      expect(stderr).toHaveBeenCalledWith(expect.stringContaining('--from FILE'));
      read.mockReset().mockReturnValue(glanceCr);
      const dir = tempDir();
      expect(runCli(['synth', '--from', '-', '-o', dir, '--shared-claim', 'images'])).toBe(0);
      expect(read.mock.calls).toEqual([[0, 'utf8']]);
      expect(stdout).toHaveBeenLastCalledWith(
        `wrote ${join(dir, 'glance.k8s.yaml')}: glance-default-internal-api (1 replicas), glance-default-external-api (1 replicas)\n`);
    } finally {
      read.mockRestore();
      stdout.mockRestore();
      stderr.mockRestore();
    }
  });

  test('without -o it writes dist/glance.k8s.yaml under the working directory, naming every StatefulSet written', () => {
    const dir = tempDir();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const result = capture(['synth', '--from', '-'], () => swiftCr);
      expect(result).toEqual({
        code: 0, err: '', out: 'wrote dist/glance.k8s.yaml: glance-default-internal-api (1 replicas), glance-default-external-api (1 replicas)\n',
      });
      expect(readdirSync(join(dir, 'dist'))).toEqual(['glance.k8s.yaml']);
    } finally {
      process.chdir(cwd);
    }
  });

  test('--namespace may repeat the CR\'s namespace', () => {
    const dir = tempDir();
    expect(capture(['synth', '--from', '-', '-o', dir, '--namespace', 'cloud', '--shared-claim', 'images'], () => glanceCr))
      .toMatchObject({ code: 0, err: '' });
  });

  test('without a store flag the CR\'s own store is used', () => {
    const dir = tempDir();
    expect(capture(['synth', '--from', '-', '-o', dir], () => swiftCr)).toMatchObject({ code: 0, err: '' });
    expect(readFileSync(join(dir, 'glance.k8s.yaml'), 'utf8')).toContain('enabled_backends = default_backend:swift');
  });

  test('--help after another command is no help: the command is unknown', () => {
    expect(capture(['deploy', '--help'], () => '')).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "deploy"') });
  });

  test('a flag must start with two hyphens: an en dash pasted from a document is no flag', () => {
    expect(capture(['synth', '--from', '-', '\u2013-output', 'out'], () => glanceCr))
      .toMatchObject({ code: 2, err: expect.stringContaining('unknown option "\u2013-output"') });
  });

  test.each([
    [{ code: 'EACCES', path: '/srv/cr.yaml' }, '/srv/cr.yaml cannot be read or written (permission denied)'],
    [{ code: 'EROFS', path: '/srv/out' }, '/srv/out is on a read-only file system'],
    [{ code: 'EIO' }, 'a file failed: EIO'],
  ])('a file error %j is reported in words, exit 1', (error, words) => {
    expect(capture(['synth', '--from', '-'], failingStdin(error))).toEqual({ code: 1, out: '', err: `cdk8s-glance: ${words}\n` });
  });

  test.each([
    [{}],
    [{ code: 'ERR_STREAM_DESTROYED' }],
    [{ code: 'CERT_HAS_EXPIRED' }],
  ])('any other error %j is no file error: it is thrown', (error) => {
    expect(() => capture(['synth', '--from', '-'], failingStdin(error))).toThrow('failed');
  });
});
