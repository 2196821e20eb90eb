// load on the PostgreSQL server under real data and faults: the shared 267,076-row CSV, a
// connection dropped mid-COPY, two loads at once, psql's own \copy reading our CSV, and the
// CLI's one-line errors.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createReadStream, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, type Database, openDatabase } from '../core/database.js';
import { exportStars } from '../etl/export/export.js';
import { type RowBatch, readCsvBatches } from '../etl/formats/read-csv.js';
import { loadBatches } from '../etl/load/load.js';
import {
  makeRows,
  putRows,
  STARS_TABLE,
  sortRows,
  startTestDynamo,
  T0,
  tableRows,
  tableState,
} from './helpers/etl-fixtures.js';
import { freshSchema, serverUrl, type TestSchema } from './helpers/postgres.js';
import { requireRealCsvGz } from './helpers/real-data.js';
import { reachableTempDir } from './helpers/temp-dir.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = reachableTempDir('etl-pg-');
let schema: TestSchema;
const open: Database[] = [];

async function connect(): Promise<Database> {
  const db = await connectPostgres(schema.url);
  open.push(db);
  return db;
}

function csv(name: string, rows: Array<{ repo: string; ts: number; stars: number }>): string {
  const file = path.join(tmp, name);
  writeFileSync(file, rows.map((r) => `${r.repo},${r.ts},${r.stars}\n`).join(''));
  return file;
}

beforeAll(async () => {
  schema = await freshSchema('etl_pg');
});
afterAll(async () => {
  for (const db of open) await db.close().catch(() => {});
  await schema?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('load on the PostgreSQL server', () => {
  it('loads the real github-ranking-go.csv: 267,076 rows, known values', async () => {
    const db = await connect();
    const summary = await loadBatches(db, readCsvBatches(requireRealCsvGz()));
    expect(summary).toMatchObject({ rowsRead: 267_076, rowsLoaded: 267_076, duplicatesSkipped: 0, method: 'bulk' });
    const [count] = await db.query<{ n: number }>('select count(*)::int as n from github_stars');
    expect(count?.n).toBe(267_076);
    const [go] = await db.query<{ stars: number }>('select stars from github_stars where repo = $1 and ts = $2', [
      'golang/go',
      1545091200,
    ]);
    expect(go?.stars).toBe(50_809);
    const [codis] = await db.query<{ stars: number }>('select stars from github_stars where repo = $1 and ts = $2', [
      'CodisLabs/codis',
      1545091200,
    ]);
    expect(codis?.stars).toBe(8519);
    await db.exec('drop table github_stars');
  });

  it('a connection dropped mid-COPY leaves the table as it was; the rerun completes', async () => {
    const db = await connect();
    const base = makeRows(20, 10);
    await loadBatches(db, readCsvBatches(csv('base.csv', base)));
    const before = await tableState(db);
    const [{ pid }] = (await db.query<{ pid: number }>('select pg_backend_pid() as pid')) as [{ pid: number }];
    const extra = makeRows(20, 400).filter((r) => r.ts >= T0 + 10 * 900);
    const file = csv('extra.csv', extra);
    let release!: () => void;
    const paused = new Promise<void>((r) => (release = r));
    const admin = new pg.Client({ connectionString: serverUrl() });
    await admin.connect();
    async function* slow(): AsyncGenerator<RowBatch> {
      let n = 0;
      for await (const batch of readCsvBatches(file, { batchRows: 1000 })) {
        yield batch;
        if (++n === 3) {
          // Mid-COPY: the server has rows of this load; drop the connection under it.
          await admin.query('select pg_terminate_backend($1)', [pid]);
          release();
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
    const error = await loadBatches(db, slow()).catch((e: unknown) => e);
    await paused;
    await admin.end();
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/connection to PostgreSQL was lost during the load.*nothing was loaded/);
    const fresh = await connect();
    expect(await tableState(fresh)).toBe(before);
    const rerun = await loadBatches(fresh, readCsvBatches(file));
    expect(rerun.rowsLoaded).toBe(extra.length);
    expect(await tableRows(fresh)).toEqual(sortRows([...base, ...extra]));
    await fresh.exec('drop table github_stars');
  });

  it('the load CLI killed (SIGKILL) mid-COPY leaves the table as it was; the rerun completes', async () => {
    const db = await connect();
    const base = makeRows(10, 10);
    await loadBatches(db, readCsvBatches(csv('kill-base.csv', base)));
    const before = await tableState(db);
    const big = makeRows(1000, 410).filter((r) => r.ts >= T0 + 10 * 900); // 400,000 rows
    const file = csv('kill-big.csv', big);
    const app = `etl_kill_${schema.schema}`;
    const url = new URL(schema.url);
    url.searchParams.set('application_name', app);
    const child = spawn(process.execPath, ['--import', 'tsx', 'etl/load/load-cli.ts', '--file', file], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url.toString() },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rows = await db.query<{ n: number }>(
        `select coalesce(max(p.tuples_processed), 0)::int as n from pg_stat_progress_copy p join pg_stat_activity a using (pid) where a.application_name = $1`,
        [app],
      );
      if ((rows[0]?.n ?? 0) > 0) break;
      if (Date.now() > deadline) throw new Error('the load CLI never started its COPY');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;
    expect(await tableState(db)).toBe(before); // waits for the server to roll the dead session back
    const rerun = await loadBatches(db, readCsvBatches(file));
    expect(rerun.rowsLoaded).toBe(big.length);
    const [count] = await db.query<{ n: number }>('select count(*)::int as n from github_stars');
    expect(count?.n).toBe(base.length + big.length);
    await db.exec('drop table github_stars');
  });

  it('the load CLI killed mid-load into the embedded server: the data directory reopens unchanged', async () => {
    const dataDir = path.join(tmp, 'embedded-kill');
    const first = await openDatabase({ dataDir });
    await loadBatches(first, readCsvBatches(csv('pk-base.csv', makeRows(10, 10))));
    const before = await tableState(first);
    await first.close();
    const file = csv(
      'pk-big.csv',
      makeRows(1000, 400).filter((r) => r.ts >= T0 + 10 * 900),
    );
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'etl/load/load-cli.ts', '--file', file, '--data-dir', dataDir, '--batch-rows', '20000'],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Killed once it has opened the database and started loading.
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => d.toString().includes('-> github_stars') && resolve()),
    );
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGKILL');
    await exited;
    const again = await openDatabase({ dataDir });
    expect(await tableState(again)).toBe(before);
    const more = await loadBatches(again, readCsvBatches(csv('pk-more.csv', makeRows(10, 12))));
    expect(more.rowsLoaded).toBe(20);
    await again.close();
  });

  it('two loads at once: no duplicate, no deadlock, every row once', async () => {
    const [a, b] = [await connect(), await connect()];
    const all = makeRows(30, 300);
    const first = csv(
      'first.csv',
      all.filter((r) => r.ts < T0 + 200 * 900),
    );
    const second = csv(
      'second.csv',
      all.filter((r) => r.ts >= T0 + 100 * 900),
    );
    const results = await Promise.all([loadBatches(a, readCsvBatches(first)), loadBatches(b, readCsvBatches(second))]);
    expect(results[0].rowsLoaded + results[1].rowsLoaded).toBe(all.length);
    expect(results.map((r) => r.method).sort()).toEqual(['bulk', 'merge']);
    expect(await tableRows(a)).toEqual(sortRows(all));
    await a.exec('drop table github_stars');
  });

  /**
   * The article's `\\copy github_stars from 'file' csv`: psql when the machine has it, else the
   * statement psql's \\copy sends (COPY ... FROM STDIN, csv) with the file as its input.
   */
  async function articleCopy(db: Database, file: string): Promise<number> {
    if (spawnSync('psql', ['--version']).status === 0) {
      const { stdout } = await run(
        'psql',
        [serverUrl(), '-v', 'ON_ERROR_STOP=1', '-c', `\\copy github_stars from '${file}' csv`],
        {
          env: { ...process.env, PGOPTIONS: `-c search_path=${schema.schema}` },
        },
      );
      return Number(/^COPY (\d+)$/.exec(stdout.trim())?.[1]);
    }
    const copy = db.pg.query(copyFrom('copy github_stars from stdin csv'));
    await pipeline(createReadStream(file), copy);
    return copy.rowCount;
  }

  it("psql's own `\\copy github_stars from 'file' csv` reads what export writes", async () => {
    const dynamo = await startTestDynamo();
    try {
      const written = makeRows(12, 25);
      await putRows(dynamo.client, written);
      const out = path.join(tmp, 'github-stars.csv');
      await exportStars({ client: dynamo.client, table: STARS_TABLE, out, segments: 2 });
      const db = await connect();
      await db.exec(
        `create table github_stars (repo varchar(255) not null, ts bigint not null, stars integer not null, primary key (repo, ts))`,
      );
      expect(await articleCopy(db, out)).toBe(written.length);
      expect(await tableRows(db)).toEqual(sortRows(written));
      await db.exec('drop table github_stars');
    } finally {
      await dynamo.close();
    }
  });

  it('the load CLI: one-line error with file and line, exit 1, nothing loaded; then a clean load', async () => {
    const bad = path.join(tmp, 'cli-bad.csv');
    writeFileSync(bad, 'a/b,1545091200,1\na/b/c,1545091200,2\n');
    const env = { ...process.env, DATABASE_URL: schema.url };
    const cli = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'etl/load/load-cli.ts', ...args], { cwd: ROOT, env });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
      });
    const failed = await cli(['--file', bad]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`load: ${bad}, line 2: invalid repository name (expected owner/name), got "a/b/c"`);
    expect(failed.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const db = await connect();
    const [t] = await db.query<{ t: string | null }>(`select to_regclass('github_stars')::text as t`);
    expect(t?.t).toBeNull();
    const ok = await cli(['--file', csv('cli-good.csv', makeRows(3, 4))]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^loaded 12 rows \(0 duplicates skipped, 12 read\) in [\d.]+ s, [\d,]+ rows\/s\n$/);
    const missing = await cli(['--file', path.join(tmp, 'nope.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`load: ${path.join(tmp, 'nope.csv')}: file not found`);
  });
});
