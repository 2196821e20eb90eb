// A DynamoDB export to S3 (ExportTableToPointInTime, DYNAMODB_JSON), read as batches of items:
// manifest-summary.json and manifest-files.json checked against each other, then each data file
// streamed (the MD5 of its bytes against md5Checksum, gunzipped, one `{"Item": {...}}` per line)
// and its item count checked against its manifest line, so a truncated or partial download is an
// error, never missing rows. Memory: one batch of items at a time, whatever the export's size.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pipeline, type Readable, Transform } from 'node:stream';
import { text as readText } from 'node:stream/consumers';
import { createGunzip } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { formatCount } from '../../core/cli/progress.js';
import { RowError } from '../../core/row-error.js';
import type { Item } from '../../core/store/tables.js';
import { type ExportLocation, STARTED_FILE, SUMMARY_FILE, TableExportError } from './export-location.js';

export interface DataFile {
  /** Its path in the export's folder: `data/<name>.json.gz`. */
  relative: string;
  itemCount: number;
  /** Base64 MD5 of the file's bytes, when the manifest gives it. */
  md5Checksum?: string;
}

export interface TableExport {
  location: ExportLocation;
  /** The exported table's name (from tableArn), for messages. */
  table: string;
  itemCount: number;
  files: DataFile[];
}

export interface ItemBatch {
  /** The data file, as messages name it. */
  file: string;
  /** The line of the first item (1-based); the others follow, one per line. */
  firstLine: number;
  items: Item[];
}

async function readJsonText(location: ExportLocation, relative: string, missing: string): Promise<string> {
  const stream = await location.open(relative);
  if (!stream) throw new TableExportError(`${location.show(relative)}: ${missing}`);
  return readText(stream);
}

function parseJson(source: string, where: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(source);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw new TableExportError(`${where}: not a JSON object`);
}

function count(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new TableExportError(`${what}: expected a count, got ${JSON.stringify(value)}`);
}

/** The summary's facts that matter here; an export this reader cannot take is refused with what to do. */
function checkSummary(summary: Record<string, unknown>, shown: string) {
  const { outputFormat, exportType, tableArn, manifestFilesS3Key } = summary;
  if (outputFormat !== 'DYNAMODB_JSON') {
    throw new TableExportError(
      `${shown}: outputFormat is ${JSON.stringify(outputFormat)}; export with --export-format DYNAMODB_JSON`,
    );
  }
  if (exportType !== undefined && exportType !== 'FULL_EXPORT') {
    throw new TableExportError(`${shown}: exportType is ${JSON.stringify(exportType)}; a full export is needed`);
  }
  if (typeof manifestFilesS3Key !== 'string') throw new TableExportError(`${shown}: no manifestFilesS3Key`);
  const table = typeof tableArn === 'string' ? (/:table\/([^/]+)/.exec(tableArn)?.[1] ?? tableArn) : 'unknown';
  return { table, itemCount: count(summary.itemCount, `${shown}: itemCount`), manifestFilesS3Key };
}

/** One line of manifest-files.json; the data file is looked for under the export's own `data/`. */
function dataFile(line: string, shown: string, number: number): DataFile {
  const where = `${shown}, line ${number}`;
  const entry = parseJson(line, where);
  const key = entry.dataFileS3Key;
  if (typeof key !== 'string' || !/(^|\/)data\/[^/]+$/.test(key)) {
    throw new TableExportError(`${where}: dataFileS3Key must name a file under data/, got ${JSON.stringify(key)}`);
  }
  const md5 = entry.md5Checksum;
  return {
    relative: `data/${path.posix.basename(key)}`,
    itemCount: count(entry.itemCount, `${where}: itemCount`),
    md5Checksum: typeof md5 === 'string' ? md5 : undefined,
  };
}

/** Why there is no summary: an export still running (only `_started` is written), or the wrong folder. */
async function summaryMissing(location: ExportLocation): Promise<string> {
  const started = await location.open(STARTED_FILE);
  started?.destroy();
  return started
    ? `missing, and ${STARTED_FILE} is there: the export has not completed (describe-export says when it is COMPLETED)`
    : `missing: give the export's folder, <prefix>/AWSDynamoDB/<ExportId> (describe-export's ExportManifest)`;
}

/** The two manifests, checked against each other before any data file is read. */
export async function readManifest(location: ExportLocation): Promise<TableExport> {
  const summaryShown = location.show(SUMMARY_FILE);
  const summaryText = await readJsonText(location, SUMMARY_FILE, await summaryMissing(location));
  const summary = checkSummary(parseJson(summaryText, summaryShown), summaryShown);
  const filesName = path.posix.basename(summary.manifestFilesS3Key);
  const filesText = await readJsonText(location, filesName, `missing (named by ${SUMMARY_FILE})`);
  const files = filesText
    .split('\n')
    .map((line, i) => ({ line, number: i + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, number }) => dataFile(line, location.show(filesName), number));
  const listed = files.reduce((n, f) => n + f.itemCount, 0);
  if (listed !== summary.itemCount) {
    throw new TableExportError(
      `${summaryShown} says ${formatCount(summary.itemCount)} items, ${filesName} lists ${formatCount(listed)}: an incomplete copy of the export?`,
    );
  }
  return { location, table: summary.table, itemCount: summary.itemCount, files };
}

/** An attribute value from the export's DynamoDB JSON, which writes binary values as base64. */
function attribute(value: unknown): AttributeValue {
  const v = value as Record<string, unknown>;
  if (typeof v?.B === 'string') return { B: Buffer.from(v.B, 'base64') };
  if (Array.isArray(v?.BS)) return { BS: v.BS.map((b) => Buffer.from(String(b), 'base64')) };
  if (typeof v?.M === 'object' && v.M !== null) return { M: attributes(v.M as Record<string, unknown>) };
  if (Array.isArray(v?.L)) return { L: v.L.map(attribute) };
  return value as AttributeValue;
}

function attributes(map: Record<string, unknown>): Item {
  const item: Item = {};
  for (const name in map) item[name] = attribute(map[name]);
  return item;
}

function parseLine(source: string, file: string, line: number): Item {
  if (source === '') throw new RowError('EMPTY_LINE', { file, line }, 'empty line');
  let item: unknown;
  try {
    item = (JSON.parse(source) as { Item?: unknown })?.Item;
  } catch {}
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new RowError(
      'INVALID_FIELD',
      { file, line },
      'not a DynamoDB JSON line ({"Item": {...}})',
      undefined,
      source,
    );
  }
  return attributes(item as Record<string, unknown>);
}

/** The file's decompressed text in chunks, with the MD5 and size of its compressed bytes so far. */
function decompress(source: Readable): { text: AsyncIterable<string>; md5: () => string; bytes: () => number } {
  const md5 = createHash('md5');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      md5.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  // pipeline destroys every stream on a failure, so iterating the last one throws it.
  const out = pipeline(source, tap, createGunzip(), () => {});
  out.setEncoding('utf8');
  return { text: out, md5: () => md5.digest('base64'), bytes: () => bytes };
}

/** Lines of `text`, numbered from 1; the last one may lack its newline. */
async function* lines(text: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of text) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest !== '') yield rest;
}

/** A read failure as one line naming the file: a zlib error is corrupt data, anything else the transfer. */
function readFailure(error: unknown, file: string): Error {
  if (error instanceof RowError || error instanceof TableExportError) return error;
  const e = error as { code?: string; message?: string };
  if (e.code?.startsWith('Z_'))
    return new RowError('GZIP', { file }, `corrupt or truncated gzip data (${e.message}): download it again`);
  return new TableExportError(`${file}: read failed: ${e.message ?? String(error)}`, { cause: error });
}

function checkRead(data: DataFile, file: string, read: number, md5: string): void {
  if (data.md5Checksum !== undefined && md5 !== data.md5Checksum) {
    throw new TableExportError(
      `${file}: MD5 ${md5} does not match manifest-files.json's ${data.md5Checksum}: a corrupt or incomplete download`,
    );
  }
  if (read !== data.itemCount) {
    throw new TableExportError(
      `${file}: manifest-files.json lists ${formatCount(data.itemCount)} items, the file holds ${formatCount(read)}: a truncated or incomplete download?`,
    );
  }
}

async function* readDataFile(exp: TableExport, data: DataFile, batchItems: number, signal?: AbortSignal) {
  const file = exp.location.show(data.relative);
  const source = await exp.location.open(data.relative, signal);
  if (!source) throw new TableExportError(`${file}: missing (listed in manifest-files.json)`);
  const { text, md5, bytes } = decompress(source);
  let line = 0;
  let batch: ItemBatch = { file, firstLine: 1, items: [] };
  try {
    for await (const entry of lines(text)) {
      batch.items.push(parseLine(entry, file, ++line));
      if (batch.items.length < batchItems) continue;
      yield batch;
      signal?.throwIfAborted();
      batch = { file, firstLine: line + 1, items: [] };
    }
  } catch (error) {
    // An empty partition's file may be zero bytes, which is no gzip at all: no items.
    if (bytes() > 0 || line > 0 || !(error as { code?: string }).code?.startsWith('Z_')) throw readFailure(error, file);
  }
  if (batch.items.length > 0) yield batch;
  checkRead(data, file, line, md5());
}

/** Every item of the export, file after file, in batches of at most `batchItems`. */
export async function* readItemBatches(
  exp: TableExport,
  options: { batchItems?: number; signal?: AbortSignal } = {},
): AsyncGenerator<ItemBatch> {
  for (const data of exp.files) {
    options.signal?.throwIfAborted();
    yield* readDataFile(exp, data, options.batchItems ?? 5000, options.signal);
  }
}

/** `decode(items)`; a refused item's RowError is given its data file and line. */
export function decodeBatch<T>(batch: ItemBatch, decode: (items: readonly Item[]) => T): T {
  try {
    return decode(batch.items);
  } catch (error) {
    if (!(error instanceof RowError)) throw error;
    // The first item refused on its own is the one to name (a batch checks all rows before ids).
    for (let i = 0; i < batch.items.length; i++) {
      try {
        decode([batch.items[i]!]);
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        const source = { file: batch.file, line: batch.firstLine + i, item: e.source.item };
        throw new RowError(e.code, source, e.problem, e.field, e.value);
      }
    }
    throw error;
  }
}
