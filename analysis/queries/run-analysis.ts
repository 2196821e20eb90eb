// The registry of named analyses. Each is one SQL file, sql/analyses/<name>.sql, which may read
// the shared query functions (sql/shared-queries.sql); adding an analysis is adding the file and
// one entry here. The article's originals live beside them in sql/reference/ and are run only by
// the tests and the benchmark, as the oracle.
import type { Database } from '../../core/database.js';
import { sqlFile } from '../../core/sql-file.js';
import { ensureSharedQueries } from './shared-queries.js';
import { ensureSummaries, ensureSummaryTables, type SummaryName } from './summary.js';

export type Row = Record<string, string | number | null>;

export interface AnalysisResult {
  name: string;
  columns: string[];
  rows: Row[];
}

export interface AnalysisDef {
  name: string;
  /** One line for humans: what the rows are. */
  description: string;
  columns: string[];
  /** Whether the analysis takes the chosen repos as $1 (text[]). */
  takesRepos?: boolean;
  /** Has an article original in sql/reference/<name>.sql. */
  reference?: boolean;
  /**
   * Reads the repos and polls tables (sql/insights-schema.sql) as well; they are created empty
   * when absent, so the insight runs on data loaded from the article's CSV alone.
   */
  insights?: boolean;
  /**
   * Reads these per-day summaries (sql/summary/, analysis/queries/summary.ts), rebuilt first when
   * github_stars changed since. Its SQL takes $1, `direct`: true reads the same rows computed
   * from github_stars on the spot (repo_days, poll_slots in sql/shared-queries.sql), the oracle
   * the summaries must equal.
   */
  summaries?: readonly SummaryName[];
}

export const ANALYSES: readonly AnalysisDef[] = [
  {
    name: 'final-stars',
    description: "each repo's stars at its last sample, most first",
    columns: ['repo', 'stars'],
    reference: true,
  },
  {
    name: 'total-gain',
    description: 'stars gained over the period, summed over all repos (last minus first)',
    columns: ['total_increase'],
    reference: true,
  },
  {
    name: 'stars-per-day',
    description: 'stars gained per day while tracked, fastest first (repos with one sample left out)',
    columns: ['repo', 'stars_per_day'],
    reference: true,
  },
  {
    name: 'size-vs-growth',
    description: 'final stars beside stars per day, biggest first',
    columns: ['repo', 'stars', 'stars_per_day'],
    reference: true,
  },
  {
    name: 'time-span',
    description: 'repos tracked and the period covered (epoch seconds)',
    columns: ['repos', 'first_ts', 'last_ts'],
  },
  {
    name: 'repo-history',
    description: 'every sample of the chosen repos with the change since the previous one',
    columns: ['repo', 'ts', 'stars', 'change'],
    takesRepos: true,
    insights: true,
  },
  {
    name: 'renames',
    description: 'every name of a renamed repo, and the latest name its history is shown under',
    columns: ['repo_id', 'repo', 'canonical', 'first_ts', 'last_ts'],
    insights: true,
  },
  {
    name: 'coverage',
    description: 'per day: poll slots expected, polls ok/partial/failed/missing, repos per poll',
    columns: [
      'track',
      'day',
      'cadence',
      'expected',
      'present',
      'partial',
      'failed',
      'missing',
      'repos_min',
      'repos_avg',
      'repos_max',
    ],
    insights: true,
    summaries: ['star_times'],
  },
  {
    name: 'coverage-gaps',
    description: 'the poll slots that did not end ok, as ranges of consecutive slots',
    columns: ['track', 'status', 'start_ts', 'end_ts', 'slots', 'cadence'],
    insights: true,
    summaries: ['star_times'],
  },
  {
    name: 'daily-gains',
    description: "each repo's stars at the end of each day and the new stars since the day before",
    columns: ['repo', 'day', 'stars', 'new_stars'],
    insights: true,
    summaries: ['star_days'],
  },
  {
    name: 'rank-history',
    description: "each repo's rank among the repos tracked that day, by stars",
    columns: ['day', 'rank', 'repo', 'stars'],
    insights: true,
    summaries: ['star_days'],
  },
  {
    name: 'bursts',
    description: 'days a repo gained far more stars than its own 14-day baseline, strongest first',
    columns: ['repo', 'day', 'gain', 'baseline', 'multiple', 'score'],
    insights: true,
    summaries: ['star_days'],
  },
];

export const REFERENCE_ANALYSES = ANALYSES.filter((a) => a.reference).map((a) => a.name);

export function analysisDef(name: string): AnalysisDef {
  const def = ANALYSES.find((a) => a.name === name);
  if (!def) throw new RangeError(`unknown analysis "${name}"; have: ${ANALYSES.map((a) => a.name).join(', ')}`);
  return def;
}

export interface RunOptions {
  /**
   * The chosen repos, for analyses that take them. They reach SQL only as $1; names from a user
   * are validated where they enter (the CLIs, buildReport), names read back from the table are
   * passed through as they are.
   */
  repos?: readonly string[];
  /** Run the article's original (sql/reference/) instead of ours. */
  reference?: boolean;
  /** Run an insight that reads a summary straight from github_stars instead (the oracle). */
  direct?: boolean;
}

export async function runAnalysis(db: Database, name: string, options: RunOptions = {}): Promise<AnalysisResult> {
  const def = analysisDef(name);
  if (options.reference && !def.reference) throw new RangeError(`analysis "${name}" has no reference query`);
  if (options.direct && !def.summaries) throw new RangeError(`analysis "${name}" has no direct version`);
  const { sql, params } = analysisQuery(def, options);
  if (!options.reference) await ensureSharedQueries(db);
  if (!def.insights) return { name, columns: def.columns, rows: await db.query<Row>(sql, params) };
  await ensureInsightTables(db);
  // The insights' row estimates (generate_series, index probes per day) look large enough to
  // the planner to JIT-compile them, which costs about a second and saves nothing: off for them.
  await db.exec('set jit = off');
  // Their sorts (a row per repo and day, 240,000 at the article's scale) spill to disk at the
  // default 4 MB; in memory they take a fraction of the time.
  await db.exec("set work_mem = '64MB'");
  try {
    // The direct path builds nothing, but the shared functions it reads name the summary tables.
    if (def.summaries) await (options.direct ? ensureSummaryTables(db) : ensureSummaries(db, def.summaries));
    return { name, columns: def.columns, rows: await db.query<Row>(sql, params) };
  } finally {
    await db.exec('reset jit; reset work_mem');
  }
}

/** The SQL text an analysis runs and its parameters: the chosen repos, or the `direct` flag. */
function analysisQuery(def: AnalysisDef, options: RunOptions): { sql: string; params: unknown[] } {
  if (options.reference) return { sql: sqlFile(`reference/${def.name}.sql`), params: [] };
  const params: unknown[] = [];
  if (def.takesRepos) params.push([...(options.repos ?? [])]);
  if (def.summaries) params.push(options.direct === true);
  return { sql: sqlFile(`analyses/${def.name}.sql`), params };
}

/** The repos a report or history shows by default: the `count` fastest growing. */
export async function fastestRepos(db: Database, count: number): Promise<string[]> {
  const { rows } = await runAnalysis(db, 'stars-per-day');
  return rows.slice(0, count).map((r) => String(r.repo));
}

/** Creates the repos and polls tables if absent (empty: renames not stitched, coverage inferred). */
export async function ensureInsightTables(db: Database): Promise<void> {
  await db.exec(sqlFile('insights-schema.sql'));
}

/** Whether renames can be stitched: the repos table maps at least one repo id to its names. */
export async function hasRepoIds(db: Database): Promise<boolean> {
  await ensureInsightTables(db);
  const [row] = await db.query<{ yes: boolean }>('select exists (select 1 from repos) as yes');
  return row?.yes === true;
}
