// `npm run collect`: one poll now (or at --at, or every --every), against GitHub with
// GITHUB_TOKEN or against the in-process simulator (--simulate); DynamoDB at
// DYNAMODB_ENDPOINT or the embedded dynalite under the data directory.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { errorText, SettingError } from '../core/cli-text.js';
import { loadConfig } from '../core/config.js';
import { MAX_TOP, SLOT_SECONDS, slotOf, type Track } from '../core/domain.js';
import { ISO_TIME_EXAMPLE, parseIsoTime } from '../core/iso-time.js';
import { createLogger, redact } from '../core/log.js';
import { fieldProblem, TS_MAX, TS_MIN } from '../core/star-row.js';
import { createDynamoClient } from '../core/store/client.js';
import { embeddedDynamoDir, ensureTables, startEmbeddedDynamo } from '../core/store/embedded-store.js';
import { createGitHubClient } from '../lambda/github-client.js';
import { type CollectResult, createHandler, PollIncompleteError } from '../lambda/handler.js';
import type { PollRecord } from '../lambda/record-poll.js';
import { resolveToken } from '../lambda/token.js';

// The SDK's notice about future Node versions (the Lambda runs Node 22) is noise on a local run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

class CliError extends Error {}

export function parseInterval(text: string): number {
  const m = /^(\d+)(s|m|h)$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0)
    throw new InvalidArgumentError(`expected a duration like 30s, 15m or 1h, got ${JSON.stringify(text)}`);
  return Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
}

/** --at as typed (for messages) and the instant it names. */
interface At {
  text: string;
  time: Date;
}

// Strict: Date.parse would take "1" (2001), "2026-02-30" (March 2) or a zone-less time.
function parseAt(text: string): At {
  const ms = parseIsoTime(text.trim());
  if (ms === undefined)
    throw new InvalidArgumentError(
      `expected an ISO 8601 date and time with Z or an offset, on a day the calendar has, such as ${ISO_TIME_EXAMPLE}`,
    );
  return { text, time: new Date(ms) };
}

function parsePositive(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

// The same limit TRACKS has (core/config.ts parseTracks).
function parseTop(text: string): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text.trim()) || n < 1 || n > MAX_TOP) {
    throw new InvalidArgumentError(`expected an integer from 1 to ${MAX_TOP} (the most a track keeps, as in TRACKS)`);
  }
  return n;
}

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
    );
  }
  if (simulate || !at) return;
  const start = ts * 1000;
  const end = start + SLOT_SECONDS * 1000;
  const away = now.getTime() < start ? start - now.getTime() : Math.max(0, now.getTime() - end);
  if (away > SLOT_SECONDS * 1000) {
    throw new CliError(
      `${what}: a live API answers with today's counts; only a slot within ${SLOT_SECONDS / 60} minutes of now (${now.toISOString()}) can be collected against it; use --simulate for other times`,
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
  return (
    new Command()
      .name('collect')
      .description("Poll GitHub search once (or repeatedly) and store the top repositories' star counts in DynamoDB.")
      .option(
        '--at <time>',
        'poll the 15-minute slot of this ISO time, e.g. 2026-01-01T00:15:00Z (default: now; against GitHub only a slot near now)',
        parseAt,
      )
      .option('--every <interval>', 'poll repeatedly at this interval (e.g. 15m) until Ctrl-C', parseInterval)
      .option('--simulate', 'use the in-process GitHub simulator instead of GitHub (no token needed)')
      .option('--seed <n>', 'simulator seed', parsePositive, 1)
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
      )
      // A bad flag is a usage error like the others here: one `collect:` line and exit 2.
      .configureOutput({ outputError: (text, write) => write(`collect: ${text.replace(/^error: /, '')}`) })
      .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  );
}

async function main(argv: string[]): Promise<number> {
  const opts = buildProgram().parse(argv).opts<Options>();
  if (opts.at && opts.every) throw new CliError('--at and --every cannot be combined');
  // Before anything starts: a refused slot leaves no data directory, table or poll record.
  checkSlot(opts.at, opts.simulate === true, new Date());
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
  const cleanup: (() => Promise<void>)[] = [];
  const controller = new AbortController();
  let stopping = false;
  process.once('SIGINT', () => {
    stopping = true;
    controller.abort();
  });

  try {
    let url = config.githubApiUrl;
    let token: string;
    let setSimTime: ((t: Date) => void) | undefined;
    if (opts.simulate) {
      const { startGitHubSimulator } = await import('./github-sim/index.js');
      token = `sim_${randomBytes(12).toString('hex')}`;
      const sim = await startGitHubSimulator({ seed: opts.seed, token, start: new Date('2026-01-01T00:00:00Z') });
      cleanup.push(() => sim.close());
      url = sim.url;
      setSimTime = (t) => sim.setTime(t);
    } else {
      try {
        token = await resolveToken({
          envToken: config.githubToken,
          secretArn: config.githubTokenSecretArn,
          region: config.awsRegion,
        });
      } catch (error) {
        throw new CliError(`${(error as Error).message} (or use --simulate)`);
      }
    }

    let endpoint = config.dynamodbEndpoint;
    if (!endpoint) {
      const dynamo = await startEmbeddedDynamo({ dir: embeddedDynamoDir(config.dataDir) });
      cleanup.push(() => dynamo.close());
      endpoint = dynamo.endpoint;
    }
    const dynamo = createDynamoClient({ endpoint, region: config.awsRegion, maxAttempts: 3 });
    cleanup.push(async () => dynamo.destroy());
    await ensureTables(dynamo, config);

    const run = createHandler({
      github: createGitHubClient({ url, token, logger, signal: controller.signal }),
      dynamo,
      config: { starsTable: config.starsTable, pollsTable: config.pollsTable, tracks },
      logger,
      signal: controller.signal,
    });

    const once = async (at: Date): Promise<boolean> => {
      setSimTime?.(at);
      let result: CollectResult;
      let ok = true;
      try {
        result = await run({ time: at.toISOString() });
      } catch (error) {
        if (!(error instanceof PollIncompleteError)) throw error;
        result = error.result;
        ok = false;
      }
      if (opts.json)
        process.stdout.write(
          `${JSON.stringify(opts.every ? result.polls : result.polls.length === 1 ? result.polls[0] : result.polls)}\n`,
        );
      else for (const p of result.polls) process.stdout.write(`${summary(p)}\n`);
      return ok;
    };

    if (!opts.every) return (await once(opts.at?.time ?? new Date())) ? 0 : 1;
    while (!stopping) {
      const started = Date.now();
      try {
        await once(new Date());
      } catch (error) {
        if (stopping) break;
        logger.error('poll failed', { error });
      }
      const wait = Math.max(0, opts.every - (Date.now() - started));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        controller.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return 0;
  } finally {
    for (const close of cleanup.reverse()) await close().catch(() => undefined);
  }
}

main(process.argv).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // One escaped line (newlines and bidi controls shown, not obeyed), with any token taken out.
    process.stderr.write(`collect: ${redact(errorText(error))}\n`);
    process.exit(error instanceof CliError || error instanceof SettingError ? 2 : 1);
  },
);
