// Fetches the top N repositories of a query: one paginated search when N fits under
// GitHub's cap, star ranges fetched with bounded concurrency when it does not. Then GitHub's
// own counts on both sides of the cut-off check the snapshot: a search that timed out answers
// what it found so far without saying so (GraphQL has no `incomplete_results`), and a page
// fetched after the ranking moved can skip a repository; either is fetched again, never stored short.
import type { Logger } from '../core/log.js';
import { mapBounded } from '../core/retry.js';
import { type CallCounters, type GitHubClient, GitHubError } from './github-client.js';
import { COUNT_CUTOFF, type CutoffPage, type RawRepositoryNode } from './queries.js';
import { countMatches, SEARCH_CAP, searchAll } from './search.js';
import { planStarRanges, rangeQualifier, type StarPlan, type StarRange } from './star-ranges.js';
import { type HeldNode, HeldNodes, MAX_PLAUSIBLE_STARS, type RankKey } from './validate-nodes.js';

export interface FetchTopOptions {
  top: number;
  counters?: CallCounters;
  logger?: Logger;
  /** Ranges fetched at once (each paginates sequentially). */
  concurrency?: number;
  /** Re-fetches of a search whose pages came back short, or that the cut-off check found short, before the poll fails. */
  incompleteRetries?: number;
  maxPerRange?: number;
}

export interface FetchTopResult {
  /**
   * The top N as GitHub ranked them, unvalidated, one per repository: a garbled or withheld
   * node keeps its place (so it is not replaced by a repository from below the cut).
   */
  nodes: (RawRepositoryNode | null)[];
  /** GitHub's count of all matches (the highest it gave: a search that timed out counts fewer). */
  repositoryCount: number;
  /** Repositories the poll means to store: min(top, repositoryCount). */
  expected: number;
  ranges: number;
  probes: number;
  /** Problems that make the snapshot knowingly incomplete (e.g. a star value over the cap). */
  warnings: string[];
}

/** The base query with its own sort and star qualifiers replaced by ours. */
export function searchQuery(query: string, qualifier?: string): string {
  const base = query
    .split(/\s+/)
    .filter((t) => t && !/^sort:/i.test(t))
    .join(' ');
  return [base, qualifier, 'sort:stars'].filter(Boolean).join(' ');
}

/** One fetch of a query's top N in progress: what every step reads, and what they add. */
interface TopFetch {
  client: GitHubClient;
  query: string;
  options: FetchTopOptions;
  warnings: string[];
  /** Every node of every answer, merged. */
  held: HeldNodes;
  /** The highest count GitHub gave for each query string: an answer that timed out only counts fewer. */
  counts: Map<string, number>;
}

/** Where the top N came from, and how to fetch it again when the cut-off check finds it short. */
interface Source {
  ranges: number;
  probes: number;
  /** The search stopped at N, so repositories tied with the Nth may lie beyond what it fetched. */
  limited: boolean;
  /** Fetches again into the held nodes; `replan`: the star ranges did not reach N, probe again. */
  refetch(replan: boolean): Promise<void>;
}

export async function fetchTop(client: GitHubClient, query: string, options: FetchTopOptions): Promise<FetchTopResult> {
  const { top } = options;
  if (top > SEARCH_CAP && /(^|\s)stars:/i.test(query)) {
    throw new GitHubError(
      'query',
      `track ${JSON.stringify(query)}: top ${top} needs star ranges, so the query cannot carry its own stars: qualifier`,
    );
  }
  const job: TopFetch = { client, query, options, warnings: [], held: new HeldNodes(), counts: new Map() };
  const source = await fetchSource(job);
  const total = job.counts.get(searchQuery(query)) ?? 0;
  const expected = Math.min(top, total);
  await checkCutoff(job, source, expected);
  const ranked = job.held.ranked().slice(0, top);
  const unplaced = ranked.filter((h) => !Number.isFinite(h.key.stars)).length;
  if (unplaced > 0)
    warn(
      job,
      `${unplaced} nodes GitHub returned had no count and no neighbour to place them by; counted within the top ${top}`,
    );
  return {
    nodes: ranked.map((h) => h.node),
    repositoryCount: total,
    expected,
    ranges: source.ranges,
    probes: source.probes,
    warnings: job.warnings,
  };
}

function warn(job: TopFetch, text: string): void {
  if (!job.warnings.includes(text)) job.warnings.push(text);
}

/** Remembers GitHub's count for `q` and returns the highest it gave. */
function observe(job: TopFetch, q: string, count: number): number {
  const best = Math.max(job.counts.get(q) ?? 0, count);
  job.counts.set(q, best);
  return best;
}

async function fetchSource(job: TopFetch): Promise<Source> {
  const { options } = job;
  const whole = searchQuery(job.query);
  if (options.top <= SEARCH_CAP) return searchSource(job, whole, options.top, 0);
  const first = await countWhole(job);
  if (first.count <= SEARCH_CAP) return searchSource(job, whole, undefined, first.probes);
  return rangeSource(job, first);
}

/**
 * GitHub's count of the whole query and the top repository's stars, which the star grid is laid
 * on. A garbled count there (negative, absurd) would plan ranges that miss the top N: asked again.
 */
async function countWhole(job: TopFetch): Promise<{ count: number; maxStars: number; probes: number }> {
  const whole = searchQuery(job.query);
  for (let probes = 1; ; probes += 1) {
    const first = await countMatches(job.client, whole, job.options.counters);
    const count = observe(job, whole, first.count);
    const stars = first.firstStars;
    if (stars !== undefined && stars >= 0 && stars <= MAX_PLAUSIBLE_STARS) return { count, maxStars: stars, probes };
    if (stars === undefined || probes >= 3)
      return { count, maxStars: stars === undefined ? 0 : MAX_PLAUSIBLE_STARS, probes };
  }
}

async function searchSource(job: TopFetch, q: string, limit: number | undefined, probes: number): Promise<Source> {
  await fetchComplete(job, q, limit);
  return {
    ranges: 1,
    probes,
    limited: limit !== undefined,
    refetch: async () => {
      await fetchComplete(job, q, limit);
    },
  };
}

/** The most stars any plausible node of an answer has. */
function maxStarsOf(nodes: readonly (RawRepositoryNode | null)[]): number {
  let max = 0;
  for (const n of nodes) {
    const s = n?.stargazerCount;
    if (typeof s === 'number' && s <= MAX_PLAUSIBLE_STARS && s > max) max = s;
  }
  return max;
}

/**
 * A search whose pages end early, or that repeats a node (on GitHub: the ranking moved
 * between pages, so another repository was skipped), is fetched again and the attempts
 * merged by databaseId until every reachable result is in hand. A short snapshot is never
 * accepted silently. Every answer also goes into the fetch's held nodes.
 */
async function fetchComplete(
  job: TopFetch,
  q: string,
  limit?: number,
): Promise<{ repositoryCount: number; maxStars: number }> {
  const { client, options } = job;
  const incompleteRetries = options.incompleteRetries ?? 4;
  const ids = new Set<number>();
  let idless = 0;
  let maxStars = 0;
  for (let attempt = 0; ; attempt += 1) {
    const result = await searchAll(client, q, { limit, counters: options.counters });
    job.held.add(q, result.nodes);
    const count = observe(job, q, result.repositoryCount);
    let unnamed = 0;
    for (const node of result.nodes) {
      if (typeof node?.databaseId === 'number') ids.add(node.databaseId);
      else unnamed += 1;
    }
    if (attempt === 0) idless = unnamed;
    maxStars = Math.max(maxStars, maxStarsOf(result.nodes));
    const distinct = ids.size + idless;
    const reachable = Math.min(limit ?? SEARCH_CAP, count, SEARCH_CAP);
    if (distinct >= reachable) return { repositoryCount: count, maxStars };
    if (attempt >= incompleteRetries) {
      throw new GitHubError(
        'unavailable',
        `GitHub returned ${distinct} distinct of ${reachable} results for ${JSON.stringify(q)} after ${attempt + 1} tries (pages ended early or repeated nodes)`,
      );
    }
    options.logger?.warn('search results came back short, fetching again', {
      query: q,
      got: distinct,
      reachable,
      attempt: attempt + 1,
    });
  }
}

function unreachableWarning(count: number, stars: number): string {
  return `${count} repositories have exactly ${stars} stars; GitHub returns only ${SEARCH_CAP} of them`;
}

/** The top N of a query with more matches than one search reaches: star ranges, a few at once. */
async function rangeSource(job: TopFetch, first: { maxStars: number; probes: number }): Promise<Source> {
  const total = () => job.counts.get(searchQuery(job.query)) ?? 0;
  let plan = await planRanges(job, total(), first.maxStars);
  const fetchAll = () => mapBounded(plan.ranges, job.options.concurrency ?? 8, (range) => fetchRange(job, plan, range));
  await fetchAll();
  const source: Source = {
    ranges: plan.ranges.length,
    probes: plan.probes + first.probes,
    limited: false,
    refetch: async (replan) => {
      // The ranges did not reach N (a count or the top stars came back wrong): probe again.
      if (replan) {
        const again = await countWhole(job);
        plan = await planRanges(job, total(), again.maxStars);
        source.ranges = plan.ranges.length;
        source.probes += again.probes + plan.probes;
      }
      await fetchAll();
    },
  };
  return source;
}

async function planRanges(job: TopFetch, total: number, maxStars: number): Promise<StarPlan> {
  const { client, query, options } = job;
  const plan = await planStarRanges(
    async (stars) => (await countMatches(client, searchQuery(query, `stars:>=${stars}`), options.counters)).count,
    { top: options.top, total, maxStars, maxPerRange: options.maxPerRange, concurrency: options.concurrency },
  );
  for (const r of plan.unsplittable) warn(job, unreachableWarning(r.count, r.min));
  options.logger?.info('star ranges planned', {
    query,
    ranges: plan.ranges.length,
    threshold: plan.threshold,
    probes: plan.probes,
    rounds: plan.rounds,
  });
  return plan;
}

/**
 * One range, its answers added to the held nodes. A range can outgrow the cap between probe
 * and fetch (stars keep moving): it is split and both halves fetched.
 */
async function fetchRange(job: TopFetch, plan: StarPlan, range: StarRange): Promise<void> {
  const q = searchQuery(job.query, rangeQualifier(range));
  const result = await fetchComplete(job, q);
  if (result.repositoryCount <= SEARCH_CAP) return;
  const hi = range.max ?? Math.max(range.min, result.maxStars);
  if (hi > range.min) {
    const mid = range.min + Math.floor((hi - range.min) / 2);
    job.options.logger?.warn('star range outgrew the search cap, splitting', {
      query: q,
      count: result.repositoryCount,
    });
    await Promise.all([
      fetchRange(job, plan, { min: range.min, max: mid, count: 0 }),
      fetchRange(job, plan, { min: mid + 1, max: range.max, count: 0 }),
    ]);
    return;
  }
  if (!plan.unsplittable.some((u) => u.min === range.min))
    warn(job, unreachableWarning(result.repositoryCount, range.min));
}

/** What the cut-off check concluded, and what to do about it. */
type Verdict =
  | { kind: 'ok' }
  /** Answers left repositories out (above the cut, or fewer than N in all): fetch the source again. */
  | { kind: 'missing' | 'short'; reason: string }
  /** Repositories tied with the Nth lie beyond what a search stopped at N fetched: fetch that star value. */
  | { kind: 'ties'; stars: number; reason: string }
  /** GitHub counted fewer than the answers held: the count itself timed out. Ask again. */
  | { kind: 'low'; reason: string };

/**
 * GitHub's counts of `stars:>S` and `stars:>=S` (S: the Nth repository's stars) must match what
 * the answers held; until they do, what they say is missing is fetched again. Counts only
 * ever come back low when a search times out, so the highest of each is kept.
 */
async function checkCutoff(job: TopFetch, source: Source, expected: number): Promise<void> {
  // Nothing to check, or nothing a check could settle: a star value over the cap is already
  // flagged, and a query with its own stars: qualifier would meet ours in one search.
  if (expected === 0 || job.warnings.length > 0 || /(^|\s)stars:/i.test(job.query)) return;
  const rounds = (job.options.incompleteRetries ?? 4) + 2;
  let recount = true;
  for (let round = 1; ; round += 1) {
    const verdict = await judgeCutoff(job, expected, recount);
    if (verdict.kind === 'ok') return;
    const last = round >= rounds;
    job.options.logger?.warn(`search results failed the cut-off check, ${last ? 'giving up' : NEXT[verdict.kind]}`, {
      query: job.query,
      check: verdict.kind,
      reason: verdict.reason,
      round,
    });
    // Counts a check trusted are asked again only if they came back low (or the cut-off moved).
    recount = verdict.kind === 'low';
    // A count that keeps coming back low sees nothing missing, but the answers hold a repository
    // it does not count (one that fell below the cut, or was deleted, while the pages came in).
    if (last && verdict.kind === 'low') return warn(job, `${verdict.reason} (after ${round} checks of the cut-off)`);
    if (last) throw new GitHubError('unavailable', `${verdict.reason} (after ${round} checks of the cut-off)`);
    if (verdict.kind === 'ties' && source.limited)
      await fetchComplete(job, searchQuery(job.query, `stars:${verdict.stars}`));
    else if (verdict.kind !== 'low') await source.refetch(verdict.kind === 'short');
  }
}

const NEXT: Record<Exclude<Verdict['kind'], 'ok'>, string> = {
  missing: 'fetching again',
  short: 'fetching again',
  ties: 'fetching again',
  low: 'counting again',
};

/** Held repositories above and at `stars`, those with GitHub's own count apart from those placed by position. */
function tally(ranked: readonly HeldNode[], stars: number) {
  const t = { above: 0, aboveUnsure: 0, at: 0, atUnsure: 0 };
  for (const { key } of ranked) {
    if (key.stars > stars) {
      if (key.sure) t.above += 1;
      else t.aboveUnsure += 1;
    } else if (key.stars === stars) {
      if (key.sure) t.at += 1;
      else t.atUnsure += 1;
    }
  }
  return t;
}

async function judgeCutoff(job: TopFetch, expected: number, recount: boolean): Promise<Verdict> {
  const ranked = job.held.ranked();
  if (ranked.length < expected)
    return { kind: 'short', reason: `the answers held ${ranked.length} of ${expected} expected repositories` };
  const nth: RankKey = ranked[expected - 1]!.key;
  if (!Number.isFinite(nth.stars)) return { kind: 'ok' };
  const stars = nth.stars;
  const counted = await countCutoff(job, stars, recount);
  const held = tally(ranked, stars);
  const tied = counted.atLeast - counted.above;
  if (counted.above > held.above + held.aboveUnsure)
    return {
      kind: 'missing',
      reason: `GitHub counts ${counted.above} repositories above ${stars} stars; its answers held ${held.above + held.aboveUnsure}`,
    };
  if (counted.above < held.above || counted.atLeast < held.above + held.at)
    return {
      kind: 'low',
      reason: `GitHub counts ${counted.above} repositories above ${stars} stars and ${counted.atLeast} at or above; its answers held ${held.above} and ${held.above + held.at}`,
    };
  if (tied > held.at + held.atUnsure)
    return {
      kind: 'ties',
      stars,
      reason: `GitHub counts ${tied} repositories with exactly ${stars} stars; its answers held ${held.at + held.atUnsure}`,
    };
  return { kind: 'ok' };
}

async function countCutoff(
  job: TopFetch,
  stars: number,
  recount: boolean,
): Promise<{ above: number; atLeast: number }> {
  const above = searchQuery(job.query, `stars:>${stars}`);
  const atLeast = searchQuery(job.query, `stars:>=${stars}`);
  const known = { above: job.counts.get(above), atLeast: job.counts.get(atLeast) };
  if (!recount && known.above !== undefined && known.atLeast !== undefined)
    return { above: known.above, atLeast: known.atLeast };
  const data = await job.client.query<CutoffPage>(COUNT_CUTOFF, { above, atLeast }, job.options.counters);
  const a = data?.above?.repositoryCount;
  const b = data?.atLeast?.repositoryCount;
  if (typeof a !== 'number' || typeof b !== 'number')
    throw new GitHubError('unavailable', `GitHub returned no count for ${JSON.stringify(atLeast)}`);
  return { above: observe(job, above, a), atLeast: observe(job, atLeast, b) };
}
