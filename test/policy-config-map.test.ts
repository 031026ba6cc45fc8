/** policyConfigMap: oslo.policy files of the user's, mounted where glance-api reads them after the library's policy file. */
import { GlanceApiType, ImageBackend } from '../lib';
import { find, glanceConf, expectInvalid, expectMountsResolve, ofKind, synthGlance } from './helpers';

const STATEFULSETS = ['glance-default-external', 'glance-default-internal', 'glance-edge-edge'];

describe('policyConfigMap', () => {
  const withPolicy = synthGlance({
    policyConfigMap: 'glance-policy',
    backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf-files' }),
    imageCache: { size: '10Gi' },
    apis: { default: { replicas: 2 }, edge: { type: GlanceApiType.EDGE } },
  }, 'openstack');

  test.each(STATEFULSETS)('%s: glance-api mounts the ConfigMap read-only at /etc/glance/policy.d', (name) => {
    const pod = find(withPolicy, 'StatefulSet', name).spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'policy', configMap: { name: 'glance-policy' } });
    const api = pod.containers.find((c: any) => c.name === 'glance-api');
    expect(api.volumeMounts).toContainEqual({ name: 'policy', mountPath: '/etc/glance/policy.d', readOnly: true });
  });

  test.each(STATEFULSETS)('%s: oslo.policy reads that directory after the library\'s policy file, whose rules stay', (name) => {
    const policy = glanceConf(withPolicy, name).oslo_policy;
    expect(policy.policy_dirs).toBe('/etc/glance/policy.d');
    expect(policy.policy_file).toBe('/etc/glance/glance.conf.d/policy.yaml');
    expect(policy.enforce_new_defaults).toBe('true');
  });

  test('only glance-api mounts it: the jobs enforce no policy', () => {
    const mounting = [...ofKind(withPolicy, 'CronJob').map((c) => c.spec.jobTemplate.spec.template.spec), ...ofKind(withPolicy, 'Job')
      .map((j) => j.spec.template.spec)].filter((spec) => (spec.volumes ?? []).some((v: any) => v.configMap));
    expect(mounting).toEqual([]);
    expectMountsResolve(withPolicy);
  });

  test('without it, no policy directory and no ConfigMap volume', () => {
    const without = synthGlance({ apis: { default: {} } });
    const pod = find(without, 'StatefulSet', 'glance-default-single').spec.template.spec;
    expect(pod.volumes.some((v: any) => v.configMap)).toBe(false);
    expect(glanceConf(without, 'glance-default-single').oslo_policy.policy_dirs).toBeUndefined();
  });

  test.each(['Glance-Policy', 'glance_policy', '', 'a'.repeat(254)])('a name Kubernetes would reject (%s) is refused by the prop', (name) => {
    expectInvalid(() => synthGlance({ policyConfigMap: name }), 'policyConfigMap', name === '' ? '' : name.slice(0, 20));
  });

  test('customServiceConfig may not name another policy directory', () => {
    expectInvalid(() => synthGlance({ policyConfigMap: 'glance-policy', customServiceConfig: '[oslo_policy]\npolicy_dirs = /tmp\n' }),
      'customServiceConfig', /policy_dirs/);
  });
});
