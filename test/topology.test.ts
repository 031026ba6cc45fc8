/** apis.<name>.topologySpreadConstraints and affinity: how the replicas spread, as a glance-operator Topology gives it. */
import { expectInvalid, find, SCHEMAS, synthGlance, validateSchema } from './helpers';

const STS = 'glance-default-single';
const podOf = (manifests: any[]) => find(manifests, 'StatefulSet', STS).spec.template.spec;
const zoneSpread = { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' };
const zoneA = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-a'] }] }],
    },
  },
};

describe('topology', () => {
  test('by default: no spread constraint, and each replica prefers a node without another of its StatefulSet', () => {
    const pod = podOf(synthGlance({ apis: { default: {} } }));
    expect(pod.topologySpreadConstraints).toBeUndefined();
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm)
      .toEqual({
        labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'glance', 'glance.openstack.org/statefulset': STS } },
        topologyKey: 'kubernetes.io/hostname',
      });
  });

  test('a constraint without a labelSelector counts this StatefulSet\'s pods; one with its own keeps it', () => {
    const own = { ...zoneSpread, labelSelector: { matchLabels: { app: 'other' } } };
    const pod = podOf(synthGlance({ apis: { default: { topologySpreadConstraints: [zoneSpread, own as any] } } }));
    expect(pod.topologySpreadConstraints).toEqual([
      { ...zoneSpread, labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'glance', 'glance.openstack.org/statefulset': STS } } },
      own,
    ]);
  });

  test('an affinity replaces the library\'s; {} leaves none', () => {
    expect(podOf(synthGlance({ apis: { default: { affinity: zoneA as any } } })).affinity).toEqual(zoneA);
    expect(podOf(synthGlance({ apis: { default: { affinity: {} } } })).affinity).toEqual({});
  });

  test.each(Object.keys(SCHEMAS))('the StatefulSet validates against the %s schema', (schema) => {
    validateSchema(find(synthGlance({ apis: { default: { topologySpreadConstraints: [zoneSpread], affinity: zoneA as any } } }),
      'StatefulSet', STS), SCHEMAS[schema]);
  });

  test.each([
    ['[0].maxSkew', [{ ...zoneSpread, maxSkew: 0 }], '0'],
    ['[0].topologyKey', [{ ...zoneSpread, topologyKey: '' }], '""'],
    ['[0].whenUnsatisfiable', [{ ...zoneSpread, whenUnsatisfiable: 'Sometimes' }], 'Sometimes'],
    ['', { maxSkew: 1 }, 'maxSkew'],
  ])('topologySpreadConstraints%s that the API server would refuse is refused by its prop', (at, given, value) => {
    expectInvalid(() => synthGlance({ apis: { default: { topologySpreadConstraints: given as any } } }),
      `apis.default.topologySpreadConstraints${at}`, value);
  });

  test('an affinity that is no object is refused', () => {
    expectInvalid(() => synthGlance({ apis: { default: { affinity: 'zone-a' as any } } }), 'apis.default.affinity', 'zone-a');
  });
});
