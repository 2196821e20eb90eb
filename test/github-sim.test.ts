// The GitHub simulator: GitHub's schema really executed, search semantics, the world's shape,
// limits and faults. Real HTTP throughout; @octokit/graphql (the collector's client) where it fits.
import { spawn } from 'node:child_process';
import { graphql } from '@octokit/graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRepoName } from '../core/repo-name.js';
import {
  createWorld,
  parseStars,
  type SimRepo,
  type SimulatedWorld,
  type StartedSimulator,
  startGitHubSimulator,
  typicalRate,
  validateGitHubQuery,
} from '../local/github-sim/index.js';

const START = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const HOUR = 3_600_000;

const PAGE = `query($q: String!, $first: Int = 100, $after: String) {
  rateLimit { cost limit remaining used resetAt nodeCount }
  search(query: $q, type: REPOSITORY, first: $first, after: $after) {
    repositoryCount
    pageInfo { hasNextPage endCursor }
    nodes { ... on Repository { nameWithOwner stargazerCount databaseId } }
  }
}`;

interface Node {
  nameWithOwner: string;
  stargazerCount: number;
  databaseId: number;
}
interface PageResult {
  rateLimit: { cost: number; remaining: number; used: number; limit: number; nodeCount: number; resetAt: string };
  search: { repositoryCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Node[] };
}

function client(sim: StartedSimulator, token = 'test-token') {
  return graphql.defaults({ baseUrl: sim.url.replace(/\/graphql$/, ''), headers: { authorization: `token ${token}` } });
}

async function post(
  sim: StartedSimulator,
  body: unknown,
  headers: Record<string, string> = {},
  init: RequestInit = {},
) {
  const res = await fetch(sim.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: json as Record<string, unknown> & { data?: PageResult },
  };
}

const page = (q: string, after?: string | null, first = 100) => ({
  query: PAGE,
  variables: { q, after: after ?? null, first },
});

async function fetchAll(sim: StartedSimulator, q: string): Promise<{ nodes: Node[]; pages: number; last: PageResult }> {
  const gql = client(sim);
  const nodes: Node[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const r: PageResult = await gql<PageResult>(PAGE, { q, after });
    pages++;
    nodes.push(...r.search.nodes);
    if (!r.search.pageInfo.hasNextPage) return { nodes, pages, last: r };
    after = r.search.pageInfo.endCursor;
    if (pages > 20) throw new Error('pagination does not end');
  }
}

describe('GitHub simulator over HTTP', () => {
  let sim: StartedSimulator;
  const t = START + 5 * DAY + 3 * HOUR;

  beforeAll(async () => {
    sim = await startGitHubSimulator({ seed: 1 });
    sim.setTime(t);
  });
  afterAll(() => sim?.close());

  it('executes GitHub’s schema: a misspelled field fails like on GitHub, with HTTP 200 and errors', async () => {
    const bad = `{ search(query: "language:go", type: REPOSITORY, first: 5) { nodes { ... on Repository { nameWithOwnr } } } }`;
    await expect(client(sim)(bad)).rejects.toMatchObject({
      name: 'GraphqlResponseError',
      errors: [
        expect.objectContaining({
          message: expect.stringContaining('Cannot query field "nameWithOwnr" on type "Repository"'),
        }),
      ],
    });
    const raw = await post(sim, { query: bad });
    expect(raw.status).toBe(200);
    expect(raw.json.data).toBeUndefined();
    expect(validateGitHubQuery(bad)).toEqual([expect.stringContaining('nameWithOwnr')]);
    expect(validateGitHubQuery(PAGE)).toEqual([]);
    // An unknown argument and a wrong enum are rejected too.
    const enumError = await post(sim, { query: `{ search(query: "x", type: REPO, first: 1) { repositoryCount } }` });
    expect(JSON.stringify(enumError.json.errors)).toMatch(/REPO/);
  });

  it('pages through at most 1,000 results, exactly the world’s top 1,000 in sort:stars order', async () => {
    const q = 'language:go sort:stars';
    const truth = sim.world.search(q, t);
    expect(truth.length).toBeGreaterThan(1000);
    const { nodes, pages, last } = await fetchAll(sim, q);
    expect(pages).toBe(10);
    expect(nodes).toHaveLength(1000);
    expect(nodes).toEqual(sim.world.top(q, t, 1000));
    expect(last.search.repositoryCount).toBe(truth.length);
    // Sorted by stars desc, ties by databaseId asc.
    for (let i = 1; i < nodes.length; i++) {
      const [a, b] = [nodes[i - 1]!, nodes[i]!];
      expect(
        a.stargazerCount > b.stargazerCount || (a.stargazerCount === b.stargazerCount && a.databaseId < b.databaseId),
      ).toBe(true);
    }
    // Past the cap there is nothing, even though repositoryCount says more.
    const beyond = await post(sim, page(q, last.search.pageInfo.endCursor));
    expect(beyond.json.data!.search.nodes).toEqual([]);
    expect(beyond.json.data!.search.pageInfo.hasNextPage).toBe(false);
  });

  it('ties occur in the low end and are broken by databaseId', () => {
    const all = sim.world.search('language:go sort:stars', t);
    const tied = all.filter((r, i) => i > 0 && all[i - 1]!.stargazerCount === r.stargazerCount);
    expect(tied.length).toBeGreaterThan(50);
    expect(Math.min(...tied.map((r) => r.stargazerCount))).toBeLessThan(2000);
  });

  it('filters every stars: form and reports the true repositoryCount', async () => {
    const base = sim.world.search('language:go', t);
    const n = base[1500]!.stargazerCount;
    const cases: [string, (s: number) => boolean][] = [
      [`stars:>${n}`, (s) => s > n],
      [`stars:>=${n}`, (s) => s >= n],
      [`stars:<${n}`, (s) => s < n],
      [`stars:<=${n}`, (s) => s <= n],
      [`stars:${n}..${n + 200}`, (s) => s >= n && s <= n + 200],
      [`stars:${n}`, (s) => s === n],
      [`stars:${n}..*`, (s) => s >= n],
    ];
    for (const [qualifier, keep] of cases) {
      const q = `language:go ${qualifier} sort:stars`;
      const expected = base.filter((r) => keep(r.stargazerCount));
      expect(sim.world.search(q, t), qualifier).toEqual(expected);
      const r = await post(sim, page(q, null, 100));
      expect(r.json.data!.search.repositoryCount, qualifier).toBe(expected.length);
      expect(r.json.data!.search.nodes, qualifier).toEqual(expected.slice(0, 100));
    }
    expect(parseStars('abc')).toBeNull();
    expect(sim.world.search('language:go stars:500..100', t)).toEqual([]);
    expect(sim.world.search('language:cobol', t)).toEqual([]);
  });

  it('without sort:stars the order is best match (a shuffle) over the same set', async () => {
    const q = 'language:go stars:3000..6000';
    const sorted = await post(sim, page(`${q} sort:stars`));
    const best = await post(sim, page(q));
    const again = await post(sim, page(q));
    const ids = (r: typeof best) => r.json.data!.search.nodes.map((x) => x.databaseId);
    expect(ids(best)).toEqual(ids(again));
    expect(ids(best)).not.toEqual(ids(sorted));
    expect(best.json.data!.search.repositoryCount).toBe(sorted.json.data!.search.repositoryCount);
    if (sorted.json.data!.search.repositoryCount <= 100) expect([...ids(best)].sort()).toEqual([...ids(sorted)].sort());
  });

  it('rejects pages GitHub rejects: first > 100, no first/last, a forged cursor', async () => {
    const over = await post(sim, page('language:go', null, 101));
    expect(over.status).toBe(200);
    expect(over.json.errors).toEqual([expect.objectContaining({ type: 'EXCESSIVE_PAGINATION', path: ['search'] })]);
    expect(over.json.data).toBeNull();
    const none = await post(sim, { query: '{ search(query: "language:go", type: REPOSITORY) { repositoryCount } }' });
    expect(JSON.stringify(none.json.errors)).toMatch(/first. or .last/);
    const forged = await post(sim, page('language:go', 'bm90LWEtY3Vyc29y'));
    expect(forged.json.errors).toEqual([expect.objectContaining({ type: 'INVALID_CURSOR_ARGUMENTS' })]);
  });

  it('reports rateLimit and x-ratelimit-* headers, one point per search page', async () => {
    const a = await post(sim, page('language:rust sort:stars'));
    const b = await post(sim, page('language:rust sort:stars'));
    const ra = a.json.data!.rateLimit;
    const rb = b.json.data!.rateLimit;
    expect(ra).toMatchObject({ cost: 1, limit: 5000, nodeCount: 100 });
    expect(rb.remaining).toBe(ra.remaining - 1);
    expect(rb.used).toBe(ra.used + 1);
    expect(b.headers.get('x-ratelimit-remaining')).toBe(String(rb.remaining));
    expect(b.headers.get('x-ratelimit-used')).toBe(String(rb.used));
    expect(b.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(b.headers.get('x-ratelimit-resource')).toBe('graphql');
    expect(Number(b.headers.get('x-ratelimit-reset')) * 1000).toBe(Date.parse(rb.resetAt));
  });

  it('answers other paths 404 and other methods 405', async () => {
    const get = await fetch(sim.url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(sim.url.replace(/graphql$/, 'nope'), { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await post(sim, '{not json')).status).toBe(400);
  });

  it('records stats: requests, statuses, points and distinct documents', async () => {
    sim.resetStats();
    await post(sim, page('language:go sort:stars'));
    await post(sim, page('language:go sort:stars'));
    await post(sim, { query: '{ rateLimit { remaining } }' });
    expect(sim.stats).toMatchObject({ requests: 3, byStatus: { 200: 3 }, points: 3 });
    expect(sim.stats.documents).toEqual([PAGE, '{ rateLimit { remaining } }']);
  });
});

describe('the simulated world', () => {
  let world: SimulatedWorld;
  beforeAll(() => {
    world = createWorld({ seed: 1 });
  });
  const go = () => world.repos.filter((r) => r.language === 'go');

  it('is deterministic from the seed, and any time can be asked in any order', () => {
    const other = createWorld({ seed: 1 });
    const times = [START + 40 * DAY, START, START + 3 * HOUR + 17_000];
    for (const at of times)
      expect(other.top('language:python sort:stars', at, 300)).toEqual(
        world.top('language:python sort:stars', at, 300),
      );
    const reversed = [...times].reverse().map((at) => other.top('language:go', at, 50));
    expect(reversed.reverse()).toEqual(times.map((at) => world.top('language:go', at, 50)));
    const different = createWorld({ seed: 2 });
    expect(different.top('language:go', START, 1000)).not.toEqual(world.top('language:go', START, 1000));
  });

  it('has a heavy tail up to ~130k, golang/go on top', () => {
    const top = world.top('language:go', START, 1000);
    expect(top[0]).toMatchObject({ nameWithOwner: 'golang/go' });
    expect(top[0]!.stargazerCount).toBeGreaterThan(120_000);
    expect(top[0]!.stargazerCount).toBeLessThan(140_000);
    expect(top[999]!.stargazerCount).toBeLessThan(5000);
    for (const r of world.search('', START)) expect(isRepoName(r.nameWithOwner), r.nameWithOwner).toBe(true);
  });

  it('renames docker/docker to moby/moby one day in: same databaseId, new name', () => {
    expect(world.renames).toContainEqual({
      databaseId: 7691631,
      from: 'docker/docker',
      to: 'moby/moby',
      at: START + DAY,
    });
    const before = world.search('language:go', START + DAY - 1).find((r) => r.databaseId === 7691631);
    const after = world.search('language:go', START + DAY).find((r) => r.databaseId === 7691631);
    expect(before?.nameWithOwner).toBe('docker/docker');
    expect(after?.nameWithOwner).toBe('moby/moby');
    // And, as in the article, a sharp rise just after the name change.
    const moby = world.repo(7691631)!;
    expect(world.starsAt(moby, START + DAY + 14 * HOUR) - world.starsAt(moby, START + DAY)).toBeGreaterThan(1000);
  });

  it('grows faster the bigger it is, bending upwards around 5,000 stars', () => {
    const steady = go().filter((r) => r.kind !== 'rising' && r.kind !== 'decliner');
    const points = steady.map((r) => ({
      stars: world.starsAt(r, START + 60 * DAY),
      rate: (world.starsAt(r, START + 60 * DAY) - world.starsAt(r, START)) / 60,
    }));
    const slope = (ps: typeof points) => {
      const xs = ps.filter((p) => p.rate > 0).map((p) => [Math.log(p.stars), Math.log(p.rate)] as const);
      const mx = xs.reduce((s, [x]) => s + x, 0) / xs.length;
      const my = xs.reduce((s, [, y]) => s + y, 0) / xs.length;
      return xs.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / xs.reduce((s, [x]) => s + (x - mx) ** 2, 0);
    };
    const small = points.filter((p) => p.stars < 5000);
    const big = points.filter((p) => p.stars >= 5000);
    expect(slope(points)).toBeGreaterThan(0.5);
    expect(slope(big)).toBeGreaterThan(1);
    expect(slope(big)).toBeGreaterThan(slope(small) + 0.3);
    expect(typicalRate(130_000)).toBeGreaterThan(20 * typicalRate(5000));
  });

  it('has bursts from outside events: jumps over hours far above the steady rate', () => {
    let bursts = 0;
    for (const r of go()) {
      for (const e of r.events.filter((x) => x.amount > 0 && x.at < START + 30 * DAY)) {
        const jump = world.starsAt(r, e.at + 12 * HOUR) - world.starsAt(r, e.at);
        const steady = Math.max(1, r.ratePerDay * 0.5);
        if (jump > 5 * steady + 20) bursts++;
      }
    }
    expect(bursts).toBeGreaterThan(10);
  });

  it('has falls: sudden clean-ups and a repo losing stars steadily', () => {
    const decliner = go().find((r) => r.kind === 'decliner')!;
    const series = Array.from({ length: 31 }, (_, d) => world.starsAt(decliner, START + d * DAY));
    expect(series[30]!).toBeLessThan(series[0]! - 50);
    expect(series.every((s, i) => i === 0 || s <= series[i - 1]! + 1)).toBe(true);
    const drops = go().flatMap((r) =>
      r.events.filter((e) => e.amount < -20).map((e) => world.starsAt(r, e.at + 6 * HOUR) - world.starsAt(r, e.at)),
    );
    expect(drops.some((d) => d < -20)).toBe(true);
  });

  it('has repos rising from zero into the top 1,000 during the period', () => {
    const rising = go().filter((r: SimRepo) => r.kind === 'rising' && r.createdAt < START + 2 * DAY);
    expect(rising.length).toBeGreaterThanOrEqual(1);
    const ids = new Set(rising.map((r) => r.databaseId));
    expect(world.search('language:go', START).some((r) => ids.has(r.databaseId))).toBe(false);
    const later = world.top('language:go sort:stars', START + 7 * DAY, 1000);
    expect(later.some((r) => ids.has(r.databaseId))).toBe(true);
  });
});

describe('limits and faults', () => {
  const small = { reposPerLanguage: 400, languages: ['go'] };

  it('answers 401 like GitHub without the right token', async () => {
    const sim = await startGitHubSimulator({ ...small, token: 'right-token' });
    try {
      expect((await post(sim, page('language:go'))).status).toBe(401);
      const wrong = await post(sim, page('language:go'), { authorization: 'token wrong' });
      expect(wrong.status).toBe(401);
      expect(wrong.json.message).toBe('Bad credentials');
      expect((await post(sim, page('language:go'), { authorization: 'bearer right-token' })).status).toBe(200);
      await expect(client(sim, 'wrong')(PAGE, { q: 'language:go' })).rejects.toMatchObject({ status: 401 });
      const ok = await client(sim, 'right-token')<PageResult>(PAGE, { q: 'language:go' });
      expect(ok.search.nodes).toHaveLength(100);
    } finally {
      await sim.close();
    }
  });

  it('exhausts the primary budget like GitHub (200, RATE_LIMITED, remaining 0) and resets an hour later', async () => {
    const sim = await startGitHubSimulator({ ...small, pointsPerHour: 3 });
    try {
      sim.setTime(START + 1234);
      const first = await post(sim, { query: '{ rateLimit { remaining resetAt } }' });
      expect(Number(first.headers.get('x-ratelimit-reset')) * 1000).toBe(
        Date.parse(first.json.data!.rateLimit.resetAt),
      );
      expect(Date.parse(first.json.data!.rateLimit.resetAt)).toBe(START + HOUR + 2000);
      sim.setTime(START + HOUR + 5000);
      for (let i = 0; i < 3; i++)
        expect((await post(sim, page('language:go'))).json.data!.rateLimit.remaining).toBe(2 - i);
      const limited = await post(sim, page('language:go'));
      expect(limited.status).toBe(200);
      expect(limited.json.errors).toEqual([
        expect.objectContaining({ type: 'RATE_LIMITED', message: expect.stringMatching(/^API rate limit exceeded/) }),
      ]);
      expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
      await expect(client(sim)(PAGE, { q: 'language:go' })).rejects.toMatchObject({ name: 'GraphqlResponseError' });
      sim.setTime(sim.now().getTime() + HOUR);
      expect((await post(sim, page('language:go'))).json.data!.rateLimit.remaining).toBe(2);
    } finally {
      await sim.close();
    }
  });

  it('counts the answers its slow fault held back, on its own side (none without the fault)', async () => {
    const sim = await startGitHubSimulator({ ...small, faults: { slowShare: 0.5, slowMs: 1 } });
    try {
      sim.setTime(START + 1234);
      const started = Date.now();
      for (let i = 0; i < 40; i++) await post(sim, page('language:go'));
      expect(sim.stats.slowAnswers).toBeGreaterThan(5);
      expect(sim.stats.slowAnswers).toBeLessThan(35);
      expect(Date.now() - started).toBeGreaterThanOrEqual(sim.stats.slowAnswers);
      sim.resetStats();
      expect(sim.stats.slowAnswers).toBe(0);
      sim.setFaults({});
      for (let i = 0; i < 5; i++) await post(sim, page('language:go'));
      expect(sim.stats.slowAnswers).toBe(0);
    } finally {
      await sim.close();
    }
  });

  it('injects 502s and secondary limits (403 and 429 with retry-after) at about the configured share', async () => {
    const sim = await startGitHubSimulator({
      ...small,
      seed: 7,
      faults: { error502: 0.3, secondaryRateLimit: 0.1, retryAfterSeconds: 0 },
    });
    try {
      const answers: Awaited<ReturnType<typeof post>>[] = [];
      for (let i = 0; i < 400; i++) answers.push(await post(sim, page('language:go', null, 1)));
      const share = (s: number) => answers.filter((a) => a.status === s).length / answers.length;
      expect(share(502)).toBeGreaterThan(0.24);
      expect(share(502)).toBeLessThan(0.36);
      expect(share(403) + share(429)).toBeGreaterThan(0.06);
      expect(share(403) + share(429)).toBeLessThan(0.14);
      expect(share(403)).toBeGreaterThan(0);
      expect(share(429)).toBeGreaterThan(0);
      expect(answers.find((a) => a.status === 502)!.text).toMatch(/502 Bad Gateway/);
      for (const a of answers.filter((x) => x.status === 403 || x.status === 429)) {
        expect(a.headers.get('retry-after')).toBe('0');
        expect(a.json.message).toMatch(/^You have exceeded a secondary rate limit/);
      }
      expect(sim.stats.byStatus[502]).toBe(answers.filter((a) => a.status === 502).length);
      // Faults off at runtime: everything answers.
      sim.setFaults({});
      expect((await post(sim, page('language:go'))).status).toBe(200);
      // The same seed draws the same faults.
      const again = await startGitHubSimulator({
        ...small,
        seed: 7,
        faults: { error502: 0.3, secondaryRateLimit: 0.1, retryAfterSeconds: 0 },
      });
      try {
        const replay: number[] = [];
        for (let i = 0; i < 40; i++) replay.push((await post(again, page('language:go', null, 1))).status);
        expect(replay).toEqual(answers.slice(0, 40).map((a) => a.status));
      } finally {
        await again.close();
      }
    } finally {
      await sim.close();
    }
  });

  it('holds slow answers past a client timeout', async () => {
    const sim = await startGitHubSimulator({ ...small, faults: { slowShare: 1, slowMs: 5000 } });
    try {
      await expect(post(sim, page('language:go'), {}, { signal: AbortSignal.timeout(150) })).rejects.toThrow();
      sim.setFaults({});
      expect((await post(sim, page('language:go'))).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it('answers concurrency above maxConcurrent with a secondary limit', async () => {
    const sim = await startGitHubSimulator({ ...small, maxConcurrent: 5, latencyMs: 200 });
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => post(sim, page('language:go', null, 5))));
      const limited = answers.filter((a) => a.status === 403 || a.status === 429);
      expect(sim.stats.maxConcurrentSeen).toBeGreaterThan(5);
      expect(limited.length).toBeGreaterThan(0);
      expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(5);
      expect(limited[0]!.headers.get('retry-after')).toBe('1');
    } finally {
      await sim.close();
    }
  });

  it('applies an optional points-a-minute secondary limit', async () => {
    const sim = await startGitHubSimulator({ ...small, pointsPerMinute: 5 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await post(sim, page('language:go', null, 1))).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5).every((s) => s === 403 || s === 429)).toBe(true);
    } finally {
      await sim.close();
    }
  });

  it('serves hostile data on request: bad names, bad star counts, duplicates, pages that end early', async () => {
    const sim = await startGitHubSimulator({ ...small, hostile: { badNameShare: 0.2, badStarsShare: 0.2 } });
    try {
      const nodes: Node[] = [];
      for (let i = 0; i < 3; i++)
        nodes.push(...(await post(sim, page('language:go sort:stars'))).json.data!.search.nodes);
      const badNames = nodes.filter((n) => !isRepoName(n.nameWithOwner));
      expect(badNames.length).toBeGreaterThan(20);
      expect(badNames.length).toBeLessThan(100);
      const badStars = nodes.filter((n) => n.stargazerCount < 0 || n.stargazerCount > 1e9);
      expect(badStars.length).toBeGreaterThan(20);

      sim.setHostile({ duplicateNodeShare: 0.1 });
      const dup = (await post(sim, page('language:go sort:stars'))).json.data!.search.nodes;
      expect(new Set(dup.map((n) => n.databaseId)).size).toBeLessThan(dup.length);

      sim.setHostile({ truncatePageShare: 1 });
      const short = (await post(sim, page('language:go sort:stars'))).json.data!.search;
      expect(short.nodes.length).toBeLessThan(100);
      expect(short.pageInfo.hasNextPage).toBe(true);

      sim.setHostile({});
      const clean = (await post(sim, page('language:go sort:stars'))).json.data!.search.nodes;
      expect(clean).toEqual(sim.world.top('language:go sort:stars', sim.now(), 100));
    } finally {
      await sim.close();
    }
  });
});

describe('npm run simulator (serve.ts)', () => {
  const serve = (args: string[]) => {
    const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'local/github-sim/serve.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exited, output: () => out, errors: () => err };
  };

  it('starts standalone with a pinned clock that POST /_sim/time moves', async () => {
    const run = serve(['--port', '0', '--repos', '200', '--languages', 'go', '--time', '2026-01-01T12:00:00Z']);
    try {
      const deadline = Date.now() + 30_000;
      while (!/graphql/.test(run.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const url = /http:\/\/127\.0\.0\.1:\d+\/graphql/.exec(run.output())?.[0];
      expect(url, run.errors()).toBeDefined();
      const moved = await fetch(url!.replace(/graphql$/, '_sim/time'), {
        method: 'POST',
        body: JSON.stringify({ time: '2026-01-02T00:00:00Z' }),
      });
      expect(await moved.json()).toEqual({ now: '2026-01-02T00:00:00.000Z' });
      const res = await fetch(url!, { method: 'POST', body: JSON.stringify(page('language:go sort:stars', null, 3)) });
      const body = (await res.json()) as { data: PageResult };
      expect(body.data.search.nodes[0]!.nameWithOwner).toBe('golang/go');
      expect(body.data.search.repositoryCount).toBe(
        createWorld({ reposPerLanguage: 200, languages: ['go'] }).search('language:go', Date.UTC(2026, 0, 2)).length,
      );
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });

  it('turns a bad flag into a one-line error and a non-zero exit', async () => {
    const run = serve(['--502', '2']);
    expect(await run.exited).not.toBe(0);
    expect(run.errors()).toMatch(/--502.*expected a share between 0 and 1/);
    expect(run.errors()).not.toMatch(/\n\s+at /);
  });
});
