import { IConstruct } from 'constructs';

/**
 * Raised at synth time for props that would produce manifests Kubernetes or Glance rejects.
 * The message names the prop, the offending value and how to fix it.
 *
 * TypeScript and JavaScript import it from the package root. jsii cannot carry a class that
 * extends the built-in Error to other languages: there, Errors.isValidationError recognizes it.
 * @jsii ignore
 */
export class GlanceValidationError extends Error {
  private at?: string;

  constructor(
    public readonly prop: string,
    public readonly value: unknown,
    public readonly problem: string,
    public readonly fix: string,
  ) {
    super(`${prop}: ${problem} (got ${describe(value)}). Fix: ${fix}`);
    this.name = 'GlanceValidationError';
    Object.defineProperty(this, VALIDATION_ERROR_SYMBOL, { value: true });
  }

  /** The construct path of the Glance (or API) whose props failed, once known. */
  public get constructPath(): string | undefined {
    return this.at;
  }

  /**
   * The same error in the terms the user wrote it in: another path (a CR field, a CLI flag) and,
   * where given, another fix.
   */
  public renamed(prop: string, fix?: string): GlanceValidationError {
    const renamed = new GlanceValidationError(prop, this.value, this.problem, fix ?? this.fix);
    renamed.at = this.at;
    return renamed;
  }

  /** Records where in the construct tree the error arose; the innermost construct wins. */
  public locate(constructPath: string): this {
    this.at ??= constructPath;
    return this;
  }
}

/** Gives a validation error raised while building `scope` the scope's construct path. */
export function locate(error: unknown, scope: IConstruct): unknown {
  if (error instanceof GlanceValidationError) error.locate(scope.node.path);
  return error;
}

/** Marks our validation errors across copies of this package (as aws-cdk's Errors does). */
const VALIDATION_ERROR_SYMBOL = Symbol.for('cdk8s-glance.GlanceValidationError');

/** Recognizes the errors this library raises, from every jsii language. */
export class Errors {
  /**
   * Whether `x` is a synth-time validation error of cdk8s-glance: its message names the prop, the
   * value and the fix. Works across several copies of the package, where instanceof does not.
   */
  public static isValidationError(x: any): boolean {
    return x !== null && typeof x === 'object' && x[VALIDATION_ERROR_SYMBOL] === true;
  }

  private constructor() {}
}

function describe(value: unknown): string {
  // JSON for text (quoted), numbers and data; String() for undefined, functions, symbols and cycles.
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const warned = new WeakMap<IConstruct, Set<string>>();

/**
 * A synth-time warning on stderr with `code`, once per app and key: a secure default, or a
 * changed meaning, the user may not expect.
 */
export function warnOnce(scope: IConstruct, code: string, key: string, message: string): void {
  const app = scope.node.root;
  const seen = warned.get(app) ?? new Set<string>();
  warned.set(app, seen);
  if (seen.has(`${code}\n${key}`)) return;
  seen.add(`${code}\n${key}`);
  process.emitWarning(message, { code });
}
