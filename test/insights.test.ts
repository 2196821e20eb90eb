// The insight analyses on generated data with known answers, on the embedded server and the PostgreSQL server:
// a planted burst is found and a gap or a recovered drop is not; a rename is one series; coverage
// finds exactly the planted missing slots, from the polls table and inferred; ranks match a
// brute-force computation. Then the real data set, where renames cannot be stitched.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRepoIds, runAnalysis } from '../analysis/queries/run-analysis.js';
import { buildReport } from '../analysis/report/report.js';
import { embeddedDb, insertRows, loadCsv, serverDb, type TestDb } from './helpers/analysis-fixtures.js';
import {
  BURST_DAY,
  BURST_STARS,
  bruteForceRanks,
  D0,
  DAY,
  DAYS,
  dailySeries,
  expectedGaps,
  FAILED_RANGES,
  generateInsightData,
  HOLE_DAYS,
  insertInsightTables,
  MISSING_RANGES,
  NAMES,
  PARTIAL_RANGES,
  RENAME_DAY,
  SLOT,
  TRACK,
} from './helpers/insights-fixtures.js';
import { realCsvPath } from './helpers/real-data.js';

const data = generateInsightData();
const stitched = (repo: string) => (repo === NAMES.oldName ? NAMES.newName : repo);
const unstitched = (repo: string) => repo;
const byStart = (a: { start_ts: unknown }, b: { start_ts: unknown }) => Number(a.start_ts) - Number(b.start_ts);

describe.each([
  ['embedded', embeddedDb],
  ['PostgreSQL server', serverDb],
] as const)('insights on generated data, %s', (_name, open) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await open();
    await insertRows(t.db, data.rows);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('without repo ids or poll records', () => {
    it('says renames cannot be stitched, and lists none', async () => {
      expect(await hasRepoIds(t.db)).toBe(false);
      expect((await runAnalysis(t.db, 'renames')).rows).toEqual([]);
    });

    it('coverage infers the 15-minute cadence and finds exactly the missing slots', async () => {
      const gaps = (await runAnalysis(t.db, 'coverage-gaps')).rows;
      // Failed polls left no samples: seen from the data they are missing slots like the others.
      const expected = expectedGaps([...MISSING_RANGES, ...FAILED_RANGES], 'missing', '(inferred)').sort(byStart);
      expect(gaps).toEqual(expected);
      const days = (await runAnalysis(t.db, 'coverage')).rows;
      expect(days).toHaveLength(DAYS);
      expect(days.every((d) => d.track === '(inferred)' && d.cadence === SLOT && d.expected === 96)).toBe(true);
      const missing = days.reduce((sum, d) => sum + Number(d.missing), 0);
      expect(missing).toBe(expected.reduce((sum, g) => sum + g.slots, 0));
      const day33 = days.find((d) => d.day === D0 + 33 * DAY)!;
      expect(day33).toMatchObject({ present: 0, missing: 96, repos_min: null });
      // Before the late entrant: 9 repos per poll; after it, 10 (the rename keeps one name at a time).
      expect(days[0]).toMatchObject({ repos_min: 9, repos_max: 9 });
      expect(days.at(-1)).toMatchObject({ repos_min: 10, repos_max: 10 });
    });

    it('unstitched, the old and the new name are two series and the rename is still no burst', async () => {
      const gains = (await runAnalysis(t.db, 'daily-gains')).rows;
      expect(gains.some((r) => r.repo === NAMES.oldName)).toBe(true);
      const bursts = (await runAnalysis(t.db, 'bursts')).rows;
      expect(bursts.map((b) => b.repo)).toEqual([NAMES.burst]);
    });

    it('ranks match a brute-force computation, names unstitched', async () => {
      expect((await runAnalysis(t.db, 'rank-history')).rows).toEqual(bruteForceRanks(data.rows, unstitched));
    });
  });

  describe('with repo ids and poll records', () => {
    beforeAll(async () => {
      await insertInsightTables(t.db, data);
    });

    it('lists the rename', async () => {
      expect(await hasRepoIds(t.db)).toBe(true);
      const renames = (await runAnalysis(t.db, 'renames')).rows;
      expect(renames.map((r) => [r.repo, r.canonical, r.repo_id])).toEqual([
        [NAMES.oldName, NAMES.newName, 4242],
        [NAMES.newName, NAMES.newName, 4242],
      ]);
    });

    it('a rename is one series under the latest name, with an ordinary gain on the rename day', async () => {
      const gains = (await runAnalysis(t.db, 'daily-gains')).rows;
      expect(gains.some((r) => r.repo === NAMES.oldName)).toBe(false);
      const renamed = gains.filter((r) => r.repo === NAMES.newName);
      expect(renamed.map((r) => r.day)).toEqual(
        [...dailySeries(data.rows, stitched).get(NAMES.newName)!.keys()].sort((a, b) => a - b),
      );
      expect(renamed[0]!.day).toBe(D0);
      const renameDay = renamed.find((r) => r.day === D0 + RENAME_DAY * DAY)!;
      expect(Number(renameDay.new_stars)).toBeGreaterThan(30);
      expect(Number(renameDay.new_stars)).toBeLessThan(50);
      // repo-history shows the samples of both names under the new one.
      const history = (await runAnalysis(t.db, 'repo-history', { repos: [NAMES.newName] })).rows;
      expect(history).toHaveLength(
        data.rows.filter((r) => r.repo === NAMES.oldName || r.repo === NAMES.newName).length,
      );
      expect(new Set(history.map((r) => r.repo))).toEqual(new Set([NAMES.newName]));
    });

    it('finds the planted burst, first and only, and not the gap, the rename or the recovered drop', async () => {
      const bursts = (await runAnalysis(t.db, 'bursts')).rows;
      expect(bursts).toHaveLength(1);
      const [burst] = bursts;
      expect(burst).toMatchObject({ repo: NAMES.burst, day: D0 + BURST_DAY * DAY });
      expect(Number(burst!.gain)).toBeGreaterThan(BURST_STARS);
      expect(Number(burst!.gain)).toBeLessThan(BURST_STARS + 40);
      expect(Number(burst!.baseline)).toBeCloseTo(25, -1);
      expect(Number(burst!.multiple)).toBeGreaterThan(20);
      expect(Number(burst!.score)).toBeGreaterThan(50);
    });

    it('never computes a gain across a day without samples', async () => {
      const gains = (await runAnalysis(t.db, 'daily-gains')).rows.filter((r) => r.repo === NAMES.holes);
      const after = gains.find((r) => r.day === D0 + (HOLE_DAYS.at(-1)! + 1) * DAY)!;
      expect(after.new_stars).toBeNull();
      expect(gains.some((r) => HOLE_DAYS.map((d) => D0 + d * DAY).includes(Number(r.day)))).toBe(false);
      // The whole day without polls: nobody has a gain the day after.
      const day34 = (await runAnalysis(t.db, 'daily-gains')).rows.filter((r) => r.day === D0 + 34 * DAY);
      expect(day34.length).toBeGreaterThan(0);
      expect(day34.every((r) => r.new_stars === null)).toBe(true);
    });

    it('ranks match a brute-force computation, renames stitched', async () => {
      const ranks = (await runAnalysis(t.db, 'rank-history')).rows;
      expect(ranks).toEqual(bruteForceRanks(data.rows, stitched));
      expect(ranks.some((r) => r.repo === NAMES.oldName)).toBe(false);
    });

    it('coverage from the polls table: exactly the missing, failed and partial slots', async () => {
      const gaps = (await runAnalysis(t.db, 'coverage-gaps')).rows;
      const expected = [
        ...expectedGaps(MISSING_RANGES, 'missing', TRACK),
        ...expectedGaps(FAILED_RANGES, 'failed', TRACK),
        ...expectedGaps(PARTIAL_RANGES, 'partial', TRACK),
      ].sort(byStart);
      expect(gaps).toEqual(expected);
      const days = (await runAnalysis(t.db, 'coverage')).rows;
      expect(days).toHaveLength(DAYS);
      expect(days.every((d) => d.track === TRACK && d.expected === 96)).toBe(true);
      const sum = (key: string) => days.reduce((s, d) => s + Number(d[key]), 0);
      expect(sum('failed')).toBe(2);
      expect(sum('partial')).toBe(1);
      expect(sum('missing')).toBe(MISSING_RANGES.reduce((s, [a, b]) => s + b - a + 1, 0));
      expect(sum('present')).toBe(data.polls.filter((p) => p.status === 'ok').length);
    });
  });
});

describe('insights on the real data set (github-ranking-go.csv), PostgreSQL server', () => {
  let t: TestDb;
  beforeAll(async () => {
    const csv = realCsvPath();
    t = await serverDb();
    await loadCsv(t.db, csv);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('infers the daily cadence and the 283 missing days in 64 gaps', async () => {
    const gaps = (await runAnalysis(t.db, 'coverage-gaps')).rows;
    expect(gaps).toHaveLength(64);
    expect(gaps.every((g) => g.cadence === DAY && g.status === 'missing')).toBe(true);
    expect(gaps.reduce((s, g) => s + Number(g.slots), 0)).toBe(283);
    expect(Math.max(...gaps.map((g) => Number(g.slots)))).toBe(77);
  });

  it("finds bursts only between consecutive days, and never on a series' first days", async () => {
    const bursts = (await runAnalysis(t.db, 'bursts')).rows;
    expect(bursts.length).toBeGreaterThan(10);
    const gains = (await runAnalysis(t.db, 'daily-gains')).rows;
    const series = new Map<string, { day: number; new_stars: number | null }[]>();
    for (const g of gains)
      series.set(String(g.repo), [
        ...(series.get(String(g.repo)) ?? []),
        { day: Number(g.day), new_stars: g.new_stars as number | null },
      ]);
    for (const b of bursts) {
      const days = series.get(String(b.repo))!;
      const i = days.findIndex((d) => d.day === b.day);
      expect(days[i]!.new_stars).toBe(b.gain);
      expect(days[i - 1]!.day).toBe(Number(b.day) - DAY);
      // A week of baseline at least: a renamed key's first days are never bursts.
      expect(i).toBeGreaterThanOrEqual(7);
    }
  });

  it('renders the whole report from eight years of daily data (a quarter of a million daily gains)', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'startrail-real-report-'));
    try {
      const report = await buildReport(t.db, { outDir: out, now: () => new Date('2026-11-23T12:00:00Z') });
      expect(report.charts.map((c) => c.id)).toContain('7-bursts');
      const marks = (
        report.charts.find((c) => c.id === '7-bursts')!.config.data.datasets as { label?: string; data: unknown[] }[]
      ).find((d) => d.label === 'burst (see the bursts table)');
      expect(marks?.data.length).toBeGreaterThan(0);
      expect(readFileSync(report.indexHtml, 'utf8')).toContain('FiloSottile/mkcert');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
