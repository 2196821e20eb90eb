// A bad row, wherever it was read (a CSV line, a side file, a DynamoDB item), named by its place:
// the export and the load report it as one line, and a caller or test branches on its code.
import { StartrailError } from './errors.js';

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

export class RowError extends StartrailError {
  constructor(
    override readonly code: RowErrorCode,
    readonly source: RowSource,
    readonly problem: string,
    readonly field?: string,
    readonly value?: string,
  ) {
    super(code, `${describeSource(source)}: ${problem}${value === undefined ? '' : `, got ${showValue(value)}`}`);
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
