// `npm run demo`: the whole pipeline offline on embedded defaults, ending with the report.
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { errorLine } from '../core/cli-text.js';
import { loadConfig } from '../core/config.js';
import { reportFailure } from '../etl/cli-run.js';
import { DemoError, type DemoStageReporter, runDemo } from './run-demo.js';

// The SDK's notice about future Node versions is not the newcomer's concern here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function positive(flag: string, max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(`${flag}: expected an integer from 1 to ${max}, got ${JSON.stringify(text)}`);
    return n;
  };
}

function time(text: string): Date {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms))
    throw new InvalidArgumentError(`expected an ISO time such as 2026-01-01T00:00:00Z, got ${JSON.stringify(text)}`);
  return new Date(ms);
}

/** A bar per stage on a terminal; a line every few seconds otherwise (CI, logs). */
function reporter(): DemoStageReporter {
  const tty = Boolean(process.stderr.isTTY);
  let bar: SingleBar | undefined;
  let current = '';
  let lastLine = 0;
  const line = (text: string, force = false) => {
    const now = Date.now();
    if (!force && now - lastLine < 3000) return;
    lastLine = now;
    process.stderr.write(`${text}\n`);
  };
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    stage(name) {
      stopBar();
      current = name;
      line(`== ${name}`, true);
    },
    slots(done, total) {
      if (tty) {
        if (!bar) {
          bar = new SingleBar({
            format: 'collect [{bar}] {value}/{total} slots | {duration}s',
            stream: process.stderr,
            hideCursor: true,
          });
          bar.start(total, 0);
        }
        bar.update(done);
      } else line(`collect: ${done}/${total} slots`, done === total);
    },
    rows(stage, rows) {
      if (tty) {
        if (!bar) {
          bar = new SingleBar({
            format: `${stage} {value} rows | {duration}s`,
            stream: process.stderr,
            hideCursor: true,
          });
          bar.start(0, 0);
        }
        bar.setTotal(rows);
        bar.update(rows);
      } else line(`${current}: ${rows.toLocaleString('en-US')} rows`);
    },
    done: stopBar,
  };
}

const config = loadConfig(process.env);
const program = new Command('demo')
  .description(
    'Run the whole pipeline offline: GitHub simulator -> collector -> embedded DynamoDB -> CSV -> embedded PostgreSQL -> analyses -> report.',
  )
  .option('--days <n>', 'simulated days to collect (96 polls a day)', positive('--days', 365), 3)
  .option('--top <n>', 'repositories per poll', positive('--top', 10_000), 1000)
  .option('--seed <n>', 'simulator seed: the same seed gives the same numbers', positive('--seed', 2 ** 31), 1)
  .option('--start <time>', 'start of the simulated period', time, new Date('2026-01-01T00:00:00Z'))
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

program.parse();
const opts = program.opts<{
  days: number;
  top: number;
  seed: number;
  start: Date;
  query: string;
  fresh?: boolean;
  dataDir: string;
  out: string;
}>();

try {
  const started = Date.now();
  const s = await runDemo(
    {
      days: opts.days,
      top: opts.top,
      seed: opts.seed,
      start: opts.start,
      query: opts.query,
      fresh: Boolean(opts.fresh),
      dataDir: path.resolve(opts.dataDir),
      reportDir: path.resolve(opts.out),
    },
    reporter(),
  );
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const out = [
    '',
    `startrail demo: ${opts.days} simulated day(s) of the top ${n(opts.top)} "${opts.query}" repositories, seed ${opts.seed}`,
    `  polls       ${n(s.polls.total)} slots: ${n(s.polls.collectedNow)} collected now (${s.polls.ok} ok, ${s.polls.partial} partial, ${s.polls.failed} failed), ${n(s.polls.reused)} reused`,
    `  rows        ${n(s.rows)} (repo, ts, stars) rows, ${s.span.from} .. ${s.span.to}`,
    `  total gain  ${n(s.totalGain)} stars`,
    '  top movers',
    ...s.topMovers.map((m) => `    ${m.repo.padEnd(40)} ${m.starsPerDay.toFixed(1).padStart(8)} stars/day`),
    `  timings     collect ${s.seconds.collect.toFixed(1)} s, export ${s.seconds.export.toFixed(1)} s, load ${s.seconds.load.toFixed(1)} s, report ${s.seconds.report.toFixed(1)} s; total ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  memory      peak RSS: Node ${n(s.memory.nodeMiB)} MiB` +
      (s.memory.serverMiB === undefined
        ? ''
        : `, PostgreSQL server ${n(s.memory.serverMiB)} MiB (its processes summed)`),
    '',
    `  CSV     ${s.csv}`,
    `  report  ${s.reportHtml}  (${s.pngs} PNG charts beside it)`,
    '',
  ];
  process.stdout.write(out.join('\n'));
} catch (error) {
  // Options the demo cannot use exit 2; other expected failures (a data directory it cannot
  // write, a port taken) one line and 1; only a bug prints a stack.
  if (error instanceof DemoError || error instanceof RangeError) {
    process.stderr.write(errorLine('demo', error));
    process.exitCode = 2;
  } else {
    process.exitCode = reportFailure('demo', error);
  }
}
