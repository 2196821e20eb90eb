// `npm run analyze -- [--format table|csv|json] [--out <dir>] [--limit N] [--repo owner/name ...]`
import { Command, Option } from 'commander';
import { positiveInt, repoNames } from '../../core/cli/flags.js';
import { reportUsageErrors, runCommand } from '../../core/cli/run.js';
import { openFromFlags, withDatabaseOptions } from '../open-database.js';
import { ANALYSES, type AnalysisResult, fastestRepos, runAnalysis } from '../queries/run-analysis.js';
import { formatResults } from './format-table.js';
import { writeResults } from './write-results.js';

const program = new Command('analyze')
  .description(
    'Run every analysis (' +
      ANALYSES.map((a) => a.name).join(', ') +
      ') on github_stars. ' +
      'table prints the head of each and the totals; csv and json write one file per analysis.',
  )
  .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
  .option('--out <dir>', 'directory for csv/json files', 'results')
  .option('--limit <n>', 'rows per analysis (table default 10; csv/json default all)', positiveInt())
  .option('--repo <owner/name...>', 'repos for repo-history (default: the five fastest growing)', repoNames('--repo'))
  .addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  npm run analyze                                   # the head of every analysis as tables',
      '  npm run analyze -- --format csv --out results     # one CSV per analysis under results/',
      '  npm run analyze -- --repo golang/go --repo gohugoio/hugo --limit 20',
    ].join('\n'),
  );
withDatabaseOptions(program);
// The analysis CLIs have always said `error:` (as commander does), and scripts match it.
reportUsageErrors(program, 'error');

await runCommand('error', async () => {
  const opts = program.parse().opts<{
    format: 'table' | 'csv' | 'json';
    out: string;
    limit?: number;
    repo?: string[];
    databaseUrl?: string;
    dataDir?: string;
  }>();
  const db = await openFromFlags(opts);
  try {
    const repos = opts.repo?.length ? opts.repo : await fastestRepos(db, 5);
    const results: AnalysisResult[] = [];
    for (const def of ANALYSES) results.push(await runAnalysis(db, def.name, { repos }));
    if (opts.format === 'table') {
      process.stdout.write(formatResults(results, { limit: opts.limit ?? 10 }));
    } else {
      const files = writeResults(results, { format: opts.format, outDir: opts.out, limit: opts.limit });
      for (const f of files) console.log(f);
    }
  } finally {
    await db.close();
  }
});
