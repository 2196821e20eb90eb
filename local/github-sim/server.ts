// The HTTP face of the simulator: POST /graphql executed against GitHub's schema over the
// simulated world, with GitHub's rate limits (primary points per simulated hour, secondary
// limits on concurrency and points a minute) and injected faults drawn from a seeded PRNG.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execute, type GraphQLError } from 'graphql';
import { unit } from './random.js';
import { githubSchema, prepareDocument, queryCost } from './schema.js';
import { GitHubGraphQLError, resolveSearch, type SearchArgs, type SearchContext } from './search.js';
import type {
  EchoTokenMode,
  FaultOptions,
  GitHubSimulator,
  HostileOptions,
  SimStats,
  SimulatorOptions,
} from './types.js';
import { HOUR_MS, SimulatedWorld, toMs } from './world.js';

const MAX_BODY = 1 << 20;
const DOCS = 'https://docs.github.com/graphql';
const SECONDARY_DOCS =
  'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';
const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>GitHub</center>\r\n</body>\r\n</html>\r\n';

export interface StartedSimulator extends GitHubSimulator {
  world: SimulatedWorld;
  /** The options in force, after defaults. */
  readonly options: Readonly<ResolvedOptions>;
}

interface ResolvedOptions {
  seed: number;
  latencyMs: number;
  pointsPerHour: number;
  maxConcurrent: number;
  pointsPerMinute: number;
  token?: string;
}

interface Answer {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export async function startGitHubSimulator(options: SimulatorOptions = {}): Promise<StartedSimulator> {
  const world = new SimulatedWorld(options);
  const resolved: ResolvedOptions = {
    seed: world.seed,
    latencyMs: options.latencyMs ?? 0,
    pointsPerHour: options.pointsPerHour ?? 5000,
    maxConcurrent: options.maxConcurrent ?? 100,
    pointsPerMinute: options.pointsPerMinute ?? 0,
    token: options.token,
  };
  let faults: FaultOptions = { ...options.faults };
  let hostile: HostileOptions = { ...options.hostile };
  let manualClock = world.start;
  const clock = options.clock;
  const now = () => (clock ? clock() : manualClock);

  const stats: SimStats = { requests: 0, byStatus: {}, points: 0, maxConcurrentSeen: 0, documents: [] };
  const seenDocuments = new Set<string>();
  // Never reset, so fault draws keep moving after resetStats().
  let arrivals = 0;
  let secondaryAnswers = 0;
  let inFlight = 0;
  // Primary budget: GitHub's window opens at the first request and lasts an hour.
  let windowStart = Number.NaN;
  let used = 0;
  // Secondary points a minute, on the wall clock: accepted request times, oldest first.
  const recent: number[] = [];
  let closed = false;
  const sleepers = new Set<{ timer: NodeJS.Timeout; done: () => void }>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const entry = {
        timer: setTimeout(() => {
          sleepers.delete(entry);
          resolve();
        }, ms),
        done: resolve,
      };
      sleepers.add(entry);
    });

  const budget = () => {
    const t = now();
    if (Number.isNaN(windowStart) || t >= windowStart + HOUR_MS || t < windowStart) {
      windowStart = t;
      used = 0;
    }
    return {
      limit: resolved.pointsPerHour,
      used,
      remaining: Math.max(0, resolved.pointsPerHour - used),
      resetAt: windowStart + HOUR_MS,
    };
  };

  const rateHeaders = (requestNo: number): Record<string, string> => {
    const b = budget();
    return {
      'x-ratelimit-limit': String(b.limit),
      'x-ratelimit-remaining': String(b.remaining),
      'x-ratelimit-used': String(b.used),
      'x-ratelimit-reset': String(Math.ceil(b.resetAt / 1000)),
      'x-ratelimit-resource': 'graphql',
      'x-github-request-id': requestId(resolved.seed, requestNo),
    };
  };

  const secondary = (requestNo: number, retryAfter: number): Answer => {
    const status = secondaryAnswers++ % 2 === 0 ? 403 : 429;
    return {
      status,
      headers: { 'retry-after': String(retryAfter) },
      body: JSON.stringify({
        documentation_url: SECONDARY_DOCS,
        message: `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId(resolved.seed, requestNo)}.`,
      }),
    };
  };

  const runGraphQL = (raw: string, requestNo: number): Answer => {
    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(raw);
      if (typeof body !== 'object' || body === null) throw new Error('not an object');
    } catch {
      return { status: 400, body: JSON.stringify({ message: 'Problems parsing JSON', documentation_url: DOCS }) };
    }
    if (typeof body.query !== 'string') {
      return ok({ errors: [{ message: 'A query attribute must be specified and must be a string.' }] });
    }
    if (!seenDocuments.has(body.query)) {
      seenDocuments.add(body.query);
      stats.documents.push(body.query);
    }
    const prepared = prepareDocument(body.query);
    if (!prepared.document) return ok({ errors: prepared.errors!.map(formatError) });
    const variables = (typeof body.variables === 'object' && body.variables !== null ? body.variables : {}) as Record<
      string,
      unknown
    >;
    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
    const cost = queryCost(prepared.document, operationName, variables);
    if ('error' in cost) return ok({ errors: [{ message: cost.error }] });

    const b = budget();
    if (b.remaining < cost.cost) {
      return ok({
        errors: [
          {
            type: 'RATE_LIMITED',
            code: 'graphql_rate_limit',
            message: `API rate limit exceeded for user ID ${1000 + resolved.seed}.`,
          },
        ],
      });
    }
    if (!cost.dryRun) {
      used += cost.cost;
      stats.points += cost.cost;
    }
    const t = now();
    const ctx: SearchContext = { world, t, seed: resolved.seed, requestNo, hostile };
    let fieldIndex = 0;
    const rootValue = {
      search: (args: SearchArgs) => resolveSearch(args, ctx, fieldIndex++),
      rateLimit: () => {
        const after = budget();
        return {
          cost: cost.cost,
          limit: after.limit,
          remaining: after.remaining,
          used: after.used,
          // Whole seconds, the same instant as the x-ratelimit-reset header.
          resetAt: new Date(Math.ceil(after.resetAt / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          nodeCount: cost.nodeCount,
        };
      },
    };
    const result = execute({
      schema: githubSchema,
      document: prepared.document,
      rootValue,
      variableValues: variables,
      operationName,
    });
    if (result instanceof Promise) throw new Error('the simulator resolves synchronously');
    return ok(
      result.errors ? { data: result.data ?? null, errors: result.errors.map(formatError) } : { data: result.data },
    );
  };

  const answer = async (req: IncomingMessage, requestNo: number, arrivedOver: boolean): Promise<Answer> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/graphql' && path !== '/api/graphql') {
      if (path === '/_sim/time' && req.method === 'GET') return ok({ now: new Date(now()).toISOString() });
      if (path === '/_sim/time' && req.method === 'POST') {
        const parsed = safeJson(await readBody(req));
        const t =
          parsed && typeof parsed === 'object' && 'time' in parsed ? Date.parse(String(parsed.time)) : Number.NaN;
        if (clock || !Number.isFinite(t)) {
          return {
            status: 400,
            body: JSON.stringify({ message: clock ? 'the clock follows real time' : 'expected {"time": ISO}' }),
          };
        }
        manualClock = t;
        return ok({ now: new Date(t).toISOString() });
      }
      return { status: 404, body: JSON.stringify({ message: 'Not Found', documentation_url: DOCS }) };
    }
    if (req.method !== 'POST') {
      return {
        status: 405,
        headers: { allow: 'POST' },
        body: JSON.stringify({ message: 'Method Not Allowed', documentation_url: DOCS }),
      };
    }
    const raw = await readBody(req);
    const slow = (faults.slowShare ?? 0) > 0 && unit(resolved.seed, 0x510e, requestNo) < faults.slowShare!;
    await sleep(resolved.latencyMs + (slow ? (faults.slowMs ?? 0) : 0));
    if (raw === null) return { status: 413, body: JSON.stringify({ message: 'Payload Too Large' }) };

    if (resolved.token !== undefined) {
      const auth = req.headers.authorization;
      if (!auth) {
        return {
          status: 401,
          body: JSON.stringify({ message: 'This endpoint requires you to be authenticated.', documentation_url: DOCS }),
        };
      }
      const m = /^(?:bearer|token)\s+(.+)$/i.exec(auth.trim());
      if (!m || m[1] !== resolved.token) {
        return {
          status: 401,
          body: JSON.stringify({ message: 'Bad credentials', documentation_url: DOCS, status: '401' }),
        };
      }
    }
    const retryAfter = faults.retryAfterSeconds ?? 1;
    if (arrivedOver) return secondary(requestNo, retryAfter);
    if (faults.echoToken && unit(resolved.seed, 0xec40, requestNo) < (faults.echoTokenShare ?? 1)) {
      return echoAnswer(faults.echoToken, req.headers.authorization ?? '(none)');
    }
    const u = unit(resolved.seed, 0xfa17, requestNo);
    const share502 = faults.error502 ?? 0;
    if (u < share502) return { status: 502, contentType: 'text/html', body: BAD_GATEWAY_HTML };
    if (u < share502 + (faults.secondaryRateLimit ?? 0)) return secondary(requestNo, retryAfter);
    if (resolved.pointsPerMinute > 0) {
      const wall = Date.now();
      while (recent.length > 0 && recent[0]! <= wall - 60_000) recent.shift();
      if (recent.length >= resolved.pointsPerMinute) {
        return secondary(requestNo, Math.max(1, Math.ceil((recent[0]! + 60_000 - wall) / 1000)));
      }
      recent.push(wall);
    }
    return runGraphQL(raw, requestNo);
  };

  const server = createServer((req, res) => {
    const requestNo = ++arrivals;
    stats.requests++;
    inFlight++;
    stats.maxConcurrentSeen = Math.max(stats.maxConcurrentSeen, inFlight);
    const over = inFlight > resolved.maxConcurrent;
    let finished = false;
    const finish = () => {
      if (!finished) {
        finished = true;
        inFlight--;
      }
    };
    res.on('close', finish);
    answer(req, requestNo, over)
      .catch(
        (error: unknown): Answer => ({
          status: 500,
          body: JSON.stringify({ message: `simulator error: ${String(error)}` }),
        }),
      )
      .then((a) => send(res, a, requestNo))
      .finally(finish);
  });

  const send = (res: ServerResponse, a: Answer, requestNo: number) => {
    if (closed || res.destroyed || res.writableEnded) return;
    stats.byStatus[a.status] = (stats.byStatus[a.status] ?? 0) + 1;
    res.writeHead(a.status, {
      'content-type': a.contentType ?? 'application/json; charset=utf-8',
      ...rateHeaders(requestNo),
      ...a.headers,
    });
    res.end(a.body);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/graphql`,
    world,
    stats,
    options: resolved,
    setTime(t) {
      manualClock = toMs(t);
    },
    now: () => new Date(now()),
    setFaults(f) {
      faults = { ...f };
    },
    setHostile(h) {
      hostile = { ...h };
    },
    resetStats() {
      stats.requests = 0;
      for (const key of Object.keys(stats.byStatus)) delete stats.byStatus[Number(key)];
      stats.points = 0;
      stats.maxConcurrentSeen = inFlight;
      stats.documents.length = 0;
      seenDocuments.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        for (const s of sleepers) {
          clearTimeout(s.timer);
          s.done();
        }
        sleepers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * An error answer that repeats the request's Authorization header, as misconfigured proxies and
 * debugging APIs do. Each puts it where a client builds its error message from: the page's first
 * line, the body text, `message`, `errors[].message`.
 */
function echoAnswer(mode: EchoTokenMode, authorization: string): Answer {
  const echo = `authorization: ${authorization}`;
  switch (mode) {
    case 'error502':
      return {
        status: 502,
        contentType: 'text/html',
        body: `<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>upstream rejected the request (${echo})</p></body></html>\r\n`,
      };
    case 'forbidden403':
      return {
        status: 403,
        contentType: 'text/plain; charset=utf-8',
        body: `403 Forbidden: request not allowed from this network (${echo})\n`,
      };
    case 'jsonError':
      return {
        status: 400,
        body: JSON.stringify({ message: `Invalid request header: ${echo}`, documentation_url: DOCS }),
      };
    case 'graphqlError':
      return ok({ data: null, errors: [{ type: 'FORBIDDEN', message: `Resource not accessible with ${echo}` }] });
  }
}

function ok(payload: unknown): Answer {
  return { status: 200, body: JSON.stringify(payload) };
}

function formatError(error: GraphQLError): Record<string, unknown> {
  const json = error.toJSON() as unknown as Record<string, unknown>;
  const original = error.originalError;
  if (original instanceof GitHubGraphQLError) return { type: original.type, ...json };
  if (error instanceof GitHubGraphQLError) return { type: error.type, ...json };
  return json;
}

function requestId(seed: number, n: number): string {
  const hex = (x: number, w: number) => (x >>> 0).toString(16).toUpperCase().padStart(w, '0').slice(-w);
  return `${hex(seed, 4)}:${hex(n, 5)}:${hex(n * 2654435761, 6)}:${hex(n * 40503 + seed, 6)}:${hex(n, 8)}`;
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) tooBig = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function safeJson(text: string | null): unknown {
  try {
    return text === null ? null : JSON.parse(text);
  } catch {
    return null;
  }
}
