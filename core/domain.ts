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

/** How a poll ended; the export refuses any other value. */
export const POLL_STATUSES = ['ok', 'partial', 'failed'] as const;
export type PollStatus = (typeof POLL_STATUSES)[number];

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

/** What the collector stores for a poll: the poll plus diagnostics that are not part of the shared contract. */
export interface PollRecord extends Poll {
  duplicates?: number;
  retries?: number;
  warnings?: string[];
  /** Rows an interrupted earlier attempt at this slot wrote for names no longer in the snapshot, deleted. */
  staleRemoved?: number;
}

/** The counts and start time a poll read back may lack (an older record or polls file): unknown, so null. */
type UnknownOnRead = 'expected' | 'written' | 'rejected' | 'points' | 'requests' | 'durationMs' | 'startedAt';

/**
 * A poll as the ETL reads it back, from the polls table or a polls file, and stores it in
 * PostgreSQL: what a record lacks is null there, as is an absent error.
 */
export type PollAsRead = Omit<Poll, UnknownOnRead | 'error'> & { [K in UnknownOnRead]: Poll[K] | null } & {
  error: string | null;
};

/** The CloudWatch metric an alarm watches: one a poll ends `ok`, summed across tracks (lambda/ emits, cdk/ alarms). */
export const POLL_METRIC = { namespace: 'Startrail', metricName: 'PollSucceeded' } as const;

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
