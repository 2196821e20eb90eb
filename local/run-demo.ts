// The whole pipeline offline: the GitHub simulator and the embedded DynamoDB feed the real
// collector handler slot by slot; then export, load into the embedded PostgreSQL server,
// the analyses and the report. Every stage is the one a deployment runs.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { runAnalysis } from '../analysis/queries/run-analysis.js';
import { buildReport } from '../analysis/report/report.js';
import { ensureDataDir } from '../core/data-dir.js';
import { openDatabase } from '../core/database.js';
import { type PollRecord, SLOT_SECONDS, slotOf, type Track } from '../core/domain.js';
import { errorClass } from '../core/errors.js';
import { createLogger, type Logger } from '../core/log.js';
import { createDynamoClient } from '../core/store/client.js';
import { embeddedDynamoDir, ensureTables, startEmbeddedDynamo } from '../core/store/embedded-store.js';
import { decodePollItem } from '../core/store/poll-item.js';
import { DEFAULT_POLLS_TABLE, DEFAULT_STARS_TABLE, type Item, POLLS_KEY } from '../core/store/tables.js';
import { exportStars } from '../etl/export/export.js';
import { readCsvBatches } from '../etl/formats/read-csv.js';
import { readSideFiles } from '../etl/formats/side-csv.js';
import { loadBatches } from '../etl/load/load.js';
import { createGitHubClient } from '../lambda/github-client.js';
import { createHandler } from '../lambda/handler.js';
import { type StartedSimulator, startGitHubSimulator } from './github-sim/index.js';
import { type PeakMemory, peakMemory } from './process-memory.js';

export interface DemoOptions {
  /** Simulated days to collect, from `start`. */
  days: number;
  top: number;
  seed: number;
  /** Start of the simulated period (the simulator's world starts here too). */
  start: Date;
  /** Throw away the previous demo's data first. */
  fresh: boolean;
  /** Where the demo keeps its DynamoDB, CSV and PostgreSQL database. */
  dataDir: string;
  reportDir: string;
  query: string;
}

export interface DemoStageReporter {
  stage(name: string): void;
  /** Slots done of slots to do (collection). */
  slots(done: number, total: number): void;
  /** Rows moved so far (export, load). */
  rows(stage: string, rows: number): void;
  done(): void;
}

export interface DemoSummary {
  polls: { total: number; collectedNow: number; reused: number; ok: number; partial: number; failed: number };
  rows: number;
  csv: string;
  reportHtml: string;
  pngs: number;
  totalGain: number;
  topMovers: { repo: string; starsPerDay: number }[];
  span: { from: string; to: string };
  seconds: { collect: number; export: number; load: number; report: number };
  /** Peak memory of Node and of the embedded server, measured at the end. */
  memory: PeakMemory;
}

/** The manifest that ties a demo data directory to the options that produced it. */
interface Manifest {
  seed: number;
  top: number;
  days: number;
  start: string;
  query: string;
}

export class DemoError extends errorClass('DEMO') {
  override readonly name = 'DemoError';
}

/**
 * Reuse or start clean, never half of each: the data directory remembers the options that
 * filled it; other options need --fresh, so one demo never mixes two simulated worlds.
 */
function prepareDataDir(options: DemoOptions): void {
  const manifestFile = path.join(options.dataDir, 'demo.json');
  const wanted: Manifest = {
    seed: options.seed,
    top: options.top,
    days: options.days,
    start: options.start.toISOString(),
    query: options.query,
  };
  if (options.fresh) rmSync(options.dataDir, { recursive: true, force: true });
  if (existsSync(manifestFile)) {
    const had = readManifest(manifestFile);
    const differs = (Object.keys(wanted) as (keyof Manifest)[]).filter((k) => had[k] !== wanted[k]);
    if (differs.length > 0) {
      const what = differs.map((k) => `${k} ${JSON.stringify(had[k])} -> ${JSON.stringify(wanted[k])}`).join(', ');
      throw new DemoError(
        `${options.dataDir} holds a demo made with other options (${what}); run with --fresh to start clean`,
      );
    }
  } else if (existsSync(options.dataDir)) {
    // A directory without a manifest is not ours to mix into.
    rmSync(options.dataDir, { recursive: true, force: true });
  }
  // Named and explained (read-only, no permission, a file in the way) before any stage starts.
  ensureDataDir(options.dataDir);
  writeFileSync(manifestFile, `${JSON.stringify(wanted, null, 2)}\n`);
}

function readManifest(file: string): Manifest {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (error) {
    throw new DemoError(
      `${file}: not a readable demo manifest (${(error as Error).message}); run with --fresh to start clean`,
    );
  }
}

/** Slots already collected completely in an earlier run of this demo. */
async function completedSlots(client: DynamoDBClient, track: string): Promise<Set<number>> {
  const done = new Set<number>();
  let key: Item | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: DEFAULT_POLLS_TABLE,
        KeyConditionExpression: '#track = :t',
        ExpressionAttributeNames: { '#track': POLLS_KEY.partition },
        ExpressionAttributeValues: { ':t': { S: track } },
        ExclusiveStartKey: key,
      }),
    );
    for (const item of page.Items ?? []) {
      const poll = decodePollItem(item, DEFAULT_POLLS_TABLE);
      if (poll.status === 'ok') done.add(poll.ts);
    }
    key = page.LastEvaluatedKey;
  } while (key);
  return done;
}

/** Seconds since `tick()` was called, each time the returned function is. */
function tick(): () => number {
  const t0 = Date.now();
  return () => (Date.now() - t0) / 1000;
}

type Seconds = DemoSummary['seconds'];

/** The collector's handler over the slots not yet collected: the polls it made and the slots it reused. */
async function collectSlots(
  client: DynamoDBClient,
  sim: StartedSimulator,
  options: DemoOptions,
  slots: readonly number[],
  run: { reporter: DemoStageReporter; logger: Logger },
): Promise<{ polls: PollRecord[]; reused: number }> {
  const track: Track = { query: options.query, top: options.top };
  await ensureTables(client, { starsTable: DEFAULT_STARS_TABLE, pollsTable: DEFAULT_POLLS_TABLE });
  const done = await completedSlots(client, track.query);
  const handler = createHandler({
    github: createGitHubClient({ url: sim.url, token: 'demo', logger: run.logger }),
    dynamo: client,
    config: { starsTable: DEFAULT_STARS_TABLE, pollsTable: DEFAULT_POLLS_TABLE, tracks: [track] },
    logger: run.logger,
    metrics: () => {},
  });
  const polls: PollRecord[] = [];
  let reused = 0;
  for (const [i, ts] of slots.entries()) {
    if (done.has(ts)) {
      reused += 1;
    } else {
      sim.setTime(ts * 1000);
      const result = await handler({ time: new Date(ts * 1000).toISOString() });
      polls.push(...result.polls);
    }
    run.reporter.slots(i + 1, slots.length);
  }
  return { polls, reused };
}

/** Stages 1 and 2: the simulator and the embedded DynamoDB, up while the handler collects and export reads. */
async function collectAndExport(
  options: DemoOptions,
  slots: readonly number[],
  csv: string,
  run: { reporter: DemoStageReporter; logger: Logger; seconds: Seconds },
): Promise<{ polls: PollRecord[]; reused: number }> {
  // 1. Collect: the real handler, one invocation per 15-minute slot, as the scheduler would.
  run.reporter.stage('collect');
  let elapsed = tick();
  const dynamo = await startEmbeddedDynamo({ dir: embeddedDynamoDir(options.dataDir) });
  const sim = await startGitHubSimulator({ seed: options.seed, start: options.start });
  const client = createDynamoClient({ endpoint: dynamo.endpoint, region: 'us-east-1', maxAttempts: 3 });
  try {
    const collected = await collectSlots(client, sim, options, slots, run);
    run.seconds.collect = elapsed();

    // 2. Export: the stars table to the article's CSV.
    run.reporter.stage('export');
    elapsed = tick();
    await exportStars({
      client,
      table: DEFAULT_STARS_TABLE,
      pollsTable: DEFAULT_POLLS_TABLE,
      out: csv,
      segments: 4,
      onPage: (_p, t) => run.reporter.rows('export', t.rows),
    });
    run.seconds.export = elapsed();
    return collected;
  } finally {
    client.destroy();
    await sim.close();
    await dynamo.close();
  }
}

/** Stages 3 and 4: the CSV into a rebuilt database, then the analyses and the report (memory measured before the server stops). */
async function loadAndReport(
  options: DemoOptions,
  csv: string,
  run: { reporter: DemoStageReporter; seconds: Seconds },
): Promise<Pick<DemoSummary, 'rows' | 'reportHtml' | 'pngs' | 'totalGain' | 'topMovers' | 'span' | 'memory'>> {
  // 3. Load: a database derived from the CSV, so it is rebuilt rather than merged into.
  run.reporter.stage('load');
  let elapsed = tick();
  // A demo data dir from before the embedded server may hold the old PGlite database: the demo's own, so gone.
  rmSync(path.join(options.dataDir, 'pglite'), { recursive: true, force: true });
  const db = await openDatabase({ dataDir: options.dataDir });
  try {
    await db.exec('drop schema public cascade; create schema public');
    // With the renames and polls files export wrote beside the CSV: renames stitched, coverage from polls.
    const side = await readSideFiles(csv);
    const loaded = await loadBatches(db, readCsvBatches(csv), {
      onBatch: (_b, rows) => run.reporter.rows('load', rows),
      side: () => side,
    });
    run.seconds.load = elapsed();

    // 4. Analyses and the report.
    run.reporter.stage('report');
    elapsed = tick();
    const report = await buildReport(db, { outDir: options.reportDir });
    const totalGain = Number((await runAnalysis(db, 'total-gain')).rows[0]?.total_increase ?? 0);
    const movers = (await runAnalysis(db, 'stars-per-day')).rows.slice(0, 5);
    const span = (await runAnalysis(db, 'time-span')).rows[0];
    run.seconds.report = elapsed();
    run.reporter.done();
    const memory = peakMemory(options.dataDir);
    return {
      rows: loaded.rowsLoaded,
      reportHtml: report.indexHtml,
      pngs: report.pngs.length,
      totalGain,
      topMovers: movers.map((r) => ({ repo: String(r.repo), starsPerDay: Number(r.stars_per_day) })),
      span: {
        from: new Date(Number(span?.first_ts) * 1000).toISOString(),
        to: new Date(Number(span?.last_ts) * 1000).toISOString(),
      },
      memory,
    };
  } finally {
    await db.close();
  }
}

export async function runDemo(
  options: DemoOptions,
  reporter: DemoStageReporter,
  logger: Logger = quietLogger(),
): Promise<DemoSummary> {
  prepareDataDir(options);
  const first = slotOf(options.start);
  const slots = Array.from({ length: options.days * (86_400 / SLOT_SECONDS) }, (_, i) => first + i * SLOT_SECONDS);
  const csv = path.join(options.dataDir, 'github-stars.csv');
  const seconds: Seconds = { collect: 0, export: 0, load: 0, report: 0 };
  const { polls, reused } = await collectAndExport(options, slots, csv, { reporter, logger, seconds });
  const results = await loadAndReport(options, csv, { reporter, seconds });
  const count = (s: string) => polls.filter((p) => p.status === s).length;
  return {
    polls: {
      total: slots.length,
      collectedNow: polls.length,
      reused,
      ok: count('ok'),
      partial: count('partial'),
      failed: count('failed'),
    },
    ...results,
    csv,
    seconds,
  };
}

/** The demo shows stages, not the collector's per-poll log lines; warnings still reach stderr. */
function quietLogger(): Logger {
  return createLogger({ level: 'warn', sink: (line) => process.stderr.write(`${line}\n`) });
}
