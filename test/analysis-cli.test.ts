// `npm run analyze` and `npm run report` as a user runs them, against a server schema.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYSES, runAnalysis } from '../analysis/queries/run-analysis.js';
import { connectPostgres } from '../core/database.js';
import { generateRows, HARD, insertRows, serverDb, type TestDb } from './helpers/analysis-fixtures.js';
import { freshSchema, serverUrl, type TestSchema } from './helpers/postgres.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');

async function cli(
  script: string,
  args: string[],
  databaseUrl: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'analysis', script.startsWith('report') ? 'report' : 'analyze', script),
        ...args,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: databaseUrl },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const rows = generateRows({ repos: 20, slots: 200 });
let t: TestDb;
let url: string;
let empty: TestSchema;
let out: string;

beforeAll(async () => {
  t = await serverDb();
  await insertRows(t.db, rows);
  const [setting] = await t.db.query<{ search_path: string }>('show search_path');
  const u = new URL(serverUrl());
  u.searchParams.set('options', `-c search_path=${setting!.search_path}`);
  url = u.toString();
  empty = await freshSchema('analysis_empty');
  out = mkdtempSync(path.join(os.tmpdir(), 'startrail-analyze-'));
});

afterAll(async () => {
  await t?.close();
  await empty?.drop();
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('npm run analyze', () => {
  it('prints the head of every analysis and the totals', async () => {
    const { code, stdout } = await cli('analyze-cli.ts', ['--limit', '3'], url);
    expect(code).toBe(0);
    for (const name of ANALYSES.map((a) => a.name)) {
      expect(stdout).toContain(`== ${name}:`);
    }
    const gain = (await runAnalysis(t.db, 'total-gain')).rows[0]!.total_increase as number;
    expect(stdout).toContain(`total stars gained: ${gain.toLocaleString('en')}`);
    expect(stdout).toMatch(/\(3 of 3\d rows\)/);
  });

  it("writes one csv per analysis with the article's columns", async () => {
    const dir = path.join(out, 'csv');
    const { code } = await cli('analyze-cli.ts', ['--format', 'csv', '--out', dir, '--repo', HARD.gappy], url);
    expect(code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(ANALYSES.map((a) => `${a.name}.csv`).sort());
    for (const name of ['bursts', 'coverage', 'coverage-gaps', 'daily-gains', 'rank-history', 'renames']) {
      expect(readdirSync(dir)).toContain(`${name}.csv`);
    }
    const final = readFileSync(path.join(dir, 'final-stars.csv'), 'utf8').trim().split('\n');
    expect(final[0]).toBe('repo,stars');
    expect(final).toHaveLength(new Set(rows.map((r) => r.repo)).size + 1);
    const history = readFileSync(path.join(dir, 'repo-history.csv'), 'utf8').trim().split('\n');
    expect(history[0]).toBe('repo,ts,stars,change');
    expect(history).toHaveLength(rows.filter((r) => r.repo === HARD.gappy).length + 1);
  });

  it('writes json rows equal to the analysis, limited by --limit', async () => {
    const dir = path.join(out, 'json');
    const { code } = await cli('analyze-cli.ts', ['--format', 'json', '--out', dir, '--limit', '5'], url);
    expect(code).toBe(0);
    const written = JSON.parse(readFileSync(path.join(dir, 'stars-per-day.json'), 'utf8'));
    expect(written).toEqual((await runAnalysis(t.db, 'stars-per-day')).rows.slice(0, 5));
  });

  it('rejects a bad repo name in one line, with no stack trace', async () => {
    const { code, stderr } = await cli('analyze-cli.ts', ['--repo', 'a/b;drop table github_stars'], url);
    expect(code).not.toBe(0);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/invalid repository name/);
  });

  it('says to load the data when there is no table', async () => {
    const u = new URL(url);
    u.searchParams.set('options', `-c search_path=${empty.schema}`);
    const { code, stderr } = await cli('analyze-cli.ts', [], u.toString());
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('error: no github_stars table in this database: load the data first (npm run load)');
  });
});

describe('npm run report', () => {
  it('writes the PNGs and index.html for the chosen repos', async () => {
    const dir = path.join(out, 'report');
    const { code, stdout } = await cli(
      'report-cli.ts',
      ['--out', dir, '--repo', HARD.falling, '--repo', HARD.late],
      url,
    );
    expect(code).toBe(0);
    expect(stdout).toContain(`repos: ${HARD.falling}, ${HARD.late}`);
    expect(existsSync(path.join(dir, 'index.html'))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.png'))).toHaveLength(10);
  });

  it('rejects a bad repo name before connecting', async () => {
    const { code, stderr } = await cli(
      'report-cli.ts',
      ['--repo', '../etc/passwd'],
      'postgres://nobody@127.0.0.1:1/none',
    );
    expect(code).not.toBe(0);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/--repo: invalid repository name "\.\.\/etc\/passwd"/);
  });

  it('reports an unreachable server in one line without the URL', async () => {
    const { code, stderr } = await cli('report-cli.ts', [], 'postgres://user:secret@127.0.0.1:1/none');
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/cannot connect to PostgreSQL/);
    expect(stderr).not.toContain('secret');
  });
});

// Keeps the import honest: the helper's connection works the same as the CLI's.
it('the CLI database URL reaches the same rows', async () => {
  const db = await connectPostgres(url);
  try {
    const [row] = await db.query<{ n: number }>('select count(*)::int as n from github_stars');
    expect(row?.n).toBe(rows.length);
  } finally {
    await db.close();
  }
});
