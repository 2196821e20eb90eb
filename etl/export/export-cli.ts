// `npm run export -- --out github-stars.csv [--segments 4] [--since ISO] [--until ISO] [--resume]`
import { Command } from 'commander';
import { positiveInt, type TimeRange, timeRange, withCheck } from '../../core/cli/flags.js';
import { createProgress, formatCount } from '../../core/cli/progress.js';
import { abortOnSignals, CliError, reportUsageErrors, runCommand } from '../../core/cli/run.js';
import { type Config, loadConfigWithFlags } from '../../core/config.js';
import { readCheckpoint } from './checkpoint.js';
import { checkOutFolder, checkpointPath, checkSegments, type ExportSummary, exportStars } from './export.js';
import { assertHasRows, EmptyStoreError, openStarsSource, type StarsSource } from './stars-source.js';

interface Flags {
  out: string;
  segments: number;
  since?: string;
  until?: string;
  resume?: boolean;
  pageSize?: number;
  table?: string;
  endpoint?: string;
  aws?: boolean;
  dataDir?: string;
  allowEmpty?: boolean;
}

// The SDK's notice about future Node versions is not the analyst's concern here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const program = reportUsageErrors(new Command('export'), 'export')
  .description(
    'Export the DynamoDB stars table to a header-less repo,ts,stars CSV (what `\\copy github_stars from FILE csv` reads).',
  )
  .option('--out <file>', 'CSV file to write (via <file>.tmp, renamed on success)', 'github-stars.csv')
  .option('--segments <n>', 'parallel Scan segments', withCheck(positiveInt(), checkSegments), 4)
  .option('--since <time>', 'only rows with ts >= this (ISO date/time or epoch seconds)')
  .option('--until <time>', 'only rows with ts < this (ISO date/time or epoch seconds)')
  .option('--resume', 'continue an interrupted export from <file>.checkpoint.json')
  .option('--page-size <n>', 'items per Scan request (default: DynamoDB 1 MB pages)', positiveInt())
  .option('--table <name>', 'stars table (default: STARS_TABLE or startrail-stars)')
  .option(
    '--endpoint <url>',
    'DynamoDB endpoint (default: DYNAMODB_ENDPOINT; unset: the embedded store in the data directory)',
  )
  .option('--aws', 'read the DynamoDB of AWS_REGION with the standard AWS credentials')
  .option('--data-dir <dir>', 'data directory of the embedded store (default: STARTRAIL_DATA_DIR or ./data)')
  .option('--allow-empty', 'an empty or missing stars table writes an empty CSV and exits 0 (default: it is an error)')
  .addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  npm run export -- --out github-stars.csv',
      '  npm run export -- --out stars.csv --since 2026-01-01 --until 2026-02-01',
      '  npm run export -- --out stars.csv --aws --segments 8 --resume   # continue an interrupted export from AWS',
    ].join('\n'),
  );

/**
 * The stars source, which must hold rows unless --allow-empty: an export of nothing is usually
 * the wrong data directory (the demo keeps its own in <data dir>/demo), not an empty table.
 */
async function openNonEmpty(config: Config, flags: Flags): Promise<StarsSource> {
  let source: StarsSource | undefined;
  try {
    source = await openStarsSource(config, { aws: flags.aws, existing: !flags.allowEmpty });
    if (!flags.allowEmpty) await assertHasRows(source);
    return source;
  } catch (error) {
    await source?.close();
    if (!(error instanceof EmptyStoreError)) throw error;
    throw new CliError(`nothing to export: ${error.what}${error.demoHint} (or --allow-empty to write an empty CSV)`);
  }
}

function summaryLine(summary: ExportSummary): string {
  const resumed = summary.resumedRows > 0 ? ` (resumed after ${formatCount(summary.resumedRows)})` : '';
  return (
    `exported ${formatCount(summary.rows)} rows${resumed} to ${summary.out} (${formatCount(summary.bytes)} bytes) in ${summary.seconds.toFixed(1)} s, ${formatCount(summary.rowsPerSecond)} rows/s` +
    `; ${formatCount(summary.repoNames)} repo names${summary.polls === undefined ? '' : `, ${formatCount(summary.polls)} polls`} in ${summary.sideFiles.join(', ')}\n`
  );
}

/** The export itself, with progress; Ctrl-C stops it at the next page, resumable. */
async function exportFrom(source: StarsSource, config: Config, flags: Flags, range: TimeRange): Promise<void> {
  const signal = abortOnSignals();
  const progress = createProgress({ label: 'export', unit: 'rows' });
  let rows = 0;
  try {
    process.stderr.write(`export: ${source.description} -> ${flags.out}\n`);
    const summary = await exportStars({
      client: source.client,
      table: source.table,
      out: flags.out,
      pollsTable: config.pollsTable,
      segments: flags.segments,
      ...range,
      resume: flags.resume,
      pageSize: flags.pageSize,
      signal,
      onPage: (_page, totals) => {
        rows = totals.rows;
        progress.update(totals.rows, totals.bytes);
      },
    });
    progress.stop();
    process.stdout.write(summaryLine(summary));
  } catch (error) {
    progress.stop();
    if (signal.aborted) {
      throw new CliError(`interrupted after ${formatCount(rows)} rows; rerun with --resume to continue`, 130);
    }
    throw error;
  }
}

await runCommand('export', async () => {
  const flags = program.parse().opts<Flags>();
  const config = loadConfigWithFlags(flags);
  const range = timeRange(flags);
  if (range.since !== undefined && range.until !== undefined && range.since >= range.until)
    throw new CliError('--since must be before --until', 2);

  // Before opening the store: a wrong --out or a corrupt checkpoint is said first, and costs nothing.
  checkOutFolder(flags.out);
  await readCheckpoint(checkpointPath(flags.out));
  const source = await openNonEmpty(config, flags);
  try {
    await exportFrom(source, config, flags, range);
  } finally {
    await source.close();
  }
});
