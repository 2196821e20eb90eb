// `npm run demo`: the whole pipeline offline on embedded defaults, ending with the report.
import path from 'node:path';
import { Command } from 'commander';
import { isoTime, positiveInt } from '../core/cli/flags.js';
import { createProgress, formatCount, type Progress } from '../core/cli/progress.js';
import { CliError, reportUsageErrors, runCommand } from '../core/cli/run.js';
import { loadConfig } from '../core/config.js';
import { DemoError, type DemoOptions, type DemoStageReporter, type DemoSummary, runDemo } from './run-demo.js';

// The SDK's notice about future Node versions is not the newcomer's concern here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Off a terminal (CI, logs), a progress line at most this often. */
const LINE_INTERVAL_MS = 3000;

/** A line per stage, and a bar (or a line every few seconds) for its slots or rows. */
function reporter(): DemoStageReporter {
  let progress: Progress | undefined;
  const stop = () => {
    progress?.stop();
    progress = undefined;
  };
  return {
    stage(name) {
      stop();
      process.stderr.write(`== ${name}\n`);
    },
    slots(done, total) {
      progress ??= createProgress({ label: 'collect', unit: 'slots', total, intervalMs: LINE_INTERVAL_MS });
      progress.update(done);
    },
    rows(stage, rows) {
      progress ??= createProgress({ label: stage, unit: 'rows', intervalMs: LINE_INTERVAL_MS });
      progress.update(rows);
    },
    done: stop,
  };
}

const config = loadConfig(process.env);
const program = reportUsageErrors(new Command('demo'), 'demo')
  .description(
    'Run the whole pipeline offline: GitHub simulator -> collector -> embedded DynamoDB -> CSV -> embedded PostgreSQL -> analyses -> report.',
  )
  .option('--days <n>', 'simulated days to collect (96 polls a day)', positiveInt({ max: 365 }), 3)
  .option('--top <n>', 'repositories per poll', positiveInt({ max: 10_000 }), 1000)
  .option('--seed <n>', 'simulator seed: the same seed gives the same numbers', positiveInt({ max: 2 ** 31 }), 1)
  .option('--start <time>', 'start of the simulated period', isoTime, new Date('2026-01-01T00:00:00Z'))
  .option('--query <q>', 'search query to track', 'language:go')
  .option('--fresh', 'throw away the previous demo data and start clean (default: reuse what matches)')
  .option('--data-dir <dir>', 'where the demo keeps its data', path.join(config.dataDir, 'demo'))
  .option('--out <dir>', 'report directory', 'report')
  .addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  npm run demo                                   # 3 simulated days of the top 1,000, report in ./report',
      '  npm run demo -- --days 1 --top 200             # a quicker first look',
      '  npm run demo -- --fresh --seed 7 --out /tmp/r  # start clean with another simulated world',
    ].join('\n'),
  );

interface Options {
  days: number;
  top: number;
  seed: number;
  start: Date;
  query: string;
  fresh?: boolean;
  dataDir: string;
  out: string;
}

function summaryText(opts: Options, s: DemoSummary, seconds: number): string {
  const n = formatCount;
  const out = [
    '',
    `startrail demo: ${opts.days} simulated day(s) of the top ${n(opts.top)} "${opts.query}" repositories, seed ${opts.seed}`,
    `  polls       ${n(s.polls.total)} slots: ${n(s.polls.collectedNow)} collected now (${s.polls.ok} ok, ${s.polls.partial} partial, ${s.polls.failed} failed), ${n(s.polls.reused)} reused`,
    `  rows        ${n(s.rows)} (repo, ts, stars) rows, ${s.span.from} .. ${s.span.to}`,
    `  total gain  ${n(s.totalGain)} stars`,
    '  top movers',
    ...s.topMovers.map((m) => `    ${m.repo.padEnd(40)} ${m.starsPerDay.toFixed(1).padStart(8)} stars/day`),
    `  timings     collect ${s.seconds.collect.toFixed(1)} s, export ${s.seconds.export.toFixed(1)} s, load ${s.seconds.load.toFixed(1)} s, report ${s.seconds.report.toFixed(1)} s; total ${seconds.toFixed(1)} s`,
    `  memory      peak RSS: Node ${n(s.memory.nodeMiB)} MiB` +
      (s.memory.serverMiB === undefined
        ? ''
        : `, PostgreSQL server ${n(s.memory.serverMiB)} MiB (its processes summed)`),
    '',
    `  CSV     ${s.csv}`,
    `  report  ${s.reportHtml}  (${s.pngs} PNG charts beside it)`,
    '',
  ];
  return out.join('\n');
}

await runCommand('demo', async () => {
  const opts = program.parse().opts<Options>();
  const started = Date.now();
  const options: DemoOptions = {
    days: opts.days,
    top: opts.top,
    seed: opts.seed,
    start: opts.start,
    query: opts.query,
    fresh: Boolean(opts.fresh),
    dataDir: path.resolve(opts.dataDir),
    reportDir: path.resolve(opts.out),
  };
  try {
    const summary = await runDemo(options, reporter());
    process.stdout.write(summaryText(opts, summary, (Date.now() - started) / 1000));
  } catch (error) {
    // Options the demo cannot use (another world in its data directory) are a usage error.
    if (error instanceof DemoError) throw new CliError(error.message, 2, { cause: error });
    throw error;
  }
});
