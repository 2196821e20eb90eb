// Writes one snapshot to the stars table (and deletes rows an interrupted attempt left):
// BatchWriteItem 25 items at a time, a few batches in flight, UnprocessedItems and throttling
// retried with backoff. Reports only what DynamoDB confirmed, so the poll record can say
// exactly how much landed.
import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { StarSample } from '../core/domain.js';
import { errorClass } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { sleep as defaultSleep, mapBounded, retry, type Sleep } from '../core/retry.js';
import { starRowProblem } from '../core/star-row.js';
import { isRetryableDynamoError } from '../core/store/client.js';
import { encodeStarsItem, starsKey } from '../core/store/stars-item.js';

export const BATCH_SIZE = 25;

export interface WriteOptions {
  table: string;
  concurrency?: number;
  /** Attempts per batch, first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: Sleep;
  random?: () => number;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface WriteResult {
  written: number;
  failed: number;
  batches: number;
  retries: number;
  /** Last error seen for a batch that did not fully land. */
  error?: string;
}

/** Thrown before anything is sent when a row breaks the stored-row rule: a bug upstream, not GitHub data. */
export class UnstorableRowError extends errorClass('UNSTORABLE_ROW') {
  override name = 'UnstorableRowError';
}

/**
 * Every row against the one stored-row rule (core/star-row.ts), which the export and the load
 * apply too: a row the export would refuse is never written, so it can never stop an export.
 */
export function assertStorable(samples: readonly StarSample[]): void {
  for (const sample of samples) {
    const bad = starRowProblem(sample);
    if (bad)
      throw new UnstorableRowError(
        `refusing to write ${JSON.stringify(sample.repo).slice(0, 120)} at ts ${String(sample.ts)}: ${bad.problem}`,
      );
  }
}

export async function writeSnapshot(
  client: DynamoDBClient,
  samples: readonly StarSample[],
  options: WriteOptions,
): Promise<WriteResult> {
  assertStorable(samples);
  return writeRequests(
    client,
    samples.map((sample) => ({ PutRequest: { Item: encodeStarsItem(sample) } })),
    options,
  );
}

/** Deletes (repo, ts) rows; a row that is not there is not an error. */
export function deleteRows(
  client: DynamoDBClient,
  keys: readonly { repo: string; ts: number }[],
  options: WriteOptions,
): Promise<WriteResult> {
  return writeRequests(
    client,
    keys.map((key) => ({ DeleteRequest: { Key: starsKey(key) } })),
    options,
  );
}

/** A batch came back with items DynamoDB did not process: tried again, like a throttled call. */
class Unprocessed extends Error {}

async function writeRequests(
  client: DynamoDBClient,
  requests: readonly WriteRequest[],
  options: WriteOptions,
): Promise<WriteResult> {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_SIZE) batches.push(requests.slice(i, i + BATCH_SIZE));
  const result: WriteResult = { written: 0, failed: 0, batches: batches.length, retries: 0 };
  await mapBounded(batches, options.concurrency ?? 4, (batch) => writeBatch(client, batch, options, result));
  if (result.failed === 0) delete result.error;
  return result;
}

/**
 * One batch until every item landed, the attempts are spent, a failure is not retryable or the
 * invocation is aborted; what landed and what did not is added to `result`.
 */
async function writeBatch(
  client: DynamoDBClient,
  batch: WriteRequest[],
  options: WriteOptions,
  result: WriteResult,
): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 15;
  const sleep = options.sleep ?? defaultSleep;
  let pending = batch;
  const attempt = async (n: number) => {
    try {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [options.table]: pending } }), {
        abortSignal: options.signal,
      });
      const left = out.UnprocessedItems?.[options.table] ?? [];
      result.written += pending.length - left.length;
      pending = left;
    } catch (error) {
      noteFailure(error, n - 1, options, result);
      throw error;
    }
    if (pending.length > 0) {
      options.logger?.debug('unprocessed items, retrying', { unprocessed: pending.length, attempt: n - 1 });
      throw new Unprocessed();
    }
  };
  // An aborted invocation sends nothing more: the batch's pending items count as failed.
  if (!options.signal?.aborted && maxAttempts > 0) {
    await retry(attempt, {
      attempts: maxAttempts,
      baseMs: options.baseDelayMs ?? 50,
      maxMs: options.maxDelayMs ?? 5_000,
      // Never a zero wait, even when the jitter draws 0.
      sleep: (ms) => sleep(ms + 1),
      random: options.random,
      isRetryable: (error) =>
        !options.signal?.aborted && (error instanceof Unprocessed || isRetryableDynamoError(error)),
      onRetry: () => {
        result.retries += 1;
      },
    }).catch(() => {}); // the failure is in `result` (noteFailure) and in `pending`
  }
  result.failed += pending.length;
  if (pending.length > 0) {
    result.error ??= `${pending.length} items still unprocessed after ${maxAttempts} attempts`;
    options.logger?.warn('batch did not fully land', { failed: pending.length, error: result.error });
  }
}

/** The error a failed BatchWriteItem leaves in the result: the last one seen. */
function noteFailure(error: unknown, attempt: number, options: WriteOptions, result: WriteResult): void {
  if (!isRetryableDynamoError(error)) {
    result.error = (error as Error).message ?? String(error);
    return;
  }
  result.error = `${(error as Error).name}: ${(error as Error).message}`;
  options.logger?.debug('dynamodb write throttled or failed, retrying', { error: result.error, attempt });
}
