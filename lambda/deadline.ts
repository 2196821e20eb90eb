// The invocation's deadline. Lambda kills a function at its timeout without a word, so a poll
// stops a safety margin before it, while there is still time to record that it did not finish.
import { errorClass } from '../core/errors.js';

/** What the Lambda runtime passes as the handler's second argument (the part used here). */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/** Time kept back for recording the outcome (a PutItem, with its retries) before Lambda's timeout. */
export const DEFAULT_DEADLINE_MARGIN_MS = 10_000;

export interface Deadline {
  /** Milliseconds left before the poll must stop, the margin already taken off; <= 0: time is up. */
  left(): number;
  /** Aborted once the time is up: cancels the requests and writes in flight. */
  readonly signal: AbortSignal;
  /** The time kept back for the record. */
  readonly marginMs: number;
}

/** The deadline passed: thrown where work stops, so the poll can say why. */
export class DeadlineError extends errorClass('DEADLINE') {
  override name = 'DeadlineError';
}

/** `deadline: <what happened>`, naming the margin: the one wording every deadline record uses. */
export function deadlineText(marginMs: number, what: string): string {
  return `deadline: ${what}, stopped ${marginMs} ms before the invocation's timeout to record this`;
}

/**
 * A deadline `marginMs` before the end `remainingMs()` counts down to. `remainingMs` is the truth
 * (Lambda's `getRemainingTimeInMillis`, or a test's clock); the timer only wakes the signal for
 * work in flight, and re-checks before firing, so a clock that runs slower than real time is obeyed.
 */
export function createDeadline(
  remainingMs: () => number,
  marginMs = DEFAULT_DEADLINE_MARGIN_MS,
): Deadline & { dispose(): void } {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const left = () => {
    const ms = remainingMs() - marginMs;
    if (ms <= 0 && !controller.signal.aborted)
      controller.abort(new DeadlineError(deadlineText(marginMs, 'the invocation ran out of time')));
    return ms;
  };
  const arm = () => {
    const ms = left();
    if (ms > 0) {
      timer = setTimeout(arm, Math.min(ms, 2 ** 31 - 1));
      timer.unref();
    }
  };
  arm();
  return { left, signal: controller.signal, marginMs, dispose: () => clearTimeout(timer) };
}
