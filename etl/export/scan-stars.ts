// One segment of a parallel Scan over the stars table, page by page, resumable from a
// LastEvaluatedKey; the items are decoded by core/store/stars-item.ts. Throttling and transient
// faults are retried with jittered backoff (retryDynamo).
import { type DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import type { StarRow } from '../../core/star-row.js';
import { type DynamoRetryOptions, retryDynamo } from '../../core/store/client.js';
import { decodeStarsItems, starsScanInput } from '../../core/store/stars-item.js';
import type { Item } from '../../core/store/tables.js';

/** A LastEvaluatedKey: where a segment's Scan goes on from. */
export type Key = Item;

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
  retry?: DynamoRetryOptions;
}

export async function* scanSegment(options: ScanOptions): AsyncGenerator<ScanPage> {
  const expressions = starsScanInput({ since: options.since, until: options.until });
  let startKey = options.startKey;
  do {
    const output: ScanCommandOutput = await retryDynamo(
      () =>
        options.client.send(
          new ScanCommand({
            TableName: options.table,
            Segment: options.segments > 1 ? options.segment : undefined,
            TotalSegments: options.segments > 1 ? options.segments : undefined,
            ExclusiveStartKey: startKey,
            Limit: options.pageSize,
            ...expressions,
            ConsistentRead: false,
          }),
          { abortSignal: options.signal },
        ),
      options.retry,
      options.signal,
    );
    startKey = output.LastEvaluatedKey;
    const { rows, repoIds } = decodeStarsItems(output.Items ?? [], options.table);
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
