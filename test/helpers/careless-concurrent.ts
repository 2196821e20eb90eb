// Two commands started at once on one data directory, shared by test/careless-concurrent.test.ts,
// test/embedded-stores.test.ts and the reliability bench. Each runner returns what it saw and
// `problems`, judged against ground truth the code under test never computed: the union of the
// input files read here, the table read back row by row, the demo's size from its flags, and
// PostgreSQL's own postmaster.pid for a server left running.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { embeddedPostgresDir, openDatabase } from '../../core/database.js';
import { alive } from '../../core/embedded-postgres.js';
import { type Child, ROOT, startCli } from './reliability-etl.js';

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A CLI under tsx to its end, stdout and stderr apart; `env` on top of ours. */
export function runCommand(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolves once the child's output contains `text`. */
export function saying(child: Child, text: string): Promise<void> {
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

/** stderr without the embedded server's notes (waiting for it, recovering it): what the user is told. */
export const stderrLines = (stderr: string) =>
  stderr
    .trim()
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('embedded PostgreSQL:'));

export function postmasterPid(dataDir: string): number | undefined {
  try {
    return Number(readFileSync(path.join(embeddedPostgresDir(dataDir), 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

/** The pid of a server still running for `dataDir` after `graceMs` (a stop requested at exit may still be under way). */
export async function serverLeftRunning(dataDir: string, graceMs = 10_000): Promise<number | undefined> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const pid = postmasterPid(dataDir);
    if (pid === undefined || !alive(pid)) return undefined;
    if (Date.now() > deadline) return pid;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `repo,ts` -> stars of a header-less CSV (gzip or not), read here, not by the loader. */
export function csvRows(file: string): Map<string, string> {
  const bytes = readFileSync(file);
  const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  const rows = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const cut = line.lastIndexOf(',');
    rows.set(line.slice(0, cut), line.slice(cut + 1));
  }
  return rows;
}

/** The union of several inputs; a key given twice with different stars is a fixture bug. */
export function unionOf(files: string[]): Map<string, string> {
  const union = new Map<string, string>();
  for (const file of files) {
    for (const [key, stars] of csvRows(file)) {
      if (union.has(key) && union.get(key) !== stars)
        throw new Error(`${file}: ${key} has stars ${stars} and ${union.get(key)} elsewhere`);
      union.set(key, stars);
    }
  }
  return union;
}

export interface TableCheck {
  /** Rows in github_stars, and distinct (repo, ts) among them. */
  total: number;
  distinct: number;
  missing: number;
  extra: number;
  wrongStars: number;
}

type StarRow = { repo: string; ts: number; stars: number };

/** github_stars of the embedded server in `dataDir` (none when no load ever committed). */
export async function readTable(dataDir: string): Promise<StarRow[]> {
  const db = await openDatabase({ dataDir, log: () => {} });
  try {
    const [exists] = await db.query<{ t: string | null }>("select to_regclass('github_stars')::text as t");
    return exists?.t ? await db.query<StarRow>('select repo, ts, stars from github_stars') : [];
  } finally {
    await db.close();
  }
}

/** `rows` against `expected`, row by row. */
export function compareTable(rows: StarRow[], expected: Map<string, string>): TableCheck {
  const seen = new Set<string>();
  const check: TableCheck = { total: rows.length, distinct: 0, missing: 0, extra: 0, wrongStars: 0 };
  for (const r of rows) {
    const key = `${r.repo},${r.ts}`;
    seen.add(key);
    const want = expected.get(key);
    if (want === undefined) check.extra += 1;
    else if (want !== String(r.stars)) check.wrongStars += 1;
  }
  check.distinct = seen.size;
  for (const key of expected.keys()) if (!seen.has(key)) check.missing += 1;
  return check;
}

export async function checkTable(dataDir: string, expected: Map<string, string>): Promise<TableCheck> {
  return compareTable(await readTable(dataDir), expected);
}

/** What is wrong with a table check: any row missing, extra, twice or changed. */
export function tableProblems(check: TableCheck, expected: number): string[] {
  const problems: string[] = [];
  if (check.total !== expected) problems.push(`${check.total} rows, expected ${expected}`);
  if (check.distinct !== check.total) problems.push(`${check.total - check.distinct} (repo, ts) stored twice`);
  if (check.missing || check.extra || check.wrongStars)
    problems.push(`${check.missing} missing, ${check.extra} extra, ${check.wrongStars} with other stars`);
  return problems;
}

export interface LoadPair {
  codes: (number | null)[];
  outputs: string[];
  check: TableCheck;
  /** A server still running once both commands ended (before this check opened the store). */
  serverLeft?: number;
  /** postmaster.pid after this check's own open and close. */
  pidAfterCheck?: number;
  /** Anything not as it should be: a load that failed, a server left running, the table not the union. */
  problems: string[];
  /** The store itself wrong: not exactly the union of what the loads that exited 0 (and `already`) hold. */
  corrupt: string[];
}

/** Two load CLIs at once on `dataDir`; the table must hold the union of `files` and `already`. */
export async function loadTwoAtOnce(
  dataDir: string,
  files: [string, string],
  already: string[] = [],
  extraArgs: string[] = [],
): Promise<LoadPair> {
  const env = { DATABASE_URL: '', STARTRAIL_DATA_DIR: dataDir };
  const runs = await Promise.all(
    files.map((file) => startCli('etl/load/load-cli.ts', ['--file', file, ...extraArgs], env).exited),
  );
  const serverLeft = await serverLeftRunning(dataDir);
  const rows = await readTable(dataDir);
  const expected = unionOf([...already, ...files]);
  const check = compareTable(rows, expected);
  const problems = tableProblems(check, expected.size);
  for (const [i, r] of runs.entries())
    if (r.code !== 0)
      problems.push(`load ${i + 1} exited ${r.code ?? r.signal}: ${r.output.trim().split('\n').at(-1)}`);
  if (serverLeft) problems.push(`embedded server left running (pid ${serverLeft})`);
  // A load that failed must have left nothing; one that said it succeeded must have left all.
  const claimed = unionOf([...already, ...files.filter((_, i) => runs[i]!.code === 0)]);
  const corrupt = tableProblems(compareTable(rows, claimed), claimed.size);
  return {
    codes: runs.map((r) => r.code),
    outputs: runs.map((r) => r.output),
    check,
    serverLeft,
    pidAfterCheck: postmasterPid(dataDir),
    problems,
    corrupt,
  };
}

export interface LoadAnalyze {
  load: { code: number | null; output: string };
  during: CommandRun;
  after: CommandRun;
  check: TableCheck;
  serverLeft?: number;
  problems: string[];
  /** The table not what the load's exit code says, or analyze printing figures of half a table. */
  corrupt: string[];
}

/**
 * `load --file` and, once it is writing, `analyze`: analyze sees the table before the load's
 * one transaction commits (and says there is none, in one line) or after it (then it prints
 * exactly what an analyze after the load prints), never half of it.
 */
export async function loadWhileAnalyzing(
  dataDir: string,
  file: string,
  options: { batchRows?: number; delayMs?: number } = {},
): Promise<LoadAnalyze> {
  const env = { DATABASE_URL: '', STARTRAIL_DATA_DIR: dataDir };
  const load = startCli(
    'etl/load/load-cli.ts',
    ['--file', file, '--batch-rows', String(options.batchRows ?? 20_000)],
    env,
  );
  await saying(load, '-> github_stars');
  if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
  const during = await runCommand('analysis/analyze/analyze-cli.ts', ['--limit', '1'], env);
  const loaded = await load.exited;
  const after = await runCommand('analysis/analyze/analyze-cli.ts', ['--limit', '1'], env);
  const serverLeft = await serverLeftRunning(dataDir);
  const expected = unionOf([file]);
  const rows = await readTable(dataDir);
  const check = compareTable(rows, expected);
  const halfSeen =
    during.code === 0 && during.stdout !== after.stdout
      ? ['analyze during the load printed other figures than after it']
      : [];
  // What the load's exit code claims: the whole file, or (failed) nothing at all.
  const claimed =
    loaded.code === 0 ? tableProblems(check, expected.size) : tableProblems(compareTable(rows, new Map()), 0);
  const corrupt = [...claimed, ...halfSeen];
  const problems = [...tableProblems(check, expected.size), ...halfSeen];
  if (loaded.code !== 0)
    problems.push(`load exited ${loaded.code ?? loaded.signal}: ${loaded.output.trim().split('\n').at(-1)}`);
  if (after.code !== 0) problems.push(`analyze after the load exited ${after.code}: ${after.stderr.trim()}`);
  const refusal = stderrLines(during.stderr);
  if (during.code !== 0 && (refusal.length !== 1 || !/^error: no (github_stars table|data)/.test(refusal[0]!)))
    problems.push(`analyze during the load: ${JSON.stringify(refusal)}`);
  if (serverLeft) problems.push(`embedded server left running (pid ${serverLeft})`);
  return { load: { code: loaded.code, output: loaded.output }, during, after, check, serverLeft, problems, corrupt };
}

export interface DemoPair {
  demo: { code: number | null; output: string };
  /** export and collect, each started while the demo holds its store; problems: not refused in one line. */
  others: { name: 'export' | 'collect'; run: CommandRun; problems: string[] }[];
  afterExport: CommandRun;
  /** days x 96 slots x top: what the demo's flags make it collect. */
  expectedRows: number;
  check: TableCheck;
  serverLeft?: number;
  /** The demo's own outcome and its store's, besides the refusals. */
  problems: string[];
  /** The demo completed, yet its store is not exactly days x 96 x top rows, the same in DynamoDB and PostgreSQL. */
  corrupt: string[];
}

/** The one line the second command must print: the store is in use, naming the directory. */
function refusalProblems(name: string, run: CommandRun, dataDir: string): string[] {
  const lines = stderrLines(run.stderr);
  if (
    run.code !== 0 &&
    lines.length === 1 &&
    /in use by another process/.test(lines[0]!) &&
    lines[0]!.includes(dataDir)
  )
    return [];
  return [`${name} during the demo: exit ${run.code}, ${JSON.stringify(lines)}`];
}

/**
 * `demo` and, once it collects, `export` then `collect` on its data directory: both refuse in
 * one line (see `others`); the demo completes; an export after it holds exactly days x 96 x top
 * rows, each once, and the demo's PostgreSQL table holds exactly those rows.
 */
export async function demoWithOthers(
  dir: string,
  demoDir: string,
  options: { days: number; top: number },
): Promise<DemoPair> {
  const args = [
    '--days',
    String(options.days),
    '--top',
    String(options.top),
    '--fresh',
    '--data-dir',
    demoDir,
    '--out',
    path.join(dir, 'report'),
  ];
  const demo = startCli('local/demo.ts', args, { DATABASE_URL: '' });
  await saying(demo, 'collect');
  const env = { DATABASE_URL: '', STARTRAIL_DATA_DIR: demoDir };
  const others: DemoPair['others'] = [];
  const exported = await runCommand('etl/export/export-cli.ts', ['--out', path.join(dir, 'during.csv')], env);
  others.push({ name: 'export', run: exported, problems: refusalProblems('export', exported, demoDir) });
  const collected = await runCommand('local/collect.ts', ['--simulate', '--top', '10'], env);
  others.push({ name: 'collect', run: collected, problems: refusalProblems('collect', collected, demoDir) });
  const finished = await demo.exited;
  const afterCsv = path.join(dir, 'after.csv');
  const afterExport = await runCommand('etl/export/export-cli.ts', ['--out', afterCsv], env);
  const serverLeft = await serverLeftRunning(demoDir);
  const expectedRows = options.days * 96 * options.top;
  const problems: string[] = [];
  if (finished.code !== 0 || !/report\s+\S+index\.html/.test(finished.output))
    problems.push(`demo exited ${finished.code ?? finished.signal} without its report`);
  if (afterExport.code !== 0)
    problems.push(`export after the demo exited ${afterExport.code}: ${afterExport.stderr.trim()}`);
  const exportedLines = afterExport.code === 0 ? readFileSync(afterCsv, 'utf8').split('\n').filter(Boolean).length : 0;
  const inCsv = afterExport.code === 0 ? csvRows(afterCsv) : new Map<string, string>();
  const store: string[] = [];
  if (inCsv.size !== expectedRows || exportedLines !== expectedRows)
    store.push(`export after the demo: ${exportedLines} lines, ${inCsv.size} distinct, expected ${expectedRows}`);
  const check = await checkTable(demoDir, inCsv);
  store.push(...tableProblems(check, expectedRows));
  problems.push(...store);
  if (serverLeft) problems.push(`embedded server left running (pid ${serverLeft})`);
  // A demo that failed leaves a partial store by design; only a completed one is judged whole.
  const corrupt = finished.code === 0 && afterExport.code === 0 ? store : [];
  return {
    demo: { code: finished.code, output: finished.output },
    others,
    afterExport,
    expectedRows,
    check,
    serverLeft,
    problems,
    corrupt,
  };
}
