// Every name each GitHub repo id had, collected from the stars as they are scanned: the
// renames file's content (etl/formats/side-csv.ts writes it).
import type { RepoName } from '../formats/side-csv.js';

/**
 * The names seen per repo id, first and last time. Adding the same sample twice changes
 * nothing (min and max), which is what makes a resumed export, re-reading the pages after its
 * last checkpoint, give the same file.
 */
export class RepoNames {
  private readonly names = new Map<string, RepoName>();

  constructor(initial: readonly RepoName[] = []) {
    for (const n of initial) this.add(n.repoId, n.repo, n.firstTs, n.lastTs);
  }

  add(repoId: number, repo: string, firstTs: number, lastTs = firstTs): void {
    const key = `${repoId}\t${repo}`;
    const had = this.names.get(key);
    if (!had) this.names.set(key, { repoId, repo, firstTs, lastTs });
    else {
      had.firstTs = Math.min(had.firstTs, firstTs);
      had.lastTs = Math.max(had.lastTs, lastTs);
    }
  }

  get size(): number {
    return this.names.size;
  }

  /** By repo id, then name (byte order): the same file for the same data. */
  list(): RepoName[] {
    return [...this.names.values()].sort(
      (a, b) => a.repoId - b.repoId || (a.repo < b.repo ? -1 : a.repo > b.repo ? 1 : 0),
    );
  }
}
