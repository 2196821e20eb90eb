// What the PNG renderer (imported in Node) and the HTML report (this file's text inlined with
// `export` removed) both apply to the JSON chart configurations (chart-kit.ts), so both draw the
// same charts. JSON cannot carry functions; the few that are needed live here.
// Plain JavaScript on purpose: it must run unchanged in a browser with no build step.

/** An opaque background: PNGs are otherwise transparent and unreadable on dark viewers. */
export const backgroundPlugin = {
  id: 'startrailBackground',
  beforeDraw(chart) {
    const ctx = chart.ctx;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/**
 * Log axes get ticks at 1, 2 and 5 of each decade only: with every tick labelled, the
 * 7..9 ticks of a decade crowd into each other ("80K90K100K").
 */
export function keepReadableLogTicks(scale) {
  scale.ticks = scale.ticks.filter((tick) => {
    if (!(tick.value > 0)) return false;
    const mantissa = tick.value / 10 ** Math.floor(Math.log10(tick.value) + 1e-9);
    return [1, 2, 5].some((k) => Math.abs(mantissa - k) < 1e-6);
  });
}

/**
 * Returns the configuration ready for `new Chart`: datasets marked `legendHidden` (the
 * change-per-interval twins in the history chart) stay out of the legend, since their colour
 * already ties them to their repo.
 */
export function prepareChartConfig(config) {
  config.options = config.options || {};
  config.options.plugins = config.options.plugins || {};
  config.options.plugins.legend = config.options.plugins.legend || {};
  config.options.plugins.legend.labels = config.options.plugins.legend.labels || {};
  config.options.plugins.legend.labels.filter = (item, data) => !data.datasets[item.datasetIndex].legendHidden;
  for (const scale of Object.values(config.options.scales || {})) {
    if (scale && scale.type === 'logarithmic' && !scale.afterBuildTicks) scale.afterBuildTicks = keepReadableLogTicks;
  }
  config.plugins = [...(config.plugins || []), backgroundPlugin];
  return config;
}
