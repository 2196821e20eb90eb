// The report: run the analyses, build the charts once, write them as PNGs and as a
// self-contained index.html that opens from file:// with no network.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Database } from '../../core/database.js';
import { assertRepoName } from '../../core/repo-name.js';
import type { ChartSpec } from '../charts/chart-kit.js';
import { buildCharts } from '../charts/chart-list.js';
import { rankMoves } from '../charts/insight-charts.js';
import { renderPng } from '../charts/render-png.js';
import { fastestRepos, hasRepoIds, type Row, runAnalysis } from '../queries/run-analysis.js';
import { type ReportTable, renderReportHtml } from './report-html.js';

export interface ReportOptions {
  outDir: string;
  /** Repos for the history charts; default the `defaultCount` fastest growing. */
  repos?: readonly string[];
  defaultCount?: number;
  /** Rows per table on the page. */
  top?: number;
  now?: () => Date;
  /** Called as each step finishes, for progress lines. */
  onStep?: (step: string) => void;
}

export interface ReportResult {
  indexHtml: string;
  pngs: string[];
  charts: ChartSpec[];
  chosen: string[];
}

const require = createRequire(import.meta.url);

/** The browser builds to inline: chart.js UMD and the date adapter bundled with date-fns. */
export function browserScripts(): string[] {
  const chartDir = path.dirname(require.resolve('chart.js'));
  const adapterDir = path.dirname(require.resolve('chartjs-adapter-date-fns'));
  const runtime = readFileSync(new URL('../charts/chart-runtime.js', import.meta.url), 'utf8').replace(
    /^export /gm,
    '',
  );
  return [
    readFileSync(path.join(chartDir, 'chart.umd.min.js'), 'utf8'),
    readFileSync(path.join(adapterDir, 'chartjs-adapter-date-fns.bundle.min.js'), 'utf8'),
    runtime,
  ];
}

/** The rows the report is drawn from, in the order the analyses run. */
interface ReportRows {
  finalStars: Row[];
  starsPerDay: Row[];
  sizeVsGrowth: Row[];
  totalGain: Row[string] | null;
  span: Row | undefined;
  stitched: boolean;
  renames: Row[];
  /** The chosen repos under their latest names. */
  shown: string[];
  history: Row[];
  dailyGains: Row[];
  bursts: Row[];
  ranks: Row[];
  coverage: Row[];
  gaps: Row[];
}

const rowsOf = async (db: Database, name: string, repos?: string[]) => (await runAnalysis(db, name, { repos })).rows;

/** The repos the history charts follow: those asked for (validated), else the fastest growing. */
async function chooseRepos(db: Database, options: ReportOptions): Promise<string[]> {
  const requested = (options.repos ?? []).map((r, i) => assertRepoName(r, `--repo ${i + 1}`));
  return requested.length ? [...new Set(requested)] : await fastestRepos(db, options.defaultCount ?? 5);
}

/** Runs every analysis the page needs: the article's and the chosen repos' ('analyses'), then the insights. */
async function runReportAnalyses(db: Database, chosen: string[], step: (s: string) => void): Promise<ReportRows> {
  const finalStars = await rowsOf(db, 'final-stars');
  const starsPerDay = await rowsOf(db, 'stars-per-day');
  const sizeVsGrowth = await rowsOf(db, 'size-vs-growth');
  const totalGain = (await rowsOf(db, 'total-gain'))[0]?.total_increase ?? null;
  const span = (await rowsOf(db, 'time-span'))[0];
  const stitched = await hasRepoIds(db);
  const renames = await rowsOf(db, 'renames');
  // A repo chosen (or found fastest) under an earlier name is shown under its latest one.
  const latest = new Map(renames.map((r) => [String(r.repo), String(r.canonical)]));
  const shown = [...new Set(chosen.map((r) => latest.get(r) ?? r))];
  const history = await rowsOf(db, 'repo-history', shown);
  step('analyses');
  const dailyGains = await rowsOf(db, 'daily-gains');
  const bursts = await rowsOf(db, 'bursts');
  const ranks = await rowsOf(db, 'rank-history');
  const coverage = await rowsOf(db, 'coverage');
  const gaps = await rowsOf(db, 'coverage-gaps');
  step('insights');
  return {
    finalStars,
    starsPerDay,
    sizeVsGrowth,
    totalGain,
    span,
    stitched,
    renames,
    shown,
    history,
    dailyGains,
    bursts,
    ranks,
    coverage,
    gaps,
  };
}

/** Each chart as `<id>.png` in `outDir`. */
async function writePngs(charts: ChartSpec[], outDir: string, step: (s: string) => void): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const pngs: string[] = [];
  for (const chart of charts) {
    const file = path.join(outDir, `${chart.id}.png`);
    writeFileSync(file, await renderPng(chart));
    pngs.push(file);
    step(`chart ${chart.id}`);
  }
  return pngs;
}

/** The head of `rows` as a table of the page, saying how many there are in all. */
function headTable(title: string, columns: ReportTable['columns'], rows: Row[], top: number): ReportTable {
  return { title, columns, rows: rows.slice(0, top), total: rows.length };
}

const REPO: ReportTable['columns'][number] = { key: 'repo', label: 'repo' };
const STARS: ReportTable['columns'][number] = { key: 'stars', label: 'stars', format: 'int' };
const RATE: ReportTable['columns'][number] = { key: 'stars_per_day', label: 'stars/day', format: 'rate' };

/** The tables of the article's analyses: final stars, stars per day, size against growth. */
function articleTables(rows: ReportRows, top: number): ReportTable[] {
  return [
    headTable('Final stars', [REPO, STARS], rows.finalStars, top),
    headTable('Stars per day', [REPO, RATE], rows.starsPerDay, top),
    headTable('Size vs growth', [REPO, STARS, RATE], rows.sizeVsGrowth, top),
  ];
}

/** The sentences under the facts: whether renames were stitched, where coverage comes from. */
function reportNotes(stitched: boolean, renames: Row[], coverageSource: string): string[] {
  return [
    stitched
      ? `Renames stitched: ${renameSummary(renames)} Per-repo charts, bursts, ranks and daily gains follow each repo under its latest name; the four article analyses stay by name.`
      : 'Renames are not stitched: this data carries no GitHub repo ids (no github-stars.repos.csv was loaded), so a renamed repo appears as two series, the old name stopping where the new one starts.',
    `Coverage ${coverageSource}.`,
  ];
}

export async function buildReport(db: Database, options: ReportOptions): Promise<ReportResult> {
  const step = options.onStep ?? (() => {});
  const top = options.top ?? 20;
  const rows = await runReportAnalyses(db, await chooseRepos(db, options), step);
  const coverageSource = coverageNote(rows.coverage);
  const charts = buildCharts({ ...rows, chosen: rows.shown, coverageSource });
  const pngs = await writePngs(charts, options.outDir, step);
  const { span } = rows;
  const html = renderReportHtml({
    generatedAt: (options.now ?? (() => new Date()))(),
    span: {
      repos: Number(span?.repos ?? 0),
      firstTs: span?.first_ts == null ? null : Number(span.first_ts),
      lastTs: span?.last_ts == null ? null : Number(span.last_ts),
    },
    totalGain: rows.totalGain === null ? null : Number(rows.totalGain),
    chosen: rows.shown,
    charts,
    tables: [...articleTables(rows, top), ...insightTables(rows, top)],
    notes: reportNotes(rows.stitched, rows.renames, coverageSource),
    scripts: browserScripts(),
  });
  const indexHtml = path.join(options.outDir, 'index.html');
  writeFileSync(indexHtml, html);
  step('index.html');
  return { indexHtml, pngs, charts, chosen: rows.shown };
}

/** A poll cadence in seconds as the largest whole unit: `1 day(s)`, `2 h`, `15 min`. */
function cadenceInWords(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day(s)`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return `${seconds / 60} min`;
}

/** Where the coverage figures come from, in words. */
export function coverageNote(coverage: Row[]): string {
  const first = coverage[0];
  if (!first) return 'has no polls and no samples to measure';
  const every = cadenceInWords(Number(first.cadence));
  return first.track === '(inferred)'
    ? `is inferred from the sample times (no poll records): one poll every ${every}, the most common gap between samples`
    : `comes from the polls table (one poll every ${every})`;
}

function renameSummary(renames: Row[]): string {
  const ids = new Set(renames.map((r) => r.repo_id)).size;
  if (!ids) return 'repo ids are known and no repo was renamed.';
  const old = renames.filter((r) => r.repo !== r.canonical).map((r) => `${r.repo} -> ${r.canonical}`);
  return `${ids} renamed repo${ids === 1 ? '' : 's'} (${old.slice(0, 5).join(', ')}${old.length > 5 ? ', ...' : ''}).`;
}

/** The insight tables of the page: bursts, rank moves, coverage gaps, renames. */
export function insightTables(
  data: { bursts: Row[]; ranks: Row[]; gaps: Row[]; renames: Row[] },
  top: number,
): ReportTable[] {
  const { climbers, fallers } = rankMoves(data.ranks);
  const rankColumns: ReportTable['columns'] = [
    REPO,
    { key: 'first_rank', label: 'first day', format: 'int' },
    { key: 'last_rank', label: 'last day', format: 'int' },
    { key: 'change', label: 'places', format: 'int' },
  ];
  // The longest gaps first, so the table's head shows the worst.
  const gaps = [...data.gaps].sort(
    (a, b) => Number(b.slots) - Number(a.slots) || Number(a.start_ts) - Number(b.start_ts),
  );
  return [
    headTable(
      'Bursts',
      [
        REPO,
        { key: 'day', label: 'day', format: 'day' },
        { key: 'gain', label: 'new stars', format: 'int' },
        { key: 'baseline', label: 'baseline/day', format: 'rate' },
        { key: 'multiple', label: 'x baseline', format: 'rate' },
        { key: 'score', label: 'score', format: 'rate' },
      ],
      data.bursts,
      top,
    ),
    headTable('Biggest climbers (rank, first vs last day)', rankColumns, climbers, top),
    headTable('Biggest fallers (rank, first vs last day)', rankColumns, fallers, top),
    headTable(
      'Coverage gaps (poll slots not ok)',
      [
        { key: 'track', label: 'track' },
        { key: 'status', label: 'status' },
        { key: 'start_ts', label: 'from', format: 'date' },
        { key: 'end_ts', label: 'to', format: 'date' },
        { key: 'slots', label: 'slots', format: 'int' },
      ],
      gaps,
      top,
    ),
    headTable(
      'Renames stitched',
      [
        { key: 'repo', label: 'name' },
        { key: 'canonical', label: 'shown as' },
        { key: 'first_ts', label: 'first seen', format: 'date' },
        { key: 'last_ts', label: 'last seen', format: 'date' },
      ],
      data.renames,
      top,
    ),
  ];
}
