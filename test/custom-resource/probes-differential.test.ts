/**
 * The probes a CR's API pod gets from the reader, against the glance-operator's own code: each case
 * of test/fixtures/operator-probes.json is what lib-common's probes.CreateProbeSet(port, scheme,
 * override.probes, glance.GetDefaultProbesAPI(apiTimeout)) returned, run in Go by
 * scripts/collect-operator-probes.ts (apiTimeout 1 to 400 and larger ones past the operator's
 * int32 overflow, and CR overrides over six apiTimeouts). The reader re-implements that
 * arithmetic (lib/custom-resource/values.ts probesOf): its output must be the pod the operator's
 * StatefulSet makes, after the API server's defaults, or a refusal where the API server would
 * refuse the operator's.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { glance, synthFromCr } from './cr-helpers';
import { GlanceValidationError } from '../../lib/errors';
import { find } from '../helpers';

interface Case { readonly apiTimeout: number; readonly override: object; readonly operator: Record<string, any> }
const FIXTURE = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'operator-probes.json'), 'utf8'));
const CASES: Case[] = FIXTURE.cases;
const PROBES = ['liveness', 'readiness', 'startup'] as const;
/** k8s.io/api core/v1 defaults of a probe field left 0 (SetDefaults_Probe). */
const API_SERVER_DEFAULTS = { initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 10, failureThreshold: 3 };
const TIMING = Object.keys(API_SERVER_DEFAULTS) as Array<keyof typeof API_SERVER_DEFAULTS>;

/**
 * The operator's probe as the pod gets it: [initialDelaySeconds, timeoutSeconds, periodSeconds, failureThreshold], or undefined
 * where the API server refuses it.
 */
function operatorTiming(probe: any): number[] | undefined {
  const timing = TIMING.map((field) => probe[field] ?? 0);
  // Negative values (the operator's int32 conversion overflowing) are refused by the API server's validation.
  if (timing.some((value) => value < 0)) return undefined;
  return TIMING.map((field, i) => timing[i] || API_SERVER_DEFAULTS[field]);
}

/** The reader's pod probes for the case: the same four numbers, or the validation error. */
function readerTiming(c: Case): Record<string, number[]> | GlanceValidationError {
  try {
    const m = synthFromCr(glance({ glanceAPIs: { default: { type: 'single', apiTimeout: c.apiTimeout, override: { probes: c.override } } } }));
    const api = find(m, 'StatefulSet', 'glance-default-single').spec.template.spec.containers.find((x: any) => x.name === 'glance-api');
    return Object.fromEntries(PROBES.map((probe) => {
      const p = api[`${probe}Probe`];
      return [probe, [p.initialDelaySeconds ?? 0, p.timeoutSeconds, p.periodSeconds, p.failureThreshold]];
    }));
  } catch (e) {
    if (e instanceof GlanceValidationError) return e;
    throw e;
  }
}

test('the fixture is the operator\'s code run: its sources, and cases that reach the overflow', () => {
  expect(FIXTURE.sources['glance-operator']).toMatch(/^[0-9a-f]{40} internal\/glance\/funcs.go GetDefaultProbesAPI$/);
  expect(FIXTURE.sources['lib-common']).toMatch(/^[0-9a-f]{40} modules\/common\/probes/);
  expect(CASES.length).toBeGreaterThan(450);
  expect(CASES.filter((c) => PROBES.some((p) => operatorTiming(c.operator[p]) === undefined)).length).toBeGreaterThan(0);
});

test(`the reader gives each of the ${CASES.length} cases the operator's probes, or refuses where the API server would refuse the operator's`, () => {
  const differences: string[] = [];
  let same = 0;
  let refusedAlike = 0;
  for (const c of CASES) {
    const operator = Object.fromEntries(PROBES.map((probe) => [probe, operatorTiming(c.operator[probe])]));
    const ours = readerTiming(c);
    const invalid = PROBES.some((probe) => operator[probe] === undefined);
    const label = `apiTimeout ${c.apiTimeout}, override ${JSON.stringify(c.override)}`;
    if (invalid) {
      if (ours instanceof GlanceValidationError) refusedAlike++;
      else differences.push(`${label}: the operator's probes are invalid (${JSON.stringify(c.operator)}), the reader gives ${JSON.stringify(ours)}`);
    } else if (ours instanceof GlanceValidationError) {
      differences.push(`${label}: the operator's probes are ${JSON.stringify(operator)}, the reader refuses: ${ours.message}`);
    } else if (JSON.stringify(ours) !== JSON.stringify(operator)) {
      differences.push(`${label}: the operator's probes are ${JSON.stringify(operator)}, the reader's ${JSON.stringify(ours)}`);
    } else {
      same++;
    }
  }
  process.stdout.write(`probes differential: ${CASES.length} cases, ${same} the same, ${refusedAlike} refused where the operator's `
    + `are invalid, ${differences.length} differences\n`);
  expect(differences.slice(0, 10)).toEqual([]);
  expect(same).toBeGreaterThan(CASES.length * 0.9);
});

test('the handler: the operator\'s liveness and readiness GET /healthcheck on 9292; its startup probe GET / (no path), ours /healthcheck', () => {
  // A deliberate difference (README, "Bring your Glance CR"): Glance answers / with 300 (its versions), which the kubelet counts as
  // success as it does /healthcheck's 200; /healthcheck is the check Glance offers for it.
  for (const c of CASES.filter((x) => Object.keys(x.override).length === 0)) {
    expect(c.operator.liveness.httpGet).toEqual({ path: '/healthcheck', port: 9292, scheme: 'HTTP' });
    expect(c.operator.readiness.httpGet).toEqual({ path: '/healthcheck', port: 9292, scheme: 'HTTP' });
    expect(c.operator.startup.httpGet).toEqual({ port: 9292, scheme: 'HTTP' });
  }
});
