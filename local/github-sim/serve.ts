// `npm run simulator`: the GitHub simulator as a standalone server, for pointing a collector
// (or curl) at. Its clock follows real time unless --time pins it.
import { Command, InvalidArgumentError } from 'commander';
import { ECHO_TOKEN_MODES, type EchoTokenMode, type SimulatorOptions } from './types.js';

function share(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError('expected a share between 0 and 1');
  return n;
}
function count(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
}
function echoMode(value: string): EchoTokenMode {
  if (!(ECHO_TOKEN_MODES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${ECHO_TOKEN_MODES.join(', ')}`);
  return value as EchoTokenMode;
}
function time(value: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('expected an ISO time such as 2026-01-01T00:00:00Z');
  return ms;
}

const program = new Command('simulator')
  .description(
    'GitHub GraphQL simulator: search over a deterministic simulated world, with GitHub limits and injectable faults',
  )
  .option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', count, 4010)
  .option('--seed <n>', 'world and fault seed', count, 1)
  .option('--repos <n>', 'repositories per language', count, 3000)
  .option('--languages <list>', 'comma-separated languages', 'go,rust,python')
  .option('--start <iso>', 'world start', time)
  .option(
    '--time <iso>',
    'pin the clock to this instant (default: follow real time); move it with POST /_sim/time',
    time,
  )
  .option('--latency <ms>', 'added to every request', count, 0)
  .option('--502 <share>', 'share of requests answered 502', share, 0)
  .option('--secondary <share>', 'share answered 403/429 secondary rate limit', share, 0)
  .option('--retry-after <s>', 'retry-after seconds on secondary limits', count, 1)
  .option('--slow <share>', 'share of requests delayed by --slow-ms', share, 0)
  .option('--slow-ms <ms>', 'delay of a slow request', count, 10_000)
  .option('--points-per-hour <n>', 'primary budget per simulated hour', count, 5000)
  .option('--max-concurrent <n>', 'concurrent requests before a secondary limit', count, 100)
  .option('--points-per-minute <n>', 'wall-clock secondary limit (0: off)', count, 0)
  .option(
    '--echo-token <mode>',
    `echo the request's authorization header back: ${ECHO_TOKEN_MODES.join(', ')}`,
    echoMode,
  )
  .option('--echo-token-share <share>', 'share of requests answered with the echo', share, 1)
  .option('--require-token', 'answer 401 unless authorization carries $GITHUB_SIM_TOKEN')
  .option('--bad-names <share>', 'hostile: share of nodes with invalid nameWithOwner', share, 0)
  .option('--bad-stars <share>', 'hostile: share of nodes with negative or absurd stars', share, 0)
  .option('--duplicates <share>', 'hostile: share of nodes duplicated within a page', share, 0)
  .option('--truncate <share>', 'hostile: share of pages that end early', share, 0)
  .addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  npm run simulator                                   # on 127.0.0.1:4010, clock following real time',
      '  npm run simulator -- --port 0 --time 2026-01-01T00:00:00Z',
      '  npm run simulator -- --502 0.2 --secondary 0.05     # a flaky GitHub: 20% 502s, 5% rate limits',
    ].join('\n'),
  )
  .action(async (o) => {
    const token = process.env.GITHUB_SIM_TOKEN;
    if (o.requireToken && !token) throw new Error('--require-token needs GITHUB_SIM_TOKEN in the environment');
    const options: SimulatorOptions = {
      port: o.port,
      seed: o.seed,
      reposPerLanguage: o.repos,
      languages: String(o.languages)
        .split(',')
        .map((l: string) => l.trim())
        .filter(Boolean),
      start: o.start,
      latencyMs: o.latency,
      faults: {
        error502: o['502'],
        secondaryRateLimit: o.secondary,
        retryAfterSeconds: o.retryAfter,
        slowShare: o.slow,
        slowMs: o.slowMs,
        ...(o.echoToken ? { echoToken: o.echoToken, echoTokenShare: o.echoTokenShare } : {}),
      },
      hostile: {
        badNameShare: o.badNames,
        badStarsShare: o.badStars,
        duplicateNodeShare: o.duplicates,
        truncatePageShare: o.truncate,
      },
      token: o.requireToken ? token : undefined,
      pointsPerHour: o.pointsPerHour,
      maxConcurrent: o.maxConcurrent,
      pointsPerMinute: o.pointsPerMinute,
      clock: o.time === undefined ? () => Date.now() : undefined,
    };
    // Loaded only now: building GitHub's schema takes a moment, and --help or a bad flag need not wait.
    const { startGitHubSimulator } = await import('./server.js');
    const sim = await startGitHubSimulator(options);
    if (o.time !== undefined) sim.setTime(o.time);
    const repos = sim.world.repos.length;
    process.stdout.write(
      `GitHub simulator: ${sim.url}\n` +
        `  world: ${repos} repos (${options.languages!.join(', ')}), seed ${o.seed}, start ${new Date(sim.world.start).toISOString()}\n` +
        `  clock: ${o.time === undefined ? 'real time' : `pinned at ${sim.now().toISOString()} (POST /_sim/time {"time": ISO} moves it)`}\n` +
        `  point a client at it: GITHUB_API_URL=${sim.url}\n`,
    );
    const stop = () => {
      void sim.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program.parseAsync().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `simulator: ${message.includes('EADDRINUSE') ? 'port already in use (try --port 0)' : message}\n`,
  );
  process.exit(1);
});
