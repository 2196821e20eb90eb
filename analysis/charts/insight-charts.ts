// The insight charts (coverage, bursts, rank over time, repos aligned by entry): pure functions
// from analysis rows to chart.js configurations, like charts.ts, whose axes and options they share.
import type { ChartConfiguration } from 'chart.js';
import type { Row } from '../queries/run-analysis.js';
import {
  baseOptions,
  burstMarkers,
  type ChartSpec,
  DAY,
  extentOf,
  fmt,
  gainsByRepo,
  HEIGHT,
  linearAxis,
  MARKED_BURSTS_PER_REPO,
  num,
  PALETTE,
  plural,
  pointRadiusFor,
  strongestPerRepo,
  timeAxis,
  WIDTH,
} from './charts.js';

/** Repos in the bump chart. */
export const BUMP_TOP = 20;
/** Days of data a burst needs: 7 daily gains before it (sql/analyses/bursts.sql) and the day itself. */
const MIN_BURST_HISTORY_DAYS = 9;

/** Repos in the bursts chart: the owners of the strongest bursts. */
export const BURST_REPOS = 4;

/** 5b. New stars per day of the chosen repos, aligned by the days since each entered the tracked set. */
export function newStarsSinceEntry(dailyGains: Row[], chosen: string[]): ChartSpec {
  const gains = gainsByRepo(dailyGains, chosen);
  const datasets = [...gains].map(([repo, days], i) => {
    const entry = days[0]?.day ?? 0;
    return {
      label: repo,
      data: days.map((d) => ({ x: (d.day - entry) / DAY, y: d.gain })),
      spanGaps: false,
      borderColor: PALETTE[i % PALETTE.length],
      backgroundColor: PALETTE[i % PALETTE.length],
      borderWidth: 1.5,
      pointRadius: days.length > 120 ? 0 : 2,
    };
  });
  const entered = [...gains]
    .filter(([, days]) => days.length)
    .map(([repo, days]) => `${repo} ${new Date(days[0]!.day * 1000).toISOString().slice(0, 10)}`);
  return {
    id: '5-new-stars-since-entry',
    title: 'New stars per day, aligned by entry',
    caption:
      'The same repos side by side from the day each was first tracked (day 0), so a newcomer can be compared with an established repo at the same age in the data.',
    width: WIDTH,
    height: HEIGHT,
    config: {
      type: 'line',
      data: { datasets },
      options: {
        ...baseOptions(
          'New stars per day, aligned by entry',
          entered.length ? `entered: ${entered.join('; ')}` : 'no data',
          datasets.length > 1,
        ),
        scales: {
          x: linearAxis('days since the repo entered the tracked set', { min: 0, ticks: { precision: 0 } }),
          y: linearAxis('new stars per day'),
        },
      },
    } as unknown as ChartConfiguration,
  };
}

/** 6. Polls per day: present, partial, failed and missing, stacked, so gaps stand out in red. */
export function coverageChart(coverage: Row[], source: string): ChartSpec {
  const days = new Map<
    number,
    { present: number; partial: number; failed: number; missing: number; expected: number }
  >();
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
  const list = [...days].sort(([a], [b]) => a - b);
  const series = (key: 'present' | 'partial' | 'failed' | 'missing', label: string, color: string) => ({
    label,
    data: list.map(([day, d]) => ({ x: day * 1000, y: d[key] })),
    backgroundColor: color,
    borderWidth: 0,
    barPercentage: 1,
    categoryPercentage: 1,
    // Thin bars on a long period: at least a pixel each, so a one-day gap stays visible.
    minBarLength: 0,
  });
  const total = list.reduce((s, [, d]) => s + d.expected, 0);
  const present = list.reduce((s, [, d]) => s + d.present, 0);
  const short = list.filter(([, d]) => d.missing + d.failed + d.partial > 0).length;
  const subtitle = total
    ? `${fmt(present)} of ${fmt(total)} polls present (${((present / total) * 100).toFixed(1)}%); ${plural(short, 'day')} with gaps; ${source}`
    : 'no samples';
  return {
    id: '6-coverage',
    title: 'Coverage: polls per day',
    caption:
      "The collector's own health: each day's expected polls split into those that ended ok, partial or failed and the slots with no poll at all (red). The missing ranges are listed in the coverage gaps table.",
    width: WIDTH,
    height: 500,
    config: {
      type: 'bar',
      data: {
        datasets: [
          series('present', 'ok', 'rgba(78, 121, 167, 0.85)'),
          series('partial', 'partial', '#edc948'),
          series('failed', 'failed', '#f28e2b'),
          series('missing', 'missing (no poll)', '#d62728'),
        ],
      },
      options: {
        ...baseOptions('Coverage: polls per day', subtitle, true),
        scales: {
          x: timeAxis({
            stacked: true,
            offset: false,
            time: { unit: list.length > 120 ? 'month' : 'day', displayFormats: { day: 'MMM d', month: 'MMM yyyy' } },
          }),
          y: linearAxis('polls (slots) per day', { stacked: true, beginAtZero: true }),
        },
      },
    } as unknown as ChartConfiguration,
  };
}

/** 7. The repos with the strongest bursts: stars per day (top) and new stars per day (bottom), bursts marked. */
export function burstsChart(dailyGains: Row[], bursts: Row[]): ChartSpec {
  const repos = [...new Set(bursts.map((b) => String(b.repo)))].slice(0, BURST_REPOS);
  const gains = gainsByRepo(dailyGains, repos);
  const datasets: Record<string, unknown>[] = [];
  const span = [...gains.values()].reduce((m, d) => Math.max(m, d.length ? d.at(-1)!.day - d[0]!.day : 0), 0);
  [...gains].forEach(([repo, days], i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const radius = pointRadiusFor(
      days.map((d) => d.day),
      span,
    );
    datasets.push({
      label: repo,
      data: days.map((d) => ({ x: d.day * 1000, y: d.stars })),
      yAxisID: 'y',
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2,
      pointRadius: radius,
    });
    datasets.push({
      label: `${repo} new stars`,
      legendHidden: true,
      data: days.map((d) => ({ x: d.day * 1000, y: d.gain })),
      spanGaps: false,
      yAxisID: 'gain',
      borderColor: color,
      backgroundColor: color,
      borderWidth: 1,
      pointRadius: 0,
    });
  });
  const shown = strongestPerRepo(bursts.filter((b) => gains.has(String(b.repo))));
  const stars = (b: Row) => gains.get(String(b.repo))!.find((d) => d.day === num(b.day))?.stars ?? null;
  if (shown.length) {
    datasets.push(
      burstMarkers(
        shown
          .map((b) => ({ x: num(b.day) * 1000, y: stars(b) }))
          .filter((p): p is { x: number; y: number } => p.y !== null),
        'y',
      ),
    );
    datasets.push({
      ...burstMarkers(
        shown.map((b) => ({ x: num(b.day) * 1000, y: num(b.gain) })),
        'gain',
      ),
      legendHidden: true,
    });
  }
  const top = bursts[0];
  // With no burst there is no series; the axis still spans the data, not chart.js's default.
  const days = extentOf(dailyGains.map((g) => num(g.day)));
  const daysCovered = days ? Math.round((days.max - days.min) / DAY) + 1 : 0;
  const subtitle = top
    ? `${plural(bursts.length, 'burst')} found; strongest: ${top.repo} +${fmt(num(top.gain))} stars on ${new Date(num(top.day) * 1000).toISOString().slice(0, 10)} (${fmt(num(top.multiple))}x its baseline)`
    : daysCovered < MIN_BURST_HISTORY_DAYS
      ? `no bursts yet: a burst needs 7 daily gains before it as its baseline (${MIN_BURST_HISTORY_DAYS} days of data); this data covers ${plural(daysCovered, 'day')}`
      : "no day stood far above its repo's own 14-day baseline";
  return {
    id: '7-bursts',
    title: 'Star bursts',
    caption: `The repos with the strongest bursts: stars at each day's end (top) and new stars per day (bottom). A burst is a day whose gain stands far above the repo's own median of the 14 days before (a robust score); triangles mark each repo's ${MARKED_BURSTS_PER_REPO} strongest.`,
    width: WIDTH,
    height: 800,
    config: {
      type: 'line',
      data: { datasets },
      options: {
        ...baseOptions('Star bursts', subtitle, datasets.length > 1),
        scales: {
          x: timeAxis(datasets.length === 0 && days ? { min: days.min * 1000, max: days.max * 1000 } : {}),
          gain: linearAxis('new stars per day', {
            stack: 'bursts',
            stackWeight: 1.2,
            position: 'left',
            offset: true,
            grid: { color: '#e6e6e6' },
          }),
          y: linearAxis('stars', { stack: 'bursts', stackWeight: 3, position: 'left' }),
        },
      },
    } as unknown as ChartConfiguration,
  };
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
export function rankBumpChart(ranks: Row[]): ChartSpec {
  const repos = bumpRepos(ranks);
  const wanted = new Map(repos.map((r, i) => [r, i]));
  const series = new Map<string, { x: number; y: number }[]>(repos.map((r) => [r, []]));
  for (const r of ranks) series.get(String(r.repo))?.push({ x: num(r.day) * 1000, y: num(r.rank) });
  const worst = [...series.values()].flat().reduce((m, p) => Math.max(m, p.y), BUMP_TOP);
  const datasets = [...series].map(([repo, points]) => {
    const i = wanted.get(repo)!;
    return {
      label: `${i + 1}. ${repo}`,
      data: points,
      borderColor: PALETTE[i % PALETTE.length],
      backgroundColor: PALETTE[i % PALETTE.length],
      // Ten colours: the second ten repos are dashed.
      borderDash: i >= PALETTE.length ? [6, 3] : [],
      borderWidth: 2,
      pointRadius: points.length > 60 ? 0 : 2.5,
      spanGaps: false,
    };
  });
  const days = new Set(ranks.map((r) => num(r.day))).size;
  return {
    id: '8-rank-history',
    title: 'Rank over time',
    caption:
      "The rank of each of the last day's top 20 among all repos tracked that day, by stars at the day's last sample (1 = most stars). Lines cross where one repo overtakes another.",
    width: WIDTH,
    height: 800,
    config: {
      type: 'line',
      data: { datasets },
      options: {
        ...baseOptions(
          'Rank over time',
          `${plural(repos.length, 'repo')} over ${plural(days, 'day')}`,
          datasets.length > 1,
        ),
        plugins: {
          ...baseOptions(
            'Rank over time',
            `${plural(repos.length, 'repo')} over ${plural(days, 'day')}`,
            datasets.length > 1,
          ).plugins,
          legend: { display: datasets.length > 1, position: 'right', labels: { boxWidth: 14, font: { size: 11 } } },
        },
        scales: {
          x: timeAxis(),
          y: linearAxis('rank (1 = most stars)', {
            reverse: true,
            min: 1,
            max: Math.min(worst, 60),
            ticks: { precision: 0, stepSize: worst > 40 ? 5 : 1 },
          }),
        },
      },
    } as unknown as ChartConfiguration,
  };
}
