// Issue 7, ETL under faults. Export: the CLI SIGKILLed at random points and resumed each time;
// the final CSV holds exactly the table's rows (as a multiset). Load: the CLI killed mid-COPY,
// and the connection terminated mid-COPY from another session, leave github_stars exactly as
// it was (empty or holding rows); the rerun completes. Two load CLIs at once on one schema
// neither duplicate rows nor deadlock. The bench runs the export with 20 kills.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, type Database } from '../core/database.js';
import { sqlFile } from '../core/sql-file.js';
import type { StarRow } from '../core/star-row.js';
import { readCsvBatches } from '../etl/formats/read-csv.js';
import { loadBatches } from '../etl/load/load.js';
import { makeRows, putRows, STARS_TABLE, startTestDynamo, T0, type TestDynamo } from './helpers/etl-fixtures.js';
import { freshSchema, type TestSchema } from './helpers/postgres.js';
import { seededRandom } from './helpers/random.js';
import { starsState } from './helpers/reliability-db.js';
import { exportWithKills, interruptLoadCli, startCli, tagged, waitSessionGone } from './helpers/reliability-etl.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const tmp = mkdtempSync(path.join(os.tmpdir(), 'reliability-etl-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('export SIGKILLed at random points, resumed each time', () => {
  let dynamo: TestDynamo;
  beforeAll(async () => {
    dynamo = await startTestDynamo();
    await putRows(dynamo.client, makeRows(100, 120)); // 12,000 rows
  });
  afterAll(async () => dynamo?.close());

  it('6 kills: the final CSV holds exactly the table rows, none twice, none missing', {
    timeout: 150_000,
  }, async () => {
    const f = await exportWithKills({
      endpoint: dynamo.endpoint,
      table: STARS_TABLE,
      out: path.join(tmp, 'killed.csv'),
      kills: 6,
      pageSize: 40,
      random: seededRandom(2),
      client: dynamo.client,
    });
    expect(f.kills).toBe(6);
    expect(f.resumes).toBeGreaterThanOrEqual(6);
    expect(f.finalOutput).toMatch(/exported 12,000 rows \(resumed after [\d,]+\)/);
    expect({ rowsInCsv: f.rowsInCsv, missing: f.missing, duplicates: f.duplicates, extra: f.extra }).toEqual({
      rowsInCsv: 12_000,
      missing: 0,
      duplicates: 0,
      extra: 0,
    });
  });
});

describe('load interrupted, and two loads at once (PostgreSQL server)', () => {
  let schema: TestSchema;
  let admin: Database;
  let big: string;
  let bigRows: StarRow[];
  const csv = (name: string, rows: readonly StarRow[]) => {
    const file = path.join(tmp, name);
    writeFileSync(file, rows.map((r) => `${r.repo},${r.ts},${r.stars}\n`).join(''));
    return file;
  };

  beforeAll(async () => {
    schema = await freshSchema('rel_etl');
    admin = await connectPostgres(schema.url);
    bigRows = makeRows(500, 400); // 200,000 rows: long enough to interrupt mid-COPY
    big = csv('big.csv', bigRows);
  });
  afterAll(async () => {
    await admin?.close();
    await schema?.drop();
  });

  async function resetTable(rows: readonly StarRow[]) {
    await admin.exec('drop table if exists github_stars');
    await admin.exec(sqlFile('schema.sql'));
    if (rows.length > 0) await loadBatches(admin, readCsvBatches(csv('seed.csv', rows)));
  }

  const seedRows = makeRows(30, 10, T0 - 100 * 900); // 300 rows outside the big file's slots

  it.each([
    ['empty', [] as StarRow[]],
    ['holding rows', seedRows],
  ])(
    'load CLI SIGKILLed mid-COPY into a table %s: unchanged; the rerun completes',
    { timeout: 120_000 },
    async (_label, seed) => {
      await resetTable(seed);
      const before = await starsState(admin);
      const tag = `rel_kill_${process.pid}_${seed.length}`;
      const end = await interruptLoadCli({
        admin,
        url: schema.url,
        file: big,
        tag,
        how: 'kill',
        delayMs: 50 + Math.floor(Math.random() * 150),
      });
      expect(end.signal).toBe('SIGKILL');
      expect(await starsState(admin)).toBe(before);

      const rerun = await startCli('etl/load/load-cli.ts', ['--file', big], { DATABASE_URL: schema.url }).exited;
      expect(rerun.code, rerun.output).toBe(0);
      expect(rerun.output).toMatch(/loaded 200,000 rows/);
      expect(await starsState(admin)).toMatch(new RegExp(`^rows=${200_000 + seed.length} sum=-?\\d+ pk=1`));
    },
  );

  it.each([
    ['empty', [] as StarRow[]],
    ['holding rows', seedRows],
  ])(
    'connection terminated mid-COPY (pg_terminate_backend) into a table %s: unchanged; the rerun completes',
    { timeout: 120_000 },
    async (_label, seed) => {
      await resetTable(seed);
      const before = await starsState(admin);
      const tag = `rel_term_${process.pid}_${seed.length}`;
      const victim = await connectPostgres(tagged(schema.url, tag));
      // The dead connection reports once more after the load has given up on it; its owner listens.
      victim.pg!.on('error', () => {});
      // The connection is cut after two batches have gone into COPY, before a third is read.
      async function* cutAfterTwo() {
        let batches = 0;
        for await (const batch of readCsvBatches(big, { batchRows: 20_000 })) {
          yield batch;
          if (++batches === 2) {
            await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
              tag,
            ]);
            await pause(100);
          }
        }
      }
      const load = loadBatches(victim, cutAfterTwo());
      await expect(load).rejects.toThrow(/terminat|connection|closed|EPIPE|ECONNRESET/i);
      await victim.close().catch(() => {});
      await waitSessionGone(admin, tag);
      expect(await starsState(admin)).toBe(before);

      const again = await connectPostgres(schema.url);
      try {
        const summary = await loadBatches(again, readCsvBatches(big));
        expect(summary.rowsLoaded).toBe(200_000);
      } finally {
        await again.close();
      }
      expect(await starsState(admin)).toMatch(new RegExp(`^rows=${200_000 + seed.length} sum=-?\\d+ pk=1`));
    },
  );

  it('load CLI whose connection is terminated mid-COPY: a one-line error, non-zero exit, table unchanged', {
    timeout: 120_000,
  }, async () => {
    await resetTable(seedRows);
    const before = await starsState(admin);
    const end = await interruptLoadCli({
      admin,
      url: schema.url,
      file: big,
      tag: `rel_cli_term_${process.pid}`,
      how: 'terminate',
    });
    expect(end.code, end.output).not.toBe(0);
    expect(end.output).not.toMatch(/\n\s+at /); // no stack trace
    expect(end.output).toMatch(/^load: .*(terminat|connection|EPIPE|ECONNRESET)/im);
    expect(await starsState(admin)).toBe(before);
  });

  it('two load CLIs at once on one schema: no duplicate rows, no deadlock', { timeout: 120_000 }, async () => {
    await admin.exec('drop table if exists github_stars');
    const first = bigRows.filter((r) => r.ts < T0 + 250 * 900);
    const second = bigRows.filter((r) => r.ts >= T0 + 150 * 900);
    const union = new Set([...first, ...second].map((r) => `${r.repo},${r.ts}`)).size;
    const [a, b] = await Promise.all([
      startCli('etl/load/load-cli.ts', ['--file', csv('first.csv', first)], { DATABASE_URL: schema.url }).exited,
      startCli('etl/load/load-cli.ts', ['--file', csv('second.csv', second)], { DATABASE_URL: schema.url }).exited,
    ]);
    expect(a.code, a.output).toBe(0);
    expect(b.code, b.output).toBe(0);
    const loaded = [a, b].map((r) => Number(/loaded ([\d,]+) rows/.exec(r.output)?.[1]?.replace(/,/g, '')));
    expect(loaded[0]! + loaded[1]!).toBe(union);
    const [dupes] = await admin.query<{ n: number }>(
      'select count(*)::int as n from (select repo, ts from github_stars group by 1, 2 having count(*) > 1) d',
    );
    expect(dupes?.n).toBe(0);
    expect(await starsState(admin)).toMatch(new RegExp(`^rows=${union} sum=-?\\d+ pk=1`));
  });
});
