// `npm run collect`: one poll now (or at --at, or every --every), against GitHub with
// GITHUB_TOKEN or against the in-process simulator (--simulate); DynamoDB at
// DYNAMODB_ENDPOINT or the embedded dynalite under the data directory.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as wait } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Command } from 'commander';
import { duration, isoTime, positiveInt } from '../core/cli/flags.js';
import { abortOnSignals, CliError, reportUsageErrors, runCommand } from '../core/cli/run.js';
import { type Config, loadConfig } from '../core/config.js';
import { MAX_TOP, type PollRecord, SLOT_SECONDS, slotOf, type Track } from '../core/domain.js';
import { createLogger, type Logger } from '../core/log.js';
import { fieldProblem, TS_MAX, TS_MIN } from '../core/star-row.js';
import { createDynamoClient } from '../core/store/client.js';
import { embeddedDynamoDir, ensureTables, startEmbeddedDynamo } from '../core/store/embedded-store.js';
import { createGitHubClient } from '../lambda/github-client.js';
import { type CollectResult, createHandler, PollIncompleteError } from '../lambda/handler.js';
import { resolveToken } from '../lambda/token.js';

// The SDK's notice about future Node versions (the Lambda runs Node 22) is noise on a local run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** --at as typed (for messages) and the instant it names. */
interface At {
  text: string;
  time: Date;
}

function parseAt(text: string): At {
  return { text, time: isoTime(text) };
}

// The same limit TRACKS has (core/config.ts parseTracks).
const parseTop = positiveInt({ max: MAX_TOP, limit: 'the most a track keeps, as in TRACKS' });

const iso = (ts: number) => new Date(ts * 1000).toISOString().replace('.000Z', 'Z');

/**
 * Refuses a slot whose rows the export would refuse (one rule: core/star-row.ts), and, against
 * a live API, a slot away from now: GitHub answers with today's counts whatever slot they are
 * filed under. The simulator's clock is set to the slot, so any storable slot is fine there.
 */
function checkSlot(at: At | undefined, simulate: boolean, now: Date): void {
  const ts = slotOf(at?.time ?? now);
  const what = at ? `--at ${at.text}` : `now (${now.toISOString()})`;
  if (fieldProblem('ts', ts) !== undefined) {
    throw new CliError(
      `${what}: slot ${iso(ts)} is outside what can be stored and exported (${iso(TS_MIN)} to ${iso(TS_MAX)})`,
      2,
    );
  }
  if (simulate || !at) return;
  const start = ts * 1000;
  const end = start + SLOT_SECONDS * 1000;
  const away = now.getTime() < start ? start - now.getTime() : Math.max(0, now.getTime() - end);
  if (away > SLOT_SECONDS * 1000) {
    throw new CliError(
      `${what}: a live API answers with today's counts; only a slot within ${SLOT_SECONDS / 60} minutes of now (${now.toISOString()}) can be collected against it; use --simulate for other times`,
      2,
    );
  }
}

interface Options {
  at?: At;
  every?: number;
  simulate?: boolean;
  seed: number;
  top?: number;
  query?: string;
  json?: boolean;
  dataDir?: string;
}

function summary(p: PollRecord): string {
  const slot = new Date(p.ts * 1000).toISOString();
  const tail = p.error ? `  error: ${p.error}` : '';
  return `${p.track}  slot ${slot}  ${p.status}  ${p.written}/${p.expected} written  ${p.rejected} rejected  ${p.points} points  ${p.requests} requests  ${(p.durationMs / 1000).toFixed(1)} s${tail}`;
}

function buildProgram(): Command {
  return reportUsageErrors(new Command(), 'collect')
    .name('collect')
    .description("Poll GitHub search once (or repeatedly) and store the top repositories' star counts in DynamoDB.")
    .option(
      '--at <time>',
      'poll the 15-minute slot of this ISO time, e.g. 2026-01-01T00:15:00Z (default: now; against GitHub only a slot near now)',
      parseAt,
    )
    .option('--every <interval>', 'poll repeatedly at this interval (e.g. 15m) until Ctrl-C', duration)
    .option('--simulate', 'use the in-process GitHub simulator instead of GitHub (no token needed)')
    .option('--seed <n>', 'simulator seed', positiveInt(), 1)
    .option('--top <n>', `keep this many repositories per track, at most ${MAX_TOP} (overrides TRACKS)`, parseTop)
    .option('--query <q>', 'track this search query only (overrides TRACKS)')
    .option('--json', 'print the poll record(s) as JSON')
    .option('--data-dir <dir>', 'data directory for the embedded DynamoDB (default: STARTRAIL_DATA_DIR or ./data)')
    .addHelpText(
      'after',
      [
        '',
        'Environment: GITHUB_TOKEN, GITHUB_API_URL, TRACKS, STARS_TABLE, POLLS_TABLE, DYNAMODB_ENDPOINT, STARTRAIL_DATA_DIR, LOG_LEVEL.',
        '',
        'Examples:',
        '  npm run collect -- --simulate --top 100               # one poll of the simulator, no token needed',
        '  GITHUB_TOKEN=... npm run collect -- --json            # one poll of GitHub now, the record as JSON',
        "  npm run collect -- --every 15m --query 'language:go'  # poll every 15 minutes until Ctrl-C",
      ].join('\n'),
    );
}

/** The options, checked before anything starts: a refused slot leaves no data directory, table or poll record. */
function readOptions(argv: string[]): Options {
  const opts = buildProgram().parse(argv).opts<Options>();
  if (opts.at && opts.every) throw new CliError('--at and --every cannot be combined', 2);
  checkSlot(opts.at, opts.simulate === true, new Date());
  return opts;
}

/** What the run opened, closed in reverse order when it ends. */
type Cleanup = (() => Promise<void>)[];

/** Where the polls go: GitHub's API or the simulator, whose clock is set to each slot. */
interface GitHubTarget {
  url: string;
  token: string;
  setTime?: (time: Date) => void;
}

async function gitHubTarget(opts: Options, config: Config, cleanup: Cleanup): Promise<GitHubTarget> {
  if (opts.simulate) {
    const { startGitHubSimulator } = await import('./github-sim/index.js');
    const token = `sim_${randomBytes(12).toString('hex')}`;
    const sim = await startGitHubSimulator({ seed: opts.seed, token, start: new Date('2026-01-01T00:00:00Z') });
    cleanup.push(() => sim.close());
    return { url: sim.url, token, setTime: (time) => sim.setTime(time) };
  }
  try {
    const source = { envToken: config.githubToken, secretArn: config.githubTokenSecretArn, region: config.awsRegion };
    return { url: config.githubApiUrl, token: await resolveToken(source) };
  } catch (error) {
    throw new CliError(`${(error as Error).message} (or use --simulate)`, 2, { cause: error });
  }
}

/** DYNAMODB_ENDPOINT, or the embedded store under the data directory; the tables made if missing. */
async function openStore(config: Config, cleanup: Cleanup): Promise<DynamoDBClient> {
  let endpoint = config.dynamodbEndpoint;
  if (!endpoint) {
    const dynamo = await startEmbeddedDynamo({ dir: embeddedDynamoDir(config.dataDir) });
    cleanup.push(() => dynamo.close());
    endpoint = dynamo.endpoint;
  }
  const dynamo = createDynamoClient({ endpoint, region: config.awsRegion, maxAttempts: 3 });
  cleanup.push(async () => dynamo.destroy());
  await ensureTables(dynamo, config);
  return dynamo;
}

function printResult(result: CollectResult, opts: Options): void {
  if (!opts.json) {
    for (const p of result.polls) process.stdout.write(`${summary(p)}\n`);
    return;
  }
  // One poll's record alone; with --every (or several tracks) always the list.
  const single = !opts.every && result.polls.length === 1;
  process.stdout.write(`${JSON.stringify(single ? result.polls[0] : result.polls)}\n`);
}

/** One poll of the slot of `at`, printed; false when a track's poll is incomplete (its record says why). */
type PollOnce = (at: Date) => Promise<boolean>;

function pollOnce(run: ReturnType<typeof createHandler>, github: GitHubTarget, opts: Options): PollOnce {
  return async (at) => {
    github.setTime?.(at);
    try {
      printResult(await run({ time: at.toISOString() }), opts);
      return true;
    } catch (error) {
      if (!(error instanceof PollIncompleteError)) throw error;
      printResult(error.result, opts);
      return false;
    }
  };
}

/** A poll every `every` ms until Ctrl-C; a failed poll is logged and the next one still comes. */
async function pollEvery(once: PollOnce, every: number, signal: AbortSignal, logger: Logger): Promise<void> {
  while (!signal.aborted) {
    const started = Date.now();
    try {
      await once(new Date());
    } catch (error) {
      if (signal.aborted) break;
      logger.error('poll failed', { error });
    }
    await wait(Math.max(0, every - (Date.now() - started)), undefined, { signal }).catch(() => undefined);
  }
}

async function main(argv: string[]): Promise<number> {
  const opts = readOptions(argv);
  const config = loadConfig(process.env);
  if (opts.dataDir) config.dataDir = path.resolve(opts.dataDir);
  const tracks: Track[] = opts.query
    ? [{ query: opts.query, top: opts.top ?? 1000 }]
    : config.tracks.map((t) => ({ query: t.query, top: opts.top ?? t.top }));

  // Logs go to stderr so --json output on stdout stays parseable.
  const logger = createLogger({
    sink: (line) => process.stderr.write(`${line}\n`),
    base: { service: 'startrail-collect' },
  });
  const signal = abortOnSignals(['SIGINT']);
  const cleanup: Cleanup = [];
  try {
    const github = await gitHubTarget(opts, config, cleanup);
    const dynamo = await openStore(config, cleanup);
    const run = createHandler({
      github: createGitHubClient({ url: github.url, token: github.token, logger, signal }),
      dynamo,
      config: { starsTable: config.starsTable, pollsTable: config.pollsTable, tracks },
      logger,
      signal,
    });
    const once = pollOnce(run, github, opts);
    if (!opts.every) return (await once(opts.at?.time ?? new Date())) ? 0 : 1;
    await pollEvery(once, opts.every, signal, logger);
    return 0;
  } finally {
    for (const close of cleanup.reverse()) await close().catch(() => undefined);
  }
}

// Exits even if a client left a socket open: a one-shot command must end when its poll does.
process.exit(await runCommand('collect', () => main(process.argv)));
