// `npm run export -- --out github-stars.csv [--segments 4] [--since ISO] [--until ISO] [--resume]`, or from
// DynamoDB's export to S3: `npm run export -- --from-export <dir|s3://...> [--polls-export <dir|s3://...>]`
import { Command } from 'commander';
import { positiveInt, type TimeRange, timeRange, withCheck } from '../../core/cli/flags.js';
import { createProgress, formatCount, type Progress } from '../../core/cli/progress.js';
import { abortOnSignals, CliError, reportUsageErrors, runCommand } from '../../core/cli/run.js';
import { type Config, loadConfigWithFlags } from '../../core/config.js';
import { readCheckpoint } from './checkpoint.js';
import { checkOutFolder, checkpointPath, checkSegments, type ExportSummary, exportStars } from './export.js';
import { assertHasRows, EmptyStoreError, openStarsSource, type StarsSource } from './stars-source.js';
import { exportFromTableExport, type FromExportOptions } from './table-export.js';

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
  fromExport?: string;
  pollsExport?: string;
  s3Endpoint?: string;
}

// The SDK's notice about future Node versions is not the analyst's concern here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const program = reportUsageErrors(new Command('export'), 'export')
  .description(
    'Export the DynamoDB stars table (by Scan, or from its DynamoDB export to S3 with --from-export) to a header-less repo,ts,stars CSV (what `\\copy github_stars from FILE csv` reads).',
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
  .option(
    '--from-export <dir|s3://bucket/prefix>',
    "read the stars table's DynamoDB export to S3 (DYNAMODB_JSON) instead of scanning: its AWSDynamoDB/<ExportId> folder, local or in S3",
  )
  .option('--polls-export <dir|s3://bucket/prefix>', "with --from-export: the polls table's export, for the polls file")
  .option('--s3-endpoint <url>', 'with --from-export: an S3-compatible endpoint (default: AWS S3 of AWS_REGION)')
  .addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  npm run export -- --out github-stars.csv --since 2026-01-01 --until 2026-02-01',
      '  npm run export -- --out stars.csv --aws --segments 8 --resume   # continue an interrupted export from AWS',
      '  npm run export -- --out stars.csv --from-export s3://my-bucket/stars/AWSDynamoDB/01767225600000-a1b2c3d4 --polls-export ./polls-export   # a table too large to Scan: its export to S3 (docs/etl.md)',
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

/** Flags that only the Scan export reads: given with --from-export, they are a mistake worth saying. */
const SCAN_FLAGS = ['resume', 'segments', 'pageSize', 'table', 'endpoint', 'aws', 'dataDir'] as const;

function checkExportFlags(flags: Flags): void {
  if (flags.fromExport === undefined) {
    const given = flags.pollsExport !== undefined ? '--polls-export' : '--s3-endpoint';
    throw new CliError(`${given} reads a DynamoDB export to S3: give the stars table's with --from-export`, 2);
  }
  const scanOnly = SCAN_FLAGS.filter((name) => program.getOptionValueSource(name) === 'cli');
  if (scanOnly.length > 0) {
    const names = scanOnly.map((name) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    throw new CliError(`--from-export reads the export's files, not the table: drop ${names.join(', ')}`, 2);
  }
}

/** The export from DynamoDB's export to S3, with progress over its items; Ctrl-C stops it (rerun to start over). */
async function exportFromFiles(config: Config, flags: Flags, range: TimeRange): Promise<void> {
  const signal = abortOnSignals();
  let progress: Progress | undefined;
  let items = 0;
  const options: FromExportOptions = {
    stars: flags.fromExport!,
    polls: flags.pollsExport,
    out: flags.out,
    ...range,
    s3: { region: config.awsRegion, endpoint: flags.s3Endpoint },
    allowEmpty: flags.allowEmpty,
    signal,
    onProgress: (totals) => {
      items = totals.items;
      progress ??= createProgress({ label: 'export', unit: 'items', total: totals.total });
      progress.update(totals.items);
    },
  };
  try {
    const summary = await exportFromTableExport(options);
    progress?.stop();
    process.stdout.write(summaryLine(summary));
  } catch (error) {
    progress?.stop();
    if (signal.aborted) throw new CliError(`interrupted after ${formatCount(items)} items; rerun to start over`, 130);
    throw error;
  }
}

await runCommand('export', async () => {
  const flags = program.parse().opts<Flags>();
  const config = loadConfigWithFlags(flags);
  const range = timeRange(flags);
  if (range.since !== undefined && range.until !== undefined && range.since >= range.until)
    throw new CliError('--since must be before --until', 2);
  if (flags.fromExport !== undefined || flags.pollsExport !== undefined || flags.s3Endpoint !== undefined) {
    checkExportFlags(flags);
    return exportFromFiles(config, flags, range);
  }

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
