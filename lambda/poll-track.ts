// One track, end to end: fetch the whole top N from GitHub, validate, write, record.
// Nothing is written until the whole snapshot is in hand, so a GitHub failure leaves the
// slot empty (and recorded as failed) rather than silently half-filled. While the rows go out
// the slot is recorded as interrupted (slot-intent.ts), so a killed invocation leaves a trace
// and its redelivery can remove what the killed attempt wrote and no longer belongs. A poll
// that runs into the invocation's deadline stops there and records itself failed while it can.

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PollRecord, StarSample, Track } from '../core/domain.js';
import type { Logger } from '../core/log.js';
import { retry, type Sleep } from '../core/retry.js';
import { isRetryableDynamoError } from '../core/store/client.js';
import { type Deadline, deadlineText } from './deadline.js';
import { type FetchTopResult, fetchTop } from './fetch-top.js';
import { type CallCounters, type GitHubClient, GitHubError, newCounters } from './github-client.js';
import { emitPollMetrics, type MetricSink } from './metrics.js';
import { recordPoll, sanitizePoll } from './record-poll.js';
import { INTERRUPTED, namesLeftWriting } from './slot-intent.js';
import { countByReason, selectTop, type ValidatedNodes, validateNodes } from './validate-nodes.js';
import { deleteRows, type WriteOptions, type WriteResult, writeSnapshot } from './write-snapshot.js';

/** How a poll runs, beyond its clients and tables; the handler passes its own straight through. */
export interface PollSettings {
  sleep?: Sleep;
  random?: () => number;
  metrics?: MetricSink;
  signal?: AbortSignal;
  fetchConcurrency?: number;
  writeConcurrency?: number;
  /** Attempts per DynamoDB batch (default 15). */
  writeAttempts?: number;
  /** Time kept back before the invocation's timeout for recording a poll that ran out of time (default 10 s). */
  deadlineMarginMs?: number;
}

export interface PollTrackDeps extends PollSettings {
  github: GitHubClient;
  dynamo: DynamoDBClient;
  starsTable: string;
  pollsTable: string;
  logger: Logger;
  /** Wall clock for `startedAt`. */
  clock: () => Date;
  /** The invocation's deadline, when it has one (on Lambda); the poll never works past it. */
  deadline?: Deadline;
}

export interface PollOutcome {
  record: PollRecord;
  /**
   * Whether running the same slot again could complete it: GitHub failures and write
   * shortfalls can; rejected hostile data or an unsplittable star value cannot.
   */
  retryable: boolean;
}

/** One poll in progress: what every step reads, and what the records share. */
interface Poll {
  deps: PollTrackDeps;
  /** deps.github, bound to the deadline. */
  github: GitHubClient;
  /** Cancels the writes: the invocation killed, or its deadline passed. */
  writeSignal: AbortSignal | undefined;
  track: Track;
  ts: number;
  started: number;
  counters: CallCounters;
  log: Logger;
  base: Pick<PollRecord, 'track' | 'ts' | 'startedAt' | 'rejected' | 'written'>;
}

/** The snapshot GitHub gave, validated, and the rows it makes. */
interface Snapshot {
  fetched: FetchTopResult;
  checked: ValidatedNodes;
  samples: StarSample[];
  /** Nodes GitHub withheld (null, FORBIDDEN): in the ranking, but not readable. */
  withheld: number;
}

/** Names whose rows may be in the slot; what a record keeps of them depends on how the poll ends. */
interface SlotNames {
  /** This snapshot's names: all an `ok` record keeps. */
  snapshot: string[];
  /** Names an earlier attempt wrote that this snapshot does not have (renamed, or out of the top N by now). */
  leftover: string[];
  /** Every name that may have rows in the slot: what a record that is not `ok` keeps. */
  unsettled: string[];
}

// The polls-table calls' own retries: a fixed doubling wait (200, 400, 800, 1600 ms), as they
// always had. No jitter, so these retries draw nothing from the injected random the writes use.
const POLLS_TABLE_RETRY = { attempts: 5, baseMs: 200, random: () => 1 };

function withDynamoRetry<T>(deps: PollTrackDeps, fn: () => Promise<T>): Promise<T> {
  return retry(fn, { ...POLLS_TABLE_RETRY, isRetryable: isRetryableDynamoError, sleep: deps.sleep });
}

export async function pollTrack(deps: PollTrackDeps, track: Track, ts: number): Promise<PollOutcome> {
  const poll = beginPoll(deps, track, ts);
  // Names whose rows may be in the slot: an earlier attempt's (complete or not), then this
  // attempt's own. Every record keeps them; an `ok` one keeps exactly its snapshot's names, so a
  // later delivery of the slot (a duplicate, a manual re-run) can remove the rows of names its
  // own snapshot no longer has. Read outside the try: if the polls table cannot be read, a record
  // written now could erase them, so the invocation fails instead and is delivered again.
  const earlier = await withDynamoRetry(deps, () => namesLeftWriting(deps.dynamo, deps.pollsTable, track.query, ts));
  let names: SlotNames = { snapshot: [], leftover: [], unsettled: earlier };
  let outcome: PollOutcome;
  try {
    const snapshot = await fetchSnapshot(poll);
    // Out of time with the snapshot in hand: better no row than rows the record cannot vouch for.
    if (pastDeadline(poll)) throw deadlineFailure(poll, 'before writing rows');
    names = slotNames(snapshot.samples, earlier);
    outcome = await writeAndAssess(poll, snapshot, names);
  } catch (error) {
    outcome = { record: failedRecord(poll, error), retryable: true };
  }
  return finishPoll(poll, outcome, names);
}

function beginPoll(deps: PollTrackDeps, track: Track, ts: number): Poll {
  const started = performance.now();
  const startedAt = deps.clock().toISOString();
  const signals = [deps.signal, deps.deadline?.signal].filter((x) => x !== undefined);
  return {
    deps,
    github: withDeadline(deps.github, deps.deadline),
    writeSignal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
    track,
    ts,
    started,
    counters: newCounters(),
    log: deps.logger.child({ track: track.query, ts }),
    base: { track: track.query, ts, startedAt, rejected: 0, written: 0 },
  };
}

/** The client with every query bound to the deadline. */
function withDeadline(github: GitHubClient, deadline: Deadline | undefined): GitHubClient {
  if (!deadline) return github;
  return {
    get maxInFlight() {
      return github.maxInFlight;
    },
    query: (document, variables, counters) => github.query(document, variables, counters, deadline),
  };
}

function pastDeadline(poll: Poll): boolean {
  return poll.deps.deadline !== undefined && poll.deps.deadline.left() <= 0;
}

function deadlineFailure(poll: Poll, when: string): GitHubError {
  const margin = poll.deps.deadline?.marginMs ?? 0;
  return new GitHubError('deadline', deadlineText(margin, `the invocation ran out of time ${when}`));
}

/** The top N from GitHub, validated (rejections logged), as the rows to write. */
async function fetchSnapshot(poll: Poll): Promise<Snapshot> {
  const { deps, track, log } = poll;
  const fetched = await fetchTop(poll.github, track.query, {
    top: track.top,
    counters: poll.counters,
    logger: log,
    concurrency: deps.fetchConcurrency,
  });
  // A null node GitHub explained as FORBIDDEN is a repository it would not show us, not bad
  // data: counted apart from the rejections, and it keeps its place in the top N.
  const withheld = (poll.counters.withheld?.length ?? 0) > 0 ? fetched.nodes.filter((n) => n === null).length : 0;
  const checked = validateNodes(withheld > 0 ? fetched.nodes.filter((n) => n !== null) : fetched.nodes);
  for (const r of checked.rejections.slice(0, 20))
    log.warn('rejected a repository from GitHub', { reason: r.reason, value: r.value });
  if (checked.rejections.length > 0)
    log.warn('rejections', { count: checked.rejections.length, byReason: countByReason(checked.rejections) });
  // Their places stay empty rather than be filled from below the cut: fetchTop keeps every node
  // in the place GitHub gave it, and a withheld one is among the top N it returns.
  const samples = selectTop(checked.repos, Math.max(0, track.top - withheld)).map((r) => ({ ...r, ts: poll.ts }));
  return { fetched, checked, samples, withheld };
}

function slotNames(samples: readonly StarSample[], earlier: readonly string[]): SlotNames {
  const names = new Set(samples.map((s) => s.repo));
  const leftover = earlier.filter((n) => !names.has(n));
  return { snapshot: [...names], leftover, unsettled: [...names, ...leftover] };
}

/** Marks the slot interrupted, writes the rows, removes the leftovers' rows, and says how it went. */
async function writeAndAssess(poll: Poll, snapshot: Snapshot, names: SlotNames): Promise<PollOutcome> {
  const { deps, log } = poll;
  await markInterrupted(poll, snapshot.fetched.expected, names);
  const writeOptions: WriteOptions = {
    table: deps.starsTable,
    concurrency: deps.writeConcurrency,
    maxAttempts: deps.writeAttempts,
    sleep: deps.sleep,
    random: deps.random,
    logger: log,
    signal: poll.writeSignal,
  };
  const written = await writeSnapshot(deps.dynamo, snapshot.samples, writeOptions);
  const removed = await removeLeftover(poll, names.leftover, writeOptions);
  const landed = { written, removed, leftover: names.leftover.length };
  // Writes the deadline cut short: failed for that reason (the rows that landed stay until a
  // redelivery rewrites the slot; the record keeps their names).
  if (isShort(snapshot, landed) && pastDeadline(poll))
    return {
      record: { ...failedRecord(poll, deadlineFailure(poll, 'while writing rows')), written: written.written },
      retryable: true,
    };
  return assess(poll, snapshot, landed);
}

function isShort(snapshot: Snapshot, landed: Landed): boolean {
  return (
    landed.written.written < snapshot.samples.length || (landed.removed !== undefined && landed.removed.failed > 0)
  );
}

/** While the rows go out the slot's record says interrupted, and keeps every name that may have rows. */
async function markInterrupted(poll: Poll, expected: number, names: SlotNames): Promise<void> {
  const { deps, counters } = poll;
  const writing: PollRecord = {
    ...poll.base,
    status: 'failed',
    expected,
    points: counters.points,
    requests: counters.requests,
    durationMs: 0,
    error: INTERRUPTED,
  };
  const { namesKept } = await withDynamoRetry(deps, () =>
    recordPoll(deps.dynamo, deps.pollsTable, writing, names.unsettled),
  );
  if (!namesKept)
    poll.log.warn('too many names to keep while writing; a redelivery could not remove rows of renamed repositories', {
      names: names.snapshot.length,
    });
}

/** Deletes the rows an earlier attempt wrote for names this snapshot does not have (none: undefined). */
async function removeLeftover(
  poll: Poll,
  leftover: readonly string[],
  writeOptions: WriteOptions,
): Promise<WriteResult | undefined> {
  if (leftover.length === 0) return undefined;
  const rows = leftover.map((repo) => ({ repo, ts: poll.ts }));
  const removed = await deleteRows(poll.deps.dynamo, rows, writeOptions);
  poll.log.info('removed rows an earlier attempt wrote for names no longer in the snapshot', {
    removed: removed.written,
    names: leftover.slice(0, 20),
  });
  return removed;
}

/** What the writes achieved. */
interface Landed {
  written: WriteResult;
  removed: WriteResult | undefined;
  /** Leftover names whose rows were to be removed. */
  leftover: number;
}

/** The record of a poll whose snapshot was fetched: ok, or partial with the reason. */
function assess(poll: Poll, snapshot: Snapshot, landed: Landed): PollOutcome {
  const { fetched, checked, samples, withheld } = snapshot;
  const { written, removed } = landed;
  const short = isShort(snapshot, landed);
  const warnings = [...fetched.warnings];
  if (withheld > 0) warnings.push(withheldWarning(withheld, fetched.expected, poll.counters.withheld ?? []));
  // Every expected repository is written, rejected or withheld; anything else went missing
  // between GitHub's count and its pages, and running the slot again may find it. Withheld ones
  // a retry would not see either (an allow list stays), so they alone do not make it retryable.
  const missing = fetched.expected - samples.length - checked.rejections.length - withheld;
  if (missing > 0) warnings.push(`${missing} of ${fetched.expected} expected repositories were not returned by GitHub`);
  const error = incompleteReason(samples.length, landed, warnings);
  const record: PollRecord = {
    ...poll.base,
    status: short || warnings.length > 0 ? 'partial' : 'ok',
    expected: fetched.expected,
    written: written.written,
    rejected: checked.rejections.length,
    points: poll.counters.points,
    requests: poll.counters.requests,
    durationMs: 0,
    duplicates: checked.duplicates,
    retries: poll.counters.retries + written.retries,
    warnings,
    ...(removed ? { staleRemoved: removed.written } : {}),
    ...(error !== undefined ? { error } : {}),
  };
  return { record, retryable: short || missing > 0 };
}

/** `7 of 1000 repositories withheld by GitHub (FORBIDDEN): <what GitHub said, each distinct text once>`. */
function withheldWarning(count: number, expected: number, lines: readonly string[]): string {
  // Lines are `path: message`; the path differs per node, the message per organisation.
  const said = [...new Set(lines.map((l) => l.slice(l.indexOf(': ') + 2)))];
  const more = said.length > 3 ? ` (+${said.length - 3} more)` : '';
  return `${count} of ${expected} repositories withheld by GitHub (FORBIDDEN): ${said.slice(0, 3).join(' | ')}${more}`;
}

/** Why a fetched snapshot is not complete, the first that applies; undefined when it is. */
function incompleteReason(rows: number, landed: Landed, warnings: readonly string[]): string | undefined {
  const { written, removed } = landed;
  if (written.written < rows)
    return `wrote ${written.written} of ${rows} rows: ${written.error ?? 'unknown write error'}`;
  if (removed !== undefined && removed.failed > 0)
    return `removed ${removed.written} of ${landed.leftover} rows an interrupted attempt left: ${removed.error ?? 'unknown write error'}`;
  if (warnings.length > 0) return warnings.join('; ');
  return undefined;
}

/** The record of a poll that failed before its snapshot was complete (at GitHub, or writing). */
function failedRecord(poll: Poll, error: unknown): PollRecord {
  return {
    ...poll.base,
    status: 'failed',
    expected: poll.track.top,
    points: poll.counters.points,
    requests: poll.counters.requests,
    durationMs: 0,
    retries: poll.counters.retries,
    error: failureMessage(poll, error),
  };
}

function failureMessage(poll: Poll, error: unknown): string {
  if (error instanceof GitHubError) return error.message;
  const text = `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
  // Whatever failed once the deadline passed (a write cancelled by it, most likely) failed because of it.
  return pastDeadline(poll) ? deadlineFailure(poll, `(${text})`).message : text;
}

/** Stores the outcome's record (unless the invocation was aborted), logs it and emits its metrics. */
async function finishPoll(poll: Poll, outcome: PollOutcome, names: SlotNames): Promise<PollOutcome> {
  const { deps, track, ts } = poll;
  // Redacted and capped once, here, so the record logged, stored and returned (and printed by
  // the CLI, and put in PollIncompleteError's message) carries the same harmless text.
  const record = sanitizePoll({ ...outcome.record, durationMs: Math.round(performance.now() - poll.started) });
  // An aborted invocation is a killed one: its record stays the interrupted one, and the
  // re-delivered event rewrites the same slot from scratch.
  if (deps.signal?.aborted) throw new Error(`poll of ${track.query} at ${ts} aborted`);
  const keep = record.status === 'ok' ? names.snapshot : names.unsettled;
  await withDynamoRetry(deps, () => recordPoll(deps.dynamo, deps.pollsTable, record, keep));
  logRecord(poll.log, record);
  if (deps.metrics)
    emitPollMetrics(deps.metrics, {
      track: track.query,
      status: record.status,
      rowsWritten: record.written,
      durationMs: record.durationMs,
    });
  return { record, retryable: outcome.retryable };
}

function logRecord(log: Logger, record: PollRecord): void {
  (record.status === 'ok' ? log.info : log.warn)('poll recorded', {
    status: record.status,
    expected: record.expected,
    written: record.written,
    rejected: record.rejected,
    points: record.points,
    requests: record.requests,
    durationMs: record.durationMs,
    ...(record.error ? { error: record.error } : {}),
  });
}
