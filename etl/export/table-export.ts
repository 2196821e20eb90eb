// export --from-export: DynamoDB's own export to S3 of the stars table (and, with --polls-export,
// of the polls table) -> the same CSV, renames file and polls file as the Scan export, for tables
// too large to Scan. Items are decoded by the same codecs, rows appended to `<out>.tmp`, the side
// files written, then the rename, as the Scan export does. There is no checkpoint (the export's
// files stay where they are): a failure removes the temp file and a rerun starts over.
import { existsSync } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import type { PollAsRead } from '../../core/domain.js';
import { decodePollItem } from '../../core/store/poll-item.js';
import { decodeStarsItems } from '../../core/store/stars-item.js';
import { rowsToCsv } from '../formats/write-csv.js';
import {
  checkOutFolder,
  checkpointPath,
  ExportError,
  type ExportSummary,
  makeSummary,
  writeSideFilesFor,
} from './export.js';
import { type ExportLocation, openExportLocation, type S3Options } from './export-location.js';
import { decodeBatch, readItemBatches, readManifest, type TableExport } from './read-table-export.js';
import { RepoNames } from './repo-names.js';

export interface TableExportProgress {
  /** Items read so far, of `total` in the stars export. */
  items: number;
  total: number;
  rows: number;
  bytes: number;
}

export interface FromExportOptions {
  /** The stars table's export: its folder, or s3://bucket/prefix. */
  stars: string;
  /** The polls table's export; without it no polls file is written. */
  polls?: string;
  out: string;
  /** Epoch seconds, inclusive. */
  since?: number;
  /** Epoch seconds, exclusive. */
  until?: number;
  s3: S3Options;
  /** An export without items writes an empty CSV instead of failing. */
  allowEmpty?: boolean;
  batchItems?: number;
  signal?: AbortSignal;
  onProgress?: (progress: TableExportProgress) => void;
  clock?: () => number;
}

export interface FromExportSummary extends ExportSummary {
  /** Items in the stars export (rows is fewer with --since or --until). */
  items: number;
  /** Data files in the stars export. */
  dataFiles: number;
}

/** Every poll of the export, sorted by track and time as the Scan export writes them. */
async function readPolls(exp: TableExport, signal?: AbortSignal): Promise<PollAsRead[]> {
  const polls: PollAsRead[] = [];
  for await (const batch of readItemBatches(exp, { signal })) {
    for (const poll of decodeBatch(batch, (items) => items.map((item) => decodePollItem(item, exp.table))))
      polls.push(poll);
  }
  return polls.sort((a, b) => (a.track < b.track ? -1 : a.track > b.track ? 1 : a.ts - b.ts));
}

/** The stars rows appended to `file` (those in the time range), their repo names into `names`. */
async function appendRows(
  file: FileHandle,
  exp: TableExport,
  names: RepoNames,
  options: FromExportOptions,
): Promise<TableExportProgress> {
  const totals: TableExportProgress = { items: 0, total: exp.itemCount, rows: 0, bytes: 0 };
  const inRange = (ts: number) =>
    (options.since === undefined || ts >= options.since) && (options.until === undefined || ts < options.until);
  for await (const batch of readItemBatches(exp, { batchItems: options.batchItems, signal: options.signal })) {
    const { rows, repoIds } = decodeBatch(batch, (items) => decodeStarsItems(items, exp.table));
    const kept = rows.filter((row) => inRange(row.ts));
    rows.forEach((row, i) => {
      const id = repoIds[i];
      if (id !== undefined && inRange(row.ts)) names.add(id, row.repo, row.ts);
    });
    const data = Buffer.from(rowsToCsv(kept), 'utf8');
    if (data.length > 0) await file.write(data);
    totals.items += batch.items.length;
    totals.rows += kept.length;
    totals.bytes += data.length;
    options.onProgress?.({ ...totals });
  }
  return totals;
}

/** Both manifests read and checked before anything is written. */
async function readManifests(
  options: FromExportOptions,
  locations: ExportLocation[],
): Promise<{ stars: TableExport; polls?: TableExport }> {
  const starsLocation = openExportLocation(options.stars, options.s3);
  locations.push(starsLocation);
  const stars = await readManifest(starsLocation);
  if (stars.itemCount === 0 && !options.allowEmpty) {
    throw new ExportError(
      `nothing to export: the export in ${starsLocation.where} holds no items (or --allow-empty to write an empty CSV)`,
    );
  }
  if (options.polls === undefined) return { stars };
  const pollsLocation = openExportLocation(options.polls, options.s3);
  locations.push(pollsLocation);
  return { stars, polls: await readManifest(pollsLocation) };
}

/** The rows, then the side files, then the rename; on any failure the temp file is removed. */
async function writeOutput(options: FromExportOptions, exports: { stars: TableExport; polls?: TableExport }) {
  const temp = `${options.out}.tmp`;
  const file = await open(temp, 'w');
  try {
    // The polls first: they are few, and a bad one is found before the long part.
    const polls = exports.polls ? await readPolls(exports.polls, options.signal) : undefined;
    const names = new RepoNames();
    const totals = await appendRows(file, exports.stars, names, options);
    await file.sync();
    await file.close();
    const side = await writeSideFilesFor(options.out, names, polls);
    await rename(temp, options.out);
    return { totals, names: names.size, side };
  } catch (error) {
    await file.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
}

export async function exportFromTableExport(options: FromExportOptions): Promise<FromExportSummary> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  checkOutFolder(options.out);
  const checkpoint = checkpointPath(options.out);
  if (existsSync(checkpoint)) {
    throw new ExportError(
      `an interrupted Scan export of ${options.out} exists (${checkpoint}): finish it with --resume, or delete that file and ${options.out}.tmp`,
    );
  }
  const locations: ExportLocation[] = [];
  try {
    const exports = await readManifests(options, locations);
    const { totals, names, side } = await writeOutput(options, exports);
    const seconds = (clock() - started) / 1000;
    const summary = makeSummary(options.out, totals.rows, totals.bytes, 0, seconds, {
      repoNames: names,
      polls: side.polls,
      files: side.files,
    });
    return { ...summary, items: totals.items, dataFiles: exports.stars.files.length };
  } finally {
    for (const location of locations) location.close();
  }
}
