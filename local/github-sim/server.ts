// The HTTP face of the simulator: POST /graphql executed against GitHub's schema over the
// simulated world, with GitHub's rate limits (primary points per simulated hour, secondary
// limits on concurrency and points a minute) and injected faults drawn from a seeded PRNG.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DocumentNode, execute } from 'graphql';
import {
  type Answer,
  BAD_CREDENTIALS,
  BAD_GATEWAY,
  BAD_JSON,
  echoAnswer,
  formatError,
  ipAllowListMessage,
  METHOD_NOT_ALLOWED,
  NOT_FOUND,
  ok,
  PAYLOAD_TOO_LARGE,
  plainError,
  requestId,
  secondaryLimitAnswer,
  UNAUTHENTICATED,
} from './answers.js';
import { unit } from './random.js';
import { MinuteWindow, PrimaryBudget } from './rate-limits.js';
import { githubSchema, prepareDocument, type QueryCost, queryCost } from './schema.js';
import { GitHubGraphQLError, RepositoryNode, resolveSearch, type SearchArgs, type SearchContext } from './search.js';
import type { FaultOptions, GitHubSimulator, HostileOptions, SimStats, SimulatorOptions } from './types.js';
import { SimulatedWorld, toMs } from './world.js';

const MAX_BODY = 1 << 20;

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

/** A GraphQL request body as sent: nothing in it checked yet. */
interface RequestBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

/** A checked GraphQL request, priced and ready to execute. */
interface PricedRequest {
  document: DocumentNode;
  variables: Record<string, unknown>;
  operationName: string | undefined;
  cost: QueryCost;
}

/** A pending latency sleep; close() ends it early. */
interface Sleeper {
  timer: NodeJS.Timeout;
  done: () => void;
}

export async function startGitHubSimulator(options: SimulatorOptions = {}): Promise<StartedSimulator> {
  const simulator = new SimulatorServer(options);
  const port = await simulator.listen(options.port ?? 0);
  return simulator.handle(port);
}

/** One running simulator: its world, clock, budgets, fault settings and statistics. */
class SimulatorServer {
  readonly world: SimulatedWorld;
  readonly options: ResolvedOptions;
  readonly stats: SimStats = {
    requests: 0,
    byStatus: {},
    points: 0,
    maxConcurrentSeen: 0,
    documents: [],
    slowAnswers: 0,
  };
  private faults: FaultOptions;
  private hostile: HostileOptions;
  private manualClock: number;
  private readonly clock: (() => number) | undefined;
  private readonly seenDocuments = new Set<string>();
  // Never reset, so fault draws keep moving after resetStats().
  private arrivals = 0;
  private secondaryAnswers = 0;
  private inFlight = 0;
  private readonly budget: PrimaryBudget;
  private readonly minuteWindow: MinuteWindow;
  private closed = false;
  private readonly sleepers = new Set<Sleeper>();
  private readonly server: Server;

  constructor(options: SimulatorOptions) {
    this.world = new SimulatedWorld(options);
    this.options = {
      seed: this.world.seed,
      latencyMs: options.latencyMs ?? 0,
      pointsPerHour: options.pointsPerHour ?? 5000,
      maxConcurrent: options.maxConcurrent ?? 100,
      pointsPerMinute: options.pointsPerMinute ?? 0,
      token: options.token,
    };
    this.faults = { ...options.faults };
    this.hostile = { ...options.hostile };
    this.manualClock = this.world.start;
    this.clock = options.clock;
    this.budget = new PrimaryBudget(this.options.pointsPerHour);
    this.minuteWindow = new MinuteWindow(this.options.pointsPerMinute);
    this.server = createServer((req, res) => this.onRequest(req, res));
  }

  // --- Lifecycle ---

  /** Listens on 127.0.0.1 and returns the port (a free one for port 0). */
  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** The caller's handle (types.ts's GitHubSimulator): plain functions, safe to pass around unbound. */
  handle(port: number): StartedSimulator {
    return {
      url: `http://127.0.0.1:${port}/graphql`,
      world: this.world,
      stats: this.stats,
      options: this.options,
      setTime: (t) => {
        this.manualClock = toMs(t);
      },
      now: () => new Date(this.now()),
      setFaults: (f) => {
        this.faults = { ...f };
      },
      setHostile: (h) => {
        this.hostile = { ...h };
      },
      resetStats: () => this.resetStats(),
      close: () => this.close(),
    };
  }

  private now(): number {
    return this.clock ? this.clock() : this.manualClock;
  }

  private resetStats(): void {
    this.stats.requests = 0;
    for (const key of Object.keys(this.stats.byStatus)) delete this.stats.byStatus[Number(key)];
    this.stats.points = 0;
    this.stats.maxConcurrentSeen = this.inFlight;
    this.stats.documents.length = 0;
    this.stats.slowAnswers = 0;
    this.seenDocuments.clear();
  }

  private close(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.closed) return resolve();
      this.closed = true;
      for (const s of this.sleepers) {
        clearTimeout(s.timer);
        s.done();
      }
      this.sleepers.clear();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The added latency; close() wakes every sleeper at once. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const entry: Sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(entry);
          resolve();
        }, ms),
        done: resolve,
      };
      this.sleepers.add(entry);
    });
  }

  // --- Requests in and answers out ---

  /** Counts the request (and whether it arrived over the concurrency limit), answers it, writes it. */
  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const requestNo = ++this.arrivals;
    this.stats.requests++;
    this.inFlight++;
    this.stats.maxConcurrentSeen = Math.max(this.stats.maxConcurrentSeen, this.inFlight);
    const over = this.inFlight > this.options.maxConcurrent;
    let finished = false;
    const finish = () => {
      if (!finished) {
        finished = true;
        this.inFlight--;
      }
    };
    res.on('close', finish);
    this.route(req, requestNo, over)
      .catch((error: unknown): Answer => plainError(500, `simulator error: ${String(error)}`))
      .then((a) => this.send(res, a, requestNo))
      .finally(finish);
  }

  private async route(req: IncomingMessage, requestNo: number, arrivedOver: boolean): Promise<Answer> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/graphql' || path === '/api/graphql') {
      return req.method === 'POST' ? this.graphqlRequest(req, requestNo, arrivedOver) : METHOD_NOT_ALLOWED;
    }
    if (path === '/_sim/time' && req.method === 'GET') return ok({ now: new Date(this.now()).toISOString() });
    if (path === '/_sim/time' && req.method === 'POST') return this.moveClock(await readBody(req));
    return NOT_FOUND;
  }

  /** POST /_sim/time {"time": ISO}: moves the simulated clock (not one that follows real time). */
  private moveClock(text: string | null): Answer {
    const parsed = safeJson(text);
    const t = parsed && typeof parsed === 'object' && 'time' in parsed ? Date.parse(String(parsed.time)) : Number.NaN;
    if (this.clock) return plainError(400, 'the clock follows real time');
    if (!Number.isFinite(t)) return plainError(400, 'expected {"time": ISO}');
    this.manualClock = t;
    return ok({ now: new Date(t).toISOString() });
  }

  /** Latency first (as the network would add it), then auth, limits and faults, then the query. */
  private async graphqlRequest(req: IncomingMessage, requestNo: number, arrivedOver: boolean): Promise<Answer> {
    const raw = await readBody(req);
    await this.sleep(this.options.latencyMs + this.slowDelay(requestNo));
    if (raw === null) return PAYLOAD_TOO_LARGE;
    const authorization = req.headers.authorization;
    const refused = this.authFailure(authorization);
    if (refused) return refused;
    if (arrivedOver) return this.secondary(requestNo, this.faults.retryAfterSeconds ?? 1);
    return this.drawFault(authorization, requestNo) ?? this.minuteLimit(requestNo) ?? this.runGraphQL(raw, requestNo);
  }

  /** GitHub's 401s, when the simulator was started with a token. */
  private authFailure(authorization: string | undefined): Answer | undefined {
    if (this.options.token === undefined) return undefined;
    if (!authorization) return UNAUTHENTICATED;
    const m = /^(?:bearer|token)\s+(.+)$/i.exec(authorization.trim());
    return m && m[1] === this.options.token ? undefined : BAD_CREDENTIALS;
  }

  // --- Fault draws and secondary limits: each draw depends only on the seed and the request number ---

  private slowDelay(requestNo: number): number {
    const share = this.faults.slowShare ?? 0;
    const slow = share > 0 && unit(this.options.seed, 0x510e, requestNo) < share;
    if (!slow) return 0;
    this.stats.slowAnswers += 1;
    return this.faults.slowMs ?? 0;
  }

  /** An injected fault for this request, if the draws pick one: the echo, a 502 or a secondary limit. */
  private drawFault(authorization: string | undefined, requestNo: number): Answer | undefined {
    const { seed } = this.options;
    const faults = this.faults;
    if (faults.echoToken && unit(seed, 0xec40, requestNo) < (faults.echoTokenShare ?? 1)) {
      return echoAnswer(faults.echoToken, authorization ?? '(none)');
    }
    const u = unit(seed, 0xfa17, requestNo);
    const share502 = faults.error502 ?? 0;
    if (u < share502) return BAD_GATEWAY;
    if (u < share502 + (faults.secondaryRateLimit ?? 0))
      return this.secondary(requestNo, faults.retryAfterSeconds ?? 1);
    return undefined;
  }

  /** The optional wall-clock limit of requests a minute; an accepted request counts against it. */
  private minuteLimit(requestNo: number): Answer | undefined {
    if (this.options.pointsPerMinute <= 0) return undefined;
    const retryAfter = this.minuteWindow.admit(Date.now());
    return retryAfter === undefined ? undefined : this.secondary(requestNo, retryAfter);
  }

  /** GitHub alternates 403 and 429 for secondary limits; so does the simulator. */
  private secondary(requestNo: number, retryAfter: number): Answer {
    const status = this.secondaryAnswers++ % 2 === 0 ? 403 : 429;
    return secondaryLimitAnswer(status, requestId(this.options.seed, requestNo), retryAfter);
  }

  // --- The GraphQL document: checked, priced against the primary budget, executed ---

  private runGraphQL(raw: string, requestNo: number): Answer {
    const body = parseBody(raw);
    if (!body) return BAD_JSON;
    if (typeof body.query !== 'string') {
      return ok({ errors: [{ message: 'A query attribute must be specified and must be a string.' }] });
    }
    this.recordDocument(body.query);
    const prepared = prepareDocument(body.query);
    if (!prepared.document) return ok({ errors: prepared.errors!.map(formatError) });
    const variables = (typeof body.variables === 'object' && body.variables !== null ? body.variables : {}) as Record<
      string,
      unknown
    >;
    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
    const cost = queryCost(prepared.document, operationName, variables);
    if ('error' in cost) return ok({ errors: [{ message: cost.error }] });
    if (this.budget.at(this.now()).remaining < cost.cost) return this.rateLimited();
    if (!cost.dryRun) {
      this.budget.spend(cost.cost);
      this.stats.points += cost.cost;
    }
    return this.executeDocument({ document: prepared.document, variables, operationName, cost }, requestNo);
  }

  private recordDocument(query: string): void {
    if (this.seenDocuments.has(query)) return;
    this.seenDocuments.add(query);
    this.stats.documents.push(query);
  }

  /** The primary budget is spent: GitHub answers HTTP 200 with a RATE_LIMITED error. */
  private rateLimited(): Answer {
    return ok({
      errors: [
        {
          type: 'RATE_LIMITED',
          code: 'graphql_rate_limit',
          message: `API rate limit exceeded for user ID ${1000 + this.options.seed}.`,
        },
      ],
    });
  }

  private executeDocument(request: PricedRequest, requestNo: number): Answer {
    const ctx: SearchContext = {
      world: this.world,
      t: this.now(),
      seed: this.options.seed,
      requestNo,
      hostile: this.hostile,
    };
    let fieldIndex = 0;
    const rootValue = {
      search: (args: SearchArgs) => this.withhold(resolveSearch(args, ctx, fieldIndex++), requestNo),
      rateLimit: () => this.rateLimitField(request.cost),
    };
    const result = execute({
      schema: githubSchema,
      document: request.document,
      rootValue,
      variableValues: request.variables,
      operationName: request.operationName,
    });
    if (result instanceof Promise) throw new Error('the simulator resolves synchronously');
    return ok(
      result.errors ? { data: result.data ?? null, errors: result.errors.map(formatError) } : { data: result.data },
    );
  }

  /**
   * Repositories an organisation's IP allow list keeps from this caller (faults.forbidden*). GitHub
   * answers the rest of the search: the node is null and `errors` has a FORBIDDEN entry with its
   * path. An Error in the list is what graphql-js turns into exactly that.
   */
  private withhold(result: Record<string, unknown>, requestNo: number): Record<string, unknown> {
    const { seed } = this.options;
    const f = this.faults;
    const owners = new Set((f.forbiddenOwners ?? []).map((o) => o.toLowerCase()));
    const share = f.forbiddenRepoShare ?? 0;
    if (owners.size === 0 && share <= 0) return result;
    if (unit(seed, 0xf0bd, requestNo) >= (f.forbiddenRequestShare ?? 1)) return result;
    const hide = (node: unknown): unknown => {
      if (!(node instanceof RepositoryNode)) return node;
      const owner = node.nameWithOwner.split('/')[0] ?? '';
      const hidden = owners.has(owner.toLowerCase()) || unit(seed, 0xf0be, node.databaseId) < share;
      return hidden ? new GitHubGraphQLError('FORBIDDEN', ipAllowListMessage(owner)) : node;
    };
    const edges = result.edges as { node: unknown }[];
    return {
      ...result,
      nodes: (result.nodes as unknown[]).map(hide),
      edges: edges.map((edge) => ({ ...edge, node: hide(edge.node) })),
    };
  }

  /** The rateLimit field: the budget after this query was charged. */
  private rateLimitField(cost: QueryCost): Record<string, unknown> {
    const after = this.budget.at(this.now());
    return {
      cost: cost.cost,
      limit: after.limit,
      remaining: after.remaining,
      used: after.used,
      // Whole seconds, the same instant as the x-ratelimit-reset header.
      resetAt: new Date(Math.ceil(after.resetAt / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      nodeCount: cost.nodeCount,
    };
  }

  // --- Writing the answer ---

  private send(res: ServerResponse, a: Answer, requestNo: number): void {
    if (this.closed || res.destroyed || res.writableEnded) return;
    this.stats.byStatus[a.status] = (this.stats.byStatus[a.status] ?? 0) + 1;
    res.writeHead(a.status, {
      'content-type': a.contentType ?? 'application/json; charset=utf-8',
      ...this.rateHeaders(requestNo),
      ...a.headers,
    });
    res.end(a.body);
  }

  private rateHeaders(requestNo: number): Record<string, string> {
    const b = this.budget.at(this.now());
    return {
      'x-ratelimit-limit': String(b.limit),
      'x-ratelimit-remaining': String(b.remaining),
      'x-ratelimit-used': String(b.used),
      'x-ratelimit-reset': String(Math.ceil(b.resetAt / 1000)),
      'x-ratelimit-resource': 'graphql',
      'x-github-request-id': requestId(this.options.seed, requestNo),
    };
  }
}

/** The body as JSON, or undefined when it is not a JSON object (GitHub: "Problems parsing JSON"). */
function parseBody(raw: string): RequestBody | undefined {
  try {
    const body: unknown = JSON.parse(raw);
    return typeof body === 'object' && body !== null ? (body as RequestBody) : undefined;
  } catch {
    return undefined;
  }
}

/** The request body, or null when it is larger than MAX_BODY (413). */
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
