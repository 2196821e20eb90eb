// Chart configurations for chart.js: pure functions from analysis rows to plain-JSON configs,
// shared by the PNG renderer and the HTML report (chart-runtime.js adds the little JSON cannot
// carry). Nothing here does I/O.
import type { ChartConfiguration } from 'chart.js';
import type { Row } from '../queries/run-analysis.js';
import { burstsChart, coverageChart, newStarsSinceEntry, rankBumpChart } from './insight-charts.js';

export interface ReportData {
  finalStars: Row[];
  starsPerDay: Row[];
  sizeVsGrowth: Row[];
  /** repo-history rows (repo, ts, stars, change) of the chosen repos. */
  history: Row[];
  /** The chosen repos, in the order they should be listed. */
  chosen: string[];
  /** daily-gains rows (repo, day, stars, new_stars) of every repo. */
  dailyGains: Row[];
  /** bursts rows, strongest first. */
  bursts: Row[];
  /** rank-history rows (day, rank, repo, stars). */
  ranks: Row[];
  /** coverage rows, per track and day. */
  coverage: Row[];
  /** How coverage was measured, for the chart's subtitle. */
  coverageSource: string;
}

export interface ChartSpec {
  /** File stem of the PNG and id of the canvas, e.g. `1-final-stars-by-rank`. */
  id: string;
  title: string;
  /** One sentence under the chart saying what to read from it. */
  caption: string;
  width: number;
  height: number;
  config: ChartConfiguration;
}

/** Tableau 10: distinguishable, and still readable in grey. */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export const WIDTH = 1200;
export const HEIGHT = 600;
/** Above this many samples per repo, chart 4 merges consecutive samples into buckets. */
export const MAX_HISTORY_POINTS = 1500;
/** The article saw larger repos grow faster beyond about this size. */
export const INFLECTION_STARS = 5000;

export const DAY = 86_400;

// Compact numbers on every numeric axis: 1.5K, 120K, 0.25; never "0.010000".
const COMPACT = { notation: 'compact', maximumSignificantDigits: 3 } as const;

export const num = (v: unknown): number => Number(v);
export const fmt = (n: number): string =>
  new Intl.NumberFormat('en', { maximumFractionDigits: n < 10 ? 2 : 0 }).format(n);

export function axisTitle(text: string) {
  return { display: true, text, font: { size: 13, weight: 'bold' as const } };
}

export function linearAxis(title: string, extra: Record<string, unknown> = {}) {
  return { type: 'linear', title: axisTitle(title), ticks: { format: COMPACT }, ...extra };
}

export function logAxis(title: string, extra: Record<string, unknown> = {}) {
  return { type: 'logarithmic', title: axisTitle(title), ticks: { format: COMPACT }, ...extra };
}

export function timeAxis(extra: Record<string, unknown> = {}) {
  return {
    type: 'time',
    title: axisTitle('date'),
    time: {
      tooltipFormat: 'yyyy-MM-dd HH:mm',
      displayFormats: {
        hour: 'MMM d HH:mm',
        day: 'MMM d',
        week: 'MMM d',
        month: 'MMM yyyy',
        quarter: 'MMM yyyy',
        year: 'yyyy',
      },
    },
    ticks: { maxRotation: 0, autoSkipPadding: 24 },
    ...extra,
  };
}

export function baseOptions(title: string, subtitle: string, legend: boolean) {
  return {
    animation: false,
    responsive: false,
    devicePixelRatio: 1,
    // Room on the right so the last point and tick label are not cut at the edge.
    layout: { padding: { right: 24, left: 4, bottom: 4 } },
    // Hovering the nearest point, not only exact hits: scatter points are small.
    interaction: { mode: 'nearest', intersect: false },
    plugins: {
      title: { display: true, text: title, font: { size: 18, weight: 'bold' }, padding: { top: 8, bottom: 4 } },
      subtitle: {
        display: subtitle !== '',
        text: subtitle,
        font: { size: 13 },
        color: '#555',
        padding: { bottom: 10 },
      },
      legend: { display: legend, position: 'top', labels: { boxWidth: 14, font: { size: 12 } } },
    },
  };
}

export const plural = (n: number, one: string, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;

/** 1. Final stars by rank, log y: the long tail at a glance. */
export function finalStarsByRank(rows: Row[]): ChartSpec {
  const points = rows.map((r, i) => ({ x: i + 1, y: num(r.stars) }));
  const shown = points.filter((p) => p.y > 0);
  const left = points.length - shown.length;
  const top = rows[0];
  const subtitle =
    `${plural(rows.length, 'repo')}` +
    (top ? `; #1 ${top.repo} with ${fmt(num(top.stars))} stars` : '') +
    (left > 0 ? `; ${plural(left, 'repo')} with 0 stars left off the log axis` : '');
  return {
    id: '1-final-stars-by-rank',
    title: 'Final stars by rank',
    caption: "Each repo's stars at its last sample, from rank 1 down, on a logarithmic scale.",
    width: WIDTH,
    height: HEIGHT,
    config: {
      type: 'scatter',
      data: {
        datasets: [
          {
            label: 'stars at last sample',
            data: shown,
            showLine: true,
            borderColor: PALETTE[0],
            backgroundColor: PALETTE[0],
            pointRadius: shown.length > 300 ? 0 : 2,
            borderWidth: 2,
          },
        ],
      },
      options: {
        ...baseOptions('Final stars by rank', subtitle, false),
        scales: {
          x: linearAxis('rank (1 = most stars)', { min: 1, max: Math.max(1, points.length) }),
          y: logAxis('stars at last sample (log scale)'),
        },
      },
    } as unknown as ChartConfiguration,
  };
}

/** 2. Stars per day, sorted: a few fast repos, a long slow tail, and the ones that lost stars. */
export function starsPerDaySorted(rows: Row[]): ChartSpec {
  const points = rows.map((r, i) => ({ x: i + 1, y: num(r.stars_per_day) }));
  const falling = points.filter((p) => p.y < 0).length;
  const rates = points.map((p) => p.y).sort((a, b) => a - b);
  const median = rates.length ? rates[Math.floor((rates.length - 1) / 2)]! : 0;
  const subtitle = rows.length
    ? `${plural(rows.length, 'repo')}; fastest ${rows[0]!.repo} at ${fmt(points[0]!.y)}/day; median ${fmt(median)}/day` +
      (falling ? `; ${plural(falling, 'repo')} lost stars (slowest ${fmt(rates[0]!)}/day)` : '')
    : 'no repo has two samples yet';
  return {
    id: '2-stars-per-day',
    title: 'Stars per day, sorted',
    caption:
      'Stars gained per day over the time each repo was tracked, fastest first; below zero, repos that lost stars.',
    width: WIDTH,
    height: HEIGHT,
    config: {
      type: 'scatter',
      data: {
        datasets: [
          {
            label: 'stars per day',
            data: points,
            showLine: true,
            fill: 'origin',
            borderColor: PALETTE[1],
            backgroundColor: 'rgba(242, 142, 43, 0.25)',
            pointRadius: points.length > 300 ? 0 : 2,
            borderWidth: 2,
          },
        ],
      },
      options: {
        ...baseOptions('Stars per day, sorted', subtitle, false),
        scales: {
          x: linearAxis('rank (1 = fastest growing)', { min: 1, max: Math.max(1, points.length) }),
          y: linearAxis('stars per day'),
        },
      },
    } as unknown as ChartConfiguration,
  };
}

/** 3. Final stars against stars per day, linear and log-log. */
export function sizeVsGrowth(rows: Row[], scale: 'linear' | 'log'): ChartSpec {
  const all = rows.map((r) => ({ x: num(r.stars), y: num(r.stars_per_day), repo: String(r.repo) }));
  const log = scale === 'log';
  const shown = log ? all.filter((p) => p.x > 0 && p.y > 0) : all;
  const left = all.length - shown.length;
  const datasets: Record<string, unknown>[] = [
    {
      label: 'repos',
      data: shown,
      borderColor: PALETTE[0],
      backgroundColor: 'rgba(78, 121, 167, 0.55)',
      pointRadius: 3,
    },
  ];
  if (log && shown.length > 0) {
    // A guide at the article's inflection so the eye can test it against this data.
    const ys = extentOf(shown.map((p) => p.y))!;
    datasets.push({
      label: `${fmt(INFLECTION_STARS)} stars (the article's inflection point)`,
      data: [
        { x: INFLECTION_STARS, y: ys.min },
        { x: INFLECTION_STARS, y: ys.max },
      ],
      showLine: true,
      borderColor: '#888',
      borderDash: [6, 4],
      borderWidth: 1.5,
      pointRadius: 0,
    });
  }
  const subtitle =
    `${plural(shown.length, 'repo')}` +
    (log
      ? left > 0
        ? `; ${plural(left, 'repo')} with zero or negative growth left out (no place on a log axis)`
        : '; every repo grew'
      : '');
  const title = log ? 'Do bigger repos grow faster? (log-log)' : 'Do bigger repos grow faster?';
  return {
    id: log ? '3-size-vs-growth-log' : '3-size-vs-growth',
    title,
    caption: log
      ? 'The same on logarithmic axes, where the spread of small repos and any change of slope show.'
      : 'Final stars against stars gained per day, one point per repo.',
    width: WIDTH,
    height: HEIGHT,
    config: {
      type: 'scatter',
      data: { datasets },
      options: {
        ...baseOptions(title, subtitle, datasets.length > 1),
        scales: {
          x: log ? logAxis('stars at last sample (log scale)') : linearAxis('stars at last sample'),
          y: log ? logAxis('stars per day (log scale)') : linearAxis('stars per day'),
        },
      },
    } as unknown as ChartConfiguration,
  };
}

interface Sample {
  ts: number;
  stars: number;
  change: number | null;
}

function historyByRepo(history: Row[], chosen: string[]): Map<string, Sample[]> {
  const byRepo = new Map<string, Sample[]>(chosen.map((r) => [r, []]));
  for (const r of history) {
    const list = byRepo.get(String(r.repo));
    if (list) list.push({ ts: num(r.ts), stars: num(r.stars), change: r.change === null ? null : num(r.change) });
  }
  return byRepo;
}

/** Merges runs of `k` consecutive samples: the last stars, the summed change. */
export function bucketSamples(samples: Sample[], k: number): Sample[] {
  if (k <= 1) return samples;
  const out: Sample[] = [];
  for (let i = 0; i < samples.length; i += k) {
    const run = samples.slice(i, i + k);
    const last = run[run.length - 1]!;
    const changes = run.map((s) => s.change).filter((c): c is number => c !== null);
    out.push({ ts: last.ts, stars: last.stars, change: changes.length ? changes.reduce((a, b) => a + b, 0) : null });
  }
  return out;
}

/** Markers only where samples stand apart on the time axis; dense series read better as lines. */
export function pointRadiusFor(times: number[], axisSpan: number, width = WIDTH - 100): number {
  if (times.length <= 1) return 3;
  const span = spanOf(times);
  const pixelsPerPoint = ((span / Math.max(axisSpan, 1)) * width) / (times.length - 1);
  return pixelsPerPoint >= 10 ? 2.5 : 0;
}

export function axisSpan(series: number[][]): number {
  return spanOf(series.flat());
}

/** Min and max without spreading: a spread of a few hundred thousand values overflows the stack. */
export function extentOf(values: Iterable<number>): { min: number; max: number } | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : undefined;
}

function spanOf(values: number[]): number {
  const extent = extentOf(values);
  return extent ? extent.max - extent.min : 0;
}

/** 4. Star history of the chosen repos, with the change per interval beneath; bursts marked. */
export function starHistory(history: Row[], chosen: string[], bursts: Row[] = []): ChartSpec {
  const byRepo = historyByRepo(history, chosen);
  const longest = Math.max(0, ...[...byRepo.values()].map((s) => s.length));
  const k = Math.ceil(longest / MAX_HISTORY_POINTS) || 1;
  const datasets: Record<string, unknown>[] = [];
  const bucketed = [...byRepo].map(([repo, samples]) => [repo, bucketSamples(samples, k)] as const);
  const fullSpan = axisSpan(bucketed.map(([, points]) => points.map((p) => p.ts)));
  bucketed.forEach(([repo, points], i) => {
    const color = PALETTE[i % PALETTE.length]!;
    datasets.push({
      label: repo,
      data: points.map((s) => ({ x: s.ts * 1000, y: s.stars })),
      yAxisID: 'y',
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2,
      pointRadius: pointRadiusFor(
        points.map((p) => p.ts),
        fullSpan,
      ),
    });
    datasets.push({
      label: `${repo} change`,
      legendHidden: true,
      data: points.filter((s) => s.change !== null).map((s) => ({ x: s.ts * 1000, y: s.change })),
      yAxisID: 'change',
      borderColor: color,
      backgroundColor: color,
      borderWidth: 1,
      pointRadius: 0,
    });
  });
  // Each burst at the repo's last sample of its day, on the stars panel.
  const marks = strongestPerRepo(bursts).flatMap((b) => {
    const end = (num(b.day) + DAY) * 1000;
    const last = (byRepo.get(String(b.repo)) ?? []).filter((p) => p.ts * 1000 < end).at(-1);
    return last ? [{ x: last.ts * 1000, y: last.stars, repo: String(b.repo), gain: num(b.gain) }] : [];
  });
  if (marks.length) datasets.push(burstMarkers(marks, 'y'));
  const missing = [...byRepo].filter(([, s]) => s.length === 0).map(([r]) => r);
  const per = k > 1 ? `per ${k} samples` : 'per sample';
  const subtitle =
    `stars (top) and change ${per} (bottom)` + (missing.length ? `; no data for ${missing.join(', ')}` : '');
  return {
    id: '4-star-history',
    title: 'Star history',
    caption: `Stars of the chosen repos over time; beneath, the change ${per}, where bursts and losses stand out.`,
    width: WIDTH,
    height: 800,
    config: {
      type: 'line',
      data: { datasets },
      options: {
        ...baseOptions('Star history', subtitle, chosen.length > 1),
        scales: {
          x: timeAxis(),
          // Two value axes stacked in one chart so both panels share the time axis.
          change: linearAxis(`change ${per} (stars)`, {
            stack: 'history',
            stackWeight: 1.2,
            position: 'left',
            offset: true,
            grid: { color: '#e6e6e6' },
          }),
          // Stacked scales are laid out bottom-up in the order given: change first puts it beneath.
          y: linearAxis('stars', { stack: 'history', stackWeight: 3, position: 'left' }),
        },
      },
    } as unknown as ChartConfiguration,
  };
}

/** Bursts marked per repo on a chart: its strongest few, so the markers stay readable. */
export const MARKED_BURSTS_PER_REPO = 5;

/** Each repo's strongest bursts (rows come strongest first). */
export function strongestPerRepo(bursts: Row[], per = MARKED_BURSTS_PER_REPO): Row[] {
  const seen = new Map<string, number>();
  return bursts.filter((b) => {
    const n = (seen.get(String(b.repo)) ?? 0) + 1;
    seen.set(String(b.repo), n);
    return n <= per;
  });
}

/** Burst markers: triangles over the series, one legend entry for all. */
export function burstMarkers(points: { x: number; y: number }[], yAxisID = 'y'): Record<string, unknown> {
  return {
    label: 'burst (see the bursts table)',
    data: points,
    yAxisID,
    showLine: false,
    pointStyle: 'triangle',
    pointRadius: 8,
    pointHoverRadius: 10,
    borderColor: '#222',
    backgroundColor: 'rgba(225, 87, 89, 0.85)',
    borderWidth: 1.5,
  };
}

export interface DayGain {
  day: number;
  stars: number;
  gain: number | null;
}

/** daily-gains rows of the chosen repos, per repo in day order. */
export function gainsByRepo(dailyGains: Row[], chosen: string[]): Map<string, DayGain[]> {
  const out = new Map<string, DayGain[]>(chosen.map((r) => [r, []]));
  for (const r of dailyGains) {
    out
      .get(String(r.repo))
      ?.push({ day: num(r.day), stars: num(r.stars), gain: r.new_stars === null ? null : num(r.new_stars) });
  }
  return out;
}

/** 5. New stars per day for the chosen repos, by date; bursts marked. */
export function newStarsPerDay(dailyGains: Row[], chosen: string[], bursts: Row[] = []): ChartSpec {
  const gains = gainsByRepo(dailyGains, chosen);
  const fullSpan = axisSpan([...gains.values()].map((days) => days.map((d) => d.day)));
  const datasets: Record<string, unknown>[] = [...gains].map(([repo, days], i) => ({
    label: repo,
    // A day without a gain (first day, after a gap) breaks the line rather than drawing a zero.
    data: days.map((d) => ({ x: d.day * 1000, y: d.gain })),
    spanGaps: false,
    borderColor: PALETTE[i % PALETTE.length],
    backgroundColor: PALETTE[i % PALETTE.length],
    borderWidth: 1.5,
    pointRadius: pointRadiusFor(
      days.map((d) => d.day),
      fullSpan,
    ),
  }));
  const marks = strongestPerRepo(bursts.filter((b) => gains.has(String(b.repo)))).map((b) => ({
    x: num(b.day) * 1000,
    y: num(b.gain),
  }));
  if (marks.length) datasets.push(burstMarkers(marks));
  return {
    id: '5-new-stars-per-day',
    title: 'New stars per day',
    caption:
      "Stars gained each UTC day by the chosen repos (since the previous day's last sample); a day after a gap in the data has no value, so a gap never looks like a burst.",
    width: WIDTH,
    height: HEIGHT,
    config: {
      type: 'line',
      data: { datasets },
      options: {
        ...baseOptions(
          'New stars per day',
          `stars gained per calendar day (UTC); triangles mark each repo's ${MARKED_BURSTS_PER_REPO} strongest bursts`,
          datasets.length > 1,
        ),
        scales: { x: timeAxis(), y: linearAxis('new stars per day') },
      },
    } as unknown as ChartConfiguration,
  };
}

/** Every chart of the report, in order. */
export function buildCharts(data: ReportData): ChartSpec[] {
  return [
    finalStarsByRank(data.finalStars),
    starsPerDaySorted(data.starsPerDay),
    sizeVsGrowth(data.sizeVsGrowth, 'linear'),
    sizeVsGrowth(data.sizeVsGrowth, 'log'),
    starHistory(data.history, data.chosen, data.bursts),
    newStarsPerDay(data.dailyGains, data.chosen, data.bursts),
    newStarsSinceEntry(data.dailyGains, data.chosen),
    coverageChart(data.coverage, data.coverageSource),
    burstsChart(data.dailyGains, data.bursts),
    rankBumpChart(data.ranks),
  ];
}
