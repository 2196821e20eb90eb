// One track, end to end: fetch the whole top N from GitHub, validate, write, record.
// Nothing is written until the whole snapshot is in hand, so a GitHub failure leaves the
// slot empty (and recorded as failed) rather than silently half-filled. While the rows go out
// the slot is recorded as interrupted (slot-intent.ts), so a killed invocation leaves a trace
// and its redelivery can remove what the killed attempt wrote and no longer belongs.

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { StarSample, Track } from '../core/domain.js';
import type { Logger } from '../core/log.js';
import { isRetryableDynamoError } from '../core/store/client.js';
import { fetchTop } from './fetch-top.js';
import { defaultSleep, type GitHubClient, GitHubError, newCounters } from './github-client.js';
import { emitPollMetrics, type MetricSink } from './metrics.js';
import { type PollRecord, recordPoll, sanitizePoll } from './record-poll.js';
import { INTERRUPTED, namesLeftWriting } from './slot-intent.js';
import { countByReason, selectTop, validateNodes } from './validate-nodes.js';
import { deleteRows, writeSnapshot } from './write-snapshot.js';

export interface PollTrackDeps {
  github: GitHubClient;
  dynamo: DynamoDBClient;
  starsTable: string;
  pollsTable: string;
  logger: Logger;
  /** Wall clock for `startedAt`. */
  clock: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  metrics?: MetricSink;
  signal?: AbortSignal;
  fetchConcurrency?: number;
  writeConcurrency?: number;
  writeAttempts?: number;
}

export interface PollOutcome {
  record: PollRecord;
  /**
   * Whether running the same slot again could complete it: GitHub failures and write
   * shortfalls can; rejected hostile data or an unsplittable star value cannot.
   */
  retryable: boolean;
}

async function withRetry<T>(deps: PollTrackDeps, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= 5 || !isRetryableDynamoError(error)) throw error;
      await (deps.sleep ?? defaultSleep)(100 * 2 ** attempt);
    }
  }
}

export async function pollTrack(deps: PollTrackDeps, track: Track, ts: number): Promise<PollOutcome> {
  const started = performance.now();
  const startedAt = deps.clock().toISOString();
  const counters = newCounters();
  const log = deps.logger.child({ track: track.query, ts });
  const base = { track: track.query, ts, startedAt, rejected: 0, written: 0 };
  let record: PollRecord;
  let retryable = false;
  // Names whose rows may be in the slot: an earlier attempt's (complete or not), then this
  // attempt's own. Every record keeps them; an `ok` one keeps exactly its snapshot's names, so a
  // later delivery of the slot (a duplicate, a manual re-run) can remove the rows of names its
  // own snapshot no longer has. Read outside the try: if the polls table cannot be read, a record
  // written now could erase them, so the invocation fails instead and is delivered again.
  let unsettled = await withRetry(deps, () => namesLeftWriting(deps.dynamo, deps.pollsTable, track.query, ts));
  let snapshotNames: string[] = [];

  try {
    const fetched = await fetchTop(deps.github, track.query, {
      top: track.top,
      counters,
      logger: log,
      concurrency: deps.fetchConcurrency,
    });
    const checked = validateNodes(fetched.nodes);
    for (const r of checked.rejections.slice(0, 20))
      log.warn('rejected a repository from GitHub', { reason: r.reason, value: r.value });
    if (checked.rejections.length > 0)
      log.warn('rejections', { count: checked.rejections.length, byReason: countByReason(checked.rejections) });
    const samples: StarSample[] = selectTop(checked.repos, track.top).map((r) => ({ ...r, ts }));
    // Names an earlier attempt wrote that this snapshot does not have (renamed, or out of the
    // top N by now): their rows are deleted once this snapshot is written.
    const names = new Set(samples.map((s) => s.repo));
    const leftover = unsettled.filter((n) => !names.has(n));
    snapshotNames = [...names];
    unsettled = [...names, ...leftover];
    const writing: PollRecord = {
      ...base,
      status: 'failed',
      expected: fetched.expected,
      points: counters.points,
      requests: counters.requests,
      durationMs: 0,
      error: INTERRUPTED,
    };
    const { namesKept } = await withRetry(deps, () => recordPoll(deps.dynamo, deps.pollsTable, writing, unsettled));
    if (!namesKept)
      log.warn('too many names to keep while writing; a redelivery could not remove rows of renamed repositories', {
        names: names.size,
      });
    const writeOptions = {
      table: deps.starsTable,
      concurrency: deps.writeConcurrency,
      maxAttempts: deps.writeAttempts,
      sleep: deps.sleep,
      random: deps.random,
      logger: log,
      signal: deps.signal,
    };
    const written = await writeSnapshot(deps.dynamo, samples, writeOptions);
    const removed =
      leftover.length > 0
        ? await deleteRows(
            deps.dynamo,
            leftover.map((repo) => ({ repo, ts })),
            writeOptions,
          )
        : undefined;
    if (removed)
      log.info('removed rows an earlier attempt wrote for names no longer in the snapshot', {
        removed: removed.written,
        names: leftover.slice(0, 20),
      });
    const writeShort = written.written < samples.length;
    const removeShort = removed !== undefined && removed.failed > 0;
    const short = writeShort || removeShort;
    const warnings = [...fetched.warnings];
    // Every expected repository is either written or counted as rejected; anything else
    // went missing between GitHub's count and its pages, and running the slot again may find it.
    const missing = fetched.expected - samples.length - checked.rejections.length;
    if (missing > 0)
      warnings.push(`${missing} of ${fetched.expected} expected repositories were not returned by GitHub`);
    record = {
      ...base,
      status: short || warnings.length > 0 ? 'partial' : 'ok',
      expected: fetched.expected,
      written: written.written,
      rejected: checked.rejections.length,
      points: counters.points,
      requests: counters.requests,
      durationMs: 0,
      duplicates: checked.duplicates,
      retries: counters.retries + written.retries,
      warnings,
      ...(removed ? { staleRemoved: removed.written } : {}),
      ...(short
        ? {
            error: writeShort
              ? `wrote ${written.written} of ${samples.length} rows: ${written.error ?? 'unknown write error'}`
              : `removed ${removed?.written ?? 0} of ${leftover.length} rows an interrupted attempt left: ${removed?.error ?? 'unknown write error'}`,
          }
        : warnings.length > 0
          ? { error: warnings.join('; ') }
          : {}),
    };
    retryable = short || missing > 0;
  } catch (error) {
    const message =
      error instanceof GitHubError
        ? error.message
        : `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
    record = {
      ...base,
      status: 'failed',
      expected: track.top,
      points: counters.points,
      requests: counters.requests,
      durationMs: 0,
      retries: counters.retries,
      error: message,
    };
    retryable = true;
  }
  record.durationMs = Math.round(performance.now() - started);
  // Redacted and capped once, here, so the record logged, stored and returned (and printed by
  // the CLI, and put in PollIncompleteError's message) carries the same harmless text.
  record = sanitizePoll(record);
  // An aborted invocation is a killed one: its record stays the interrupted one, and the
  // re-delivered event rewrites the same slot from scratch.
  if (deps.signal?.aborted) throw new Error(`poll of ${track.query} at ${ts} aborted`);
  const keep = record.status === 'ok' ? snapshotNames : unsettled;
  await withRetry(deps, () => recordPoll(deps.dynamo, deps.pollsTable, record, keep));
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
  if (deps.metrics)
    emitPollMetrics(deps.metrics, {
      track: track.query,
      status: record.status,
      rowsWritten: record.written,
      durationMs: record.durationMs,
    });
  return { record, retryable };
}
