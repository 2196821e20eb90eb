// Fixtures for the analysis tests: databases (the embedded default in a temp data dir, a fresh
// schema on the server), rows generated with the hard cases planted, and the real CSV loaded directly, so
// these tests never depend on the ETL's `npm run load`.
import { readFileSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { connectPostgres, type Database, openDatabase } from '../../core/database.js';
import { sqlFile } from '../../core/sql-file.js';
import { freshSchema } from './postgres.js';
import { seededRandom } from './random.js';
import { reachableTempDir } from './temp-dir.js';

export interface StarRow {
  repo: string;
  ts: number;
  stars: number;
}

export interface TestDb {
  db: Database;
  close(): Promise<void>;
}

/** The embedded default exactly as the CLIs open it: its own server under a fresh data dir. */
export async function embeddedDb(): Promise<TestDb> {
  const dir = reachableTempDir('startrail-analysis-');
  const db = await openDatabase({ dataDir: dir, log: () => {} });
  await db.exec(sqlFile('schema.sql'));
  return {
    db,
    async close() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function serverDb(): Promise<TestDb> {
  const schema = await freshSchema('analysis');
  const db = await connectPostgres(schema.url);
  await db.exec(sqlFile('schema.sql'));
  return {
    db,
    async close() {
      await db.close();
      await schema.drop();
    },
  };
}

export async function insertRows(db: Database, rows: StarRow[], batch = 5000): Promise<void> {
  for (let i = 0; i < rows.length; i += batch) {
    const part = rows.slice(i, i + batch);
    await db.query('insert into github_stars select * from unnest($1::text[], $2::bigint[], $3::int[])', [
      part.map((r) => r.repo),
      part.map((r) => r.ts),
      part.map((r) => r.stars),
    ]);
  }
  await db.exec('analyze github_stars');
}

/** The article's CSV (header-less repo,ts,stars) straight into github_stars. */
export async function loadCsv(db: Database, file: string): Promise<void> {
  const sql = 'copy github_stars (repo, ts, stars) from stdin with (format csv)';
  await pipeline(Readable.from([readFileSync(file)]), db.pg.query(copyFrom(sql)));
  await db.exec('analyze github_stars');
}

/** A small deterministic PRNG, so a failing case can be reproduced. */
export const random = seededRandom;

export const T0 = 1_700_000_000 - (1_700_000_000 % 900);
const SLOT = 900;

/** The planted hard cases, by name, for assertions. */
export const HARD = {
  single: 'solo/one-sample',
  falling: 'sinking/ship',
  flat: 'flat/line',
  late: 'late/comer',
  early: 'early/leaver',
  gappy: 'gappy/holes',
  /** Same final stars: ties broken by name. */
  tieA: 'tie/a-same-final',
  tieB: 'tie/b-same-final',
  /** Same first/last stars and times: identical stars per day. */
  rateA: 'rate/twin-1',
  rateB: 'rate/twin-2',
  /** Names that sort differently under C and natural-language collations. */
  upper: 'Zulu/Case',
  lower: 'alpha/case',
} as const;

/**
 * Repos over `slots` polls 15 minutes apart, with every hard case: one sample, stars falling
 * (a negative rate), no change, entering late, leaving early, gaps, ties in final stars and in
 * rate, mixed-case names.
 */
export function generateRows(options: { repos?: number; slots?: number; seed?: number } = {}): StarRow[] {
  const { repos = 40, slots = 400, seed = 7 } = options;
  const rand = random(seed);
  const rows: StarRow[] = [];
  const series = (
    repo: string,
    from: number,
    to: number,
    start: number,
    step: () => number,
    keep: (slot: number) => boolean = () => true,
  ) => {
    let stars = start;
    for (let s = from; s < to; s++) {
      stars = Math.max(0, stars + step());
      if (keep(s)) rows.push({ repo, ts: T0 + s * SLOT, stars });
    }
  };
  for (let i = 0; i < repos; i++) {
    const from = rand() < 0.3 ? Math.floor(rand() * slots * 0.5) : 0;
    const to = rand() < 0.3 ? slots - Math.floor(rand() * slots * 0.4) : slots;
    const speed = rand() * rand() * 40;
    series(
      `gen-${i % 7}/repo-${i}`,
      from,
      to,
      Math.floor(rand() * 100_000),
      () => Math.round(rand() * speed),
      () => rand() > 0.05,
    );
  }
  rows.push({ repo: HARD.single, ts: T0 + 17 * SLOT, stars: 4321 });
  series(HARD.falling, 0, slots, 50_000, () => -Math.round(rand() * 3));
  series(HARD.flat, 0, slots, 777, () => 0);
  series(HARD.late, Math.floor(slots * 0.8), slots, 100, () => Math.round(rand() * 60));
  series(HARD.early, 0, Math.floor(slots * 0.2), 20_000, () => Math.round(rand() * 5));
  series(
    HARD.gappy,
    0,
    slots,
    3000,
    () => Math.round(rand() * 4),
    (s) => s % 50 < 10 || s === slots - 1,
  );
  // Ties in final stars: both end at 12,345, from different starts.
  rows.push({ repo: HARD.tieB, ts: T0, stars: 12_000 }, { repo: HARD.tieB, ts: T0 + 100 * SLOT, stars: 12_345 });
  rows.push(
    { repo: HARD.tieA, ts: T0 + 5 * SLOT, stars: 11_000 },
    { repo: HARD.tieA, ts: T0 + 90 * SLOT, stars: 12_345 },
  );
  // Ties in rate: identical series under two names.
  for (const repo of [HARD.rateB, HARD.rateA]) {
    rows.push({ repo, ts: T0 + 3 * SLOT, stars: 500 }, { repo, ts: T0 + 3 * SLOT + 7 * 86_400, stars: 570 });
  }
  series(HARD.upper, 0, slots, 9000, () => Math.round(rand() * 8));
  series(HARD.lower, 0, slots, 9000, () => Math.round(rand() * 8));
  return rows;
}
