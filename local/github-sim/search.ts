// The `search` connection: the world's matches for a query at the simulated time, ordered,
// capped at 1,000 reachable results and paginated with GitHub-style opaque cursors.
// Hostile options corrupt the page here, after the honest answer is built.
import { GraphQLError } from 'graphql';
import { parseSearchQuery } from './query.js';
import { hash32, hashString, unit } from './random.js';
import type { HostileOptions } from './types.js';
import type { SimRepo, SimulatedWorld, SnapshotEntry } from './world.js';

/** GitHub never lets a search reach past its first 1,000 results. */
export const SEARCH_CAP = 1000;
export const MAX_PAGE = 100;

export interface SearchArgs {
  query: string;
  type: string;
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export interface SearchContext {
  world: SimulatedWorld;
  t: number;
  seed: number;
  /** Draws for hostile data are keyed by request number and field so they are reproducible. */
  requestNo: number;
  hostile: HostileOptions;
}

/** An error shaped like GitHub's GraphQL errors, which carry a `type`. */
export class GitHubGraphQLError extends GraphQLError {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const HOSTILE_NAMES = [
  'a/b/c',
  '../x',
  'x,y/z',
  '<script>alert(1)</script>/x',
  "owner/'; drop table github_stars; --",
  'no-slash-at-all',
  '',
  'owner/..',
  'owner/name\nsecond-line',
];

// Per world: two simulators in one process (different seeds) must not share orderings.
const orderedByWorld = new WeakMap<SimulatedWorld, Map<string, SnapshotEntry[]>>();

export function encodeCursor(position: number): string {
  return Buffer.from(`cursor:${position}`).toString('base64');
}

export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  const m = /^cursor:(\d+)$/.exec(text);
  if (!m || encodeCursor(Number(m[1])) !== cursor) {
    throw new GitHubGraphQLError('INVALID_CURSOR_ARGUMENTS', `\`${cursor}\` does not appear to be a valid cursor.`);
  }
  return Number(m[1]);
}

/** GitHub's checks on first/last, with its error types and messages. */
function checkPagination(first: number | null | undefined, last: number | null | undefined): void {
  if (first == null && last == null) {
    throw new GitHubGraphQLError(
      'MISSING_PAGINATION_BOUNDARIES',
      'You must provide a `first` or `last` value to properly paginate the `search` connection.',
    );
  }
  for (const [name, value] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (value == null) continue;
    if (value < 0)
      throw new GitHubGraphQLError(
        'INVALID_PAGINATION',
        `\`${name}\` on the \`search\` connection cannot be less than zero.`,
      );
    if (value > MAX_PAGE) {
      throw new GitHubGraphQLError(
        'EXCESSIVE_PAGINATION',
        `Requesting ${value} records on the \`search\` connection exceeds the \`${name}\` limit of ${MAX_PAGE} records.`,
      );
    }
  }
}

export function resolveSearch(args: SearchArgs, ctx: SearchContext, fieldIndex: number): Record<string, unknown> {
  const { first, last } = args;
  checkPagination(first, last);
  const after = args.after == null ? 0 : decodeCursor(args.after);
  const before = args.before == null ? undefined : decodeCursor(args.before);

  const matches = args.type === 'REPOSITORY' ? timedOut(orderedMatches(args.query, ctx), ctx, fieldIndex) : [];
  const reachable = Math.min(matches.length, SEARCH_CAP);
  const windowStart = Math.min(after, reachable);
  const windowEnd = Math.max(windowStart, Math.min(before === undefined ? reachable : before - 1, reachable));
  let from = windowStart;
  let to = windowEnd;
  if (first != null) to = Math.min(to, from + first);
  if (last != null) from = Math.max(from, to - last);

  let positions: number[] = [];
  for (let i = from; i < to; i++) positions.push(i);
  const hostile = ctx.hostile;
  // A page that ends early keeps the honest pageInfo, so a careless client skips rows silently.
  if (
    (hostile.truncatePageShare ?? 0) > 0 &&
    positions.length >= 2 &&
    unit(ctx.seed, 0x7a11, ctx.requestNo, fieldIndex, -1) < hostile.truncatePageShare!
  ) {
    positions = positions.slice(0, Math.floor(positions.length / 2));
    ctx.world.served.counts.truncatedPages += 1;
  }
  const nodes = servedNodes(positions, matches, ctx, { fieldIndex, pageSize: first ?? last ?? 0 });

  return {
    repositoryCount: args.type === 'REPOSITORY' ? matches.length : 0,
    issueCount: 0,
    userCount: 0,
    discussionCount: 0,
    codeCount: 0,
    wikiCount: 0,
    nodes,
    edges: nodes.map((node, i) => ({ cursor: encodeCursor(positions[i]! + 1), node, textMatches: [] })),
    pageInfo: {
      hasNextPage: first != null ? to < windowEnd : false,
      hasPreviousPage: last != null ? from > windowStart : false,
      startCursor: to > from ? encodeCursor(from + 1) : null,
      endCursor: to > from ? encodeCursor(to) : null,
    },
  };
}

/**
 * A search that timed out at GitHub answers what it had found so far: some matches are missing
 * and the rest move up, so pages stay full and `repositoryCount` is lower. Public reports: top
 * repositories missing at random from a `language:python sort:stars` search.
 */
function timedOut(matches: SnapshotEntry[], ctx: SearchContext, fieldIndex: number): SnapshotEntry[] {
  const share = ctx.hostile.incompleteShare ?? 0;
  if (share <= 0 || unit(ctx.seed, 0x1c0e, ctx.requestNo, fieldIndex) >= share) return matches;
  const miss = ctx.hostile.incompleteMissShare ?? 0.02;
  const found = matches.filter((e) => unit(ctx.seed, 0x1c0f, ctx.requestNo, fieldIndex, e.repo.databaseId) >= miss);
  const counts = ctx.world.served.counts;
  counts.incompleteAnswers += 1;
  counts.omitted += matches.length - found.length;
  return found;
}

/** The page's nodes, with the hostile options' corruptions drawn and entered in the world's ledger. */
function servedNodes(
  positions: readonly number[],
  matches: readonly SnapshotEntry[],
  ctx: SearchContext,
  page: { fieldIndex: number; pageSize: number },
): RepositoryNode[] {
  const hostile = ctx.hostile;
  const draw = (salt: number, i: number) => unit(ctx.seed, salt, ctx.requestNo, page.fieldIndex, i);
  const ledger = ctx.world.served;
  const recording = (hostile.badNameShare ?? 0) > 0 || (hostile.badStarsShare ?? 0) > 0;
  return positions.map((p, i) => {
    let entry = matches[p]!;
    if (i > 0 && (hostile.duplicateNodeShare ?? 0) > 0 && draw(0xd0b1, i) < hostile.duplicateNodeShare!) {
      entry = matches[positions[i - 1]!]!;
      ledger.counts.duplicated += 1;
    }
    const node = new RepositoryNode(entry.repo, entry.name, entry.stars, ctx);
    const badName = (hostile.badNameShare ?? 0) > 0 && draw(0xbad1, i) < hostile.badNameShare!;
    const badStars = (hostile.badStarsShare ?? 0) > 0 && draw(0xbad5, i) < hostile.badStarsShare!;
    if (badName) {
      node.nameWithOwner = HOSTILE_NAMES[hash32(ctx.seed, ctx.requestNo, i) % HOSTILE_NAMES.length]!;
      ledger.counts.badName += 1;
    }
    if (badStars) {
      const h = hash32(ctx.seed, ctx.requestNo, i, 5);
      // GraphQL Int is 32-bit: "absurd" stays representable so it reaches the client.
      node.stargazerCount = h % 2 === 0 ? -(1 + (h % 5000)) : 1_000_000_001 + (h % 1_000_000_000);
      ledger.counts.badStars += 1;
    }
    if (recording) {
      const how = badName ? 'bad-name' : badStars ? 'bad-stars' : 'clean';
      ledger.record(ctx.requestNo, page.pageSize, node.databaseId, how);
    }
    return node;
  });
}

/** Matches in the order the query asks for: stars, or "best match" (a deterministic shuffle). */
function orderedMatches(query: string, ctx: SearchContext): SnapshotEntry[] {
  const parsed = parseSearchQuery(query);
  const matches = ctx.world.matches(parsed, ctx.t);
  if (parsed.sort === 'stars-desc') return matches;
  let ordered = orderedByWorld.get(ctx.world);
  if (!ordered) {
    ordered = new Map();
    orderedByWorld.set(ctx.world, ordered);
  }
  const key = `${query}|${ctx.t}`;
  const hit = ordered.get(key);
  if (hit) return hit;
  let result: SnapshotEntry[];
  if (parsed.sort === 'stars-asc') {
    result = [...matches].sort((a, b) => a.stars - b.stars || a.repo.databaseId - b.repo.databaseId);
  } else {
    const salt = hashString(query.trim().toLowerCase());
    const rank = new Map(matches.map((e) => [e, hash32(ctx.seed, salt, e.repo.databaseId)]));
    result = [...matches].sort((a, b) => rank.get(a)! - rank.get(b)! || a.repo.databaseId - b.repo.databaseId);
  }
  ordered.set(key, result);
  if (ordered.size > 16) ordered.delete(ordered.keys().next().value!);
  return result;
}

const LANGUAGE_COLORS: Record<string, string> = { go: '#00ADD8', rust: '#dea584', python: '#3572A5' };

/**
 * A Repository search result. The three fields a collector needs are plain properties (so
 * hostile data can overwrite them); other cheap fields are getters with plausible values,
 * and anything else the schema allows to be null resolves to null.
 */
export class RepositoryNode {
  readonly __typename = 'Repository';
  nameWithOwner: string;
  stargazerCount: number;
  readonly databaseId: number;

  constructor(
    private readonly repo: SimRepo,
    name: string,
    stars: number,
    private readonly ctx: SearchContext,
  ) {
    this.nameWithOwner = name;
    this.stargazerCount = stars;
    this.databaseId = repo.databaseId;
  }
  get id(): string {
    return `R_${Buffer.from(`0:Repository${this.databaseId}`).toString('base64url')}`;
  }
  get name(): string {
    return this.nameWithOwner.slice(this.nameWithOwner.indexOf('/') + 1);
  }
  get owner(): Record<string, unknown> {
    const login = this.nameWithOwner.split('/')[0] ?? '';
    return {
      __typename: 'Organization',
      login,
      id: `O_${Buffer.from(login).toString('base64url')}`,
      url: `https://github.com/${login}`,
      resourcePath: `/${login}`,
      avatarUrl: `https://avatars.githubusercontent.com/${login}`,
    };
  }
  get url(): string {
    return `https://github.com/${this.nameWithOwner}`;
  }
  get resourcePath(): string {
    return `/${this.nameWithOwner}`;
  }
  get description(): string {
    return `A ${this.ctx.world.displayLanguage(this.repo.language)} project`;
  }
  get createdAt(): string {
    return isoSeconds(this.repo.createdAt);
  }
  get updatedAt(): string {
    return isoSeconds(this.ctx.t);
  }
  get pushedAt(): string {
    return isoSeconds(this.ctx.t - (this.databaseId % 86_400) * 1000);
  }
  get forkCount(): number {
    return Math.floor(Math.max(0, this.stargazerCount) / 8);
  }
  get primaryLanguage(): Record<string, unknown> {
    const language = this.repo.language;
    return {
      id: `L_${language}`,
      name: this.ctx.world.displayLanguage(language),
      color: LANGUAGE_COLORS[language] ?? '#cccccc',
    };
  }
  stargazers(): Record<string, unknown> {
    return {
      totalCount: this.stargazerCount,
      edges: [],
      nodes: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    };
  }
  readonly isArchived = false;
  readonly isFork = false;
  readonly isPrivate = false;
  readonly isDisabled = false;
  readonly isEmpty = false;
  readonly isMirror = false;
  readonly isTemplate = false;
  readonly isLocked = false;
  readonly visibility = 'PUBLIC';
  readonly homepageUrl = null;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
