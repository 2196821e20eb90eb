// One segment of a parallel Scan over the stars table, page by page, resumable from a
// LastEvaluatedKey. Throttling and transient faults are retried with jittered backoff.
import {
  type AttributeValue,
  type DynamoDBClient,
  ScanCommand,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { isRetryableDynamoError } from '../../core/store/client.js';
import { RowError, type StarRow, validateRow } from '../formats/validate-row.js';
import { itemRepoId } from './side-files.js';

export type Key = Record<string, AttributeValue>;

export interface ScanPage {
  segment: number;
  rows: StarRow[];
  /** Each row's GitHub repo id (undefined on items written without one), for the renames file. */
  repoIds: (number | undefined)[];
  /** Where the next page starts; undefined when the segment is done. */
  lastKey?: Key;
}

export interface ScanOptions {
  client: DynamoDBClient;
  table: string;
  segment: number;
  segments: number;
  startKey?: Key;
  /** Epoch seconds, inclusive. */
  since?: number;
  /** Epoch seconds, exclusive. */
  until?: number;
  /** Items per request (DynamoDB caps a page at 1 MB anyway). */
  pageSize?: number;
  signal?: AbortSignal;
  retry?: RetryOptions;
}

export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}, signal?: AbortSignal): Promise<T> {
  const attempts = options.attempts ?? 10;
  const base = options.baseMs ?? 100;
  const max = options.maxMs ?? 10_000;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts || !isRetryableDynamoError(error)) throw error;
      // Full jitter: spreads the segments' retries so they do not throttle together again.
      await sleep(Math.random() * Math.min(max, base * 2 ** (attempt - 1)));
    }
  }
}

function describeItem(item: Key): string {
  const repo = item.repo?.S ?? JSON.stringify(item.repo);
  const ts = item.ts?.N ?? JSON.stringify(item.ts);
  return `DynamoDB item repo=${JSON.stringify(repo)} ts=${ts}`;
}

export function itemToRow(item: Key, table: string): StarRow {
  const source = { item: `${describeItem(item)} in table ${table}` };
  if (item.repo?.S === undefined || item.ts?.N === undefined || item.stars?.N === undefined) {
    throw new RowError(
      'COLUMN_COUNT',
      source,
      'item lacks repo (S), ts (N) or stars (N)',
      undefined,
      JSON.stringify(item),
    );
  }
  return validateRow({ repo: item.repo.S, ts: item.ts.N, stars: item.stars.N }, source);
}

export async function* scanSegment(options: ScanOptions): AsyncGenerator<ScanPage> {
  const names: Record<string, string> = { '#repo': 'repo', '#ts': 'ts', '#stars': 'stars', '#repoId': 'repoId' };
  const values: Key = {};
  const filters: string[] = [];
  if (options.since !== undefined) {
    filters.push('#ts >= :since');
    values[':since'] = { N: String(options.since) };
  }
  if (options.until !== undefined) {
    filters.push('#ts < :until');
    values[':until'] = { N: String(options.until) };
  }
  let startKey = options.startKey;
  do {
    const output: ScanCommandOutput = await withRetry(
      () =>
        options.client.send(
          new ScanCommand({
            TableName: options.table,
            Segment: options.segments > 1 ? options.segment : undefined,
            TotalSegments: options.segments > 1 ? options.segments : undefined,
            ExclusiveStartKey: startKey,
            Limit: options.pageSize,
            ProjectionExpression: '#repo, #ts, #stars, #repoId',
            FilterExpression: filters.length > 0 ? filters.join(' AND ') : undefined,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: filters.length > 0 ? values : undefined,
            ConsistentRead: false,
          }),
          { abortSignal: options.signal },
        ),
      options.retry,
      options.signal,
    );
    startKey = output.LastEvaluatedKey;
    const items = output.Items ?? [];
    const rows = items.map((item) => itemToRow(item, options.table));
    const repoIds = items.map((item, i) =>
      itemRepoId(
        item,
        `DynamoDB item repo=${JSON.stringify(rows[i]!.repo)} ts=${rows[i]!.ts} in table ${options.table}`,
      ),
    );
    yield { segment: options.segment, rows, repoIds, lastKey: startKey };
  } while (startKey);
}

/**
 * Pages of several generators as they arrive, each generator at most one page ahead:
 * memory stays at one page per segment however large the table.
 */
export async function* mergePages<T>(sources: AsyncGenerator<T>[]): AsyncGenerator<T> {
  type Next = { index: number; result: IteratorResult<T> };
  const pending = new Map<number, Promise<Next>>();
  const pull = (index: number) => {
    const p = sources[index]!.next().then((result) => ({ index, result }));
    p.catch(() => {}); // a failure is seen through Promise.race below
    pending.set(index, p);
  };
  for (let i = 0; i < sources.length; i++) pull(i);
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(index);
      } else {
        pull(index);
        yield result.value;
      }
    }
  } finally {
    await Promise.allSettled(sources.map((s) => s.return(undefined)));
  }
}
