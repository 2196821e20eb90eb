// Partial GraphQL answers (issue 13, item 3): an organisation's IP allow list makes GitHub answer a
// search with that org's repositories as null nodes and a FORBIDDEN error each, beside good data.
// The collector keeps the good nodes and records the poll `partial`; other errors still fail it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotOf } from '../core/domain.js';
import type { EmbeddedDynamo } from '../core/store/embedded-store.js';
import { createGitHubClient, GitHubError, newCounters } from '../lambda/github-client.js';
import { MAX_ERROR_TEXT } from '../lambda/record-poll.js';
import { type StartedSimulator, startGitHubSimulator } from '../local/github-sim/index.js';
import {
  collector,
  fastSleep,
  freshTables,
  getPoll,
  ranked,
  scanStars,
  startDynamo,
} from './helpers/collector-harness.js';

const T = Date.parse('2026-03-01T12:05:00Z');
const TOKEN = 'ghp_partialPartialPartialPartial0123456789';

let sim: StartedSimulator;
let dynamo: EmbeddedDynamo;

beforeAll(async () => {
  [sim, dynamo] = await Promise.all([startGitHubSimulator({ seed: 7 }), startDynamo()]);
  sim.setTime(T);
});
afterAll(async () => {
  await Promise.all([sim?.close(), dynamo?.close()]);
});

const ownerOf = (name: string) => name.split('/')[0]!;

/** golang (the top repository, so the first node of every count probe) and one more owner from the top 1,000. */
function forbiddenOwners(): string[] {
  const top = sim.world.top('language:go', T, 1000);
  const other = top.map((r) => ownerOf(r.nameWithOwner)).find((o, i) => i > 100 && o !== 'golang')!;
  return ['golang', other];
}

/** The parts of a search answer these tests read. */
interface SearchBody {
  data: { search: { repositoryCount: number; nodes: (Record<string, unknown> | null)[] } };
  errors: { type: string; path: unknown[]; message: string }[];
}

async function searchPage(first: number, after: string | null = null) {
  const response = await fetch(sim.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query:
        'query($q: String!, $first: Int!, $after: String) { search(query: $q, type: REPOSITORY, first: $first, after: $after) { repositoryCount pageInfo { hasNextPage endCursor } nodes { ... on Repository { nameWithOwner stargazerCount databaseId } } } }',
      variables: { q: 'language:go sort:stars', first, after },
    }),
  });
  return { status: response.status, body: (await response.json()) as SearchBody };
}

async function setup(tracks = [{ query: 'language:go', top: 1000 }], github = {}) {
  const tables = await freshTables(dynamo.endpoint);
  sim.setHostile({});
  const c = collector({
    url: sim.url,
    token: TOKEN,
    dynamo: tables.client,
    starsTable: tables.starsTable,
    pollsTable: tables.pollsTable,
    tracks,
    github,
  });
  return { ...tables, ...c };
}

describe('the simulator withholds an IP-allow-listed organisation’s repositories as GitHub does', () => {
  it('answers 200 with good data, the withheld nodes null and a FORBIDDEN error with a path to each', async () => {
    const owners = forbiddenOwners();
    sim.setFaults({ forbiddenOwners: owners });
    try {
      const { status, body } = await searchPage(100);
      expect(status).toBe(200);
      const truth = sim.world.top('language:go', T, 100);
      const nodes = body.data.search.nodes as (Record<string, unknown> | null)[];
      expect(nodes).toHaveLength(100);
      const hidden = truth.flatMap((r, i) => (owners.includes(ownerOf(r.nameWithOwner)) ? [i] : []));
      expect(hidden).toContain(0); // golang/go
      expect(nodes.flatMap((n, i) => (n === null ? [i] : []))).toEqual(hidden);
      expect(body.errors.map((e: { path: unknown }) => e.path)).toEqual(hidden.map((i) => ['search', 'nodes', i]));
      for (const e of body.errors) {
        expect(e.type).toBe('FORBIDDEN');
        expect(e.message).toMatch(/organization has an IP allow list enabled/);
      }
      expect(body.errors[0]?.message).toContain('`golang`');
      // The good nodes are the truth, in place.
      for (const [i, n] of nodes.entries()) if (n) expect(n).toEqual(truth[i]);
      expect(body.data.search.repositoryCount).toBe(sim.world.search('language:go', T).length);
    } finally {
      sim.setFaults({});
    }
  });

  it('forbiddenRepoShare withholds the same repositories every time; forbiddenRequestShare picks the requests', async () => {
    sim.setFaults({ forbiddenRepoShare: 0.1 });
    const nulls = async () =>
      ((await searchPage(100)).body.data.search.nodes as unknown[]).flatMap((n, i) => (n === null ? [i] : []));
    try {
      const first = await nulls();
      expect(first.length).toBeGreaterThan(2);
      expect(first.length).toBeLessThan(25);
      expect(await nulls()).toEqual(first);
      sim.setFaults({ forbiddenRepoShare: 0.1, forbiddenRequestShare: 0 });
      expect(await nulls()).toEqual([]);
      sim.setFaults({ forbiddenRepoShare: 0.1, forbiddenRequestShare: 0.5 });
      const seen = [];
      for (let i = 0; i < 12; i += 1) seen.push((await nulls()).length > 0);
      expect(seen).toContain(true);
      expect(seen).toContain(false);
    } finally {
      sim.setFaults({});
    }
  });
});

describe('the collector keeps the good nodes of a partial answer', () => {
  it('top 1,000: every visible repository stored with its true count, the poll partial with the reason, no re-fetch', async () => {
    const owners = forbiddenOwners();
    // What a poll of the same slot asks GitHub when nothing is withheld.
    const baseline = await setup();
    sim.setFaults({});
    const plain = (await baseline.run({ time: new Date(T).toISOString() })).polls[0]!;
    expect(plain.status).toBe('ok');
    const s = await setup();
    sim.setFaults({ forbiddenOwners: owners });
    sim.resetStats();
    try {
      const result = await s.run({ time: new Date(T).toISOString() });
      const truth = sim.world.top('language:go', T, 1000);
      const visible = truth.filter((r) => !owners.includes(ownerOf(r.nameWithOwner)));
      const withheld = truth.length - visible.length;
      expect(withheld).toBeGreaterThan(1);
      const poll = result.polls[0]!;
      expect(poll).toMatchObject({ status: 'partial', expected: 1000, written: visible.length, rejected: 0 });
      // The null nodes did not look like a page that ended early or a ranking that moved:
      // not one request more than the poll that saw every repository.
      expect(poll.requests).toBe(plain.requests);
      expect(sim.stats.requests).toBe(plain.requests);
      const refetches = (lines: string[]) =>
        lines
          .map((l) => JSON.parse(l) as { message: string; check?: string })
          .filter((l) => /came back short|cut-off check/.test(l.message))
          .map((l) => `${l.message} ${l.check ?? ''}`);
      expect(refetches(s.logger.lines)).toEqual(refetches(baseline.logger.lines));
      expect(poll.warnings?.join(' ')).toMatch(new RegExp(`${withheld} of 1000 .*FORBIDDEN.*IP allow list`));
      expect(poll.error).toMatch(/FORBIDDEN/);
      const rows = await scanStars(s.client, s.starsTable);
      expect(ranked(rows)).toEqual(ranked(visible));
      const stored = await getPoll(s.client, s.pollsTable, 'language:go', slotOf(T));
      expect(stored).toMatchObject({ status: 'partial', written: visible.length });
      expect(String(stored?.error)).toMatch(/IP allow list/);
      // Partial, but a retry cannot lift an allow list: the handler returned instead of throwing.
      expect(s.metrics.map((l) => JSON.parse(l).PollSucceeded)).toEqual([0]);
    } finally {
      sim.setFaults({});
    }
  });

  it('top 2,500 through star ranges, with the top repository withheld from every count probe', async () => {
    const owners = forbiddenOwners();
    const s = await setup([{ query: 'language:go', top: 2500 }]);
    sim.setFaults({ forbiddenOwners: owners });
    try {
      const result = await s.run({ time: new Date(T).toISOString() });
      const poll = result.polls[0]!;
      expect(poll.status).toBe('partial');
      const truth = sim.world.top('language:go', T, 2500);
      const rows = await scanStars(s.client, s.starsTable);
      // Nothing from outside the true top 2,500, every count as GitHub showed it, none of the withheld.
      const truthById = new Map(truth.map((r) => [r.databaseId, r]));
      for (const r of rows)
        expect(truthById.get(r.repoId)).toMatchObject({ nameWithOwner: r.repo, stargazerCount: r.stars });
      expect(rows.some((r) => owners.includes(ownerOf(r.repo)))).toBe(false);
      // Exactly the true top 2,500 less the withheld: none filled in from below the cut.
      const visible = truth.filter((r) => !owners.includes(ownerOf(r.nameWithOwner)));
      expect(ranked(rows)).toEqual(ranked(visible));
      expect(poll.warnings?.join(' ')).toContain(`${2500 - visible.length} of 2500 repositories withheld`);
      expect(poll.written).toBe(rows.length);
      expect(poll.warnings?.join(' ')).toMatch(/FORBIDDEN/);
    } finally {
      sim.setFaults({});
    }
  });

  it('the withheld nodes’ error text is stored redacted and capped', async () => {
    // A proxy that echoes the token into the FORBIDDEN message and pads it: the record keeps neither.
    const echoing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const text = (await response.text()).replaceAll(
        'organization has an IP allow list enabled',
        `organization has an IP allow list enabled (authorization: bearer ${TOKEN}) ${'x'.repeat(2000)}`,
      );
      const headers = new Headers(response.headers);
      headers.delete('content-length');
      return new Response(text, { status: response.status, headers });
    };
    const s = await setup(undefined, { fetch: echoing });
    sim.setFaults({ forbiddenOwners: forbiddenOwners() });
    try {
      const result = await s.run({ time: new Date(T).toISOString() });
      expect(result.polls[0]!.status).toBe('partial');
      const stored = await getPoll(s.client, s.pollsTable, 'language:go', slotOf(T));
      const text = JSON.stringify(stored);
      expect(text).toMatch(/IP allow list/);
      expect(text).not.toContain(TOKEN);
      expect(String(stored?.error).length).toBeLessThanOrEqual(MAX_ERROR_TEXT);
      expect(s.logger.lines.join('\n')).not.toContain(TOKEN);
    } finally {
      sim.setFaults({});
    }
  });

  it('a whole-query FORBIDDEN (data null) still fails the poll, as it did', async () => {
    const s = await setup();
    sim.setFaults({ echoToken: 'graphqlError' });
    try {
      const error = (await s.run({ time: new Date(T).toISOString() }).catch((e: unknown) => e)) as {
        result?: { polls: { status: string }[] };
      };
      expect(error.result?.polls[0]?.status).toBe('failed');
      expect(await scanStars(s.client, s.starsTable)).toHaveLength(0);
    } finally {
      sim.setFaults({});
    }
  });
});

describe('the client tells a withheld node from a failed query', () => {
  const page = (nodes: unknown[]) => ({
    search: { repositoryCount: 3, pageInfo: { hasNextPage: false, endCursor: 'Y3Vyc29yOjM=' }, nodes },
    rateLimit: { cost: 1, remaining: 4999, resetAt: '2026-03-01T13:00:00Z' },
  });
  const repo = { __typename: 'Repository', nameWithOwner: 'a/b', stargazerCount: 5, databaseId: 1 };
  const forbidden = (path: unknown[]) => ({
    type: 'FORBIDDEN',
    path,
    message: `Although you appear to have the correct authorization credentials, the \`acme\` organization has an IP allow list enabled (${TOKEN}).`,
  });
  const answering = (body: unknown) =>
    createGitHubClient({
      url: 'http://127.0.0.1:9/graphql',
      token: TOKEN,
      sleep: fastSleep(),
      fetch: async () => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }),
    });

  it('returns the data of an answer whose only errors are FORBIDDEN nodes, and counts them (redacted)', async () => {
    const counters = newCounters();
    const data = await answering({
      data: page([repo, null, repo]),
      errors: [forbidden(['search', 'nodes', 1])],
    }).query<ReturnType<typeof page>>('query { x }', {}, counters);
    expect(data.search.nodes).toEqual([repo, null, repo]);
    expect(counters.points).toBe(1);
    expect(counters.withheld).toHaveLength(1);
    expect(counters.withheld![0]).toMatch(/IP allow list/);
    expect(counters.withheld![0]).not.toContain(TOKEN);
  });

  it.each([
    [
      'a FORBIDDEN node beside an error of another type',
      {
        data: page([repo, null]),
        errors: [forbidden(['search', 'nodes', 1]), { type: 'NOT_FOUND', path: ['search'], message: 'gone' }],
      },
    ],
    [
      'a FORBIDDEN error on the whole search',
      { data: { search: null, rateLimit: null }, errors: [forbidden(['search'])] },
    ],
    ['a FORBIDDEN error without a path', { data: page([repo]), errors: [{ type: 'FORBIDDEN', message: 'no' }] }],
    [
      'a FORBIDDEN error whose node is not null',
      { data: page([repo, repo]), errors: [forbidden(['search', 'nodes', 1])] },
    ],
    ['data null', { data: null, errors: [forbidden(['search', 'nodes', 0])] }],
  ])('still throws for %s', async (_name, body) => {
    const error = await answering(body)
      .query('query { x }', {}, newCounters())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).message).not.toContain(TOKEN);
  });
});
