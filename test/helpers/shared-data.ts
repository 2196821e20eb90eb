import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** ../shared/data/github-ranking-go.csv: real data that lives beside the project, never in it. */
export const REAL_CSV = fileURLToPath(new URL('../../../shared/data/github-ranking-go.csv', import.meta.url));

export function requireRealCsv(): string {
  if (!existsSync(REAL_CSV)) {
    throw new Error(`real data set missing: ${REAL_CSV} (the shared/ folder must sit beside the project checkout)`);
  }
  return REAL_CSV;
}
