// The real data set shipped in the repository (datasets/github-ranking-go.csv.gz), for tests on real data.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** 267,076 rows of the daily top-100 Go repositories, 2018-12-18 to 2026-08-22 (see datasets/README.md). */
export const REAL_CSV_GZ = fileURLToPath(new URL('../../datasets/github-ranking-go.csv.gz', import.meta.url));

/** The compressed data set, for readers that take gzip (readCsvBatches, the load CLI). */
export function requireRealCsvGz(): string {
  if (!existsSync(REAL_CSV_GZ))
    throw new Error(`real data set missing: ${REAL_CSV_GZ} (it ships in the repository: is the checkout complete?)`);
  return REAL_CSV_GZ;
}

/**
 * An uncompressed copy in the temp directory, for callers that COPY the file's bytes raw.
 * Named by the .gz's sha256, so test files share one copy and a changed data set gets a new one;
 * written beside and renamed, so a parallel test file never reads a half-written copy.
 */
export function realCsvPath(): string {
  const gz = readFileSync(requireRealCsvGz());
  const sha = createHash('sha256').update(gz).digest('hex').slice(0, 16);
  const out = path.join(os.tmpdir(), `startrail-github-ranking-go-${sha}.csv`);
  if (!existsSync(out)) {
    const temp = `${out}.${process.pid}.tmp`;
    writeFileSync(temp, gunzipSync(gz));
    renameSync(temp, out);
  }
  return out;
}
