// Plain-text tables for the terminal: the head of each analysis and the totals.
import { ANALYSES, type AnalysisResult, type Row } from '../queries/run-analysis.js';

const INT = new Intl.NumberFormat('en');
const RATE = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const TIME_COLUMNS = new Set(['ts', 'first_ts', 'last_ts', 'start_ts', 'end_ts']);
const DAY_COLUMNS = new Set(['day']);
const ID_COLUMNS = new Set(['repo_id']);

export function formatCell(column: string, value: Row[string]): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'number') return String(value);
  if (TIME_COLUMNS.has(column)) return new Date(value * 1000).toISOString().slice(0, 16).replace('T', ' ');
  if (DAY_COLUMNS.has(column)) return new Date(value * 1000).toISOString().slice(0, 10);
  if (ID_COLUMNS.has(column)) return String(value);
  return Number.isInteger(value) ? INT.format(value) : RATE.format(value);
}

export function formatTable(result: AnalysisResult, limit: number): string {
  const rows = result.rows.slice(0, limit);
  const cells = rows.map((r) => result.columns.map((c) => formatCell(c, r[c] ?? null)));
  const numeric = result.columns.map((c) => rows.some((r) => typeof r[c] === 'number'));
  const widths = result.columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const description = ANALYSES.find((a) => a.name === result.name)?.description ?? '';
  const shown =
    result.rows.length > rows.length
      ? `${rows.length} of ${INT.format(result.rows.length)} rows`
      : `${INT.format(result.rows.length)} rows`;
  return [
    `== ${result.name}: ${description} (${shown})`,
    line(result.columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    '',
  ].join('\n');
}

/** Every analysis's head, then the totals in one place. */
export function formatResults(results: AnalysisResult[], options: { limit: number }): string {
  const parts = results.map((r) => formatTable(r, options.limit));
  const get = (name: string) => results.find((r) => r.name === name)?.rows[0];
  const gain = get('total-gain')?.total_increase;
  const span = get('time-span');
  const totals = ['== totals'];
  if (span) {
    totals.push(`repos tracked:      ${formatCell('repos', span.repos ?? null)}`);
    totals.push(
      `period:             ${formatCell('first_ts', span.first_ts ?? null)} to ${formatCell('last_ts', span.last_ts ?? null)} UTC`,
    );
  }
  if (gain !== undefined) totals.push(`total stars gained: ${formatCell('total_increase', gain)}`);
  return parts.join('\n') + '\n' + totals.join('\n') + '\n';
}
