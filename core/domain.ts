// The domain types every stage shares. Defined once, here.

/** One star count observation: a row of the stars table, the CSV and github_stars. */
export interface StarSample {
  /** `owner/name` as GitHub reported it at `ts`. */
  repo: string;
  /** Poll slot, epoch seconds, a multiple of SLOT_SECONDS. */
  ts: number;
  stars: number;
  /** GitHub `databaseId`: stable across renames and transfers. */
  repoId: number;
}

/** A tracked search: a GitHub search query and how many of its top repositories to keep. */
export interface Track {
  query: string;
  top: number;
}

export type PollStatus = 'ok' | 'partial' | 'failed';

/** One collector run for one track: a row of the polls table. */
export interface Poll {
  track: string;
  ts: number;
  status: PollStatus;
  /** Repositories the poll meant to store (min(top, repositoryCount)). */
  expected: number;
  /** Rows confirmed written to the stars table. */
  written: number;
  /** Names GitHub returned that failed validation and were not written. */
  rejected: number;
  /** GitHub rate-limit points spent, from `rateLimit.cost`. */
  points: number;
  requests: number;
  durationMs: number;
  /** ISO time the run started (wall clock, not the slot). */
  startedAt: string;
  error?: string;
}

export const SLOT_SECONDS = 15 * 60;

/** The 15-minute slot an instant falls in, as epoch seconds. */
export function slotOf(time: Date | number | string): number {
  const ms = time instanceof Date ? time.getTime() : typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${String(time)}`);
  const seconds = Math.floor(ms / 1000);
  return seconds - (((seconds % SLOT_SECONDS) + SLOT_SECONDS) % SLOT_SECONDS);
}

/** The most repositories one track keeps: TRACKS and `collect --top` share this limit. */
export const MAX_TOP = 100_000;

export const DEFAULT_TRACKS: readonly Track[] = [{ query: 'language:go', top: 1000 }];
