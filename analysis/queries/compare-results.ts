// Comparing our analyses with the article's originals (tests and the benchmark). The originals
// order only by value, so tied rows come back in any order: sort them the way ours promise
// (value descending, then repo name in byte order) before comparing.
import type { Row } from './run-analysis.js';

const SORT_KEY: Record<string, string | undefined> = {
  'final-stars': 'stars',
  'stars-per-day': 'stars_per_day',
  'size-vs-growth': 'stars',
};

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Rows in our documented order: `key` descending, ties by repo name (collate "C"). */
export function inOurOrder(name: string, rows: Row[]): Row[] {
  const key = SORT_KEY[name];
  if (!key) return rows;
  return [...rows].sort((a, b) => Number(b[key]) - Number(a[key]) || byteOrder(String(a.repo), String(b.repo)));
}

function sameValue(a: Row[string], b: Row[string], relTol: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isInteger(a) && Number.isInteger(b)) return a === b;
    return a === b || Math.abs(a - b) <= relTol * Math.max(Math.abs(a), Math.abs(b));
  }
  return a === b;
}

/**
 * The first difference between our rows and the reference's, or null when they are the same
 * answer: same rows in our order, integers equal, floats within `relTol` relative.
 */
export function firstDifference(
  name: string,
  ours: Row[],
  reference: Row[],
  columns: string[],
  relTol = 1e-9,
): string | null {
  if (ours.length !== reference.length) return `${name}: ${ours.length} rows, reference has ${reference.length}`;
  const ref = inOurOrder(name, reference);
  for (let i = 0; i < ours.length; i++) {
    for (const c of columns) {
      const a = ours[i]![c] ?? null;
      const b = ref[i]![c] ?? null;
      if (!sameValue(a, b, relTol)) {
        return `${name}: row ${i + 1} column ${c}: ours ${JSON.stringify(a)}, reference ${JSON.stringify(b)}`;
      }
    }
  }
  return null;
}
