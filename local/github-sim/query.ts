// GitHub repository search query strings, the subset the simulator understands:
// `language:X` (several are OR-ed), `stars:` comparisons and ranges (several are AND-ed),
// `sort:stars[-desc|-asc]`, a few no-op qualifiers, and free words matched against the name.

export interface StarRange {
  /** Inclusive bounds; Infinity when open. */
  min: number;
  max: number;
}

export interface ParsedQuery {
  languages: string[];
  stars: StarRange[];
  sort: 'best-match' | 'stars-desc' | 'stars-asc';
  words: string[];
  /** A qualifier that can never match in this world (`fork:only`, `archived:true`, ...). */
  matchesNothing: boolean;
}

const NO_OP = new Set(['is:public', 'fork:false', 'fork:true', 'archived:false', 'mirror:false', 'is:repository']);
const NEVER = new Set(['is:private', 'fork:only', 'archived:true', 'mirror:true', 'is:archived', 'is:fork']);

export function parseSearchQuery(query: string): ParsedQuery {
  const parsed: ParsedQuery = { languages: [], stars: [], sort: 'best-match', words: [], matchesNothing: false };
  for (const raw of query.trim().split(/\s+/)) {
    if (raw === '') continue;
    const token = raw.toLowerCase();
    if (token.startsWith('language:') && token.length > 9) {
      parsed.languages.push(unquote(token.slice(9)));
    } else if (token.startsWith('stars:')) {
      const range = parseStars(token.slice(6));
      if (range) parsed.stars.push(range);
      // GitHub treats a qualifier it cannot read as text; no name contains it.
      else parsed.words.push(token);
    } else if (token === 'sort:stars' || token === 'sort:stars-desc') {
      parsed.sort = 'stars-desc';
    } else if (token === 'sort:stars-asc') {
      parsed.sort = 'stars-asc';
    } else if (token.startsWith('sort:') || NO_OP.has(token)) {
      // Other sorts order as best match; no-op qualifiers filter nothing in this world.
    } else if (NEVER.has(token)) {
      parsed.matchesNothing = true;
    } else {
      parsed.words.push(unquote(token));
    }
  }
  return parsed;
}

function unquote(text: string): string {
  return text.replace(/^"(.*)"$/, '$1');
}

const INT = String.raw`(\d+)`;

/** `>n`, `>=n`, `<n`, `<=n`, `a..b`, `a..*`, `*..b`, `n`; null when unreadable. */
export function parseStars(text: string): StarRange | null {
  let m = new RegExp(`^(>=|<=|>|<)${INT}$`).exec(text);
  if (m) {
    const n = Number(m[2]);
    switch (m[1]) {
      case '>':
        return { min: n + 1, max: Infinity };
      case '>=':
        return { min: n, max: Infinity };
      case '<':
        return { min: -Infinity, max: n - 1 };
      default:
        return { min: -Infinity, max: n };
    }
  }
  m = /^(\d+|\*)\.\.(\d+|\*)$/.exec(text);
  if (m) {
    const min = m[1] === '*' ? -Infinity : Number(m[1]);
    const max = m[2] === '*' ? Infinity : Number(m[2]);
    return { min, max };
  }
  m = new RegExp(`^${INT}$`).exec(text);
  if (m) return { min: Number(m[1]), max: Number(m[1]) };
  return null;
}

/** The intersection of all star ranges (an empty one has min > max). */
export function starBounds(ranges: readonly StarRange[]): StarRange {
  let min = -Infinity;
  let max = Infinity;
  for (const r of ranges) {
    min = Math.max(min, r.min);
    max = Math.min(max, r.max);
  }
  return { min, max };
}
