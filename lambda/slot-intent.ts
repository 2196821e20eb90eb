// While a poll writes its rows, the slot's record in the polls table says so and carries the
// names being written (deflated). If the invocation dies mid-write, the record stays: the
// slot is visibly failed, not a silent gap; and the redelivery, whose fresh snapshot may
// differ (a repository renamed or dropped out of the top N meanwhile), deletes the rows of
// names it no longer has, so the slot ends with exactly its top N. Only an `ok` record drops
// the names: a partial or failed one keeps them for the attempt after it (record-poll.ts). How
// the names are packed into the record, and how many fit, is core/store/poll-item.ts.
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { decodePollNames, POLL_NAMES_PROJECTION, pollKey } from '../core/store/poll-item.js';

/** The record's error while rows are being written. */
export const INTERRUPTED =
  'interrupted while writing rows (the invocation ended before the poll was recorded); a redelivery rewrites the slot';

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
      Key: pollKey(track, ts),
      ProjectionExpression: POLL_NAMES_PROJECTION,
      ConsistentRead: true,
    }),
  );
  return decodePollNames(out.Item);
}
