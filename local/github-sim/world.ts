// The simulated world: a few thousand repositories per language whose star counts are a pure
// function of (seed, repo, time). Closed-form growth plus burst terms plus per-slot noise means
// any instant can be asked for in any order and always gives the same answer.
import {
  DEFAULT_NAME_PATTERNS,
  FAMOUS,
  LANGUAGE_DISPLAY,
  LANGUAGE_TOP,
  NAME_PATTERNS,
  OWNER_SUFFIXES,
  OWNER_WORDS,
  PERSON_NAMES,
  REPO_ADJECTIVES,
  REPO_WORDS,
} from './names.js';
import { type ParsedQuery, parseSearchQuery, starBounds } from './query.js';
import { hash32, hashString, Rng } from './random.js';
import type {
  ServedCounts,
  ServedHow,
  ServedLedger,
  ServedNode,
  SimRename,
  SimRepoSnapshot,
  SimulatorOptions,
  SimWorld,
} from './types.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
const WEEK_DAYS = 7;
const SLOT_MS = 15 * 60_000;
export const DEFAULT_START = Date.UTC(2026, 0, 1);
/** Bursts and falls are planned this far past the start; after it growth simply continues. */
const HORIZON_DAYS = 730;
/** Rank-size exponent: stars(rank) ~ top * rank^-0.65, so the 1,000th Go repo has ~1.5k stars. */
const RANK_EXPONENT = 0.65;
/** Where "bigger repos grow faster" bends (the article saw it around 5,000 stars). */
const KNEE = 5000;

export type RepoKind = 'famous' | 'steady' | 'decliner' | 'rising';

/** A sharp change over hours: +amount (a blog post, a talk) or -amount (a spam clean-up). */
export interface StarEvent {
  at: number;
  amount: number;
  tauMs: number;
}

export interface SimRepo {
  databaseId: number;
  language: string;
  name: string;
  rename?: { to: string; at: number };
  kind: RepoKind;
  /** Epoch ms; before it the repo does not exist. Existing repos are a year or more older than the start. */
  createdAt: number;
  /** Stars at the world start (0 for rising repos). */
  base: number;
  /** Steady stars a day; negative for decliners. */
  ratePerDay: number;
  weeklyAmplitude: number;
  weeklyPhase: number;
  events: StarEvent[];
  /** Rising repos: stars approach `max` with time constant `tauMs` after creation. */
  rise?: { max: number; tauMs: number };
}

/** Median stars a day for a repo of `stars`: ~ stars^0.5 below the knee and ~ stars^1.15 above it. */
export function typicalRate(stars: number): number {
  const s = Math.max(stars, 1) / KNEE;
  return s < 1 ? s ** 0.5 : s ** 1.15;
}

export interface SnapshotEntry {
  repo: SimRepo;
  stars: number;
  name: string;
}

type WorldOptions = Pick<SimulatorOptions, 'seed' | 'reposPerLanguage' | 'languages' | 'start'>;

export class SimulatedWorld implements SimWorld {
  readonly seed: number;
  readonly start: number;
  readonly languages: string[];
  readonly repos: SimRepo[] = [];
  readonly renames: SimRename[] = [];
  readonly served = new SearchLedger();
  private readonly byId = new Map<number, SimRepo>();
  private readonly byLanguage = new Map<string, SimRepo[]>();
  private readonly cache = new Map<string, SnapshotEntry[]>();

  constructor(options: WorldOptions = {}) {
    this.seed = options.seed ?? 1;
    this.start = toMs(options.start ?? DEFAULT_START);
    this.languages = (options.languages ?? ['go', 'rust', 'python']).map((l) => l.toLowerCase());
    const perLanguage = options.reposPerLanguage ?? 3000;
    if (!Number.isInteger(perLanguage) || perLanguage < 1) {
      throw new RangeError(`reposPerLanguage: expected a positive integer, got ${perLanguage}`);
    }
    new WorldBuilder(this, perLanguage).build();
    for (const repo of this.repos) {
      this.byId.set(repo.databaseId, repo);
      const list = this.byLanguage.get(repo.language) ?? [];
      list.push(repo);
      this.byLanguage.set(repo.language, list);
      if (repo.rename) {
        this.renames.push({ databaseId: repo.databaseId, from: repo.name, to: repo.rename.to, at: repo.rename.at });
      }
    }
  }

  /** Stars of one repo at t, or -1 when it does not exist yet. Pure: same inputs, same answer. */
  starsAt(repo: SimRepo, t: number): number {
    if (t < repo.createdAt) return -1;
    const origin = repo.rise ? repo.createdAt : this.start;
    const days = (t - origin) / DAY_MS;
    // The integral of rate * (1 + a sin(2π d/7 + φ)): more stars on some weekdays than others.
    const phase = repo.weeklyPhase;
    const weekly =
      ((repo.weeklyAmplitude * WEEK_DAYS) / (2 * Math.PI)) *
      (Math.cos(phase) - Math.cos((2 * Math.PI * days) / WEEK_DAYS + phase));
    let value = repo.base + repo.ratePerDay * (days + weekly);
    if (repo.rise) value += repo.rise.max * (1 - Math.exp(-(t - repo.createdAt) / repo.rise.tauMs));
    for (const e of repo.events) {
      if (t > e.at) value += e.amount * (1 - Math.exp(-(t - e.at) / e.tauMs));
    }
    // A little per-slot jitter (stars and unstars) on repos busy enough to have it.
    const noise =
      Math.abs(repo.ratePerDay) >= 2 ? (hash32(this.seed, repo.databaseId, Math.floor(t / SLOT_MS)) % 3) - 1 : 0;
    return Math.max(0, Math.floor(value) + noise);
  }

  nameAt(repo: SimRepo, t: number): string {
    return repo.rename && t >= repo.rename.at ? repo.rename.to : repo.name;
  }

  repo(databaseId: number): SimRepo | undefined {
    return this.byId.get(databaseId);
  }

  /** Every repo of the given languages (all when empty) existing at t, by stars desc then databaseId asc. Cached. */
  snapshot(languages: readonly string[], t: number): SnapshotEntry[] {
    const wanted = languages.length === 0 ? this.languages : [...new Set(languages)].sort();
    const key = `${wanted.join(',')}|${t}`;
    const hit = this.cache.get(key);
    if (hit) {
      // Refresh its place so the most recently used snapshots survive.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const entries: SnapshotEntry[] = [];
    for (const language of wanted) {
      for (const repo of this.byLanguage.get(language) ?? []) {
        const stars = this.starsAt(repo, t);
        if (stars >= 0) entries.push({ repo, stars, name: this.nameAt(repo, t) });
      }
    }
    entries.sort(byStarsDesc);
    this.cache.set(key, entries);
    if (this.cache.size > 32) this.cache.delete(this.cache.keys().next().value!);
    return entries;
  }

  /** Everything a parsed query matches at t, sorted by stars desc (the caller re-orders for other sorts). */
  matches(parsed: ParsedQuery, t: number): SnapshotEntry[] {
    if (parsed.matchesNothing) return [];
    const all = this.snapshot(parsed.languages, t);
    const { min, max } = starBounds(parsed.stars);
    if (min > max) return [];
    // Sorted by stars desc: the range is one contiguous slice.
    const from = firstIndex(all, (e) => e.stars <= max);
    const to = firstIndex(all, (e) => e.stars < min);
    let found = from === 0 && to === all.length ? all : all.slice(from, to);
    if (parsed.words.length > 0) {
      found = found.filter((e) => parsed.words.every((w) => e.name.toLowerCase().includes(w)));
    }
    return found;
  }

  search(query: string, at: Date | number): SimRepoSnapshot[] {
    return this.matches(parseSearchQuery(query), toMs(at)).map((e) => ({
      nameWithOwner: e.name,
      stargazerCount: e.stars,
      databaseId: e.repo.databaseId,
    }));
  }

  top(query: string, at: Date | number, n: number): SimRepoSnapshot[] {
    return this.search(query, at).slice(0, n);
  }

  displayLanguage(language: string): string {
    return LANGUAGE_DISPLAY[language] ?? language.charAt(0).toUpperCase() + language.slice(1);
  }
}

/**
 * The injector's own account of what search served: which nodes it corrupted and which it served
 * clean, and how many answers it cut. A test judges the collector's rejections against this, not
 * against the collector's own count.
 */
export class SearchLedger implements ServedLedger {
  readonly nodes: ServedNode[] = [];
  readonly counts: ServedCounts = {
    badName: 0,
    badStars: 0,
    duplicated: 0,
    truncatedPages: 0,
    incompleteAnswers: 0,
    omitted: 0,
  };

  /** One served node; `how` says which hostile option, if any, garbled it (the name when both did). */
  record(requestNo: number, pageSize: number, databaseId: number, how: ServedHow): void {
    this.nodes.push({ requestNo, pageSize, databaseId, how });
  }

  corruptedOnly(from = 0, minPageSize = 2): Set<number> {
    const corrupted = new Set<number>();
    const clean = new Set<number>();
    for (const n of this.nodes.slice(from)) {
      if (n.pageSize < minPageSize) continue;
      (n.how === 'clean' ? clean : corrupted).add(n.databaseId);
    }
    for (const id of clean) corrupted.delete(id);
    return corrupted;
  }
}

export function byStarsDesc(a: SnapshotEntry, b: SnapshotEntry): number {
  return b.stars - a.stars || a.repo.databaseId - b.repo.databaseId;
}

/** The first index where `pred` holds, for a predicate that is false then true along the array. */
function firstIndex<T>(items: readonly T[], pred: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(items[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function toMs(t: Date | number): number {
  const ms = t instanceof Date ? t.getTime() : t;
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${String(t)}`);
  return ms;
}

class WorldBuilder {
  private readonly names = new Set<string>();
  private readonly ids = new Set<number>();
  private nextRisingId = 1_100_000_000;

  constructor(
    private readonly world: SimulatedWorld,
    private readonly perLanguage: number,
  ) {}

  build(): void {
    for (const list of Object.values(FAMOUS)) {
      for (const f of list) {
        this.ids.add(f.databaseId);
        this.names.add(f.name.toLowerCase());
        if (f.renamedTo) this.names.add(f.renamedTo.name.toLowerCase());
      }
    }
    for (const language of this.world.languages) this.buildLanguage(language);
  }

  private buildLanguage(language: string): void {
    const { seed, start } = this.world;
    const rng = new Rng(seed, hashString(language));
    const n = this.perLanguage;
    const famous = (FAMOUS[language] ?? []).slice(0, n);
    const risingCount = n >= 20 ? Math.max(2, Math.round(n * 0.005)) : 0;
    const top = LANGUAGE_TOP[language] ?? 100_000;
    const repos: SimRepo[] = [];

    for (const f of famous) {
      const repo = this.existing(rng, language, f.name, f.databaseId, f.stars, 'famous');
      if (f.renamedTo) {
        const at = start + f.renamedTo.day * DAY_MS;
        repo.rename = { to: f.renamedTo.name, at };
        // The article's moby/moby: a sharp rise just after the name change.
        repo.events.push({ at: at + 2 * HOUR_MS, amount: Math.round(f.stars * 0.025), tauMs: 6 * HOUR_MS });
        repo.events.sort((a, b) => a.at - b.at);
      }
      repos.push(repo);
    }

    const generated = n - famous.length - risingCount;
    for (let i = 0; i < generated; i++) {
      const rank = famous.length + i + 1;
      const stars = Math.max(1, Math.round(top * rank ** -RANK_EXPONENT * Math.exp(0.12 * rng.gaussian())));
      const repo = this.existing(rng, language, this.freshName(rng, language), this.freshId(rng), stars, 'steady');
      // At least one repo per language loses stars steadily; a few more by chance.
      if (i === 30 || (i > 30 && rng.next() < 0.004)) {
        repo.kind = 'decliner';
        repo.ratePerDay = -(i === 30 ? 2 * typicalRate(stars) + 2 : Math.max(0.3, typicalRate(stars) * 0.6));
        repo.weeklyAmplitude = 0;
      }
      repos.push(repo);
    }

    for (let i = 0; i < risingCount; i++) {
      // Two appear within the first day and a half, so even a short run sees one climb.
      const createdAt = start + (i < 2 ? rng.between(2, 36) * HOUR_MS : rng.between(0, 365) * DAY_MS);
      const max = rng.logBetween(2500, 40_000);
      repos.push({
        databaseId: 0,
        language,
        name: this.freshName(rng, language),
        kind: 'rising',
        createdAt: Math.round(createdAt),
        base: 0,
        ratePerDay: typicalRate(max) * rng.logBetween(0.3, 1),
        weeklyAmplitude: rng.between(0, 0.3),
        weeklyPhase: rng.between(0, 2 * Math.PI),
        events: [],
        rise: { max, tauMs: rng.between(0.7, 5) * DAY_MS },
      });
    }
    // GitHub hands out ids in creation order: the newcomers get the newest.
    const rising = repos.filter((r) => r.kind === 'rising').sort((a, b) => a.createdAt - b.createdAt);
    for (const r of rising) r.databaseId = this.nextRisingId++;

    if (!famous.some((f) => f.renamedTo)) {
      const victim = repos.find((r, i) => i >= 5 && r.kind === 'steady') ?? repos.find((r) => r.kind === 'steady');
      if (victim) {
        const owner = this.freshOwner(rng);
        let to = `${owner}/${victim.name.split('/')[1]}`;
        while (this.names.has(to.toLowerCase())) to = `${this.freshOwner(rng)}/${victim.name.split('/')[1]}`;
        this.names.add(to.toLowerCase());
        victim.rename = { to, at: start + DAY_MS };
      }
    }
    this.world.repos.push(...repos);
  }

  private existing(
    rng: Rng,
    language: string,
    name: string,
    databaseId: number,
    stars: number,
    kind: RepoKind,
  ): SimRepo {
    const { start } = this.world;
    const repo: SimRepo = {
      databaseId,
      language,
      name,
      kind,
      createdAt: Math.round(start - rng.between(1, 12) * 365 * DAY_MS),
      base: stars,
      ratePerDay: typicalRate(stars) * Math.exp(0.6 * rng.gaussian()),
      weeklyAmplitude: rng.between(0, 0.35),
      weeklyPhase: rng.between(0, 2 * Math.PI),
      events: [],
    };
    const perYear = stars > 20_000 ? 3 : stars > KNEE ? 1.5 : 0.6;
    const bursts = rng.poisson((perYear * HORIZON_DAYS) / 365);
    for (let b = 0; b < bursts; b++) {
      const viral = rng.next() < 0.1 ? rng.logBetween(300, 3000) : 0;
      repo.events.push({
        at: Math.round(start + rng.between(0, HORIZON_DAYS) * DAY_MS),
        amount: Math.max(5, Math.round(stars * rng.logBetween(0.004, 0.04) + viral)),
        tauMs: rng.between(1, 8) * HOUR_MS,
      });
    }
    if (rng.next() < 0.08) {
      repo.events.push({
        at: Math.round(start + rng.between(0, HORIZON_DAYS) * DAY_MS),
        amount: -Math.round(stars * rng.logBetween(0.003, 0.03) + 3),
        tauMs: rng.between(0.3, 3) * HOUR_MS,
      });
    }
    repo.events.sort((a, b) => a.at - b.at);
    return repo;
  }

  private freshId(rng: Rng): number {
    let id = rng.int(1_000_000, 1_000_000_000);
    while (this.ids.has(id)) id = rng.int(1_000_000, 1_000_000_000);
    this.ids.add(id);
    return id;
  }

  private freshOwner(rng: Rng): string {
    if (rng.next() < 0.6) return rng.pick(OWNER_WORDS) + rng.pick(OWNER_SUFFIXES);
    const person = rng.pick(PERSON_NAMES);
    const r = rng.next();
    if (r < 0.4) return person + rng.int(1, 99);
    if (r < 0.7) return `${person}-${rng.pick(OWNER_WORDS)}`;
    return person + rng.pick(OWNER_WORDS);
  }

  private freshName(rng: Rng, language: string): string {
    const patterns = NAME_PATTERNS[language] ?? DEFAULT_NAME_PATTERNS;
    for (let attempt = 0; ; attempt++) {
      const w = rng.pick(REPO_WORDS);
      let w2 = rng.pick(REPO_WORDS);
      if (w2 === w) w2 = `${w2}s`;
      const repoName = rng
        .pick(patterns)
        .replace('{w}', w)
        .replace('{w2}', w2)
        .replace('{a}', rng.pick(REPO_ADJECTIVES));
      let full = `${this.freshOwner(rng)}/${repoName}`;
      if (attempt > 20) full += `-${attempt}`;
      if (!this.names.has(full.toLowerCase())) {
        this.names.add(full.toLowerCase());
        return full;
      }
    }
  }
}

export function createWorld(options: WorldOptions = {}): SimulatedWorld {
  return new SimulatedWorld(options);
}
