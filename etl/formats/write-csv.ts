// Rows -> the header-less `repo,ts,stars` CSV the article's `\copy github_stars from 'file' csv` reads.
import { stringify } from 'csv-stringify/sync';
import type { StarRow } from '../../core/star-row.js';

export function rowsToCsv(rows: readonly StarRow[]): string {
  if (rows.length === 0) return '';
  return stringify(
    rows.map((r) => [r.repo, r.ts, r.stars]),
    { header: false, record_delimiter: 'unix' },
  );
}
