// The report: PNGs that decode at their size, and an index.html that draws every chart in
// headless Chromium from file:// with no console errors, no network and nothing injected by a
// hostile repo name.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadImage } from '@napi-rs/canvas';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type ReportResult } from '../analysis/report/report.js';
import { escapeHtml, scriptJson } from '../analysis/report/report-html.js';
import { embeddedDb, generateRows, HARD, insertRows, T0, type TestDb } from './helpers/analysis-fixtures.js';
import { launchChromium } from './helpers/browser.js';

/** Rows come from the table, so a name there is untrusted even though flags are validated. */
const HOSTILE = `<img src=x onerror="document.title='pwned'">/</script><b>`;

let t: TestDb;
let out: string;
let report: ReportResult;

beforeAll(async () => {
  t = await embeddedDb();
  const rows = generateRows({ repos: 25, slots: 300 });
  // The fastest grower, so it lands in every table and the default history charts.
  for (let s = 0; s < 300; s += 3) rows.push({ repo: HOSTILE, ts: T0 + s * 900, stars: 1000 + s * 100 });
  await insertRows(t.db, rows);
  out = mkdtempSync(path.join(os.tmpdir(), 'startrail-report-'));
  report = await buildReport(t.db, { outDir: out, now: () => new Date('2026-11-23T12:00:00Z') });
});

afterAll(async () => {
  await t?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('report files', () => {
  it('chooses the five fastest growing repos by default, the hostile one first', () => {
    expect(report.chosen).toHaveLength(5);
    expect(report.chosen[0]).toBe(HOSTILE);
  });

  it('writes one PNG per chart that decodes at the chart size', async () => {
    expect(report.pngs.map((p) => path.basename(p))).toEqual([
      '1-final-stars-by-rank.png',
      '2-stars-per-day.png',
      '3-size-vs-growth.png',
      '3-size-vs-growth-log.png',
      '4-star-history.png',
      '5-new-stars-per-day.png',
      '5-new-stars-since-entry.png',
      '6-coverage.png',
      '7-bursts.png',
      '8-rank-history.png',
    ]);
    for (const [i, file] of report.pngs.entries()) {
      const image = await loadImage(readFileSync(file));
      expect([image.width, image.height]).toEqual([report.charts[i]!.width, report.charts[i]!.height]);
    }
  });

  it('index.html loads nothing from elsewhere and escapes the hostile name', () => {
    const html = readFileSync(report.indexHtml, 'utf8');
    expect(html).not.toMatch(/<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=/i);
    expect(html).toContain('Content-Security-Policy" content="default-src \'none\'');
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml(HOSTILE));
    // The chart data carries the name with '<' escaped, so it cannot end its script element.
    expect(html).toContain(scriptJson(HOSTILE).slice(1, -1));
    expect(html.split('</script>').length - 1).toBe(html.split('<script').length - 1);
  });

  it('says renames are not stitched and coverage is inferred when the data has no ids or polls', () => {
    const html = readFileSync(report.indexHtml, 'utf8');
    expect(html).toContain('Renames are not stitched: this data carries no GitHub repo ids');
    expect(html).toContain('Coverage is inferred from the sample times (no poll records): one poll every 15 min');
    for (const title of ['Bursts', 'Biggest climbers', 'Biggest fallers', 'Coverage gaps', 'Renames stitched']) {
      expect(html).toContain(`<h3>${title}`);
    }
  });

  it('rejects a repo flag that is not owner/name before touching the database', async () => {
    await expect(
      buildReport(t.db, { outDir: out, repos: ['golang/go', "x'; drop table github_stars; --"] }),
    ).rejects.toThrow(/--repo 2: invalid repository name/);
    const [row] = await t.db.query<{ n: number }>('select count(*)::int as n from github_stars');
    expect(row?.n).toBeGreaterThan(0);
  });

  it('shows chosen repos by flag, in the order given, and says which have no data', async () => {
    const dir = path.join(out, 'chosen');
    const chosen = await buildReport(t.db, { outDir: dir, repos: [HARD.falling, 'no/such-repo', HARD.gappy] });
    expect(chosen.chosen).toEqual([HARD.falling, 'no/such-repo', HARD.gappy]);
    const history = chosen.charts.find((c) => c.id === '4-star-history')!;
    const subtitle = (history.config.options!.plugins as { subtitle: { text: string } }).subtitle.text;
    expect(subtitle).toContain('no data for no/such-repo');
  });
});

describe('index.html in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('draws every chart from file:// with no console errors and no requests', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(report.indexHtml).href, { waitUntil: 'load' });

    const canvases = await page.evaluate(() =>
      [...document.querySelectorAll('canvas')].map((c) => {
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let inked = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3]! > 0 && (data[i]! < 240 || data[i + 1]! < 240 || data[i + 2]! < 240)) inked++;
        }
        return { id: c.id, width: c.width, inked, share: inked / (c.width * c.height) };
      }),
    );
    expect(canvases.map((c) => c.id)).toEqual(report.charts.map((c) => `chart-${c.id}`));
    for (const c of canvases) {
      expect(c.width, c.id).toBeGreaterThan(300);
      // Axes, labels and data: well over 1% of the pixels are ink on a drawn chart.
      expect(c.share, c.id).toBeGreaterThan(0.01);
    }
    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    expect(await page.title()).toBe('startrail report');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('td', { hasText: HOSTILE }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(out, 'screenshot.png'), fullPage: true });
    await page.close();
  });
});
