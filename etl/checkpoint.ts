// The export checkpoint, rewritten after every page is appended to the temp file: how many
// bytes of the temp file are good, and where each Scan segment goes on from.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Key } from './scan-stars.js';
import type { RepoName } from './side-files.js';

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

export async function readCheckpoint(file: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: Checkpoint;
  try {
    parsed = JSON.parse(text) as Checkpoint;
  } catch {
    throw new Error(`${file}: not a readable checkpoint (delete it and the .tmp file to start over)`);
  }
  if (parsed.version !== 1 || !Array.isArray(parsed.cursors) || typeof parsed.bytes !== 'number') {
    throw new Error(`${file}: not a startrail export checkpoint (delete it to start over)`);
  }
  return parsed;
}

/** Written beside and renamed over, so a kill leaves the old or the new checkpoint, never half. */
export async function writeCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  const temp = `${file}.new`;
  await writeFile(temp, JSON.stringify(checkpoint));
  await rename(temp, file);
}

export async function removeCheckpoint(file: string): Promise<void> {
  await rm(file, { force: true });
  await rm(`${file}.new`, { force: true });
}
