// Writes one snapshot to the stars table (and deletes rows an interrupted attempt left):
// BatchWriteItem 25 items at a time, a few batches in flight, UnprocessedItems and throttling
// retried with backoff. Reports only what DynamoDB confirmed, so the poll record can say
// exactly how much landed.
import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { StarSample } from '../core/domain.js';
import type { Logger } from '../core/log.js';
import { starRowProblem } from '../core/star-row.js';
import { isRetryableDynamoError } from '../core/store/client.js';
import { backoffDelay, defaultSleep } from './github-client.js';

export const BATCH_SIZE = 25;

export interface WriteOptions {
  table: string;
  concurrency?: number;
  /** Attempts per batch, first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
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

export function toItem(sample: StarSample): WriteRequest {
  return {
    PutRequest: {
      Item: {
        repo: { S: sample.repo },
        ts: { N: String(sample.ts) },
        stars: { N: String(sample.stars) },
        repoId: { N: String(sample.repoId) },
      },
    },
  };
}

/** Thrown before anything is sent when a row breaks the stored-row rule: a bug upstream, not GitHub data. */
export class UnstorableRowError extends RangeError {
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
  return writeRequests(client, samples.map(toItem), options);
}

/** Deletes (repo, ts) rows; a row that is not there is not an error. */
export function deleteRows(
  client: DynamoDBClient,
  keys: readonly { repo: string; ts: number }[],
  options: WriteOptions,
): Promise<WriteResult> {
  return writeRequests(
    client,
    keys.map((k) => ({ DeleteRequest: { Key: { repo: { S: k.repo }, ts: { N: String(k.ts) } } } })),
    options,
  );
}

async function writeRequests(
  client: DynamoDBClient,
  requests: readonly WriteRequest[],
  options: WriteOptions,
): Promise<WriteResult> {
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const maxAttempts = options.maxAttempts ?? 15;
  const baseDelayMs = options.baseDelayMs ?? 50;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_SIZE) batches.push(requests.slice(i, i + BATCH_SIZE));
  const result: WriteResult = { written: 0, failed: 0, batches: batches.length, retries: 0 };

  const writeBatch = async (batch: WriteRequest[]) => {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (options.signal?.aborted || attempt >= maxAttempts) break;
      if (attempt > 0) {
        result.retries += 1;
        await sleep(backoffDelay(attempt - 1, baseDelayMs, maxDelayMs, random) + 1);
      }
      try {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [options.table]: pending } }), {
          abortSignal: options.signal,
        });
        const left = out.UnprocessedItems?.[options.table] ?? [];
        result.written += pending.length - left.length;
        if (left.length > 0)
          options.logger?.debug('unprocessed items, retrying', { unprocessed: left.length, attempt });
        pending = left;
      } catch (error) {
        if (!isRetryableDynamoError(error)) {
          result.error = (error as Error).message ?? String(error);
          break;
        }
        result.error = `${(error as Error).name}: ${(error as Error).message}`;
        options.logger?.debug('dynamodb write throttled or failed, retrying', { error: result.error, attempt });
      }
    }
    result.failed += pending.length;
    if (pending.length > 0) {
      result.error ??= `${pending.length} items still unprocessed after ${maxAttempts} attempts`;
      options.logger?.warn('batch did not fully land', { failed: pending.length, error: result.error });
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < batches.length) await writeBatch(batches[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, batches.length) }, worker));
  if (result.failed === 0) delete result.error;
  return result;
}
