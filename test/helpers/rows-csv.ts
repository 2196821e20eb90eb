// Star rows written as the loader's CSV (repo,ts,stars, no header): the input of load tests and benches.
import { writeFileSync } from 'node:fs';
import type { StarRow } from '../../core/star-row.js';

/** Writes `rows` to `file` and returns the file's path. */
export function writeRowsCsv(file: string, rows: readonly StarRow[]): string {
  writeFileSync(file, rows.map((r) => `${r.repo},${r.ts},${r.stars}\n`).join(''));
  return file;
}
