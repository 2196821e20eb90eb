// The export checkpoint, rewritten after every page is appended to the temp file: how many
// bytes of the temp file are good, and where each Scan segment goes on from.
import { readFile, rm } from 'node:fs/promises';
import { errorClass } from '../../core/errors.js';
import type { RepoName } from '../formats/side-csv.js';
import { writeFileAtomic } from './atomic-file.js';
import type { Key } from './scan-stars.js';

export interface SegmentCursor {
  done: boolean;
  lastKey?: Key;
}

export interface Checkpoint {
  version: 1;
  table: string;
  segments: number;
  since?: number;
  until?: number;
  /** Bytes of the temp file written and covered by the cursors below. */
  bytes: number;
  rows: number;
  cursors: SegmentCursor[];
  /** The repo names seen in the pages up to here (the renames file's content so far). */
  repos?: RepoName[];
}

/** A checkpoint file that cannot be used; the message names it and says how to start over. */
export class CheckpointError extends errorClass('CHECKPOINT') {
  override readonly name = 'CheckpointError';
}

export async function readCheckpoint(file: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new CheckpointError(`${file}: cannot read the export checkpoint (${code ?? String(error)})`);
  }
  const startOver = `delete it and ${file.replace(/\.checkpoint\.json$/, '.tmp')} to start over`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`${file}: not a readable export checkpoint (${(error as Error).message}): ${startOver}`);
  }
  const problem = checkpointProblem(parsed);
  if (problem) throw new CheckpointError(`${file}: not a startrail export checkpoint (${problem}): ${startOver}`);
  return parsed as Checkpoint;
}

const count = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** What makes `value` unusable as a checkpoint: resuming from a wrong one would corrupt the CSV. */
function checkpointProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const c = value as Partial<Record<keyof Checkpoint, unknown>>;
  if (c.version !== 1) return `version ${JSON.stringify(c.version)}, expected 1`;
  if (typeof c.table !== 'string') return 'no table';
  if (!count(c.segments) || (c.segments as number) < 1) return 'segments is not a positive integer';
  if (!count(c.bytes)) return 'bytes is not a non-negative integer';
  if (!count(c.rows)) return 'rows is not a non-negative integer';
  for (const key of ['since', 'until'] as const) {
    if (c[key] !== undefined && typeof c[key] !== 'number') return `${key} is not a number`;
  }
  if (!Array.isArray(c.cursors) || c.cursors.length !== c.segments) return 'cursors do not match segments';
  const cursorOk = (k: unknown) =>
    typeof k === 'object' && k !== null && typeof (k as SegmentCursor).done === 'boolean';
  if (!c.cursors.every(cursorOk)) return 'a cursor is not {done, lastKey}';
  if (c.repos !== undefined && !Array.isArray(c.repos)) return 'repos is not a list';
  return undefined;
}

/** Written beside and renamed over, so a kill leaves the old or the new checkpoint, never half. */
export async function writeCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(checkpoint), `${file}.new`);
}

export async function removeCheckpoint(file: string): Promise<void> {
  await rm(file, { force: true });
  await rm(`${file}.new`, { force: true });
}
