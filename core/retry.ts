// Waiting, trying again and bounding concurrency: the one home for every retry loop and worker
// pool of the collector and the ETL. The pools are p-limit and p-map; the retry loop is ours,
// because its sleep and randomness are injected (tests run simulated hours in milliseconds and
// draw the same jitter every run), which p-retry does not allow.
import pLimit from 'p-limit';
import pMap from 'p-map';

export type Sleep = (ms: number) => Promise<void>;

export const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Full jitter: a uniform wait in [0, min(cap, base * 2^attempt)), attempt counted from 0. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

export interface RetryOptions {
  /** Calls in all, the first included. */
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
  /** Whether a failure may succeed if tried again; anything else is thrown at once. */
  isRetryable: (error: unknown) => boolean;
  /** Checked before each call: an aborted signal throws its reason instead of trying. */
  signal?: AbortSignal;
  sleep?: Sleep;
  random?: () => number;
  /** Told of each failure that will be tried again, with the wait before the next call. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Calls `fn` until it succeeds, a failure is not retryable, or the attempts are spent. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = options.attempts ?? 5;
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || !options.isRetryable(error)) throw error;
      const delay = backoffDelay(attempt - 1, options.baseMs ?? 100, options.maxMs ?? 10_000, random);
      options.onRetry?.(error, attempt, delay);
      await wait(delay);
    }
  }
}

export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** At most `limit` tasks run at once; the rest wait their turn in order (FIFO). */
export function createLimiter(limit: number): Limiter {
  const limited = pLimit(limit);
  return (task) => limited(task);
}

/**
 * `fn` over `items`, at most `concurrency` at once, results in the items' order. The first failure
 * is thrown once the calls already running have settled; no new call starts after it.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  let failed = false;
  const settled = await pMap(
    items,
    async (item) => {
      if (failed) return { skipped: true as const };
      try {
        return { value: await fn(item) };
      } catch (error) {
        failed = true;
        return { error };
      }
    },
    { concurrency },
  );
  const failure = settled.find((s) => 'error' in s);
  if (failure && 'error' in failure) throw failure.error;
  return settled.map((s) => (s as { value: R }).value);
}
