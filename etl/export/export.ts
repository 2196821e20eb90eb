// DynamoDB stars table -> CSV. Pages are appended to `<out>.tmp`; after each one the
// checkpoint `<out>.checkpoint.json` records the temp file's length and every segment's
// LastEvaluatedKey. On success the temp file is renamed to `<out>`. After a kill, --resume
// cuts the temp file back to the checkpointed length and goes on from the recorded keys, so
// the result holds the same rows as an uninterrupted run. Beside it go the renames file (every
// name of each repo id, from the items' repoId) and the polls file (formats/side-csv.ts), written
// before the main file is renamed, so a complete `<out>` always has complete side files.
import { existsSync, statSync } from 'node:fs';
import { type FileHandle, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PollAsRead } from '../../core/domain.js';
import { errorClass } from '../../core/errors.js';
import type { DynamoRetryOptions } from '../../core/store/client.js';
import type { RowBatch } from '../formats/read-csv.js';
import { pollsToCsv, reposToCsv, sideFilePaths } from '../formats/side-csv.js';
import { rowsToCsv } from '../formats/write-csv.js';
import { writeFileAtomic } from './atomic-file.js';
import { type Checkpoint, readCheckpoint, removeCheckpoint, writeCheckpoint } from './checkpoint.js';
import { RepoNames } from './repo-names.js';
import { scanPolls } from './scan-polls.js';
import { mergePages, type ScanPage, scanSegment } from './scan-stars.js';

export class ExportError extends errorClass('EXPORT') {
  override readonly name = 'ExportError';
}

export interface ScanAllOptions {
  client: DynamoDBClient;
  table: string;
  segments?: number;
  since?: number;
  until?: number;
  pageSize?: number;
  signal?: AbortSignal;
  retry?: DynamoRetryOptions;
}

export interface ExportOptions extends ScanAllOptions {
  out: string;
  /** The polls table, written to `<base>.polls.csv`; without it no polls file is written. */
  pollsTable?: string;
  resume?: boolean;
  /** Called after each page is appended and checkpointed. */
  onPage?: (page: ScanPage, totals: { rows: number; bytes: number }) => void;
  clock?: () => number;
}

export interface ExportSummary {
  out: string;
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  /** Rows that were already in the temp file when a --resume started. */
  resumedRows: number;
  /** Names in the renames file (one per repo id and name). */
  repoNames: number;
  /** Rows in the polls file; undefined when there was no polls table. */
  polls?: number;
  /** The side files written next to `out`. */
  sideFiles: string[];
}

export function checkSegments(segments: number): number {
  if (!Number.isInteger(segments) || segments < 1 || segments > 1000) {
    throw new RangeError(`--segments: expected an integer from 1 to 1000, got ${segments}`);
  }
  return segments;
}

function scanAll(options: ScanAllOptions, cursors?: Checkpoint['cursors']): AsyncGenerator<ScanPage> {
  const segments = checkSegments(options.segments ?? 4);
  const sources: AsyncGenerator<ScanPage>[] = [];
  for (let segment = 0; segment < segments; segment++) {
    const cursor = cursors?.[segment];
    if (cursor?.done) continue;
    sources.push(
      scanSegment({
        client: options.client,
        table: options.table,
        segment,
        segments,
        startKey: cursor?.lastKey,
        since: options.since,
        until: options.until,
        pageSize: options.pageSize,
        signal: options.signal,
        retry: options.retry,
      }),
    );
  }
  return mergePages(sources);
}

/**
 * The table's rows as COPY-ready batches, for `load --from-dynamodb` (no file, no checkpoint);
 * `names`, when given, collects each repo id's names as the pages go by.
 */
export async function* scanBatches(options: ScanAllOptions, names?: RepoNames): AsyncGenerator<RowBatch> {
  for await (const page of scanAll(options)) {
    if (names) addPage(names, page);
    if (page.rows.length > 0) yield { text: rowsToCsv(page.rows), rows: page.rows.length };
  }
}

function addPage(names: RepoNames, page: ScanPage): void {
  page.rows.forEach((row, i) => {
    const id = page.repoIds[i];
    if (id !== undefined) names.add(id, row.repo, row.ts);
  });
}

/** The side files, with the polls scanned from the polls table (when there is one). */
async function writeSideFiles(options: ExportOptions, names: RepoNames): Promise<{ polls?: number; files: string[] }> {
  const polls = options.pollsTable
    ? await scanPolls(options.client, options.pollsTable, { retry: options.retry, signal: options.signal })
    : undefined;
  return writeSideFilesFor(options.out, names, polls);
}

/**
 * The renames and polls files beside `out`, each complete or absent (without polls, a stale polls
 * file is removed); the Scan export and `--from-export` both end here.
 */
export async function writeSideFilesFor(
  out: string,
  names: RepoNames,
  polls: readonly PollAsRead[] | undefined,
): Promise<{ polls?: number; files: string[] }> {
  const paths = sideFilePaths(out);
  await writeFileAtomic(paths.repos, reposToCsv(names.list()));
  if (!polls) {
    // A polls file an earlier export left would otherwise pass for this one's.
    await rm(paths.polls, { force: true });
    return { files: [paths.repos] };
  }
  await writeFileAtomic(paths.polls, pollsToCsv(polls));
  return { polls: polls.length, files: [paths.repos, paths.polls] };
}

function sameRun(checkpoint: Checkpoint, options: ExportOptions, segments: number): string | undefined {
  if (checkpoint.table !== options.table) return `table ${checkpoint.table}`;
  if (checkpoint.segments !== segments) return `--segments ${checkpoint.segments}`;
  if (checkpoint.since !== options.since) return `--since ${checkpoint.since ?? '(none)'}`;
  if (checkpoint.until !== options.until) return `--until ${checkpoint.until ?? '(none)'}`;
  return undefined;
}

/** The checkpoint beside `out`, as --resume reads it. */
export function checkpointPath(out: string): string {
  return `${out}.checkpoint.json`;
}

/** `out`'s folder must exist: export writes the temp file, checkpoint and side files beside it. */
export function checkOutFolder(out: string): void {
  const folder = dirname(out);
  if (!existsSync(folder)) throw new ExportError(`--out ${out}: the folder ${folder} does not exist`);
  if (!statSync(folder).isDirectory()) throw new ExportError(`--out ${out}: ${folder} is a file, not a folder`);
}

/** Where an export to `out` keeps its work until it is done. */
interface WorkFiles {
  out: string;
  temp: string;
  checkpoint: string;
}

/** How an export starts: pages to append to an open temp file, or an interrupted export found complete. */
type Start = { complete: false; checkpoint: Checkpoint; file: FileHandle } | { complete: true; checkpoint: Checkpoint };

async function startFresh(options: ExportOptions, segments: number, work: WorkFiles): Promise<Start> {
  const checkpoint: Checkpoint = {
    version: 1,
    table: options.table,
    segments,
    since: options.since,
    until: options.until,
    bytes: 0,
    rows: 0,
    cursors: Array.from({ length: segments }, () => ({ done: false })),
  };
  const file = await open(work.temp, 'w');
  await writeCheckpoint(work.checkpoint, checkpoint);
  return { complete: false, checkpoint, file };
}

/** The interrupted export's temp file, cut back to its checkpoint; only with --resume and the same options. */
async function resume(previous: Checkpoint, options: ExportOptions, segments: number, work: WorkFiles): Promise<Start> {
  if (!options.resume) {
    throw new ExportError(
      `an interrupted export of ${work.out} exists (${work.checkpoint}): rerun with --resume to continue it, or delete that file and ${work.temp} to start over`,
    );
  }
  const differs = sameRun(previous, options, segments);
  if (differs)
    throw new ExportError(`--resume: the interrupted export used ${differs}; rerun it with the same options`);
  // Killed between the rename and removing the checkpoint: the export is complete (the side
  // files are written before the main file is renamed).
  if (previous.cursors.every((c) => c.done) && !existsSync(work.temp) && existsSync(work.out)) {
    return { complete: true, checkpoint: previous };
  }
  const size = existsSync(work.temp) ? (await stat(work.temp)).size : -1;
  if (size < previous.bytes) {
    throw new ExportError(
      `--resume: ${work.temp} is missing or shorter than its checkpoint; delete ${work.checkpoint} to start over`,
    );
  }
  const file = await open(work.temp, 'r+');
  // Whatever was appended after the last checkpoint is written again from the saved keys.
  await file.truncate(previous.bytes);
  return { complete: false, checkpoint: previous, file };
}

/** Every page appended to the temp file, the checkpoint rewritten after each; the file is closed after. */
async function appendPages(
  options: ExportOptions,
  checkpoint: Checkpoint,
  file: FileHandle,
  work: WorkFiles,
  names: RepoNames,
): Promise<void> {
  try {
    for await (const page of scanAll(options, checkpoint.cursors)) {
      const text = rowsToCsv(page.rows);
      if (text.length > 0) {
        const data = Buffer.from(text, 'utf8');
        // Positioned writes: the file's end is exactly the checkpointed length.
        await file.write(data, 0, data.length, checkpoint.bytes);
        checkpoint.bytes += data.length;
        checkpoint.rows += page.rows.length;
      }
      checkpoint.cursors[page.segment] = page.lastKey ? { done: false, lastKey: page.lastKey } : { done: true };
      addPage(names, page);
      checkpoint.repos = names.list();
      await writeCheckpoint(work.checkpoint, checkpoint);
      options.onPage?.(page, { rows: checkpoint.rows, bytes: checkpoint.bytes });
    }
    await file.sync();
  } finally {
    await file.close();
  }
}

export async function exportStars(options: ExportOptions): Promise<ExportSummary> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const segments = checkSegments(options.segments ?? 4);
  const work: WorkFiles = { out: options.out, temp: `${options.out}.tmp`, checkpoint: checkpointPath(options.out) };
  checkOutFolder(options.out);
  const previous = await readCheckpoint(work.checkpoint);
  const start = previous ? await resume(previous, options, segments, work) : await startFresh(options, segments, work);
  const { checkpoint } = start;
  if (start.complete) {
    await removeCheckpoint(work.checkpoint);
    const paths = sideFilePaths(options.out);
    const files = [paths.repos, paths.polls].filter((f) => existsSync(f));
    return makeSummary(options.out, checkpoint.rows, checkpoint.bytes, checkpoint.rows, (clock() - started) / 1000, {
      repoNames: checkpoint.repos?.length ?? 0,
      files,
    });
  }
  const resumedRows = checkpoint.rows;
  // Resuming re-reads the pages after the checkpoint; adding their names again changes nothing.
  const names = new RepoNames(checkpoint.repos);
  await appendPages(options, checkpoint, start.file, work, names);
  const side = await writeSideFiles(options, names);
  await rename(work.temp, options.out);
  await removeCheckpoint(work.checkpoint);
  return makeSummary(options.out, checkpoint.rows, checkpoint.bytes, resumedRows, (clock() - started) / 1000, {
    repoNames: names.size,
    polls: side.polls,
    files: side.files,
  });
}

/** The figures an export ends with (`resumedRows` of `rows` were in the temp file already). */
export function makeSummary(
  out: string,
  rows: number,
  bytes: number,
  resumedRows: number,
  seconds: number,
  side: { repoNames: number; polls?: number; files: string[] },
): ExportSummary {
  const fresh = rows - resumedRows;
  return {
    out,
    rows,
    bytes,
    seconds,
    rowsPerSecond: seconds > 0 ? fresh / seconds : fresh,
    resumedRows,
    repoNames: side.repoNames,
    polls: side.polls,
    sideFiles: side.files,
  };
}
