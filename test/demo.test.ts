// The demo end to end at small scale: the real handler for every slot of one simulated day,
// export, load into the embedded server, analyses and the report; then the report and the CSV must agree.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DemoOptions, type DemoStageReporter, runDemo } from '../local/run-demo.js';
import { reachableTempDir } from './helpers/temp-dir.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const silent: DemoStageReporter = { stage() {}, slots() {}, rows() {}, done() {} };
const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function readCsv(file: string): { repo: string; ts: number; stars: number }[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [repo, ts, stars] = line.split(',');
      return { repo: repo!, ts: Number(ts), stars: Number(stars) };
    });
}

describe('npm run demo (one simulated day, top 200)', () => {
  const dir = reachableTempDir('startrail-demo-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const options: DemoOptions = {
    days: 1,
    top: 200,
    seed: 7,
    start: new Date('2026-01-01T00:00:00Z'),
    query: 'language:go',
    fresh: true,
    dataDir: path.join(dir, 'data', 'demo'),
    reportDir: path.join(dir, 'report'),
  };

  it('collects every slot, and the report agrees with the CSV', { timeout: 240_000 }, async () => {
    const s = await runDemo(options, silent);
    expect(s.polls).toMatchObject({ total: 96, collectedNow: 96, ok: 96, partial: 0, failed: 0, reused: 0 });

    const rows = readCsv(s.csv);
    expect(rows).toHaveLength(96 * 200);
    expect(s.rows).toBe(rows.length);
    const slots = new Set(rows.map((r) => r.ts));
    expect(slots.size).toBe(96);
    for (const ts of slots) expect(ts % 900).toBe(0);

    // Per repo first and last sample, straight from the CSV.
    const byRepo = new Map<string, { first: { ts: number; stars: number }; last: { ts: number; stars: number } }>();
    for (const r of rows) {
      const e = byRepo.get(r.repo);
      if (!e) byRepo.set(r.repo, { first: r, last: r });
      else {
        if (r.ts < e.first.ts) e.first = r;
        if (r.ts > e.last.ts) e.last = r;
      }
    }
    const gain = [...byRepo.values()].reduce((sum, e) => sum + e.last.stars - e.first.stars, 0);
    expect(s.totalGain).toBe(gain);
    const fastest = [...byRepo.entries()]
      .filter(([, e]) => e.last.ts > e.first.ts)
      .map(([repo, e]) => ({ repo, rate: ((e.last.stars - e.first.stars) / (e.last.ts - e.first.ts)) * 86_400 }))
      .sort((a, b) => b.rate - a.rate || (a.repo < b.repo ? -1 : 1));
    expect(s.topMovers[0]!.repo).toBe(fastest[0]!.repo);
    expect(s.topMovers[0]!.starsPerDay).toBeCloseTo(fastest[0]!.rate, 6);

    const html = readFileSync(s.reportHtml, 'utf8');
    expect(html).toContain(`total stars gained<b>${INT.format(gain)}</b>`);
    const leader = [...byRepo.entries()].sort((a, b) => b[1].last.stars - a[1].last.stars)[0]!;
    expect(html).toContain(leader[0]);
    expect(html).toContain(INT.format(leader[1].last.stars));
    expect(s.pngs).toBeGreaterThanOrEqual(6);
    for (const f of ['1-final-stars-by-rank.png', '4-star-history.png'])
      expect(existsSync(path.join(options.reportDir, f))).toBe(true);

    // A second run reuses every slot and gives the same numbers; other options need --fresh.
    const again = await runDemo({ ...options, fresh: false }, silent);
    expect(again.polls).toMatchObject({ collectedNow: 0, reused: 96 });
    expect(again.rows).toBe(s.rows);
    expect(again.totalGain).toBe(s.totalGain);
    await expect(runDemo({ ...options, fresh: false, seed: 8 }, silent)).rejects.toThrow(
      /other options \(seed 7 -> 8\).*--fresh/,
    );
  });

  it('reports its peak memory, Node and the PostgreSQL server apart', { timeout: 240_000 }, async () => {
    const s = await runDemo({ ...options, fresh: false }, silent);
    expect(s.memory.nodeMiB).toBeGreaterThan(50); // Node alone is tens of MiB
    expect(s.memory.serverMiB).toBeGreaterThan(10);
  });

  it('analyze after the demo names the --data-dir that holds its data, and finds it there', {
    timeout: 120_000,
  }, async () => {
    // STARTRAIL_DATA_DIR is the demo's parent, as ./data is for `npm run demo` then `npm run analyze`.
    const env = { ...process.env, DATABASE_URL: '', STARTRAIL_DATA_DIR: path.dirname(options.dataDir) };
    const analyze = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'analysis/analyze/analyze-cli.ts', ...args], {
        cwd: ROOT,
        env,
        encoding: 'utf8',
      });
    const missing = analyze([]);
    expect(missing.status).toBe(1);
    const demoDir = path.relative(ROOT, options.dataDir);
    expect(missing.stderr.trim().split('\n').at(-1)).toBe(
      `error: no data in the embedded database of ${path.relative(ROOT, path.dirname(options.dataDir))}; the demo's data is in ${demoDir}: add --data-dir ${demoDir} (or load yours: npm run load -- --file <csv>)`,
    );
    const found = analyze(['--data-dir', options.dataDir, '--limit', '3']);
    expect(found.status).toBe(0);
    expect(found.stdout).toMatch(/final-stars/);
  });
});
