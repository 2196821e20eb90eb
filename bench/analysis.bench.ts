// The four analyses on an article-scale table (1,412 repos, 23,279,479 rows), ours (skip scan of
// the primary key) against the article's self-joins, in one run, checking the answers agree.
// Knobs: BENCH_ROWS (default 23279479), BENCH_REPOS (default 1412), BENCH_REPEAT (timed runs of
// ours, default 5; the reference runs once after a warm-up), DATABASE_URL (the server).
// Then the insight analyses (daily gains, ranks, bursts, coverage) on the same table: the one-time
// build of their per-day summaries (sql/summary/) timed on its own, then each insight reading
// them, beside its direct version (sql/analyses/direct/, straight from github_stars) with the
// answers compared.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { firstDifference } from '../analysis/queries/compare-results.js';
import { analysisDef, ensureInsightTables, REFERENCE_ANALYSES, runAnalysis } from '../analysis/queries/run-analysis.js';
import { ensureSummaries, invalidateSummaries } from '../analysis/queries/summary.js';
import { connectPostgres, type Database } from '../core/database.js';
import type { BenchResult } from './run.js';

export const title = "Analyses: skip scan vs the article's self-joins";

const ROWS = Number(process.env.BENCH_ROWS ?? 23_279_479);
const REPOS = Number(process.env.BENCH_REPOS ?? 1412);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);
const SERVER = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

// Every repo gets ROWS / REPOS samples 15 minutes apart (the first `extra` one more), starting
// at staggered slots so repos enter late; stars grow at a per-repo rate with noise, and every
// 97th repo loses stars. All arithmetic on the row numbers, so the table is the same every run.
const GENERATE = `
insert into github_stars (repo, ts, stars)
select 'owner-' || (r % 97) || '/repo-' || r,
  1491004800 + (((r * 7919) % 2000) + s) * 900,
  greatest(0, ((r * 104729) % 60000)
    + case when r % 97 = 0 then -1 else 1 end * ((s * ((r * 37) % 100)) / 400)
    + ((s * 31 + r * 17) % 5))::int
from generate_series(0, $1::int - 1) as r
cross join lateral generate_series(0, $2::int - 1 + case when r < $3::int then 1 else 0 end) as s
`;

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

async function buildTable(db: Database): Promise<{ rows: number; loadSeconds: number; indexSeconds: number }> {
  await db.exec(
    'create unlogged table github_stars (repo varchar(255) not null, ts bigint not null, stars integer not null)',
  );
  const perRepo = Math.floor(ROWS / REPOS);
  const extra = ROWS - perRepo * REPOS;
  console.error(`analysis bench: generating ${ROWS.toLocaleString('en')} rows for ${REPOS} repos`);
  const load = await time(() => db.query(GENERATE, [REPOS, perRepo, extra]));
  console.error(`analysis bench: generated in ${(load.ms / 1000).toFixed(1)} s; adding the primary key`);
  const index = await time(async () => {
    await db.exec('alter table github_stars add constraint github_stars_pkey primary key (repo, ts)');
    // The visibility map lets the skip scan use index-only scans, as on any settled table.
    await db.exec('vacuum analyze github_stars');
  });
  const [count] = await db.query<{ n: number }>('select count(*)::bigint as n from github_stars');
  return { rows: Number(count?.n), loadSeconds: load.ms / 1000, indexSeconds: index.ms / 1000 };
}

const INSIGHTS = ['daily-gains', 'rank-history', 'bursts', 'renames', 'coverage', 'coverage-gaps'];

interface InsightTiming {
  name: string;
  rows: number;
  ms: number;
  directMs: number | null;
  identical: boolean | null;
}

/**
 * The summaries' one-time build, then the insight analyses (median of REPEAT, summaries fresh)
 * beside their direct versions (once, after a warm-up) with the answers compared; coverage also
 * from a polls table with every slot (it then needs no star_times).
 */
async function benchInsights(
  db: Database,
): Promise<{ builds: { name: string; ms: number }[]; insights: InsightTiming[] }> {
  const out: InsightTiming[] = [];
  await ensureInsightTables(db);
  await invalidateSummaries(db);
  await db.exec('set jit = off');
  console.error('analysis bench: building the insight summaries');
  const builds = await ensureSummaries(db, ['star_days', 'star_times']);
  await db.exec('reset jit');
  const timeIt = async (name: string, label = name) => {
    console.error(`analysis bench: ${label}`);
    let last = await runAnalysis(db, name);
    const runs: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const t = await time(() => runAnalysis(db, name));
      runs.push(t.ms);
      last = t.value;
    }
    let directMs: number | null = null;
    let identical: boolean | null = null;
    if (analysisDef(name).summaries) {
      await runAnalysis(db, name, { direct: true });
      const direct = await time(() => runAnalysis(db, name, { direct: true }));
      directMs = direct.ms;
      identical = firstDifference(name, last.rows, direct.value.rows, analysisDef(name).columns) === null;
    }
    out.push({ name: label, rows: last.rows.length, ms: median(runs), directMs, identical });
  };
  for (const name of INSIGHTS) await timeIt(name, name.startsWith('coverage') ? `${name} (inferred)` : name);
  await db.exec(`insert into polls (track, ts, status, expected, written)
    select 'language:go', ts, 'ok', 1000, 1000 from generate_series(
      (select min(ts) from github_stars), (select max(ts) from github_stars), 900) as ts`);
  await db.exec('analyze polls');
  await timeIt('coverage', 'coverage (polls table)');
  await timeIt('coverage-gaps', 'coverage-gaps (polls table)');
  return { builds, insights: out };
}

export async function run(): Promise<BenchResult> {
  const schema = `bench_analysis_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const url = new URL(SERVER);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const db = await connectPostgres(url.toString());
  try {
    const table = await buildTable(db);
    const results = [];
    for (const name of REFERENCE_ANALYSES) {
      console.error(`analysis bench: ${name}`);
      // Warm the cache for both, so neither pays for the other's reads.
      await runAnalysis(db, name, { reference: true });
      const reference = await time(() => runAnalysis(db, name, { reference: true }));
      await runAnalysis(db, name);
      const ours: number[] = [];
      let last = await runAnalysis(db, name);
      for (let i = 0; i < REPEAT; i++) {
        const t = await time(() => runAnalysis(db, name));
        ours.push(t.ms);
        last = t.value;
      }
      const difference = firstDifference(name, last.rows, reference.value.rows, analysisDef(name).columns);
      results.push({
        name,
        rows: last.rows.length,
        referenceMs: reference.ms,
        oursMs: median(ours),
        speedup: reference.ms / median(ours),
        identical: difference === null,
        difference,
      });
    }
    const { builds, insights } = await benchInsights(db);
    const referenceTotal = results.reduce((s, r) => s + r.referenceMs, 0);
    const oursTotal = results.reduce((s, r) => s + r.oursMs, 0);
    const speedup = referenceTotal / oursTotal;
    const identical = results.every((r) => r.identical);
    const lines = [
      `Table: ${table.rows.toLocaleString('en')} rows, ${REPOS.toLocaleString('en')} repos (generated in ${table.loadSeconds.toFixed(1)} s, primary key + vacuum ${table.indexSeconds.toFixed(1)} s), PostgreSQL server.`,
      '',
      `**Total: ours ${fmtMs(oursTotal)} ms vs the article's ${fmtMs(referenceTotal)} ms: ${speedup.toFixed(0)}x faster; answers ${identical ? 'identical' : 'DIFFERENT'}.**`,
      '',
      '| analysis | rows | article (ms) | ours (ms, median of ' + REPEAT + ') | speedup | same answer |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
      ...results.map(
        (r) =>
          `| ${r.name} | ${r.rows.toLocaleString('en')} | ${fmtMs(r.referenceMs)} | ${fmtMs(r.oursMs)} | ${r.speedup.toFixed(0)}x | ${r.identical ? 'yes' : `NO: ${r.difference}`} |`,
      ),
      `| **total** | | ${fmtMs(referenceTotal)} | ${fmtMs(oursTotal)} | **${speedup.toFixed(0)}x** | ${identical ? 'yes' : 'no'} |`,
      '',
      `Insights on the same table (goal: each under a second). The renames table is empty here (no ids), so nothing is stitched; coverage runs twice: inferred from the sample times and from a polls table with one record per slot.`,
      '',
      `One-time summary build after github_stars changed (sql/summary/): ${builds.map((b) => `${b.name} ${fmtMs(b.ms)} ms`).join(', ')}; every later insight reads the summaries until the table changes again.`,
      '',
      `| insight | rows | ms (median of ${REPEAT}, summaries fresh) | direct from github_stars (ms) | speedup | same answer |`,
      '| --- | ---: | ---: | ---: | ---: | --- |',
      ...insights.map(
        (r) =>
          `| ${r.name} | ${r.rows.toLocaleString('en')} | ${fmtMs(r.ms)} | ${r.directMs === null ? '' : fmtMs(r.directMs)} | ${r.directMs === null ? '' : `${(r.directMs / r.ms).toFixed(1)}x`} | ${r.identical === null ? '' : r.identical ? 'yes' : 'NO'} |`,
      ),
    ];
    if (!identical || insights.some((r) => r.identical === false)) process.exitCode = 1;
    return {
      markdown: lines.join('\n'),
      data: {
        table: { ...table, repos: REPOS },
        repeat: REPEAT,
        results,
        summaryBuilds: builds,
        insights,
        referenceTotalMs: referenceTotal,
        oursTotalMs: oursTotal,
        speedup,
        identical,
      },
    };
  } finally {
    await db.close();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}
