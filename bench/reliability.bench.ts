// Issue 7 in figures: the whole pipeline under faults, bad input and abuse.
//  - collector soak: the real handler for BENCH_RELIABILITY_SLOTS consecutive slots against the
//    simulator (20% 502s, 5% secondary rate limits, 5% answers slower than the client timeout)
//    with DynamoDB throttling, 500s and UnprocessedItems through a real HTTP fault proxy, 10% of
//    invocations killed after a partial write and delivered again; then the simulator's hostile
//    data for a tenth as many slots;
//  - export SIGKILLed at BENCH_RELIABILITY_KILLS random points and resumed;
//  - load killed and its connection terminated mid-COPY (server);
//  - BENCH_RELIABILITY_CORPUS malformed CSVs on the embedded server and the system server.
//
// Knobs: BENCH_RELIABILITY_SLOTS (default 2000), BENCH_RELIABILITY_TOP (100),
// BENCH_RELIABILITY_KILLS (20), BENCH_RELIABILITY_EXPORT_ROWS (60000),
// BENCH_RELIABILITY_CORPUS (1000), BENCH_RELIABILITY_LOAD_INTERRUPTS (2 of each kind),
// BENCH_RELIABILITY_LATE_SLOTS (300: kills redelivered 10 simulated minutes later, when the
// top N may have changed members in between).
// The PostgreSQL server is DATABASE_URL or 127.0.0.1:5432/test, as for the tests.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connectPostgres, type Database, openDatabase } from '../core/database.js';
import { sqlFile } from '../core/sql-file.js';
import { loadBatches } from '../etl/load.js';
import { readCsvBatches } from '../etl/read-csv.js';
import { makeRows, putRows, STARS_TABLE, startTestDynamo } from '../test/helpers/etl-fixtures.js';
import { freshSchema } from '../test/helpers/postgres.js';
import { badCsvCorpus } from '../test/helpers/reliability-corpus.js';
import { reachableTempDir } from '../test/helpers/temp-dir.js';
import { type CorpusFigures, runCorpus, starsState } from '../test/helpers/reliability-db.js';
import { type ExportKillFigures, exportWithKills, interruptLoadCli } from '../test/helpers/reliability-etl.js';
import { runSoak, type SoakFigures } from '../test/helpers/reliability-soak.js';
import type { BenchResult } from './run.js';
import { seededRandom } from '../test/helpers/random.js';

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
      ? await runSoak({ slots: LATE_SLOTS, top: TOP, seed: 4, killShare: 0.6, redeliveryDelaySeconds: 600, maxDeliveries: 20, onSlot: progress('late redelivery soak') })
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
    writeFileSync(big, makeRows(500, 400).map((r) => `${r.repo},${r.ts},${r.stars}\n`).join(''));
    for (let i = 0; i < LOAD_INTERRUPTS; i++) {
      for (const how of ['kill', 'terminate'] as const) {
        for (const seeded of [false, true]) {
          await admin.exec('drop table if exists github_stars');
          await admin.exec(sqlFile('schema.sql'));
          if (seeded) {
            const seed = path.join(tmp, 'seed.csv');
            writeFileSync(seed, makeRows(30, 10, 1_545_000_000).map((r) => `${r.repo},${r.ts},${r.stars}\n`).join(''));
            await loadBatches(admin, readCsvBatches(seed));
          }
          const before = await starsState(admin);
          figures.tries += 1;
          await interruptLoadCli({ admin, url: schema.url, file: big, tag: `bench_rel_${process.pid}_${how}_${i}_${seeded}`, how, delayMs: 20 * i });
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

async function corpusOn(name: string, open: () => Promise<{ db: Database; done: () => Promise<void> }>, tmp: string): Promise<CorpusFigures> {
  const { db, done } = await open();
  try {
    const good = path.join(tmp, `good-${name}.csv`);
    writeFileSync(good, makeRows(20, 15).map((r) => `${r.repo},${r.ts},${r.stars}\n`).join(''));
    await loadBatches(db, readCsvBatches(good));
    log(`corpus: ${fmt(CORPUS)} inputs into ${name}`);
    return await runCorpus(db, badCsvCorpus(CORPUS, 7), path.join(tmp, `bad-${name}.csv`));
  } finally {
    await done();
  }
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
      `| final poll records | ${Object.entries(faults.pollsFinal).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')} | all ok |`,
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
      '',
      `Soak: ${fmt(faults.slots)} slots in ${faults.seconds.toFixed(1)} s (${fmt(faults.githubRequests)} GitHub requests); ` +
        `export with kills ${exported.seconds.toFixed(1)} s; everything ${seconds.toFixed(1)} s.`,
    ];
    return { markdown: lines.join('\n'), data: { knobs: { SLOTS, TOP, KILLS, EXPORT_ROWS, CORPUS, LOAD_INTERRUPTS, LATE_SLOTS }, faults, hostile, late, exported, loads, embedded, server, seconds } };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
