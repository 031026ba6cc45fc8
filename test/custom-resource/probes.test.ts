/**
 * The probes' timing from a CR, as the glance-operator sets it: GetDefaultProbesAPI(apiTimeout)
 * (internal/glance/funcs.go), override.probes merged over it (lib-common ProbeConf.Merge).
 */
import { glance, synthFromCr } from './cr-helpers';
import { expectInvalid, find } from '../helpers';

const probesOf = (spec: any) => {
  const api = find(synthFromCr(glance(spec)), 'StatefulSet', 'glance-default-single').spec.template.spec.containers
    .find((c: any) => c.name === 'glance-api');
  return Object.fromEntries(['liveness', 'readiness', 'startup'].map((probe) => {
    const p = api[`${probe}Probe`];
    return [probe, [p.initialDelaySeconds ?? 0, p.timeoutSeconds, p.periodSeconds, p.failureThreshold]];
  }));
};
const single = (api: object = {}, more: object = {}) => ({ glanceAPIs: { default: { type: 'single', ...api } }, ...more });

describe('probes from a CR: [initialDelaySeconds, timeoutSeconds, periodSeconds, failureThreshold]', () => {
  test('apiTimeout 60 (the default): checks every 18 s with a 14 s timeout, the startup every 9 s up to 12 times, each after 5 s', () => {
    expect(probesOf(single())).toEqual({ liveness: [5, 14, 18, 3], readiness: [5, 14, 18, 3], startup: [5, 5, 9, 12] });
  });

  test('the Glance\'s apiTimeout, and an API\'s own over it', () => {
    expect(probesOf(single({}, { apiTimeout: 120 })).liveness).toEqual([5, 28, 36, 3]);
    expect(probesOf(single({}, { apiTimeout: 120 })).startup).toEqual([5, 5, 10, 12]);
    expect(probesOf(single({ apiTimeout: 30 }, { apiTimeout: 120 })).readiness).toEqual([5, 7, 9, 3]);
    // 0.3 x 25 = 7.5: the operator's int32 conversions truncate (period 7, timeout 5.6 -> 5, startup 3.5 -> 5).
    expect(probesOf(single({ apiTimeout: 25 }))).toEqual({ liveness: [5, 5, 7, 3], readiness: [5, 5, 7, 3], startup: [5, 5, 5, 12] });
  });

  test('an apiTimeout under 4 gives a period of 0, which the API server makes 10', () => {
    expect(probesOf(single({ apiTimeout: 3 })).liveness).toEqual([5, 5, 10, 3]);
  });

  test('override.probes: each positive value replaces the operator\'s, a 0 keeps it', () => {
    const probes = { livenessProbes: { periodSeconds: 30, failureThreshold: 0 }, startupProbes: { failureThreshold: 30, initialDelaySeconds: 0 } };
    expect(probesOf(single({ override: { probes } }))).toEqual({ liveness: [5, 14, 30, 3], readiness: [5, 14, 18, 3], startup: [5, 5, 9, 30] });
  });

  test('the operator\'s own handler, written out, is accepted', () => {
    const probes = { readinessProbes: { type: 'HTTP', path: '/healthcheck', port: 9292, periodSeconds: 7 } };
    expect(probesOf(single({ override: { probes } })).readiness).toEqual([5, 14, 7, 3]);
  });

  test.each([
    ['type', { livenessProbes: { type: 'Exec', command: ['true'] } }, 'livenessProbes.type'],
    ['path', { readinessProbes: { path: '/' } }, 'readinessProbes.path'],
    ['port', { startupProbes: { port: 8080 } }, 'startupProbes.port'],
    ['scheme', { startupProbes: { scheme: 'HTTP' } }, 'startupProbes.scheme'],
  ])('a probe with another %s is refused by its path', (_what, probes, field) => {
    expectInvalid(() => synthFromCr(glance(single({ override: { probes } }))), `spec.glanceAPIs.default.override.probes.${field}`,
      'a probe other than GET /healthcheck');
  });

  test.each([-1, 1.5, '10'])('a timing of %s is refused as the webhook refuses it', (value) => {
    expectInvalid(() => synthFromCr(glance(single({ override: { probes: { livenessProbes: { periodSeconds: value } } } }))),
      'spec.glanceAPIs.default.override.probes.livenessProbes.periodSeconds', String(value));
  });
});
