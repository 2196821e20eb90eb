// The collector soak: the real handler, slot after slot, against the GitHub simulator with
// faults and dynalite behind the DynamoDB fault proxy (real HTTP both ways). Some invocations
// are killed after a partial write; every failed one is delivered again, as Lambda's async
// retry and the scheduler's retry policy would. Shared by test/reliability-soak.test.ts (small)
// and bench/reliability.bench.ts (large): it returns figures, the callers judge them. What is
// stored is judged against the simulator's ground truth (`world.top`) and, under hostile data,
// against the simulator's own ledger of the nodes it corrupted: never the collector's own counts.
import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { slotOf } from '../../core/domain.js';
import { createLogger } from '../../core/log.js';
import { isRepoName } from '../../core/repo-name.js';
import { createDynamoClient } from '../../core/store/client.js';
import { ensureTables, startEmbeddedDynamo } from '../../core/store/embedded-store.js';
import { createGitHubClient } from '../../lambda/github-client.js';
import { createHandler, PollIncompleteError } from '../../lambda/handler.js';
import { MAX_PLAUSIBLE_STARS } from '../../lambda/validate-nodes.js';
import { HOSTILE_NAMES, type HostileOptions, startGitHubSimulator } from '../../local/github-sim/index.js';
import { startDynamoFaultProxy } from './collector-dynamo-proxy.js';
import { fastSleep, getPoll, scanStars } from './collector-harness.js';
import { seededRandom } from './random.js';

export interface SoakOptions {
  slots: number;
  top: number;
  query?: string;
  seed?: number;
  reposPerLanguage?: number;
  /** GitHub faults (shares of requests). */
  error502?: number;
  secondaryRateLimit?: number;
  slowShare?: number;
  slowMs?: number;
  /** The collector's per-request timeout; slow answers take longer than this. */
  timeoutMs?: number;
  /** DynamoDB faults (shares of BatchWriteItem calls / of each call's items). */
  throttleShare?: number;
  error500Share?: number;
  unprocessedShare?: number;
  /** Share of deliveries killed after a partial write. */
  killShare?: number;
  /** Deliveries per slot before giving up (first one included). */
  maxDeliveries?: number;
  /** Simulated seconds between a failed delivery and its redelivery (GitHub's clock moves on). */
  redeliveryDelaySeconds?: number;
  /**
   * Bad data and searches that time out. With bad names or counts, keep answers faster than
   * timeoutMs: the ledger counts what the simulator served, and an answer the client gave up on
   * was served but never seen.
   */
  hostile?: HostileOptions;
  /** Called after each slot (progress in the bench). */
  onSlot?: (done: number, total: number) => void;
}

export interface SoakFigures {
  slots: number;
  slotsComplete: number;
  deliveries: number;
  redeliveries: number;
  killed: number;
  /** Rows of each slot's true top N (world.top at the time of its last delivery). */
  rowsExpected: number;
  rowsStored: number;
  /** True top-N repositories not stored with their true count, other than those the simulator corrupted. */
  rowsLost: number;
  /** Rows in a slot for a repository outside that slot's true top N (or in a slot nobody polled). */
  duplicates: number;
  /** Stored rows that are not a valid (owner/name, plausible stars) row. */
  invalidRows: number;
  /**
   * Completed slots whose stored set is not exactly the true top N minus the repositories the
   * simulator corrupted (and never served clean) in the delivery that completed it, or whose
   * poll record's `rejected` is not that number.
   */
  slotsWrongCount: number;
  /** Slots that never completed and whose poll record does not say so (must be 0). */
  silentGaps: number;
  /** Final poll records by status (the polls table at the end). */
  pollsFinal: Record<string, number>;
  /** Poll records written as partial or failed along the way (a retry may later overwrite them), by reason. */
  pollsNotOk: Record<string, number>;
  /** Repositories rejected, summed over the final poll records (the collector's own count). */
  rejectedRecorded: number;
  /** True top-N repositories the simulator's ledger says it corrupted and never served clean, summed over the slots. */
  rejectedByInjector: number;
  /** Rows of an interrupted attempt removed by its redelivery (renamed or out of the top N meanwhile). */
  staleRemoved: number;
  faults: {
    github502: number;
    githubSecondary: number;
    githubTimeouts: number;
    dynamoThrottled: number;
    dynamo500: number;
    dynamoUnprocessedItems: number;
    kills: number;
    /** From the simulator's ledger: nodes served with a bad name or count, and search answers that timed out. */
    hostileNodes: number;
    searchesTimedOut: number;
  };
  githubRequests: number;
  seconds: number;
}

/** The same client, except that once `afterBatches` BatchWriteItems have landed the invocation is killed. */
function killingClient(client: DynamoDBClient, kill: AbortController, afterBatches: number): DynamoDBClient {
  let landed = 0;
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: unknown, options?: unknown) => {
        const out = await (target.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, options);
        if (command instanceof BatchWriteItemCommand && ++landed >= afterBatches)
          kill.abort(new Error('invocation killed'));
        return out;
      };
    },
  });
}

/** Why a poll was not ok, without the numbers that make every message unique. */
function reasonOf(error: string | undefined): string {
  if (!error) return 'unknown';
  return error
    .replace(/\d[\d,.]*/g, 'N')
    .replace(/"[^"]*"/g, 'Q')
    .slice(0, 100);
}

const SLOT_MS = 900_000;

export async function runSoak(options: SoakOptions): Promise<SoakFigures> {
  const started = performance.now();
  const seed = options.seed ?? 11;
  const query = options.query ?? 'language:go';
  const top = options.top;
  const maxDeliveries = options.maxDeliveries ?? 6;
  const random = seededRandom(seed * 7919);
  const start = Date.parse('2026-02-02T00:00:00Z');

  const sim = await startGitHubSimulator({
    seed,
    reposPerLanguage: options.reposPerLanguage ?? 1500,
    start,
    hostile: options.hostile,
  });
  const dynalite = await startEmbeddedDynamo();
  const proxy = await startDynamoFaultProxy(dynalite.endpoint, {
    seed,
    throttleShare: options.throttleShare ?? 0,
    error500Share: options.error500Share ?? 0,
    unprocessedShare: options.unprocessedShare ?? 0,
  });
  // SDK retries off: every fault reaches the collector's own retry logic.
  const direct = createDynamoClient({ endpoint: dynalite.endpoint, region: 'us-east-1', maxAttempts: 1 });
  const faulty = createDynamoClient({ endpoint: proxy.endpoint, region: 'us-east-1', maxAttempts: 1 });
  const tables = { starsTable: 'soak-stars', pollsTable: 'soak-polls' };
  await ensureTables(direct, tables);

  const logger = createLogger({ level: 'debug', sink: () => {} });
  // Waits are recorded, not slept: retry-after and backoff stay in the logic, not the wall clock.
  const sleep = fastSleep();
  const github = createGitHubClient({
    url: sim.url,
    token: 'soak-token',
    logger,
    sleep,
    random,
    timeoutMs: options.timeoutMs ?? 150,
  });

  const figures: SoakFigures = {
    slots: options.slots,
    slotsComplete: 0,
    deliveries: 0,
    redeliveries: 0,
    killed: 0,
    rowsExpected: 0,
    rowsStored: 0,
    rowsLost: 0,
    duplicates: 0,
    invalidRows: 0,
    slotsWrongCount: 0,
    silentGaps: 0,
    pollsFinal: {},
    pollsNotOk: {},
    rejectedRecorded: 0,
    rejectedByInjector: 0,
    staleRemoved: 0,
    faults: {
      github502: 0,
      githubSecondary: 0,
      githubTimeouts: 0,
      dynamoThrottled: 0,
      dynamo500: 0,
      dynamoUnprocessedItems: 0,
      kills: 0,
      hostileNodes: 0,
      searchesTimedOut: 0,
    },
    githubRequests: 0,
    seconds: 0,
  };
  // Per slot: its true top N by name (stars, databaseId), and the ids the simulator corrupted and
  // never served clean in that slot's last delivery.
  const truth = new Map<number, Map<string, { stars: number; id: number }>>();
  const corrupted = new Map<number, Set<number>>();
  const complete = new Set<number>();
  const truthAt = (now: number) =>
    new Map(
      sim.world.top(query, now, top).map((r) => [r.nameWithOwner, { stars: r.stargazerCount, id: r.databaseId }]),
    );
  const batchesPerPoll = Math.ceil(top / 25);

  try {
    for (let i = 0; i < options.slots; i++) {
      const scheduled = start + i * SLOT_MS + 5_000;
      const ts = slotOf(scheduled);
      for (let delivery = 0; delivery < maxDeliveries; delivery++) {
        figures.deliveries += 1;
        if (delivery > 0) figures.redeliveries += 1;
        const now = scheduled + delivery * (options.redeliveryDelaySeconds ?? 60) * 1000;
        sim.setTime(now);
        sim.setFaults({
          error502: options.error502 ?? 0,
          secondaryRateLimit: options.secondaryRateLimit ?? 0,
          retryAfterSeconds: random() < 0.5 ? 0 : 1,
          slowShare: options.slowShare ?? 0,
          slowMs: options.slowMs ?? 400,
        });
        const kill = new AbortController();
        const killed = batchesPerPoll > 1 && random() < (options.killShare ?? 0);
        const dynamo = killed ? killingClient(faulty, kill, 1 + Math.floor(random() * (batchesPerPoll - 1))) : faulty;
        const mark = sim.world.served.nodes.length;
        const handler = createHandler({
          github,
          dynamo,
          config: { ...tables, tracks: [{ query, top }] },
          logger,
          sleep,
          random,
          signal: kill.signal,
          // One batch at a time when the delivery is to be killed, so the kill falls between
          // batches and really leaves part of the snapshot written (with four in flight, the
          // others would usually land as well).
          ...(killed ? { writeConcurrency: 1 } : {}),
        });
        try {
          await handler({ time: new Date(scheduled).toISOString() });
          truth.set(ts, truthAt(now));
          corrupted.set(ts, sim.world.served.corruptedOnly(mark));
          complete.add(ts);
          break;
        } catch (error) {
          if (kill.signal.aborted) {
            figures.killed += 1;
          } else if (error instanceof PollIncompleteError) {
            for (const p of error.result.polls) {
              if (p.status !== 'ok') {
                const key = `${p.status}: ${reasonOf(p.error)}`;
                figures.pollsNotOk[key] = (figures.pollsNotOk[key] ?? 0) + 1;
              }
            }
          } else {
            const key = `threw: ${reasonOf((error as Error).message)}`;
            figures.pollsNotOk[key] = (figures.pollsNotOk[key] ?? 0) + 1;
          }
          // The truth of a slot that never completes is its last attempt's.
          truth.set(ts, truthAt(now));
          corrupted.set(ts, sim.world.served.corruptedOnly(mark));
        }
      }
      options.onSlot?.(i + 1, options.slots);
    }

    // Judge what is stored against the simulator's ground truth, slot by slot.
    const rows = await scanStars(direct, tables.starsTable);
    figures.rowsStored = rows.length;
    const bySlot = new Map<number, Map<string, number>>();
    for (const row of rows) {
      const slot = bySlot.get(row.ts) ?? new Map<string, number>();
      bySlot.set(row.ts, slot);
      slot.set(row.repo, row.stars);
      if (
        !isRepoName(row.repo) ||
        HOSTILE_NAMES.includes(row.repo) ||
        !Number.isInteger(row.stars) ||
        row.stars < 0 ||
        row.stars > MAX_PLAUSIBLE_STARS
      ) {
        figures.invalidRows += 1;
      }
    }
    for (const ts of bySlot.keys()) if (!truth.has(ts)) figures.duplicates += bySlot.get(ts)!.size; // a slot nobody polled
    for (const [ts, expected] of truth) {
      figures.rowsExpected += expected.size;
      const stored = bySlot.get(ts) ?? new Map<string, number>();
      const hostile = corrupted.get(ts) ?? new Set<number>();
      // The simulator's ledger, not the collector, says which of the true top N could not be stored.
      let unstorable = 0;
      let wrong = 0;
      for (const [repo, { stars, id }] of expected) {
        if (hostile.has(id)) {
          unstorable += 1;
          if (stored.has(repo)) wrong += 1;
        } else if (stored.get(repo) !== stars) {
          figures.rowsLost += 1;
          wrong += 1;
        }
      }
      for (const repo of stored.keys()) {
        if (expected.has(repo)) continue;
        figures.duplicates += 1;
        wrong += 1;
      }
      const poll = await getPoll(direct, tables.pollsTable, query, ts);
      const status = String(poll?.status ?? 'none');
      figures.pollsFinal[status] = (figures.pollsFinal[status] ?? 0) + 1;
      const rejected = Number(poll?.rejected ?? 0);
      figures.rejectedRecorded += rejected;
      figures.rejectedByInjector += unstorable;
      figures.staleRemoved += Number(poll?.staleRemoved ?? 0);
      if (complete.has(ts)) {
        figures.slotsComplete += 1;
        // Exactly the true top N less what the simulator corrupted, and the record says how many.
        if (wrong > 0 || rejected !== unstorable) figures.slotsWrongCount += 1;
      } else if (status === 'ok' || status === 'none') {
        // An incomplete slot must say so in the polls table (a killed delivery leaves its interrupted record).
        figures.silentGaps += 1;
      }
    }
    const byStatus = sim.stats.byStatus;
    figures.faults = {
      github502: byStatus[502] ?? 0,
      githubSecondary: (byStatus[403] ?? 0) + (byStatus[429] ?? 0),
      // From the injector's side: the answers the simulator held back past the client's timeout.
      githubTimeouts: (options.timeoutMs ?? 150) < (options.slowMs ?? 400) ? sim.stats.slowAnswers : 0,
      dynamoThrottled: proxy.stats.throttled,
      dynamo500: proxy.stats.errors500,
      dynamoUnprocessedItems: proxy.stats.unprocessedReturned,
      kills: figures.killed,
      hostileNodes: sim.world.served.counts.badName + sim.world.served.counts.badStars,
      searchesTimedOut: sim.world.served.counts.incompleteAnswers,
    };
    figures.githubRequests = sim.stats.requests;
  } finally {
    direct.destroy();
    faulty.destroy();
    await proxy.close();
    await Promise.all([sim.close(), dynalite.close()]);
  }
  figures.seconds = (performance.now() - started) / 1000;
  return figures;
}
