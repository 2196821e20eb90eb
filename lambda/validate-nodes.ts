// GitHub's answers are input like any other: a node that is not a plausible repository
// (bad name, impossible star count, no id) is rejected and counted, never written. It still
// holds a place in GitHub's ranking, so the top N is cut where GitHub ranked it (HeldNodes).
import type { StarSample } from '../core/domain.js';
import { isRepoName } from '../core/repo-name.js';
import { fieldProblem } from '../core/star-row.js';
import type { RawRepositoryNode } from './queries.js';

/**
 * Above any repository's real star count (the largest are a few hundred thousand). Stricter
 * than the stored-row rule (core/star-row.ts, which every count must pass first): a count
 * GitHub could not have is refused at the door, though the int4 column could hold it.
 */
export const MAX_PLAUSIBLE_STARS = 10_000_000;

export type RejectReason = 'not-a-repository' | 'bad-name' | 'bad-stars' | 'bad-id' | 'duplicate-name';

export interface Rejection {
  reason: RejectReason;
  /** The offending value, shortened: safe to log (JSON-encoded by the logger). */
  value: string;
}

export interface ValidatedNodes {
  /** Valid repositories, one per databaseId, in no particular order. */
  repos: Omit<StarSample, 'ts'>[];
  rejections: Rejection[];
  /** Same databaseId seen again (range seams, repeated nodes): dropped, not an error. */
  duplicates: number;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

export function validateNodes(nodes: readonly (RawRepositoryNode | null | undefined)[]): ValidatedNodes {
  const byId = new Map<number, Omit<StarSample, 'ts'>>();
  const names = new Map<string, number>();
  const rejections: Rejection[] = [];
  let duplicates = 0;
  for (const node of nodes) {
    if (!node || (node.__typename !== undefined && node.__typename !== 'Repository')) {
      rejections.push({ reason: 'not-a-repository', value: show(node) });
      continue;
    }
    const { nameWithOwner: name, stargazerCount: stars, databaseId: id } = node;
    // isRepoName is the stored-row rule for names (core/star-row.ts uses it too); here it also narrows the type.
    if (!isRepoName(name)) {
      rejections.push({ reason: 'bad-name', value: show(name) });
      continue;
    }
    if (typeof stars !== 'number' || fieldProblem('stars', stars) !== undefined || stars > MAX_PLAUSIBLE_STARS) {
      rejections.push({ reason: 'bad-stars', value: `${name}: ${show(stars)}` });
      continue;
    }
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
      rejections.push({ reason: 'bad-id', value: `${name}: ${show(id)}` });
      continue;
    }
    const seen = byId.get(id);
    if (seen) {
      // A seam or a repeated node: the same repository twice. Keep the higher count, so the
      // result does not depend on which range answered first.
      duplicates += 1;
      if (stars > seen.stars && (seen.repo === name || !names.has(name))) {
        names.delete(seen.repo);
        names.set(name, id);
        byId.set(id, { repo: name, stars, repoId: id });
      }
      continue;
    }
    const holder = names.get(name);
    if (holder !== undefined) {
      // Two ids under one name would write one key twice; neither can be trusted to be the owner.
      rejections.push({ reason: 'duplicate-name', value: `${name}: ids ${holder} and ${id}` });
      continue;
    }
    names.set(name, id);
    byId.set(id, { repo: name, stars, repoId: id });
  }
  return { repos: [...byId.values()], rejections, duplicates };
}

/** Stars descending, then databaseId ascending: the order GitHub's ranking (and the simulator) uses. */
export function compareRank(a: { stars: number; repoId: number }, b: { stars: number; repoId: number }): number {
  return b.stars - a.stars || a.repoId - b.repoId;
}

/** Exactly the top `n`, ranked. */
export function selectTop<T extends { stars: number; repoId: number }>(repos: readonly T[], n: number): T[] {
  return [...repos].sort(compareRank).slice(0, n);
}

export function countByReason(rejections: readonly Rejection[]): Partial<Record<RejectReason, number>> {
  const out: Partial<Record<RejectReason, number>> = {};
  for (const r of rejections) out[r.reason] = (out[r.reason] ?? 0) + 1;
  return out;
}

/**
 * Where a node ranks under sort:stars. A node with a plausible count and id ranks by them
 * (`sure`). One without (a garbled count, a null, no id) ranks where GitHub put it: just after
 * the node before it in the same answer (just before the next one, at the start of an answer).
 */
export interface RankKey {
  stars: number;
  id: number;
  /** Order among nodes placed after (negative: before) the same neighbour. */
  sub: number;
  sure: boolean;
}

/** An answer with no usable count at all gives nothing to go by: ranked first, so it counts within the top N. */
export const UNPLACED: RankKey = { stars: Number.POSITIVE_INFINITY, id: 0, sub: 0, sure: false };

function ownKey(node: RawRepositoryNode | null | undefined): RankKey | undefined {
  const stars = node?.stargazerCount;
  const id = node?.databaseId;
  if (typeof stars !== 'number' || fieldProblem('stars', stars) !== undefined || stars > MAX_PLAUSIBLE_STARS)
    return undefined;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) return undefined;
  return { stars, id, sub: 0, sure: true };
}

/** Rank keys for one answer's nodes, given in GitHub's order. */
export function rankAnswer(nodes: readonly (RawRepositoryNode | null | undefined)[]): RankKey[] {
  const keys = nodes.map(ownKey);
  for (let i = 1; i < keys.length; i += 1) {
    const prev = keys[i - 1];
    if (!keys[i] && prev) keys[i] = { ...prev, sub: prev.sub + 1, sure: false };
  }
  for (let i = keys.length - 2; i >= 0; i -= 1) {
    const next = keys[i + 1];
    if (!keys[i] && next) keys[i] = { ...next, sub: next.sub - 1, sure: false };
  }
  return keys.map((k) => k ?? UNPLACED);
}

/** Stars descending, then databaseId ascending, then the order of placed nodes. */
export function compareKeys(a: RankKey, b: RankKey): number {
  if (a.stars !== b.stars) return b.stars > a.stars ? 1 : -1;
  return a.id - b.id || a.sub - b.sub;
}

export interface HeldNode {
  node: RawRepositoryNode | null;
  key: RankKey;
}

/** A node without a usable id, and the sure neighbours its answer placed it between. */
interface Unnamed extends HeldNode {
  gap: string;
  after?: RankKey;
  before?: RankKey;
}

function isValid(node: RawRepositoryNode | null): boolean {
  return validateNodes([node]).repos.length === 1;
}

function usableId(node: RawRepositoryNode | null): number | undefined {
  const id = node?.databaseId;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/**
 * Every node GitHub returned during one fetch, merged by databaseId: a copy that passes
 * validation beats a garbled one, then the higher count wins (so the result does not depend on
 * which answer came first). Nodes without an id are kept from the first answer of each query (a
 * later answer would hold them again), unless another answer showed a repository in their place.
 */
export class HeldNodes {
  private readonly byId = new Map<number, HeldNode>();
  private readonly unnamed: Unnamed[] = [];
  private readonly answered = new Set<string>();

  /** One answer of `query`, its nodes in GitHub's order. */
  add(query: string, nodes: readonly (RawRepositoryNode | null)[]): void {
    const keys = rankAnswer(nodes);
    const first = !this.answered.has(query);
    this.answered.add(query);
    nodes.forEach((node, i) => {
      const id = usableId(node);
      const key = keys[i]!;
      if (id !== undefined) this.keep(id, { node, key });
      else if (first) this.unnamed.push({ node, key, ...sureNeighbours(keys, i) });
    });
  }

  private keep(id: number, held: HeldNode): void {
    const seen = this.byId.get(id);
    if (!seen || better(held, seen)) this.byId.set(id, held);
  }

  /** Everything held, in GitHub's ranking. */
  ranked(): HeldNode[] {
    const named = [...this.byId.values()];
    const sure = named.filter((h) => h.key.sure).map((h) => h.key);
    return [...named, ...this.placedUnnamed(sure)].sort((a, b) => compareKeys(a.key, b.key));
  }

  /** The unnamed nodes, less those whose place another answer filled with a repository. */
  private placedUnnamed(sure: readonly RankKey[]): Unnamed[] {
    const shown = new Map<string, number>();
    const out: Unnamed[] = [];
    for (const u of this.unnamed) {
      const { after, before } = u;
      if (after && before && !shown.has(u.gap))
        shown.set(u.gap, sure.filter((k) => compareKeys(after, k) < 0 && compareKeys(k, before) < 0).length);
      const filled = shown.get(u.gap) ?? 0;
      if (filled > 0) shown.set(u.gap, filled - 1);
      else out.push(u);
    }
    return out;
  }
}

/** Valid beats garbled; then a count GitHub gave beats a place; then the higher count. */
function better(a: HeldNode, b: HeldNode): boolean {
  const [validA, validB] = [isValid(a.node), isValid(b.node)];
  if (validA !== validB) return validA;
  if (a.key.sure !== b.key.sure) return a.key.sure;
  return a.key.sure && compareKeys(a.key, b.key) < 0;
}

function sureNeighbours(keys: readonly RankKey[], i: number): Pick<Unnamed, 'gap' | 'after' | 'before'> {
  let after: RankKey | undefined;
  let before: RankKey | undefined;
  for (let j = i - 1; j >= 0 && !after; j -= 1) if (keys[j]!.sure) after = keys[j];
  for (let j = i + 1; j < keys.length && !before; j += 1) if (keys[j]!.sure) before = keys[j];
  const gap = `${after?.stars}:${after?.id}|${before?.stars}:${before?.id}`;
  return { gap, after, before };
}
