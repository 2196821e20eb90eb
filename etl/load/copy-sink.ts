// What load needs from a COPY, whichever PostgreSQL runs it, and how a COPY error's
// "line N" (a row of the COPY stream) maps back to the input file and line.
import { RowError } from '../../core/row-error.js';
import type { RowBatch } from '../formats/read-csv.js';

export interface CopySink {
  /** Sends one batch; resolves when the sink is ready for more (backpressure). */
  write(batch: RowBatch): Promise<void>;
  /** Ends the COPY; resolves with the number of rows copied. */
  end(): Promise<number>;
  /** Cancels an unfinished COPY (the input failed) so the connection can roll back. */
  abort(reason: Error): Promise<void>;
}

/** Opens a COPY into `table` (an identifier chosen by load, never user input). */
export type OpenCopy = (table: string, options: { freeze: boolean }) => Promise<CopySink>;

interface Span {
  start: number;
  rows: number;
  file?: string;
  firstLine?: number;
}

/** Remembers where each batch started; one entry per batch, so it stays small. */
export class LineMap {
  private spans: Span[] = [];
  private next = 0;

  add(batch: RowBatch): void {
    this.spans.push({ start: this.next, rows: batch.rows, file: batch.file, firstLine: batch.firstLine });
    this.next += batch.rows;
  }

  /** `row` is 1-based within the COPY stream; `base` is rows sent before the statement began. */
  locate(row: number, base = 0): { file?: string; line?: number } {
    const index = base + row - 1;
    const span = this.spans.find((s) => index >= s.start && index < s.start + s.rows);
    if (!span) return {};
    return { file: span.file, line: span.firstLine === undefined ? undefined : span.firstLine + (index - span.start) };
  }
}

/**
 * PostgreSQL says where a COPY failed as `COPY github_stars, line 12, column ts: "x"`;
 * turn that into a RowError naming the input file and line.
 */
export function mapCopyError(error: unknown, map: LineMap, base = 0): unknown {
  const where = (error as { where?: unknown }).where;
  const message = (error as Error).message ?? String(error);
  const m = typeof where === 'string' ? /COPY \S+, line (\d+)/.exec(where) : null;
  if (!m) return error;
  const place = map.locate(Number(m[1]), base);
  if (place.line === undefined && place.file === undefined) return error;
  return new RowError('DATABASE', place, `PostgreSQL rejected the row: ${message}`);
}
