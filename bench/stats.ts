// The figures the benches report on repeated runs: the median, and a run timed after a warm-up.

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** `fn`'s result and how long it took, milliseconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/**
 * `fn` once untimed (the cache warmed), then `times` timed runs: their milliseconds and the last
 * result (the warm-up's when `times` is 0).
 */
export async function timedRuns<T>(fn: () => Promise<T>, times: number): Promise<{ ms: number[]; last: T }> {
  let last: T = await fn();
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = await timed(fn);
    ms.push(t.ms);
    last = t.value;
  }
  return { ms, last };
}
