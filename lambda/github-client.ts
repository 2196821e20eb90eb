// A GitHub GraphQL client that survives GitHub: every call bounded by a timeout, transient
// failures retried with exponential backoff and full jitter, secondary rate limits waited
// out, and an exhausted primary budget reported at once (waiting an hour helps nobody).
import { GraphqlResponseError, graphql } from '@octokit/graphql';
import type { Logger } from '../core/log.js';
import type { RateLimitInfo } from './queries.js';

export type GitHubErrorKind = 'primary-rate-limit' | 'secondary-rate-limit' | 'auth' | 'query' | 'unavailable' | 'aborted';

/** A failure the caller can act on; the message never carries the token. */
export class GitHubError extends Error {
  override name = 'GitHubError';
  constructor(
    readonly kind: GitHubErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** What one poll spent; a poll passes its own so tracks are accounted separately. */
export interface CallCounters {
  requests: number;
  points: number;
  retries: number;
  secondaryWaits: number;
  /** `rateLimit.remaining` from the last answer. */
  remaining?: number;
}

export function newCounters(): CallCounters {
  return { requests: 0, points: 0, retries: 0, secondaryWaits: 0 };
}

export interface GitHubClientOptions {
  /** The full GraphQL endpoint, e.g. https://api.github.com/graphql. */
  url: string;
  token: string;
  timeoutMs?: number;
  /** Attempts for 5xx, timeouts and network errors (first try included). */
  maxAttempts?: number;
  /** Secondary rate limits waited out before giving up. */
  maxSecondaryWaits?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Requests in flight at once, across the whole client (GitHub's secondary limit is 100). */
  maxConcurrent?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  logger?: Logger;
  fetch?: typeof globalThis.fetch;
  /** Cancels every request and wait (the invocation is ending). */
  signal?: AbortSignal;
  /** Told when GitHub refuses the token (401), so a cached token can be read again. */
  onUnauthorized?: () => void;
}

export interface GitHubClient {
  query<T extends { rateLimit?: RateLimitInfo | null }>(document: string, variables: Record<string, unknown>, counters?: CallCounters): Promise<T>;
  /** Largest number of requests that were in flight at once. */
  readonly maxInFlight: number;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A counting semaphore: at most `limit` holders at once, FIFO. */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active += 1;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}

interface Classified {
  retry: 'backoff' | 'secondary' | 'none';
  error: GitHubError;
  waitMs?: number;
}

function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const value = (headers as Record<string, unknown>)[name];
  return value === undefined || value === null ? undefined : String(value);
}

/** Maps whatever octokit or fetch threw onto what to do next. */
export function classify(error: unknown): Classified {
  if (error instanceof GitHubError) return { retry: 'none', error };
  if (error instanceof GraphqlResponseError) {
    const errors = (error.errors ?? []) as { type?: string; message?: string }[];
    const messages = errors.map((e) => e.message ?? e.type ?? 'error').join('; ');
    if (errors.some((e) => e.type === 'RATE_LIMITED')) {
      const reset = header(error.headers, 'x-ratelimit-reset');
      const at = reset ? ` (resets ${new Date(Number(reset) * 1000).toISOString()})` : '';
      return { retry: 'none', error: new GitHubError('primary-rate-limit', `GitHub primary rate limit exhausted${at}: ${messages}`, 200) };
    }
    // GitHub answers some of its own timeouts as a 200 with an error; those are worth another try.
    if (/timeout|timed out|something went wrong/i.test(messages)) {
      return { retry: 'backoff', error: new GitHubError('unavailable', `GitHub query failed transiently: ${messages}`, 200) };
    }
    return { retry: 'none', error: new GitHubError('query', `GitHub rejected the query: ${messages}`, 200) };
  }
  const e = error as { name?: string; status?: number; message?: string; response?: { headers?: unknown; data?: unknown } };
  const status = typeof e.status === 'number' ? e.status : undefined;
  const headers = e.response?.headers;
  const message = (e.message ?? String(error)).split('\n')[0]!.slice(0, 300);
  if (e.name === 'AbortError' || e.name === 'TimeoutError' || /aborted|timeout/i.test(message)) {
    return { retry: 'backoff', error: new GitHubError('unavailable', `GitHub request timed out or was aborted: ${message}`, status) };
  }
  if (status === 401) return { retry: 'none', error: new GitHubError('auth', 'GitHub refused the token (401 Bad credentials)', 401) };
  if (status === 403 || status === 429) {
    const retryAfter = header(headers, 'retry-after');
    const remaining = header(headers, 'x-ratelimit-remaining');
    if (retryAfter === undefined && remaining === '0') {
      const reset = header(headers, 'x-ratelimit-reset');
      const at = reset ? ` (resets ${new Date(Number(reset) * 1000).toISOString()})` : '';
      return { retry: 'none', error: new GitHubError('primary-rate-limit', `GitHub primary rate limit exhausted${at}`, status) };
    }
    const seconds = retryAfter !== undefined && Number.isFinite(Number(retryAfter)) ? Math.max(0, Number(retryAfter)) : 60;
    if (retryAfter !== undefined || /secondary rate limit|abuse/i.test(message) || status === 429) {
      return {
        retry: 'secondary',
        waitMs: seconds * 1000,
        error: new GitHubError('secondary-rate-limit', `GitHub secondary rate limit (${status}, retry after ${seconds} s)`, status),
      };
    }
    return { retry: 'none', error: new GitHubError('auth', `GitHub forbade the request (${status}): ${message}`, status) };
  }
  if (status !== undefined && status >= 500) {
    return { retry: 'backoff', error: new GitHubError('unavailable', `GitHub unavailable (${status}): ${message}`, status) };
  }
  if (status === undefined) {
    // Socket-level failures carry a code; anything else without a status is our own bug.
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+/.test(code)) {
      return { retry: 'backoff', error: new GitHubError('unavailable', `GitHub unreachable: ${message}`) };
    }
    return { retry: 'none', error: new GitHubError('query', `GitHub request failed: ${message}`) };
  }
  return { retry: 'none', error: new GitHubError('query', `GitHub answered ${status}: ${message}`, status) };
}

/** Full jitter: a uniform wait in [0, min(cap, base * 2^attempt)). */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxAttempts = options.maxAttempts ?? 6;
  const maxSecondaryWaits = options.maxSecondaryWaits ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 20_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const limit = createLimiter(options.maxConcurrent ?? 8);
  const request = graphql.defaults({
    url: options.url,
    headers: { authorization: `bearer ${options.token}` },
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
  });
  let inFlight = 0;
  let maxInFlight = 0;

  const once = async <T>(document: string, variables: Record<string, unknown>, counters?: CallCounters): Promise<T> =>
    limit(async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (counters) counters.requests += 1;
      const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
      try {
        return await request<T>(document, { ...variables, request: { signal: AbortSignal.any(signals) } });
      } finally {
        inFlight -= 1;
      }
    });

  return {
    get maxInFlight() {
      return maxInFlight;
    },
    async query<T extends { rateLimit?: RateLimitInfo | null }>(document: string, variables: Record<string, unknown>, counters?: CallCounters) {
      let failures = 0;
      let secondaryWaits = 0;
      for (;;) {
        if (options.signal?.aborted) throw new GitHubError('aborted', 'poll aborted');
        try {
          const data = await once<T>(document, variables, counters);
          if (counters && data.rateLimit) {
            counters.points += data.rateLimit.cost;
            counters.remaining = data.rateLimit.remaining;
          }
          return data;
        } catch (error) {
          if (options.signal?.aborted) throw new GitHubError('aborted', 'poll aborted');
          const c = classify(error);
          if (c.retry === 'secondary' && secondaryWaits < maxSecondaryWaits) {
            secondaryWaits += 1;
            if (counters) counters.secondaryWaits += 1;
            options.logger?.warn('github secondary rate limit, waiting', { waitMs: c.waitMs, status: c.error.status });
            await sleep(c.waitMs ?? 60_000);
            continue;
          }
          if (c.retry === 'backoff' && failures + 1 < maxAttempts) {
            const delay = backoffDelay(failures, baseDelayMs, maxDelayMs, random);
            failures += 1;
            if (counters) counters.retries += 1;
            options.logger?.warn('github request failed, retrying', { attempt: failures, delayMs: delay, error: c.error.message });
            await sleep(delay);
            continue;
          }
          if (c.error.kind === 'auth') options.onUnauthorized?.();
          if (c.retry !== 'none') {
            throw new GitHubError(c.error.kind, `${c.error.message}; gave up after ${failures + secondaryWaits + 1} attempts`, c.error.status);
          }
          throw c.error;
        }
      }
    },
  };
}
