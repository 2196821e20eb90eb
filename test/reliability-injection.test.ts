// Issue 7, abuse: user input reaches SQL only as parameters, and data reaches the HTML report
// only escaped. SQL injection through every flag that takes a repository (analyze --repo,
// report --repo; `grep -rn "'--repo" analysis local etl lambda` finds no others), in the CLIs
// and in-process; then hostile names planted straight into github_stars, rendered into the
// report and opened in headless Chromium, where nothing they carry may run.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYSES, runAnalysis } from '../analysis/queries/run-analysis.js';
import { buildReport } from '../analysis/report/report.js';
import { connectPostgres, type Database } from '../core/database.js';
import { isRepoName } from '../core/repo-name.js';
import { sqlFile } from '../core/sql-file.js';
import { generateRows, insertRows, T0 } from './helpers/analysis-fixtures.js';
import { launchChromium } from './helpers/browser.js';
import { freshSchema, type TestSchema } from './helpers/postgres.js';
import { starsState } from './helpers/reliability-db.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'reliability-inject-'));

const SQL_ATTACKS = [
  "'; drop table github_stars; --",
  "a/b'; drop table github_stars; --",
  'a/b"; drop table github_stars; --',
  "x/y'); delete from github_stars where ('1'='1",
  "a/b' or '1'='1",
  '$$; drop table github_stars; $$',
  "a/b\\'; truncate github_stars; --",
  'a/b;drop table github_stars',
];

let schema: TestSchema;
let db: Database;
let before: string;

beforeAll(async () => {
  schema = await freshSchema('rel_inject');
  db = await connectPostgres(schema.url);
  await db.exec(sqlFile('schema.sql'));
  await insertRows(db, generateRows({ repos: 12, slots: 60 }));
  before = await starsState(db);
});
afterAll(async () => {
  await db?.close();
  await schema?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

function cli(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('SQL injection through the flags that take a repository', () => {
  it('every attack is refused as an invalid name by analyze and report; the table keeps its rows', {
    timeout: 120_000,
  }, async () => {
    expect(SQL_ATTACKS.every((a) => !isRepoName(a))).toBe(true);
    const env = { DATABASE_URL: schema.url };
    const runs: Array<[string, string[]]> = [];
    SQL_ATTACKS.forEach((attack, i) => {
      // Each CLI gets half the attacks (a process stops at the first bad value), in both flag forms.
      if (i % 2 === 0) runs.push(['analyze', ['--import', 'tsx', 'analysis/analyze/analyze-cli.ts', '--repo', attack]]);
      else
        runs.push([
          'report',
          ['--import', 'tsx', 'analysis/report/report-cli.ts', '--out', path.join(tmp, `r${i}`), `--repo=${attack}`],
        ]);
    });
    // A good name first, then the attack: every value is checked, not only the first.
    runs.push([
      'report',
      [
        '--import',
        'tsx',
        'analysis/report/report-cli.ts',
        '--out',
        path.join(tmp, 'r-mixed'),
        '--repo',
        'owner-1/repo-1',
        SQL_ATTACKS[0]!,
      ],
    ]);
    const results: Array<{ name: string; code: number | null; stdout: string; stderr: string }> = [];
    for (let i = 0; i < runs.length; i += 3) {
      const batch = runs.slice(i, i + 3);
      results.push(
        ...(await Promise.all(
          batch.map(async ([name, args]) => ({ name, ...(await cli(process.execPath, args, env)) })),
        )),
      );
    }
    // And once through the npm script, as a user would type it.
    results.push({
      name: 'npm run analyze',
      ...(await cli('npm', ['run', '--silent', 'analyze', '--', '--repo', SQL_ATTACKS[0]!], env)),
    });
    for (const r of results) {
      expect(r.code, `${r.name}: ${r.stderr}`).not.toBe(0);
      expect(r.stderr, r.name).toMatch(/--repo: invalid repository name .* \(expected owner\/name\)/);
      expect(r.stderr, r.name).not.toMatch(/\n\s+at /);
      expect(r.stdout, r.name).toBe('');
    }
    expect(existsSync(path.join(tmp, 'r1', 'index.html'))).toBe(false);
    expect(await starsState(db)).toBe(before);
  });

  it('in-process, the analyses take the same strings as parameters: no rows, no harm', async () => {
    for (const def of ANALYSES) {
      const result = await runAnalysis(db, def.name, { repos: SQL_ATTACKS });
      // repo-history selects exactly the given names: none exists. The rest ignore them.
      if (def.name === 'repo-history') expect(result.rows).toEqual([]);
      expect(
        result.rows.some((r) => SQL_ATTACKS.includes(String(r.repo))),
        def.name,
      ).toBe(false);
    }
    await expect(buildReport(db, { outDir: path.join(tmp, 'inproc'), repos: [SQL_ATTACKS[1]!] })).rejects.toThrow(
      /invalid repository name/,
    );
    expect(await starsState(db)).toBe(before);
  });
});

// Names that validation never lets in, planted in the table directly (an older loader, a
// hand-run \copy): the report must still show them as text.
const HOSTILE_NAMES = [
  '<script>alert(1)</script>/x',
  'x/<img src=x onerror=alert(2)>',
  'x/"><svg onload=alert(3)>',
  'x/</script><script>alert(4)</script>',
  "x/'-alert(5)-'",
  'x/<!--<script>alert(6)//',
  'x/&lt;b&gt;',
  'x/\u2028\u2029</style><iframe src=javascript:alert(7)>',
];

describe('hostile names in github_stars reach the HTML report only escaped', () => {
  it('no markup from the data in the page, and nothing runs in Chromium', { timeout: 120_000 }, async () => {
    const hostile = await freshSchema('rel_html');
    const hdb = await connectPostgres(hostile.url);
    try {
      await hdb.exec(sqlFile('schema.sql'));
      const rows = generateRows({ repos: 10, slots: 40 });
      // Growing fastest, so they are chosen for the history charts and top every table.
      HOSTILE_NAMES.forEach((name, i) => {
        for (let s = 0; s < 40; s += 2)
          rows.push({ repo: name, ts: T0 + s * 900, stars: 500_000 + i * 1000 + s * 20_000 });
      });
      await insertRows(hdb, rows);
      const out = path.join(tmp, 'hostile-report');
      const report = await buildReport(hdb, {
        outDir: out,
        defaultCount: 8,
        now: () => new Date('2026-11-23T12:00:00Z'),
      });
      expect(report.chosen.filter((r) => HOSTILE_NAMES.includes(r)).length).toBeGreaterThanOrEqual(5);
      const html = readFileSync(report.indexHtml, 'utf8');
      for (const marker of ['<script>alert', '<img src=x', '<svg onload', '<iframe', '</style><']) {
        expect(html.includes(marker), marker).toBe(false);
      }

      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on('dialog', async (d) => {
          problems.push(`dialog: ${d.message()}`);
          await d.dismiss();
        });
        page.on('console', (m) => {
          if (m.type() === 'error') problems.push(`console: ${m.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
        await page.goto(pathToFileURL(report.indexHtml).href, { waitUntil: 'load' });
        await page.waitForTimeout(300);
        const dom = await page.evaluate(() => ({
          injected: document.querySelectorAll('img, svg, iframe, object, embed').length,
          scripts: document.querySelectorAll('script').length,
          text: document.body.textContent ?? '',
        }));
        expect(problems).toEqual([]);
        // The page's own scripts only: chart data (JSON), three inlined libraries, the boot code.
        expect(dom.scripts).toBe(5);
        expect(dom.injected).toBe(0);
        // The names are on the page, as text.
        expect(dom.text).toContain('<script>alert(1)</script>/x');
        expect(dom.text).toContain('x/&lt;b&gt;');
      } finally {
        await browser.close();
      }
    } finally {
      await hdb.close();
      await hostile.drop();
    }
  });
});
