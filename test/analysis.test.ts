// Our analyses give the article's answers: on generated data with every hard case, on both
// the embedded server and the PostgreSQL server, and on the real data set on the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstDifference } from '../analysis/queries/compare-results.js';
import {
  analysisDef,
  ensureInsightTables,
  fastestRepos,
  REFERENCE_ANALYSES,
  runAnalysis,
} from '../analysis/queries/run-analysis.js';
import { sqlFile } from '../core/sql-file.js';
import {
  embeddedDb,
  generateRows,
  HARD,
  insertRows,
  loadCsv,
  type StarRow,
  serverDb,
  type TestDb,
} from './helpers/analysis-fixtures.js';
import { realCsvPath } from './helpers/real-data.js';

const rows = generateRows();

/** The answers computed the slow, obvious way in JavaScript. */
function bruteForce(data: StarRow[]) {
  const byRepo = new Map<string, StarRow[]>();
  for (const r of data) byRepo.set(r.repo, [...(byRepo.get(r.repo) ?? []), r]);
  const ends = [...byRepo].map(([repo, list]) => {
    const sorted = [...list].sort((a, b) => a.ts - b.ts);
    return { repo, first: sorted[0]!, last: sorted[sorted.length - 1]!, all: sorted };
  });
  return { byRepo, ends };
}

describe.each([
  ['embedded', embeddedDb],
  ['PostgreSQL server', serverDb],
] as const)('analyses on generated data, %s', (_name, open) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await open();
    await insertRows(t.db, rows);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(REFERENCE_ANALYSES)("%s equals the article's query", async (name) => {
    const ours = await runAnalysis(t.db, name);
    const reference = await runAnalysis(t.db, name, { reference: true });
    expect(ours.rows.length).toBeGreaterThan(0);
    expect(firstDifference(name, ours.rows, reference.rows, analysisDef(name).columns)).toBeNull();
  });

  it('has the hard cases where they belong', async () => {
    const { ends } = bruteForce(rows);
    const final = (await runAnalysis(t.db, 'final-stars')).rows;
    const rates = (await runAnalysis(t.db, 'stars-per-day')).rows;
    const rateOf = (repo: string) => rates.find((r) => r.repo === repo)?.stars_per_day;
    expect(final).toHaveLength(ends.length);
    // One sample: a final count, but no rate.
    expect(final.find((r) => r.repo === HARD.single)?.stars).toBe(4321);
    expect(rateOf(HARD.single)).toBeUndefined();
    expect(rates).toHaveLength(ends.length - 1);
    expect(rateOf(HARD.falling)).toBeLessThan(0);
    expect(rateOf(HARD.flat)).toBe(0);
    expect(rateOf(HARD.rateA)).toBeCloseTo(10, 12);
    // Ties by name, in byte order: upper case before lower, '-1' before '-2', 'a' before 'b'.
    const order = (list: typeof final, a: string, b: string) =>
      list.findIndex((r) => r.repo === a) - list.findIndex((r) => r.repo === b);
    expect(order(rates, HARD.rateA, HARD.rateB)).toBe(-1);
    expect(order(final, HARD.tieA, HARD.tieB)).toBe(-1);
    expect(rates.at(-1)?.repo).toBe(HARD.falling);
    const gain = (await runAnalysis(t.db, 'total-gain')).rows[0]?.total_increase;
    expect(gain).toBe(ends.reduce((sum, e) => sum + e.last.stars - e.first.stars, 0));
  });

  it('time-span covers every repo and the whole period', async () => {
    const span = (await runAnalysis(t.db, 'time-span')).rows[0];
    expect(span).toEqual({
      repos: new Set(rows.map((r) => r.repo)).size,
      first_ts: Math.min(...rows.map((r) => r.ts)),
      last_ts: Math.max(...rows.map((r) => r.ts)),
    });
  });

  it('repo-history gives the chosen repos sample by sample with the change', async () => {
    const chosen = [HARD.gappy, HARD.falling, HARD.single, 'not/tracked'];
    const history = (await runAnalysis(t.db, 'repo-history', { repos: chosen })).rows;
    // Repos in byte order of their names, each in time order.
    const expected = [HARD.gappy, HARD.falling, HARD.single].flatMap((repo) =>
      rows
        .filter((r) => r.repo === repo)
        .sort((a, b) => a.ts - b.ts)
        .map((r, i, list) => ({ ...r, change: i === 0 ? null : r.stars - list[i - 1]!.stars })),
    );
    expect(history).toEqual(expected);
  });

  it('fastestRepos picks the top of stars-per-day', async () => {
    const rates = (await runAnalysis(t.db, 'stars-per-day')).rows;
    expect(await fastestRepos(t.db, 3)).toEqual(rates.slice(0, 3).map((r) => r.repo));
  });

  it('an empty table gives empty answers, like the reference', async () => {
    await t.db.exec('create temporary table github_stars (like github_stars including all)');
    try {
      for (const name of REFERENCE_ANALYSES) {
        const ours = await runAnalysis(t.db, name);
        const reference = await runAnalysis(t.db, name, { reference: true });
        expect(ours.rows).toEqual(reference.rows);
      }
    } finally {
      await t.db.exec('drop table pg_temp.github_stars');
    }
  });
});

describe('analyses on the real data set (github-ranking-go.csv), PostgreSQL server', () => {
  let t: TestDb;
  beforeAll(async () => {
    const csv = realCsvPath();
    t = await serverDb();
    await loadCsv(t.db, csv);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('loaded all 267,076 rows', async () => {
    const [row] = await t.db.query<{ n: number }>('select count(*)::int as n from github_stars');
    expect(row?.n).toBe(267_076);
  });

  it.each(REFERENCE_ANALYSES)("%s equals the article's query", async (name) => {
    const ours = await runAnalysis(t.db, name);
    const reference = await runAnalysis(t.db, name, { reference: true });
    expect(ours.rows.length).toBeGreaterThan(0);
    expect(firstDifference(name, ours.rows, reference.rows, analysisDef(name).columns)).toBeNull();
  });

  it.each(REFERENCE_ANALYSES)('%s skip-scans the primary key instead of reading the table', async (name) => {
    const plan = await t.db.query<{ 'QUERY PLAN': string }>(`explain ${sqlFile(`analyses/${name}.sql`)}`);
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index (Only )?Scan using github_stars_pkey/);
    expect(text).toMatch(/Recursive Union/);
    expect(text).toMatch(/Index Scan Backward using github_stars_pkey/);
    expect(text).not.toMatch(/Seq Scan/);
    expect(text).not.toMatch(/HashAggregate|GroupAggregate/);
  });

  it('repo-history reads only the chosen repos through the index', async () => {
    await ensureInsightTables(t.db);
    const plan = await t.db.query<{ 'QUERY PLAN': string }>(`explain ${sqlFile('analyses/repo-history.sql')}`, [
      ['golang/go'],
    ]);
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toMatch(/github_stars_pkey/);
    // The small repos table (names of renamed repos) may be read whole; github_stars never.
    expect(text).not.toMatch(/Seq Scan on github_stars/);
  });
});
