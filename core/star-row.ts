// The one rule for a stored star row (repo, ts, stars): the collector checks it before it
// writes, the export and the load before they pass a row on, so nothing the collector stores
// is refused later (lambda and etl both import it from here).
import type { StarSample } from './domain.js';
import { isRepoName } from './repo-name.js';

export type StarRow = Pick<StarSample, 'repo' | 'ts' | 'stars'>;

/**
 * GitHub opened in 2008 (the article's data starts in 2017), so no real count is older;
 * past 2100 the value is almost surely milliseconds, not seconds.
 */
export const TS_MIN = 1_199_145_600; // 2008-01-01T00:00:00Z
export const TS_MAX = 4_102_444_799; // 2099-12-31T23:59:59Z
/** github_stars.stars is an int4. */
export const STARS_MAX = 2_147_483_647;

export interface StarRowProblem {
  field: keyof StarRow;
  /** Says what is wrong, e.g. `ts out of range (...)`; the value is left to the caller to show. */
  problem: string;
}

function integerProblem(field: 'ts' | 'stars', value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return `${field} must be a non-negative integer`;
  if (value < 0) return `${field} must not be negative`;
  if (field === 'ts' && (value < TS_MIN || value > TS_MAX))
    return `ts out of range (epoch seconds from ${TS_MIN} (2008) to ${TS_MAX} (2099))`;
  if (field === 'stars' && value > STARS_MAX) return `stars out of range (0 to ${STARS_MAX})`;
  return undefined;
}

/** What is wrong with one field of a row, or undefined when it may be stored. */
export function fieldProblem(field: keyof StarRow, value: unknown): string | undefined {
  if (field === 'repo') return isRepoName(value) ? undefined : 'invalid repository name (expected owner/name)';
  return integerProblem(field, value);
}

/** The first problem of a row (repo, then ts, then stars), or undefined when it may be stored. */
export function starRowProblem(row: { repo: unknown; ts: unknown; stars: unknown }): StarRowProblem | undefined {
  for (const field of ['repo', 'ts', 'stars'] as const) {
    const problem = fieldProblem(field, row[field]);
    if (problem !== undefined) return { field, problem };
  }
  return undefined;
}
