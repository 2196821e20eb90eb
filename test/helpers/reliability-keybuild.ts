// The load CLI SIGKILLed while PostgreSQL builds github_stars' primary key (the bulk path's
// last long step, after COPY FREEZE), seen from the server's own activity views; and the
// figures of the CSV it loads, computed here as the ground truth. Shared by test/reliability-kills.test.ts.
import { closeSync, openSync, writeSync } from 'node:fs';
import pg from 'pg';
import type { Database } from '../../core/database.js';
import { T0 } from './etl-fixtures.js';
import { type Child, startCli, waitSessionGone } from './reliability-etl.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface CsvTruth {
  file: string;
  rows: number;
  /** Sums as text: exact however large (PostgreSQL's sum(bigint) is numeric). */
  starsSum: string;
  tsSum: string;
}

/** `repos` x `slots` distinct rows with long names, so the key's sort has work to do. */
export function writeBigCsv(file: string, repos: number, slots: number): CsvTruth {
  const fd = openSync(file, 'w');
  let starsSum = 0n;
  let tsSum = 0n;
  try {
    for (let s = 0; s < slots; s++) {
      const ts = T0 + s * 900;
      const lines: string[] = [];
      for (let r = 0; r < repos; r++) {
        const stars = 1000 * r + s;
        lines.push(`org-${r}/a-fairly-long-repository-name-${r}.x,${ts},${stars}\n`);
        starsSum += BigInt(stars);
        tsSum += BigInt(ts);
      }
      writeSync(fd, lines.join(''));
    }
  } finally {
    closeSync(fd);
  }
  return { file, rows: repos * slots, starsSum: String(starsSum), tsSum: String(tsSum) };
}

/** A session on the server that watches the load's backend (not counted as a user of github_stars). */
export interface Observer {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  end(): Promise<void>;
}

export async function observer(url: string): Promise<Observer> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  return {
    query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
    end: () => client.end(),
  };
}

/** The phase of the tagged session's primary-key build, or undefined when it is not building one. */
export async function keyBuildPhase(admin: Observer, tag: string): Promise<string | undefined> {
  // A parallel build shows its workers too, tagged alike but without progress: the leader first.
  const rows = await admin.query<{ phase: string }>(
    `select coalesce(p.phase, 'starting') as phase
       from pg_stat_activity a left join pg_stat_progress_create_index p on p.pid = a.pid
      where a.application_name = $1 and a.state = 'active' and a.query ilike 'alter table%add constraint%primary key%'
      order by p.phase is null, a.pid`,
    [tag],
  );
  return rows[0]?.phase;
}

export interface KeyBuildKill {
  /** Milliseconds from the CLI's start to the kill. */
  killedAfterMs: number;
  /** Every build phase seen, in order; the last is the one the kill landed in. */
  phasesSeen: string[];
  /** The backend was still building when looked at again after the kill (it learns of a dead client only when it next writes to it). */
  buildingAfterKill: boolean;
  signal: NodeJS.Signals | null;
  output: string;
}

interface Watch {
  child: Child;
  tag: string;
  connect: () => Promise<Observer | undefined>;
  killAt: RegExp;
}

/** Polls every 10 ms until the build is in a phase matching `killAt`; fails loudly when it never is. */
async function untilPhase(watch: Watch): Promise<{ admin: Observer; phasesSeen: string[] }> {
  let done = false;
  void watch.child.exited.then(() => (done = true));
  const deadline = Date.now() + 150_000;
  const phasesSeen: string[] = [];
  let admin: Observer | undefined;
  for (;;) {
    if (done)
      throw new Error(
        `the load ended before its primary-key build reached ${watch.killAt} (phases seen: ${phasesSeen.join(', ') || 'none'}; use a bigger file): ${(await watch.child.exited).output.slice(-500)}`,
      );
    if (Date.now() > deadline)
      throw new Error(
        `no primary-key build phase ${watch.killAt} seen within 150 s of starting the load (phases seen: ${phasesSeen.join(', ') || 'none'})`,
      );
    admin ??= await watch.connect();
    const phase = admin ? await keyBuildPhase(admin, watch.tag) : undefined;
    if (phase !== undefined && phase !== phasesSeen.at(-1)) phasesSeen.push(phase);
    if (admin && phase !== undefined && watch.killAt.test(phase)) return { admin, phasesSeen };
    // The build came and went without the wanted phase: say so rather than kill elsewhere.
    if (phase === undefined && phasesSeen.length > 0)
      throw new Error(
        `the primary-key build ended before phase ${watch.killAt} was seen (phases seen: ${phasesSeen.join(', ')})`,
      );
    await pause(10);
  }
}

/**
 * Starts `load --file` with `env` and SIGKILLs it once the server shows its primary-key build in
 * a phase matching `killAt`. `connect` gives the observer once the server is up (the embedded
 * one starts with the CLI).
 */
export async function killDuringKeyBuild(options: {
  file: string;
  env: NodeJS.ProcessEnv;
  tag: string;
  connect: () => Promise<Observer | undefined>;
  killAt: RegExp;
}): Promise<{ kill: KeyBuildKill; admin: Observer }> {
  const started = performance.now();
  const child = startCli('etl/load/load-cli.ts', ['--file', options.file], { ...options.env, PGAPPNAME: options.tag });
  const { admin, phasesSeen } = await untilPhase({
    child,
    tag: options.tag,
    connect: options.connect,
    killAt: options.killAt,
  });
  child.process.kill('SIGKILL');
  const end = await child.exited;
  const killedAfterMs = Math.round(performance.now() - started);
  const after = await keyBuildPhase(admin, options.tag);
  // The orphaned backend finishes its statement, fails to answer, and rolls back.
  await waitSessionGone(admin, options.tag);
  return {
    kill: { killedAfterMs, phasesSeen, buildingAfterKill: after !== undefined, signal: end.signal, output: end.output },
    admin,
  };
}

/** github_stars against the CSV's figures, plus the state of its primary key. */
export async function loadedFigures(
  db: Database,
): Promise<{ rows: number; distinct: number; starsSum: string; tsSum: string; key: string }> {
  const [f] = await db.query<{ rows: number; distinct: number; stars: string; ts: string }>(
    'select count(*)::int as rows, count(distinct (repo, ts))::int as distinct, sum(stars)::text as stars, sum(ts)::text as ts from github_stars',
  );
  const keys = await db.query<{ def: string; valid: boolean }>(
    `select pg_get_constraintdef(c.oid) as def, i.indisvalid as valid
       from pg_constraint c join pg_index i on i.indexrelid = c.conindid
      where c.conrelid = 'github_stars'::regclass and c.contype = 'p'`,
  );
  const key = keys.map((k) => `${k.def}${k.valid ? '' : ' INVALID'}`).join('; ') || 'none';
  return { rows: f!.rows, distinct: f!.distinct, starsSum: f!.stars, tsSum: f!.ts, key };
}
