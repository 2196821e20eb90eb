// Load at the article's scale (1,412 repos, 23,279,479 rows; BENCH_ROWS to scale down), one
// generated CSV, four ways in one run:
//   (a) ours on the PostgreSQL server: `load` (COPY FREEZE into the bare table, then the
//       primary key; one transaction);
//   (b) the article's procedure as published: psql creates the unlogged table with its
//       primary key and three indexes, then `\copy`;
//   (c) the best hand-run: psql, one transaction: create the bare table, `\copy ... freeze`,
//       add exactly the index our schema has (the primary key), commit;
//   (d) ours on the embedded default: the same `loadBatches` as (a), into the embedded
//       PostgreSQL 17 server started for a fresh data directory (start-up timed apart).
// (a), (c) and (d) run BENCH_LOAD_RUNS times each (default 3), in rotating order, medians
// reported; (b) is slow (~445 s at full scale) and runs BENCH_ARTICLE_RUNS times (default 1).
// Every run is checked by counting the table's rows and finding its primary key on the
// server, not by the loader's own count. Before each run: a checkpoint and `sync`, so no run
// pays for the previous one's dirty pages.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { connectPostgres, type Database, openDatabase } from '../core/database.js';
import { readCsvBatches } from '../etl/formats/read-csv.js';
import { loadBatches } from '../etl/load/load.js';
import { peakMemory } from '../local/process-memory.js';
import { knob } from './knob.js';
import { peakRssMiB } from './peak-rss.js';
import type { BenchResult } from './run.js';
import { type Query, type ServerInfo, serverInfo, settingsOf } from './server-info.js';
import { createServerSchema, SERVER } from './server-schema.js';
import { median } from './stats.js';

export const title = "Load: ours (server and embedded) vs the article's procedure vs the best hand-run psql";

const exec = promisify(execFile);
const ROWS = knob('BENCH_ROWS', 23_279_479, 1);
const RUNS = knob('BENCH_LOAD_RUNS', 3, 1);
const ARTICLE_RUNS = knob('BENCH_ARTICLE_RUNS', 1, 1);
const REPOS = 1412;
const T0 = 1_476_000_000; // autumn 2016, as the article's collection

async function generate(file: string): Promise<void> {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  let written = 0;
  let parts: string[] = [];
  for (let slot = 0; written < ROWS; slot++) {
    for (let r = 0; r < REPOS && written < ROWS; r++, written++) {
      parts.push(`owner${r % 700}/project-${r}.js,${T0 + slot * 900},${10_000 + r * 37 + (slot >> 3)}\n`);
    }
    if (parts.length >= 50_000) {
      if (!out.write(parts.join(''))) await new Promise<void>((r) => out.once('drain', () => r()));
      parts = [];
    }
  }
  out.write(parts.join(''));
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** One timed load, with what it cost in memory. */
interface Run {
  seconds: number;
  /** The server process that did the load (its peak resident set, VmHWM), MiB. */
  backendMiB?: number;
  /** This Node process's resident set, sampled every 100 ms during the load, MiB (ours only). */
  nodeMiB?: number;
  /** (d): initdb + server start + connect + first query, and the stop after, seconds. */
  startSeconds?: number;
  stopSeconds?: number;
  /** (d): the embedded server's processes, each one's peak resident set summed, MiB. */
  serverMiB?: number;
  /** The machine's 1-minute load average as the run ended (2 CPUs: above ~2, something else ran). */
  loadAverage?: number;
}

type Method = 'ours' | 'article' | 'hand' | 'embedded';
type Runs = Record<Method, Run[]>;

const MiB = 2 ** 20;

/** This process's resident set, sampled while `fn` runs: its high-water across runs only rises. */
async function sampleNodeRss<T>(fn: () => Promise<T>): Promise<{ result: T; nodeMiB: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 100);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, nodeMiB: peak / MiB };
  } finally {
    clearInterval(timer);
  }
}

/** The table a method loaded, as the server sees it: rows and whether the primary key is there. */
async function verify(query: Query, table: string, method: string): Promise<void> {
  const [row] = await query(
    `select (select count(*) from ${table})::text as n,
            (select count(*) from pg_constraint where conrelid = '${table}'::regclass and contype = 'p')::int as pk`,
  );
  if (Number(row?.n) !== ROWS || Number(row?.pk) !== 1) {
    throw new Error(
      `${method}: the server holds ${row?.n} rows (expected ${ROWS}) and ${row?.pk} primary key(s) (expected 1)`,
    );
  }
}

/** Dirty pages of an earlier run (either server's) are written before the next one starts. */
async function settle(admin?: pg.Client): Promise<void> {
  if (admin) await admin.query('checkpoint');
  await exec('sync');
}

/** A fresh schema on the server for one run, checked and dropped after. */
async function onServer(method: string, fn: (schema: string, url: string) => Promise<Run>): Promise<Run> {
  const { schema, url, admin, drop } = await createServerSchema('bench_load');
  try {
    await settle(admin);
    const result = await fn(schema, url);
    await verify(async (sql) => (await admin.query(sql)).rows, `${schema}.github_stars`, method);
    return result;
  } finally {
    await drop();
  }
}

/**
 * psql runs the script; it notes its server process first and prints that process's peak
 * resident set last (`\!` runs on this machine, as the server does).
 */
async function psql(schema: string, script: string, dir: string): Promise<Run> {
  const file = path.join(dir, `script-${randomBytes(3).toString('hex')}.sql`);
  writeFileSync(
    file,
    `select pg_backend_pid() as backend_pid \\gset\n\\setenv LOAD_BACKEND_PID :backend_pid\n${script}\\! grep VmHWM /proc/$LOAD_BACKEND_PID/status || true\n`,
  );
  const started = performance.now();
  const { stdout } = await exec('psql', [SERVER, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', file], {
    env: { ...process.env, PGOPTIONS: `-c search_path=${schema}` },
    maxBuffer: 1 << 24,
  });
  const seconds = (performance.now() - started) / 1000;
  const kib = /VmHWM:\s+(\d+)/.exec(stdout)?.[1];
  return { seconds, backendMiB: kib ? Number(kib) / 1024 : undefined };
}

/** ours: the loader on an open database, timed from the first batch to the commit. */
async function loadWithOurs(db: Database, csv: string): Promise<Run> {
  const [backend] = await db.query<{ pid: number }>('select pg_backend_pid() as pid');
  const { result: seconds, nodeMiB } = await sampleNodeRss(async () => {
    const started = performance.now();
    await loadBatches(db, readCsvBatches(csv));
    return (performance.now() - started) / 1000;
  });
  return { seconds, nodeMiB, backendMiB: backend ? peakRssMiB(backend.pid) : undefined };
}

/** What every method loads from, and the embedded server's version and settings once (d) has run. */
interface LoadSetup {
  csv: string;
  dir: string;
  embedded?: ServerInfo;
}

/** (a): the loader on a connection to the server. */
function loadOurs({ csv }: LoadSetup): Promise<Run> {
  return onServer('(a) ours', async (_schema, url) => {
    const db = await connectPostgres(url);
    try {
      return await loadWithOurs(db, csv);
    } finally {
      await db.close();
    }
  });
}

/** (d): the same loader into a fresh embedded server, its start and stop timed apart. */
async function loadEmbedded(setup: LoadSetup): Promise<Run> {
  // Its own fresh data directory each run; the server runs as OS user postgres under root,
  // so the folder must be traversable by others.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-load-embedded-'));
  chmodSync(dataDir, 0o755);
  try {
    await settle();
    const t0 = performance.now();
    const db = await openDatabase({ dataDir, log: () => {} });
    let startSeconds: number;
    let result: Run;
    let serverMiB: number | undefined;
    let stopSeconds = 0;
    try {
      if (db.kind !== 'embedded') throw new Error('(d): openDatabase without a url did not start the embedded server');
      const info = await serverInfo((sql) => db.query(sql));
      startSeconds = (performance.now() - t0) / 1000;
      setup.embedded ??= info;
      result = await loadWithOurs(db, setup.csv);
      await verify((sql) => db.query(sql), 'github_stars', '(d) embedded');
      serverMiB = peakMemory(dataDir).serverMiB;
    } finally {
      const t1 = performance.now();
      await db.close();
      stopSeconds = (performance.now() - t1) / 1000;
    }
    return { ...result, startSeconds, stopSeconds, serverMiB };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** (c): psql, one transaction: the bare table, `\copy ... freeze`, the primary key. */
function loadHand({ csv, dir }: LoadSetup): Promise<Run> {
  return onServer('(c) hand-run', (schema) =>
    psql(
      schema,
      `begin;
create table github_stars (repo varchar(255) not null, ts bigint not null, stars integer not null);
\\copy github_stars from '${csv}' with (format csv, freeze)
alter table github_stars add constraint github_stars_pkey primary key (repo, ts);
commit;
`,
      dir,
    ),
  );
}

/** (b): the article's DDL as published (its missing closing parenthesis restored). */
function loadArticle({ csv, dir }: LoadSetup): Promise<Run> {
  return onServer('(b) article', (schema) =>
    psql(
      schema,
      `create unlogged table github_stars (
    repo  varchar(255) not null,
    ts    integer      not null,
    stars integer      not null,
    constraint repo_ts primary key(repo,ts)
);
create index repo_idx  on github_stars(repo);
create index ts_idx    on github_stars(ts);
create index stars_idx on github_stars(stars);
\\copy github_stars from '${csv}' csv
`,
      dir,
    ),
  );
}

/**
 * (a), (c) and (d) RUNS times each, the order rotating each round, so none gains from going
 * first (cold cache) or last; then (b) ARTICLE_RUNS times.
 */
async function measure(setup: LoadSetup): Promise<Runs> {
  const methods = [
    { key: 'hand', label: '(c) hand-run best', load: loadHand },
    { key: 'ours', label: '(a) ours, server', load: loadOurs },
    { key: 'embedded', label: '(d) ours, embedded', load: loadEmbedded },
  ] as const;
  const runs: Runs = { ours: [], article: [], hand: [], embedded: [] };
  for (let round = 0; round < RUNS; round++) {
    for (let i = 0; i < methods.length; i++) {
      const m = methods[(i + round) % methods.length]!;
      const r = { ...(await m.load(setup)), loadAverage: os.loadavg()[0] };
      runs[m.key].push(r);
      const extra =
        r.startSeconds === undefined
          ? ''
          : ` (start ${r.startSeconds.toFixed(1)} s, stop ${r.stopSeconds?.toFixed(1)} s)`;
      console.log(
        `round ${round + 1}/${RUNS} ${m.label}: ${r.seconds.toFixed(1)} s${extra}, load average ${r.loadAverage?.toFixed(2)}`,
      );
    }
  }
  for (let i = 0; i < ARTICLE_RUNS; i++) {
    runs.article.push({ ...(await loadArticle(setup)), loadAverage: os.loadavg()[0] });
    console.log(`(b) article ${i + 1}/${ARTICLE_RUNS}: ${runs.article.at(-1)!.seconds.toFixed(1)} s`);
  }
  return runs;
}

/** Everything the results file says, gathered by `run`. */
interface Outcome {
  bytes: number;
  runs: Runs;
  servers: { server: ServerInfo; embedded?: ServerInfo };
  loadAverage: { start: number; end: number };
}

/** The medians (seconds) the ratios are taken from. */
function medians(runs: Runs) {
  const seconds = (k: Method) => median(runs[k].map((r) => r.seconds));
  return {
    ours: seconds('ours'),
    article: seconds('article'),
    hand: seconds('hand'),
    embedded: seconds('embedded'),
    embeddedStart: median(runs.embedded.map((r) => r.startSeconds!)),
    embeddedStop: median(runs.embedded.map((r) => r.stopSeconds!)),
  };
}

const runsNote = (n: number) => (n === 1 ? '1 run' : `${n} runs, median`);
const mib = (x: number | undefined) => (x === undefined ? 'n/a' : Math.round(x).toLocaleString('en-US'));
/** The highest of a method's runs for one memory figure (undefined where none was measured). */
function peakOf(runs: Runs, k: Method, f: keyof Run): number | undefined {
  const xs = runs[k].map((r) => r[f]).filter((x): x is number => x !== undefined);
  return xs.length ? Math.max(...xs) : undefined;
}

/** The ratios against the goals, in a sentence each. */
function headline({ bytes, loadAverage }: Outcome, s: ReturnType<typeof medians>): string[] {
  return [
    `${ROWS.toLocaleString('en-US')} rows, ${REPOS} repos, ${(bytes / MiB).toFixed(0)} MiB CSV. (a), (c), (d): ${runsNote(RUNS)} each, in rotating order; (b): ${runsNote(ARTICLE_RUNS)}${ARTICLE_RUNS === 1 ? ' (it is slow)' : ''}. Each run checked on the server: row count and primary key. Load average ${loadAverage.start.toFixed(2)} at the start, ${loadAverage.end.toFixed(2)} at the end.`,
    '',
    `- ours vs the article's procedure: **${(s.article / s.ours).toFixed(2)}x faster** on the server, **${(s.article / s.embedded).toFixed(2)}x faster** embedded (goal >= 3x)`,
    `- ours vs the best hand-run (COPY FREEZE in one transaction): **${(s.ours / s.hand).toFixed(2)}x its time** (goal <= 1.2x)`,
    `- ours embedded vs ours on the server: **${(s.embedded / s.ours).toFixed(2)}x its time** (goal <= 1.2x)`,
    `- embedded server start, excluded above: **${s.embeddedStart.toFixed(1)} s** to the first query (initdb into a fresh directory, start, connect; median), stop ${s.embeddedStop.toFixed(1)} s`,
  ];
}

/** One row a method: its median, every run, rows/s, memory and the load average after each run. */
function methodRows(runs: Runs, s: ReturnType<typeof medians>): string[] {
  const row = (k: Method, label: string, node: string) => {
    const list = runs[k].map((r) => r.seconds.toFixed(1)).join(', ');
    const loads = runs[k].map((r) => r.loadAverage?.toFixed(1) ?? 'n/a').join(', ');
    const rate = Math.round(ROWS / s[k]).toLocaleString('en-US');
    return `| ${label} | ${s[k].toFixed(1)} | ${list} | ${rate} | ${mib(peakOf(runs, k, 'backendMiB'))} | ${node} | ${loads} |`;
  };
  const nodeOf = (k: Method) => mib(peakOf(runs, k, 'nodeMiB'));
  return [
    '| method | seconds (median) | runs (s) | rows/s | loading backend peak RSS, MiB | Node RSS during load, MiB | load average after each run |',
    '| --- | ---: | --- | ---: | ---: | ---: | --- |',
    row(
      'ours',
      '(a) ours on the server: `npm run load` with DATABASE_URL (COPY FREEZE into the bare table, then the primary key; one transaction)',
      nodeOf('ours'),
    ),
    row('article', '(b) the article: unlogged table with primary key + 3 indexes, then `\\copy`', '(psql)'),
    row(
      'hand',
      '(c) hand-run best: psql, one transaction: create the bare table, `\\copy ... (format csv, freeze)`, add the primary key, commit',
      '(psql)',
    ),
    row(
      'embedded',
      '(d) ours on the embedded default: the same load, `openDatabase({ dataDir })` on a fresh directory',
      nodeOf('embedded'),
    ),
  ];
}

function report(outcome: Outcome): BenchResult {
  const { bytes, runs, servers, loadAverage } = outcome;
  const s = medians(runs);
  const markdown = [
    ...headline(outcome, s),
    '',
    ...methodRows(runs, s),
    '',
    `Embedded server (d), all its processes' peak RSS summed (an upper bound: shared buffers count once per process): ${mib(peakOf(runs, 'embedded', 'serverMiB'))} MiB. Peak RSS columns: the highest of the runs; the backend's from /proc VmHWM, Node's sampled every 100 ms.`,
    '',
    '| server | version | settings |',
    '| --- | --- | --- |',
    `| (a), (b), (c): DATABASE_URL | ${servers.server.version} | ${settingsOf(servers.server)} |`,
    `| (d): embedded | ${servers.embedded?.version ?? 'n/a'} | ${settingsOf(servers.embedded)} |`,
  ].join('\n');
  const ratios = {
    articleOverOurs: s.article / s.ours,
    articleOverEmbedded: s.article / s.embedded,
    oursOverHand: s.ours / s.hand,
    embeddedOverOurs: s.embedded / s.ours,
  };
  return {
    markdown,
    data: {
      rows: ROWS,
      repos: REPOS,
      bytes,
      runsEach: RUNS,
      articleRuns: ARTICLE_RUNS,
      seconds: s,
      runs,
      ratios,
      servers,
      loadAverage,
    },
  };
}

/** The CSV every method loads, its size in bytes. */
async function generateCsv(csv: string): Promise<number> {
  const started = performance.now();
  await generate(csv);
  const bytes = statSync(csv).size;
  console.log(
    `generated ${ROWS.toLocaleString('en-US')} rows (${(bytes / MiB).toFixed(0)} MiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return bytes;
}

export async function run(): Promise<BenchResult> {
  const start = os.loadavg()[0]!;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-load-'));
  try {
    const setup: LoadSetup = { csv: path.join(dir, 'github-stars.csv'), dir };
    const bytes = await generateCsv(setup.csv);
    const serverSide = await connectPostgres(SERVER);
    const server = await serverInfo((sql) => serverSide.query(sql)).finally(() => serverSide.close());
    const runs = await measure(setup);
    const loadAverage = { start, end: os.loadavg()[0]! };
    return report({ bytes, runs, servers: { server, embedded: setup.embedded }, loadAverage });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
