/**
 * topologyRef: the Topology resource (infra-operator, topology.openstack.org) in the same YAML as
 * the CR, applied as the glance-operator applies it (Topology.ApplyTo, EnsureTopologyRef).
 */
import { stringify } from 'yaml';
import { crOptions, synthFromCr } from './cr-helpers';
import { expectInvalid, find } from '../helpers';

const zoneSpread = { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' };
const zoneA = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-a'] }] }],
    },
  },
};
const topology = (name: string, spec: object) => ({ apiVersion: 'topology.openstack.org/v1beta1', kind: 'Topology', metadata: { name }, spec });
const glanceCr = (spec: object, namespace = 'openstack') => ({
  apiVersion: 'glance.openstack.org/v1beta1',
  kind: 'Glance',
  metadata: { name: 'glance', namespace },
  spec: { storage: { storageRequest: '10Gi' }, keystoneEndpoint: 'default', ...spec },
});
const yamlOf = (...docs: object[]) => docs.map((d) => stringify(d)).join('---\n');
const podOf = (manifests: any[], sts: string) => find(manifests, 'StatefulSet', sts).spec.template.spec;
const selector = (sts: string) => ({ matchLabels: { 'app.kubernetes.io/name': 'glance', 'glance.openstack.org/statefulset': sts } });

describe('topologyRef', () => {
  const apis = { default: { type: 'single' }, edge: { type: 'edge', topologyRef: { name: 'edge-zone' } } };
  const manifests = synthFromCr(yamlOf(
    glanceCr({ glanceAPIs: apis, topologyRef: { name: 'spread' } }),
    topology('spread', { topologySpreadConstraints: [zoneSpread] }),
    topology('edge-zone', { affinity: zoneA }),
  ), crOptions());

  test('the Glance\'s: its spread constraints, each counting the API\'s own pods; no affinity, as the Topology has none', () => {
    const pod = podOf(manifests, 'glance-default-single');
    expect(pod.topologySpreadConstraints).toEqual([{ ...zoneSpread, labelSelector: selector('glance-default-single') }]);
    expect(pod.affinity).toEqual({});
  });

  test('an API\'s own wins over the Glance\'s: its affinity, and no spread constraint', () => {
    const pod = podOf(manifests, 'glance-edge-edge-api');
    expect(pod.affinity).toEqual(zoneA);
    expect(pod.topologySpreadConstraints).toBeUndefined();
  });

  test('a control plane\'s spec.topologyRef, which its Glance takes where the template has none', () => {
    const plane = {
      apiVersion: 'core.openstack.org/v1beta1',
      kind: 'OpenStackControlPlane',
      metadata: { name: 'openstack', namespace: 'openstack' },
      spec: {
        topologyRef: { name: 'spread' },
        tls: { podLevel: { enabled: false } },
        glance: { template: { storage: { storageRequest: '10Gi' }, glanceAPIs: { default: { type: 'single' } } } },
      },
    };
    const pod = podOf(synthFromCr(yamlOf(plane, topology('spread', { topologySpreadConstraints: [zoneSpread] })),
      { ...crOptions(), publicUrl: 'https://glance.example.com' }), 'glance-default-single');
    expect(pod.topologySpreadConstraints).toHaveLength(1);
  });

  test('a Topology the input does not hold is refused by the topologyRef that names it', () => {
    expectInvalid(() => synthFromCr(yamlOf(glanceCr({ glanceAPIs: apis, topologyRef: { name: 'spread' } }), topology('spread', {})), crOptions()),
      'spec.glanceAPIs.edge.topologyRef', 'names the Topology "edge-zone", which the input does not hold');
  });

  test('another namespace is refused, as the operator\'s webhook refuses it', () => {
    const other = { glanceAPIs: { default: { type: 'single' } }, topologyRef: { name: 'spread', namespace: 'other' } };
    expectInvalid(() => synthFromCr(yamlOf(glanceCr(other),
      topology('spread', {})), crOptions()), 'spec.topologyRef.namespace', 'other');
  });

  test('a constraint of the Topology that the API server would refuse is named in the Topology', () => {
    expectInvalid(() => synthFromCr(yamlOf(glanceCr({ glanceAPIs: { default: { type: 'single' } }, topologyRef: { name: 'spread' } }),
      topology('spread', { topologySpreadConstraints: [{ ...zoneSpread, maxSkew: 0 }] })), crOptions()),
    'Topology spread spec.topologySpreadConstraints[0].maxSkew', '0');
  });
});
