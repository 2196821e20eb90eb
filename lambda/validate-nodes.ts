// GitHub's answers are input like any other: a node that is not a plausible repository
// (bad name, impossible star count, no id) is rejected and counted, never written.
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
