// Real SIGKILLs of the collect CLI (a child process with its own embedded dynalite), each
// followed by a redelivery of the same slot, judged against the simulator's world computed
// here; shared by test/reliability-kills.test.ts. The load-CLI kills are in reliability-keybuild.ts.
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { slotOf } from '../../core/domain.js';
import { createDynamoClient } from '../../core/store/client.js';
import { embeddedDynamoDir, startEmbeddedDynamo } from '../../core/store/embedded-store.js';
import { unpackNames } from '../../core/store/poll-item.js';
import { INTERRUPTED } from '../../lambda/slot-intent.js';
import { createWorld } from '../../local/github-sim/world.js';
import { getPoll, type StoredRow, scanStars } from './collector-harness.js';
import { type Child, startCli } from './reliability-etl.js';
import { reachableTempDir } from './temp-dir.js';

const STARS_TABLE = 'kill-stars';
const POLLS_TABLE = 'kill-polls';
const TRACK = 'language:go';
// local/collect.ts starts its simulator at this instant; the world depends on it.
const SIM_START = new Date('2026-01-01T00:00:00Z');

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface CollectRun {
  seed: number;
  top: number;
  /** ISO time of the poll (its slot is the one written). */
  at: string;
}

/** `collect --simulate` on the embedded dynalite under `dataDir`, as a user runs it. */
export function startCollect(dataDir: string, run: CollectRun): Child {
  // Everything that could steer it elsewhere is blanked: the test's own environment may set it.
  const env = {
    STARTRAIL_DATA_DIR: dataDir,
    DYNAMODB_ENDPOINT: '',
    TRACKS: '',
    GITHUB_TOKEN: '',
    GITHUB_TOKEN_SECRET_ARN: '',
    STARS_TABLE,
    POLLS_TABLE,
    LOG_LEVEL: 'warn',
  };
  return startCli(
    'local/collect.ts',
    ['--simulate', '--seed', String(run.seed), '--at', run.at, '--top', String(run.top), '--json'],
    env,
  );
}

/** The true top N at `at`: an independent copy of the world the child's simulator serves. */
export function truthAt(run: CollectRun): Map<string, { stars: number; repoId: number }> {
  const world = createWorld({ seed: run.seed, start: SIM_START });
  return new Map(
    world
      .top(TRACK, Date.parse(run.at), run.top)
      .map((r) => [r.nameWithOwner, { stars: r.stargazerCount, repoId: r.databaseId }]),
  );
}

export interface StoreView {
  rows: StoredRow[];
  poll?: Record<string, unknown>;
}

/** The store as the child left it; only once the child is dead (LevelDB admits one process). */
export async function readStore(dataDir: string, ts: number): Promise<StoreView> {
  const dynamo = await startEmbeddedDynamo({ dir: embeddedDynamoDir(dataDir) });
  const client = createDynamoClient({ endpoint: dynamo.endpoint, region: 'us-east-1', maxAttempts: 3 });
  try {
    const tables = (await client.send(new ListTablesCommand({}))).TableNames ?? [];
    // Killed before ensureTables: nothing was written.
    const rows = tables.includes(STARS_TABLE) ? await scanStars(client, STARS_TABLE) : [];
    const poll = tables.includes(POLLS_TABLE) ? await getPoll(client, POLLS_TABLE, TRACK, ts) : undefined;
    return { rows, poll };
  } finally {
    client.destroy();
    await dynamo.close();
  }
}

/** What is wrong with a completed slot: [] when it holds exactly the truth and says ok. */
export function slotProblems(
  view: StoreView,
  truth: Map<string, { stars: number; repoId: number }>,
  ts: number,
): string[] {
  const problems: string[] = [];
  const ids = new Set<number>();
  for (const row of view.rows) {
    const want = truth.get(row.repo);
    if (row.ts !== ts) problems.push(`row of another slot: ${row.repo} @ ${row.ts}`);
    else if (!want) problems.push(`row of a name outside the true top: ${row.repo}`);
    else if (want.stars !== row.stars || want.repoId !== row.repoId)
      problems.push(`${row.repo}: stored ${row.stars}/${row.repoId}, true ${want.stars}/${want.repoId}`);
    if (ids.has(row.repoId)) problems.push(`repo id ${row.repoId} twice`);
    ids.add(row.repoId);
  }
  const stored = new Set(view.rows.map((r) => r.repo));
  const missing = [...truth.keys()].filter((name) => !stored.has(name));
  if (missing.length > 0)
    problems.push(`${missing.length} of the true top missing, e.g. ${missing.slice(0, 3).join(', ')}`);
  const p = view.poll;
  if (p?.status !== 'ok' || p.expected !== truth.size || p.written !== truth.size) {
    problems.push(
      `poll record not ok for ${truth.size}: ${JSON.stringify({ status: p?.status, expected: p?.expected, written: p?.written, error: p?.error })}`,
    );
  }
  // An ok record keeps exactly its snapshot's names, for a later delivery of the slot to compare with.
  const packed = (p?.writing as { B?: Uint8Array } | undefined)?.B;
  const kept = packed ? unpackNames(packed) : [];
  if (kept.length !== truth.size || kept.some((name) => !truth.has(name)))
    problems.push(`the ok record keeps ${kept.length} names, not the ${truth.size} of its snapshot`);
  return problems.slice(0, 20);
}

/**
 * What is wrong with the state a killed attempt left: every row is a true row of that attempt's
 * snapshot, and rows without an `ok` record are announced by the interrupted record.
 */
export function leftProblems(
  view: StoreView,
  truth: Map<string, { stars: number; repoId: number }>,
  ts: number,
): string[] {
  if (view.poll?.status === 'ok') return slotProblems(view, truth, ts);
  const problems: string[] = [];
  for (const row of view.rows) {
    const want = truth.get(row.repo);
    if (row.ts !== ts || want?.stars !== row.stars || want.repoId !== row.repoId)
      problems.push(`killed attempt left a wrong row: ${JSON.stringify(row)}`);
  }
  if (view.poll === undefined && view.rows.length > 0)
    problems.push(`${view.rows.length} rows without a poll record (a silent partial slot)`);
  if (view.poll !== undefined && (view.poll.status !== 'failed' || view.poll.error !== INTERRUPTED)) {
    problems.push(
      `killed attempt left a record that is neither ok nor interrupted: ${JSON.stringify({ status: view.poll.status, error: view.poll.error })}`,
    );
  }
  return problems.slice(0, 20);
}

/** Bytes under `dir` (files come and go under LevelDB compaction: a vanished one counts 0). */
export function dirBytes(dir: string): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    try {
      const st = statSync(path.join(dir, name));
      total += st.isDirectory() ? dirBytes(path.join(dir, name)) : st.size;
    } catch {
      // removed between readdir and stat
    }
  }
  return total;
}

/** When to kill: after a delay, or once the store has grown to `bytes` (rows being written). */
export type KillPlan = { mode: 'timed'; delayMs: number } | { mode: 'writing'; bytes: number };

export interface KillOutcome {
  plan: string;
  /** The child really died of the SIGKILL (not finished before it). */
  killed: boolean;
  killedAfterMs: number;
  rowsLeft: number;
  pollLeft: string;
  staleRemoved: number;
  redeliveryMs: number;
  problems: string[];
}

/** Waits for the plan's moment; false when the child ended first. */
async function awaitMoment(child: Child, dataDir: string, plan: KillPlan): Promise<boolean> {
  let done = false;
  void child.exited.then(() => (done = true));
  if (plan.mode === 'timed') {
    await pause(plan.delayMs);
    return !done;
  }
  const deadline = Date.now() + 60_000;
  const store = embeddedDynamoDir(dataDir);
  while (!done && dirBytes(store) < plan.bytes) {
    if (Date.now() > deadline) throw new Error(`collect never grew its store to ${plan.bytes} bytes within 60 s`);
    await pause(5);
  }
  return !done;
}

/** One cycle in a fresh data directory: an attempt at `killed.at` SIGKILLed per `plan`, then a redelivery at `redelivery.at` run to its end. */
export async function killAndRedeliver(
  root: string,
  killed: CollectRun,
  redelivery: CollectRun,
  plan: KillPlan,
): Promise<KillOutcome> {
  const dataDir = reachableTempDir(path.join(root, 'collect-'));
  const ts = slotOf(new Date(killed.at));
  if (slotOf(new Date(redelivery.at)) !== ts) throw new Error('a redelivery polls the same slot');
  const started = performance.now();
  const child = startCollect(dataDir, killed);
  if (await awaitMoment(child, dataDir, plan)) child.process.kill('SIGKILL');
  const end = await child.exited;
  const killedAfterMs = Math.round(performance.now() - started);
  const left = await readStore(dataDir, ts);
  const problems = end.signal === 'SIGKILL' ? leftProblems(left, truthAt(killed), ts) : [];
  if (end.signal !== 'SIGKILL' && end.code !== 0)
    problems.push(`unkilled attempt exited ${end.code}: ${end.output.slice(-500)}`);

  const again = performance.now();
  const rerun = await startCollect(dataDir, redelivery).exited;
  const redeliveryMs = Math.round(performance.now() - again);
  if (rerun.code !== 0) problems.push(`redelivery exited ${rerun.code ?? rerun.signal}: ${rerun.output.slice(-500)}`);
  const final = await readStore(dataDir, ts);
  problems.push(...slotProblems(final, truthAt(redelivery), ts));
  rmSync(dataDir, { recursive: true, force: true });
  return {
    plan: plan.mode === 'timed' ? `timed ${plan.delayMs} ms` : `store >= ${plan.bytes} B`,
    killed: end.signal === 'SIGKILL',
    killedAfterMs,
    rowsLeft: left.rows.length,
    pollLeft: String(left.poll?.status ?? 'none'),
    staleRemoved: Number(final.poll?.staleRemoved ?? 0),
    redeliveryMs,
    problems,
  };
}

/** A full, unkilled run in a fresh directory: how long it takes, how big its store ends, and whether it matches the truth. */
export async function calibrate(
  root: string,
  run: CollectRun,
): Promise<{ ms: number; bytes: number; problems: string[] }> {
  const dataDir = reachableTempDir(path.join(root, 'calibrate-'));
  const started = performance.now();
  const end = await startCollect(dataDir, run).exited;
  const ms = Math.round(performance.now() - started);
  if (end.code !== 0) throw new Error(`collect exited ${end.code ?? end.signal}: ${end.output.slice(-1000)}`);
  const bytes = dirBytes(embeddedDynamoDir(dataDir));
  const problems = slotProblems(
    await readStore(dataDir, slotOf(new Date(run.at))),
    truthAt(run),
    slotOf(new Date(run.at)),
  );
  rmSync(dataDir, { recursive: true, force: true });
  return { ms, bytes, problems };
}
