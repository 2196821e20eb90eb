// One row per track and slot in the polls table: what the poll expected, wrote and spent,
// and how it ended. A retried slot overwrites its row, so the table shows the final outcome.
// A record that is not `ok` also keeps the names whose rows may be in the slot without a
// complete snapshot (slot-intent.ts), so the next attempt can remove those that no longer belong.
// Error texts are stored redacted and short: they travel on to the exported polls CSV and
// PostgreSQL, and an error built from a server's answer may carry the token it was sent.
import { type AttributeValue, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { Poll } from '../core/domain.js';
import { registeredSecrets } from '../core/log.js';
import { capErrorText, redactSecrets } from '../core/redact.js';
import { packNames } from './slot-intent.js';

/** The poll plus diagnostics that are useful but not part of the shared contract. */
export interface PollRecord extends Poll {
  duplicates?: number;
  retries?: number;
  warnings?: string[];
  /** Rows an interrupted earlier attempt at this slot wrote for names no longer in the snapshot, deleted. */
  staleRemoved?: number;
}

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

export function pollItem(poll: PollRecord): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    track: { S: poll.track },
    ts: { N: String(poll.ts) },
    status: { S: poll.status },
    expected: { N: String(poll.expected) },
    written: { N: String(poll.written) },
    rejected: { N: String(poll.rejected) },
    points: { N: String(poll.points) },
    requests: { N: String(poll.requests) },
    durationMs: { N: String(poll.durationMs) },
    startedAt: { S: poll.startedAt },
  };
  // Redacted here too, not only by sanitizePoll: this is the last stop before the table.
  if (poll.error) item.error = { S: storableText(poll.error) };
  if (poll.duplicates !== undefined) item.duplicates = { N: String(poll.duplicates) };
  if (poll.retries !== undefined) item.retries = { N: String(poll.retries) };
  if (poll.staleRemoved !== undefined) item.staleRemoved = { N: String(poll.staleRemoved) };
  if (poll.warnings && poll.warnings.length > 0)
    item.warnings = { L: poll.warnings.slice(0, 20).map((w) => ({ S: storableText(w, MAX_WARNING_TEXT) })) };
  return item;
}

/** Puts the record; `unsettled` names are kept in it when they fit under the item limit. */
export async function recordPoll(
  client: DynamoDBClient,
  table: string,
  poll: PollRecord,
  unsettled: readonly string[] = [],
): Promise<{ namesKept: boolean }> {
  const item = pollItem(poll);
  const packed = unsettled.length > 0 ? packNames(unsettled) : undefined;
  if (packed) item.writing = { B: packed };
  await client.send(new PutItemCommand({ TableName: table, Item: item }));
  return { namesKept: unsettled.length === 0 || packed !== undefined };
}
