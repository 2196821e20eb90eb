// load: CSV -> github_stars on both PostgreSQLs (the embedded server in a temp dir, and the server):
// round trip from dynalite, reload adds nothing, and every kind of bad input names its line and
// leaves the table exactly as it was.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../core/database.js';
import { RowError } from '../core/row-error.js';
import { exportStars, scanBatches } from '../etl/export/export.js';
import { readCsvBatches } from '../etl/formats/read-csv.js';
import { loadBatches } from '../etl/load/load.js';
import { type OpenedDatabase, openEmbeddedIn, openServerSchema } from './helpers/both-databases.js';
import {
  makeRows,
  putRows,
  STARS_TABLE,
  sortRows,
  startTestDynamo,
  T0,
  type TestDynamo,
  tableRows,
  tableState,
} from './helpers/etl-fixtures.js';
import { reachableTempDir } from './helpers/temp-dir.js';

const tmp = reachableTempDir('etl-load-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function csvFile(name: string, content: string | Buffer): string {
  const file = path.join(tmp, name);
  writeFileSync(file, content);
  return file;
}

const good = (n: number, start = 0) =>
  Array.from(
    { length: n },
    (_, i) => `acme/widget-${(start + i) % 97},${T0 + Math.floor((start + i) / 97) * 900},${start + i}`,
  ).join('\n') + '\n';

// name, file content, line the error must name, error code
const BAD_INPUTS: Array<[string, string | Buffer, number | undefined, string]> = [
  ['unclosed quote', 'a/b,1545091200,1\n"c/d,1545091200,2\n', 2, 'CSV_QUOTE_NOT_CLOSED'],
  ['quote inside a field', 'a/b,1545091200,1\nc/d,15450"91200,2\n', 2, 'CSV_INVALID_OPENING_QUOTE'],
  ['too few columns', 'a/b,1545091200,1\nc/d,1545091200\n', 2, 'COLUMN_COUNT'],
  ['too many columns', 'a/b,1545091200,1\nc/d,1545091200,2,3\n', 2, 'COLUMN_COUNT'],
  ['non-integer ts', 'a/b,1545091200,1\nc/d,1545091200.5,2\n', 2, 'INVALID_TS'],
  ['text ts', 'a/b,1545091200,1\n\nc/d,yesterday,2\n', 2, 'EMPTY_LINE'],
  ['negative ts', 'a/b,1545091200,1\na/b,1545092100,1\nc/d,-1545091200,2\n', 3, 'INVALID_TS'],
  ['ts in milliseconds', 'a/b,1545091200000,1\n', 1, 'INVALID_TS'],
  ['negative stars', 'a/b,1545091200,-1\n', 1, 'INVALID_STARS'],
  ['non-integer stars', 'a/b,1545091200,1\nc/d,1545091200,1e3\n', 2, 'INVALID_STARS'],
  ['stars beyond int4', 'a/b,1545091200,2147483648\n', 1, 'INVALID_STARS'],
  ['repo a/b/c', 'a/b,1545091200,1\na/b/c,1545091200,2\n', 2, 'INVALID_REPO'],
  ['repo ../x', '../x,1545091200,2\n', 1, 'INVALID_REPO'],
  ['repo with markup', 'a/b,1545091200,1\n<script>/x,1545091200,2\n', 2, 'INVALID_REPO'],
  ['quoted repo with a comma', 'a/b,1545091200,1\n"x,y",1545091200,2\n', 2, 'INVALID_REPO'],
  ['unquoted comma in the repo', 'a/b,1545091200,1\nx,y,1545091200,2\n', 2, 'COLUMN_COUNT'],
  ['SQL in the repo', 'a/b,1545091200,1\n"\'; drop table github_stars; --",1545091200,2\n', 2, 'INVALID_REPO'],
  ['NUL byte', 'a/b,1545091200,1\na/\u0000b,1545091200,2\n', 2, 'INVALID_REPO'],
  [
    'non-UTF-8 bytes',
    Buffer.concat([Buffer.from('a/b,1545091200,1\na/'), Buffer.from([0xff, 0xfe]), Buffer.from('b,1545091200,2\n')]),
    2,
    'INVALID_REPO',
  ],
  ['huge field', `a/b,1545091200,1\n${'x'.repeat(200_000)},1,2\n`, 2, 'LINE_TOO_LONG'],
  ['bad row after 120,000 good ones', `${good(120_000)}acme/widget-1,1545091200,oops\n`, 120_001, 'INVALID_STARS'],
  ['empty file', '', undefined, 'EMPTY_FILE'],
];

const backends: Array<[string, () => Promise<OpenedDatabase>]> = [
  ['embedded', () => openEmbeddedIn(tmp)],
  ['PostgreSQL server', () => openServerSchema('etl_load')],
];

describe.each(backends)('load into %s', (_name, open) => {
  let db: Database;
  let done: () => Promise<void>;
  let dynamo: TestDynamo;
  const written = makeRows(37, 60); // 2,220 rows

  beforeAll(async () => {
    ({ db, done } = await open());
    dynamo = await startTestDynamo();
    await putRows(dynamo.client, written);
  });
  afterAll(async () => {
    await done?.();
    await dynamo?.close();
  });

  it('rejects bad input in a fresh database and leaves github_stars absent or empty', async () => {
    const file = csvFile(`big-bad-${_name}.csv`, `${good(120_000)}acme/widget-1,1545091200,-5\n`);
    const error = await loadBatches(db, readCsvBatches(file)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RowError);
    expect((error as RowError).line).toBe(120_001);
    const present = await db.query<{ t: string | null }>(`select to_regclass('github_stars')::text as t`);
    expect(present[0]?.t).toBeNull(); // even the create table was rolled back
  });

  it('round trip: dynalite -> CSV -> github_stars gives exactly the rows written', async () => {
    const out = path.join(tmp, `round-${_name}.csv`);
    const exported = await exportStars({ client: dynamo.client, table: STARS_TABLE, out, segments: 3, pageSize: 200 });
    expect(exported.rows).toBe(written.length);
    const summary = await loadBatches(db, readCsvBatches(out, { batchRows: 500 }));
    expect(summary).toMatchObject({
      rowsRead: written.length,
      rowsLoaded: written.length,
      duplicatesSkipped: 0,
      method: 'bulk',
    });
    expect(await tableRows(db)).toEqual(sortRows(written));
    const pk = await db.query<{ n: number }>(
      `select count(*)::int as n from pg_constraint where conrelid = 'github_stars'::regclass and contype = 'p'`,
    );
    expect(pk[0]?.n).toBe(1);
  });

  it('reload adds nothing; an overlapping file adds only its new rows', async () => {
    const out = path.join(tmp, `round-${_name}.csv`);
    const again = await loadBatches(db, readCsvBatches(out));
    expect(again).toMatchObject({
      rowsRead: written.length,
      rowsLoaded: 0,
      duplicatesSkipped: written.length,
      method: 'merge',
    });
    const more = makeRows(37, 70).filter((r) => r.ts >= T0 + 55 * 900); // 5 old slots, 10 new
    const overlap = csvFile(`overlap-${_name}.csv`, more.map((r) => `${r.repo},${r.ts},${r.stars}`).join('\n'));
    const merged = await loadBatches(db, readCsvBatches(overlap));
    expect(merged).toMatchObject({ rowsRead: 37 * 15, rowsLoaded: 37 * 10, duplicatesSkipped: 37 * 5 });
    expect(await tableRows(db)).toEqual(sortRows(makeRows(37, 70)));
  });

  it('--from-dynamodb streams the table straight in: nothing new the second time', async () => {
    const summary = await loadBatches(
      db,
      scanBatches({ client: dynamo.client, table: STARS_TABLE, segments: 2, pageSize: 300 }),
    );
    expect(summary).toMatchObject({ rowsRead: written.length, rowsLoaded: 0, duplicatesSkipped: written.length });
  });

  it.each(BAD_INPUTS)('rejects %s with its line and changes nothing', async (label, content, line, code) => {
    const before = await tableState(db);
    const file = csvFile(`bad-${label.replace(/\W+/g, '-')}.csv`, content);
    const error = await loadBatches(db, readCsvBatches(file, { batchRows: 1000 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RowError);
    const rowError = error as RowError;
    expect(rowError.code).toBe(code);
    expect(rowError.line).toBe(line);
    expect(rowError.file).toBe(file);
    if (line !== undefined) expect(rowError.message).toContain(`${file}, line ${line}:`);
    expect(await tableState(db)).toBe(before);
  });

  it('rejects a missing file by name and changes nothing', async () => {
    const before = await tableState(db);
    const missing = path.join(tmp, 'no-such.csv');
    await expect(loadBatches(db, readCsvBatches(missing))).rejects.toThrow(`${missing}: file not found`);
    expect(await tableState(db)).toBe(before);
  });

  it('keeps the first of rows repeated inside one file, in an empty table too', async () => {
    await db.exec('drop table github_stars');
    const file = csvFile(`dups-${_name}.csv`, 'a/b,1545091200,1\nc/d,1545091200,3\na/b,1545091200,2\n');
    const summary = await loadBatches(db, readCsvBatches(file));
    expect(summary).toMatchObject({ rowsRead: 3, rowsLoaded: 2, duplicatesSkipped: 1, method: 'bulk' });
    expect(await tableRows(db)).toEqual([
      { repo: 'a/b', ts: T0, stars: 1 },
      { repo: 'c/d', ts: T0, stars: 3 },
    ]);
  });

  it('keeps secondary indexes an empty table had, rebuilt after the COPY', async () => {
    await db.exec('truncate github_stars; create index github_stars_stars_idx on github_stars (stars)');
    await loadBatches(db, readCsvBatches(csvFile(`idx-${_name}.csv`, good(500))));
    const idx = await db.query<{ n: number }>(
      `select count(*)::int as n from pg_indexes where tablename = 'github_stars' and schemaname = current_schema()`,
    );
    expect(idx[0]?.n).toBe(2);
    expect((await tableRows(db)).length).toBe(500);
  });
});
