// One record per track and poll slot in the polls table, both ways: the item the collector puts
// (the poll, its diagnostics and, while the slot's rows are being written, their names deflated)
// and the poll the export and the demo read back, checked by the same rule as a polls file.
// A poll item's attribute names are here and in tables.ts (its key), nowhere else.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { PollAsRead, PollRecord } from '../domain.js';
import { parsePoll } from '../parse-row.js';
import { showValue } from '../row-error.js';
import { type Item, POLLS_KEY } from './tables.js';

const { partition: TRACK, sort: TS } = POLLS_KEY;
/** The names of the repositories whose rows may be in the slot without a complete snapshot. */
const NAMES = 'writing';
/** A record keeps at most this many warnings: a line each, not a log. */
const MAX_WARNINGS = 20;

/**
 * Under DynamoDB's 400 KB item limit with room for the rest of the record: about 40,000 names
 * deflated. Beyond it the record is stored without the names.
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

/** The key of the record of `track` at slot `ts`. */
export function pollKey(track: string, ts: number): Item {
  return { [TRACK]: { S: track }, [TS]: { N: String(ts) } };
}

/**
 * The item for a record whose texts are already storable (redacted and capped by the collector);
 * `names` are kept in it when they fit under the item limit (`namesKept` says whether).
 */
export function encodePollItem(poll: PollRecord, names: readonly string[] = []): { item: Item; namesKept: boolean } {
  const item: Item = {
    ...pollKey(poll.track, poll.ts),
    status: { S: poll.status },
    expected: { N: String(poll.expected) },
    written: { N: String(poll.written) },
    rejected: { N: String(poll.rejected) },
    points: { N: String(poll.points) },
    requests: { N: String(poll.requests) },
    durationMs: { N: String(poll.durationMs) },
    startedAt: { S: poll.startedAt },
  };
  if (poll.error) item.error = { S: poll.error };
  if (poll.duplicates !== undefined) item.duplicates = { N: String(poll.duplicates) };
  if (poll.retries !== undefined) item.retries = { N: String(poll.retries) };
  if (poll.staleRemoved !== undefined) item.staleRemoved = { N: String(poll.staleRemoved) };
  if (poll.warnings && poll.warnings.length > 0)
    item.warnings = { L: poll.warnings.slice(0, MAX_WARNINGS).map((w) => ({ S: w })) };
  const packed = names.length > 0 ? packNames(names) : undefined;
  if (packed) item[NAMES] = { B: packed };
  return { item, namesKept: names.length === 0 || packed !== undefined };
}

/** A GetItem projection that reads only the names a record keeps. */
export const POLL_NAMES_PROJECTION = NAMES;

/** The names a record keeps; none when there is no record or it keeps none. */
export function decodePollNames(item: Item | undefined): string[] {
  const packed = item?.[NAMES]?.B;
  return packed ? unpackNames(packed) : [];
}

/** A polls-table item -> the poll, with the item's key in any error. */
export function decodePollItem(item: Item, table: string): PollAsRead {
  const where = `DynamoDB item track=${showValue(item[TRACK]?.S ?? '?')} ts=${item[TS]?.N ?? '?'} in table ${table}`;
  const n = (name: string) => item[name]?.N;
  return parsePoll(
    {
      track: item[TRACK]?.S,
      ts: n(TS),
      status: item.status?.S,
      expected: n('expected'),
      written: n('written'),
      rejected: n('rejected'),
      points: n('points'),
      requests: n('requests'),
      duration_ms: n('durationMs'),
      started_at: item.startedAt?.S,
      error: item.error?.S,
    },
    { item: where },
  );
}
