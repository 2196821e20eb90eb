// Fetches the top N repositories of a query: one paginated search when N fits under
// GitHub's cap, star ranges fetched with bounded concurrency when it does not.
import type { Logger } from '../core/log.js';
import { mapBounded } from '../core/retry.js';
import { type CallCounters, type GitHubClient, GitHubError } from './github-client.js';
import type { RawRepositoryNode } from './queries.js';
import { countMatches, SEARCH_CAP, searchAll } from './search.js';
import { planStarRanges, rangeQualifier, type StarPlan, type StarRange } from './star-ranges.js';
import { validateNodes } from './validate-nodes.js';

export interface FetchTopOptions {
  top: number;
  counters?: CallCounters;
  logger?: Logger;
  /** Ranges fetched at once (each paginates sequentially). */
  concurrency?: number;
  /** Re-fetches of a range whose pages came back short before the poll fails. */
  incompleteRetries?: number;
  maxPerRange?: number;
}

export interface FetchTopResult {
  /** Every node GitHub returned, unvalidated; may hold seam duplicates. */
  nodes: (RawRepositoryNode | null)[];
  /** GitHub's count of all matches. */
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

/** One fetch of a query's top N in progress: what every step reads, and the warnings they add. */
interface TopFetch {
  client: GitHubClient;
  query: string;
  options: FetchTopOptions;
  warnings: string[];
}

/** A query's results, every reachable one in hand. */
interface CompleteSearch {
  nodes: (RawRepositoryNode | null)[];
  repositoryCount: number;
}

export async function fetchTop(client: GitHubClient, query: string, options: FetchTopOptions): Promise<FetchTopResult> {
  const { top, counters } = options;
  if (top > SEARCH_CAP && /(^|\s)stars:/i.test(query)) {
    throw new GitHubError(
      'query',
      `track ${JSON.stringify(query)}: top ${top} needs star ranges, so the query cannot carry its own stars: qualifier`,
    );
  }
  const job: TopFetch = { client, query, options, warnings: [] };
  const whole = searchQuery(query);
  if (top <= SEARCH_CAP) return oneSearch(job, await fetchComplete(job, whole, top), 0);
  const first = await countMatches(client, whole, counters);
  if (first.count <= SEARCH_CAP) return oneSearch(job, await fetchComplete(job, whole), 1);
  return fetchByRanges(job, first.count, first.firstStars ?? 0);
}

function oneSearch(job: TopFetch, result: CompleteSearch, probes: number): FetchTopResult {
  return {
    nodes: result.nodes,
    repositoryCount: result.repositoryCount,
    expected: Math.min(job.options.top, result.repositoryCount),
    ranges: 1,
    probes,
    warnings: job.warnings,
  };
}

/**
 * A search whose pages end early, or that repeats a node (on GitHub: the ranking moved
 * between pages, so another repository was skipped), is fetched again and the attempts
 * merged by databaseId until every reachable result is in hand. A short snapshot is never
 * accepted silently.
 */
async function fetchComplete(job: TopFetch, q: string, limit?: number): Promise<CompleteSearch> {
  const { client, options } = job;
  const incompleteRetries = options.incompleteRetries ?? 4;
  const byId = new Map<number, RawRepositoryNode>();
  let idless: (RawRepositoryNode | null)[] = [];
  for (let attempt = 0; ; attempt += 1) {
    const result = await searchAll(client, q, { limit, counters: options.counters });
    const attemptIdless = mergeById(byId, result.nodes);
    if (attempt === 0) idless = attemptIdless;
    const distinct = byId.size + idless.length;
    if (distinct >= result.reachable) {
      return { nodes: [...byId.values(), ...idless], repositoryCount: result.repositoryCount };
    }
    if (attempt >= incompleteRetries) {
      throw new GitHubError(
        'unavailable',
        `GitHub returned ${distinct} distinct of ${result.reachable} results for ${JSON.stringify(q)} after ${attempt + 1} tries (pages ended early or repeated nodes)`,
      );
    }
    options.logger?.warn('search results came back short, fetching again', {
      query: q,
      got: distinct,
      reachable: result.reachable,
      attempt: attempt + 1,
    });
  }
}

/** Adds an attempt's nodes to those held by databaseId; returns the nodes that have none. */
function mergeById(
  byId: Map<number, RawRepositoryNode>,
  nodes: readonly (RawRepositoryNode | null)[],
): (RawRepositoryNode | null)[] {
  const idless: (RawRepositoryNode | null)[] = [];
  for (const node of nodes) {
    const id = node?.databaseId;
    if (!node || typeof id !== 'number') {
      idless.push(node);
      continue;
    }
    const held = byId.get(id);
    // Prefer an answer that passes validation over a garbled copy of the same repository.
    if (!held || (validateNodes([held]).repos.length === 0 && validateNodes([node]).repos.length === 1))
      byId.set(id, node);
  }
  return idless;
}

function unreachableWarning(count: number, stars: number): string {
  return `${count} repositories have exactly ${stars} stars; GitHub returns only ${SEARCH_CAP} of them`;
}

/** The top N of a query with more matches than one search reaches: star ranges, a few at once. */
async function fetchByRanges(job: TopFetch, total: number, maxStars: number): Promise<FetchTopResult> {
  const { options } = job;
  const plan = await planRanges(job, total, maxStars);
  const nodes: (RawRepositoryNode | null)[] = [];
  await mapBounded(plan.ranges, options.concurrency ?? 8, (range) => fetchRange(job, plan, range, nodes));
  return {
    nodes,
    repositoryCount: total,
    expected: Math.min(options.top, total),
    ranges: plan.ranges.length,
    probes: plan.probes + 1,
    warnings: job.warnings,
  };
}

async function planRanges(job: TopFetch, total: number, maxStars: number): Promise<StarPlan> {
  const { client, query, options } = job;
  const plan = await planStarRanges(
    async (stars) => (await countMatches(client, searchQuery(query, `stars:>=${stars}`), options.counters)).count,
    { top: options.top, total, maxStars, maxPerRange: options.maxPerRange, concurrency: options.concurrency },
  );
  for (const r of plan.unsplittable) job.warnings.push(unreachableWarning(r.count, r.min));
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
 * One range's nodes, added to `nodes` as they arrive. A range can outgrow the cap between probe
 * and fetch (stars keep moving): it is split and both halves fetched.
 */
async function fetchRange(
  job: TopFetch,
  plan: StarPlan,
  range: StarRange,
  nodes: (RawRepositoryNode | null)[],
): Promise<void> {
  const q = searchQuery(job.query, rangeQualifier(range));
  const result = await fetchComplete(job, q);
  if (result.repositoryCount > SEARCH_CAP) {
    const hi =
      range.max ??
      Math.max(range.min, ...result.nodes.map((n) => (typeof n?.stargazerCount === 'number' ? n.stargazerCount : 0)));
    if (hi > range.min) {
      const mid = range.min + Math.floor((hi - range.min) / 2);
      job.options.logger?.warn('star range outgrew the search cap, splitting', {
        query: q,
        count: result.repositoryCount,
      });
      await Promise.all([
        fetchRange(job, plan, { min: range.min, max: mid, count: 0 }, nodes),
        fetchRange(job, plan, { min: mid + 1, max: range.max, count: 0 }, nodes),
      ]);
      return;
    }
    if (!plan.unsplittable.some((u) => u.min === range.min))
      job.warnings.push(unreachableWarning(result.repositoryCount, range.min));
  }
  nodes.push(...result.nodes);
}
