// The chart kit: what every chart.js configuration of the report is built from (the spec type,
// colours, sizes, number formats, axes, titles, the series and markers several charts draw).
// Plain JSON only, shared by the PNG renderer and the HTML page (chart-runtime.js adds the little
// JSON cannot carry). Nothing here does I/O.
import type { ChartConfiguration } from 'chart.js';
import { spanOf } from './chart-data.js';

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

export type Dataset = Record<string, unknown>;

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

/** The palette colour of the i-th series (the palette repeats after ten). */
export const colour = (i: number): string => PALETTE[i % PALETTE.length]!;

export const WIDTH = 1200;
export const HEIGHT = 600;

// Compact numbers on every numeric axis: 1.5K, 120K, 0.25; never "0.010000".
const COMPACT = { notation: 'compact', maximumSignificantDigits: 3 } as const;

export const fmt = (n: number): string =>
  new Intl.NumberFormat('en', { maximumFractionDigits: n < 10 ? 2 : 0 }).format(n);

export const plural = (n: number, one: string, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;

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

/**
 * Two value axes stacked in one chart so both panels share the time axis: `lowerId` beneath the
 * stars axis `y`. Stacked scales are laid out bottom-up in the order given: the lower one first.
 */
export function stackedPanels(stack: string, lowerId: string, lowerTitle: string) {
  return {
    [lowerId]: linearAxis(lowerTitle, {
      stack,
      stackWeight: 1.2,
      position: 'left',
      offset: true,
      grid: { color: '#e6e6e6' },
    }),
    y: linearAxis('stars', { stack, stackWeight: 3, position: 'left' }),
  };
}

/** The options every chart shares; a legend on the right (a long list) gets smaller type. */
export function baseOptions(title: string, subtitle: string, legend: boolean, legendAt: 'top' | 'right' = 'top') {
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
      legend: {
        display: legend,
        position: legendAt,
        labels: { boxWidth: 14, font: { size: legendAt === 'top' ? 12 : 11 } },
      },
    },
  };
}

export interface ChartParts {
  id: string;
  title: string;
  caption: string;
  /** Pixels; the default HEIGHT. */
  height?: number;
  type: 'scatter' | 'line' | 'bar';
  datasets: Dataset[];
  subtitle: string;
  legend: boolean;
  legendAt?: 'top' | 'right';
  scales: Record<string, unknown>;
}

/** A chart of the report from its parts: full width, the shared options, the title drawn on it. */
export function chartSpec(parts: ChartParts): ChartSpec {
  const { id, title, caption, type, datasets, subtitle, legend, legendAt, scales } = parts;
  return {
    id,
    title,
    caption,
    width: WIDTH,
    height: parts.height ?? HEIGHT,
    config: {
      type,
      data: { datasets },
      options: { ...baseOptions(title, subtitle, legend, legendAt), scales },
    } as unknown as ChartConfiguration,
  };
}

/** Markers only where samples stand apart on the time axis; dense series read better as lines. */
export function pointRadiusFor(times: number[], axisSpan: number, width = WIDTH - 100): number {
  if (times.length <= 1) return 3;
  const span = spanOf(times);
  const pixelsPerPoint = ((span / Math.max(axisSpan, 1)) * width) / (times.length - 1);
  return pixelsPerPoint >= 10 ? 2.5 : 0;
}

/** One repo's thin line in its palette colour; a null value (a day without a gain) breaks it. */
export function repoLine(label: string, i: number, data: unknown[], pointRadius: number): Dataset {
  return {
    label,
    data,
    spanGaps: false,
    borderColor: colour(i),
    backgroundColor: colour(i),
    borderWidth: 1.5,
    pointRadius,
  };
}

export interface PanelRepo {
  repo: string;
  /** Stars, on the upper panel (axis `y`). */
  stars: { x: number; y: number }[];
  /** The change per interval, on the lower panel. */
  change: { x: number; y: number | null }[];
  pointRadius: number;
}

/**
 * The series of a two-panel chart (stackedPanels), two per repo in its palette colour: stars
 * above, and beneath on `lower.axis` the change, labelled `<repo> <lower.label>` and kept out of
 * the legend (the colour ties it to its repo).
 */
export function panelDatasets(repos: PanelRepo[], lower: { axis: string; label: string }): Dataset[] {
  return repos.flatMap((r, i) => [
    {
      label: r.repo,
      data: r.stars,
      yAxisID: 'y',
      borderColor: colour(i),
      backgroundColor: colour(i),
      borderWidth: 2,
      pointRadius: r.pointRadius,
    },
    {
      label: `${r.repo} ${lower.label}`,
      legendHidden: true,
      data: r.change,
      // A day without a value breaks the line rather than drawing across the gap.
      spanGaps: false,
      yAxisID: lower.axis,
      borderColor: colour(i),
      backgroundColor: colour(i),
      borderWidth: 1,
      pointRadius: 0,
    },
  ]);
}

/** Burst markers: triangles over the series, one legend entry for all. */
export function burstMarkers(points: { x: number; y: number }[], yAxisID = 'y'): Dataset {
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
