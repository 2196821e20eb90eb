// The charts the report shows, in order, and the analysis rows they are drawn from.
import type { Row } from '../queries/run-analysis.js';
import type { ChartSpec } from './chart-kit.js';
import { burstsChart, coverageChart, newStarsSinceEntry, rankBumpChart } from './insight-charts.js';
import { finalStarsByRank, newStarsPerDay, sizeVsGrowth, starHistory, starsPerDaySorted } from './star-charts.js';

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
