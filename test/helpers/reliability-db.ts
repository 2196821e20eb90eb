// Database helpers for the reliability suites: the state of github_stars in one string (rows,
// a checksum of their content, the primary key and indexes), so "nothing changed" is one
// comparison; and the bad-input corpus run against one open connection.
import { rmSync, writeFileSync } from 'node:fs';
import type { Database } from '../../core/database.js';
import { RowError } from '../../core/row-error.js';
import { readCsvBatches } from '../../etl/formats/read-csv.js';
import { loadBatches } from '../../etl/load/load.js';
import type { BadInput } from './reliability-corpus.js';

/** Rows, content checksum, primary key and index count of github_stars in the current search_path. */
export async function starsState(db: Database): Promise<string> {
  const [exists] = await db.query<{ t: string | null }>(`select to_regclass('github_stars')::text as t`);
  if (!exists?.t) return 'absent';
  // Few round trips: this runs after every one of a thousand loads.
  const [row] = await db.query<{ n: number; sum: string | null; pk: number; idx: number }>(
    `select count(*)::int as n, sum(hashtext(repo || ',' || ts || ',' || stars)::bigint)::text as sum,
            (select count(*)::int from pg_constraint where conrelid = 'github_stars'::regclass and contype = 'p') as pk,
            (select count(*)::int from pg_index where indrelid = 'github_stars'::regclass) as idx
       from github_stars`,
  );
  return `rows=${row?.n} sum=${row?.sum} pk=${row?.pk} indexes=${row?.idx}`;
}

export interface CorpusFigures {
  tried: number;
  /** Rejected with a RowError naming the planted line. */
  rejectedWithLine: number;
  /** Loads that did not fail at all (must be 0). */
  accepted: number;
  /** Failed, but the error named another line or none. */
  wrongLine: { kind: string; detail: string; line: number; message: string }[];
  /** Times the table's state differed after a rejected load (must be 0). */
  databaseChanged: number;
  byKind: Record<string, number>;
}

/** Loads every input through the in-process loader on `db`, one after another. */
export async function runCorpus(db: Database, corpus: readonly BadInput[], file: string): Promise<CorpusFigures> {
  const figures: CorpusFigures = {
    tried: 0,
    rejectedWithLine: 0,
    accepted: 0,
    wrongLine: [],
    databaseChanged: 0,
    byKind: {},
  };
  const before = await starsState(db);
  try {
    for (const input of corpus) {
      figures.tried += 1;
      figures.byKind[input.kind] = (figures.byKind[input.kind] ?? 0) + 1;
      writeFileSync(file, input.content);
      let error: unknown;
      try {
        await loadBatches(db, readCsvBatches(file));
        figures.accepted += 1;
      } catch (e) {
        error = e;
      }
      if (error !== undefined) {
        const message = (error as Error).message ?? String(error);
        if (error instanceof RowError && error.line === input.line && message.includes(`line ${input.line}:`))
          figures.rejectedWithLine += 1;
        else
          figures.wrongLine.push({
            kind: input.kind,
            detail: input.detail,
            line: input.line,
            message: message.slice(0, 200),
          });
      }
      if ((await starsState(db)) !== before) figures.databaseChanged += 1;
    }
  } finally {
    rmSync(file, { force: true });
  }
  return figures;
}
