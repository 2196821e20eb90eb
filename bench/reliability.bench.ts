// Issue 7 in figures: the whole pipeline under faults, bad input and abuse.
//  - collector soak: the real handler for BENCH_RELIABILITY_SLOTS consecutive slots against the
//    simulator (20% 502s, 5% secondary rate limits, 5% answers slower than the client timeout)
//    with DynamoDB throttling, 500s and UnprocessedItems through a real HTTP fault proxy, 10% of
//    invocations killed after a partial write and delivered again; then the simulator's hostile
//    data for a tenth as many slots;
//  - export SIGKILLed at BENCH_RELIABILITY_KILLS random points and resumed;
//  - load killed and its connection terminated mid-COPY (server);
//  - BENCH_RELIABILITY_CORPUS malformed CSVs on the embedded server and the system server;
//  - careless use (bench/reliability-careless.ts): BENCH_RELIABILITY_CONCURRENT pairs of commands at once on one data directory
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
// The PostgreSQL server is DATABASE_URL, which must be set (the tests' schemas are made there).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { connectPostgres, type Database } from '../core/database.js';
import { sqlFile } from '../core/sql-file.js';
import { readCsvBatches } from '../etl/formats/read-csv.js';
import { loadBatches } from '../etl/load/load.js';
import { type OpenedDatabase, openEmbeddedIn, openServerSchema } from '../test/helpers/both-databases.js';
import { makeRows, putRows, STARS_TABLE, startTestDynamo } from '../test/helpers/etl-fixtures.js';
import { freshSchema } from '../test/helpers/postgres.js';
import { seededRandom } from '../test/helpers/random.js';
import { badCsvCorpus } from '../test/helpers/reliability-corpus.js';
import { type CorpusFigures, runCorpus, starsState } from '../test/helpers/reliability-db.js';
import { type ExportKillFigures, exportWithKills, interruptLoadCli } from '../test/helpers/reliability-etl.js';
import { runSoak, type SoakFigures } from '../test/helpers/reliability-soak.js';
import { writeRowsCsv } from '../test/helpers/rows-csv.js';
import { SOAK_FAULTS } from '../test/helpers/soak-faults.js';
import { reachableTempDir } from '../test/helpers/temp-dir.js';
import { knob } from './knob.js';
import { type CarelessFigures, careless, carelessNote, carelessRows } from './reliability-careless.js';
import type { BenchResult } from './run.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const title = 'Reliability: faults injected, rows kept, bad input rejected';

const SLOTS = knob('BENCH_RELIABILITY_SLOTS', 2000, 0);
const TOP = knob('BENCH_RELIABILITY_TOP', 100, 0);
const KILLS = knob('BENCH_RELIABILITY_KILLS', 20, 0);
const EXPORT_ROWS = knob('BENCH_RELIABILITY_EXPORT_ROWS', 60_000, 0);
const CORPUS = knob('BENCH_RELIABILITY_CORPUS', 1000, 0);
const LOAD_INTERRUPTS = knob('BENCH_RELIABILITY_LOAD_INTERRUPTS', 2, 0);
const LATE_SLOTS = knob('BENCH_RELIABILITY_LATE_SLOTS', 300, 0);
const CONCURRENT = knob('BENCH_RELIABILITY_CONCURRENT', 10, 0);

const fmt = (n: number) => n.toLocaleString('en-US');
const log = (text: string) => process.stderr.write(`reliability: ${text}\n`);

interface SoakRuns {
  faults: SoakFigures;
  hostile: SoakFigures;
  late?: SoakFigures;
}

async function soak(): Promise<SoakRuns> {
  const progress = (label: string) => (done: number, total: number) => {
    if (done % 250 === 0 || done === total) log(`${label}: ${done}/${total} slots`);
  };
  const faults = await runSoak({ slots: SLOTS, top: TOP, seed: 17, ...SOAK_FAULTS, onSlot: progress('soak') });
  const hostile = await runSoak({
    slots: Math.max(1, Math.round(SLOTS / 10)),
    top: TOP,
    seed: 19,
    error502: 0.1,
    unprocessedShare: 0.2,
    // No answer given up on: the simulator's ledger, which judges the rejections, counts what it served.
    timeoutMs: 10_000,
    hostile: {
      badNameShare: 0.02,
      badStarsShare: 0.02,
      duplicateNodeShare: 0.005,
      truncatePageShare: 0.1,
      incompleteShare: 0.05,
    },
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

interface LoadInterruptFigures {
  tries: number;
  databaseChanged: number;
  rerunsComplete: number;
}

/** One interrupted load of `big` into a fresh table (empty, or `seeded` with rows), then a full rerun. */
async function interruptOnce(
  admin: Database,
  url: string,
  files: { big: string; seed: string },
  trial: { i: number; how: 'kill' | 'terminate'; seeded: boolean },
  figures: LoadInterruptFigures,
): Promise<void> {
  const { i, how, seeded } = trial;
  await admin.exec('drop table if exists github_stars');
  await admin.exec(sqlFile('schema.sql'));
  if (seeded) await loadBatches(admin, readCsvBatches(writeRowsCsv(files.seed, makeRows(30, 10, 1_545_000_000))));
  const before = await starsState(admin);
  figures.tries += 1;
  await interruptLoadCli({
    admin,
    url,
    file: files.big,
    tag: `bench_rel_${process.pid}_${how}_${i}_${seeded}`,
    how,
    delayMs: 20 * i,
  });
  if ((await starsState(admin)) !== before) figures.databaseChanged += 1;
  const rerun = await loadBatches(admin, readCsvBatches(files.big));
  if (rerun.rowsLoaded === 200_000) figures.rerunsComplete += 1;
}

/** The load CLI killed, or its connection terminated, mid-COPY, LOAD_INTERRUPTS times each way. */
async function loadInterrupts(tmp: string): Promise<LoadInterruptFigures> {
  const figures: LoadInterruptFigures = { tries: 0, databaseChanged: 0, rerunsComplete: 0 };
  if (LOAD_INTERRUPTS === 0) return figures;
  const schema = await freshSchema('bench_rel');
  const admin = await connectPostgres(schema.url);
  try {
    const files = {
      big: writeRowsCsv(path.join(tmp, 'big.csv'), makeRows(500, 400)),
      seed: path.join(tmp, 'seed.csv'),
    };
    for (let i = 0; i < LOAD_INTERRUPTS; i++) {
      for (const how of ['kill', 'terminate'] as const) {
        for (const seeded of [false, true]) await interruptOnce(admin, schema.url, files, { i, how, seeded }, figures);
      }
      log(`load interruptions: ${figures.tries}`);
    }
  } finally {
    await admin.close();
    await schema.drop();
  }
  return figures;
}

/** CORPUS malformed CSVs into a table already holding good rows. */
async function corpusOn(name: string, open: () => Promise<OpenedDatabase>, tmp: string): Promise<CorpusFigures> {
  const { db, done } = await open();
  try {
    await loadBatches(db, readCsvBatches(writeRowsCsv(path.join(tmp, `good-${name}.csv`), makeRows(20, 15))));
    log(`corpus: ${fmt(CORPUS)} inputs into ${name}`);
    return await runCorpus(db, badCsvCorpus(CORPUS, 7), path.join(tmp, `bad-${name}.csv`));
  } finally {
    await done();
  }
}

async function measure(tmp: string): Promise<Figures> {
  const started = performance.now();
  const { faults, hostile, late } = await soak();
  const exported = await exportKills(tmp);
  const loads = await loadInterrupts(tmp);
  const embedded = await corpusOn('the embedded server', () => openEmbeddedIn(tmp, () => {}), tmp);
  const server = await corpusOn('server', () => openServerSchema('bench_rel_bad'), tmp);
  const carelessUse = await careless(tmp, CONCURRENT);
  const seconds = (performance.now() - started) / 1000;
  return { faults, hostile, late, exported, loads, embedded, server, careless: carelessUse, seconds };
}

/** Everything measured (`measure` returns it in the order the JSON keeps). */
interface Figures extends SoakRuns {
  /** All of it, wall time. */
  seconds: number;
  exported: ExportKillFigures;
  loads: LoadInterruptFigures;
  /** The malformed-CSV corpus on the embedded server, then on the PostgreSQL server. */
  embedded: CorpusFigures;
  server: CorpusFigures;
  careless: CarelessFigures;
}

/** What was done to the pipeline, by kind. */
function faultRows({ faults, hostile, exported, loads, embedded, server }: Figures): string[] {
  const f = faults.faults;
  return [
    '| faults injected | count |',
    '| --- | ---: |',
    `| GitHub 502 answers | ${fmt(f.github502)} |`,
    `| GitHub secondary rate limits (403/429, retry-after 0-1 s) | ${fmt(f.githubSecondary)} |`,
    `| GitHub answers held back past the 150 ms client timeout (simulator's count) | ${fmt(f.githubTimeouts)} |`,
    `| DynamoDB BatchWriteItem throttled (400) | ${fmt(f.dynamoThrottled)} |`,
    `| DynamoDB BatchWriteItem 500 | ${fmt(f.dynamo500)} |`,
    `| DynamoDB items returned as UnprocessedItems | ${fmt(f.dynamoUnprocessedItems)} |`,
    `| collector invocations killed after a partial write | ${fmt(f.kills)} |`,
    `| hostile GitHub data: nodes garbled (bad names, absurd stars), searches timed out (simulator's ledger) | ${fmt(hostile.faults.hostileNodes)}, ${fmt(hostile.faults.searchesTimedOut)} |`,
    `| export SIGKILLs (random points) | ${fmt(exported.kills)} (${exported.killsBeforeProgress} before any new checkpoint) |`,
    `| load killed / connection terminated mid-COPY | ${fmt(loads.tries)} |`,
    `| malformed CSV inputs (embedded + server) | ${fmt(embedded.tried + server.tried)} |`,
  ];
}

/** The collector soaks' outcome: rows kept, none doubled, every slot accounted for. */
function soakRows({ faults, hostile }: SoakRuns): string[] {
  const reasons = Object.entries(faults.pollsNotOk)
    .map(([k, v]) => `${v} × ${k}`)
    .join('; ');
  const finalPolls = Object.entries(faults.pollsFinal)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');
  return [
    `| slots expected / complete | ${fmt(faults.slots)} / ${fmt(faults.slotsComplete)} | all |`,
    `| deliveries (redeliveries) | ${fmt(faults.deliveries)} (${fmt(faults.redeliveries)}) | |`,
    `| rows expected (simulator's true top ${TOP} per slot) | ${fmt(faults.rowsExpected)} | |`,
    `| rows stored | ${fmt(faults.rowsStored)} | = expected |`,
    `| rows lost | ${fmt(faults.rowsLost)} | 0 |`,
    `| rows outside their slot's true top N | ${fmt(faults.duplicates)} | 0 |`,
    `| slots whose row count is not exactly N | ${fmt(faults.slotsWrongCount)} | 0 |`,
    `| final poll records | ${finalPolls} | all ok |`,
    `| poll records written partial/failed along the way (then retried) | ${reasons || 'none'} | visible |`,
    `| hostile soak: slots complete; rows stored + top-N repositories the simulator garbled (its ledger) = true top N | ${hostile.slotsComplete}/${hostile.slots}; ${fmt(hostile.rowsStored)} + ${fmt(hostile.rejectedByInjector)} = ${fmt(hostile.rowsExpected)} | equal |`,
    `| hostile soak: rejected per the poll records / garbled per the simulator's ledger | ${fmt(hostile.rejectedRecorded)} / ${fmt(hostile.rejectedByInjector)} | equal |`,
    `| hostile soak: slots not exactly the true top N less the garbled, true rows lost | ${hostile.slotsWrongCount}, ${hostile.rowsLost} | 0, 0 |`,
    `| hostile soak: invalid rows stored, rows outside the true top N, silent gaps | ${hostile.invalidRows}, ${hostile.duplicates}, ${hostile.silentGaps} | 0, 0, 0 |`,
  ];
}

/** The late-redelivery soak's rows (none when BENCH_RELIABILITY_LATE_SLOTS is 0). */
function lateRows(late?: SoakFigures): string[] {
  if (!late) return [];
  return [
    `| late redelivery (kills retried 10 min later): slots, kills, rows expected / stored | ${fmt(late.slots)}, ${fmt(late.killed)}, ${fmt(late.rowsExpected)} / ${fmt(late.rowsStored)} | |`,
    `| late redelivery: rows lost, stale rows left by the killed attempt (slot holds N+1) | ${late.rowsLost}, ${late.duplicates} | 0, 0 |`,
    `| late redelivery: rows a killed attempt wrote for names no longer in the snapshot, removed by the redelivery | ${fmt(late.staleRemoved)} | |`,
    `| late redelivery: slots never completed (every delivery killed), recorded failed / silent | ${late.slots - late.slotsComplete - late.silentGaps} / ${late.silentGaps} | all / 0 |`,
  ];
}

/** Export resumed after kills, load interrupted, malformed input: nothing lost, nothing changed. */
function etlRows({ exported, loads, embedded, server }: Figures): string[] {
  return [
    `| export: kills, resumes | ${exported.kills}, ${exported.resumes} | |`,
    `| export: rows in table / in CSV, missing, duplicated, extra | ${fmt(exported.rowsInTable)} / ${fmt(exported.rowsInCsv)}, ${exported.missing}, ${exported.duplicates}, ${exported.extra} | equal, 0, 0, 0 |`,
    `| load interrupted: database changed, reruns complete | ${loads.databaseChanged}, ${loads.rerunsComplete}/${loads.tries} | 0, all |`,
    `| malformed inputs tried (embedded / server) | ${fmt(embedded.tried)} / ${fmt(server.tried)} | ≥ 1,000 each |`,
    `| rejected with the planted line number | ${fmt(embedded.rejectedWithLine)} / ${fmt(server.rejectedWithLine)} | all |`,
    `| accepted, or rejected naming another line | ${embedded.accepted + embedded.wrongLine.length} / ${server.accepted + server.wrongLine.length} | 0 |`,
    `| database changed (times) | ${embedded.databaseChanged} / ${server.databaseChanged} | 0 |`,
  ];
}

function report(figures: Figures): BenchResult {
  const { faults, exported, seconds } = figures;
  const lines = [
    ...faultRows(figures),
    '',
    '| outcome | figure | goal |',
    '| --- | ---: | ---: |',
    ...soakRows(figures),
    ...lateRows(figures.late),
    ...etlRows(figures),
    ...carelessRows(figures.careless),
    '',
    `Soak: ${fmt(faults.slots)} slots in ${faults.seconds.toFixed(1)} s (${fmt(faults.githubRequests)} GitHub requests); ` +
      `export with kills ${exported.seconds.toFixed(1)} s; everything ${seconds.toFixed(1)} s.`,
    '',
    carelessNote(figures.careless),
  ];
  const knobs = { SLOTS, TOP, KILLS, EXPORT_ROWS, CORPUS, LOAD_INTERRUPTS, LATE_SLOTS, CONCURRENT };
  return { markdown: lines.join('\n'), data: { knobs, ...figures } };
}

export async function run(): Promise<BenchResult> {
  const tmp = reachableTempDir('bench-reliability-');
  try {
    return report(await measure(tmp));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
