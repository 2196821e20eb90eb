// The whole polls table for the polls file: one item per track and 15 minutes, so small enough
// to read in one go. The items are decoded by core/store/poll-item.ts.
import { type DynamoDBClient, ResourceNotFoundException, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { PollAsRead } from '../../core/domain.js';
import { type DynamoRetryOptions, retryDynamo } from '../../core/store/client.js';
import { decodePollItem } from '../../core/store/poll-item.js';
import type { Item } from '../../core/store/tables.js';

/**
 * Every poll, sorted by track and time; undefined when the table does not exist (a deployment
 * without it: coverage is then inferred).
 */
export async function scanPolls(
  client: DynamoDBClient,
  table: string,
  options: { retry?: DynamoRetryOptions; signal?: AbortSignal } = {},
): Promise<PollAsRead[] | undefined> {
  const polls: PollAsRead[] = [];
  let startKey: Item | undefined;
  try {
    do {
      const output = await retryDynamo(
        () =>
          client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }), {
            abortSignal: options.signal,
          }),
        options.retry,
        options.signal,
      );
      for (const item of output.Items ?? []) polls.push(decodePollItem(item, table));
      startKey = output.LastEvaluatedKey;
    } while (startKey);
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as { name?: string }).name === 'ResourceNotFoundException')
      return undefined;
    throw error;
  }
  return polls.sort((a, b) => (a.track < b.track ? -1 : a.track > b.track ? 1 : a.ts - b.ts));
}
