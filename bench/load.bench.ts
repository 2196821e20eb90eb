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
import { chmodSync, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { connectPostgres, type Database, openDatabase } from '../core/database.js';
import { readCsvBatches } from '../etl/formats/read-csv.js';
import { loadBatches } from '../etl/load/load.js';
import { peakMemory } from '../local/process-memory.js';
import { knob } from './knob.js';
import type { BenchResult } from './run.js';

export const title = "Load: ours (server and embedded) vs the article's procedure vs the best hand-run psql";

const exec = promisify(execFile);
const SERVER = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
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

const MiB = 2 ** 20;

/** The peak resident set of a process, from /proc (undefined where there is none). */
function hwmMiB(pid: number): number | undefined {
  try {
    const kib = /^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib ? Number(kib) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

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
async function verify(
  query: (sql: string) => Promise<Record<string, unknown>[]>,
  table: string,
  method: string,
): Promise<void> {
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
  const schema = `bench_load_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const u = new URL(SERVER);
  u.searchParams.set('options', `-c search_path=${schema}`);
  try {
    await settle(admin);
    const result = await fn(schema, u.toString());
    await verify(async (sql) => (await admin.query(sql)).rows, `${schema}.github_stars`, method);
    return result;
  } finally {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
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
  return { seconds, nodeMiB, backendMiB: backend ? hwmMiB(backend.pid) : undefined };
}

const SETTINGS = ['shared_buffers', 'wal_level', 'max_wal_size', 'maintenance_work_mem', 'synchronous_commit', 'fsync'];

interface ServerInfo {
  version: string;
  settings: Record<string, string>;
}

async function serverInfo(query: (sql: string) => Promise<Record<string, unknown>[]>): Promise<ServerInfo> {
  const [v] = await query('select version() as version');
  const rows = await query(
    `select name, current_setting(name) as value from pg_settings where name in (${SETTINGS.map((s) => `'${s}'`).join(', ')}) order by name`,
  );
  return {
    version: String(v?.version),
    settings: Object.fromEntries(rows.map((r) => [String(r.name), String(r.value)])),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const defined = (xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined);

export async function run(): Promise<BenchResult> {
  const loadStart = os.loadavg()[0]!;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-load-'));
  let embedded: ServerInfo | undefined;
  try {
    const csv = path.join(dir, 'github-stars.csv');
    const genStart = performance.now();
    await generate(csv);
    const bytes = statSync(csv).size;
    console.log(
      `generated ${ROWS.toLocaleString('en-US')} rows (${(bytes / MiB).toFixed(0)} MiB) in ${((performance.now() - genStart) / 1000).toFixed(1)} s`,
    );

    const serverSide = await connectPostgres(SERVER);
    const server = await serverInfo((sql) => serverSide.query(sql)).finally(() => serverSide.close());

    const loadOurs = () =>
      onServer('(a) ours', async (_schema, url) => {
        const db = await connectPostgres(url);
        try {
          return await loadWithOurs(db, csv);
        } finally {
          await db.close();
        }
      });

    const loadEmbedded = async (): Promise<Run> => {
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
          if (db.kind !== 'embedded')
            throw new Error('(d): openDatabase without a url did not start the embedded server');
          const info = await serverInfo((sql) => db.query(sql));
          startSeconds = (performance.now() - t0) / 1000;
          embedded ??= info;
          result = await loadWithOurs(db, csv);
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
    };

    const loadHand = () =>
      onServer('(c) hand-run', (schema) =>
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

    // The article's DDL as published (its missing closing parenthesis restored).
    const loadArticle = () =>
      onServer('(b) article', (schema) =>
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

    // (a), (c) and (d) the same number of times, the order rotating each round, so none
    // gains from going first (cold cache) or last.
    const methods = [
      { key: 'hand', label: '(c) hand-run best', load: loadHand },
      { key: 'ours', label: '(a) ours, server', load: loadOurs },
      { key: 'embedded', label: '(d) ours, embedded', load: loadEmbedded },
    ] as const;
    const runs: Record<'ours' | 'article' | 'hand' | 'embedded', Run[]> = {
      ours: [],
      article: [],
      hand: [],
      embedded: [],
    };
    for (let round = 0; round < RUNS; round++) {
      for (let i = 0; i < methods.length; i++) {
        const m = methods[(i + round) % methods.length]!;
        const r = { ...(await m.load()), loadAverage: os.loadavg()[0] };
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
      runs.article.push({ ...(await loadArticle()), loadAverage: os.loadavg()[0] });
      console.log(`(b) article ${i + 1}/${ARTICLE_RUNS}: ${runs.article.at(-1)!.seconds.toFixed(1)} s`);
    }

    const seconds = (k: keyof typeof runs) => median(runs[k].map((r) => r.seconds));
    const ours = seconds('ours');
    const article = seconds('article');
    const hand = seconds('hand');
    const embeddedSeconds = seconds('embedded');
    const start = median(runs.embedded.map((r) => r.startSeconds!));
    const stop = median(runs.embedded.map((r) => r.stopSeconds!));
    const peak = (k: keyof typeof runs, f: keyof Run) => {
      const xs = defined(runs[k].map((r) => r[f]));
      return xs.length ? Math.max(...xs) : undefined;
    };
    const mib = (x: number | undefined) => (x === undefined ? 'n/a' : Math.round(x).toLocaleString('en-US'));
    const rate = (s: number) => Math.round(ROWS / s).toLocaleString('en-US');
    const list = (k: keyof typeof runs) => runs[k].map((r) => r.seconds.toFixed(1)).join(', ');
    const loads = (k: keyof typeof runs) => runs[k].map((r) => r.loadAverage?.toFixed(1) ?? 'n/a').join(', ');
    const runsNote = (n: number) => (n === 1 ? '1 run' : `${n} runs, median`);
    const loadEnd = os.loadavg()[0]!;

    const markdown = [
      `${ROWS.toLocaleString('en-US')} rows, ${REPOS} repos, ${(bytes / MiB).toFixed(0)} MiB CSV. (a), (c), (d): ${runsNote(RUNS)} each, in rotating order; (b): ${runsNote(ARTICLE_RUNS)}${ARTICLE_RUNS === 1 ? ' (it is slow)' : ''}. Each run checked on the server: row count and primary key. Load average ${loadStart.toFixed(2)} at the start, ${loadEnd.toFixed(2)} at the end.`,
      '',
      `- ours vs the article's procedure: **${(article / ours).toFixed(2)}x faster** on the server, **${(article / embeddedSeconds).toFixed(2)}x faster** embedded (goal >= 3x)`,
      `- ours vs the best hand-run (COPY FREEZE in one transaction): **${(ours / hand).toFixed(2)}x its time** (goal <= 1.2x)`,
      `- ours embedded vs ours on the server: **${(embeddedSeconds / ours).toFixed(2)}x its time** (goal <= 1.2x)`,
      `- embedded server start, excluded above: **${start.toFixed(1)} s** to the first query (initdb into a fresh directory, start, connect; median), stop ${stop.toFixed(1)} s`,
      '',
      '| method | seconds (median) | runs (s) | rows/s | loading backend peak RSS, MiB | Node RSS during load, MiB | load average after each run |',
      '| --- | ---: | --- | ---: | ---: | ---: | --- |',
      `| (a) ours on the server: \`npm run load\` with DATABASE_URL (COPY FREEZE into the bare table, then the primary key; one transaction) | ${ours.toFixed(1)} | ${list('ours')} | ${rate(ours)} | ${mib(peak('ours', 'backendMiB'))} | ${mib(peak('ours', 'nodeMiB'))} | ${loads('ours')} |`,
      `| (b) the article: unlogged table with primary key + 3 indexes, then \`\\copy\` | ${article.toFixed(1)} | ${list('article')} | ${rate(article)} | ${mib(peak('article', 'backendMiB'))} | (psql) | ${loads('article')} |`,
      `| (c) hand-run best: psql, one transaction: create the bare table, \`\\copy ... (format csv, freeze)\`, add the primary key, commit | ${hand.toFixed(1)} | ${list('hand')} | ${rate(hand)} | ${mib(peak('hand', 'backendMiB'))} | (psql) | ${loads('hand')} |`,
      `| (d) ours on the embedded default: the same load, \`openDatabase({ dataDir })\` on a fresh directory | ${embeddedSeconds.toFixed(1)} | ${list('embedded')} | ${rate(embeddedSeconds)} | ${mib(peak('embedded', 'backendMiB'))} | ${mib(peak('embedded', 'nodeMiB'))} | ${loads('embedded')} |`,
      '',
      `Embedded server (d), all its processes' peak RSS summed (an upper bound: shared buffers count once per process): ${mib(peak('embedded', 'serverMiB'))} MiB. Peak RSS columns: the highest of the runs; the backend's from /proc VmHWM, Node's sampled every 100 ms.`,
      '',
      '| server | version | settings |',
      '| --- | --- | --- |',
      `| (a), (b), (c): DATABASE_URL | ${server.version} | ${Object.entries(server.settings)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} |`,
      `| (d): embedded | ${embedded?.version ?? 'n/a'} | ${Object.entries(embedded?.settings ?? {})
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} |`,
    ].join('\n');
    return {
      markdown,
      data: {
        rows: ROWS,
        repos: REPOS,
        bytes,
        runsEach: RUNS,
        articleRuns: ARTICLE_RUNS,
        seconds: { ours, article, hand, embedded: embeddedSeconds, embeddedStart: start, embeddedStop: stop },
        runs,
        ratios: {
          articleOverOurs: article / ours,
          articleOverEmbedded: article / embeddedSeconds,
          oursOverHand: ours / hand,
          embeddedOverOurs: embeddedSeconds / ours,
        },
        servers: { server, embedded },
        loadAverage: { start: loadStart, end: loadEnd },
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
