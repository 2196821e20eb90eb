// Issue 7 in figures: the whole pipeline under faults, bad input and abuse.
//  - collector soak: the real handler for BENCH_RELIABILITY_SLOTS consecutive slots against the
//    simulator (20% 502s, 5% secondary rate limits, 5% answers slower than the client timeout)
//    with DynamoDB throttling, 500s and UnprocessedItems through a real HTTP fault proxy, 10% of
//    invocations killed after a partial write and delivered again; then the simulator's hostile
//    data for a tenth as many slots;
//  - export SIGKILLed at BENCH_RELIABILITY_KILLS random points and resumed;
//  - load killed and its connection terminated mid-COPY (server);
//  - BENCH_RELIABILITY_CORPUS malformed CSVs on the embedded server and the system server;
//  - careless use: BENCH_RELIABILITY_CONCURRENT pairs of commands at once on one data directory
//    (load + load with overlapping files, load + analyze, demo + export / collect), judged by the
//    union of the input files read back row by row; the token echoed by the simulator in each
//    way it can (and a refused connection) through collect -> export -> load, every output and
//    every byte written searched for it; the whole table of configuration mistakes, each judged
//    by the exact shape of its stderr.
//
// Knobs: BENCH_RELIABILITY_SLOTS (default 2000), BENCH_RELIABILITY_TOP (100),
// BENCH_RELIABILITY_KILLS (20), BENCH_RELIABILITY_EXPORT_ROWS (60000),
// BENCH_RELIABILITY_CORPUS (1000), BENCH_RELIABILITY_LOAD_INTERRUPTS (2 of each kind),
// BENCH_RELIABILITY_LATE_SLOTS (300: kills redelivered 10 simulated minutes later, when the
// top N may have changed members in between), BENCH_RELIABILITY_CONCURRENT (10 pairs: per 10, one
// demo tried with export and with collect, 3 load + analyze on the real data set, 5 load + load).
// The PostgreSQL server is DATABASE_URL or 127.0.0.1:5432/test, as for the tests.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connectPostgres, type Database, openDatabase } from '../core/database.js';
import { sqlFile } from '../core/sql-file.js';
import { readCsvBatches } from '../etl/formats/read-csv.js';
import { loadBatches } from '../etl/load/load.js';
import { ECHO_TOKEN_MODES, startGitHubSimulator } from '../local/github-sim/index.js';
import { demoWithOthers, loadTwoAtOnce, loadWhileAnalyzing, runCommand } from '../test/helpers/careless-concurrent.js';
import { CONFIG_MISTAKES, createLab, probeReadOnlyMount, tryMistake } from '../test/helpers/careless-config.js';
import {
  askSimulator,
  type EchoCase,
  echoScenario,
  filesUnder,
  leaks,
  makeToken,
  SAYS,
} from '../test/helpers/careless-secrets.js';
import { makeRows, putRows, STARS_TABLE, startTestDynamo } from '../test/helpers/etl-fixtures.js';
import { freshSchema } from '../test/helpers/postgres.js';
import { seededRandom } from '../test/helpers/random.js';
import { REAL_CSV_GZ } from '../test/helpers/real-data.js';
import { badCsvCorpus } from '../test/helpers/reliability-corpus.js';
import { type CorpusFigures, runCorpus, starsState } from '../test/helpers/reliability-db.js';
import { type ExportKillFigures, exportWithKills, interruptLoadCli } from '../test/helpers/reliability-etl.js';
import { runSoak, type SoakFigures } from '../test/helpers/reliability-soak.js';
import { reachableTempDir } from '../test/helpers/temp-dir.js';
import type { BenchResult } from './run.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const title = 'Reliability: faults injected, rows kept, bad input rejected';

const knob = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a whole number, got ${process.env[name]}`);
  return n;
};
const SLOTS = knob('BENCH_RELIABILITY_SLOTS', 2000);
const TOP = knob('BENCH_RELIABILITY_TOP', 100);
const KILLS = knob('BENCH_RELIABILITY_KILLS', 20);
const EXPORT_ROWS = knob('BENCH_RELIABILITY_EXPORT_ROWS', 60_000);
const CORPUS = knob('BENCH_RELIABILITY_CORPUS', 1000);
const LOAD_INTERRUPTS = knob('BENCH_RELIABILITY_LOAD_INTERRUPTS', 2);
const LATE_SLOTS = knob('BENCH_RELIABILITY_LATE_SLOTS', 300);
const CONCURRENT = knob('BENCH_RELIABILITY_CONCURRENT', 10);

const fmt = (n: number) => n.toLocaleString('en-US');
const log = (text: string) => process.stderr.write(`reliability: ${text}\n`);

interface LoadInterruptFigures {
  tries: number;
  databaseChanged: number;
  rerunsComplete: number;
}

async function soak(): Promise<{ faults: SoakFigures; hostile: SoakFigures; late?: SoakFigures }> {
  const progress = (label: string) => (done: number, total: number) => {
    if (done % 250 === 0 || done === total) log(`${label}: ${done}/${total} slots`);
  };
  const faults = await runSoak({
    slots: SLOTS,
    top: TOP,
    seed: 17,
    error502: 0.2,
    secondaryRateLimit: 0.05,
    slowShare: 0.05,
    slowMs: 400,
    timeoutMs: 150,
    throttleShare: 0.1,
    error500Share: 0.02,
    unprocessedShare: 0.3,
    killShare: 0.1,
    onSlot: progress('soak'),
  });
  const hostile = await runSoak({
    slots: Math.max(1, Math.round(SLOTS / 10)),
    top: TOP,
    seed: 19,
    error502: 0.1,
    unprocessedShare: 0.2,
    hostile: { badNameShare: 0.02, badStarsShare: 0.02, duplicateNodeShare: 0.005, truncatePageShare: 0.1 },
    onSlot: progress('hostile soak'),
  });
  // Kills only, redelivered 10 simulated minutes later (still the same slot): a repository
  // written by the killed attempt may have left the top N by the time the retry runs.
  const late =
    LATE_SLOTS > 0
      ? await runSoak({
          slots: LATE_SLOTS,
          top: TOP,
          seed: 4,
          killShare: 0.6,
          redeliveryDelaySeconds: 600,
          maxDeliveries: 20,
          onSlot: progress('late redelivery soak'),
        })
      : undefined;
  return { faults, hostile, late };
}

async function exportKills(tmp: string): Promise<ExportKillFigures> {
  const dynamo = await startTestDynamo();
  try {
    const repos = 200;
    await putRows(dynamo.client, makeRows(repos, Math.max(1, Math.ceil(EXPORT_ROWS / repos))));
    log(`export: ${fmt(EXPORT_ROWS)} rows in dynalite, ${KILLS} kills`);
    return await exportWithKills({
      endpoint: dynamo.endpoint,
      table: STARS_TABLE,
      out: path.join(tmp, 'export.csv'),
      kills: KILLS,
      pageSize: 40,
      random: seededRandom(23),
      client: dynamo.client,
    });
  } finally {
    await dynamo.close();
  }
}

async function loadInterrupts(tmp: string): Promise<LoadInterruptFigures> {
  const figures: LoadInterruptFigures = { tries: 0, databaseChanged: 0, rerunsComplete: 0 };
  if (LOAD_INTERRUPTS === 0) return figures;
  const schema = await freshSchema('bench_rel');
  const admin = await connectPostgres(schema.url);
  try {
    const big = path.join(tmp, 'big.csv');
    writeFileSync(
      big,
      makeRows(500, 400)
        .map((r) => `${r.repo},${r.ts},${r.stars}\n`)
        .join(''),
    );
    for (let i = 0; i < LOAD_INTERRUPTS; i++) {
      for (const how of ['kill', 'terminate'] as const) {
        for (const seeded of [false, true]) {
          await admin.exec('drop table if exists github_stars');
          await admin.exec(sqlFile('schema.sql'));
          if (seeded) {
            const seed = path.join(tmp, 'seed.csv');
            writeFileSync(
              seed,
              makeRows(30, 10, 1_545_000_000)
                .map((r) => `${r.repo},${r.ts},${r.stars}\n`)
                .join(''),
            );
            await loadBatches(admin, readCsvBatches(seed));
          }
          const before = await starsState(admin);
          figures.tries += 1;
          await interruptLoadCli({
            admin,
            url: schema.url,
            file: big,
            tag: `bench_rel_${process.pid}_${how}_${i}_${seeded}`,
            how,
            delayMs: 20 * i,
          });
          if ((await starsState(admin)) !== before) figures.databaseChanged += 1;
          const rerun = await loadBatches(admin, readCsvBatches(big));
          if (rerun.rowsLoaded === 200_000) figures.rerunsComplete += 1;
        }
      }
      log(`load interruptions: ${figures.tries}`);
    }
  } finally {
    await admin.close();
    await schema.drop();
  }
  return figures;
}

async function corpusOn(
  name: string,
  open: () => Promise<{ db: Database; done: () => Promise<void> }>,
  tmp: string,
): Promise<CorpusFigures> {
  const { db, done } = await open();
  try {
    const good = path.join(tmp, `good-${name}.csv`);
    writeFileSync(
      good,
      makeRows(20, 15)
        .map((r) => `${r.repo},${r.ts},${r.stars}\n`)
        .join(''),
    );
    await loadBatches(db, readCsvBatches(good));
    log(`corpus: ${fmt(CORPUS)} inputs into ${name}`);
    return await runCorpus(db, badCsvCorpus(CORPUS, 7), path.join(tmp, `bad-${name}.csv`));
  } finally {
    await done();
  }
}

type PairKind = 'load+load' | 'load+analyze' | 'demo+export' | 'demo+collect';

interface PairOutcome {
  kind: PairKind;
  /** Anything not as it should be (a command failing where it should succeed or refuse in one line, a server left running). */
  problems: string[];
  /** The store not what the commands' exit codes claim, or a command reporting half a table. */
  corrupt: string[];
  /** The second command refused in one line (the demo pairs), rather than sharing the server. */
  refused?: boolean;
  /** load + analyze: analyze during the load printed the finished table's figures (else: no table yet). */
  sawTable?: boolean;
  serverLeft?: number;
}

interface ConcurrentFigures {
  tried: number;
  /** Pairs whose store was corrupted or silently diverged (judged against the inputs). */
  corrupted: number;
  /** Pairs with any problem: corrupted, or failing loudly where the design says share or refuse. */
  withProblems: number;
  byKind: Partial<Record<PairKind, { tried: number; corrupted: number; withProblems: number }>>;
  refusedInOneLine: number;
  /** load + analyze pairs whose analyze ran after the load's commit (the rest found no table yet). */
  analyzeSawTable: number;
  serversLeftRunning: number;
  failures: PairOutcome[];
  seconds: number;
}

/** Which pairs to try: per 10, one demo (tried with export, then collect), 3 load + analyze, the rest load + load. */
function concurrentSchedule(pairs: number): ('load+load' | 'load+analyze' | 'demo')[] {
  const demos = Math.floor(pairs / 10);
  const rest = pairs - 2 * demos;
  const analyze = Math.floor(rest * 0.4);
  return [
    ...Array<'load+load'>(rest - analyze).fill('load+load'),
    ...Array<'load+analyze'>(analyze).fill('load+analyze'),
    ...Array<'demo'>(demos).fill('demo'),
  ];
}

const writeCsv = (file: string, rows: ReturnType<typeof makeRows>) => {
  writeFileSync(file, rows.map((r) => `${r.repo},${r.ts},${r.stars}\n`).join(''));
  return file;
};

/**
 * Two loads of overlapping slices of one random table; every other pair on a directory whose
 * server and table already exist (the merge path), the others on a fresh one (both race to
 * create the server, then to bulk-load the empty table).
 */
async function loadLoadPair(i: number, dir: string, random: () => number): Promise<PairOutcome[]> {
  const dataDir = reachableTempDir(path.join(dir, 'data-'));
  const repos = 20 + Math.floor(random() * 40);
  const slots = 100 + Math.floor(random() * 300);
  const all = makeRows(repos, slots);
  const slice = (from: number, to: number) =>
    all.filter((r) => r.ts >= all[0]!.ts + from * 900 && r.ts < all[0]!.ts + to * 900);
  const cutA = Math.floor(slots * (0.4 + 0.5 * random()));
  const cutB = Math.floor(cutA * random());
  const files: [string, string] = [
    writeCsv(path.join(dir, 'first.csv'), slice(0, cutA)),
    writeCsv(path.join(dir, 'second.csv'), slice(cutB, slots)),
  ];
  const already: string[] = [];
  if (i % 2 === 1) {
    const seed = writeCsv(path.join(dir, 'seed.csv'), slice(Math.floor(slots * 0.3), Math.floor(slots * 0.7)));
    const seeded = await runCommand('etl/load/load-cli.ts', ['--file', seed], {
      DATABASE_URL: '',
      STARTRAIL_DATA_DIR: dataDir,
    });
    if (seeded.code !== 0)
      return [
        { kind: 'load+load', problems: [`seed load exited ${seeded.code}: ${seeded.stderr.trim()}`], corrupt: [] },
      ];
    already.push(seed);
  }
  const batchRows = [1000, 5000, 50_000][Math.floor(random() * 3)]!;
  const r = await loadTwoAtOnce(dataDir, files, already, ['--batch-rows', String(batchRows)]);
  return [{ kind: 'load+load', problems: r.problems, corrupt: r.corrupt, serverLeft: r.serverLeft }];
}

async function concurrentPair(
  kind: 'load+load' | 'load+analyze' | 'demo',
  i: number,
  dir: string,
  random: () => number,
): Promise<PairOutcome[]> {
  if (kind === 'load+load') return loadLoadPair(i, dir, random);
  if (kind === 'load+analyze') {
    const r = await loadWhileAnalyzing(reachableTempDir(path.join(dir, 'data-')), REAL_CSV_GZ, {
      delayMs: [0, 500, 1500][i % 3],
    });
    return [
      { kind, problems: r.problems, corrupt: r.corrupt, sawTable: r.during.code === 0, serverLeft: r.serverLeft },
    ];
  }
  const r = await demoWithOthers(dir, reachableTempDir(path.join(dir, 'demo-')), { days: 3, top: 100 });
  // A broken demo or store counts against both pairs; a bad refusal only against its own.
  return r.others.map(({ name, problems }) => ({
    kind: `demo+${name}` as const,
    problems: [...problems, ...r.problems],
    corrupt: r.corrupt,
    refused: problems.length === 0,
    serverLeft: r.serverLeft,
  }));
}

function tally(figures: ConcurrentFigures, o: PairOutcome): void {
  figures.byKind[o.kind] ??= { tried: 0, corrupted: 0, withProblems: 0 };
  const byKind = figures.byKind[o.kind]!;
  byKind.tried += 1;
  figures.tried += 1;
  if (o.refused) figures.refusedInOneLine += 1;
  if (o.sawTable) figures.analyzeSawTable += 1;
  if (o.serverLeft) figures.serversLeftRunning += 1;
  if (o.corrupt.length) {
    byKind.corrupted += 1;
    figures.corrupted += 1;
  }
  if (o.problems.length || o.corrupt.length) {
    byKind.withProblems += 1;
    figures.withProblems += 1;
    figures.failures.push(o);
  }
}

async function concurrentCommands(tmp: string): Promise<ConcurrentFigures> {
  const started = performance.now();
  const random = seededRandom(29);
  const figures: ConcurrentFigures = {
    tried: 0,
    corrupted: 0,
    withProblems: 0,
    byKind: {},
    refusedInOneLine: 0,
    analyzeSawTable: 0,
    serversLeftRunning: 0,
    failures: [],
    seconds: 0,
  };
  for (const [i, kind] of concurrentSchedule(CONCURRENT).entries()) {
    const dir = reachableTempDir(path.join(tmp, `concurrent-${i}-`));
    let outcomes: PairOutcome[];
    try {
      outcomes = await concurrentPair(kind, i, dir, random);
    } catch (error) {
      // A runner that throws (a table that is not there, a store that will not open) leaves the
      // store unverified: counted as corrupted, never as a skip.
      const kinds: PairKind[] = kind === 'demo' ? ['demo+export', 'demo+collect'] : [kind];
      const why = [`could not be checked: ${(error as Error).message}`];
      outcomes = kinds.map((k) => ({ kind: k, problems: why, corrupt: why }));
    }
    for (const o of outcomes) tally(figures, o);
    log(
      `concurrent commands: ${figures.tried} pairs (${kind}), ${figures.corrupted} corrupted, ${figures.withProblems} with problems`,
    );
    rmSync(dir, { recursive: true, force: true });
  }
  figures.seconds = (performance.now() - started) / 1000;
  return figures;
}

interface TokenFigures {
  cases: EchoCase[];
  /** Echo modes whose answer, asked directly, really carried the token. */
  echoesConfirmed: number;
  /** Command outputs and store contents (DynamoDB polls, polls CSV, PostgreSQL polls). */
  outputsSearched: number;
  filesSearched: number;
  bytesSearched: number;
  leaks: number;
  leakedIn: string[];
  /** Cases whose collect failed (exit 1) saying what happened. */
  casesSaid: number;
  pipelineOk: boolean;
  searchSelfTest: boolean;
  seconds: number;
}

async function tokenLeaks(tmp: string): Promise<TokenFigures> {
  const started = performance.now();
  const token = makeToken();
  // Against anything but --simulate collect polls the slot of now: the simulator follows real time.
  const sim = await startGitHubSimulator({
    seed: 5,
    reposPerLanguage: 200,
    token,
    start: Date.now() - 86_400_000,
    clock: () => Date.now(),
  });
  try {
    // The API really echoes it, asked directly: else "no leak" would prove nothing.
    let echoesConfirmed = 0;
    for (const mode of ECHO_TOKEN_MODES) {
      sim.setFaults({ echoToken: mode });
      if ((await askSimulator(sim, token)).text.includes(token)) echoesConfirmed += 1;
    }
    sim.setFaults({});
    const dir = reachableTempDir(path.join(tmp, 'secrets-'));
    // The load goes into the embedded server here, so its files on disk are searched too.
    mkdirSync(path.join(dir, 'data'));
    chmodSync(path.join(dir, 'data'), 0o755);
    const cases: EchoCase[] = [...ECHO_TOKEN_MODES, 'refused'];
    const s = await echoScenario({ sim, token, dir, cases });
    const files = filesUnder(dir);
    const searched = [...s.outputs, ...s.stored.texts, ...files];
    const leakedIn = searched.filter(([, text]) => leaks(text, token)).map(([name]) => name);
    const pipelineOk =
      s.good.code === 0 && s.exported.code === 0 && s.loaded.code === 0 && s.stored.items === 1 + cases.length;
    log(`token: ${searched.length} outputs and files searched, ${leakedIn.length} leaks`);
    return {
      cases,
      echoesConfirmed,
      outputsSearched: s.outputs.length + s.stored.texts.length,
      filesSearched: files.length,
      bytesSearched: searched.reduce((n, [, text]) => n + text.length, 0),
      leaks: leakedIn.length,
      leakedIn,
      casesSaid: s.cases.filter(({ mode, run }) => run.code === 1 && SAYS[mode].test(run.output)).length,
      pipelineOk,
      // A planted 12-character piece is found and clean text is not: a broken search would say 0 forever.
      searchSelfTest: leaks(`x${token.slice(20, 32)}x`, token) && !leaks('x'.repeat(64), token),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await sim.close();
  }
}

interface ConfigFigures {
  tried: number;
  skipped: number;
  answered: number;
  failures: { title: string; problems: string[]; stderr: string }[];
  seconds: number;
}

async function configMistakes(tmp: string): Promise<ConfigFigures> {
  const started = performance.now();
  const lab = createLab(reachableTempDir(path.join(tmp, 'config-')));
  const canMount = probeReadOnlyMount();
  const all = CONFIG_MISTAKES.flatMap((group) => group.mistakes);
  const runnable = all.filter((m) => canMount || !m.needsReadOnlyMount);
  // The lab runs two CLIs at a time however many are asked for.
  const results = await Promise.all(runnable.map(async (m) => ({ title: m.title, ...(await tryMistake(m, lab)) })));
  const failures = results
    .filter((r) => r.problems.length > 0)
    .map((r) => ({ title: r.title, problems: r.problems, stderr: r.result.stderr.slice(0, 1000) }));
  log(`configuration mistakes: ${runnable.length} tried, ${failures.length} not answered in one clear line`);
  return {
    tried: runnable.length,
    skipped: all.length - runnable.length,
    answered: results.length - failures.length,
    failures,
    seconds: (performance.now() - started) / 1000,
  };
}

interface CarelessFigures {
  concurrent: ConcurrentFigures;
  tokens: TokenFigures;
  config: ConfigFigures;
}

async function careless(tmp: string): Promise<CarelessFigures> {
  const concurrent = await concurrentCommands(tmp);
  const tokens = await tokenLeaks(tmp);
  const config = await configMistakes(tmp);
  return { concurrent, tokens, config };
}

function carelessRows({ concurrent: c, tokens: t, config: m }: CarelessFigures): string[] {
  const mb = (t.bytesSearched / 2 ** 20).toFixed(1);
  return [
    `| concurrent commands on one data directory: tried / corrupted or silently diverged | ${fmt(c.tried)} / ${fmt(c.corrupted)} | 0 |`,
    `| concurrent commands: pairs where a command failed loudly instead of sharing the server or refusing in one line (store intact) | ${fmt(c.withProblems - c.corrupted)} | 0 |`,
    `| token echoed by the API: outputs searched / leaks | ${fmt(t.outputsSearched)} outputs + ${fmt(t.filesSearched)} files (${mb} MiB) / ${fmt(t.leaks)} | 0 |`,
    `| configuration mistakes: tried / answered with one clear line naming the setting | ${fmt(m.tried)} / ${fmt(m.answered)} | all |`,
  ];
}

/** What the three careless-use rows rest on, in a sentence each. */
function carelessNote({ concurrent: c, tokens: t, config: m }: CarelessFigures): string {
  const kinds = Object.entries(c.byKind)
    .map(([k, v]) => `${v.tried} ${k}`)
    .join(', ');
  return (
    `Careless use: the pairs were ${kinds || 'none'}; the second command refused in one line ${c.refusedInOneLine} times, ` +
    `the others shared the server (analyze during a load saw the finished table ${c.analyzeSawTable} times, no table yet otherwise); ` +
    `embedded servers left running after both ended: ${c.serversLeftRunning}. ` +
    `Token: ${t.cases.length} cases (${t.cases.join(', ')}), the simulator's echo confirmed for ${t.echoesConfirmed}/${ECHO_TOKEN_MODES.length} modes, ` +
    `${t.casesSaid}/${t.cases.length} collects failed saying what happened, collect -> export -> load ${t.pipelineOk ? 'complete' : 'INCOMPLETE'}, ` +
    `leak search self-test ${t.searchSelfTest ? 'passed' : 'FAILED'}. ` +
    `Configuration mistakes: ${m.skipped ? `${m.skipped} skipped (no read-only mount can be made here)` : 'none skipped (the read-only file system cases ran too)'}. ` +
    `Took ${c.seconds.toFixed(1)} s, ${t.seconds.toFixed(1)} s and ${m.seconds.toFixed(1)} s.`
  );
}

export async function run(): Promise<BenchResult> {
  const tmp = reachableTempDir('bench-reliability-');
  try {
    const started = performance.now();
    const { faults, hostile, late } = await soak();
    const exported = await exportKills(tmp);
    const loads = await loadInterrupts(tmp);
    const embedded = await corpusOn(
      'the embedded server',
      async () => {
        const db = await openDatabase({ dataDir: reachableTempDir(path.join(tmp, 'embedded-')), log: () => {} });
        return { db, done: () => db.close() };
      },
      tmp,
    );
    const server = await corpusOn(
      'server',
      async () => {
        const schema = await freshSchema('bench_rel_bad');
        const db = await connectPostgres(schema.url);
        return {
          db,
          done: async () => {
            await db.close();
            await schema.drop();
          },
        };
      },
      tmp,
    );
    const carelessUse = await careless(tmp);
    const seconds = (performance.now() - started) / 1000;

    const f = faults.faults;
    const reasons = Object.entries(faults.pollsNotOk)
      .map(([k, v]) => `${v} × ${k}`)
      .join('; ');
    const lines = [
      '| faults injected | count |',
      '| --- | ---: |',
      `| GitHub 502 answers | ${fmt(f.github502)} |`,
      `| GitHub secondary rate limits (403/429, retry-after 0-1 s) | ${fmt(f.githubSecondary)} |`,
      `| GitHub answers slower than the 150 ms client timeout | ${fmt(f.githubTimeouts)} |`,
      `| DynamoDB BatchWriteItem throttled (400) | ${fmt(f.dynamoThrottled)} |`,
      `| DynamoDB BatchWriteItem 500 | ${fmt(f.dynamo500)} |`,
      `| DynamoDB items returned as UnprocessedItems | ${fmt(f.dynamoUnprocessedItems)} |`,
      `| collector invocations killed after a partial write | ${fmt(f.kills)} |`,
      `| hostile GitHub data: repositories rejected (bad names, absurd stars) | ${fmt(hostile.rejectedRecorded)} |`,
      `| export SIGKILLs (random points) | ${fmt(exported.kills)} (${exported.killsBeforeProgress} before any new checkpoint) |`,
      `| load killed / connection terminated mid-COPY | ${fmt(loads.tries)} |`,
      `| malformed CSV inputs (embedded + server) | ${fmt(embedded.tried + server.tried)} |`,
      '',
      '| outcome | figure | goal |',
      '| --- | ---: | ---: |',
      `| slots expected / complete | ${fmt(faults.slots)} / ${fmt(faults.slotsComplete)} | all |`,
      `| deliveries (redeliveries) | ${fmt(faults.deliveries)} (${fmt(faults.redeliveries)}) | |`,
      `| rows expected (simulator's true top ${TOP} per slot) | ${fmt(faults.rowsExpected)} | |`,
      `| rows stored | ${fmt(faults.rowsStored)} | = expected |`,
      `| rows lost | ${fmt(faults.rowsLost)} | 0 |`,
      `| duplicates (a row outside its slot's true top N, or a key twice) | ${fmt(faults.duplicates)} | 0 |`,
      `| slots whose row count is not exactly N | ${fmt(faults.slotsWrongCount)} | 0 |`,
      `| final poll records | ${Object.entries(faults.pollsFinal)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ')} | all ok |`,
      `| poll records written partial/failed along the way (then retried) | ${reasons || 'none'} | visible |`,
      `| hostile soak: slots complete; rows stored + rejected = expected | ${hostile.slotsComplete}/${hostile.slots}; ${fmt(hostile.rowsStored)} + ${fmt(hostile.rejectedRecorded)} = ${fmt(hostile.rowsExpected)} | equal |`,
      `| hostile soak: invalid rows stored, duplicates, silent gaps | ${hostile.invalidRows}, ${hostile.duplicates}, ${hostile.silentGaps} | 0, 0, 0 |`,
      ...(late
        ? [
            `| late redelivery (kills retried 10 min later): slots, kills, rows expected / stored | ${fmt(late.slots)}, ${fmt(late.killed)}, ${fmt(late.rowsExpected)} / ${fmt(late.rowsStored)} | |`,
            `| late redelivery: rows lost, stale rows left by the killed attempt (slot holds N+1) | ${late.rowsLost}, ${late.duplicates} | 0, 0 |`,
            `| late redelivery: rows a killed attempt wrote for names no longer in the snapshot, removed by the redelivery | ${fmt(late.staleRemoved)} | |`,
            `| late redelivery: slots never completed (every delivery killed), recorded failed / silent | ${late.slots - late.slotsComplete - late.silentGaps} / ${late.silentGaps} | all / 0 |`,
          ]
        : []),
      `| export: kills, resumes | ${exported.kills}, ${exported.resumes} | |`,
      `| export: rows in table / in CSV, missing, duplicated, extra | ${fmt(exported.rowsInTable)} / ${fmt(exported.rowsInCsv)}, ${exported.missing}, ${exported.duplicates}, ${exported.extra} | equal, 0, 0, 0 |`,
      `| load interrupted: database changed, reruns complete | ${loads.databaseChanged}, ${loads.rerunsComplete}/${loads.tries} | 0, all |`,
      `| malformed inputs tried (embedded / server) | ${fmt(embedded.tried)} / ${fmt(server.tried)} | ≥ 1,000 each |`,
      `| rejected with the planted line number | ${fmt(embedded.rejectedWithLine)} / ${fmt(server.rejectedWithLine)} | all |`,
      `| accepted, or rejected naming another line | ${embedded.accepted + embedded.wrongLine.length} / ${server.accepted + server.wrongLine.length} | 0 |`,
      `| database changed (times) | ${embedded.databaseChanged} / ${server.databaseChanged} | 0 |`,
      ...carelessRows(carelessUse),
      '',
      `Soak: ${fmt(faults.slots)} slots in ${faults.seconds.toFixed(1)} s (${fmt(faults.githubRequests)} GitHub requests); ` +
        `export with kills ${exported.seconds.toFixed(1)} s; everything ${seconds.toFixed(1)} s.`,
      '',
      carelessNote(carelessUse),
    ];
    return {
      markdown: lines.join('\n'),
      data: {
        knobs: { SLOTS, TOP, KILLS, EXPORT_ROWS, CORPUS, LOAD_INTERRUPTS, LATE_SLOTS, CONCURRENT },
        faults,
        hostile,
        late,
        exported,
        loads,
        embedded,
        server,
        careless: carelessUse,
        seconds,
      },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
