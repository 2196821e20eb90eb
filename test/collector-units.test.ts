// The collector's pure pieces: query documents against GitHub's schema, star-range planning,
// node validation, error classification, EMF metrics, token parsing.
import * as schemaPackage from '@octokit/graphql-schema';
import { buildClientSchema, type IntrospectionQuery, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { backoffDelay, createLimiter } from '../core/retry.js';
import { encodePollItem, MAX_NAMES_BYTES, packNames, unpackNames } from '../core/store/poll-item.js';
import { searchQuery } from '../lambda/fetch-top.js';
import { classify } from '../lambda/github-client.js';
import { eventSlot } from '../lambda/handler.js';
import { emfRecord } from '../lambda/metrics.js';
import { ALL_QUERIES } from '../lambda/queries.js';
import { logGrid, planStarRanges, rangeQualifier } from '../lambda/star-ranges.js';
import { parseSecret } from '../lambda/token.js';
import { selectTop, validateNodes } from '../lambda/validate-nodes.js';

describe('queries', () => {
  const schema = buildClientSchema((schemaPackage as unknown as { schema: { json: IntrospectionQuery } }).schema.json);

  it.each(Object.entries(ALL_QUERIES))('%s validates against GitHub’s published schema', (_name, source) => {
    expect(validate(schema, parse(source))).toEqual([]);
  });

  it('the schema check catches a misspelled field', () => {
    const broken = ALL_QUERIES.SEARCH_REPOSITORIES!.replace('stargazerCount', 'stargazersCount');
    expect(validate(schema, parse(broken)).length).toBeGreaterThan(0);
  });
});

/** Counts over a sorted star list, as GitHub's repositoryCount would answer. */
function counter(stars: number[]) {
  const calls: number[] = [];
  const countAtLeast = async (x: number) => {
    calls.push(x);
    return stars.filter((s) => s >= x).length;
  };
  return { countAtLeast, calls };
}

function inRange(stars: number[], r: { min: number; max: number | null }) {
  return stars.filter((s) => s >= r.min && (r.max === null || s <= r.max)).length;
}

describe('star ranges', () => {
  // A heavy tail: many small repositories, few huge ones.
  const stars = Array.from({ length: 20_000 }, (_, i) => Math.floor(130_000 / (1 + i) ** 0.9));

  it('covers at least the top N with ranges that each hold fewer than 1,000', async () => {
    const { countAtLeast } = counter(stars);
    const plan = await planStarRanges(countAtLeast, { top: 10_000, total: stars.length, maxStars: stars[0]! });
    expect(plan.unsplittable).toEqual([]);
    for (const r of plan.ranges) expect(inRange(stars, r)).toBeLessThan(1000);
    const covered = plan.ranges.reduce((n, r) => n + inRange(stars, r), 0);
    expect(covered).toBeGreaterThanOrEqual(10_000);
    expect(covered - 10_000).toBeLessThanOrEqual(1000);
    // Contiguous, ascending, open at the top.
    for (let i = 1; i < plan.ranges.length; i += 1) expect(plan.ranges[i]!.min).toBe(plan.ranges[i - 1]!.max! + 1);
    expect(plan.ranges.at(-1)!.max).toBeNull();
    // Grid then bisection: a few rounds, not a binary search per boundary.
    expect(plan.rounds).toBeLessThanOrEqual(12);
  });

  it('flags a single star value holding more than the cap instead of looping', async () => {
    const flat = [...Array.from({ length: 1500 }, () => 7), ...Array.from({ length: 600 }, (_, i) => 100 + i)];
    const { countAtLeast } = counter(flat);
    const plan = await planStarRanges(countAtLeast, { top: 2000, total: flat.length, maxStars: 699 });
    expect(plan.unsplittable).toEqual([{ min: 7, max: 7, count: 1500 }]);
  });

  it('writes qualifiers GitHub understands', () => {
    expect(rangeQualifier({ min: 5, max: 9 })).toBe('stars:5..9');
    expect(rangeQualifier({ min: 5, max: 5 })).toBe('stars:5');
    expect(rangeQualifier({ min: 5, max: null })).toBe('stars:>=5');
    expect(searchQuery('language:go sort:updated', 'stars:1..2')).toBe('language:go stars:1..2 sort:stars');
    expect(logGrid(100, 5).every((v, i, a) => v >= 1 && v <= 100 && (i === 0 || v > a[i - 1]!))).toBe(true);
  });
});

describe('validate nodes', () => {
  it('rejects bad names, star counts and ids, and drops duplicates', () => {
    const out = validateNodes([
      { __typename: 'Repository', nameWithOwner: 'golang/go', stargazerCount: 120_000, databaseId: 1 },
      { __typename: 'Repository', nameWithOwner: 'a/b/c', stargazerCount: 5, databaseId: 2 },
      { __typename: 'Repository', nameWithOwner: '../x', stargazerCount: 5, databaseId: 3 },
      { __typename: 'Repository', nameWithOwner: '<script>/x', stargazerCount: 5, databaseId: 4 },
      { __typename: 'Repository', nameWithOwner: 'ok/neg', stargazerCount: -3, databaseId: 5 },
      { __typename: 'Repository', nameWithOwner: 'ok/huge', stargazerCount: 2e9, databaseId: 6 },
      { __typename: 'Repository', nameWithOwner: 'ok/noid', stargazerCount: 1, databaseId: null },
      { __typename: 'Repository', nameWithOwner: 'golang/go', stargazerCount: 120_000, databaseId: 1 },
      { __typename: 'Repository', nameWithOwner: 'golang/go', stargazerCount: 3, databaseId: 9 },
      null,
    ]);
    expect(out.repos).toEqual([{ repo: 'golang/go', stars: 120_000, repoId: 1 }]);
    expect(out.duplicates).toBe(1);
    expect(out.rejections.map((r) => r.reason)).toEqual([
      'bad-name',
      'bad-name',
      'bad-name',
      'bad-stars',
      'bad-stars',
      'bad-id',
      'duplicate-name',
      'not-a-repository',
    ]);
  });

  it('ranks by stars desc then databaseId asc and keeps exactly n', () => {
    const top = selectTop(
      [
        { stars: 5, repoId: 3 },
        { stars: 9, repoId: 8 },
        { stars: 5, repoId: 1 },
        { stars: 1, repoId: 2 },
      ],
      3,
    );
    expect(top).toEqual([
      { stars: 9, repoId: 8 },
      { stars: 5, repoId: 1 },
      { stars: 5, repoId: 3 },
    ]);
  });
});

describe('github error handling', () => {
  it('classifies GitHub answers', () => {
    expect(classify(Object.assign(new Error('Bad Gateway'), { status: 502 })).retry).toBe('backoff');
    expect(classify(Object.assign(new Error('fetch failed'), { status: 500 })).retry).toBe('backoff');
    expect(classify(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).retry).toBe('backoff');
    expect(classify(new Error('a bug of ours')).retry).toBe('none');
    const secondary = classify(
      Object.assign(new Error('You have exceeded a secondary rate limit'), {
        status: 403,
        response: { headers: { 'retry-after': '7' } },
      }),
    );
    expect(secondary).toMatchObject({ retry: 'secondary', waitMs: 7000 });
    expect(classify(Object.assign(new Error('x'), { status: 429, response: { headers: {} } })).retry).toBe('secondary');
    const primary = classify(
      Object.assign(new Error('API rate limit exceeded'), {
        status: 403,
        response: { headers: { 'x-ratelimit-remaining': '0' } },
      }),
    );
    expect(primary.error.kind).toBe('primary-rate-limit');
    expect(classify(Object.assign(new Error('Bad credentials'), { status: 401 })).error.kind).toBe('auth');
  });

  it('backs off with full jitter under a cap', () => {
    expect(backoffDelay(0, 100, 1000, () => 0.999)).toBe(99);
    expect(backoffDelay(10, 100, 1000, () => 0.999)).toBe(999);
    expect(backoffDelay(3, 100, 1000, () => 0)).toBe(0);
  });

  it('the limiter never lets more than its limit run', async () => {
    const limit = createLimiter(3);
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limit(async () => {
          running += 1;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, 2));
          running -= 1;
        }),
      ),
    );
    expect(most).toBe(3);
  });
});

describe('records, metrics, token, slot', () => {
  it('emits EMF with the Startrail namespace and no dimensions', () => {
    const ok = emfRecord({ track: 'language:go', status: 'ok', rowsWritten: 1000, durationMs: 1234 }, 0);
    expect(ok).toMatchObject({ PollSucceeded: 1, RowsWritten: 1000, PollDurationMs: 1234 });
    const meta = (
      ok._aws as {
        CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
      }
    ).CloudWatchMetrics[0]!;
    expect(meta.Namespace).toBe('Startrail');
    expect(meta.Dimensions).toEqual([[]]);
    expect(meta.Metrics.map((m) => `${m.Name}:${m.Unit}`)).toEqual([
      'PollSucceeded:Count',
      'RowsWritten:Count',
      'PollDurationMs:Milliseconds',
    ]);
    expect(emfRecord({ track: 'q', status: 'partial', rowsWritten: 1, durationMs: 1 }, 0).PollSucceeded).toBe(0);
  });

  it('reads a raw or JSON secret and refuses an empty one', () => {
    expect(parseSecret(' ghp_abc \n', 's')).toBe('ghp_abc');
    expect(parseSecret('{"token":"ghp_json"}', 's')).toBe('ghp_json');
    expect(() => parseSecret('', 'secret arn:x')).toThrow(/secret arn:x: secret is empty/);
    expect(() => parseSecret('{"nope":1}', 's')).toThrow(/no string "token"/);
  });

  it('keys a poll by the event time’s slot, and refuses a garbled time', () => {
    const clock = () => new Date('2026-03-01T10:59:00Z');
    expect(eventSlot({ time: '2026-03-01T10:14:59Z' }, clock)).toBe(Date.parse('2026-03-01T10:00:00Z') / 1000);
    expect(eventSlot({}, clock)).toBe(Date.parse('2026-03-01T10:45:00Z') / 1000);
    expect(() => eventSlot({ time: 'yesterday' }, clock)).toThrow(/event.time/);
  });

  it('builds a poll item with every contract field', () => {
    const { item } = encodePollItem({
      track: 'language:go',
      ts: 900,
      status: 'failed',
      expected: 1000,
      written: 0,
      rejected: 0,
      points: 3,
      requests: 4,
      durationMs: 5,
      startedAt: '2026-01-01T00:00:00.000Z',
      error: 'boom',
    });
    expect(Object.keys(item).sort()).toEqual(
      [
        'durationMs',
        'error',
        'expected',
        'points',
        'rejected',
        'requests',
        'startedAt',
        'status',
        'track',
        'ts',
        'written',
      ].sort(),
    );
  });
});

describe('names kept while a slot is being written (slot-intent)', () => {
  it('round-trip, and 10,000 names fit in a fraction of the item limit', () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `owner-${i}/project.name_${i}`);
    const packed = packNames(names)!;
    expect(unpackNames(packed)).toEqual(names);
    expect(packed.byteLength).toBeLessThan(MAX_NAMES_BYTES / 3);
    expect(unpackNames(packNames([])!)).toEqual([]);
  });

  it('names that would not fit under the item limit are not kept', () => {
    // Random names do not compress: 40,000 x 24 bytes is far past the limit.
    const names = Array.from(
      { length: 40_000 },
      () => `${Math.random().toString(36).slice(2, 12)}/${Math.random().toString(36).slice(2, 14)}`,
    );
    expect(packNames(names)).toBeUndefined();
  });
});
