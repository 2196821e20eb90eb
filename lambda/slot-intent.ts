// While a poll writes its rows, the slot's record in the polls table says so and carries the
// names being written (deflated). If the invocation dies mid-write, the record stays: the
// slot is visibly failed, not a silent gap; and the redelivery, whose fresh snapshot may
// differ (a repository renamed or dropped out of the top N meanwhile), deletes the rows of
// names it no longer has, so the slot ends with exactly its top N. Only an `ok` record drops
// the names: a partial or failed one keeps them for the attempt after it (record-poll.ts).
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

/** The record's error while rows are being written. */
export const INTERRUPTED =
  'interrupted while writing rows (the invocation ended before the poll was recorded); a redelivery rewrites the slot';

/**
 * Under DynamoDB's 400 KB item limit with room for the rest of the record: about 40,000 names
 * deflated. Beyond it the record still says interrupted, without the names.
 */
export const MAX_NAMES_BYTES = 350_000;

export function packNames(names: readonly string[]): Uint8Array | undefined {
  const packed = deflateRawSync(Buffer.from(names.join('\n'), 'utf8'));
  return packed.byteLength <= MAX_NAMES_BYTES ? packed : undefined;
}

export function unpackNames(packed: Uint8Array): string[] {
  const text = inflateRawSync(packed).toString('utf8');
  return text === '' ? [] : text.split('\n');
}

/**
 * The names an earlier, interrupted attempt at this slot was writing; empty when the slot has
 * no such record. Strongly consistent: that attempt may have ended a minute ago.
 */
export async function namesLeftWriting(
  client: DynamoDBClient,
  table: string,
  track: string,
  ts: number,
): Promise<string[]> {
  const out = await client.send(
    new GetItemCommand({
      TableName: table,
      Key: { track: { S: track }, ts: { N: String(ts) } },
      ProjectionExpression: 'writing',
      ConsistentRead: true,
    }),
  );
  const packed = out.Item?.writing?.B;
  return packed ? unpackNames(packed) : [];
}
