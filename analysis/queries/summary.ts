// The per-day summaries the insight analyses read (sql/summary/): star_days (each name's last
// sample of each day) and star_times (each sample time and its repos). Derived from github_stars
// and cached; a statement trigger on github_stars counts its changes, so a summary is rebuilt
// exactly when the table changed since it was built, whoever changed it (startrail's load, a
// psql \copy). Nothing is added to the load: the trigger is one row update per statement.
import type { Database } from '../../core/database.js';
import { sqlFile } from '../../core/sql-file.js';
import { ensureSharedQueries } from './shared-queries.js';

export type SummaryName = 'star_days' | 'star_times';

export interface SummaryBuild {
  name: SummaryName;
  ms: number;
}

interface State {
  star_days_fresh: boolean;
  star_times_fresh: boolean;
  has_polls: boolean;
}

/** Creates the summary tables, the meta table and the trigger if any is missing. */
export async function ensureSummaryTables(db: Database): Promise<void> {
  const [row] = await db.query<{ ready: boolean }>(sqlFile('summary/ready.sql'));
  // Only when needed: creating the trigger locks github_stars against writers for a moment.
  if (row?.ready !== true) await db.exec(sqlFile('summary/schema.sql'));
}

/**
 * Rebuilds the summaries `wanted` that are stale; star_times only when coverage is inferred (the
 * polls table is empty). Returns what was rebuilt and how long each took. Expects the insight
 * tables (repos, polls) to exist.
 */
export async function ensureSummaries(
  db: Database,
  wanted: readonly SummaryName[],
  clock: () => number = () => performance.now(),
): Promise<SummaryBuild[]> {
  if (wanted.length === 0) return [];
  await ensureSummaryTables(db);
  // The builds read the shared query functions (day_samples, sample_times).
  await ensureSharedQueries(db);
  const [state] = await db.query<State>(sqlFile('summary/state.sql'));
  const builds: SummaryBuild[] = [];
  for (const name of wanted) {
    const fresh = name === 'star_days' ? state?.star_days_fresh : state?.star_times_fresh || state?.has_polls;
    if (fresh) continue;
    const started = clock();
    await db.exec(sqlFile(`summary/build-${name.replace('_', '-')}.sql`));
    builds.push({ name, ms: clock() - started });
  }
  return builds;
}

/** Drops the cached summaries' markers, so the next insight rebuilds them (the benchmark's cold runs). */
export async function invalidateSummaries(db: Database): Promise<void> {
  await ensureSummaryTables(db);
  await db.exec("delete from startrail_meta where key in ('star_days', 'star_times')");
}
