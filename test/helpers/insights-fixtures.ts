// Generated data with known answers for the insight analyses: 40 days of 15-minute polls with a
// planted burst, a repo with a three-day hole, a rename (two names, one repo id), a drop and its
// recovery, a late entrant, and poll slots missing for every repo. Helpers insert it directly,
// with the repos and polls tables, so these tests never depend on the ETL.
import type { Database } from '../../core/database.js';
import { sqlFile } from '../../core/sql-file.js';
import { random, type StarRow } from './analysis-fixtures.js';

export const DAY = 86_400;
export const SLOT = 900;
export const SLOTS_PER_DAY = 96;
/** A UTC midnight, so slot numbers map to days simply. */
export const D0 = 1_780_000_000 - (1_780_000_000 % DAY);
export const DAYS = 40;
export const TRACK = 'language:go';

export const NAMES = {
  burst: 'burst/planted',
  holes: 'gap/three-days',
  oldName: 'old-owner/renamed',
  newName: 'new-owner/renamed',
  dip: 'dip/recovers',
  late: 'late/entrant',
  steady: ['steady/a', 'steady/b', 'steady/c', 'Steady/d', 'steady/e'],
} as const;

export const RENAME_ID = 4242;
export const BURST_DAY = 25;
export const BURST_STARS = 600;
/** Days on which gap/three-days has no sample at all. */
export const HOLE_DAYS = [20, 21, 22];
export const RENAME_DAY = 18;
export const DIP_DAY = 28;
export const LATE_DAY = 10;

/** Slots (numbered from D0) with no poll: a short run, a single slot, three hours, a whole day. */
export const MISSING_RANGES: [number, number][] = [
  [100, 104],
  [2000, 2000],
  [3000, 3011],
  [33 * SLOTS_PER_DAY, 34 * SLOTS_PER_DAY - 1],
];
/** Slots whose poll failed (no samples) or ended partial (samples kept), in the polls table. */
export const FAILED_RANGES: [number, number][] = [[600, 601]];
export const PARTIAL_RANGES: [number, number][] = [[1500, 1500]];

const inRanges = (slot: number, ranges: [number, number][]) => ranges.some(([a, b]) => slot >= a && slot <= b);
const noSamples = (slot: number) => inRanges(slot, MISSING_RANGES) || inRanges(slot, FAILED_RANGES);

export interface InsightData {
  rows: StarRow[];
  repos: { repoId: number; repo: string; firstTs: number; lastTs: number }[];
  polls: { track: string; ts: number; status: string; expected: number; written: number }[];
}

export function generateInsightData(seed = 11): InsightData {
  const rand = random(seed);
  const rows: StarRow[] = [];
  const total = DAYS * SLOTS_PER_DAY;
  // About `perDay` stars a day, arriving slot by slot with noise.
  const series = (
    repo: (slot: number) => string,
    start: number,
    perDay: number,
    options: { from?: number; skip?: (slot: number) => boolean; extra?: (slot: number) => number } = {},
  ) => {
    let stars = start;
    for (let s = options.from ?? 0; s < total; s++) {
      stars += rand() * ((2 * perDay) / SLOTS_PER_DAY) + (options.extra?.(s) ?? 0);
      if (noSamples(s) || options.skip?.(s)) continue;
      rows.push({ repo: repo(s), ts: D0 + s * SLOT, stars: Math.round(stars) });
    }
  };
  for (const [i, name] of NAMES.steady.entries()) series(() => name, 10_000 * (i + 1), 20 + i * 15);
  // The burst: BURST_STARS extra over ten slots in the middle of its day.
  const burstFrom = BURST_DAY * SLOTS_PER_DAY + 40;
  series(() => NAMES.burst, 8000, 25, { extra: (s) => (s >= burstFrom && s < burstFrom + 10 ? BURST_STARS / 10 : 0) });
  series(() => NAMES.holes, 15_000, 30, { skip: (s) => HOLE_DAYS.includes(Math.floor(s / SLOTS_PER_DAY)) });
  series((s) => (s < RENAME_DAY * SLOTS_PER_DAY + 30 ? NAMES.oldName : NAMES.newName), 30_000, 40);
  // Loses 500 stars for one day (a GitHub count glitch or a purge), then gets them back.
  series(() => NAMES.dip, 25_000, 20, {
    extra: (s) => (s === DIP_DAY * SLOTS_PER_DAY + 10 ? -500 : s === (DIP_DAY + 1) * SLOTS_PER_DAY + 10 ? 500 : 0),
  });
  series(() => NAMES.late, 45_000, 60, { from: LATE_DAY * SLOTS_PER_DAY + 7 });

  const seen = new Map<string, { first: number; last: number }>();
  for (const r of rows) {
    const s = seen.get(r.repo);
    if (!s) seen.set(r.repo, { first: r.ts, last: r.ts });
    else s.last = Math.max(s.last, r.ts);
  }
  const ids = new Map<string, number>([...seen.keys()].map((name, i) => [name, 1000 + i]));
  ids.set(NAMES.oldName, RENAME_ID);
  ids.set(NAMES.newName, RENAME_ID);
  const repos = [...seen].map(([repo, s]) => ({ repoId: ids.get(repo)!, repo, firstTs: s.first, lastTs: s.last }));

  const polls: InsightData['polls'] = [];
  for (let s = 0; s < total; s++) {
    if (inRanges(s, MISSING_RANGES)) continue;
    const ts = D0 + s * SLOT;
    const written = rows.filter((r) => r.ts === ts).length;
    const status = inRanges(s, FAILED_RANGES) ? 'failed' : inRanges(s, PARTIAL_RANGES) ? 'partial' : 'ok';
    polls.push({ track: TRACK, ts, status, expected: 11, written });
  }
  return { rows, repos, polls };
}

export async function insertInsightTables(db: Database, data: Pick<InsightData, 'repos' | 'polls'>): Promise<void> {
  await db.exec(sqlFile('insights-schema.sql'));
  if (data.repos.length) {
    await db.query('insert into repos select * from unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[])', [
      data.repos.map((r) => r.repoId),
      data.repos.map((r) => r.repo),
      data.repos.map((r) => r.firstTs),
      data.repos.map((r) => r.lastTs),
    ]);
  }
  if (data.polls.length) {
    await db.query(
      `insert into polls (track, ts, status, expected, written)
       select * from unnest($1::text[], $2::bigint[], $3::text[], $4::int[], $5::int[])`,
      [
        data.polls.map((p) => p.track),
        data.polls.map((p) => p.ts),
        data.polls.map((p) => p.status),
        data.polls.map((p) => p.expected),
        data.polls.map((p) => p.written),
      ],
    );
  }
}

/** Each repo's last sample per UTC day, renamed repos under their latest name: the slow, obvious way. */
export function dailySeries(
  rows: StarRow[],
  canonical: (repo: string) => string,
): Map<string, Map<number, { ts: number; stars: number }>> {
  const out = new Map<string, Map<number, { ts: number; stars: number }>>();
  for (const r of rows) {
    const repo = canonical(r.repo);
    const day = Math.floor(r.ts / DAY) * DAY;
    const days = out.get(repo) ?? new Map();
    out.set(repo, days);
    const had = days.get(day);
    if (!had || had.ts < r.ts) days.set(day, { ts: r.ts, stars: r.stars });
  }
  return out;
}

/** Ranks per day by stars (most first), ties by name in byte order, computed by brute force. */
export function bruteForceRanks(
  rows: StarRow[],
  canonical: (repo: string) => string,
): { day: number; rank: number; repo: string; stars: number }[] {
  const byDay = new Map<number, { repo: string; stars: number }[]>();
  for (const [repo, days] of dailySeries(rows, canonical)) {
    for (const [day, s] of days) byDay.set(day, [...(byDay.get(day) ?? []), { repo, stars: s.stars }]);
  }
  const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  return [...byDay]
    .sort(([a], [b]) => a - b)
    .flatMap(([day, list]) =>
      list
        .sort((a, b) => b.stars - a.stars || byteOrder(a.repo, b.repo))
        .map((e, i) => ({ day, rank: i + 1, repo: e.repo, stars: e.stars })),
    );
}

/** The slot ranges a coverage-gaps query must return, as epoch seconds. */
export function expectedGaps(ranges: [number, number][], status: string, track: string, cadence = SLOT) {
  return ranges.map(([a, b]) => ({
    track,
    status,
    start_ts: D0 + a * SLOT,
    end_ts: D0 + b * SLOT,
    slots: b - a + 1,
    cadence,
  }));
}
