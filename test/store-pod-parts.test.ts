/**
 * How several stores' pod parts become one pod (ImageBackend.multi()). Today's stores meet only
 * some of these rules (two Ceph clusters at /etc/ceph, two Cinder stores' equal host paths, two
 * S3 CA volumes): the rest keep a store added later from silently overwriting another's files.
 */
import { expectInvalid } from './helpers';
import { GlanceValidationError } from '../lib/errors';
import { storeOfMulti } from '../lib/stores/context';
import { mergePodParts, StorePodParts } from '../lib/stores/pod-parts';

/** The stores' pod parts by store name, as ImageBackend.multi() merges them. */
const merge = (parts: Array<[string, StorePodParts]>) => mergePodParts(parts.map(([name, part]) => [storeOfMulti(name), part]));

const secretAt = (name: string, secretName: string, mountPath: string, items?: Array<{ key: string; path: string }>) => ({
  volumes: [{ name, secret: { secretName, ...(items ? { items } : {}) } }],
  mounts: [{ name, mountPath, readOnly: true }],
});

test('volume names that clash get -2, -3 ..., and each mount follows its own volume', () => {
  const merged = merge([
    ['a', secretAt('ca', 'ca-a', '/etc/a')],
    ['b', {
      volumes: [{ name: 'other', emptyDir: {} }, { name: 'ca', secret: { secretName: 'ca-b' } }],
      mounts: [{ name: 'ca', mountPath: '/etc/b' }],
    }],
    ['c', secretAt('ca', 'ca-c', '/etc/c')],
  ]);
  expect(merged.volumes).toEqual([
    { name: 'ca', secret: { secretName: 'ca-a' } },
    { name: 'ca-2', secret: { secretName: 'ca-b' } },
    { name: 'ca-3', secret: { secretName: 'ca-c' } },
  ]);
  expect(merged.mounts).toEqual([
    { name: 'ca', mountPath: '/etc/a', readOnly: true },
    { name: 'ca-2', mountPath: '/etc/b' },
    { name: 'ca-3', mountPath: '/etc/c', readOnly: true },
  ]);
  expect(merged).not.toHaveProperty('env');
  expect(merged).not.toHaveProperty('securityContext');
});

test('one volume with several mounts (files of one ConfigMap at several paths) stays one volume; hostPID holds for the pod', () => {
  const tools = (name: string) => ({
    volumes: [{ name, configMap: { name: 'tools' } }],
    mounts: [{ name, mountPath: '/usr/sbin/a', subPath: 'run' }, { name, mountPath: '/usr/sbin/b', subPath: 'run' }],
  });
  const merged = merge([['x', secretAt('tools', 'x', '/etc/x')], ['a', { ...tools('tools'), hostPID: true }], ['b', tools('tools')]]);
  expect(merged.volumes).toEqual([{ name: 'tools', secret: { secretName: 'x' } }, { name: 'tools-2', configMap: { name: 'tools' } }]);
  expect(merged.mounts.map((mount) => [mount.name, mount.mountPath])).toEqual([
    ['tools', '/etc/x'], ['tools-2', '/usr/sbin/a'], ['tools-2', '/usr/sbin/b'],
  ]);
  expect(merged.hostPID).toBe(true);
  expect(merge([['b', tools('tools')]])).not.toHaveProperty('hostPID');
});

test('equal volumes at one path are one volume', () => {
  const dev = { volumes: [{ name: 'dev', hostPath: { path: '/dev' } }], mounts: [{ name: 'dev', mountPath: '/dev' }] };
  expect(merge([['a', dev], ['b', dev]])).toEqual({ volumes: dev.volumes, mounts: dev.mounts });
});

test('Secrets at one read-only path are projected together, items kept, each Secret once', () => {
  const merged = merge([
    ['a', secretAt('ceph', 'ceph-a', '/etc/ceph', [{ key: 'k', path: 'a.keyring' }])],
    ['b', secretAt('ceph', 'ceph-b', '/etc/ceph')],
    ['c', secretAt('ceph', 'ceph-b', '/etc/ceph')],
  ]);
  expect(merged.volumes).toEqual([{
    name: 'ceph',
    projected: {
      defaultMode: 0o440,
      sources: [{ secret: { name: 'ceph-a', items: [{ key: 'k', path: 'a.keyring' }] } },
        { secret: { name: 'ceph-b' } }],
    },
  }]);
  expect(merged.mounts).toEqual([{ name: 'ceph', mountPath: '/etc/ceph', readOnly: true }]);
});

test.each([
  ['two different volumes', { volumes: [{ name: 'x', emptyDir: {} }], mounts: [{ name: 'x', mountPath: '/etc/ceph' }] },
    secretAt('y', 's', '/etc/ceph')],
  ['a Secret at a writable mount', secretAt('x', 's1', '/etc/ceph'),
    { volumes: [{ name: 'y', secret: { secretName: 's2' } }], mounts: [{ name: 'y', mountPath: '/etc/ceph' }] }],
  ['a projection of a ConfigMap beside a Secret', secretAt('x', 's1', '/etc/ceph'),
    {
      volumes: [{ name: 'y', projected: { sources: [{ configMap: { name: 'm' } }] } }],
      mounts: [{ name: 'y', mountPath: '/etc/ceph', readOnly: true }],
    }],
  ['a projection of a Secret and a ConfigMap', secretAt('x', 's1', '/etc/ceph'),
    {
      volumes: [{ name: 'y', projected: { sources: [{ secret: { name: 's2' } }, { configMap: { name: 'm' } }] } }],
      mounts: [{ name: 'y', mountPath: '/etc/ceph', readOnly: true }],
    }],
  ['a projection without sources', secretAt('x', 's1', '/etc/ceph'),
    { volumes: [{ name: 'y', projected: {} }], mounts: [{ name: 'y', mountPath: '/etc/ceph', readOnly: true }] }],
  ['a Secret beside a writable mount of the first store', {
    volumes: [{ name: 'a', secret: { secretName: 'a' } }, { name: 'w', secret: { secretName: 'w' } }],
    mounts: [{ name: 'a', mountPath: '/etc/a', readOnly: true }, { name: 'w', mountPath: '/etc/ceph' }],
  }, secretAt('y', 's', '/etc/ceph')],
  ['a projection with more than a Secret in one source', secretAt('x', 's1', '/etc/ceph'),
    {
      volumes: [{ name: 'y', projected: { sources: [{ secret: { name: 's2' }, configMap: { name: 'm' } }] } }],
      mounts: [{ name: 'y', mountPath: '/etc/ceph', readOnly: true }],
    }],
])('%s at one path: the second store is refused', (_name, first, second) => {
  const error = expectInvalid(() => merge([['ceph0', first as any], ['swift0', second as any]]), 'backend.stores.swift0',
    'needs a volume of its own at /etc/ceph, where store "ceph0" mounts another (got "/etc/ceph"). '
    + 'Fix: combine stores that need different files there');
  expect(error).toBeInstanceOf(GlanceValidationError);
});

test('a projection of Secrets joins a Secret', () => {
  const projected = {
    volumes: [{ name: 'y', projected: { sources: [{ secret: { name: 's2' } }] } }],
    mounts: [{ name: 'y', mountPath: '/etc/ceph', readOnly: true }],
  };
  expect(merge([['a', secretAt('x', 's1', '/etc/ceph')], ['b', projected]]).volumes)
    .toEqual([{ name: 'x', projected: { defaultMode: 0o440, sources: [{ secret: { name: 's1' } }, { secret: { name: 's2' } }] } }]);
});

const withEnv = (value: string) => ({ volumes: [], mounts: [], env: [{ name: 'OS_X__KEY', value }] });

test('the environment has one entry per variable', () => {
  expect(merge([['a', withEnv('1')], ['b', withEnv('1')], ['c', { volumes: [], mounts: [], env: [{ name: 'OS_Y__KEY', value: '2' }] }]]).env)
    .toEqual([{ name: 'OS_X__KEY', value: '1' }, { name: 'OS_Y__KEY', value: '2' }]);
});

test('two stores may not set one variable differently', () => {
  expect(() => merge([['a', withEnv('1')], ['b', withEnv('2')]])).toThrow('two stores set OS_X__KEY differently');
});

const privileged = { volumes: [], mounts: [], securityContext: { privileged: true } };

test('one store\'s security context is the pod\'s, whatever the order', () => {
  expect(merge([['a', { volumes: [], mounts: [] }], ['b', privileged], ['c', privileged]]).securityContext).toEqual({ privileged: true });
  expect(merge([['a', privileged], ['b', { volumes: [], mounts: [] }]]).securityContext).toEqual({ privileged: true });
});

test('two stores may not need different security contexts', () => {
  expect(() => merge([['a', privileged], ['b', { volumes: [], mounts: [], securityContext: { privileged: false } }]]))
    .toThrow('two stores need different security contexts');
});
