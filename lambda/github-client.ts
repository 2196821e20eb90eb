// A GitHub GraphQL client that survives GitHub: every call bounded by a timeout, transient
// failures retried with exponential backoff and full jitter, secondary rate limits waited
// out, an exhausted primary budget reported at once (waiting an hour helps nobody), nodes
// GitHub withholds (FORBIDDEN) kept apart from good data, and no wait begun past the deadline.
import { GraphqlResponseError, graphql } from '@octokit/graphql';
import { errorClass } from '../core/errors.js';
import { type Logger, registeredSecrets } from '../core/log.js';
import { describeServerText, redactSecrets } from '../core/redact.js';
import { backoffDelay, createLimiter, type Sleep, sleep } from '../core/retry.js';
import { type Deadline, deadlineText } from './deadline.js';
import type { RateLimitInfo } from './queries.js';

export type GitHubErrorKind =
  | 'primary-rate-limit'
  | 'secondary-rate-limit'
  | 'auth'
  | 'query'
  | 'unavailable'
  | 'aborted'
  | 'deadline';

/**
 * A failure the caller can act on. The message never carries the token: whatever the server said
 * is redacted where the message is built (classify), and again here against every registered
 * secret and token shape, because a GitHubError ends up printed, logged and stored.
 */
export class GitHubError extends errorClass('GITHUB') {
  override name = 'GitHubError';
  constructor(
    readonly kind: GitHubErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(redactSecrets(message, registeredSecrets()));
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
  /**
   * One line (redacted) per node GitHub withheld from an answer that was otherwise good: a null
   * node with a FORBIDDEN error pointing at it (an organisation's IP allow list, SAML).
   */
  withheld?: string[];
}

export function newCounters(): CallCounters {
  return { requests: 0, points: 0, retries: 0, secondaryWaits: 0, withheld: [] };
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
  sleep?: Sleep;
  random?: () => number;
  logger?: Logger;
  fetch?: typeof globalThis.fetch;
  /** Cancels every request and wait (the invocation is ending). */
  signal?: AbortSignal;
  /** Told when GitHub refuses the token (401), so a cached token can be read again. */
  onUnauthorized?: () => void;
}

/** The part of a poll's deadline a query obeys. */
export type CallDeadline = Pick<Deadline, 'left' | 'signal' | 'marginMs'>;

export interface GitHubClient {
  /**
   * One query's data. Nodes GitHub withheld (FORBIDDEN, with a path to a null node) are left null
   * and counted in `counters.withheld`; any other error throws. With a deadline, no request or
   * wait starts that would end past it, and one in flight is cancelled when it passes.
   */
  query<T extends { rateLimit?: RateLimitInfo | null }>(
    document: string,
    variables: Record<string, unknown>,
    counters?: CallCounters,
    deadline?: CallDeadline,
  ): Promise<T>;
  /** Largest number of requests that were in flight at once. */
  readonly maxInFlight: number;
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

/** What classify may need beyond the error itself. */
export interface ClassifyContext {
  /** Strings to scrub from whatever the server said (the token the request carried). */
  secrets?: readonly string[];
  /** The endpoint's host:port, named when a connection fails without saying where. */
  endpoint?: string;
}

/** `https://api.github.com/graphql` -> `api.github.com:443`. */
export function endpointOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return undefined;
  }
}

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused by',
  ECONNRESET: 'connection reset by',
  EPIPE: 'connection closed by',
  ETIMEDOUT: 'connection timed out to',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out to',
  UND_ERR_SOCKET: 'connection closed by',
  ENOTFOUND: 'host not found:',
  EAI_AGAIN: 'name lookup failed for',
  EHOSTUNREACH: 'host unreachable:',
  ENETUNREACH: 'network unreachable for',
};

/**
 * A socket-level failure, described as what it was and where: fetch throws `TypeError('fetch
 * failed')` with the system error as its cause, and octokit wraps that as a status-500
 * RequestError, a status GitHub never sent. Undefined when no cause carries a system error code.
 */
function networkFailure(error: unknown, endpoint: string | undefined): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 6 && e && typeof e === 'object'; depth += 1) {
    const c = e as {
      code?: unknown;
      address?: unknown;
      port?: unknown;
      hostname?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof c.code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(c.code)) {
      const host =
        typeof c.address === 'string'
          ? c.address.includes(':')
            ? `[${c.address}]`
            : c.address
          : typeof c.hostname === 'string'
            ? c.hostname
            : undefined;
      const where =
        host !== undefined && c.port !== undefined
          ? `${host}:${String(c.port)}`
          : (endpoint ?? host ?? 'the GitHub endpoint');
      return `${NETWORK_WORDS[c.code] ?? 'network error talking to'} ${where} (${c.code})`;
    }
    // Node reports a connection tried on several addresses as an AggregateError.
    e = c.cause ?? (Array.isArray(c.errors) ? c.errors[0] : undefined);
  }
  return undefined;
}

function classifyGraphql(error: GraphqlResponseError<unknown>, said: (text: string) => string): Classified {
  const errors = (error.errors ?? []) as { type?: string; message?: string }[];
  const messages = said(errors.map((e) => e.message ?? e.type ?? 'error').join('; '));
  if (errors.some((e) => e.type === 'RATE_LIMITED')) {
    const reset = header(error.headers, 'x-ratelimit-reset');
    const at = reset ? ` (resets ${new Date(Number(reset) * 1000).toISOString()})` : '';
    return {
      retry: 'none',
      error: new GitHubError('primary-rate-limit', `GitHub primary rate limit exhausted${at}: ${messages}`, 200),
    };
  }
  // GitHub answers some of its own timeouts as a 200 with an error; those are worth another try.
  if (/timeout|timed out|something went wrong/i.test(messages)) {
    return {
      retry: 'backoff',
      error: new GitHubError('unavailable', `GitHub query failed transiently: ${messages}`, 200),
    };
  }
  return { retry: 'none', error: new GitHubError('query', `GitHub rejected the query: ${messages}`, 200) };
}

/** The value at `path` in `data`; undefined when the path leads nowhere. */
function valueAt(data: unknown, path: readonly unknown[]): unknown {
  let v: unknown = data;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || (typeof key !== 'string' && typeof key !== 'number')) return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

/**
 * The lines describing the nodes GitHub withheld, when they are the answer's only errors: each is
 * FORBIDDEN with a path to a list element that is null in `data` (GitHub's answer for a repository
 * behind an organisation's IP allow list). Undefined when any error is anything else: a whole
 * query or field that failed is not partial data.
 */
export function withheldNodes(
  error: GraphqlResponseError<unknown>,
  secrets: readonly string[] = [],
): string[] | undefined {
  const data = error.data;
  const errors = (error.errors ?? []) as { type?: unknown; path?: unknown; message?: unknown }[];
  if (data === null || typeof data !== 'object' || errors.length === 0) return undefined;
  const lines: string[] = [];
  for (const e of errors) {
    const path = e.path;
    if (e.type !== 'FORBIDDEN' || !Array.isArray(path) || !path.some((k) => typeof k === 'number')) return undefined;
    if (valueAt(data, path) !== null) return undefined;
    lines.push(`${path.join('.')}: ${describeServerText(String(e.message ?? 'FORBIDDEN'), secrets)}`);
  }
  return lines;
}

function classifyForbidden(status: number, headers: unknown, message: string): Classified {
  const retryAfter = header(headers, 'retry-after');
  const remaining = header(headers, 'x-ratelimit-remaining');
  if (retryAfter === undefined && remaining === '0') {
    const reset = header(headers, 'x-ratelimit-reset');
    const at = reset ? ` (resets ${new Date(Number(reset) * 1000).toISOString()})` : '';
    return {
      retry: 'none',
      error: new GitHubError('primary-rate-limit', `GitHub primary rate limit exhausted${at}`, status),
    };
  }
  const seconds =
    retryAfter !== undefined && Number.isFinite(Number(retryAfter)) ? Math.max(0, Number(retryAfter)) : 60;
  if (retryAfter !== undefined || /secondary rate limit|abuse/i.test(message) || status === 429) {
    return {
      retry: 'secondary',
      waitMs: seconds * 1000,
      error: new GitHubError(
        'secondary-rate-limit',
        `GitHub secondary rate limit (${status}, retry after ${seconds} s)`,
        status,
      ),
    };
  }
  return {
    retry: 'none',
    error: new GitHubError('auth', `GitHub forbade the request (${status}): ${message}`, status),
  };
}

/**
 * Maps whatever octokit or fetch threw onto what to do next. Whatever the server said goes into
 * the message as one short line with the token and anything token-shaped redacted: an API or
 * proxy may echo the request's Authorization header in its error answer.
 */
export function classify(error: unknown, context: ClassifyContext = {}): Classified {
  if (error instanceof GitHubError) return { retry: 'none', error };
  const said = (text: string) => describeServerText(text, context.secrets ?? []);
  if (error instanceof GraphqlResponseError) return classifyGraphql(error, said);
  const e = error as {
    name?: string;
    status?: number;
    message?: string;
    request?: unknown;
    response?: { headers?: unknown; data?: unknown };
  };
  const status = typeof e.status === 'number' ? e.status : undefined;
  const message = said(e.message ?? String(error));
  // Without a response nothing was answered: any status on the error is octokit's invention.
  const answered = e.response !== undefined;
  const network = answered ? undefined : networkFailure(error, context.endpoint);
  if (network) return { retry: 'backoff', error: new GitHubError('unavailable', `GitHub unreachable: ${network}`) };
  if (!answered && (e.name === 'AbortError' || e.name === 'TimeoutError' || /aborted|timeout/i.test(message))) {
    return {
      retry: 'backoff',
      error: new GitHubError('unavailable', `GitHub request timed out or was aborted: ${message}`, status),
    };
  }
  if (!answered && e.request !== undefined) {
    const where = context.endpoint ? ` (${context.endpoint})` : '';
    return { retry: 'backoff', error: new GitHubError('unavailable', `GitHub unreachable${where}: ${message}`) };
  }
  if (status === 401)
    return { retry: 'none', error: new GitHubError('auth', 'GitHub refused the token (401 Bad credentials)', 401) };
  if (status === 403 || status === 429) return classifyForbidden(status, e.response?.headers, message);
  // 408: the server gave up waiting for us, worth another try as a 5xx is.
  if (status !== undefined && (status >= 500 || status === 408)) {
    return {
      retry: 'backoff',
      error: new GitHubError('unavailable', `GitHub unavailable (${status}): ${message}`, status),
    };
  }
  // Anything else without a status is our own bug.
  if (status === undefined)
    return { retry: 'none', error: new GitHubError('query', `GitHub request failed: ${message}`) };
  return { retry: 'none', error: new GitHubError('query', `GitHub answered ${status}: ${message}`, status) };
}

const attempts = (n: number) => `${n} attempt${n === 1 ? '' : 's'}`;

/** Sends one request: within the client's concurrency limit, bounded by the timeout, counted. */
interface Sender {
  send<T>(
    document: string,
    variables: Record<string, unknown>,
    counters?: CallCounters,
    signal?: AbortSignal,
  ): Promise<T>;
  /** Largest number of requests that were in flight at once. */
  readonly maxInFlight: number;
}

function createSender(options: GitHubClientOptions): Sender {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const limit = createLimiter(options.maxConcurrent ?? 8);
  const request = graphql.defaults({
    url: options.url,
    headers: { authorization: `bearer ${options.token}` },
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
  });
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    get maxInFlight() {
      return maxInFlight;
    },
    send: <T>(
      document: string,
      variables: Record<string, unknown>,
      counters?: CallCounters,
      signal?: AbortSignal,
    ): Promise<T> =>
      limit(async () => {
        // Queued behind the limiter while the deadline passed: nothing is sent.
        signal?.throwIfAborted();
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (counters) counters.requests += 1;
        const signals = [AbortSignal.timeout(timeoutMs), ...[options.signal, signal].filter((x) => x !== undefined)];
        try {
          return await request<T>(document, { ...variables, request: { signal: AbortSignal.any(signals) } });
        } finally {
          inFlight -= 1;
        }
      }),
  };
}

/** How one query retries, settled from the client's options. */
interface RetryPolicy {
  maxAttempts: number;
  maxSecondaryWaits: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: Sleep;
  random: () => number;
  logger?: Logger;
  context: ClassifyContext;
}

function retryPolicy(options: GitHubClientOptions): RetryPolicy {
  return {
    maxAttempts: options.maxAttempts ?? 6,
    maxSecondaryWaits: options.maxSecondaryWaits ?? 5,
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 20_000,
    sleep: options.sleep ?? sleep,
    random: options.random ?? Math.random,
    logger: options.logger,
    context: { secrets: [options.token], endpoint: endpointOf(options.url) },
  };
}

/** What one query has spent of its retries so far. */
interface Tries {
  failures: number;
  secondaryWaits: number;
}

/**
 * Waits before trying a failed request again, if its failure is worth another try and the
 * budget for that kind allows; false when the query should give up.
 */
async function waitToRetry(
  c: Classified,
  tries: Tries,
  policy: RetryPolicy,
  counters?: CallCounters,
  deadline?: CallDeadline,
): Promise<boolean> {
  if (c.retry === 'secondary' && tries.secondaryWaits < policy.maxSecondaryWaits) {
    refuseWaitPastDeadline(c.waitMs ?? 60_000, c, deadline);
    tries.secondaryWaits += 1;
    if (counters) counters.secondaryWaits += 1;
    policy.logger?.warn('github secondary rate limit, waiting', { waitMs: c.waitMs, status: c.error.status });
    await policy.sleep(c.waitMs ?? 60_000);
    return true;
  }
  if (c.retry === 'backoff' && tries.failures + 1 < policy.maxAttempts) {
    const delay = backoffDelay(tries.failures, policy.baseDelayMs, policy.maxDelayMs, policy.random);
    refuseWaitPastDeadline(delay, c, deadline);
    tries.failures += 1;
    if (counters) counters.retries += 1;
    policy.logger?.warn('github request failed, retrying', {
      attempt: tries.failures,
      delayMs: delay,
      error: c.error.message,
    });
    await policy.sleep(delay);
    return true;
  }
  return false;
}

/** A wait that would end past the deadline is not begun: the poll gives up now, with time to record why. */
function refuseWaitPastDeadline(waitMs: number, c: Classified, deadline?: CallDeadline): void {
  if (!deadline) return;
  const left = deadline.left();
  if (waitMs < left) return;
  const wait = waitMs >= 1000 ? `${Math.round(waitMs / 1000)} s` : `${waitMs} ms`;
  throw deadlineError(
    deadline,
    `${c.error.message}; retrying needs a ${wait} wait but ${Math.max(0, Math.round(left / 1000))} s are left`,
  );
}

function deadlineError(deadline: CallDeadline, what: string): GitHubError {
  return new GitHubError('deadline', deadlineText(deadline.marginMs, what));
}

/** The error a query gives up with: a retryable one says how many attempts it had. */
function givingUp(c: Classified, tries: Tries): GitHubError {
  if (c.retry === 'none') return c.error;
  return new GitHubError(
    c.error.kind,
    `${c.error.message}; gave up after ${attempts(tries.failures + tries.secondaryWaits + 1)}`,
    c.error.status,
  );
}

/** Adds an answer's cost to the poll's counters. */
function account(data: { rateLimit?: RateLimitInfo | null } | null | undefined, counters?: CallCounters): void {
  if (counters && data?.rateLimit) {
    counters.points += data.rateLimit.cost;
    counters.remaining = data.rateLimit.remaining;
  }
}

/** The data of an answer whose only errors are withheld nodes (counted and logged); undefined otherwise. */
function partialData<T>(error: unknown, policy: RetryPolicy, counters?: CallCounters): T | undefined {
  if (!(error instanceof GraphqlResponseError)) return undefined;
  const lines = withheldNodes(error, policy.context.secrets);
  if (!lines) return undefined;
  const data = error.data as T & { rateLimit?: RateLimitInfo | null };
  account(data, counters);
  if (counters) counters.withheld = [...(counters.withheld ?? []), ...lines];
  policy.logger?.warn('github withheld nodes (FORBIDDEN), keeping the rest of the answer', {
    count: lines.length,
    first: lines[0],
  });
  return data;
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const sender = createSender(options);
  const policy = retryPolicy(options);
  const aborted = () => new GitHubError('aborted', 'poll aborted');
  return {
    get maxInFlight() {
      return sender.maxInFlight;
    },
    async query<T extends { rateLimit?: RateLimitInfo | null }>(
      document: string,
      variables: Record<string, unknown>,
      counters?: CallCounters,
      deadline?: CallDeadline,
    ) {
      const tries: Tries = { failures: 0, secondaryWaits: 0 };
      const timeUp = (what: string) => deadlineError(deadline!, `the invocation ran out of time ${what}`);
      for (;;) {
        if (options.signal?.aborted) throw aborted();
        if (deadline && deadline.left() <= 0) throw timeUp('before a GitHub request');
        try {
          const data = await sender.send<T>(document, variables, counters, deadline?.signal);
          account(data, counters);
          return data;
        } catch (error) {
          if (options.signal?.aborted) throw aborted();
          if (deadline?.signal.aborted) throw timeUp('waiting for GitHub');
          const partial = partialData<T>(error, policy, counters);
          if (partial !== undefined) return partial;
          const c = classify(error, policy.context);
          if (await waitToRetry(c, tries, policy, counters, deadline)) continue;
          if (c.error.kind === 'auth') options.onUnauthorized?.();
          throw givingUp(c, tries);
        }
      }
    },
  };
}
