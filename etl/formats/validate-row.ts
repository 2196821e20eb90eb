// Pure checks for one star row, wherever it comes from (a CSV line, a DynamoDB item).
// A row that passes can go to COPY verbatim: nothing PostgreSQL could reject is left.
// The row rule itself (name, ts and stars ranges) is core/star-row.ts, shared with the collector;
// here is only reading it from text and naming the place of a bad row.
import { fieldProblem, type StarRow } from '../../core/star-row.js';

export { STARS_MAX, type StarRow, TS_MAX, TS_MIN } from '../../core/star-row.js';

export type RowErrorCode =
  | 'EMPTY_LINE'
  | 'COLUMN_COUNT'
  | 'INVALID_REPO'
  | 'INVALID_TS'
  | 'INVALID_STARS'
  | 'LINE_TOO_LONG'
  | 'EMPTY_FILE'
  | 'MISSING_FILE'
  // A gzip input whose compressed data is corrupt or cut short.
  | 'GZIP'
  | 'DATABASE'
  // A field of the side files (repos, polls) or an item attribute other than repo, ts, stars.
  | 'INVALID_FIELD'
  // csv-parse's own codes pass through (CSV_QUOTE_NOT_CLOSED, CSV_INVALID_CLOSING_QUOTE, ...).
  | `CSV_${string}`;

/** Where a row came from: a file and line, or a description such as a DynamoDB key. */
export interface RowSource {
  file?: string;
  line?: number;
  item?: string;
}

export class RowError extends Error {
  override readonly name = 'RowError';
  constructor(
    readonly code: RowErrorCode,
    readonly source: RowSource,
    readonly problem: string,
    readonly field?: string,
    readonly value?: string,
  ) {
    super(`${describeSource(source)}: ${problem}${value === undefined ? '' : `, got ${showValue(value)}`}`);
  }
  get line(): number | undefined {
    return this.source.line;
  }
  get file(): string | undefined {
    return this.source.file;
  }
}

export function describeSource(source: RowSource): string {
  const parts: string[] = [];
  if (source.file !== undefined) parts.push(source.file);
  if (source.line !== undefined) parts.push(`line ${source.line}`);
  if (source.item !== undefined) parts.push(source.item);
  return parts.join(', ') || 'input';
}

/** JSON-quoted and cut short, so a huge or binary field cannot flood the terminal. */
export function showValue(value: string, max = 80): string {
  const cut = value.length > max ? `${value.slice(0, max)}...(${value.length} chars)` : value;
  return JSON.stringify(cut);
}

const DIGITS = /^[0-9]{1,20}$/;

function integerField(value: string, field: 'ts' | 'stars', source: RowSource): number {
  const code = field === 'ts' ? 'INVALID_TS' : 'INVALID_STARS';
  // Plain digits only: Number() would also take 1e3, 0x10, ' 5' or '+5'.
  if (!DIGITS.test(value)) {
    const what = /^-[0-9]+$/.test(value.trim()) ? 'must not be negative' : 'must be a non-negative integer';
    throw new RowError(code, source, `${field} ${what}`, field, value);
  }
  const n = Number(value);
  const problem = fieldProblem(field, n);
  if (problem !== undefined) throw new RowError(code, source, problem, field, value);
  return n;
}

/** One parsed record (already split into fields) -> a row, or a RowError naming the place. */
export function validateFields(fields: readonly string[], source: RowSource): StarRow {
  if (fields.length === 1 && fields[0] === '')
    throw new RowError('EMPTY_LINE', source, 'empty line (expected repo,ts,stars)');
  if (fields.length !== 3) {
    throw new RowError(
      'COLUMN_COUNT',
      source,
      `expected 3 fields (repo,ts,stars), found ${fields.length}`,
      undefined,
      fields.join(','),
    );
  }
  const [repo, ts, stars] = fields as [string, string, string];
  const repoProblem = fieldProblem('repo', repo);
  if (repoProblem !== undefined) throw new RowError('INVALID_REPO', source, repoProblem, 'repo', repo);
  return { repo, ts: integerField(ts, 'ts', source), stars: integerField(stars, 'stars', source) };
}

/** A row from code (a DynamoDB item already decoded): the same rules. */
export function validateRow(row: { repo: unknown; ts: unknown; stars: unknown }, source: RowSource): StarRow {
  const text = (v: unknown) =>
    typeof v === 'string' ? v : typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
  return validateFields([text(row.repo), text(row.ts), text(row.stars)], source);
}

/** The CSV line COPY reads; valid names hold no comma, quote or newline, so no quoting. */
export function rowLine(row: StarRow): string {
  return `${row.repo},${row.ts},${row.stars}\n`;
}
