// A benchmark's scale from a BENCH_* environment variable, with its default and lower bound.

/** `process.env[name]` as a whole number >= `min`, else `fallback`; anything else stops the bench. */
export function knob(name: string, fallback: number, min: number): number {
  const n = Number(process.env[name] || fallback);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${name}: expected a whole number >= ${min}, got ${process.env[name]}`);
  return n;
}
