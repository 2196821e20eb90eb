// The invocation's deadline (issue 13, item 6): Lambda kills a function at its timeout without a
// word, so a poll that cannot finish in the time the handler is given records itself `failed`
// (reason: deadline) while there is still time to write that record: no slot is a silent gap.
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotOf } from '../core/domain.js';
import type { EmbeddedDynamo } from '../core/store/embedded-store.js';
import { createGitHubClient, GitHubError, newCounters } from '../lambda/github-client.js';
import { PollIncompleteError } from '../lambda/handler.js';
import { type StartedSimulator, startGitHubSimulator } from '../local/github-sim/index.js';
import { collector, freshTables, getPoll, scanStars, startDynamo } from './helpers/collector-harness.js';

const T = Date.parse('2026-03-01T12:05:00Z');
const GO = { query: 'language:go', top: 1000 };
const RUST = { query: 'language:rust', top: 1000 };

let sim: StartedSimulator;
let dynamo: EmbeddedDynamo;

beforeAll(async () => {
  [sim, dynamo] = await Promise.all([startGitHubSimulator({ seed: 7 }), startDynamo()]);
  sim.setTime(T);
});
afterAll(async () => {
  await Promise.all([sim?.close(), dynamo?.close()]);
});

/** The client, with the time (by `now()`) of every record put into the polls table. */
function timingPuts(client: DynamoDBClient, pollsTable: string, now: () => number) {
  const puts: { at: number; status?: string; error?: string }[] = [];
  const timed = {
    send: async (command: unknown, options?: unknown) => {
      const out = await (client.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, options);
      if (command instanceof PutItemCommand && command.input.TableName === pollsTable)
        puts.push({ at: now(), status: command.input.Item?.status?.S, error: command.input.Item?.error?.S });
      return out;
    },
  } as unknown as DynamoDBClient;
  return { timed, puts };
}

/** Simulated time: sleeping moves it, nothing else does. */
function fakeTime(start: number) {
  let now = start;
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
    now += ms;
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { now: () => now, sleep, waits };
}

describe('a poll that cannot finish before the deadline records itself failed, in time', () => {
  it('GitHub slowed past the deadline (real time): failed with the reason, written before the deadline', async () => {
    const slow = await startGitHubSimulator({ seed: 7, latencyMs: 250 });
    try {
      slow.setTime(T);
      const tables = await freshTables(dynamo.endpoint);
      const { timed, puts } = timingPuts(tables.client, tables.pollsTable, Date.now);
      const s = collector({
        url: slow.url,
        dynamo: timed,
        starsTable: tables.starsTable,
        pollsTable: tables.pollsTable,
        tracks: [GO],
        deps: { deadlineMarginMs: 1000 } as never,
      });
      // Ten pages at 250 ms each need 2.5 s; the invocation has 2.5 s, minus a 1 s margin.
      const endsAt = Date.now() + 2500;
      const context = { getRemainingTimeInMillis: () => endsAt - Date.now() };
      const error = await (s.run as (e: unknown, c: unknown) => Promise<unknown>)(
        { time: new Date(T).toISOString() },
        context,
      ).catch((e: unknown) => e);
      const settled = Date.now();
      expect(error).toBeInstanceOf(PollIncompleteError);
      const poll = (error as PollIncompleteError).result.polls[0]!;
      expect(poll).toMatchObject({ status: 'failed', written: 0 });
      expect(poll.error).toMatch(/^deadline/);
      expect(poll.requests).toBeLessThan(10);
      expect(settled).toBeLessThan(endsAt);
      const final = puts.at(-1)!;
      expect(final).toMatchObject({ status: 'failed' });
      expect(final.error).toMatch(/deadline/);
      expect(final.at).toBeLessThan(endsAt);
      expect(await scanStars(tables.client, tables.starsTable)).toHaveLength(0);
      expect(await getPoll(tables.client, tables.pollsTable, 'language:go', slotOf(T))).toMatchObject({
        status: 'failed',
      });
    } finally {
      await slow.close();
    }
  });

  it('secondary limits slow the poll past the deadline (simulated time): failed, recorded in time', async () => {
    const tables = await freshTables(dynamo.endpoint);
    const time = fakeTime(T);
    const { timed, puts } = timingPuts(tables.client, tables.pollsTable, time.now);
    sim.setFaults({ secondaryRateLimit: 0.5, retryAfterSeconds: 60 });
    try {
      const s = collector({
        url: sim.url,
        dynamo: timed,
        starsTable: tables.starsTable,
        pollsTable: tables.pollsTable,
        tracks: [GO],
        github: { sleep: time.sleep, maxSecondaryWaits: 50 },
        deps: { sleep: time.sleep, clock: () => new Date(time.now()), deadlineMarginMs: 10_000 } as never,
      });
      // 150 s for a poll that waits out about ten 60 s limits.
      const endsAt = T + 150_000;
      const context = { getRemainingTimeInMillis: () => endsAt - time.now() };
      const error = await (s.run as (e: unknown, c: unknown) => Promise<unknown>)(
        { time: new Date(T).toISOString() },
        context,
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PollIncompleteError);
      const poll = (error as PollIncompleteError).result.polls[0]!;
      expect(poll).toMatchObject({ track: 'language:go', status: 'failed', written: 0 });
      expect(poll.error).toMatch(/^deadline/);
      // Two 60 s waits fit in the 140 s; the third would have ended past the deadline, so it never began.
      expect(time.waits.filter((w) => w === 60_000)).toHaveLength(2);
      expect(time.now()).toBeLessThan(endsAt - 10_000);
      const final = puts.at(-1)!;
      expect(final.error).toMatch(/deadline/);
      for (const p of puts) expect(p.at).toBeLessThan(endsAt);
      expect(await scanStars(tables.client, tables.starsTable)).toHaveLength(0);
    } finally {
      sim.setFaults({});
    }
  });

  it('a track the first one left no time for is recorded failed without a request to GitHub', async () => {
    const tables = await freshTables(dynamo.endpoint);
    sim.setFaults({});
    sim.resetStats();
    const s = collector({
      url: sim.url,
      dynamo: tables.client,
      starsTable: tables.starsTable,
      pollsTable: tables.pollsTable,
      tracks: [GO, RUST],
      deps: { deadlineMarginMs: 10_000 } as never,
    });
    // The time is up once GitHub has answered three pages.
    const context = { getRemainingTimeInMillis: () => (sim.stats.requests >= 3 ? 5_000 : 600_000) };
    const error = await (s.run as (e: unknown, c: unknown) => Promise<unknown>)(
      { time: new Date(T).toISOString() },
      context,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PollIncompleteError);
    const [go, rust] = (error as PollIncompleteError).result.polls;
    expect(go).toMatchObject({ track: 'language:go', status: 'failed', requests: 3 });
    expect(go!.error).toMatch(/^deadline/);
    expect(rust).toMatchObject({ track: 'language:rust', status: 'failed', requests: 0 });
    expect(rust!.error).toMatch(/^deadline/);
    expect(sim.stats.requests).toBe(3);
    for (const track of ['language:go', 'language:rust'])
      expect(String((await getPoll(tables.client, tables.pollsTable, track, slotOf(T)))?.error)).toMatch(/^deadline/);
  });

  it('time runs out once the snapshot is fetched: no row is written, the record says so', async () => {
    const tables = await freshTables(dynamo.endpoint);
    sim.setFaults({});
    const s = collector({
      url: sim.url,
      dynamo: tables.client,
      starsTable: tables.starsTable,
      pollsTable: tables.pollsTable,
      tracks: [GO],
      deps: { deadlineMarginMs: 10_000 } as never,
    });
    // How many requests the whole fetch takes (pages and checks), from a poll without a deadline.
    const baseline = await freshTables(dynamo.endpoint);
    const full = (
      await collector({ url: sim.url, dynamo: baseline.client, ...baseline, tracks: [GO] }).run({
        time: new Date(T).toISOString(),
      })
    ).polls[0]!.requests;
    sim.resetStats();
    // Plenty of time until GitHub has answered the last of them, then none.
    const context = { getRemainingTimeInMillis: () => (sim.stats.requests >= full ? 5_000 : 600_000) };
    const error = await (s.run as (e: unknown, c: unknown) => Promise<unknown>)(
      { time: new Date(T).toISOString() },
      context,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PollIncompleteError);
    const poll = (error as PollIncompleteError).result.polls[0]!;
    expect(poll).toMatchObject({ status: 'failed', written: 0, requests: full });
    expect(poll.error).toMatch(/^deadline.*before writing/);
    expect(await scanStars(tables.client, tables.starsTable)).toHaveLength(0);
  });

  it('without a context (the local CLI) there is no deadline', async () => {
    const tables = await freshTables(dynamo.endpoint);
    sim.setFaults({});
    const s = collector({
      url: sim.url,
      dynamo: tables.client,
      starsTable: tables.starsTable,
      pollsTable: tables.pollsTable,
      tracks: [GO],
    });
    const result = await s.run({ time: new Date(T).toISOString() });
    expect(result.polls[0]).toMatchObject({ status: 'ok', written: 1000 });
  });
});

describe('the client and the deadline', () => {
  it('a secondary limit that asks for more than the time left gives up at once, without waiting', async () => {
    const waits: number[] = [];
    const controller = new AbortController();
    const client = createGitHubClient({
      url: 'http://127.0.0.1:9/graphql',
      token: 'test',
      sleep: async (ms) => {
        waits.push(ms);
      },
      fetch: async () =>
        new Response(JSON.stringify({ message: 'You have exceeded a secondary rate limit.' }), {
          status: 403,
          headers: { 'retry-after': '60', 'content-type': 'application/json' },
        }),
    });
    const deadline = { left: () => 30_000, signal: controller.signal, marginMs: 10_000 };
    const error = await (client.query as (...a: unknown[]) => Promise<unknown>)(
      'query { x }',
      {},
      newCounters(),
      deadline,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect(error).toMatchObject({ kind: 'deadline' });
    expect((error as Error).message).toMatch(/deadline.*60 s/);
    expect(waits).toEqual([]);
  });
});
