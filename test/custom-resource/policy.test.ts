/**
 * A policy of the user's in a CR, as the glance-operator's policy sample gives it: a ConfigMap
 * mounted at /etc/glance/policy.d through extraMounts, and [oslo_policy] options naming a file of it.
 */
import { GlanceRelease } from '../../lib';
import { readCustomResource } from '../../lib/custom-resource';
import { expectInvalid, find } from '../helpers';
import { crOptions, glance, noStore, synthFromCr } from './cr-helpers';

const SAMPLE_CONFIG = '[oslo_policy]\npolicy_file=/etc/glance/policy.d/policy.yaml\nenforce_scope=true\nenforce_new_defaults=true\n';
const policyMount = (mountPath = '/etc/glance/policy.d/', configMap: unknown = { name: 'glance-policy' }) => ({
  name: 'v1',
  region: 'r1',
  extraVol: [{
    extraVolType: 'Policy',
    volumes: [{ name: 'glance-policy', configMap }],
    mounts: [{ name: 'glance-policy', mountPath, readOnly: true }],
  }],
});
/** The sample: an OpenStackControlPlane whose Glance template carries the mount and the options. */
const controlPlane = (customServiceConfig = SAMPLE_CONFIG, mounts: unknown[] = [policyMount()], planeMounts?: unknown[]) => ({
  kind: 'OpenStackControlPlane',
  metadata: { name: 'openstack' },
  spec: {
    glance: { template: { customServiceConfig, glanceAPIs: { default: { replicas: 1 } }, storage: { storageRequest: '10G' }, extraMounts: mounts } },
    ...(planeMounts ? { extraMounts: planeMounts } : {}),
    tls: { podLevel: { enabled: false } },
  },
});
const options = () => ({ ...noStore(), publicUrl: 'https://glance.example.com' });
const read = (cr: unknown, more = {}) => readCustomResource(cr, { ...options(), ...more }).props;

describe('the glance-operator\'s policy sample', () => {
  test('the ConfigMap becomes policyConfigMap, and the [oslo_policy] options leave customServiceConfig', () => {
    const props = read(controlPlane());
    expect(props.policyConfigMap).toBe('glance-policy');
    expect(props.customServiceConfig).toBeUndefined();
  });

  test('glance-api mounts it where the sample does, and oslo.policy reads every file of it after the library\'s policy file', () => {
    const manifests = synthFromCr(controlPlane(), { ...crOptions(), publicUrl: 'https://glance.example.com' });
    const pod = find(manifests, 'StatefulSet', 'glance-default-external-api').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'policy', configMap: { name: 'glance-policy' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'policy', mountPath: '/etc/glance/policy.d', readOnly: true });
  });

  test('options beside them stay the user\'s', () => {
    expect(read(controlPlane(`${SAMPLE_CONFIG}[DEFAULT]\ndebug = true\n`)).customServiceConfig).toBe('[DEFAULT]\ndebug = true\n');
  });

  test('the mount from the control plane\'s own extraMounts, propagated to Glance, is read too', () => {
    const mount = { ...policyMount('/etc/glance/policy.d'), extraVol: policyMount().extraVol.map((v) => ({ ...v, propagation: ['Glance'] })) };
    expect(read(controlPlane(SAMPLE_CONFIG, [], [mount])).policyConfigMap).toBe('glance-policy');
  });

  test('without the mount, a policy_file is refused as a policy of the user\'s, by its CR path', () => {
    expectInvalid(() => read(controlPlane(SAMPLE_CONFIG, [])), 'spec.glance.template.customServiceConfig', /\[oslo_policy\] policy_file/);
  });

  test.each([
    ['a policy_file outside the mounted directory', '[oslo_policy]\npolicy_file=/etc/glance/other/policy.yaml\n', /policy_file/],
    ['a policy_file in a directory below it', '[oslo_policy]\npolicy_file=/etc/glance/policy.d/sub/policy.yaml\n', /policy_file/],
    ['a policy_file in a look-alike directory', '[oslo_policy]\npolicy_file=/etc/glance/policyXd/policy.yaml\n', /policy_file/],
    ['the scope checks off', '[oslo_policy]\npolicy_file=/etc/glance/policy.d/policy.yaml\nenforce_scope=false\n', /enforce_scope/],
    ['another policy option', '[oslo_policy]\npolicy_dirs=/tmp\n', /policy_dirs/],
  ])('%s is refused by its CR path', (_what, config, option) => {
    expectInvalid(() => read(controlPlane(config)), 'spec.glance.template.customServiceConfig', option);
  });

  test('before 2023.1, where the library does not enforce the new defaults, enforce_new_defaults = true stays and is refused', () => {
    expectInvalid(() => read(controlPlane(), { release: GlanceRelease.ZED }), 'spec.glance.template.customServiceConfig',
      /enforce_scope|enforce_new_defaults/);
  });

  test('a ConfigMap volume whose name Kubernetes would reject is refused by its path', () => {
    expectInvalid(() => read(controlPlane(SAMPLE_CONFIG, [policyMount(undefined, { items: [] })])),
      'spec.glance.template.extraMounts[0].extraVol[0].volumes', 'ConfigMap');
  });

  test('a ConfigMap mounted elsewhere is mounted as it is (extraMounts), and the policy_file it does not hold is refused', () => {
    const props = read(controlPlane('[DEFAULT]\ndebug = true\n', [policyMount('/etc/glance/policies')]));
    expect([props.policyConfigMap, props.extraMounts]).toEqual([undefined, [{ mountPath: '/etc/glance/policies', configMapName: 'glance-policy' }]]);
    expectInvalid(() => read(controlPlane(SAMPLE_CONFIG, [policyMount('/etc/glance/policies')])),
      'spec.glance.template.customServiceConfig', 'policy_file');
  });

  test('a bare Glance CR with the same mount and options reads the same', () => {
    const props = read(glance({ customServiceConfig: SAMPLE_CONFIG, extraMounts: [policyMount()] }));
    expect(props.policyConfigMap).toBe('glance-policy');
    expect(props.customServiceConfig).toBeUndefined();
  });
});

describe('a control plane\'s Glance template has extraMounts of its own', () => {
  const cephMount = (secretName: string) => ({
    extraVol: [{ volumes: [{ name: 'ceph', secret: { secretName } }], mounts: [{ name: 'ceph', mountPath: '/etc/ceph' }] }],
  });
  const rbd = '[DEFAULT]\nenabled_backends = default_backend:rbd\n';
  const cephSecretsOf = (cr: unknown) => find(synthFromCr(cr, options()), 'StatefulSet', 'glance-default-external-api').spec.template.spec
    .volumes.filter((v: any) => v.projected || v.secret?.secretName.startsWith('ceph'))
    .flatMap((v: any) => (v.secret ? [v.secret.secretName] : v.projected.sources.map((s: any) => s.secret.name)));

  test('the template\'s (the glance-operator\'s image_cache sample): the Ceph Secret it mounts is the rbd store\'s', () => {
    expect(cephSecretsOf(controlPlane(rbd, [cephMount('ceph-conf-files')]))).toEqual(['ceph-conf-files']);
  });

  test('the template\'s, then the control plane\'s, which openstack-operator appends to them', () => {
    expect(cephSecretsOf(controlPlane(rbd, [cephMount('ceph-a')], [cephMount('ceph-b')]))).toEqual(['ceph-a', 'ceph-b']);
  });
});
