// Planning star ranges that lift GitHub's 1,000-results-per-query cap: the top N of a query
// is the union of `stars:a..b` slices that each hold fewer than 1,000 repositories.
//
// Planning probes counts (one cheap request each). Sequential binary searches would cost
// ~log2(maxStars) round trips per boundary; instead one bounded-concurrency round probes a
// logarithmic grid (star counts are heavy-tailed), then only cells that are too full are
// bisected, all cells of a round at once. A handful of round trips plans the top 10,000.

import { mapBounded } from '../core/retry.js';

export interface StarRange {
  min: number;
  /** Inclusive upper bound; null for the open top range (`stars:>=min`). */
  max: number | null;
  /** Repositories the probes counted in it. */
  count: number;
}

export interface StarPlan {
  ranges: StarRange[];
  /** Lower bound of the lowest range: every repository at or above it is fetched. */
  threshold: number;
  probes: number;
  rounds: number;
  /** Single star values holding more than the cap: cannot be split, so not fully reachable. */
  unsplittable: StarRange[];
}

export interface PlanOptions {
  top: number;
  /** Repositories matching the query at all (stars >= 0). */
  total: number;
  /** Stars of the query's first result under sort:stars. */
  maxStars: number;
  /** Fill ranges up to this many; below the cap so a range that grows a little still fits. */
  maxPerRange?: number;
  /** Searches return at most this many (GitHub: 1,000). */
  cap?: number;
  gridSize?: number;
  concurrency?: number;
  /** Bisect the lowest cell until it holds at most this many repositories beyond the top N. */
  slack?: number;
}

/** The search qualifier for a range. */
export function rangeQualifier(range: { min: number; max: number | null }): string {
  if (range.max === null) return `stars:>=${range.min}`;
  return range.min === range.max ? `stars:${range.min}` : `stars:${range.min}..${range.max}`;
}

/** Logarithmically spaced star values in (0, maxStars]. */
export function logGrid(maxStars: number, size: number): number[] {
  const out = new Set<number>();
  for (let k = 1; k <= size; k += 1) {
    const v = Math.round(Math.exp((Math.log(maxStars + 1) * k) / (size + 1)));
    if (v >= 1 && v <= maxStars) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * Plans ranges covering the top `top` repositories. `countAtLeast(x)` answers how many
 * repositories of the query have at least x stars.
 */
export async function planStarRanges(
  countAtLeast: (stars: number) => Promise<number>,
  options: PlanOptions,
): Promise<StarPlan> {
  const cap = options.cap ?? 1000;
  const maxPerRange = Math.min(options.maxPerRange ?? 900, cap - 1);
  const concurrency = options.concurrency ?? 8;
  const slack = options.slack ?? 300;
  const want = Math.min(options.top, options.total);
  // C(x) = repositories with >= x stars; known at both ends without asking.
  const at = new Map<number, number>([
    [0, options.total],
    [options.maxStars + 1, 0],
  ]);
  let probes = 0;
  let rounds = 0;
  const probe = async (values: number[]) => {
    const fresh = values.filter((v) => !at.has(v));
    if (fresh.length === 0) return;
    rounds += 1;
    probes += fresh.length;
    const counts = await mapBounded(fresh, concurrency, countAtLeast);
    for (const [i, v] of fresh.entries()) at.set(v, counts[i]!);
  };

  await probe(logGrid(options.maxStars, options.gridSize ?? 20));

  // Cells between consecutive known points, from the threshold cell up.
  const cells = () => {
    const points = [...at.keys()].sort((a, b) => a - b);
    // Counts come from separate requests and can disagree slightly; keep them monotone.
    const c = points.map((p) => at.get(p)!);
    for (let i = c.length - 2; i >= 0; i -= 1) c[i] = Math.max(c[i]!, c[i + 1]!);
    let lowest = 0;
    for (let i = 0; i < points.length; i += 1) if (c[i]! >= want) lowest = i;
    const out: { min: number; next: number; count: number; atLeast: number }[] = [];
    for (let i = lowest; i < points.length - 1; i += 1) {
      out.push({ min: points[i]!, next: points[i + 1]!, count: c[i]! - c[i + 1]!, atLeast: c[i]! });
    }
    return out;
  };

  const unsplittable: StarRange[] = [];
  for (;;) {
    const list = cells();
    const split: number[] = [];
    list.forEach((cell, i) => {
      const width = cell.next - cell.min;
      if (width <= 1) return;
      const tooFull = cell.count > maxPerRange;
      const tooLoose = i === 0 && cell.atLeast - want > slack;
      if (!tooFull && !tooLoose) return;
      // Stars thin out as they rise, so the geometric mean splits counts more evenly.
      const mid = cell.min > 0 ? Math.round(Math.sqrt(cell.min * cell.next)) : Math.ceil(cell.next / 2);
      split.push(Math.min(cell.next - 1, Math.max(cell.min + 1, mid)));
    });
    if (split.length === 0) break;
    await probe(split);
  }

  // Merge adjacent cells into as few ranges as fit.
  const list = cells();
  const ranges: StarRange[] = [];
  for (const cell of list) {
    const last = ranges[ranges.length - 1];
    if (last && last.count + cell.count <= maxPerRange) {
      last.max = cell.next - 1;
      last.count += cell.count;
    } else {
      ranges.push({ min: cell.min, max: cell.next - 1, count: cell.count });
    }
    if (cell.count >= cap) unsplittable.push({ min: cell.min, max: cell.next - 1, count: cell.count });
  }
  // The top range stays open so a repository that passed maxStars since the probe is not lost.
  if (ranges.length > 0) ranges[ranges.length - 1]!.max = null;
  return { ranges, threshold: list[0]?.min ?? 0, probes, rounds, unsplittable };
}
