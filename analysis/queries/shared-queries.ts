// The SQL functions the analyses and the summary builds share (sql/shared-queries.sql: repo_ends,
// latest_names, day_samples, sample_times, repo_days, poll_slots), created in the current schema
// when missing or when the file changed. Not on every run: creating them takes an advisory lock
// and a transaction, which two processes running analyses at once would otherwise race for.
import { createHash } from 'node:crypto';
import type { Database } from '../../core/database.js';
import { sqlFile } from '../../core/sql-file.js';

const FILE = 'shared-queries.sql';
/** Every function carries this comment prefix and the file's hash: how an older set is found. */
const MARK = `startrail ${FILE}`;

/** `name(arguments)` of each function the file creates, as `comment on function` wants it. */
export function sharedFunctions(text: string): string[] {
  return [...text.matchAll(/^create or replace function (\w+\([^)]*\))/gm)].map((m) => m[1]!);
}

/** The comment each function carries: the prefix and the hash of the file it was created from. */
export function sharedQueriesMarker(text: string): string {
  return `${MARK} ${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

/** Creates the shared query functions unless this schema already has them from this very file. */
export async function ensureSharedQueries(db: Database): Promise<void> {
  const text = sqlFile(FILE);
  const marker = sharedQueriesMarker(text);
  const functions = sharedFunctions(text);
  if (await haveCurrent(db, marker, functions.length)) return;
  await db.exec('begin');
  try {
    // A second process waits here, then finds the functions made by the first.
    await db.query("select pg_advisory_xact_lock(hashtext('startrail.shared-queries:' || current_schema()))");
    if (!(await haveCurrent(db, marker, functions.length))) await recreate(db, text, marker, functions);
    await db.exec('commit');
  } catch (error) {
    await db.exec('rollback');
    throw error;
  }
}

/** Whether all the file's functions exist in this schema with the file's current marker. */
async function haveCurrent(db: Database, marker: string, count: number): Promise<boolean> {
  const [row] = await db.query<{ n: number }>(
    `select count(*)::int as n
     from pg_proc as p
     join pg_namespace as n on n.oid = p.pronamespace
     where n.nspname = current_schema() and obj_description(p.oid, 'pg_proc') = $1`,
    [marker],
  );
  return row?.n === count;
}

/** Drops the functions of any earlier version of the file, then creates and marks the current ones. */
async function recreate(db: Database, text: string, marker: string, functions: string[]): Promise<void> {
  const old = await db.query<{ fn: string }>(
    `select p.oid::regprocedure::text as fn
     from pg_proc as p
     join pg_namespace as n on n.oid = p.pronamespace
     where n.nspname = current_schema() and obj_description(p.oid, 'pg_proc') like $1`,
    [`${MARK} %`],
  );
  for (const { fn } of old) await db.exec(`drop function ${fn}`);
  // Some bodies name tables made only when an insight first runs (repos, star_days): they are
  // checked when a query first uses them instead.
  await db.exec(`set local check_function_bodies = off;\n${text}`);
  for (const fn of functions) await db.exec(`comment on function ${fn} is '${marker}'`);
}
