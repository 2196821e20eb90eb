// One file per analysis, named for it: final-stars.csv, final-stars.json, ...
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { AnalysisResult } from '../queries/run-analysis.js';

export function toCsv(result: AnalysisResult, limit?: number): string {
  const rows = result.rows.slice(0, limit ?? result.rows.length);
  return stringify(
    rows.map((r) => result.columns.map((c) => r[c] ?? '')),
    { header: true, columns: result.columns },
  );
}

export function toJson(result: AnalysisResult, limit?: number): string {
  return JSON.stringify(result.rows.slice(0, limit ?? result.rows.length), null, 1) + '\n';
}

/** Writes the files and returns their paths. */
export function writeResults(
  results: AnalysisResult[],
  options: { format: 'csv' | 'json'; outDir: string; limit?: number },
): string[] {
  mkdirSync(options.outDir, { recursive: true });
  return results.map((result) => {
    const file = path.join(options.outDir, `${result.name}.${options.format}`);
    writeFileSync(file, options.format === 'csv' ? toCsv(result, options.limit) : toJson(result, options.limit));
    return file;
  });
}
