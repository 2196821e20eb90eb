// `npm run report -- [--out <dir>] [--repo owner/name ...]`
import path from 'node:path';
import { Command } from 'commander';
import { collectRepo, openFromFlags, positiveInt, progress, runCli, withDatabaseOptions } from '../cli-support.js';
import { buildReport } from './report.js';

const program = new Command('report')
  .description('Render the charts as PNGs and a self-contained index.html (opens from file://, no network).')
  .option('--out <dir>', 'output directory', 'report')
  .option('--repo <owner/name...>', 'repos for the history charts (default: the five fastest growing)', collectRepo)
  .option('--top <n>', 'rows in each table of the page', positiveInt('--top'), 20)
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

program.parse();
const opts = program.opts<{ out: string; repo?: string[]; top: number; databaseUrl?: string; dataDir?: string }>();

await runCli(async () => {
  const db = await openFromFlags(opts);
  // analyses, insights, ten charts, the page
  const bar = progress(13, 'report');
  try {
    const result = await buildReport(db, { outDir: opts.out, repos: opts.repo, top: opts.top, onStep: bar.step });
    bar.stop();
    console.log(
      `report: ${path.resolve(result.indexHtml)} (${result.pngs.length} PNGs beside it; repos: ${result.chosen.join(', ')})`,
    );
  } finally {
    bar.stop();
    await db.close();
  }
});
