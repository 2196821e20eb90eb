// Real SIGKILLs (issue "Nothing lost, nothing leaked, under careless use too", item 5): the
// collect CLI killed at several points of a poll and the slot delivered again; the load CLI
// killed while PostgreSQL builds the primary key, on the embedded default and on the server.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectPostgres, embeddedPostgresDir, openDatabase } from '../core/database.js';
import { alive } from '../core/embedded-postgres.js';
import { sqlFile } from '../core/sql-file.js';
import { postmasterPid, serverLeftRunning } from './helpers/careless-concurrent.js';
import { freshSchema, serverUrl } from './helpers/postgres.js';
import { seededRandom } from './helpers/random.js';
import { starsState } from './helpers/reliability-db.js';
import { startCli, tagged } from './helpers/reliability-etl.js';
import {
  type CsvTruth,
  killDuringKeyBuild,
  loadedFigures,
  observer,
  writeBigCsv,
} from './helpers/reliability-keybuild.js';
import { calibrate, type KillOutcome, type KillPlan, killAndRedeliver } from './helpers/reliability-kills.js';
import { reachableTempDir } from './helpers/temp-dir.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const tmp = reachableTempDir('startrail-kills-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// One slot, polled a minute in and delivered again near its end: GitHub's counts move on
// between a killed attempt and its redelivery, so the redelivery must overwrite, not keep.
const SLOT = { seed: 7, top: 2500 };
const KILLED_AT = '2026-01-05T12:01:00Z';
const REDELIVERED_AT = '2026-01-05T12:14:00Z';

/** Three kills at random moments across a whole run, three once rows are being written. */
function killPlans(runMs: number, storeBytes: number, random: () => number): KillPlan[] {
  const plans: KillPlan[] = [];
  for (let i = 0; i < 3; i++)
    plans.push({ mode: 'timed', delayMs: Math.round(300 + ((runMs - 300) * (i + random())) / 3) });
  for (let i = 0; i < 3; i++)
    plans.push({ mode: 'writing', bytes: Math.round(storeBytes * (0.15 + 0.2 * (i + random()))) });
  return plans;
}

describe('collect CLI SIGKILLed, then the slot delivered again', () => {
  it('after every kill the redelivery leaves exactly the true top 2500, one row per repo, and an ok record', {
    timeout: 240_000,
  }, async () => {
    const base = await calibrate(tmp, { ...SLOT, at: REDELIVERED_AT });
    // The truth computed here must match an unkilled run, or nothing below means anything.
    expect(base.problems).toEqual([]);
    const outcomes: KillOutcome[] = [];
    for (const plan of killPlans(base.ms, base.bytes, seededRandom(20260105))) {
      outcomes.push(await killAndRedeliver(tmp, { ...SLOT, at: KILLED_AT }, { ...SLOT, at: REDELIVERED_AT }, plan));
    }
    console.info(
      `collect: unkilled run ${base.ms} ms, store ${base.bytes} B; kills:\n${outcomes.map((o) => JSON.stringify({ ...o, problems: o.problems.length })).join('\n')}`,
    );
    expect(outcomes.flatMap((o) => o.problems)).toEqual([]);
    // Real kills, and some of them mid-write (rows of the slot stored, not all): not vacuous.
    expect(outcomes.filter((o) => o.killed).length).toBeGreaterThanOrEqual(5);
    const midWrite = outcomes.filter(
      (o) => o.killed && o.rowsLeft > 0 && o.rowsLeft < SLOT.top && o.pollLeft === 'failed',
    );
    expect(midWrite.length).toBeGreaterThanOrEqual(2);
  });
});

let csvTruth: CsvTruth | undefined;
/** One 2M-row file for both cases: the key's sort over it takes seconds, not milliseconds. */
function bigCsv(): CsvTruth {
  csvTruth ??= writeBigCsv(path.join(tmp, 'big.csv'), 4000, 500);
  return csvTruth;
}

/** The load CLI to its end; it must say it loaded every row. */
async function loadToEnd(
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string; ms: number }> {
  const started = performance.now();
  const end = await startCli('etl/load/load-cli.ts', ['--file', file], env).exited;
  return { code: end.code, output: end.output, ms: Math.round(performance.now() - started) };
}

describe('load CLI SIGKILLed during the primary-key build', () => {
  it('on the embedded default: nothing committed, the orphaned server reused then stopped; the rerun loads every row', {
    timeout: 240_000,
  }, async () => {
    const truth = bigCsv();
    const dataDir = reachableTempDir(path.join(tmp, 'embedded-'));
    const env = { DATABASE_URL: '', STARTRAIL_DATA_DIR: dataDir };
    const tag = 'kills-embedded';
    // The server exists only once the CLI has started it: connect when postmaster.pid says ready.
    const connect = async () => {
      const lines = (() => {
        try {
          return readFileSync(path.join(embeddedPostgresDir(dataDir), 'postmaster.pid'), 'utf8').split('\n');
        } catch {
          return [];
        }
      })();
      return lines[7]?.trim() === 'ready'
        ? observer(`postgres://postgres@127.0.0.1:${lines[3]}/postgres`).catch(() => undefined)
        : undefined;
    };
    // Killed as soon as the build is seen (scanning the table).
    const { kill, admin } = await killDuringKeyBuild({ file: truth.file, env, tag, connect, killAt: /./ });
    await admin.end();
    expect(kill.signal).toBe('SIGKILL');
    const orphan = postmasterPid(dataDir)!;
    expect(alive(orphan)).toBe(true); // the CLI's server outlives it

    const db = await openDatabase({ dataDir, log: () => {} });
    expect(postmasterPid(dataDir)).toBe(orphan); // reused, not restarted
    expect(await starsState(db)).toBe('absent');
    await db.close();
    expect(await serverLeftRunning(dataDir)).toBeUndefined();

    const rerun = await loadToEnd(truth.file, env);
    expect(rerun.code, rerun.output).toBe(0);
    const check = await openDatabase({ dataDir, log: () => {} });
    try {
      expect(await loadedFigures(check)).toEqual({
        rows: truth.rows,
        distinct: truth.rows,
        starsSum: truth.starsSum,
        tsSum: truth.tsSum,
        key: 'PRIMARY KEY (repo, ts)',
      });
    } finally {
      await check.close();
    }
    expect(await serverLeftRunning(dataDir)).toBeUndefined();
    console.info(
      `load (embedded): killed ${kill.killedAfterMs} ms in, phases ${kill.phasesSeen.join(' > ')}, still building after the kill: ${kill.buildingAfterKill}; rerun ${rerun.ms} ms`,
    );
  });

  it('on the server at DATABASE_URL: an empty keyed, indexed table stays exactly so; the rerun loads every row', {
    timeout: 240_000,
  }, async () => {
    const truth = bigCsv();
    const schema = await freshSchema('kills');
    const db = await connectPostgres(schema.url);
    try {
      // An empty table with its key and a second index: the bulk path drops both, so a kill must bring both back.
      await db.exec(sqlFile('schema.sql'));
      await db.exec('create index github_stars_ts on github_stars (ts)');
      const before = await starsState(db);
      expect(before).toBe('rows=0 sum=null pk=1 indexes=2');
      const tag = `kills-server-${schema.schema}`;
      const env = { DATABASE_URL: tagged(schema.url, tag) };
      // Killed late in the build: the sort done, the index being written.
      const { kill, admin } = await killDuringKeyBuild({
        file: truth.file,
        env,
        tag,
        connect: () => observer(serverUrl()),
        killAt: /sorting|loading/,
      });
      await admin.end();
      expect(kill.signal).toBe('SIGKILL');
      expect(await starsState(db)).toBe(before);

      const rerun = await loadToEnd(truth.file, env);
      expect(rerun.code, rerun.output).toBe(0);
      expect(await loadedFigures(db)).toEqual({
        rows: truth.rows,
        distinct: truth.rows,
        starsSum: truth.starsSum,
        tsSum: truth.tsSum,
        key: 'PRIMARY KEY (repo, ts)',
      });
      expect(await starsState(db)).toMatch(/ pk=1 indexes=2$/);
      console.info(
        `load (server): killed ${kill.killedAfterMs} ms in, phases ${kill.phasesSeen.join(' > ')}, still building after the kill: ${kill.buildingAfterKill}; rerun ${rerun.ms} ms`,
      );
    } finally {
      await db.close();
      await schema.drop();
    }
  });
});
