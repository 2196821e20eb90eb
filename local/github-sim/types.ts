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
  /**
   * Organisations (owner logins) whose IP allow list the caller's address is not on: GitHub still
   * answers the search, but each of their repositories is a null node with a `FORBIDDEN` error in
   * `errors` whose `path` points at it (`["search", "nodes", i]`), beside the good `data`.
   */
  forbiddenOwners?: string[];
  /** Share of repositories (0..1) withheld the same way, drawn per databaseId: the same ones every time. */
  forbiddenRepoShare?: number;
  /** Share of requests (0..1) on which those repositories are withheld; default 1 (every request). */
  forbiddenRequestShare?: number;
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
  /**
   * Share of search answers (0..1) that timed out on GitHub's side and return what was found so
   * far: some matches are missing, later ones move up so the page is still full, and
   * `repositoryCount` counts only what was found. GraphQL has no `incomplete_results` flag (REST
   * has), so nothing in the answer says so. Drawn per request and search field.
   */
  incompleteShare?: number;
  /** Share of the matches (0..1) such an answer misses, drawn per request and repository; default 0.02. */
  incompleteMissShare?: number;
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
  /** What search served under hostile options, from the injector's side: to judge a collector by. */
  served: ServedLedger;
}

/** How search served one node: as it is, or with a field corrupted by a hostile option. */
export type ServedHow = 'clean' | 'bad-name' | 'bad-stars';

export interface ServedNode {
  /** The request's number at the simulator (every request counts, answered or not). */
  requestNo: number;
  /** Nodes the page asked for (`first`/`last`): count probes ask for 1 and read no id. */
  pageSize: number;
  databaseId: number;
  how: ServedHow;
}

/** Hostile and incomplete answers, counted where they are made. */
export interface ServedCounts {
  badName: number;
  badStars: number;
  /** Nodes replaced by a copy of the node before them (duplicateNodeShare). */
  duplicated: number;
  truncatedPages: number;
  /** Search answers that timed out (incompleteShare), and the matches they left out. */
  incompleteAnswers: number;
  omitted: number;
}

export interface ServedLedger {
  /** Every node search served while badNameShare or badStarsShare was on, in order (none otherwise). */
  readonly nodes: readonly ServedNode[];
  readonly counts: Readonly<ServedCounts>;
  /**
   * databaseIds served corrupted, and never clean, in nodes[from..] among pages that asked for at
   * least minPageSize nodes (default 2: not count probes): what a collector had to reject.
   */
  corruptedOnly(from?: number, minPageSize?: number): Set<number>;
}

export interface SimStats {
  requests: number;
  byStatus: Record<number, number>;
  points: number;
  maxConcurrentSeen: number;
  /** Distinct GraphQL documents received. */
  documents: string[];
  /**
   * Answers held back by the `slowShare` fault (each by `slowMs`): counted here, on the injector's
   * side, so a figure of client timeouts does not rest on the client's own log lines.
   */
  slowAnswers: number;
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
