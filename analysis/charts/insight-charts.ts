// The insight charts (repos aligned by entry, coverage, bursts, rank over time): pure functions
// from analysis rows to chart specs, built from the chart kit like the star charts.
import type { Row } from '../queries/run-analysis.js';
import {
  DAY,
  type DayGain,
  extentOf,
  gainsByRepo,
  MARKED_BURSTS_PER_REPO,
  num,
  strongestPerRepo,
} from './chart-data.js';
import * as kit from './chart-kit.js';

/** Repos in the bump chart. */
export const BUMP_TOP = 20;
/** Days of data a burst needs: 7 daily gains before it (sql/analyses/bursts.sql) and the day itself. */
const MIN_BURST_HISTORY_DAYS = 9;

/** Repos in the bursts chart: the owners of the strongest bursts. */
export const BURST_REPOS = 4;

const isoDay = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

/** 5b. New stars per day of the chosen repos, aligned by the days since each entered the tracked set. */
export function newStarsSinceEntry(dailyGains: Row[], chosen: string[]): kit.ChartSpec {
  const gains = gainsByRepo(dailyGains, chosen);
  const datasets = [...gains].map(([repo, days], i) => {
    const entry = days[0]?.day ?? 0;
    const data = days.map((d) => ({ x: (d.day - entry) / DAY, y: d.gain }));
    return kit.repoLine(repo, i, data, days.length > 120 ? 0 : 2);
  });
  const entered = [...gains].filter(([, days]) => days.length).map(([repo, days]) => `${repo} ${isoDay(days[0]!.day)}`);
  return kit.chartSpec({
    id: '5-new-stars-since-entry',
    title: 'New stars per day, aligned by entry',
    caption:
      'The same repos side by side from the day each was first tracked (day 0), so a newcomer can be compared with an established repo at the same age in the data.',
    type: 'line',
    datasets,
    subtitle: entered.length ? `entered: ${entered.join('; ')}` : 'no data',
    legend: datasets.length > 1,
    scales: {
      x: kit.linearAxis('days since the repo entered the tracked set', { min: 0, ticks: { precision: 0 } }),
      y: kit.linearAxis('new stars per day'),
    },
  });
}

type SlotCounts = Record<'present' | 'partial' | 'failed' | 'missing' | 'expected', number>;

/** coverage rows summed over tracks, per day, in day order. */
function slotsPerDay(coverage: Row[]): [number, SlotCounts][] {
  const days = new Map<number, SlotCounts>();
  for (const r of coverage) {
    const day = num(r.day);
    const d = days.get(day) ?? { present: 0, partial: 0, failed: 0, missing: 0, expected: 0 };
    d.present += num(r.present);
    d.partial += num(r.partial);
    d.failed += num(r.failed);
    d.missing += num(r.missing);
    d.expected += num(r.expected);
    days.set(day, d);
  }
  return [...days].sort(([a], [b]) => a - b);
}

function coverageSubtitle(list: [number, SlotCounts][], source: string): string {
  const total = list.reduce((s, [, d]) => s + d.expected, 0);
  if (!total) return 'no samples';
  const present = list.reduce((s, [, d]) => s + d.present, 0);
  const short = list.filter(([, d]) => d.missing + d.failed + d.partial > 0).length;
  return `${kit.fmt(present)} of ${kit.fmt(total)} polls present (${((present / total) * 100).toFixed(1)}%); ${kit.plural(short, 'day')} with gaps; ${source}`;
}

/** 6. Polls per day: present, partial, failed and missing, stacked, so gaps stand out in red. */
export function coverageChart(coverage: Row[], source: string): kit.ChartSpec {
  const list = slotsPerDay(coverage);
  const series = (key: keyof SlotCounts, label: string, color: string) => ({
    label,
    data: list.map(([day, d]) => ({ x: day * 1000, y: d[key] })),
    backgroundColor: color,
    borderWidth: 0,
    barPercentage: 1,
    categoryPercentage: 1,
    // Thin bars on a long period: at least a pixel each, so a one-day gap stays visible.
    minBarLength: 0,
  });
  return kit.chartSpec({
    id: '6-coverage',
    title: 'Coverage: polls per day',
    caption:
      "The collector's own health: each day's expected polls split into those that ended ok, partial or failed and the slots with no poll at all (red). The missing ranges are listed in the coverage gaps table.",
    height: 500,
    type: 'bar',
    datasets: [
      series('present', 'ok', 'rgba(78, 121, 167, 0.85)'),
      series('partial', 'partial', '#edc948'),
      series('failed', 'failed', '#f28e2b'),
      series('missing', 'missing (no poll)', '#d62728'),
    ],
    subtitle: coverageSubtitle(list, source),
    legend: true,
    scales: {
      x: kit.timeAxis({
        stacked: true,
        offset: false,
        time: { unit: list.length > 120 ? 'month' : 'day', displayFormats: { day: 'MMM d', month: 'MMM yyyy' } },
      }),
      y: kit.linearAxis('polls (slots) per day', { stacked: true, beginAtZero: true }),
    },
  });
}

/** The bursts of the charted repos as markers: on the stars panel at the day's end, and on the gains panel. */
function burstPanelMarks(bursts: Row[], gains: Map<string, DayGain[]>): kit.Dataset[] {
  const shown = strongestPerRepo(bursts.filter((b) => gains.has(String(b.repo))));
  if (!shown.length) return [];
  const stars = (b: Row) => gains.get(String(b.repo))!.find((d) => d.day === num(b.day))?.stars ?? null;
  const onStars = shown
    .map((b) => ({ x: num(b.day) * 1000, y: stars(b) }))
    .filter((p): p is { x: number; y: number } => p.y !== null);
  const onGains = shown.map((b) => ({ x: num(b.day) * 1000, y: num(b.gain) }));
  return [kit.burstMarkers(onStars, 'y'), { ...kit.burstMarkers(onGains, 'gain'), legendHidden: true }];
}

/** The bursts chart's subtitle: the strongest burst, or why there is none. */
function burstsSubtitle(bursts: Row[], daysCovered: number): string {
  const top = bursts[0];
  if (top)
    return `${kit.plural(bursts.length, 'burst')} found; strongest: ${top.repo} +${kit.fmt(num(top.gain))} stars on ${isoDay(num(top.day))} (${kit.fmt(num(top.multiple))}x its baseline)`;
  if (daysCovered < MIN_BURST_HISTORY_DAYS)
    return `no bursts yet: a burst needs 7 daily gains before it as its baseline (${MIN_BURST_HISTORY_DAYS} days of data); this data covers ${kit.plural(daysCovered, 'day')}`;
  return "no day stood far above its repo's own 14-day baseline";
}

/** 7. The repos with the strongest bursts: stars per day (top) and new stars per day (bottom), bursts marked. */
export function burstsChart(dailyGains: Row[], bursts: Row[]): kit.ChartSpec {
  const repos = [...new Set(bursts.map((b) => String(b.repo)))].slice(0, BURST_REPOS);
  const gains = gainsByRepo(dailyGains, repos);
  const span = [...gains.values()].reduce((m, d) => Math.max(m, d.length ? d.at(-1)!.day - d[0]!.day : 0), 0);
  const datasets = kit.panelDatasets(
    [...gains].map(([repo, days]) => ({
      repo,
      stars: days.map((d) => ({ x: d.day * 1000, y: d.stars })),
      change: days.map((d) => ({ x: d.day * 1000, y: d.gain })),
      pointRadius: kit.pointRadiusFor(
        days.map((d) => d.day),
        span,
      ),
    })),
    { axis: 'gain', label: 'new stars' },
  );
  datasets.push(...burstPanelMarks(bursts, gains));
  // With no burst there is no series; the axis still spans the data, not chart.js's default.
  const days = extentOf(dailyGains.map((g) => num(g.day)));
  const daysCovered = days ? Math.round((days.max - days.min) / DAY) + 1 : 0;
  return kit.chartSpec({
    id: '7-bursts',
    title: 'Star bursts',
    caption: `The repos with the strongest bursts: stars at each day's end (top) and new stars per day (bottom). A burst is a day whose gain stands far above the repo's own median of the 14 days before (a robust score); triangles mark each repo's ${MARKED_BURSTS_PER_REPO} strongest.`,
    height: 800,
    type: 'line',
    datasets,
    subtitle: burstsSubtitle(bursts, daysCovered),
    legend: datasets.length > 1,
    scales: {
      x: kit.timeAxis(datasets.length === 0 && days ? { min: days.min * 1000, max: days.max * 1000 } : {}),
      ...kit.stackedPanels('bursts', 'gain', 'new stars per day'),
    },
  });
}

/** The last day's top repos: the bump chart's lines. */
export function bumpRepos(ranks: Row[], top = BUMP_TOP): string[] {
  const last = ranks.reduce((m, r) => Math.max(m, num(r.day)), -Infinity);
  return ranks
    .filter((r) => num(r.day) === last && num(r.rank) <= top)
    .sort((a, b) => num(a.rank) - num(b.rank))
    .map((r) => String(r.repo));
}

/** Rank on the first and the last day, for repos present on both, biggest moves first. */
export function rankMoves(ranks: Row[]): { climbers: Row[]; fallers: Row[] } {
  if (!ranks.length) return { climbers: [], fallers: [] };
  // Rows come in day order (rank-history sorts by day).
  const first = num(ranks[0]!.day);
  const last = num(ranks.at(-1)!.day);
  const on = (day: number) =>
    new Map(ranks.filter((r) => num(r.day) === day).map((r) => [String(r.repo), num(r.rank)]));
  const start = on(first);
  const moves: Row[] = [...on(last)]
    .filter(([repo]) => start.has(repo))
    .map(([repo, rank]) => ({ repo, first_rank: start.get(repo)!, last_rank: rank, change: start.get(repo)! - rank }));
  const byName = (a: Row, b: Row) => (String(a.repo) < String(b.repo) ? -1 : 1);
  return {
    climbers: moves.filter((m) => num(m.change) > 0).sort((a, b) => num(b.change) - num(a.change) || byName(a, b)),
    fallers: moves.filter((m) => num(m.change) < 0).sort((a, b) => num(a.change) - num(b.change) || byName(a, b)),
  };
}

/** 8. Bump chart: the rank over time of the last day's top 20, rank 1 at the top. */
export function rankBumpChart(ranks: Row[]): kit.ChartSpec {
  const repos = bumpRepos(ranks);
  const series = new Map<string, { x: number; y: number }[]>(repos.map((r) => [r, []]));
  for (const r of ranks) series.get(String(r.repo))?.push({ x: num(r.day) * 1000, y: num(r.rank) });
  const worst = [...series.values()].flat().reduce((m, p) => Math.max(m, p.y), BUMP_TOP);
  // Series come in the order of `repos`: the i-th is the repo ranked i + 1 on the last day.
  const datasets = [...series].map(([repo, points], i) => ({
    label: `${i + 1}. ${repo}`,
    data: points,
    borderColor: kit.colour(i),
    backgroundColor: kit.colour(i),
    // Ten colours: the second ten repos are dashed.
    borderDash: i >= kit.PALETTE.length ? [6, 3] : [],
    borderWidth: 2,
    pointRadius: points.length > 60 ? 0 : 2.5,
    spanGaps: false,
  }));
  const days = new Set(ranks.map((r) => num(r.day))).size;
  return kit.chartSpec({
    id: '8-rank-history',
    title: 'Rank over time',
    caption:
      "The rank of each of the last day's top 20 among all repos tracked that day, by stars at the day's last sample (1 = most stars). Lines cross where one repo overtakes another.",
    height: 800,
    type: 'line',
    datasets,
    subtitle: `${kit.plural(repos.length, 'repo')} over ${kit.plural(days, 'day')}`,
    legend: datasets.length > 1,
    legendAt: 'right',
    scales: {
      x: kit.timeAxis(),
      y: kit.linearAxis('rank (1 = most stars)', {
        reverse: true,
        min: 1,
        max: Math.min(worst, 60),
        ticks: { precision: 0, stepSize: worst > 40 ? 5 : 1 },
      }),
    },
  });
}
