/**
 * The pod sandbox builds what the kubelet builds. Root only, like the e2e suite: each property
 * the e2e relies on is checked from inside a sandbox of the synthesized NFS example.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { imageCacheNfs } from '../../examples/image-cache-nfs';
import { GlanceApiType, ImageBackend } from '../../lib';
import { find, Manifest, synthApp, synthGlance } from '../helpers';
import { expandKubeletVars, SandboxNode } from './pod-sandbox';

const STS = 'glance-default-single';
let node: SandboxNode;
let manifests: Manifest[];

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('the pod sandbox tests run as root: sudo npx projen test:ci');
  manifests = synthApp(imageCacheNfs);
  node = new SandboxNode(manifests, 'openstack', {
    'glance-db': { connection: 'mysql+pymysql://glance:secret@openstack.openstack.svc/glance' },
    'osp-secret': { GlancePassword: 'keystone-secret' },
  }, { 'openstack.openstack.svc': '127.0.2.1' });
});

afterAll(() => node?.destroy());

/** Runs a shell line inside a pod's container and returns its stdout; fails on a non-zero exit. */
async function sh(kind: 'StatefulSet' | 'CronJob' | 'Job', name: string, line: string, replica?: number): Promise<string> {
  const pod = node.pod(kind, name, replica);
  const result = await pod.run({ exec: ['/bin/sh', '-c', line] });
  if (result.code !== 0) throw new Error(`${line}: exit ${result.code}\n${result.stderr}`);
  return result.stdout.trim();
}

test('kubelet expansion of $(VAR): earlier entries only, $$ escapes, unknown names stay', () => {
  expect(expandKubeletVars('http://$(POD_NAME).x:$(PORT)', { POD_NAME: 'p-0', PORT: '9292' })).toBe('http://p-0.x:9292');
  expect(expandKubeletVars('$$(POD_NAME) $(MISSING)', { POD_NAME: 'p-0' })).toBe('$(POD_NAME) $(MISSING)');
});

test('the root filesystem is read-only, and the image is the Debian root with Glance', async () => {
  const out = await sh('CronJob', `${STS}-0-pruner`,
    'for p in / /etc /usr /var/lib/glance; do touch $p/probe 2>/dev/null && echo "$p writable" || echo "$p read-only"; done; test -x ' +
      '/usr/bin/glance-cache-pruner && echo glance');
  expect(out.split('\n')).toEqual(['/ read-only', '/etc read-only', '/usr read-only', '/var/lib/glance read-only', 'glance']);
});

test('the process runs as the pod\'s user and groups, without capabilities or new privileges', async () => {
  const out = await sh('StatefulSet', STS,
    'id -u; id -g; id -G; grep -E "^(CapEff|CapPrm|CapBnd|NoNewPrivs):" /proc/self/status | tr -s "\\t " " "', 0);
  expect(out.split('\n')).toEqual(['42415', '42415', '42415', 'CapPrm: 0000000000000000', 'CapEff: 0000000000000000', 'CapBnd: 0000000000000000',
    'NoNewPrivs: 1']);
});

test('only the declared volumes are mounted, writable ones writable, the Secret read-only with its mode and group', async () => {
  const writable = await sh('CronJob', `${STS}-1-cleaner`,
    'awk \'$5 != "/" && $5 !~ /^\\/(proc|dev)(\\/|$)/ && $6 ~ /^rw/ {print $5}\' /proc/self/mountinfo | sort');
  expect(writable.split('\n')).toEqual(['/tmp', '/var/lib/glance/image-cache']);
  const secret = await sh('CronJob', `${STS}-1-cleaner`,
    'stat -L -c "%a %u %g" /etc/glance/glance.conf.d/00-glance.conf; readlink /etc/glance/glance.conf.d/00-glance.conf; '
    + 'touch /etc/glance/glance.conf.d/x 2>/dev/null || echo read-only');
  // As the kubelet writes a Secret volume: each key a symlink through ..data, the file with its mode and group.
  expect(secret.split('\n')).toEqual(['440 0 42415', '..data/00-glance.conf', 'read-only']);
  const api = await sh('StatefulSet', STS, 'awk \'$6 ~ /^rw/ {print $5}\' /proc/self/mountinfo | grep -E "^/(tmp|var)" | sort', 0);
  expect(api.split('\n')).toEqual(['/tmp', '/var/lib/glance', '/var/lib/glance/image-cache', '/var/lib/glance/images']);
});

test('an emptyDir is a tmpfs of its sizeLimit', async () => {
  // The cache jobs' /tmp has a sizeLimit of 256Mi.
  const out = await sh('CronJob', `${STS}-0-cleaner`,
    'df -B1 --output=size /tmp | tail -1; dd if=/dev/zero of=/tmp/fill bs=1M count=300 2>&1 | grep -o "No space left on device" || true');
  const [size, dd] = out.split('\n');
  expect(Number(size)).toBe(256 * 1024 * 1024);
  expect(dd).toMatch(/No space left on device/);
});

test('a claim outlives its pods, is shared by the pods that mount it, and is limited to its request', async () => {
  await sh('CronJob', `${STS}-2-pruner`, 'echo from-the-pruner > /var/lib/glance/image-cache/probe');
  expect(await sh('CronJob', `${STS}-2-cleaner`, 'cat /var/lib/glance/image-cache/probe')).toBe('from-the-pruner');
  expect(await sh('StatefulSet', STS, 'cat /var/lib/glance/image-cache/probe', 2)).toBe('from-the-pruner');
  expect(await sh('CronJob', `${STS}-1-cleaner`, 'ls /var/lib/glance/image-cache')).not.toContain('probe');
  expect(readFileSync(join(node.claimDir(`glance-cache-${STS}-2`), 'probe'), 'utf8')).toBe('from-the-pruner\n');
  // 20Gi requested in the NFS example; fsGroup ownership applied.
  expect(await sh('CronJob', `${STS}-2-pruner`,
    'df -B1 --output=size /var/lib/glance/image-cache | tail -1; stat -c "%a %g" /var/lib/glance/image-cache'))
    .toBe(`${20 * 1024 ** 3}\n2775 42415`);
  writeFileSync(join(node.claimDir(`glance-cache-${STS}-2`), 'probe'), '');
});

test('env is built as the kubelet builds it: fieldRefs, $(VAR) expansion, secretKeyRefs, image env', async () => {
  const out = await sh('StatefulSet', STS,
    'echo "$OS_DEFAULT__WORKER_SELF_REFERENCE_URL"; echo "$OS_DATABASE__CONNECTION"; echo "$OS_KEYSTONE_AUTHTOKEN__PASSWORD"; echo "$HOSTNAME ' +
      '$(hostname)"; echo "$PATH"', 1);
  expect(out.split('\n')).toEqual([
    `http://${STS}-1.${STS}.openstack.svc:9292`,
    'mysql+pymysql://glance:secret@openstack.openstack.svc/glance',
    'keystone-secret',
    `${STS}-1 ${STS}-1`,
    '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  ]);
  // The cache jobs get only what their manifest gives them, and name their replica as its API does.
  expect(await sh('CronJob', `${STS}-1-pruner`,
    'env | cut -d= -f1 | sort | tr "\\n" " "')).toBe('HOME HOSTNAME LANG OS_DEFAULT__WORKER_SELF_REFERENCE_URL PATH POD_NAMESPACE PWD');
  for (const kind of ['pruner', 'cleaner']) {
    expect(await sh('CronJob', `${STS}-1-${kind}`, 'echo "$OS_DEFAULT__WORKER_SELF_REFERENCE_URL"')).toBe(out.split('\n')[0]);
  }
});

test('every replica and Service resolves to its own address, as cluster DNS would', async () => {
  const out = await sh('CronJob', `${STS}-0-pruner`, [0, 1, 2].map((n) => `getent hosts ${STS}-${n}.${STS}.openstack.svc`).join('; ')
    + '; getent hosts glance-default-public.openstack.svc; getent hosts openstack.openstack.svc');
  expect(out.split('\n').map((line) => line.split(/\s+/)[0])).toEqual(['127.0.1.1', '127.0.1.2', '127.0.1.3', '127.0.1.1', '127.0.2.1']);
  expect(node.address(`${STS}-2`)).toBe('127.0.1.3');
});

describe('regression: the first release\'s cache jobs could not start in their pods', () => {
  test('today\'s pruner starts and prunes in its sandbox', async () => {
    const result = await node.pod('CronJob', `${STS}-0-pruner`).run();
    expect({ code: result.code, stderr: result.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
  });

  test('with the old lock_path, the same pruner fails at start: the sandbox catches what a cluster would', async () => {
    const old = JSON.parse(JSON.stringify(manifests)) as Manifest[];
    const secret = find(old, 'Secret', `${STS}-config`);
    secret.stringData['00-glance.conf'] = secret.stringData['00-glance.conf'].replace(/lock_path = .*/, 'lock_path = /var/lib/glance/tmp');
    const oldNode = new SandboxNode(old, 'openstack', {});
    try {
      const result = await oldNode.pod('CronJob', `${STS}-0-pruner`).run();
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("Read-only file system: b'/var/lib/glance/tmp'");
    } finally {
      oldNode.destroy();
    }
  });
});

test('the image stores\' volumes: Secrets projected together, an NFS export shared by pods, the node\'s paths read-only', async () => {
  const stores = synthGlance({
    backend: ImageBackend.multi({
      stores: {
        a: ImageBackend.rbd({ cephSecretName: 'ceph-a', cluster: 'a' }),
        b: ImageBackend.rbd({ cephSecretName: 'ceph-b', cluster: 'b' }),
        files: ImageBackend.file({ sharedStore: { nfs: { server: '192.0.2.5', path: '/exports/glance' } } }),
        volumes: ImageBackend.cinder({ allowPrivilegedAttach: true }),
      },
      defaultStore: 'a',
    }),
    apis: { default: { type: GlanceApiType.SINGLE, replicas: 2 } },
  });
  const storeNode = new SandboxNode(stores, 'openstack', {
    'glance-db': { connection: 'x' },
    'osp-secret': { GlancePassword: 'p' },
    'ceph-a': { 'a.conf': 'cluster a\n' },
    'ceph-b': { 'b.conf': 'cluster b\n' },
  });
  const run = async (replica: number, line: string) => {
    const result = await storeNode.pod('StatefulSet', STS, replica).run({ exec: ['/bin/sh', '-c', line] });
    if (result.code !== 0) throw new Error(`${line}: exit ${result.code}\n${result.stderr}`);
    return result.stdout.trim().split('\n');
  };
  try {
    expect(await run(0,
      'ls /etc/ceph; cat /etc/ceph/a.conf /etc/ceph/b.conf; stat -L -c "%a %g" /etc/ceph/a.conf; echo image > /var/lib/glance/images/f; '
      + 'touch /sys/x 2>/dev/null || echo "/sys read-only"; test -c /dev/null && echo "/dev has devices"'))
      .toEqual(['a.conf', 'b.conf', 'cluster a', 'cluster b', '440 42415', '/sys read-only', '/dev has devices']);
    expect(await run(1, 'cat /var/lib/glance/images/f')).toEqual(['image']);
  } finally {
    storeNode.destroy();
  }
});
