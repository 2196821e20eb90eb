// The self-contained report page: a pure function from charts, tables and inlined scripts to
// HTML text. Every value from the data (repo names above all) is escaped; chart data travels as
// JSON in a non-executing script element with '<' escaped, so it cannot close the element.
import type { ChartSpec } from '../charts/chart-kit.js';
import type { Row } from '../queries/run-analysis.js';

export interface ReportTable {
  title: string;
  columns: { key: string; label: string; format?: 'int' | 'rate' | 'date' | 'day' }[];
  rows: Row[];
  /** Rows in the full result, when the table shows only its head. */
  total: number;
}

export interface ReportPage {
  generatedAt: Date;
  span: { repos: number; firstTs: number | null; lastTs: number | null };
  totalGain: number | null;
  chosen: string[];
  charts: ChartSpec[];
  tables: ReportTable[];
  /** Sentences under the facts: how renames and coverage were handled. */
  notes?: string[];
  /** Script texts inlined in order: chart.js UMD, the date adapter bundle, the chart runtime. */
  scripts: string[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** JSON safe inside a <script> element: nothing in it can end the element or open a comment. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Library code inlined as a classic script: only a literal "</script" could end it early. */
export function inlineScript(code: string): string {
  return code.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
}

const INT = new Intl.NumberFormat('en');
const RATE = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatDate(ts: number | null): string {
  return ts === null ? '-' : new Date(ts * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

function cell(value: Row[string], format: ReportTable['columns'][number]['format']): string {
  if (value === null || value === undefined) return '';
  if (format === 'int') return INT.format(Number(value));
  if (format === 'rate') return RATE.format(Number(value));
  if (format === 'date') return formatDate(Number(value));
  if (format === 'day') return new Date(Number(value) * 1000).toISOString().slice(0, 10);
  return String(value);
}

function tableHtml(t: ReportTable): string {
  const head = t.columns.map((c) => `<th${c.format ? ' class="num"' : ''}>${escapeHtml(c.label)}</th>`).join('');
  const body = t.rows
    .map((row, i) => {
      const cells = t.columns.map(
        (c) => `<td${c.format ? ' class="num"' : ''}>${escapeHtml(cell(row[c.key] ?? null, c.format))}</td>`,
      );
      return `<tr><td class="num">${i + 1}</td>${cells.join('')}</tr>`;
    })
    .join('\n');
  const note = t.total > t.rows.length ? ` (top ${t.rows.length} of ${INT.format(t.total)})` : '';
  return `<section class="table"><h3>${escapeHtml(t.title)}${escapeHtml(note)}</h3>
<table><thead><tr><th class="num">#</th>${head}</tr></thead><tbody>
${body}
</tbody></table></section>`;
}

const STYLE = `
body { font-family: 'Liberation Sans', 'DejaVu Sans', Arial, sans-serif; color: #222; margin: 0; background: #f6f6f4; }
main { max-width: 1240px; margin: 0 auto; padding: 24px; }
h1 { margin: 0 0 4px; } h2 { margin: 32px 0 8px; } h3 { margin: 0 0 8px; font-size: 16px; }
.facts { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; padding: 0; list-style: none; }
.facts li { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 10px 14px; }
.facts b { display: block; font-size: 20px; }
figure { background: #fff; border: 1px solid #ddd; border-radius: 6px; margin: 0 0 20px; padding: 12px; }
figcaption { color: #555; margin-top: 6px; font-size: 14px; }
figcaption a { color: #4e79a7; }
.tables { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 16px; }
.table { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 12px; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: left; white-space: nowrap; }
th { border-bottom: 2px solid #ccc; } .num { text-align: right; font-variant-numeric: tabular-nums; }
.note { background: #fff; border-left: 4px solid #4e79a7; padding: 8px 12px; margin: 8px 0; font-size: 14px; }
footer { color: #777; font-size: 13px; margin-top: 32px; }
`;

// Runs in the page: build each chart from its JSON configuration, sized by its container.
const BOOT = `
Chart.defaults.font.family = "'Liberation Sans', 'DejaVu Sans', Arial, sans-serif";
Chart.defaults.color = '#333';
const specs = JSON.parse(document.getElementById('chart-data').textContent);
for (const spec of specs) {
  const config = prepareChartConfig(spec.config);
  config.options.responsive = true;
  config.options.maintainAspectRatio = true;
  config.options.aspectRatio = spec.width / spec.height;
  delete config.options.devicePixelRatio;
  new Chart(document.getElementById('chart-' + spec.id), config);
}
`;

export function renderReportHtml(page: ReportPage): string {
  const { span } = page;
  const days = span.firstTs !== null && span.lastTs !== null ? (span.lastTs - span.firstTs) / 86_400 : 0;
  const facts = [
    ['repos tracked', INT.format(span.repos)],
    ['total stars gained', page.totalGain === null ? '-' : INT.format(page.totalGain)],
    ['from', formatDate(span.firstTs)],
    ['to', formatDate(span.lastTs)],
    ['days covered', INT.format(Math.round(days * 10) / 10)],
  ];
  const figures = page.charts
    .map(
      (c) => `<figure id="fig-${escapeHtml(c.id)}">
<canvas id="chart-${escapeHtml(c.id)}" role="img" aria-label="${escapeHtml(c.title)}" width="${c.width}" height="${c.height}"></canvas>
<figcaption>${escapeHtml(c.caption)} <a href="${escapeHtml(c.id)}.png">PNG</a></figcaption>
</figure>`,
    )
    .join('\n');
  const specs = page.charts.map((c) => ({ id: c.id, width: c.width, height: c.height, config: c.config }));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:">
<title>startrail report</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>GitHub star history</h1>
<p>Generated ${escapeHtml(formatDate(Math.floor(page.generatedAt.getTime() / 1000)))} by startrail.
Chosen repos: ${page.chosen.map((r) => `<b>${escapeHtml(r)}</b>`).join(', ') || 'none'}.</p>
<ul class="facts">
${facts.map(([k, v]) => `<li>${escapeHtml(k)}<b>${escapeHtml(v)}</b></li>`).join('\n')}
</ul>
${(page.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n')}
<h2>Charts</h2>
${figures}
<h2>Numbers</h2>
<div class="tables">
${page.tables.map(tableHtml).join('\n')}
</div>
<footer>Stars per day are (last - first stars) / (last - first sample time) for each repo; repos with a single sample have no rate.</footer>
</main>
<script type="application/json" id="chart-data">${scriptJson(specs)}</script>
${page.scripts.map((s) => `<script>${inlineScript(s)}</script>`).join('\n')}
<script>${BOOT}</script>
</body>
</html>
`;
}
