// chart.js on @napi-rs/canvas: a ChartSpec to PNG bytes, no browser needed.
import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables } from 'chart.js';
// The date adapter registers itself on chart.js; only its ESM build shares our chart.js instance.
import 'chartjs-adapter-date-fns';
import type { ChartSpec } from './chart-kit.js';
import { prepareChartConfig } from './chart-runtime.js';

Chart.register(...registerables);
// DejaVu/Liberation are what a headless Linux has; chart.js's default Helvetica is not there.
Chart.defaults.font.family = "'Liberation Sans', 'DejaVu Sans', Arial, sans-serif";
Chart.defaults.color = '#333';

export async function renderPng(spec: ChartSpec): Promise<Buffer> {
  const canvas = createCanvas(spec.width, spec.height);
  // Each render gets its own copy: chart.js writes into the configuration it is given.
  const config = prepareChartConfig(structuredClone(spec.config));
  const chart = new Chart(canvas as unknown as HTMLCanvasElement, config);
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}
