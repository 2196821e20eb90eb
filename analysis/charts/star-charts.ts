// The charts of the article's analyses (final stars, stars per day, size against growth) and of the
// chosen repos' history (stars over time, new stars per day): pure functions from analysis rows to
// chart specs.
import type { Row } from '../queries/run-analysis.js';
import { axisSpan, DAY, extentOf, gainsByRepo, MARKED_BURSTS_PER_REPO, num, strongestPerRepo } from './chart-data.js';
import * as kit from './chart-kit.js';

/** Above this many samples per repo, chart 4 merges consecutive samples into buckets. */
export const MAX_HISTORY_POINTS = 1500;
/** The article saw larger repos grow faster beyond about this size. */
export const INFLECTION_STARS = 5000;

interface RankedParts {
  id: string;
  title: string;
  caption: string;
  subtitle: string;
  label: string;
  /** One point per repo: x its rank, y its value. */
  data: { x: number; y: number }[];
  /** Colours (and fill) of the line. */
  style: kit.Dataset;
  /** Repos ranked, for the x axis's extent (some may not be drawn). */
  ranks: number;
  xTitle: string;
  y: Record<string, unknown>;
}

/** Charts 1 and 2: one value per repo by rank, a line through the points. */
function rankedChart(p: RankedParts): kit.ChartSpec {
  return kit.chartSpec({
    id: p.id,
    title: p.title,
    caption: p.caption,
    type: 'scatter',
    datasets: [
      {
        label: p.label,
        data: p.data,
        showLine: true,
        ...p.style,
        pointRadius: p.data.length > 300 ? 0 : 2,
        borderWidth: 2,
      },
    ],
    subtitle: p.subtitle,
    legend: false,
    scales: { x: kit.linearAxis(p.xTitle, { min: 1, max: Math.max(1, p.ranks) }), y: p.y },
  });
}

/** 1. Final stars by rank, log y: the long tail at a glance. */
export function finalStarsByRank(rows: Row[]): kit.ChartSpec {
  const points = rows.map((r, i) => ({ x: i + 1, y: num(r.stars) }));
  const shown = points.filter((p) => p.y > 0);
  const left = points.length - shown.length;
  const top = rows[0];
  return rankedChart({
    id: '1-final-stars-by-rank',
    title: 'Final stars by rank',
    caption: "Each repo's stars at its last sample, from rank 1 down, on a logarithmic scale.",
    subtitle:
      `${kit.plural(rows.length, 'repo')}` +
      (top ? `; #1 ${top.repo} with ${kit.fmt(num(top.stars))} stars` : '') +
      (left > 0 ? `; ${kit.plural(left, 'repo')} with 0 stars left off the log axis` : ''),
    label: 'stars at last sample',
    data: shown,
    style: { borderColor: kit.colour(0), backgroundColor: kit.colour(0) },
    ranks: points.length,
    xTitle: 'rank (1 = most stars)',
    y: kit.logAxis('stars at last sample (log scale)'),
  });
}

/** 2. Stars per day, sorted: a few fast repos, a long slow tail, and the ones that lost stars. */
export function starsPerDaySorted(rows: Row[]): kit.ChartSpec {
  const points = rows.map((r, i) => ({ x: i + 1, y: num(r.stars_per_day) }));
  const falling = points.filter((p) => p.y < 0).length;
  const rates = points.map((p) => p.y).sort((a, b) => a - b);
  const median = rates.length ? rates[Math.floor((rates.length - 1) / 2)]! : 0;
  return rankedChart({
    id: '2-stars-per-day',
    title: 'Stars per day, sorted',
    caption:
      'Stars gained per day over the time each repo was tracked, fastest first; below zero, repos that lost stars.',
    subtitle: rows.length
      ? `${kit.plural(rows.length, 'repo')}; fastest ${rows[0]!.repo} at ${kit.fmt(points[0]!.y)}/day; median ${kit.fmt(median)}/day` +
        (falling ? `; ${kit.plural(falling, 'repo')} lost stars (slowest ${kit.fmt(rates[0]!)}/day)` : '')
      : 'no repo has two samples yet',
    label: 'stars per day',
    data: points,
    style: { fill: 'origin', borderColor: kit.colour(1), backgroundColor: 'rgba(242, 142, 43, 0.25)' },
    ranks: points.length,
    xTitle: 'rank (1 = fastest growing)',
    y: kit.linearAxis('stars per day'),
  });
}

/** A guide at the article's inflection, from the lowest to the highest rate shown. */
function inflectionGuide(rates: number[]): kit.Dataset {
  const ys = extentOf(rates)!;
  return {
    label: `${kit.fmt(INFLECTION_STARS)} stars (the article's inflection point)`,
    data: [
      { x: INFLECTION_STARS, y: ys.min },
      { x: INFLECTION_STARS, y: ys.max },
    ],
    showLine: true,
    borderColor: '#888',
    borderDash: [6, 4],
    borderWidth: 1.5,
    pointRadius: 0,
  };
}

/** What the log-log chart could not draw: a log axis has no place for zero or negative growth. */
function leftOffLog(left: number): string {
  return left > 0
    ? `; ${kit.plural(left, 'repo')} with zero or negative growth left out (no place on a log axis)`
    : '; every repo grew';
}

/** 3. Final stars against stars per day, linear and log-log. */
export function sizeVsGrowth(rows: Row[], scale: 'linear' | 'log'): kit.ChartSpec {
  const all = rows.map((r) => ({ x: num(r.stars), y: num(r.stars_per_day), repo: String(r.repo) }));
  const log = scale === 'log';
  const shown = log ? all.filter((p) => p.x > 0 && p.y > 0) : all;
  const datasets: kit.Dataset[] = [
    {
      label: 'repos',
      data: shown,
      borderColor: kit.colour(0),
      backgroundColor: 'rgba(78, 121, 167, 0.55)',
      pointRadius: 3,
    },
  ];
  // A guide at the article's inflection so the eye can test it against this data.
  if (log && shown.length > 0) datasets.push(inflectionGuide(shown.map((p) => p.y)));
  const title = log ? 'Do bigger repos grow faster? (log-log)' : 'Do bigger repos grow faster?';
  return kit.chartSpec({
    id: log ? '3-size-vs-growth-log' : '3-size-vs-growth',
    title,
    caption: log
      ? 'The same on logarithmic axes, where the spread of small repos and any change of slope show.'
      : 'Final stars against stars gained per day, one point per repo.',
    type: 'scatter',
    datasets,
    subtitle: `${kit.plural(shown.length, 'repo')}` + (log ? leftOffLog(all.length - shown.length) : ''),
    legend: datasets.length > 1,
    scales: {
      x: log ? kit.logAxis('stars at last sample (log scale)') : kit.linearAxis('stars at last sample'),
      y: log ? kit.logAxis('stars per day (log scale)') : kit.linearAxis('stars per day'),
    },
  });
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

/** Each burst at the repo's last sample of its day, on the stars panel of the history chart. */
function historyBurstMarks(bursts: Row[], byRepo: Map<string, Sample[]>) {
  return strongestPerRepo(bursts).flatMap((b) => {
    const end = (num(b.day) + DAY) * 1000;
    const last = (byRepo.get(String(b.repo)) ?? []).filter((p) => p.ts * 1000 < end).at(-1);
    return last ? [{ x: last.ts * 1000, y: last.stars, repo: String(b.repo), gain: num(b.gain) }] : [];
  });
}

/** 4. Star history of the chosen repos, with the change per interval beneath; bursts marked. */
export function starHistory(history: Row[], chosen: string[], bursts: Row[] = []): kit.ChartSpec {
  const byRepo = historyByRepo(history, chosen);
  const longest = Math.max(0, ...[...byRepo.values()].map((s) => s.length));
  const k = Math.ceil(longest / MAX_HISTORY_POINTS) || 1;
  const bucketed = [...byRepo].map(([repo, samples]) => [repo, bucketSamples(samples, k)] as const);
  const fullSpan = axisSpan(bucketed.map(([, points]) => points.map((p) => p.ts)));
  const datasets = kit.panelDatasets(
    bucketed.map(([repo, points]) => ({
      repo,
      stars: points.map((s) => ({ x: s.ts * 1000, y: s.stars })),
      change: points.filter((s) => s.change !== null).map((s) => ({ x: s.ts * 1000, y: s.change })),
      pointRadius: kit.pointRadiusFor(
        points.map((p) => p.ts),
        fullSpan,
      ),
    })),
    { axis: 'change', label: 'change' },
  );
  const marks = historyBurstMarks(bursts, byRepo);
  if (marks.length) datasets.push(kit.burstMarkers(marks, 'y'));
  const missing = [...byRepo].filter(([, s]) => s.length === 0).map(([r]) => r);
  const per = k > 1 ? `per ${k} samples` : 'per sample';
  return kit.chartSpec({
    id: '4-star-history',
    title: 'Star history',
    caption: `Stars of the chosen repos over time; beneath, the change ${per}, where bursts and losses stand out.`,
    height: 800,
    type: 'line',
    datasets,
    subtitle: `stars (top) and change ${per} (bottom)` + (missing.length ? `; no data for ${missing.join(', ')}` : ''),
    legend: chosen.length > 1,
    scales: { x: kit.timeAxis(), ...kit.stackedPanels('history', 'change', `change ${per} (stars)`) },
  });
}

/** 5. New stars per day for the chosen repos, by date; bursts marked. */
export function newStarsPerDay(dailyGains: Row[], chosen: string[], bursts: Row[] = []): kit.ChartSpec {
  const gains = gainsByRepo(dailyGains, chosen);
  const fullSpan = axisSpan([...gains.values()].map((days) => days.map((d) => d.day)));
  const datasets = [...gains].map(([repo, days], i) =>
    // A day without a gain (first day, after a gap) breaks the line rather than drawing a zero.
    kit.repoLine(
      repo,
      i,
      days.map((d) => ({ x: d.day * 1000, y: d.gain })),
      kit.pointRadiusFor(
        days.map((d) => d.day),
        fullSpan,
      ),
    ),
  );
  const marks = strongestPerRepo(bursts.filter((b) => gains.has(String(b.repo)))).map((b) => ({
    x: num(b.day) * 1000,
    y: num(b.gain),
  }));
  if (marks.length) datasets.push(kit.burstMarkers(marks));
  return kit.chartSpec({
    id: '5-new-stars-per-day',
    title: 'New stars per day',
    caption:
      "Stars gained each UTC day by the chosen repos (since the previous day's last sample); a day after a gap in the data has no value, so a gap never looks like a burst.",
    type: 'line',
    datasets,
    subtitle: `stars gained per calendar day (UTC); triangles mark each repo's ${MARKED_BURSTS_PER_REPO} strongest bursts`,
    legend: datasets.length > 1,
    scales: { x: kit.timeAxis(), y: kit.linearAxis('new stars per day') },
  });
}
