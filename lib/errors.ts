/**
 * Raised at synth time for props that would produce manifests Kubernetes or Glance rejects.
 * The message names the prop, the offending value and how to fix it.
 *
 * Not exported through jsii (it extends the built-in Error); TypeScript users can
 * `import { GlanceValidationError } from 'cdk8s-glance/lib/errors'`.
 */
export class GlanceValidationError extends Error {
  constructor(
    public readonly prop: string,
    public readonly value: unknown,
    problem: string,
    fix: string,
  ) {
    super(`${prop}: ${problem} (got ${describe(value)}). Fix: ${fix}`);
    this.name = 'GlanceValidationError';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
