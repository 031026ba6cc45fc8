/**
 * Waiting in tests: no test may depend on a wall-clock budget that a busy machine can break. A wait
 * lasts until what it waits for happens; the only limit is a hang guard, far beyond anything a
 * loaded machine needs, that turns a hang into a failure naming what never happened. The guard is
 * under jest's testTimeout (30 minutes, .projenrc.ts), so that its message, not jest's, is the one
 * a hang shows.
 */

/** How long a wait (a condition, a request, a process the test runs) may take before it counts as hung. */
export const HANG_GUARD_MS = 10 * 60_000;

/** The guard in whole seconds, for the timeout options of tools that take seconds. */
export const HANG_GUARD_SECONDS = HANG_GUARD_MS / 1000;

export interface UntilOptions {
  /** Fails after this long instead. Only a hang guard: never a budget a busy machine could break. @default HANG_GUARD_MS */
  readonly guardMs?: number;
  /** The pause between checks. @default 100 */
  readonly everyMs?: number;
  /** Appended to the failure message (a log tail, what was seen last). */
  readonly detail?: () => string;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The error of a hang guard: `timed out after Ns waiting until <what>`. */
export function hung(what: string, guardMs = HANG_GUARD_MS, detail?: () => string): Error {
  const more = detail?.();
  return new Error(`timed out after ${Math.round(guardMs / 1000)}s waiting until ${what}${more ? `\n${more}` : ''}`);
}

/**
 * Checks until `check` is true. A check that throws ends the wait with its error (a process that
 * exited, say). Fails only at the hang guard, also while a check is still pending.
 */
export async function until(what: string, check: () => Promise<boolean> | boolean, options: UntilOptions = {}): Promise<void> {
  const guardMs = options.guardMs ?? HANG_GUARD_MS;
  const everyMs = options.everyMs ?? 100;
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(hung(what, guardMs, options.detail)), guardMs);
  });
  try {
    for (;;) {
      if (await Promise.race([check(), guard])) return;
      await Promise.race([sleep(everyMs), guard]);
    }
  } finally {
    clearTimeout(timer);
  }
}
