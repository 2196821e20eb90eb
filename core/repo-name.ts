// GitHub's character sets: owners are alphanumerics and hyphens (at most 39), repository
// names alphanumerics, '.', '-' and '_' (at most 100) and never '.' or '..'.
// Anything else (a path, a comma, markup) is rejected wherever a name enters.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

export function isRepoName(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const slash = value.indexOf('/');
  if (slash < 0 || slash !== value.lastIndexOf('/')) return false;
  const owner = value.slice(0, slash);
  const name = value.slice(slash + 1);
  return OWNER.test(owner) && NAME.test(name) && name !== '.' && name !== '..';
}

/** Throws a RangeError naming the value when it is not `owner/name`. */
export function assertRepoName(value: unknown, where = 'repo'): string {
  if (!isRepoName(value)) {
    throw new RangeError(`${where}: invalid repository name ${JSON.stringify(value)} (expected owner/name)`);
  }
  return value;
}
