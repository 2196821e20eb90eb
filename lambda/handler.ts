// Lambda entry point for EventBridge Scheduler: one poll per configured track, keyed by the
// scheduled time's 15-minute slot. The handler is thin; createHandler takes every client,
// the clock and the config, so tests run it against the simulator and dynalite. Lambda's
// context gives the time left, which becomes every poll's deadline.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '../core/config.js';
import { type PollRecord, slotOf, type Track } from '../core/domain.js';
import { errorClass } from '../core/errors.js';
import { ISO_TIME_EXAMPLE, parseIsoTime } from '../core/iso-time.js';
import { createLogger, type Logger } from '../core/log.js';
import { fieldProblem } from '../core/star-row.js';
import { createDynamoClient } from '../core/store/client.js';
import { createDeadline, type InvocationContext } from './deadline.js';
import { createGitHubClient, type GitHubClient } from './github-client.js';
import { stdoutMetricSink } from './metrics.js';
import { type PollSettings, type PollTrackDeps, pollTrack } from './poll-track.js';
import { forgetToken, resolveToken, type TokenSource } from './token.js';

/** What EventBridge Scheduler delivers (only `time` matters here). */
export interface ScheduledEvent {
  time?: string;
  [key: string]: unknown;
}

export interface CollectorDeps extends PollSettings {
  github: GitHubClient;
  dynamo: DynamoDBClient;
  config: { starsTable: string; pollsTable: string; tracks: readonly Track[] };
  logger: Logger;
  /** Wall clock: the slot when the event has no time, and each poll's startedAt. */
  clock?: () => Date;
}

export interface CollectResult {
  ts: number;
  polls: PollRecord[];
}

/** Thrown after every poll is recorded when one can still be completed by running the slot again. */
export class PollIncompleteError extends errorClass('POLL_INCOMPLETE') {
  override name = 'PollIncompleteError';
  constructor(readonly result: CollectResult) {
    const bad = result.polls.filter((p) => p.status !== 'ok');
    super(`slot ${result.ts}: ${bad.map((p) => `${p.track} ${p.status}${p.error ? ` (${p.error})` : ''}`).join('; ')}`);
  }
}

/**
 * The slot an event belongs to; a retried event lands in the same slot. A slot the export
 * would refuse (before 2008, after 2099, a clock at 1970) is refused here, before any row
 * or poll record is written.
 */
export function eventSlot(event: ScheduledEvent | undefined, clock: () => Date): number {
  const time = event?.time;
  let ts: number;
  if (time === undefined || time === null || time === '') ts = slotOf(clock());
  else {
    const ms = typeof time === 'string' ? parseIsoTime(time) : undefined;
    if (ms === undefined)
      throw new RangeError(`event.time: expected an ISO time such as ${ISO_TIME_EXAMPLE}, got ${JSON.stringify(time)}`);
    ts = slotOf(ms);
  }
  const problem = fieldProblem('ts', ts);
  if (problem !== undefined) {
    const from =
      typeof time === 'string' && time !== ''
        ? `event.time ${JSON.stringify(time)}`
        : `the clock (${clock().toISOString()})`;
    throw new RangeError(`${from}: slot ${String(ts)} cannot be stored: ${problem}`);
  }
  return ts;
}

/** One poll's dependencies: the collector's own, with the configured tables, the clock and the deadline settled. */
function pollDeps(deps: CollectorDeps, clock: () => Date, deadline: PollTrackDeps['deadline']): PollTrackDeps {
  const { config, ...shared } = deps;
  return { ...shared, clock, deadline, starsTable: config.starsTable, pollsTable: config.pollsTable };
}

/**
 * The handler. With Lambda's `context`, every poll shares one deadline: the invocation's end less
 * `deadlineMarginMs`. A poll that reaches it (and a track it left no time for) is recorded failed
 * with the reason, before Lambda's timeout could leave the slot without a word. Without one (the
 * local CLI, most tests) polls run to the end.
 */
export function createHandler(deps: CollectorDeps | (() => Promise<CollectorDeps>)) {
  return async (event: ScheduledEvent = {}, context?: InvocationContext): Promise<CollectResult> => {
    const d = typeof deps === 'function' ? await deps() : deps;
    const clock = d.clock ?? (() => new Date());
    const ts = eventSlot(event, clock);
    const deadline = context ? createDeadline(() => context.getRemainingTimeInMillis(), d.deadlineMarginMs) : undefined;
    const polls: PollRecord[] = [];
    let retry = false;
    try {
      // Tracks one after another: each has its own GitHub budget accounting, and a failing
      // track must not stop the others from being recorded.
      for (const track of d.config.tracks) {
        const outcome = await pollTrack(pollDeps(d, clock, deadline), track, ts);
        polls.push(outcome.record);
        retry ||= outcome.retryable;
      }
    } finally {
      deadline?.dispose();
    }
    const result = { ts, polls };
    if (retry) throw new PollIncompleteError(result);
    return result;
  };
}

export interface LambdaOptions {
  env?: NodeJS.ProcessEnv;
  /** Secrets Manager; injected in tests (no local Secrets Manager exists). */
  secrets?: TokenSource['secrets'];
}

/**
 * The handler as deployed: its dependencies are built once per container from the environment.
 * A refused token (401) drops them and the cached secret, so a token rotated in Secrets Manager
 * is read on the next invocation, not at the next cold start.
 */
export function lambdaHandler(options: LambdaOptions = {}): ReturnType<typeof createHandler> {
  let coldStart: Promise<CollectorDeps> | undefined;
  const build = async (): Promise<CollectorDeps> => {
    const config = loadConfig(options.env ?? process.env);
    const logger = createLogger({ base: { service: 'startrail-collector' } });
    const source = {
      secretArn: config.githubTokenSecretArn,
      envToken: config.githubToken,
      region: config.awsRegion,
      secrets: options.secrets,
    };
    const token = await resolveToken(source);
    const onUnauthorized = () => {
      coldStart = undefined;
      forgetToken(source);
    };
    return {
      github: createGitHubClient({ url: config.githubApiUrl, token, logger, onUnauthorized }),
      dynamo: createDynamoClient({ endpoint: config.dynamodbEndpoint, region: config.awsRegion, maxAttempts: 3 }),
      config,
      logger,
      metrics: stdoutMetricSink,
    };
  };
  return createHandler(() => {
    coldStart ??= build();
    // A failed cold start (e.g. the secret is still empty) is retried on the next invocation.
    coldStart.catch(() => {
      coldStart = undefined;
    });
    return coldStart;
  });
}

const run = lambdaHandler();

export async function handler(event: ScheduledEvent, context?: InvocationContext): Promise<CollectResult> {
  return run(event, context);
}
