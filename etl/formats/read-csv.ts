// Streams a header-less `repo,ts,stars` CSV as validated batches, ready for COPY.
// Valid rows never span lines (no field may hold a newline), so the file is read line by line:
// a plain line takes one regular expression; anything else (quotes, odd bytes) goes through
// csv-parse for exact CSV semantics and its error codes. Memory: one read chunk plus one batch.
// A gzip file (known by its first two bytes, not its name) is gunzipped on the way, as a stream.
import { createReadStream } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { validateFields } from '../../core/parse-row.js';
import { RowError, type RowSource } from '../../core/row-error.js';
import { STARS_MAX, TS_MAX, TS_MIN } from '../../core/star-row.js';

/** Rows validated and serialized for COPY: one line per row, in file order. */
export interface RowBatch {
  /** CSV text COPY reads, `\n`-terminated lines. */
  text: string;
  rows: number;
  /** Where the batch's first row came from (file lines map 1:1 to rows). */
  file?: string;
  firstLine?: number;
  /** Bytes of input consumed so far (for progress against the file size). */
  bytesRead?: number;
}

export interface ReadCsvOptions {
  batchRows?: number;
  /** A line longer than this is rejected rather than buffered (a valid row is < 200 bytes). */
  maxLineBytes?: number;
}

// owner/name,ts,stars with nothing to quote: the shape of every line export writes.
const PLAIN = /^([A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}),([0-9]{1,10}),([0-9]{1,10})$/;

const CSV_REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quote opens and never closes on this line',
  CSV_INVALID_OPENING_QUOTE: 'a quote inside an unquoted field',
  CSV_INVALID_CLOSING_QUOTE: 'text right after a closing quote',
};

/** Checks one line; returns the text COPY should get for it. Throws RowError. */
export function checkLine(line: string, source: RowSource): string {
  const m = PLAIN.exec(line);
  if (m) {
    const repo = m[1]!;
    const ts = Number(m[2]);
    const stars = Number(m[3]);
    if (ts >= TS_MIN && ts <= TS_MAX && stars <= STARS_MAX && !repo.endsWith('/.') && !repo.endsWith('/..'))
      return line;
  }
  // The slow path: exact CSV parsing, then the field rules with their messages.
  if (line === '') return fieldsLine([''], source);
  let records: string[][];
  try {
    records = parse(line, { relax_column_count: true, skip_empty_lines: false, bom: false });
  } catch (error) {
    const raw = (error as { code?: string }).code ?? 'PARSE';
    const code = raw.startsWith('CSV_') ? raw : `CSV_${raw}`;
    const reason = CSV_REASONS[code] ?? (error as Error).message.split(' at line')[0];
    throw new RowError(code as `CSV_${string}`, source, `malformed CSV: ${reason}`, undefined, line);
  }
  if (records.length !== 1)
    throw new RowError('COLUMN_COUNT', source, 'expected one record on the line', undefined, line);
  return fieldsLine(records[0]!, source);
}

function fieldsLine(fields: string[], source: RowSource): string {
  const row = validateFields(fields, source);
  return `${row.repo},${row.ts},${row.stars}`;
}

export async function fileSize(file: string): Promise<number> {
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new RowError('MISSING_FILE', { file }, 'not a regular file');
    return s.size;
  } catch (error) {
    if (error instanceof RowError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new RowError(
      'MISSING_FILE',
      { file },
      code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(error)})`,
    );
  }
}

/** gzip's magic bytes (RFC 1952): the content says what a file is, whatever its name. */
export async function isGzipFile(file: string): Promise<boolean> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } catch (error) {
    throw new RowError(
      'MISSING_FILE',
      { file },
      `cannot read file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  } finally {
    await handle?.close();
  }
}

/** The file's text bytes, gunzipped when `gzip`, and how many file bytes are consumed so far. */
interface Input {
  chunks: AsyncIterable<Buffer>;
  /** Bytes of the file itself (compressed ones for gzip): progress runs against the file size. */
  consumed(): number;
  close(): void;
}

function openInput(file: string, gzip: boolean): Input {
  if (!gzip) {
    const raw = createReadStream(file, { highWaterMark: 1 << 20 });
    let consumed = 0;
    const counted = async function* () {
      for await (const chunk of raw as AsyncIterable<Buffer>) {
        consumed += chunk.length;
        yield chunk;
      }
    };
    return { chunks: counted(), consumed: () => consumed, close: () => raw.destroy() };
  }
  const raw = createReadStream(file, { highWaterMark: 1 << 16 });
  const gunzip = createGunzip({ chunkSize: 1 << 16 });
  // pipeline rather than pipe: a read error also ends the gunzip stream, so the loop sees it
  // (the loop reports it; the callback only keeps it from counting as unhandled).
  pipeline(raw, gunzip, () => {});
  // bytesWritten: compressed bytes the engine has taken, not those merely read ahead.
  return { chunks: gunzip, consumed: () => gunzip.bytesWritten, close: () => gunzip.destroy() };
}

/** A failure while reading: gzip's own (zlib codes Z_*) is corrupt or truncated data, the rest is the file. */
function readFailure(error: unknown, file: string, gzip: boolean): RowError {
  if (error instanceof RowError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (gzip && code.startsWith('Z_')) {
    return new RowError('GZIP', { file }, `corrupt or truncated gzip data (${(error as Error).message})`);
  }
  return new RowError('MISSING_FILE', { file }, `cannot read file (${(error as Error).message})`);
}

export async function* readCsvBatches(file: string, options: ReadCsvOptions = {}): AsyncGenerator<RowBatch> {
  const batchRows = options.batchRows ?? 50_000;
  const maxLine = options.maxLineBytes ?? 65_536;
  await fileSize(file);
  const gzip = await isGzipFile(file);
  const decoder = new StringDecoder('utf8');
  let lineNo = 0;
  let lines: string[] = [];
  let firstLine = 1;
  let carry = '';
  let total = 0;
  const input = openInput(file, gzip);

  const take = (line: string) => {
    lineNo += 1;
    const clean = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (clean.length > maxLine) {
      throw new RowError(
        'LINE_TOO_LONG',
        { file, line: lineNo },
        `line longer than ${maxLine} characters`,
        undefined,
        clean,
      );
    }
    lines.push(checkLine(clean, { file, line: lineNo }));
  };
  const flush = (): RowBatch => {
    const batch = { text: `${lines.join('\n')}\n`, rows: lines.length, file, firstLine, bytesRead: input.consumed() };
    total += lines.length;
    firstLine = lineNo + 1;
    lines = [];
    return batch;
  };

  try {
    for await (const chunk of input.chunks) {
      const text = carry + decoder.write(chunk);
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        take(text.slice(start, nl));
        start = nl + 1;
        if (lines.length >= batchRows) yield flush();
      }
      carry = text.slice(start);
      if (carry.length > maxLine) {
        throw new RowError(
          'LINE_TOO_LONG',
          { file, line: lineNo + 1 },
          `line longer than ${maxLine} bytes`,
          undefined,
          carry,
        );
      }
    }
  } catch (error) {
    throw readFailure(error, file, gzip);
  } finally {
    input.close();
  }
  const rest = carry + decoder.end();
  if (rest !== '') take(rest);
  if (lines.length > 0) yield flush();
  if (total === 0) throw new RowError('EMPTY_FILE', { file }, 'file is empty (no rows to load)');
}
