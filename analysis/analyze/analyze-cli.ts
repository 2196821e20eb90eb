// `npm run analyze -- [--format table|csv|json] [--out <dir>] [--limit N] [--repo owner/name ...]`
import { Command, Option } from 'commander';
import { collectRepo, openFromFlags, positiveInt, runCli, withDatabaseOptions } from '../cli-support.js';
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
  .option('--limit <n>', 'rows per analysis (table default 10; csv/json default all)', positiveInt('--limit'))
  .option('--repo <owner/name...>', 'repos for repo-history (default: the five fastest growing)', collectRepo)
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

program.parse();
const opts = program.opts<{
  format: 'table' | 'csv' | 'json';
  out: string;
  limit?: number;
  repo?: string[];
  databaseUrl?: string;
  dataDir?: string;
}>();

await runCli(async () => {
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
