// The report with ids and polls: renames stitched (a repo chosen by its old name is shown under
// its new one), coverage from the polls table, the planted burst in the table and on the charts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burstsChart } from '../analysis/charts/insight-charts.js';
import { buildReport, type ReportResult } from '../analysis/report/report.js';
import { embeddedDb, insertRows, type TestDb } from './helpers/analysis-fixtures.js';
import { BURST_DAY, D0, DAY, generateInsightData, insertInsightTables, NAMES } from './helpers/insights-fixtures.js';

let t: TestDb;
let out: string;
let report: ReportResult;

beforeAll(async () => {
  t = await embeddedDb();
  const data = generateInsightData();
  await insertRows(t.db, data.rows);
  await insertInsightTables(t.db, data);
  out = mkdtempSync(path.join(os.tmpdir(), 'startrail-insights-report-'));
  report = await buildReport(t.db, {
    outDir: out,
    repos: [NAMES.oldName, NAMES.burst, NAMES.holes],
    now: () => new Date('2026-11-23T12:00:00Z'),
  });
});

afterAll(async () => {
  await t?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

type Dataset = { label: string; data: { x: number; y: number | null }[] };
const datasets = (id: string) => report.charts.find((c) => c.id === id)!.config.data.datasets as unknown as Dataset[];

describe('report with repo ids and poll records', () => {
  it('shows a repo chosen by its old name under its latest name, as one series', () => {
    expect(report.chosen).toEqual([NAMES.newName, NAMES.burst, NAMES.holes]);
    const renamed = datasets('4-star-history').find((d) => d.label === NAMES.newName)!;
    // From the first day (the old name's samples), though the chart buckets samples.
    expect(renamed.data[0]!.x).toBeLessThan((D0 + DAY) * 1000);
    expect(datasets('4-star-history').some((d) => d.label === NAMES.oldName)).toBe(false);
  });

  it('says renames are stitched and coverage comes from the polls table', () => {
    const html = readFileSync(report.indexHtml, 'utf8');
    expect(html).toContain(`Renames stitched: 1 renamed repo (${NAMES.oldName} -&gt; ${NAMES.newName}).`);
    expect(html).toContain('Coverage comes from the polls table (one poll every 15 min).');
  });

  it('marks the planted burst on the history, the daily gains and the bursts chart, and lists it', () => {
    const day = D0 + BURST_DAY * DAY;
    for (const id of ['4-star-history', '5-new-stars-per-day', '7-bursts']) {
      const marks = datasets(id).find((d) => d.label === 'burst (see the bursts table)')!;
      expect(marks.data, id).toHaveLength(1);
      expect(Math.floor(marks.data[0]!.x / 1000 / DAY) * DAY, id).toBe(day);
    }
    const html = readFileSync(report.indexHtml, 'utf8');
    expect(html).toMatch(
      new RegExp(`<td>${NAMES.burst}</td><td class="num">${new Date(day * 1000).toISOString().slice(0, 10)}</td>`),
    );
  });

  it('aligns the chosen repos by days since entry, each starting at day 0', () => {
    for (const d of datasets('5-new-stars-since-entry')) expect(d.data[0]!.x).toBe(0);
  });
});

describe('bursts chart with no burst', () => {
  const day = (n: number) => ({ repo: 'a/b', day: D0 + n * DAY, stars: 100 + n, new_stars: n === 0 ? null : 1 });

  it('spans the data on its time axis and says the data is too short for a baseline', () => {
    const spec = burstsChart([day(0), day(1), day(2)], []);
    const x = (spec.config.options as { scales: { x: { min?: number; max?: number } } }).scales.x;
    expect([x.min, x.max]).toEqual([D0 * 1000, (D0 + 2 * DAY) * 1000]);
    expect(JSON.stringify(spec.config.options)).toContain('this data covers 3 days');
  });

  it('says no day stood out when the data is long enough to have had one', () => {
    const spec = burstsChart(
      Array.from({ length: 20 }, (_, n) => day(n)),
      [],
    );
    expect(JSON.stringify(spec.config.options)).toContain("no day stood far above its repo's own 14-day baseline");
  });
});
