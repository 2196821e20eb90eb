// Issue 7, security: the GitHub token never appears in logs, errors, CSVs or reports. The whole
// pipeline runs as a user runs it (collect, export, load, analyze, report, each a CLI process)
// with a recognisable token against a simulator that requires it, with faults so retries and
// errors get logged at debug level, and once with a wrong token so the auth error path runs.
// Then every byte of output, every file written and every table's contents are searched.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, expect, it } from 'vitest';
import { connectPostgres } from '../core/database.js';
import { createDynamoClient } from '../core/store/client.js';
import { startEmbeddedDynamo } from '../core/store/embedded-store.js';
import { startGitHubSimulator } from '../local/github-sim/index.js';
import { freshSchema } from './helpers/postgres.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'reliability-secrets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Shaped like a real fine-grained token, and unique to this run.
const TOKEN = `github_pat_11RELIABILITY0${Math.random().toString(36).slice(2, 12).toUpperCase()}_leakcanary`;
const WRONG = `ghp_WRONGTOKEN${Math.random().toString(36).slice(2, 12)}canary`;

interface Run {
  name: string;
  code: number | null;
  output: string;
}

function run(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ name, code, output }));
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** The token or any 12-character piece of it (a truncated or split leak still counts). */
function leaks(text: string, token: string): boolean {
  for (let i = 0; i + 12 <= token.length; i += 4) if (text.includes(token.slice(i, i + 12))) return true;
  return false;
}

it('collect, export, load, analyze and report: the token is nowhere in output, files or tables', {
  timeout: 150_000,
}, async () => {
  // Against anything but --simulate the collect CLI polls only a slot next to now, so the
  // simulator's clock follows real time.
  const sim = await startGitHubSimulator({
    seed: 9,
    reposPerLanguage: 600,
    token: TOKEN,
    faults: { error502: 0.3, secondaryRateLimit: 0.1, retryAfterSeconds: 0 },
    start: Date.now() - 86_400_000,
    clock: () => Date.now(),
  });
  const dynamo = await startEmbeddedDynamo();
  const schema = await freshSchema('rel_secret');
  const runs: Run[] = [];
  try {
    const base = {
      GITHUB_API_URL: sim.url,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      STARS_TABLE: 'secret-stars',
      POLLS_TABLE: 'secret-polls',
      DATABASE_URL: schema.url,
      STARTRAIL_DATA_DIR: path.join(tmp, 'data'),
      LOG_LEVEL: 'debug',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const csv = path.join(tmp, 'out', 'github-stars.csv');
    mkdirSync(path.dirname(csv), { recursive: true });
    runs.push(await run('collect', ['local/collect.ts', '--top', '150', '--json'], { ...base, GITHUB_TOKEN: TOKEN }));
    // The next slot, so the failed record does not overwrite the good one.
    const next = new Date(Date.now() + 15 * 60_000).toISOString();
    runs.push(
      await run('collect (wrong token)', ['local/collect.ts', '--at', next, '--top', '150'], {
        ...base,
        GITHUB_TOKEN: WRONG,
      }),
    );
    runs.push(await run('export', ['etl/export/export-cli.ts', '--out', csv], { ...base, GITHUB_TOKEN: TOKEN }));
    runs.push(await run('load', ['etl/load/load-cli.ts', '--file', csv], { ...base, GITHUB_TOKEN: TOKEN }));
    const [analyze, report] = await Promise.all([
      run(
        'analyze',
        ['analysis/analyze/analyze-cli.ts', '--format', 'csv', '--out', path.join(tmp, 'out', 'results')],
        {
          ...base,
          GITHUB_TOKEN: TOKEN,
        },
      ),
      run('report', ['analysis/report/report-cli.ts', '--out', path.join(tmp, 'out', 'report')], {
        ...base,
        GITHUB_TOKEN: TOKEN,
      }),
    ]);
    runs.push(analyze!, report!);

    // The pipeline really ran, and the failures really happened.
    const byName = Object.fromEntries(runs.map((r) => [r.name, r]));
    for (const name of ['collect', 'export', 'load', 'analyze', 'report'])
      expect(byName[name]!.code, `${name}: ${byName[name]!.output}`).toBe(0);
    expect(byName.collect!.output).toMatch(/retrying|secondary rate limit/);
    expect(byName['collect (wrong token)']!.code).not.toBe(0);
    expect(byName['collect (wrong token)']!.output).toMatch(/401|Bad credentials|refused the token/);
    expect(byName.load!.output).toMatch(/loaded 150 rows/);
    expect(sim.stats.byStatus[401]).toBeGreaterThan(0);

    // Search everything: process output, every file written, both DynamoDB tables, github_stars.
    const haystacks: Array<[string, string]> = runs.map((r) => [`output of ${r.name}`, r.output]);
    for (const file of filesUnder(tmp)) haystacks.push([file, readFileSync(file).toString('latin1')]);
    const client = createDynamoClient({ endpoint: dynamo.endpoint, region: 'us-east-1' });
    for (const table of ['secret-stars', 'secret-polls']) {
      const out = await client.send(new ScanCommand({ TableName: table }));
      haystacks.push([`DynamoDB ${table}`, JSON.stringify(out.Items)]);
    }
    const polls = haystacks.find(([n]) => n === 'DynamoDB secret-polls')![1];
    expect(polls).toMatch(/refused the token|401/);
    client.destroy();
    const db = await connectPostgres(schema.url);
    haystacks.push(['github_stars', JSON.stringify(await db.query('select * from github_stars'))]);
    await db.close();
    expect(filesUnder(tmp).some((f) => f.endsWith('index.html'))).toBe(true);
    expect(filesUnder(tmp).some((f) => f.endsWith('github-stars.csv'))).toBe(true);

    const leaked = haystacks.filter(([, text]) => leaks(text, TOKEN) || leaks(text, WRONG)).map(([name]) => name);
    expect(leaked).toEqual([]);
    // The search itself works: it finds the token where it is meant to be.
    expect(leaks(`authorization: bearer ${TOKEN}`, TOKEN)).toBe(true);
  } finally {
    await Promise.all([sim.close(), dynamo.close(), schema.drop()]);
  }
});
