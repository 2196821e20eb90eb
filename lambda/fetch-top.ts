// Fetches the top N repositories of a query: one paginated search when N fits under
// GitHub's cap, star ranges fetched with bounded concurrency when it does not.
import type { Logger } from '../core/log.js';
import { type CallCounters, type GitHubClient, GitHubError } from './github-client.js';
import type { RawRepositoryNode } from './queries.js';
import { countMatches, SEARCH_CAP, searchAll } from './search.js';
import { planStarRanges, rangeQualifier, type StarRange } from './star-ranges.js';
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

async function eachBounded<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < items.length && failed === undefined) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failed ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failed !== undefined) throw failed;
}

export async function fetchTop(client: GitHubClient, query: string, options: FetchTopOptions): Promise<FetchTopResult> {
  const { top, counters, logger } = options;
  const incompleteRetries = options.incompleteRetries ?? 4;
  if (top > SEARCH_CAP && /(^|\s)stars:/i.test(query)) {
    throw new GitHubError(
      'query',
      `track ${JSON.stringify(query)}: top ${top} needs star ranges, so the query cannot carry its own stars: qualifier`,
    );
  }
  const warnings: string[] = [];

  // A search whose pages end early, or that repeats a node (on GitHub: the ranking moved
  // between pages, so another repository was skipped), is fetched again and the attempts
  // merged by databaseId until every reachable result is in hand. A short snapshot is never
  // accepted silently.
  const fetchComplete = async (q: string, limit?: number) => {
    const byId = new Map<number, RawRepositoryNode>();
    let idless: (RawRepositoryNode | null)[] = [];
    for (let attempt = 0; ; attempt += 1) {
      const result = await searchAll(client, q, { limit, counters });
      const attemptIdless: (RawRepositoryNode | null)[] = [];
      for (const node of result.nodes) {
        const id = node?.databaseId;
        if (!node || typeof id !== 'number') {
          attemptIdless.push(node);
          continue;
        }
        const held = byId.get(id);
        // Prefer an answer that passes validation over a garbled copy of the same repository.
        if (!held || (validateNodes([held]).repos.length === 0 && validateNodes([node]).repos.length === 1))
          byId.set(id, node);
      }
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
      logger?.warn('search results came back short, fetching again', {
        query: q,
        got: distinct,
        reachable: result.reachable,
        attempt: attempt + 1,
      });
    }
  };

  const whole = searchQuery(query);
  if (top <= SEARCH_CAP) {
    const result = await fetchComplete(whole, top);
    return {
      nodes: result.nodes,
      repositoryCount: result.repositoryCount,
      expected: Math.min(top, result.repositoryCount),
      ranges: 1,
      probes: 0,
      warnings,
    };
  }

  const first = await countMatches(client, whole, counters);
  if (first.count <= SEARCH_CAP) {
    const result = await fetchComplete(whole);
    return {
      nodes: result.nodes,
      repositoryCount: result.repositoryCount,
      expected: Math.min(top, result.repositoryCount),
      ranges: 1,
      probes: 1,
      warnings,
    };
  }

  const plan = await planStarRanges(
    async (stars) => (await countMatches(client, searchQuery(query, `stars:>=${stars}`), counters)).count,
    {
      top,
      total: first.count,
      maxStars: first.firstStars ?? 0,
      maxPerRange: options.maxPerRange,
      concurrency: options.concurrency,
    },
  );
  for (const r of plan.unsplittable) {
    warnings.push(`${r.count} repositories have exactly ${r.min} stars; GitHub returns only ${SEARCH_CAP} of them`);
  }
  logger?.info('star ranges planned', {
    query,
    ranges: plan.ranges.length,
    threshold: plan.threshold,
    probes: plan.probes,
    rounds: plan.rounds,
  });

  const nodes: (RawRepositoryNode | null)[] = [];
  // A range can outgrow the cap between probe and fetch (stars keep moving): split it and go on.
  const fetchRange = async (range: StarRange): Promise<void> => {
    const q = searchQuery(query, rangeQualifier(range));
    const result = await fetchComplete(q);
    if (result.repositoryCount > SEARCH_CAP) {
      const hi =
        range.max ??
        Math.max(range.min, ...result.nodes.map((n) => (typeof n?.stargazerCount === 'number' ? n.stargazerCount : 0)));
      if (hi > range.min) {
        const mid = range.min + Math.floor((hi - range.min) / 2);
        logger?.warn('star range outgrew the search cap, splitting', { query: q, count: result.repositoryCount });
        await Promise.all([
          fetchRange({ min: range.min, max: mid, count: 0 }),
          fetchRange({ min: mid + 1, max: range.max, count: 0 }),
        ]);
        return;
      }
      if (!plan.unsplittable.some((u) => u.min === range.min)) {
        warnings.push(
          `${result.repositoryCount} repositories have exactly ${range.min} stars; GitHub returns only ${SEARCH_CAP} of them`,
        );
      }
    }
    nodes.push(...result.nodes);
  };
  await eachBounded(plan.ranges, options.concurrency ?? 8, fetchRange);

  return {
    nodes,
    repositoryCount: first.count,
    expected: Math.min(top, first.count),
    ranges: plan.ranges.length,
    probes: plan.probes + 1,
    warnings,
  };
}
