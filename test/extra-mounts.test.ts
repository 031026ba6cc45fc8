/** extraMounts: volumes of the user's own (Secrets, a ConfigMap) in every glance-api container, read-only. */
import { GlanceApiType, ImageBackend } from '../lib';
import { expectInvalid, expectMountsResolve, expectRestrictedPod, find, ofKind, podSpecs, synthGlance } from './helpers';

const STATEFULSETS = ['glance-default-external', 'glance-default-internal', 'glance-edge-edge'];
const apiOf = (pod: any) => pod.containers.find((c: any) => c.name === 'glance-api');

describe('extraMounts', () => {
  const m = synthGlance({
    backend: ImageBackend.swift(),
    apis: { default: { type: GlanceApiType.SPLIT }, edge: { type: GlanceApiType.EDGE } },
    extraMounts: [
      { mountPath: '/etc/ceph/', secretNames: ['ceph-conf-files'] },
      { mountPath: '/etc/pki/s3', secretNames: ['s3-ca', 's3-ca-next'] },
      { mountPath: '/etc/glance/metadefs', configMapName: 'metadefs' },
    ],
  });

  test.each(STATEFULSETS)('%s: glance-api mounts each read-only, Secrets 0440 (several projected into one directory)', (name) => {
    const pod = find(m, 'StatefulSet', name).spec.template.spec;
    expect(pod.volumes.filter((v: any) => v.name.startsWith('extra-'))).toEqual([
      { name: 'extra-0', secret: { secretName: 'ceph-conf-files', defaultMode: 0o440 } },
      { name: 'extra-1', projected: { defaultMode: 0o440, sources: [{ secret: { name: 's3-ca' } }, { secret: { name: 's3-ca-next' } }] } },
      { name: 'extra-2', configMap: { name: 'metadefs' } },
    ]);
    expect(apiOf(pod).volumeMounts.filter((v: any) => v.name.startsWith('extra-'))).toEqual([
      { name: 'extra-0', mountPath: '/etc/ceph', readOnly: true },
      { name: 'extra-1', mountPath: '/etc/pki/s3', readOnly: true },
      { name: 'extra-2', mountPath: '/etc/glance/metadefs', readOnly: true },
    ]);
    expectRestrictedPod(pod);
  });

  test('only glance-api mounts them: no job, no init container', () => {
    const others = podSpecs(m).flatMap(({ spec }) => [...spec.initContainers ?? [],
      ...spec.containers.filter((c: any) => c.name !== 'glance-api')]);
    expect(others.length).toBeGreaterThan(0);
    expect(others.flatMap((c: any) => c.volumeMounts ?? []).filter((v: any) => v.name.startsWith('extra-'))).toEqual([]);
    expectMountsResolve(m);
  });

  test('none by default', () => {
    const plain = find(synthGlance({}), 'StatefulSet', 'glance-default-single').spec.template.spec;
    expect(plain.volumes.filter((v: any) => v.name.startsWith('extra-'))).toEqual([]);
    expect(ofKind(synthGlance({}), 'ConfigMap')).toEqual([]);
  });

  test.each([
    [{ mountPath: 'etc/ceph', secretNames: ['a'] }, 'extraMounts[0].mountPath', 'is not an absolute path'],
    [{ mountPath: '/etc/../ceph', secretNames: ['a'] }, 'extraMounts[0].mountPath', 'is not an absolute path'],
    [{ mountPath: '/', secretNames: ['a'] }, 'extraMounts[0].mountPath', 'would hide files of the image Glance needs'],
    [{ mountPath: '/etc', secretNames: ['a'] }, 'extraMounts[0].mountPath', 'would hide files of the image Glance needs'],
    [{ mountPath: '/etc/glance/', configMapName: 'c' }, 'extraMounts[0].mountPath', 'would hide files of the image Glance needs'],
    [{ mountPath: '/usr', configMapName: 'c' }, 'extraMounts[0].mountPath', 'would hide files of the image Glance needs'],
    [{ mountPath: '/etc/x' }, 'extraMounts[0]', 'gives not exactly one of secretNames and configMapName'],
    [{ mountPath: '/etc/x', secretNames: ['a'], configMapName: 'c' }, 'extraMounts[0]', 'gives not exactly one of secretNames and configMapName'],
    [{ mountPath: '/etc/x', secretNames: [] }, 'extraMounts[0].secretNames', 'is not a list of Secret names'],
    [{ mountPath: '/etc/x', secretNames: ['Bad_Name'] }, 'extraMounts[0].secretNames[0]', 'is not a Secret name'],
    [{ mountPath: '/etc/x', configMapName: 'Bad_Name' }, 'extraMounts[0].configMapName', 'is not a ConfigMap name'],
    [{ mountPath: '/var/lib/glance/extra', configMapName: 'c' }, 'extraMounts[0].mountPath', 'meets the library\'s mount at /var/lib/glance'],
    [{ mountPath: '/etc/glance/glance.conf.d', configMapName: 'c' }, 'extraMounts[0].mountPath',
      'meets the library\'s mount at /etc/glance/glance.conf.d'],
  ])('%j is refused', (mount, prop, problem) => {
    expectInvalid(() => synthGlance({ extraMounts: [mount as any] }), prop, problem);
  });

  test('a list of something else, and a place given twice, are refused', () => {
    expectInvalid(() => synthGlance({ extraMounts: 'x' as any }), 'extraMounts', 'is not a list');
    expectInvalid(() => synthGlance({ extraMounts: [{ mountPath: '/etc/x', configMapName: 'a' }, { mountPath: '/etc/x/', configMapName: 'b' }] }),
      'extraMounts[1].mountPath', 'is the place of an earlier extra mount');
  });

  test('a place a store mounts (an rbd store\'s /etc/ceph), or the policy directory, is refused', () => {
    const rbd = ImageBackend.rbd({ cephSecretName: 'ceph' });
    expectInvalid(() => synthGlance({ backend: rbd, extraMounts: [{ mountPath: '/etc/ceph', secretNames: ['x'] }] }),
      'extraMounts[0].mountPath', 'meets the library\'s mount at /etc/ceph');
    expectInvalid(() => synthGlance({ policyConfigMap: 'p', extraMounts: [{ mountPath: '/etc/glance/policy.d/more', configMapName: 'x' }] }),
      'extraMounts[0].mountPath', 'meets the library\'s mount at /etc/glance/policy.d');
  });

  test('a Secret of the library\'s own is not one to mount', () => {
    expectInvalid(() => synthGlance({ extraMounts: [{ mountPath: '/etc/x', secretNames: ['glance-default-single-config'] }] }),
      'extraMounts[0].secretNames[0]', 'glance-default-single-config');
  });
});
