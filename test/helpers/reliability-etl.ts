// ETL under faults, shared by test/reliability-etl.test.ts and the bench: the export CLI
// SIGKILLed at random points and resumed until it finishes (dynalite lives in the calling
// process, so the table outlives every child), and the CSV compared with the table as a
// multiset; the load CLI as a child process, with a way to find its server backend.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readCheckpoint } from '../../etl/export/checkpoint.js';
import { scanStars } from './collector-harness.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD_ENV = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

export interface Child {
  process: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
}

/** A CLI under tsx, as `npx tsx <script>` runs it (without npx's own start-up). */
export function startCli(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...CHILD_ENV, ...env },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, output })),
  );
  return { process: child, exited };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ExportKillFigures {
  killsPlanned: number;
  kills: number;
  /** Kills that landed before the run had checkpointed anything new (start-up, first page). */
  killsBeforeProgress: number;
  resumes: number;
  rowsInTable: number;
  rowsInCsv: number;
  missing: number;
  /** Extra copies of a row, and rows the table does not hold. */
  duplicates: number;
  extra: number;
  seconds: number;
  finalOutput: string;
}

/**
 * Runs `export --resume` (the first run without) until it exits 0, SIGKILLing the first
 * `kills` runs at a random point: after the run has checkpointed new rows plus 0-120 ms, or
 * (one in five) at a random moment of start-up before any progress.
 */
export async function exportWithKills(options: {
  endpoint: string;
  table: string;
  out: string;
  kills: number;
  segments?: number;
  pageSize?: number;
  random: () => number;
  client: DynamoDBClient;
}): Promise<ExportKillFigures> {
  const started = performance.now();
  const figures: ExportKillFigures = {
    killsPlanned: options.kills,
    kills: 0,
    killsBeforeProgress: 0,
    resumes: 0,
    rowsInTable: 0,
    rowsInCsv: 0,
    missing: 0,
    duplicates: 0,
    extra: 0,
    seconds: 0,
    finalOutput: '',
  };
  const args = [
    '--out',
    options.out,
    '--endpoint',
    options.endpoint,
    '--table',
    options.table,
    '--segments',
    String(options.segments ?? 3),
    '--page-size',
    String(options.pageSize ?? 50),
  ];
  const checkpointFile = `${options.out}.checkpoint.json`;
  for (let attempt = 0; ; attempt++) {
    if (attempt > options.kills + 5) throw new Error(`export did not finish after ${attempt} runs`);
    const resume = existsSync(checkpointFile);
    if (resume) figures.resumes += 1;
    const rowsBefore = (await readCheckpoint(checkpointFile).catch(() => undefined))?.rows ?? 0;
    const child = startCli('etl/export/export-cli.ts', resume ? [...args, '--resume'] : args);
    if (figures.kills < options.kills) {
      const early = options.random() < 0.2;
      const extraMs = Math.floor(options.random() * 120);
      const deadline = Date.now() + 60_000;
      let done = false;
      void child.exited.then(() => (done = true));
      if (early) {
        await pause(200 + Math.floor(options.random() * 900));
      } else {
        for (;;) {
          const cp = await readCheckpoint(checkpointFile).catch(() => undefined);
          if (done || (cp && cp.rows > rowsBefore)) break;
          if (Date.now() > deadline) throw new Error('export CLI made no progress within 60 s');
          await pause(10);
        }
        await pause(extraMs);
      }
      if (!done) {
        child.process.kill('SIGKILL');
        const end = await child.exited;
        if (end.signal === 'SIGKILL') {
          figures.kills += 1;
          const cp = await readCheckpoint(checkpointFile).catch(() => undefined);
          if ((cp?.rows ?? 0) <= rowsBefore) figures.killsBeforeProgress += 1;
          // A killed export never leaves a file that looks complete.
          if (existsSync(options.out)) throw new Error(`${options.out} exists after a kill mid-export`);
          continue;
        }
      }
    }
    const end = await child.exited;
    figures.finalOutput = end.output;
    if (end.code !== 0) throw new Error(`export exited ${end.code}: ${end.output}`);
    break;
  }

  // The CSV against the table, as multisets of lines.
  const table = (await scanStars(options.client, options.table)).map((r) => `${r.repo},${r.ts},${r.stars}`);
  const csv = readFileSync(options.out, 'utf8').split('\n').filter(Boolean);
  figures.rowsInTable = table.length;
  figures.rowsInCsv = csv.length;
  const want = new Map<string, number>();
  for (const line of table) want.set(line, (want.get(line) ?? 0) + 1);
  const got = new Map<string, number>();
  for (const line of csv) got.set(line, (got.get(line) ?? 0) + 1);
  for (const [line, n] of want) figures.missing += Math.max(0, n - (got.get(line) ?? 0));
  for (const [line, n] of got) {
    const w = want.get(line) ?? 0;
    if (w === 0) figures.extra += n;
    else figures.duplicates += Math.max(0, n - w);
  }
  figures.seconds = (performance.now() - started) / 1000;
  return figures;
}

/** A connection string that tags the session, so its backend can be found in pg_stat_activity. */
export function tagged(url: string, applicationName: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', applicationName);
  return u.toString();
}

interface Admin {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** Server backends of a tagged session (a killed client's backend can outlive it briefly). */
export function sessionBackends(admin: Admin, tag: string): Promise<{ pid: number; query: string; state: string }[]> {
  return admin.query('select pid, query, state from pg_stat_activity where application_name = $1', [tag]);
}

export async function waitSessionGone(admin: Admin, tag: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await sessionBackends(admin, tag)).length > 0) {
    if (Date.now() > deadline) throw new Error(`backend of ${tag} still alive after 30 s`);
    await pause(50);
  }
}

/**
 * Starts the load CLI on `file` and, once its session is running COPY, either SIGKILLs the
 * process or terminates its backend from `admin`. Resolves when the session is gone.
 */
export async function interruptLoadCli(options: {
  admin: Admin;
  url: string;
  file: string;
  tag: string;
  how: 'kill' | 'terminate';
  delayMs?: number;
}): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  const child = startCli('etl/load/load-cli.ts', ['--file', options.file, '--batch-rows', '10000'], {
    DATABASE_URL: tagged(options.url, options.tag),
  });
  let done = false;
  void child.exited.then(() => (done = true));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await sessionBackends(options.admin, options.tag);
    if (rows.some((r) => /^\s*copy /i.test(r.query) && r.state === 'active')) break;
    if (done) throw new Error('the load finished before it could be interrupted: use a bigger file');
    if (Date.now() > deadline) throw new Error('load CLI never reached COPY');
    await pause(5);
  }
  await pause(options.delayMs ?? 0);
  if (done) throw new Error('the load finished before it could be interrupted: use a bigger file');
  if (options.how === 'kill') child.process.kill('SIGKILL');
  else
    await options.admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
      options.tag,
    ]);
  const end = await child.exited;
  await waitSessionGone(options.admin, options.tag);
  return end;
}
