// The insights read per-day summaries (sql/summary/) derived from github_stars and cached. They
// must give exactly the answers of the direct runs (the same queries fed from github_stars itself,
// sql/shared-queries.sql with direct = true; bursts with its pre-summary window too: the oracle)
// on generated data with gaps, a rename, falls, a late entrant, an early leaver and a repo with
// one sample, and on the real CSV; on the embedded server and the PostgreSQL server. And the cache must never
// be stale: every change to github_stars (startrail's load, bulk or merge; plain SQL as psql's
// \copy would do; a table dropped and made again) rebuilds it, and nothing else does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalysis } from '../analysis/queries/run-analysis.js';
import { ensureSummaries } from '../analysis/queries/summary.js';
import type { Database } from '../core/database.js';
import type { RowBatch } from '../etl/formats/read-csv.js';
import { loadBatches } from '../etl/load/load.js';
import { embeddedDb, insertRows, loadCsv, type StarRow, serverDb, type TestDb } from './helpers/analysis-fixtures.js';
import { D0, DAY, generateInsightData, insertInsightTables, SLOT } from './helpers/insights-fixtures.js';
import { realCsvPath } from './helpers/real-data.js';

const SUMMARIZED = ['daily-gains', 'rank-history', 'bursts', 'coverage', 'coverage-gaps'] as const;
const BOTH = ['star_days', 'star_times'] as const;

const data = generateInsightData();
// Beside the fixture's cases: a repo with one sample, and one that falls and leaves early.
const extra: StarRow[] = [{ repo: 'solo/one-sample', ts: D0 + 5 * DAY + 3 * SLOT, stars: 4321 }];
for (let s = 0; s < 12 * 96; s += 3)
  extra.push({ repo: 'sinking/early-leaver', ts: D0 + s * SLOT, stars: 9000 - 2 * s });
const rows = [...data.rows, ...extra];

/** Every summarized insight equals its direct version, row for row, value for value. */
async function expectSameAsDirect(db: Database): Promise<void> {
  for (const name of SUMMARIZED) {
    const summarized = await runAnalysis(db, name);
    const direct = await runAnalysis(db, name, { direct: true });
    expect(summarized.rows.length, name).toBeGreaterThan(0);
    expect(summarized.rows, name).toEqual(direct.rows);
  }
}

async function* batchesOf(part: StarRow[]): AsyncGenerator<RowBatch> {
  yield { text: part.map((r) => `${r.repo},${r.ts},${r.stars}\n`).join(''), rows: part.length };
}

const rebuilt = async (db: Database) => (await ensureSummaries(db, BOTH)).map((b) => b.name);

describe.each([
  ['embedded', embeddedDb],
  ['PostgreSQL server', serverDb],
] as const)('summarized insights equal the direct queries, %s', (_name, open) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await open();
    // Without the last day, which a later step loads through startrail's merge.
    await insertRows(
      t.db,
      rows.filter((r) => r.ts < D0 + 39 * DAY),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('without repo ids or polls (renames unstitched, coverage inferred)', async () => {
    await expectSameAsDirect(t.db);
  });

  it('is cached: with github_stars unchanged nothing is rebuilt', async () => {
    expect(await rebuilt(t.db)).toEqual([]);
    await runAnalysis(t.db, 'bursts');
    expect(await rebuilt(t.db)).toEqual([]);
  });

  it('a rolled-back change leaves it fresh', async () => {
    await t.db.exec('begin');
    await t.db.query('insert into github_stars values ($1, $2, $3)', ['rolled/back', D0 + 7 * DAY, 1]);
    await t.db.exec('rollback');
    expect(await rebuilt(t.db)).toEqual([]);
  });

  it("startrail's load (merge into rows present) marks it stale", async () => {
    const summary = await loadBatches(t.db, batchesOf(rows.filter((r) => r.ts >= D0 + 39 * DAY)));
    expect(summary.method).toBe('merge');
    expect(await rebuilt(t.db)).toEqual([...BOTH]);
    await expectSameAsDirect(t.db);
  });

  it('plain SQL writes, as psql would make them (insert, update, delete), each mark it stale', async () => {
    const changes: [string, unknown[]][] = [
      ['insert into github_stars values ($1, $2, $3)', ['psql/added', D0 + 20 * DAY + 5 * SLOT, 77]],
      [
        'update github_stars set stars = stars + 900 where repo = $1 and ts = $2',
        ['steady/a', D0 + 30 * DAY + 95 * SLOT],
      ],
      ['delete from github_stars where repo = $1 and ts >= $2 and ts < $3', ['steady/b', D0 + 12 * DAY, D0 + 13 * DAY]],
    ];
    for (const [sql, params] of changes) {
      await t.db.query(sql, params);
      expect(await rebuilt(t.db), sql).toEqual([...BOTH]);
      await expectSameAsDirect(t.db);
    }
  });

  it('with repo ids and polls (renames stitched, coverage from polls, star_times not needed)', async () => {
    await insertInsightTables(t.db, data);
    // repos and polls are read at query time: the cached per-name days stay valid.
    expect(await rebuilt(t.db)).toEqual([]);
    await expectSameAsDirect(t.db);
    await t.db.query('insert into github_stars values ($1, $2, $3)', ['psql/added', D0 + 21 * DAY, 80]);
    // With poll records coverage reads the polls table, so only star_days is rebuilt.
    expect(await rebuilt(t.db)).toEqual(['star_days']);
    await expectSameAsDirect(t.db);
  });

  it("startrail's bulk load into an emptied table (truncate + COPY FREEZE) marks it stale", async () => {
    await t.db.exec('delete from github_stars');
    expect(await rebuilt(t.db)).toEqual(['star_days']);
    const summary = await loadBatches(t.db, batchesOf(rows));
    expect(summary.method).toBe('bulk');
    expect(await rebuilt(t.db)).toEqual(['star_days']);
    await expectSameAsDirect(t.db);
  });

  it('github_stars dropped and loaded again (the trigger went with it) is rebuilt', async () => {
    await t.db.exec('drop table github_stars');
    await loadBatches(t.db, batchesOf(rows.filter((r) => r.repo !== 'solo/one-sample')));
    await t.db.exec('delete from polls');
    expect(await rebuilt(t.db)).toEqual([...BOTH]);
    await expectSameAsDirect(t.db);
    expect((await runAnalysis(t.db, 'daily-gains')).rows.some((r) => r.repo === 'solo/one-sample')).toBe(false);
  });
});

describe.each([
  ['embedded', embeddedDb],
  ['PostgreSQL server', serverDb],
] as const)(
  'summarized insights equal the direct queries on the real data set (github-ranking-go.csv), %s',
  (_name, open) => {
    let t: TestDb;
    beforeAll(async () => {
      const csv = realCsvPath();
      t = await open();
      await loadCsv(t.db, csv);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('every insight, daily data with gaps and no ids', async () => {
      await expectSameAsDirect(t.db);
    });
  },
);
