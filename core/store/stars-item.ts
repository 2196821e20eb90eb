// One row of the stars table, both ways: the item the collector puts for a sample, and the row
// (and GitHub repo id) the export reads back from an item, checked by the same rule as a CSV
// line. A stars item's attribute names are here and in tables.ts (its key), nowhere else.
import type { ScanCommandInput } from '@aws-sdk/client-dynamodb';
import type { StarSample } from '../domain.js';
import { validateRow } from '../parse-row.js';
import { RowError } from '../row-error.js';
import type { StarRow } from '../star-row.js';
import { type Item, STARS_KEY } from './tables.js';

const { partition: REPO, sort: TS } = STARS_KEY;
const STARS = 'stars';
/** GitHub's databaseId, stable across renames; items written before it was stored lack it. */
const REPO_ID = 'repoId';

/** The key of the row of `repo` at `ts` (what a delete names). */
export function starsKey(key: { repo: string; ts: number }): Item {
  return { [REPO]: { S: key.repo }, [TS]: { N: String(key.ts) } };
}

export function encodeStarsItem(sample: StarSample): Item {
  return { ...starsKey(sample), [STARS]: { N: String(sample.stars) }, [REPO_ID]: { N: String(sample.repoId) } };
}

function describeItem(item: Item): string {
  const repo = item[REPO]?.S ?? JSON.stringify(item[REPO]);
  const ts = item[TS]?.N ?? JSON.stringify(item[TS]);
  return `DynamoDB item repo=${JSON.stringify(repo)} ts=${ts}`;
}

function itemToRow(item: Item, table: string): StarRow {
  const source = { item: `${describeItem(item)} in table ${table}` };
  const repo = item[REPO]?.S;
  const ts = item[TS]?.N;
  const stars = item[STARS]?.N;
  if (repo === undefined || ts === undefined || stars === undefined) {
    throw new RowError(
      'COLUMN_COUNT',
      source,
      `item lacks ${REPO} (S), ${TS} (N) or ${STARS} (N)`,
      undefined,
      JSON.stringify(item),
    );
  }
  return validateRow({ repo, ts, stars }, source);
}

/** An item's repo id: a positive integer, or undefined on an item without one. */
function itemRepoId(item: Item, row: StarRow, table: string): number | undefined {
  const raw = item[REPO_ID]?.N;
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^[0-9]{1,15}$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    const where = `DynamoDB item repo=${JSON.stringify(row.repo)} ts=${row.ts} in table ${table}`;
    throw new RowError('INVALID_FIELD', { item: where }, `${REPO_ID} must be a positive integer`, REPO_ID, raw);
  }
  return n;
}

/**
 * A page of items -> their rows and each row's repo id, or a RowError naming the first bad item
 * (rows are checked before repo ids).
 */
export function decodeStarsItems(
  items: readonly Item[],
  table: string,
): { rows: StarRow[]; repoIds: (number | undefined)[] } {
  const rows = items.map((item) => itemToRow(item, table));
  return { rows, repoIds: items.map((item, i) => itemRepoId(item, rows[i]!, table)) };
}

/** What a Scan of the stars table reads: every attribute the rows need, `ts` from `since` (inclusive) to `until` (exclusive). */
export function starsScanInput(range: {
  since?: number;
  until?: number;
}): Pick<
  ScanCommandInput,
  'ProjectionExpression' | 'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
> {
  const values: Item = {};
  const filters: string[] = [];
  if (range.since !== undefined) {
    filters.push('#ts >= :since');
    values[':since'] = { N: String(range.since) };
  }
  if (range.until !== undefined) {
    filters.push('#ts < :until');
    values[':until'] = { N: String(range.until) };
  }
  return {
    ProjectionExpression: '#repo, #ts, #stars, #repoId',
    FilterExpression: filters.length > 0 ? filters.join(' AND ') : undefined,
    ExpressionAttributeNames: { '#repo': REPO, '#ts': TS, '#stars': STARS, '#repoId': REPO_ID },
    ExpressionAttributeValues: filters.length > 0 ? values : undefined,
  };
}
