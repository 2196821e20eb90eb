// Every GraphQL document the collector sends to GitHub. Kept in one place so a test can
// validate each against GitHub's published schema before GitHub ever sees it.
// (The variable is $searchQuery: octokit reserves the name `query` for the document.)

/** One page of a repository search, with the fields a star sample needs and the cost. */
export const SEARCH_REPOSITORIES = /* GraphQL */ `
  query SearchRepositories($searchQuery: String!, $first: Int!, $after: String) {
    search(query: $searchQuery, type: REPOSITORY, first: $first, after: $after) {
      repositoryCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        __typename
        ... on Repository {
          nameWithOwner
          stargazerCount
          databaseId
        }
      }
    }
    rateLimit {
      cost
      remaining
      resetAt
    }
  }
`;

/** How many repositories match a query: used to plan star ranges under the 1,000 cap. */
export const COUNT_REPOSITORIES = /* GraphQL */ `
  query CountRepositories($searchQuery: String!) {
    search(query: $searchQuery, type: REPOSITORY, first: 1) {
      repositoryCount
      nodes {
        __typename
        ... on Repository {
          stargazerCount
        }
      }
    }
    rateLimit {
      cost
      remaining
      resetAt
    }
  }
`;

/**
 * GitHub's counts on both sides of a snapshot's cut-off (`stars:>S` and `stars:>=S`), in one
 * request: a search that timed out leaves repositories out without saying so, and these counts
 * are how the collector notices. No node is read, so nothing else is asked of the answer.
 */
export const COUNT_CUTOFF = /* GraphQL */ `
  query CountCutoff($above: String!, $atLeast: String!) {
    above: search(query: $above, type: REPOSITORY, first: 1) {
      repositoryCount
    }
    atLeast: search(query: $atLeast, type: REPOSITORY, first: 1) {
      repositoryCount
    }
    rateLimit {
      cost
      remaining
      resetAt
    }
  }
`;

export const ALL_QUERIES: Readonly<Record<string, string>> = {
  SEARCH_REPOSITORIES,
  COUNT_REPOSITORIES,
  COUNT_CUTOFF,
};

export interface RateLimitInfo {
  cost: number;
  remaining: number;
  resetAt: string;
}

export interface RawRepositoryNode {
  __typename?: string;
  nameWithOwner?: unknown;
  stargazerCount?: unknown;
  databaseId?: unknown;
}

export interface SearchPage {
  search: {
    repositoryCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: (RawRepositoryNode | null)[] | null;
  };
  rateLimit: RateLimitInfo | null;
}

export interface CountPage {
  search: { repositoryCount: number; nodes: (RawRepositoryNode | null)[] | null };
  rateLimit: RateLimitInfo | null;
}

export interface CutoffPage {
  above: { repositoryCount: number } | null;
  atLeast: { repositoryCount: number } | null;
  rateLimit: RateLimitInfo | null;
}
