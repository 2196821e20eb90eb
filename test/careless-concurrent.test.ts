// Two commands started at once on one data directory: they share the one embedded PostgreSQL
// server, or the second refuses in one line naming what is in use; never two processes working
// on copies of the same files, never a corrupted store.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../core/database.js';
import { REAL_CSV_GZ } from './helpers/real-data.js';
import { startCli } from './helpers/reliability-etl.js';
import { reachableTempDir } from './helpers/temp-dir.js';

const tmp = reachableTempDir('startrail-concurrent-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ROOT = path.resolve(import.meta.dirname, '..');
const NO_URL = { DATABASE_URL: '' };

/** Runs a CLI to the end; `env` on top of the test's own. */
function runCli(script: string, args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Resolves once the child's output contains `text`. */
function saying(child: ReturnType<typeof startCli>, text: string): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    const look = (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(text)) resolve();
    };
    child.process.stdout?.on('data', look);
    child.process.stderr?.on('data', look);
  });
}

const oneLine = (stderr: string) => stderr.trim().split('\n').filter((l) => !l.startsWith('embedded PostgreSQL:'));

describe('two commands at once on one data directory', () => {
  it('load + analyze: analyze sees the table before or after the load, never half of it; both end cleanly', { timeout: 120_000 }, async () => {
    const dataDir = reachableTempDir(path.join(tmp, 'la-'));
    const env = { ...NO_URL, STARTRAIL_DATA_DIR: dataDir };
    const load = startCli('etl/load-cli.ts', ['--file', REAL_CSV_GZ, '--batch-rows', '20000'], env);
    await saying(load, '-> github_stars');
    const during = runCli('analysis/analyze-cli.ts', ['--limit', '1'], env);
    expect((await load.exited).code).toBe(0);
    if (during.code === 0) expect(during.stdout).toMatch(/final-stars/);
    else expect(oneLine(during.stderr)).toEqual([expect.stringMatching(/^error: no (github_stars table|data)/)]);
    const after = runCli('analysis/analyze-cli.ts', ['--limit', '1'], env);
    expect(after.code).toBe(0);
    const db = await openDatabase({ dataDir, log: () => {} });
    const [n] = await db.query<{ n: number }>('select count(*)::int as n from github_stars');
    await db.close();
    expect(n?.n).toBe(267_076);
  });

  it('demo + export and demo + collect: the second refuses in one line naming the store in use; the demo completes', { timeout: 240_000 }, async () => {
    const demoDir = reachableTempDir(path.join(tmp, 'demo-'));
    const demo = startCli('local/demo.ts', ['--days', '3', '--top', '100', '--fresh', '--data-dir', demoDir, '--out', path.join(tmp, 'report')], NO_URL);
    await saying(demo, 'collect');
    const env = { ...NO_URL, STARTRAIL_DATA_DIR: demoDir };
    const exported = runCli('etl/export-cli.ts', ['--out', path.join(tmp, 'during.csv')], env);
    const collected = runCli('local/collect.ts', ['--simulate', '--top', '10'], env);
    const finished = await demo.exited;
    expect(finished.code).toBe(0);
    expect(finished.output).toMatch(/report\s+\S+index\.html/);
    for (const other of [exported, collected]) {
      expect(other.code).not.toBe(0);
      const lines = oneLine(other.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/in use by another process/);
      expect(lines[0]).toContain(demoDir);
    }
    // And the demo's store is whole: an export after it has every row the demo loaded.
    const after = runCli('etl/export-cli.ts', ['--out', path.join(tmp, 'after.csv')], env);
    expect(after.code).toBe(0);
    expect(after.stdout + after.stderr).toMatch(/28,800 rows/);
  });
});
