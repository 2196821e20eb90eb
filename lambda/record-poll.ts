// One row per track and slot in the polls table: what the poll expected, wrote and spent,
// and how it ended. A retried slot overwrites its row, so the table shows the final outcome.
// A record that is not `ok` also keeps the names whose rows may be in the slot without a
// complete snapshot (slot-intent.ts), so the next attempt can remove those that no longer belong.
// Error texts are stored redacted and short: they travel on to the exported polls CSV and
// PostgreSQL, and an error built from a server's answer may carry the token it was sent.
// The item itself (attribute names, packed names) is core/store/poll-item.ts.
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { PollRecord } from '../core/domain.js';
import { registeredSecrets } from '../core/log.js';
import { capErrorText, redactSecrets } from '../core/redact.js';
import { encodePollItem } from '../core/store/poll-item.js';

/** The longest error text a record keeps: a line saying what happened, not a whole error page. */
export const MAX_ERROR_TEXT = 300;
const MAX_WARNING_TEXT = 500;

/** `text` with registered secrets and anything token-shaped redacted, then capped. */
export function storableText(text: string, max = MAX_ERROR_TEXT): string {
  return capErrorText(redactSecrets(text, registeredSecrets()), max);
}

/** The record with its error and warnings made storable, so what is printed is what is stored. */
export function sanitizePoll<T extends PollRecord>(poll: T): T {
  return {
    ...poll,
    ...(poll.error !== undefined ? { error: storableText(poll.error) } : {}),
    ...(poll.warnings !== undefined ? { warnings: poll.warnings.map((w) => storableText(w, MAX_WARNING_TEXT)) } : {}),
  };
}

/** Puts the record; `unsettled` names are kept in it when they fit under the item limit. */
export async function recordPoll(
  client: DynamoDBClient,
  table: string,
  poll: PollRecord,
  unsettled: readonly string[] = [],
): Promise<{ namesKept: boolean }> {
  // Made storable here too, not only by the caller: this is the last stop before the table.
  const { item, namesKept } = encodePollItem(sanitizePoll(poll), unsettled);
  await client.send(new PutItemCommand({ TableName: table, Item: item }));
  return { namesKept };
}
