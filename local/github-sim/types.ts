// The simulator's public API. The collector and its tests depend on these shapes: add, never change.

export interface FaultOptions {
  /** Share of requests (0..1) answered 502 Bad Gateway. */
  error502?: number;
  /** Share answered 403 or 429 (alternating) with `retry-after` and GitHub's secondary-limit message. */
  secondaryRateLimit?: number;
  /** Value of `retry-after` in seconds (default 1). */
  retryAfterSeconds?: number;
  /** Share of requests delayed by slowMs before answering. */
  slowShare?: number;
  slowMs?: number;
  /**
   * Echo the request's Authorization header back, as a careless proxy or API does, so tests can
   * check the collector never prints or stores what it is sent back. Off by default.
   */
  echoToken?: EchoTokenMode;
  /** Share of requests (0..1) answered with the echo; default 1 when echoToken is set. */
  echoTokenShare?: number;
}

/**
 * Where the echoed Authorization header goes: `error502` a 502 HTML page, `forbidden403` a 403
 * plain-text body, `jsonError` a 400 JSON body `{"message": ...}`, `graphqlError` an HTTP 200
 * answer whose `errors[].message` carries it.
 */
export type EchoTokenMode = 'error502' | 'forbidden403' | 'jsonError' | 'graphqlError';

export const ECHO_TOKEN_MODES: readonly EchoTokenMode[] = ['error502', 'forbidden403', 'jsonError', 'graphqlError'];

/** Off by default: for tests that the collector rejects bad data. */
export interface HostileOptions {
  /** Share of nodes whose nameWithOwner is invalid ('a/b/c', '../x', 'x,y/z', markup, ...). */
  badNameShare?: number;
  /** Share of nodes with a negative or absurd (> 10^9) stargazerCount. */
  badStarsShare?: number;
  /** Share of nodes replaced by a copy of the node before them on the same page. */
  duplicateNodeShare?: number;
  /** Share of pages that end early: fewer nodes than asked while pageInfo says there is more. */
  truncatePageShare?: number;
}

export interface SimulatorOptions {
  /** Default 1; the world and every fault draw are deterministic from it. */
  seed?: number;
  /** Default 3000. */
  reposPerLanguage?: number;
  /** Default ['go', 'rust', 'python']. */
  languages?: string[];
  /** World start, default 2026-01-01T00:00:00Z; also the initial clock. */
  start?: Date | number;
  /** Added to every request. */
  latencyMs?: number;
  faults?: FaultOptions;
  hostile?: HostileOptions;
  /** If set, a request without `authorization: bearer <token>` (or `token <token>`) gets 401. */
  token?: string;
  /** Primary budget, default 5000, reset every hour of the simulated clock. */
  pointsPerHour?: number;
  /** Concurrent requests above this get a secondary rate limit (default 100, as GitHub documents). */
  maxConcurrent?: number;
  /** Optional wall-clock secondary limit (GitHub: 2000/min for GraphQL); off by default. */
  pointsPerMinute?: number;
  /** Default 0 (a free port); the host is always 127.0.0.1. */
  port?: number;
  /**
   * Where the clock comes from. Default: the simulated clock, moved only by setTime().
   * `() => Date.now()` makes it follow real time (the standalone server does this).
   */
  clock?: () => number;
}

export interface SimRepoSnapshot {
  nameWithOwner: string;
  stargazerCount: number;
  databaseId: number;
}

export interface SimRename {
  databaseId: number;
  from: string;
  to: string;
  /** Epoch ms. */
  at: number;
}

export interface SimWorld {
  /** Ground truth: every repo matching a search query at time t, sorted as `sort:stars` sorts (stars desc, then databaseId asc), no 1,000 cap. */
  search(query: string, at: Date | number): SimRepoSnapshot[];
  /** Convenience: search(...).slice(0, n). */
  top(query: string, at: Date | number, n: number): SimRepoSnapshot[];
  /** The rename(s) the world contains: databaseId, old name, new name, time. */
  renames: SimRename[];
}

export interface SimStats {
  requests: number;
  byStatus: Record<number, number>;
  points: number;
  maxConcurrentSeen: number;
  /** Distinct GraphQL documents received. */
  documents: string[];
}

export interface GitHubSimulator {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:PORT/graphql. */
  url: string;
  /** Number = epoch ms; the caller drives the clock. */
  setTime(t: Date | number): void;
  now(): Date;
  setFaults(f: FaultOptions): void;
  setHostile(h: HostileOptions): void;
  world: SimWorld;
  stats: SimStats;
  resetStats(): void;
  close(): Promise<void>;
}
