// CSV rows -> github_stars, in ONE transaction: bad input anywhere, a kill or a dropped
// connection leaves the table exactly as it was.
//   empty table:  drop the indexes, COPY, build the primary key (then any other index)
//                 (the article's order, indexes first, is 4-6x slower);
//   rows present: COPY into an unindexed temp table, then insert ... on conflict do nothing.
// The renames (repos) and polls that travel beside the stars are upserted in the same transaction.
import type { Database } from '../../core/database.js';
import { errorClass } from '../../core/errors.js';
import { POLL_COLUMNS } from '../../core/parse-row.js';
import { RowError } from '../../core/row-error.js';
import { sqlFile } from '../../core/sql-file.js';
import type { RowBatch } from '../formats/read-csv.js';
import type { SideData } from '../formats/side-csv.js';
import { postgresCopy } from './copy-postgres.js';
import type { CopySink, OpenCopy } from './copy-sink.js';

export interface LoadSummary {
  /** Rows read from the input (all valid, or nothing was loaded). */
  rowsRead: number;
  /** Rows added to github_stars. */
  rowsLoaded: number;
  /** Rows whose (repo, ts) was already in the table or earlier in the input. */
  duplicatesSkipped: number;
  seconds: number;
  rowsPerSecond: number;
  /** Which way it went: `bulk` into an empty table, `merge` into one that had rows. */
  method: 'bulk' | 'merge';
  /** Repo names upserted into repos (renames), when given. */
  repoNames?: number;
  /** Polls upserted into polls, when given. */
  polls?: number;
}

export interface LoadOptions {
  /** Called after each batch is handed to COPY. */
  onBatch?: (batch: RowBatch, rowsSoFar: number) => void;
  clock?: () => number;
  /**
   * The renames and polls to store with the stars, in the same transaction. A function, called
   * after the last batch: `load --from-dynamodb` collects the names while the stars stream by.
   */
  side?: () => SideData | Promise<SideData>;
}

/** What the load does inside its transaction. */
interface Tx {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
  openCopy: OpenCopy;
}

/** BEGIN ... COMMIT on the connection (a dropped connection rolls back on the server). */
async function inTransaction<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  // A dropped connection also surfaces through the pending COPY or query; without a listener
  // node-postgres's 'error' event would end the process before this can roll back cleanly.
  const client = db.pg;
  const ignore = () => {};
  client.on('error', ignore);
  await db.exec('begin');
  try {
    const result = await fn({
      query: (sql, params) => db.query(sql, params),
      exec: (sql) => db.exec(sql),
      openCopy: postgresCopy(db.pg),
    });
    await db.exec('commit');
    return result;
  } catch (error) {
    // The connection may be gone; the server rolls back on its own then.
    await db.exec('rollback').catch(() => {});
    throw connectionLost(error) ?? error;
  } finally {
    client.off('error', ignore);
  }
}

/** The server went away mid-load: expected (the transaction never committed), not a bug. */
export class ConnectionLostError extends errorClass('CONNECTION_LOST') {
  override readonly name = 'ConnectionLostError';
}

/** A dropped connection surfaces as a raw socket error; say what it means for the data. */
function connectionLost(error: unknown): Error | undefined {
  const e = error as { code?: string; message?: string };
  const lost =
    ['EPIPE', 'ECONNRESET', '57P01'].includes(e.code ?? '') ||
    /Connection terminated|terminating connection/i.test(e.message ?? '');
  if (!lost) return undefined;
  return new ConnectionLostError(
    `the connection to PostgreSQL was lost during the load (${e.code ?? e.message}); nothing was loaded, run it again`,
    { cause: error },
  );
}

const UNIQUE_VIOLATION = '23505';

async function one<T>(db: Tx, sql: string): Promise<T> {
  const rows = await db.query<T>(sql);
  return rows[0] as T;
}

export async function loadBatches(
  db: Database,
  batches: AsyncIterable<RowBatch>,
  options: LoadOptions = {},
): Promise<LoadSummary> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  let rowsRead = 0;

  const pump = async (sink: CopySink) => {
    try {
      for await (const batch of batches) {
        await sink.write(batch);
        rowsRead += batch.rows;
        options.onBatch?.(batch, rowsRead);
      }
    } catch (error) {
      await sink.abort(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    return sink.end();
  };

  const { rowsLoaded, method, repoNames, polls } = await inTransaction(db, async (tx) => {
    // First, before touching the table, so concurrent loads queue instead of deadlocking.
    await tx.query(sqlFile('load/lock.sql'));
    await tx.exec(sqlFile('schema.sql'));
    const { empty } = await one<{ empty: boolean }>(tx, sqlFile('load/is-empty.sql'));
    let rowsLoaded: number;
    let method: LoadSummary['method'];
    if (empty) {
      method = 'bulk';
      const pk = await tx.query<{ name: string }>(sqlFile('load/primary-key.sql'));
      const indexes = await tx.query<{ name: string; definition: string }>(sqlFile('load/secondary-indexes.sql'));
      const pkName = pk[0]?.name ?? 'github_stars_pkey';
      for (const index of indexes) await tx.exec(`drop index ${index.name}`);
      if (pk[0]) await tx.exec(`alter table github_stars drop constraint ${pkName}`);
      // Emptied in this transaction, so COPY may write the rows frozen (no later rewrite
      // of every page to set hint bits when the index build first reads them).
      await tx.exec('truncate github_stars');
      const copied = await pump(await tx.openCopy('github_stars', { freeze: true }));
      if (copied === 0) throw new RowError('EMPTY_FILE', {}, 'nothing to load: the input has no rows');
      let deleted = 0;
      await tx.exec('savepoint add_pk');
      try {
        await tx.exec(`alter table github_stars add constraint ${pkName} primary key (repo, ts)`);
      } catch (error) {
        if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
        // The input repeats some (repo, ts): drop the repeats, then the key holds.
        await tx.exec('rollback to savepoint add_pk');
        deleted = Number((await one<{ deleted: number }>(tx, sqlFile('load/delete-duplicates.sql'))).deleted);
        await tx.exec(`alter table github_stars add constraint ${pkName} primary key (repo, ts)`);
      }
      await tx.exec('release savepoint add_pk');
      for (const index of indexes) await tx.exec(index.definition);
      rowsLoaded = copied - deleted;
    } else {
      method = 'merge';
      await tx.exec(sqlFile('load/create-staging.sql'));
      const copied = await pump(await tx.openCopy('github_stars_load', { freeze: false }));
      if (copied === 0) throw new RowError('EMPTY_FILE', {}, 'nothing to load: the input has no rows');
      rowsLoaded = Number((await one<{ inserted: number }>(tx, sqlFile('load/merge-staging.sql'))).inserted);
    }
    const side = options.side ? await storeSide(tx, await options.side()) : {};
    return { rowsLoaded, method, ...side };
  });
  const seconds = (clock() - started) / 1000;
  return {
    rowsRead,
    rowsLoaded,
    duplicatesSkipped: rowsRead - rowsLoaded,
    seconds,
    rowsPerSecond: seconds > 0 ? rowsRead / seconds : rowsRead,
    method,
    repoNames,
    polls,
  };
}

/** Upserts the renames and polls (sql/insights-schema.sql tables, created if absent). */
async function storeSide(tx: Tx, side: SideData): Promise<{ repoNames?: number; polls?: number }> {
  if (!side.repos && !side.polls) return {};
  await tx.exec(sqlFile('insights-schema.sql'));
  const out: { repoNames?: number; polls?: number } = {};
  if (side.repos) {
    await tx.query(sqlFile('load/upsert-repos.sql'), columns(side.repos, ['repo_id', 'repo', 'first_ts', 'last_ts']));
    out.repoNames = side.repos.length;
  }
  if (side.polls) {
    await tx.query(sqlFile('load/upsert-polls.sql'), columns(side.polls, POLL_COLUMNS));
    out.polls = side.polls.length;
  }
  return out;
}

/**
 * Rows as one array per column, the shape the upserts' `unnest($1, $2, ...)` takes; columns are
 * named as in PostgreSQL (first_ts), the rows' fields as in TypeScript (firstTs).
 */
function columns(rows: readonly object[], names: readonly string[]): unknown[][] {
  const field = (name: string) => name.replace(/_(\w)/g, (_, letter: string) => letter.toUpperCase());
  return names.map((name) => rows.map((row) => (row as Record<string, unknown>)[field(name)]));
}
