/** apis.<name>.probes: the timing of glance-api's probes, over the library's; the handler stays the library's. */
import { ImageBackend } from '../lib';
import { expectInvalid, find, synthGlance } from './helpers';

const STS = 'glance-default-single';
const apiContainer = (manifests: any[], sts = STS) =>
  find(manifests, 'StatefulSet', sts).spec.template.spec.containers.find((c: any) => c.name === 'glance-api');

describe('probes', () => {
  test('by default: startup every 10 s until 30 failures, readiness every 10 s and liveness every 30 s until 3, a 5 s timeout', () => {
    const api = apiContainer(synthGlance({ apis: { default: {} } }));
    const handler = { path: '/healthcheck', port: 9292 };
    expect(api.startupProbe).toEqual({ httpGet: handler, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 30 });
    expect(api.readinessProbe).toEqual({ httpGet: handler, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
    expect(api.livenessProbe).toEqual({ httpGet: handler, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 });
  });

  test('each value given replaces the library\'s, the others stay; the handler is the library\'s', () => {
    const api = apiContainer(synthGlance({
      apis: {
        default: { probes: { liveness: { periodSeconds: 18, timeoutSeconds: 14, initialDelaySeconds: 5 }, startup: { failureThreshold: 12 } } },
      },
    }));
    expect(api.livenessProbe).toEqual({
      httpGet: { path: '/healthcheck', port: 9292 },
      initialDelaySeconds: 5,
      periodSeconds: 18,
      timeoutSeconds: 14,
      failureThreshold: 3,
    });
    expect(api.startupProbe).toMatchObject({ periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 12 });
    expect(api.readinessProbe).toMatchObject({ periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
  });

  test('each StatefulSet of a split API gets them', () => {
    const manifests = synthGlance({
      backend: ImageBackend.rbd({ cephSecretName: 'ceph' }),
      apis: { default: { probes: { readiness: { periodSeconds: 5 } } } },
    });
    for (const sts of ['glance-default-internal', 'glance-default-external']) {
      expect(apiContainer(manifests, sts).readinessProbe.periodSeconds).toBe(5);
    }
  });

  test.each([
    ['liveness.periodSeconds', { liveness: { periodSeconds: 0 } }, '0'],
    ['readiness.failureThreshold', { readiness: { failureThreshold: 1.5 } }, '1.5'],
    ['startup.timeoutSeconds', { startup: { timeoutSeconds: -1 } }, '-1'],
    ['startup.initialDelaySeconds', { startup: { initialDelaySeconds: -5 } }, '-5'],
    ['liveness.periodSeconds', { liveness: { periodSeconds: 2 ** 31 } }, '2147483648'],
    ['liveness', { liveness: 30 }, '30'],
  ])('%s outside what the API server takes is refused by its prop', (field, probes, value) => {
    expectInvalid(() => synthGlance({ apis: { default: { probes: probes as any } } }), `apis.default.probes.${field}`, value);
  });

  test('an initial delay of 0 is accepted, and left to the API server\'s default', () => {
    const api = apiContainer(synthGlance({ apis: { default: { probes: { startup: { initialDelaySeconds: 0 } } } } }));
    expect(api.startupProbe.initialDelaySeconds).toBeUndefined();
  });
});
