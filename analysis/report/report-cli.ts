// `npm run report -- [--out <dir>] [--repo owner/name ...]`
import path from 'node:path';
import { Command } from 'commander';
import { positiveInt, repoNames } from '../../core/cli/flags.js';
import { createProgress } from '../../core/cli/progress.js';
import { reportUsageErrors, runCommand } from '../../core/cli/run.js';
import { openFromFlags, withDatabaseOptions } from '../open-database.js';
import { buildReport } from './report.js';

const program = new Command('report')
  .description('Render the charts as PNGs and a self-contained index.html (opens from file://, no network).')
  .option('--out <dir>', 'output directory', 'report')
  .option(
    '--repo <owner/name...>',
    'repos for the history charts (default: the five fastest growing)',
    repoNames('--repo'),
  )
  .option('--top <n>', 'rows in each table of the page', positiveInt(), 20)
  .addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  npm run report                                    # report/index.html and its PNGs',
      '  npm run report -- --out /tmp/report --top 50',
      '  npm run report -- --repo golang/go --repo gohugoio/hugo',
    ].join('\n'),
  );
withDatabaseOptions(program);
// The analysis CLIs have always said `error:` (as commander does), and scripts match it.
reportUsageErrors(program, 'error');

/** The report's steps: analyses, insights, ten charts, the page. */
const STEPS = 13;

await runCommand('error', async () => {
  const opts = program
    .parse()
    .opts<{ out: string; repo?: string[]; top: number; databaseUrl?: string; dataDir?: string }>();
  const db = await openFromFlags(opts);
  const bar = createProgress({ label: 'report', total: STEPS, intervalMs: 0 });
  let done = 0;
  const onStep = (name: string) => bar.update(++done, undefined, name);
  try {
    const result = await buildReport(db, { outDir: opts.out, repos: opts.repo, top: opts.top, onStep });
    bar.stop();
    console.log(
      `report: ${path.resolve(result.indexHtml)} (${result.pngs.length} PNGs beside it; repos: ${result.chosen.join(', ')})`,
    );
  } finally {
    bar.stop();
    await db.close();
  }
});
