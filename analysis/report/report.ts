// The report: run the analyses, build the charts once, write them as PNGs and as a
// self-contained index.html that opens from file:// with no network.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Database } from '../../core/database.js';
import { assertRepoName } from '../../core/repo-name.js';
import { buildCharts, type ChartSpec } from '../charts/charts.js';
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

export async function buildReport(db: Database, options: ReportOptions): Promise<ReportResult> {
  const step = options.onStep ?? (() => {});
  const top = options.top ?? 20;
  const requested = (options.repos ?? []).map((r, i) => assertRepoName(r, `--repo ${i + 1}`));
  const chosen = requested.length ? [...new Set(requested)] : await fastestRepos(db, options.defaultCount ?? 5);

  const finalStars = (await runAnalysis(db, 'final-stars')).rows;
  const starsPerDay = (await runAnalysis(db, 'stars-per-day')).rows;
  const sizeVsGrowth = (await runAnalysis(db, 'size-vs-growth')).rows;
  const totalGain = (await runAnalysis(db, 'total-gain')).rows[0]?.total_increase ?? null;
  const span = (await runAnalysis(db, 'time-span')).rows[0];
  const stitched = await hasRepoIds(db);
  const renames = (await runAnalysis(db, 'renames')).rows;
  // A repo chosen (or found fastest) under an earlier name is shown under its latest one.
  const latest = new Map(renames.map((r) => [String(r.repo), String(r.canonical)]));
  const shown = [...new Set(chosen.map((r) => latest.get(r) ?? r))];
  const history = (await runAnalysis(db, 'repo-history', { repos: shown })).rows;
  step('analyses');
  const dailyGains = (await runAnalysis(db, 'daily-gains')).rows;
  const bursts = (await runAnalysis(db, 'bursts')).rows;
  const ranks = (await runAnalysis(db, 'rank-history')).rows;
  const coverage = (await runAnalysis(db, 'coverage')).rows;
  const gaps = (await runAnalysis(db, 'coverage-gaps')).rows;
  step('insights');

  const coverageSource = coverageNote(coverage);
  const charts = buildCharts({
    finalStars,
    starsPerDay,
    sizeVsGrowth,
    history,
    chosen: shown,
    dailyGains,
    bursts,
    ranks,
    coverage,
    coverageSource,
  });
  mkdirSync(options.outDir, { recursive: true });
  const pngs: string[] = [];
  for (const chart of charts) {
    const file = path.join(options.outDir, `${chart.id}.png`);
    writeFileSync(file, await renderPng(chart));
    pngs.push(file);
    step(`chart ${chart.id}`);
  }

  const tables: ReportTable[] = [
    {
      title: 'Final stars',
      columns: [
        { key: 'repo', label: 'repo' },
        { key: 'stars', label: 'stars', format: 'int' },
      ],
      rows: finalStars.slice(0, top),
      total: finalStars.length,
    },
    {
      title: 'Stars per day',
      columns: [
        { key: 'repo', label: 'repo' },
        { key: 'stars_per_day', label: 'stars/day', format: 'rate' },
      ],
      rows: starsPerDay.slice(0, top),
      total: starsPerDay.length,
    },
    {
      title: 'Size vs growth',
      columns: [
        { key: 'repo', label: 'repo' },
        { key: 'stars', label: 'stars', format: 'int' },
        { key: 'stars_per_day', label: 'stars/day', format: 'rate' },
      ],
      rows: sizeVsGrowth.slice(0, top),
      total: sizeVsGrowth.length,
    },
    ...insightTables({ bursts, ranks, gaps, renames }, top),
  ];
  const notes = [
    stitched
      ? `Renames stitched: ${renameSummary(renames)} Per-repo charts, bursts, ranks and daily gains follow each repo under its latest name; the four article analyses stay by name.`
      : 'Renames are not stitched: this data carries no GitHub repo ids (no github-stars.repos.csv was loaded), so a renamed repo appears as two series, the old name stopping where the new one starts.',
    `Coverage ${coverageSource}.`,
  ];
  const html = renderReportHtml({
    generatedAt: (options.now ?? (() => new Date()))(),
    span: {
      repos: Number(span?.repos ?? 0),
      firstTs: span?.first_ts == null ? null : Number(span.first_ts),
      lastTs: span?.last_ts == null ? null : Number(span.last_ts),
    },
    totalGain: totalGain === null ? null : Number(totalGain),
    chosen: shown,
    charts,
    tables,
    notes,
    scripts: browserScripts(),
  });
  const indexHtml = path.join(options.outDir, 'index.html');
  writeFileSync(indexHtml, html);
  step('index.html');
  return { indexHtml, pngs, charts, chosen: shown };
}

/** Where the coverage figures come from, in words. */
export function coverageNote(coverage: Row[]): string {
  const first = coverage[0];
  if (!first) return 'has no polls and no samples to measure';
  const cadence = Number(first.cadence);
  const every =
    cadence % 86_400 === 0
      ? `${cadence / 86_400} day(s)`
      : cadence % 3600 === 0
        ? `${cadence / 3600} h`
        : `${cadence / 60} min`;
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
    { key: 'repo', label: 'repo' },
    { key: 'first_rank', label: 'first day', format: 'int' },
    { key: 'last_rank', label: 'last day', format: 'int' },
    { key: 'change', label: 'places', format: 'int' },
  ];
  return [
    {
      title: 'Bursts',
      columns: [
        { key: 'repo', label: 'repo' },
        { key: 'day', label: 'day', format: 'day' },
        { key: 'gain', label: 'new stars', format: 'int' },
        { key: 'baseline', label: 'baseline/day', format: 'rate' },
        { key: 'multiple', label: 'x baseline', format: 'rate' },
        { key: 'score', label: 'score', format: 'rate' },
      ],
      rows: data.bursts.slice(0, top),
      total: data.bursts.length,
    },
    {
      title: 'Biggest climbers (rank, first vs last day)',
      columns: rankColumns,
      rows: climbers.slice(0, top),
      total: climbers.length,
    },
    {
      title: 'Biggest fallers (rank, first vs last day)',
      columns: rankColumns,
      rows: fallers.slice(0, top),
      total: fallers.length,
    },
    {
      title: 'Coverage gaps (poll slots not ok)',
      columns: [
        { key: 'track', label: 'track' },
        { key: 'status', label: 'status' },
        { key: 'start_ts', label: 'from', format: 'date' },
        { key: 'end_ts', label: 'to', format: 'date' },
        { key: 'slots', label: 'slots', format: 'int' },
      ],
      rows: [...data.gaps]
        .sort((a, b) => Number(b.slots) - Number(a.slots) || Number(a.start_ts) - Number(b.start_ts))
        .slice(0, top),
      total: data.gaps.length,
    },
    {
      title: 'Renames stitched',
      columns: [
        { key: 'repo', label: 'name' },
        { key: 'canonical', label: 'shown as' },
        { key: 'first_ts', label: 'first seen', format: 'date' },
        { key: 'last_ts', label: 'last seen', format: 'date' },
      ],
      rows: data.renames.slice(0, top),
      total: data.renames.length,
    },
  ];
}
