// DynamoDB stars table -> CSV. Pages are appended to `<out>.tmp`; after each one the
// checkpoint `<out>.checkpoint.json` records the temp file's length and every segment's
// LastEvaluatedKey. On success the temp file is renamed to `<out>`. After a kill, --resume
// cuts the temp file back to the checkpointed length and goes on from the recorded keys, so
// the result holds the same rows as an uninterrupted run. Beside it go the renames file (every
// name of each repo id, from the items' repoId) and the polls file (side-files.ts), written
// before the main file is renamed, so a complete `<out>` always has complete side files.
import { existsSync, statSync } from 'node:fs';
import { type FileHandle, open, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RowBatch } from '../formats/read-csv.js';
import { rowsToCsv } from '../formats/write-csv.js';
import { type Checkpoint, readCheckpoint, removeCheckpoint, writeCheckpoint } from './checkpoint.js';
import { mergePages, type RetryOptions, type ScanPage, scanSegment } from './scan-stars.js';
import {
  pollsToCsv,
  RepoNames,
  removeStale,
  reposToCsv,
  scanPolls,
  sideFilePaths,
  writeFileAtomic,
} from './side-files.js';

export class ExportError extends Error {
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
  retry?: RetryOptions;
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

/** The renames and polls files, each complete or absent (a stale polls file is removed). */
async function writeSideFiles(options: ExportOptions, names: RepoNames): Promise<{ polls?: number; files: string[] }> {
  const paths = sideFilePaths(options.out);
  await writeFileAtomic(paths.repos, reposToCsv(names.list()));
  const polls = options.pollsTable
    ? await scanPolls(options.client, options.pollsTable, { retry: options.retry, signal: options.signal })
    : undefined;
  if (!polls) {
    await removeStale(paths.polls);
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

export async function exportStars(options: ExportOptions): Promise<ExportSummary> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const segments = checkSegments(options.segments ?? 4);
  const temp = `${options.out}.tmp`;
  checkOutFolder(options.out);
  const checkpointFile = checkpointPath(options.out);
  const previous = await readCheckpoint(checkpointFile);

  let checkpoint: Checkpoint;
  let file: FileHandle;
  if (previous) {
    if (!options.resume) {
      throw new ExportError(
        `an interrupted export of ${options.out} exists (${checkpointFile}): rerun with --resume to continue it, or delete that file and ${temp} to start over`,
      );
    }
    const differs = sameRun(previous, options, segments);
    if (differs)
      throw new ExportError(`--resume: the interrupted export used ${differs}; rerun it with the same options`);
    checkpoint = previous;
    if (checkpoint.cursors.every((c) => c.done) && !existsSync(temp) && existsSync(options.out)) {
      // Killed between the rename and removing the checkpoint: the export is complete (the side
      // files are written before the main file is renamed).
      await removeCheckpoint(checkpointFile);
      const paths = sideFilePaths(options.out);
      const files = [paths.repos, paths.polls].filter((f) => existsSync(f));
      return summary(options.out, checkpoint.rows, checkpoint.bytes, checkpoint.rows, (clock() - started) / 1000, {
        repoNames: checkpoint.repos?.length ?? 0,
        files,
      });
    }
    const size = existsSync(temp) ? (await stat(temp)).size : -1;
    if (size < checkpoint.bytes) {
      throw new ExportError(
        `--resume: ${temp} is missing or shorter than its checkpoint; delete ${checkpointFile} to start over`,
      );
    }
    file = await open(temp, 'r+');
    // Whatever was appended after the last checkpoint is written again from the saved keys.
    await file.truncate(checkpoint.bytes);
  } else {
    checkpoint = {
      version: 1,
      table: options.table,
      segments,
      since: options.since,
      until: options.until,
      bytes: 0,
      rows: 0,
      cursors: [],
    };
    for (let i = 0; i < segments; i++) checkpoint.cursors.push({ done: false });
    file = await open(temp, 'w');
    await writeCheckpoint(checkpointFile, checkpoint);
  }
  const resumedRows = checkpoint.rows;
  // Resuming re-reads the pages after the checkpoint; adding their names again changes nothing.
  const names = new RepoNames(checkpoint.repos);

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
      await writeCheckpoint(checkpointFile, checkpoint);
      options.onPage?.(page, { rows: checkpoint.rows, bytes: checkpoint.bytes });
    }
    await file.sync();
  } finally {
    await file.close();
  }
  const side = await writeSideFiles(options, names);
  await rename(temp, options.out);
  await removeCheckpoint(checkpointFile);
  return summary(options.out, checkpoint.rows, checkpoint.bytes, resumedRows, (clock() - started) / 1000, {
    repoNames: names.size,
    polls: side.polls,
    files: side.files,
  });
}

function summary(
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
