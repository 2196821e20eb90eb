// The real collector handler against the GitHub simulator and dynalite.
import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotOf } from '../core/domain.js';
import { isRepoName } from '../core/repo-name.js';
import type { EmbeddedDynamo } from '../core/store/embedded-store.js';
import { PollIncompleteError } from '../lambda/handler.js';
import { ALL_QUERIES } from '../lambda/queries.js';
import { INTERRUPTED } from '../lambda/slot-intent.js';
import { HOSTILE_NAMES, type StartedSimulator, startGitHubSimulator } from '../local/github-sim/index.js';
import { type DynamoFaultProxy, startDynamoFaultProxy } from './helpers/collector-dynamo-proxy.js';
import {
  collector,
  freshTables,
  getPoll,
  ranked,
  scanPolls,
  scanStars,
  startDynamo,
} from './helpers/collector-harness.js';

const T = Date.parse('2026-03-01T12:05:00Z');
const GO = { query: 'language:go', top: 1000 };

let sim: StartedSimulator;
let dynamo: EmbeddedDynamo;

beforeAll(async () => {
  [sim, dynamo] = await Promise.all([startGitHubSimulator({ seed: 7 }), startDynamo()]);
});
afterAll(async () => {
  await Promise.all([sim?.close(), dynamo?.close()]);
});

/**
 * The real client with a kill switch, as a Lambda timeout would pull it: sending the nth
 * BatchWriteItem aborts the invocation (the batches already answered stay written).
 */
function killedAtBatch(client: DynamoDBClient, n: number) {
  const controller = new AbortController();
  let batches = 0;
  const killing = {
    send: (command: unknown, options?: unknown) => {
      if (command instanceof BatchWriteItemCommand && ++batches === n) controller.abort();
      return (client.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, options);
    },
  } as unknown as DynamoDBClient;
  return { controller, killing };
}

async function setup(tracks = [GO]) {
  const tables = await freshTables(dynamo.endpoint);
  sim.setFaults({});
  sim.setHostile({});
  const c = collector({
    url: sim.url,
    dynamo: tables.client,
    starsTable: tables.starsTable,
    pollsTable: tables.pollsTable,
    tracks,
  });
  return { ...tables, ...c };
}

describe('collector against the simulator and dynalite', () => {
  it('stores the top 1,000 with the star counts GitHub shows at that time', async () => {
    const s = await setup();
    sim.setTime(T);
    sim.resetStats();
    const result = await s.run({ time: new Date(T).toISOString() });
    const ts = slotOf(T);
    expect(result.ts).toBe(ts);
    // Ten pages, one check of GitHub's counts at the cut-off, and a page of the star value the
    // 1,000th repository shares with the 1,001st when it does (it does here: 1,530 stars).
    const truth = sim.world.search('language:go', T);
    const requests = 11 + (truth[1000]!.stargazerCount === truth[999]!.stargazerCount ? 1 : 0);
    expect(result.polls[0]).toMatchObject({
      status: 'ok',
      expected: 1000,
      written: 1000,
      rejected: 0,
      points: requests,
      requests,
    });

    const rows = await scanStars(s.client, s.starsTable);
    expect(rows).toHaveLength(1000);
    expect(rows.every((r) => r.ts === ts)).toBe(true);
    expect(ranked(rows)).toEqual(ranked(sim.world.top('language:go', T, 1000)));

    const poll = await getPoll(s.client, s.pollsTable, 'language:go', ts);
    expect(poll).toMatchObject({
      status: 'ok',
      expected: 1000,
      written: 1000,
      rejected: 0,
      points: requests,
      requests,
    });
    expect(typeof poll?.durationMs).toBe('number');
    expect(poll?.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    // Every document the collector sent is one the schema test validates.
    const known = new Set(Object.values(ALL_QUERIES));
    expect(sim.stats.documents.every((d) => known.has(d))).toBe(true);
    // EMF: one success for the alarm.
    expect(s.metrics.map((l) => JSON.parse(l).PollSucceeded)).toEqual([1]);
  });

  it('a retried slot rewrites the same keys; the next slot adds a snapshot', async () => {
    const s = await setup();
    sim.setTime(T);
    await s.run({ time: new Date(T).toISOString() });
    await s.run({ time: new Date(T).toISOString() });
    // A late retry of the same event, minutes later, still lands in the same slot.
    sim.setTime(T + 7 * 60_000);
    await s.run({ time: new Date(T + 7 * 60_000).toISOString() });
    expect(await scanStars(s.client, s.starsTable)).toHaveLength(1000);
    expect(await scanPolls(s.client, s.pollsTable)).toHaveLength(1);

    sim.setTime(T + 15 * 60_000);
    await s.run({ time: new Date(T + 15 * 60_000).toISOString() });
    const rows = await scanStars(s.client, s.starsTable);
    expect(rows).toHaveLength(2000);
    expect(new Set(rows.map((r) => r.ts))).toEqual(new Set([slotOf(T), slotOf(T) + 900]));
  });

  it('top 2,500 through star ranges equals the true top 2,500: none missing, none twice', async () => {
    const s = await setup([{ query: 'language:go', top: 2500 }]);
    sim.setTime(T);
    const result = await s.run({ time: new Date(T).toISOString() });
    expect(result.polls[0]).toMatchObject({ status: 'ok', expected: 2500, written: 2500 });
    const rows = await scanStars(s.client, s.starsTable);
    expect(rows).toHaveLength(2500);
    expect(new Set(rows.map((r) => r.repoId)).size).toBe(2500);
    expect(ranked(rows)).toEqual(ranked(sim.world.top('language:go', T, 2500)));
  });

  it('30% 502s, secondary rate limits and slow answers past the timeout still complete the poll', async () => {
    const tables = await freshTables(dynamo.endpoint);
    sim.setHostile({});
    sim.setFaults({ error502: 0.3, secondaryRateLimit: 0.1, retryAfterSeconds: 3, slowShare: 0.05, slowMs: 1500 });
    sim.resetStats();
    const s = collector({
      url: sim.url,
      dynamo: tables.client,
      starsTable: tables.starsTable,
      pollsTable: tables.pollsTable,
      tracks: [{ query: 'language:go', top: 1500 }],
      github: { timeoutMs: 500, maxAttempts: 10, maxSecondaryWaits: 20 },
    });
    sim.setTime(T);
    try {
      const result = await s.run({ time: new Date(T).toISOString() });
      expect(result.polls[0]).toMatchObject({ status: 'ok', written: 1500 });
    } finally {
      sim.setFaults({});
    }
    expect(sim.stats.byStatus[502]).toBeGreaterThan(0);
    expect((sim.stats.byStatus[403] ?? 0) + (sim.stats.byStatus[429] ?? 0)).toBeGreaterThan(0);
    // retry-after was honoured (through the injected sleep, so the test stays fast).
    expect(s.sleep.waits).toContain(3000);
    expect(s.logger.lines.some((l) => l.includes('timed out'))).toBe(true);
    expect(ranked(await scanStars(tables.client, tables.starsTable))).toEqual(
      ranked(sim.world.top('language:go', T, 1500)),
    );
  });

  it('exhausted primary budget: poll recorded failed, nothing written, the handler throws', async () => {
    const poor = await startGitHubSimulator({ seed: 7, pointsPerHour: 4 });
    try {
      const tables = await freshTables(dynamo.endpoint);
      const s = collector({
        url: poor.url,
        dynamo: tables.client,
        starsTable: tables.starsTable,
        pollsTable: tables.pollsTable,
        tracks: [GO],
      });
      poor.setTime(T);
      const error = await s.run({ time: new Date(T).toISOString() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PollIncompleteError);
      expect((error as Error).message).toMatch(/primary rate limit/);
      expect(await scanStars(tables.client, tables.starsTable)).toHaveLength(0);
      const poll = await getPoll(tables.client, tables.pollsTable, 'language:go', slotOf(T));
      expect(poll).toMatchObject({ status: 'failed', written: 0 });
      expect(String(poll?.error)).toMatch(/primary rate limit exhausted/);
      expect(s.metrics.map((l) => JSON.parse(l).PollSucceeded)).toEqual([0]);
    } finally {
      await poor.close();
    }
  });

  it('malformed names are rejected and counted, never written', async () => {
    const s = await setup();
    sim.setTime(T);
    sim.setHostile({ badNameShare: 0.03 });
    const mark = sim.world.served.nodes.length;
    try {
      const result = await s.run({ time: new Date(T).toISOString() });
      const poll = result.polls[0]!;
      expect(poll.status).toBe('ok');
      expect(poll.rejected).toBeGreaterThan(0);
      const rows = await scanStars(s.client, s.starsTable);
      expect(rows).toHaveLength(poll.written);
      expect(poll.written + poll.rejected).toBe(1000);
      // Which ones: exactly those the simulator garbled (its ledger), the rest of the true top 1,000 stored.
      const corrupted = sim.world.served.corruptedOnly(mark);
      const top = sim.world.top('language:go', T, 1000);
      expect(ranked(rows)).toEqual(ranked(top.filter((r) => !corrupted.has(r.databaseId))));
      expect(rows.every((r) => isRepoName(r.repo))).toBe(true);
      expect(rows.some((r) => HOSTILE_NAMES.includes(r.repo))).toBe(false);
      expect(s.logger.lines.some((l) => l.includes('bad-name'))).toBe(true);
      expect(await getPoll(s.client, s.pollsTable, 'language:go', slotOf(T))).toMatchObject({
        rejected: poll.rejected,
      });
    } finally {
      sim.setHostile({});
    }
  });

  it('bad star counts are rejected; repeated nodes and pages that end early are fetched again', async () => {
    const s = await setup([{ query: 'language:go', top: 2000 }]);
    sim.setTime(T);
    // Shares low enough that a range is seldom fetched more than twice: a node garbled in every
    // answer that held it stays garbled, so some are rejected (more fetches would heal them all).
    sim.setHostile({ badStarsShare: 0.03, duplicateNodeShare: 0.002, truncatePageShare: 0.1 });
    const mark = sim.world.served.nodes.length;
    try {
      const result = await s.run({ time: new Date(T).toISOString() });
      const poll = result.polls[0]!;
      expect(poll.rejected).toBeGreaterThan(0);
      expect(s.logger.lines.some((l) => l.includes('fetching again'))).toBe(true);
      const rows = await scanStars(s.client, s.starsTable);
      expect(new Set(rows.map((r) => r.repoId)).size).toBe(rows.length);
      // Whatever was written is true: the right star count for the right repository.
      const truth = new Map(sim.world.search('language:go', T).map((r) => [r.databaseId, r]));
      for (const r of rows)
        expect({ repo: r.repo, stars: r.stars }).toEqual({
          repo: truth.get(r.repoId)?.nameWithOwner,
          stars: truth.get(r.repoId)?.stargazerCount,
        });
      // Nothing lost but the rejected, nothing from below the cut: exactly the true top 2,000
      // less the repositories the simulator garbled (its ledger, not the collector's count).
      const top = sim.world.top('language:go', T, 2000);
      const corrupted = sim.world.served.corruptedOnly(mark);
      const storable = top.filter((r) => !corrupted.has(r.databaseId));
      expect(storable.length).toBeLessThan(2000);
      expect(ranked(rows)).toEqual(ranked(storable));
      expect(poll).toMatchObject({ status: 'ok', written: storable.length, rejected: 2000 - storable.length });
    } finally {
      sim.setHostile({});
    }
  });
});

describe('DynamoDB faults (a real HTTP proxy in front of dynalite)', () => {
  let proxy: DynamoFaultProxy;
  beforeAll(async () => {
    proxy = await startDynamoFaultProxy(dynamo.endpoint, { seed: 3 });
  });
  afterAll(async () => proxy?.close());

  it('UnprocessedItems and throttling are retried until every row lands', async () => {
    const direct = await freshTables(dynamo.endpoint);
    const viaProxy = await freshTables(proxy.endpoint);
    proxy.setFaults({ unprocessedShare: 0.4, throttleShare: 0.2 });
    const s = collector({
      url: sim.url,
      dynamo: viaProxy.client,
      starsTable: direct.starsTable,
      pollsTable: direct.pollsTable,
      tracks: [GO],
    });
    sim.setFaults({});
    sim.setHostile({});
    sim.setTime(T);
    const result = await s.run({ time: new Date(T).toISOString() });
    expect(result.polls[0]).toMatchObject({ status: 'ok', written: 1000 });
    expect(proxy.stats.unprocessedReturned).toBeGreaterThan(0);
    expect(proxy.stats.throttled).toBeGreaterThan(0);
    expect(ranked(await scanStars(direct.client, direct.starsTable))).toEqual(
      ranked(sim.world.top('language:go', T, 1000)),
    );
  });

  it('writes that never land: recorded partial, the handler throws, and the re-delivered event completes', async () => {
    const direct = await freshTables(dynamo.endpoint);
    const viaProxy = await freshTables(proxy.endpoint);
    proxy.setFaults({ throttleShare: 0.8 });
    const s = collector({
      url: sim.url,
      dynamo: viaProxy.client,
      starsTable: direct.starsTable,
      pollsTable: direct.pollsTable,
      tracks: [GO],
      deps: { writeAttempts: 2 },
    });
    sim.setTime(T);
    const error = await s.run({ time: new Date(T).toISOString() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PollIncompleteError);
    const first = (error as PollIncompleteError).result.polls[0]!;
    expect(first.status).toBe('partial');
    expect(first.written).toBeLessThan(1000);
    expect(await getPoll(direct.client, direct.pollsTable, 'language:go', slotOf(T))).toMatchObject({
      status: 'partial',
      written: first.written,
    });

    proxy.setFaults({});
    const again = await s.run({ time: new Date(T).toISOString() });
    expect(again.polls[0]).toMatchObject({ status: 'ok', written: 1000 });
    expect(await scanStars(direct.client, direct.starsTable)).toHaveLength(1000);
    expect(await getPoll(direct.client, direct.pollsTable, 'language:go', slotOf(T))).toMatchObject({ status: 'ok' });
  });

  it('an invocation killed midway leaves part of a snapshot recorded as interrupted; the re-delivered event completes it, no duplicates', async () => {
    const tables = await freshTables(dynamo.endpoint);
    const { controller, killing } = killedAtBatch(tables.client, 12);
    const killed = collector({
      url: sim.url,
      dynamo: killing,
      starsTable: tables.starsTable,
      pollsTable: tables.pollsTable,
      tracks: [GO],
      deps: { signal: controller.signal },
    });
    sim.setFaults({});
    sim.setTime(T);
    await expect(killed.run({ time: new Date(T).toISOString() })).rejects.toThrow(/aborted/);
    const partial = await scanStars(tables.client, tables.starsTable);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(1000);
    // Not a silent gap: if no redelivery ever came, the slot would say it was interrupted.
    expect(await scanPolls(tables.client, tables.pollsTable)).toHaveLength(1);
    expect(await getPoll(tables.client, tables.pollsTable, 'language:go', slotOf(T))).toMatchObject({
      status: 'failed',
      error: INTERRUPTED,
      written: 0,
      expected: 1000,
    });

    const redelivered = collector({
      url: sim.url,
      dynamo: tables.client,
      starsTable: tables.starsTable,
      pollsTable: tables.pollsTable,
      tracks: [GO],
    });
    await redelivered.run({ time: new Date(T).toISOString() });
    expect(ranked(await scanStars(tables.client, tables.starsTable))).toEqual(
      ranked(sim.world.top('language:go', T, 1000)),
    );
    expect(await getPoll(tables.client, tables.pollsTable, 'language:go', slotOf(T))).toMatchObject({
      status: 'ok',
      written: 1000,
    });
  });

  it("killed, then failed at GitHub, then redelivered after a rename: the old name's row is removed", async () => {
    const tables = await freshTables(dynamo.endpoint);
    const rename = sim.world.renames[0]!;
    const event = { time: new Date(rename.at - 20 * 60_000).toISOString() };
    const { controller, killing } = killedAtBatch(tables.client, 12);
    const run = (dynamoClient: DynamoDBClient, deps = {}) =>
      collector({
        url: sim.url,
        dynamo: dynamoClient,
        starsTable: tables.starsTable,
        pollsTable: tables.pollsTable,
        tracks: [GO],
        deps,
      }).run(event);
    sim.setFaults({});
    sim.setTime(rename.at - 10 * 60_000);
    await expect(run(killing, { signal: controller.signal })).rejects.toThrow(/aborted/);
    const before = await scanStars(tables.client, tables.starsTable);
    expect(before.some((r) => r.repo === rename.from)).toBe(true);

    // A delivery that fails at GitHub records failed, keeping the killed attempt's names.
    sim.setFaults({ error502: 1 });
    await expect(run(tables.client)).rejects.toThrow();
    expect(await getPoll(tables.client, tables.pollsTable, GO.query, slotOf(event.time))).toMatchObject({
      status: 'failed',
    });

    sim.setFaults({});
    sim.setTime(rename.at + 10 * 60_000);
    const done = await run(tables.client);
    expect(done.polls[0]).toMatchObject({ status: 'ok', written: 1000 });
    const rows = await scanStars(tables.client, tables.starsTable);
    expect(rows.some((r) => r.repo === rename.from)).toBe(false);
    expect(ranked(rows)).toEqual(ranked(sim.world.top('language:go', rename.at + 10 * 60_000, 1000)));
    expect(await getPoll(tables.client, tables.pollsTable, GO.query, slotOf(event.time))).toMatchObject({
      status: 'ok',
      staleRemoved: 1,
    });
  });

  it('a completed slot delivered again after a rename (or an ok, a kill, then an ok) ends with one snapshot: N rows, one name per repo id', async () => {
    const tables = await freshTables(dynamo.endpoint);
    const rename = sim.world.renames[0]!;
    const event = { time: new Date(rename.at - 20 * 60_000).toISOString() };
    const run = (dynamoClient: DynamoDBClient, deps = {}) =>
      collector({
        url: sim.url,
        dynamo: dynamoClient,
        starsTable: tables.starsTable,
        pollsTable: tables.pollsTable,
        tracks: [GO],
        deps,
      }).run(event);
    sim.setFaults({});
    sim.setTime(rename.at - 10 * 60_000);
    expect((await run(tables.client)).polls[0]).toMatchObject({ status: 'ok', written: 1000 });

    // A duplicate delivery, late: GitHub has renamed docker/docker to moby/moby since.
    sim.setTime(rename.at + 10 * 60_000);
    const again = await run(tables.client);
    expect(again.polls[0]).toMatchObject({ status: 'ok', written: 1000, staleRemoved: 1 });
    let rows = await scanStars(tables.client, tables.starsTable);
    expect(rows).toHaveLength(1000);
    expect(new Set(rows.map((r) => r.repoId)).size).toBe(1000);
    expect(ranked(rows)).toEqual(ranked(sim.world.top('language:go', rename.at + 10 * 60_000, 1000)));

    // Back before the rename (an ok, then a killed delivery, then an ok): still one name per id.
    const { controller, killing } = killedAtBatch(tables.client, 3);
    sim.setTime(rename.at - 5 * 60_000);
    await expect(run(killing, { signal: controller.signal })).rejects.toThrow(/aborted/);
    sim.setTime(rename.at + 12 * 60_000);
    expect((await run(tables.client)).polls[0]).toMatchObject({ status: 'ok', written: 1000 });
    rows = await scanStars(tables.client, tables.starsTable);
    expect(rows).toHaveLength(1000);
    expect(ranked(rows)).toEqual(ranked(sim.world.top('language:go', rename.at + 12 * 60_000, 1000)));
  });
});
