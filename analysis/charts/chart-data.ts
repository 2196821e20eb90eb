// Analysis rows shaped for the charts: numbers out of rows, each repo's daily gains, the bursts to
// mark, the extent of a series. Pure functions, shared by the star charts and the insight charts.
import type { Row } from '../queries/run-analysis.js';

export const DAY = 86_400;

/** Bursts marked per repo on a chart: its strongest few, so the markers stay readable. */
export const MARKED_BURSTS_PER_REPO = 5;

export const num = (v: unknown): number => Number(v);

export interface DayGain {
  day: number;
  stars: number;
  gain: number | null;
}

/** daily-gains rows of the chosen repos, per repo in day order. */
export function gainsByRepo(dailyGains: Row[], chosen: string[]): Map<string, DayGain[]> {
  const out = new Map<string, DayGain[]>(chosen.map((r) => [r, []]));
  for (const r of dailyGains) {
    out
      .get(String(r.repo))
      ?.push({ day: num(r.day), stars: num(r.stars), gain: r.new_stars === null ? null : num(r.new_stars) });
  }
  return out;
}

/** Each repo's strongest bursts (rows come strongest first). */
export function strongestPerRepo(bursts: Row[], per = MARKED_BURSTS_PER_REPO): Row[] {
  const seen = new Map<string, number>();
  return bursts.filter((b) => {
    const n = (seen.get(String(b.repo)) ?? 0) + 1;
    seen.set(String(b.repo), n);
    return n <= per;
  });
}

/** Min and max without spreading: a spread of a few hundred thousand values overflows the stack. */
export function extentOf(values: Iterable<number>): { min: number; max: number } | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : undefined;
}

/** Max minus min of the values; 0 for none. */
export function spanOf(values: number[]): number {
  const extent = extentOf(values);
  return extent ? extent.max - extent.min : 0;
}

/** The time an axis shows for these series together. */
export function axisSpan(series: number[][]): number {
  return spanOf(series.flat());
}
