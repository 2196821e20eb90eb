// The four analyses on an article-scale table (1,412 repos, 23,279,479 rows), ours (skip scan of
// the primary key) against the article's self-joins, in one run, checking the answers agree.
// Knobs: BENCH_ROWS (default 23279479), BENCH_REPOS (default 1412), BENCH_REPEAT (timed runs of
// ours, default 5; the reference runs once after a warm-up), DATABASE_URL (the server).
// Then the insight analyses (daily gains, ranks, bursts, coverage) on the same table: the one-time
// build of their per-day summaries (sql/summary/) timed on its own, then each insight reading
// them, beside its direct run (fed straight from github_stars: sql/shared-queries.sql with
// direct = true; bursts with its pre-summary window) with the answers compared.
import { firstDifference } from '../analysis/queries/compare-results.js';
import { analysisDef, ensureInsightTables, REFERENCE_ANALYSES, runAnalysis } from '../analysis/queries/run-analysis.js';
import { ensureSummaries, invalidateSummaries } from '../analysis/queries/summary.js';
import { connectPostgres, type Database } from '../core/database.js';
import { knob } from './knob.js';
import type { BenchResult } from './run.js';
import { type ServerInfo, serverInfo, settingsOf } from './server-info.js';
import { createServerSchema } from './server-schema.js';
import { median, timed, timedRuns } from './stats.js';

export const title = "Analyses: skip scan vs the article's self-joins";

const ROWS = knob('BENCH_ROWS', 23_279_479, 1);
const REPOS = knob('BENCH_REPOS', 1412, 1);
const REPEAT = knob('BENCH_REPEAT', 5, 1);

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

const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

interface TableFigures {
  server: ServerInfo;
  rows: number;
  loadSeconds: number;
  indexSeconds: number;
}

async function buildTable(db: Database): Promise<TableFigures> {
  await db.exec(
    'create unlogged table github_stars (repo varchar(255) not null, ts bigint not null, stars integer not null)',
  );
  const perRepo = Math.floor(ROWS / REPOS);
  const extra = ROWS - perRepo * REPOS;
  console.error(`analysis bench: generating ${ROWS.toLocaleString('en')} rows for ${REPOS} repos`);
  const load = await timed(() => db.query(GENERATE, [REPOS, perRepo, extra]));
  console.error(`analysis bench: generated in ${(load.ms / 1000).toFixed(1)} s; adding the primary key`);
  const index = await timed(async () => {
    await db.exec('alter table github_stars add constraint github_stars_pkey primary key (repo, ts)');
    // The visibility map lets the skip scan use index-only scans, as on any settled table.
    await db.exec('vacuum analyze github_stars');
  });
  const [count] = await db.query<{ n: number }>('select count(*)::bigint as n from github_stars');
  const server = await serverInfo((sql) => db.query(sql));
  return { server, rows: Number(count?.n), loadSeconds: load.ms / 1000, indexSeconds: index.ms / 1000 };
}

interface ReferenceTiming {
  name: string;
  rows: number;
  referenceMs: number;
  oursMs: number;
  speedup: number;
  identical: boolean;
  difference: string | null;
}

/** Each of the article's analyses once after a warm-up, ours REPEAT times (median), answers compared. */
async function benchReference(db: Database): Promise<ReferenceTiming[]> {
  const results: ReferenceTiming[] = [];
  for (const name of REFERENCE_ANALYSES) {
    console.error(`analysis bench: ${name}`);
    // Warm the cache for both, so neither pays for the other's reads.
    await runAnalysis(db, name, { reference: true });
    const reference = await timed(() => runAnalysis(db, name, { reference: true }));
    await runAnalysis(db, name);
    const ours = await timedRuns(() => runAnalysis(db, name), REPEAT);
    const difference = firstDifference(name, ours.last.rows, reference.value.rows, analysisDef(name).columns);
    results.push({
      name,
      rows: ours.last.rows.length,
      referenceMs: reference.ms,
      oursMs: median(ours.ms),
      speedup: reference.ms / median(ours.ms),
      identical: difference === null,
      difference,
    });
  }
  return results;
}

const INSIGHTS = ['daily-gains', 'rank-history', 'bursts', 'renames', 'coverage', 'coverage-gaps'];

interface InsightTiming {
  name: string;
  rows: number;
  ms: number;
  directMs: number | null;
  identical: boolean | null;
}

/** One insight REPEAT times (median), beside its direct version (once, after a warm-up) where it has one. */
async function timeInsight(db: Database, name: string, label = name): Promise<InsightTiming> {
  console.error(`analysis bench: ${label}`);
  const { ms, last } = await timedRuns(() => runAnalysis(db, name), REPEAT);
  let directMs: number | null = null;
  let identical: boolean | null = null;
  if (analysisDef(name).summaries) {
    await runAnalysis(db, name, { direct: true });
    const direct = await timed(() => runAnalysis(db, name, { direct: true }));
    directMs = direct.ms;
    identical = firstDifference(name, last.rows, direct.value.rows, analysisDef(name).columns) === null;
  }
  return { name: label, rows: last.rows.length, ms: median(ms), directMs, identical };
}

/**
 * The summaries' one-time build, then the insight analyses (summaries fresh) beside their direct
 * versions with the answers compared; coverage also from a polls table with every slot (it then
 * needs no star_times).
 */
async function benchInsights(
  db: Database,
): Promise<{ builds: { name: string; ms: number }[]; insights: InsightTiming[] }> {
  const insights: InsightTiming[] = [];
  await ensureInsightTables(db);
  await invalidateSummaries(db);
  await db.exec('set jit = off');
  console.error('analysis bench: building the insight summaries');
  const builds = await ensureSummaries(db, ['star_days', 'star_times']);
  await db.exec('reset jit');
  for (const name of INSIGHTS)
    insights.push(await timeInsight(db, name, name.startsWith('coverage') ? `${name} (inferred)` : name));
  await db.exec(`insert into polls (track, ts, status, expected, written)
    select 'language:go', ts, 'ok', 1000, 1000 from generate_series(
      (select min(ts) from github_stars), (select max(ts) from github_stars), 900) as ts`);
  await db.exec('analyze polls');
  insights.push(await timeInsight(db, 'coverage', 'coverage (polls table)'));
  insights.push(await timeInsight(db, 'coverage-gaps', 'coverage-gaps (polls table)'));
  return { builds, insights };
}

interface Outcome {
  table: TableFigures;
  results: ReferenceTiming[];
  builds: { name: string; ms: number }[];
  insights: InsightTiming[];
}

function referenceLines({ table, results }: Outcome, totals: { reference: number; ours: number }): string[] {
  const speedup = totals.reference / totals.ours;
  const identical = results.every((r) => r.identical);
  return [
    `Table: ${table.rows.toLocaleString('en')} rows, ${REPOS.toLocaleString('en')} repos (generated in ${table.loadSeconds.toFixed(1)} s, primary key + vacuum ${table.indexSeconds.toFixed(1)} s) on ${table.server.version.split(' on ')[0]} (${settingsOf(table.server)}).`,
    '',
    `**Total: ours ${fmtMs(totals.ours)} ms vs the article's ${fmtMs(totals.reference)} ms: ${speedup.toFixed(0)}x faster; answers ${identical ? 'identical' : 'DIFFERENT'}.**`,
    '',
    '| analysis | rows | article (ms) | ours (ms, median of ' + REPEAT + ') | speedup | same answer |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.rows.toLocaleString('en')} | ${fmtMs(r.referenceMs)} | ${fmtMs(r.oursMs)} | ${r.speedup.toFixed(0)}x | ${r.identical ? 'yes' : `NO: ${r.difference}`} |`,
    ),
    `| **total** | | ${fmtMs(totals.reference)} | ${fmtMs(totals.ours)} | **${speedup.toFixed(0)}x** | ${identical ? 'yes' : 'no'} |`,
  ];
}

function insightLines({ builds, insights }: Outcome): string[] {
  const same = (r: InsightTiming) => {
    if (r.identical === null) return '';
    return r.identical ? 'yes' : 'NO';
  };
  return [
    `Insights on the same table (goal: each under a second). The renames table is empty here (no ids), so nothing is stitched; coverage runs twice: inferred from the sample times and from a polls table with one record per slot.`,
    '',
    `One-time summary build after github_stars changed (sql/summary/): ${builds.map((b) => `${b.name} ${fmtMs(b.ms)} ms`).join(', ')}; every later insight reads the summaries until the table changes again.`,
    '',
    `| insight | rows | ms (median of ${REPEAT}, summaries fresh) | direct from github_stars (ms) | speedup | same answer |`,
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...insights.map(
      (r) =>
        `| ${r.name} | ${r.rows.toLocaleString('en')} | ${fmtMs(r.ms)} | ${r.directMs === null ? '' : fmtMs(r.directMs)} | ${r.directMs === null ? '' : `${(r.directMs / r.ms).toFixed(1)}x`} | ${same(r)} |`,
    ),
  ];
}

/** The results file; a different answer anywhere fails the run. */
function report(outcome: Outcome): BenchResult {
  const { table, results, builds, insights } = outcome;
  const referenceTotal = results.reduce((s, r) => s + r.referenceMs, 0);
  const oursTotal = results.reduce((s, r) => s + r.oursMs, 0);
  const speedup = referenceTotal / oursTotal;
  const identical = results.every((r) => r.identical);
  const lines = [
    ...referenceLines(outcome, { reference: referenceTotal, ours: oursTotal }),
    '',
    ...insightLines(outcome),
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
}

export async function run(): Promise<BenchResult> {
  const server = await createServerSchema('bench_analysis');
  const db = await connectPostgres(server.url);
  try {
    const table = await buildTable(db);
    const results = await benchReference(db);
    const { builds, insights } = await benchInsights(db);
    return report({ table, results, builds, insights });
  } finally {
    await db.close();
    await server.drop();
  }
}
