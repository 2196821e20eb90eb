// Paginates one search query, 100 per page, up to GitHub's 1,000-result cap. A node GitHub
// withholds (null, FORBIDDEN) keeps its place, so a page with one is still a full page.
import type { CallCounters, GitHubClient } from './github-client.js';
import { GitHubError } from './github-client.js';
import {
  COUNT_REPOSITORIES,
  type CountPage,
  type RawRepositoryNode,
  SEARCH_REPOSITORIES,
  type SearchPage,
} from './queries.js';

/** GitHub never returns more than this many results for one search query. */
export const SEARCH_CAP = 1000;
export const PAGE_SIZE = 100;

export interface SearchResult {
  nodes: (RawRepositoryNode | null)[];
  /** GitHub's count of all matches (may exceed what is reachable). */
  repositoryCount: number;
  pages: number;
  /** Nodes GitHub should have returned: min(limit, repositoryCount, 1,000). */
  reachable: number;
}

export interface SearchOptions {
  /** Stop after this many nodes (default: all reachable). */
  limit?: number;
  counters?: CallCounters;
}

function pageOf(data: SearchPage, query: string): SearchPage['search'] {
  if (!data?.search || typeof data.search.repositoryCount !== 'number' || !data.search.pageInfo) {
    throw new GitHubError('unavailable', `GitHub returned no search result for ${JSON.stringify(query)}`);
  }
  return data.search;
}

/**
 * All results of `query` (which should carry `sort:stars`), page by page. The result says
 * how many nodes were reachable, so the caller can tell a page that ended early from a
 * query that simply has fewer matches.
 */
export async function searchAll(
  client: GitHubClient,
  query: string,
  options: SearchOptions = {},
): Promise<SearchResult> {
  const limit = Math.min(options.limit ?? SEARCH_CAP, SEARCH_CAP);
  const nodes: (RawRepositoryNode | null)[] = [];
  let after: string | null = null;
  let repositoryCount = 0;
  let pages = 0;
  for (;;) {
    const first = Math.min(PAGE_SIZE, limit - nodes.length);
    const data: SearchPage = await client.query<SearchPage>(
      SEARCH_REPOSITORIES,
      { searchQuery: query, first, after },
      options.counters,
    );
    const page = pageOf(data, query);
    pages += 1;
    repositoryCount = page.repositoryCount;
    const got = page.nodes?.length ?? 0;
    nodes.push(...(page.nodes ?? []));
    after = page.pageInfo.endCursor;
    if (!page.pageInfo.hasNextPage || !after || nodes.length >= limit) break;
    // A page that ended early while claiming more: the next page starts past the gap, so
    // under a limit it would fill the snapshot with lower-ranked repositories. Keep the
    // honest prefix; the caller sees fewer than reachable and fetches again.
    if (got < first && limit < Math.min(page.repositoryCount, SEARCH_CAP)) break;
  }
  return { nodes, repositoryCount, pages, reachable: Math.min(limit, repositoryCount) };
}

/**
 * How many repositories match `query`, and the stars of the first result (the maximum under
 * sort:stars). A first result GitHub withholds (null, FORBIDDEN) is replaced by the first it shows
 * on a page of ten: a little below the maximum, which the open top star range still covers.
 */
export async function countMatches(
  client: GitHubClient,
  query: string,
  counters?: CallCounters,
): Promise<{ count: number; firstStars?: number }> {
  const data = await client.query<CountPage>(COUNT_REPOSITORIES, { searchQuery: query }, counters);
  if (!data?.search || typeof data.search.repositoryCount !== 'number') {
    throw new GitHubError('unavailable', `GitHub returned no count for ${JSON.stringify(query)}`);
  }
  const first = data.search.nodes?.[0];
  const stars =
    first === null && data.search.repositoryCount > 1
      ? await firstVisibleStars(client, query, counters)
      : first?.stargazerCount;
  return { count: data.search.repositoryCount, firstStars: typeof stars === 'number' ? stars : undefined };
}

async function firstVisibleStars(client: GitHubClient, query: string, counters?: CallCounters): Promise<unknown> {
  const data = await client.query<SearchPage>(
    SEARCH_REPOSITORIES,
    { searchQuery: query, first: 10, after: null },
    counters,
  );
  return data?.search?.nodes?.find((n) => typeof n?.stargazerCount === 'number')?.stargazerCount;
}
