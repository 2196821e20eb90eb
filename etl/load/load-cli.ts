// `npm run load -- --file github-stars.csv` or `npm run load -- --from-dynamodb`
import { Command } from 'commander';
import { positiveInt, type TimeRange, timeRange, withCheck } from '../../core/cli/flags.js';
import { createProgress, formatCount } from '../../core/cli/progress.js';
import { CliError, reportUsageErrors, runCommand } from '../../core/cli/run.js';
import { type Config, loadConfigWithFlags } from '../../core/config.js';
import { checkDatabaseUrl, type Database, embeddedPostgresDir, openDatabase } from '../../core/database.js';
import { checkSegments, scanBatches } from '../export/export.js';
import { RepoNames } from '../export/repo-names.js';
import { scanPolls } from '../export/scan-polls.js';
import { openStarsSource, type StarsSource } from '../export/stars-source.js';
import { fileSize, type RowBatch, readCsvBatches } from '../formats/read-csv.js';
import { readSideFiles, type SideData } from '../formats/side-csv.js';
import { type LoadSummary, loadBatches } from './load.js';

interface Flags {
  file: string;
  fromDynamodb?: boolean;
  segments: number;
  since?: string;
  until?: string;
  pageSize?: number;
  table?: string;
  endpoint?: string;
  aws?: boolean;
  dataDir?: string;
  batchRows: number;
}

// The SDK's notice about future Node versions is not the analyst's concern here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const program = reportUsageErrors(new Command('load'), 'load')
  .description(
    'Load star rows into github_stars: PostgreSQL at DATABASE_URL, or without it the embedded PostgreSQL server under the data directory (<data dir>/postgres). ' +
      'One transaction: any bad row and nothing changes; rows already present are skipped.',
  )
  .option('--file <csv>', 'header-less repo,ts,stars CSV to load', 'github-stars.csv')
  .option('--from-dynamodb', 'read the DynamoDB stars table directly instead of a file')
  .option('--segments <n>', 'with --from-dynamodb: parallel Scan segments', withCheck(positiveInt(), checkSegments), 4)
  .option('--since <time>', 'with --from-dynamodb: only rows with ts >= this (ISO or epoch seconds)')
  .option('--until <time>', 'with --from-dynamodb: only rows with ts < this (ISO or epoch seconds)')
  .option('--page-size <n>', 'with --from-dynamodb: items per Scan request', positiveInt())
  .option('--table <name>', 'with --from-dynamodb: stars table (default: STARS_TABLE or startrail-stars)')
  .option(
    '--endpoint <url>',
    'with --from-dynamodb: DynamoDB endpoint (default: DYNAMODB_ENDPOINT, else the embedded store)',
  )
  .option('--aws', 'with --from-dynamodb: the DynamoDB of AWS_REGION with the standard AWS credentials')
  .option(
    '--data-dir <dir>',
    'data directory for the embedded PostgreSQL server and DynamoDB (default: STARTRAIL_DATA_DIR or ./data)',
  )
  .option('--batch-rows <n>', 'rows per COPY batch', positiveInt(), 50_000)
  .addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  npm run load -- --file github-stars.csv',
      '  DATABASE_URL=postgres://postgres@127.0.0.1:5432/stars npm run load -- --file stars.csv',
      '  npm run load -- --from-dynamodb --since 2026-01-01   # straight from the embedded DynamoDB, no CSV',
    ].join('\n'),
  );

/** Where the rows come from: a CSV file (with the side files export wrote beside it), or DynamoDB. */
interface Input {
  file?: { totalBytes: number; side: SideData & { files: string[] } };
  source?: StarsSource;
}

/** Opened and checked before the database: a missing file is the commonest mistake. */
async function openInput(flags: Flags, config: Config): Promise<Input> {
  if (flags.fromDynamodb) return { source: await openStarsSource(config, { aws: flags.aws }) };
  return { file: { totalBytes: await fileSize(flags.file), side: await readSideFiles(flags.file) } };
}

/** The batches of stars, and the renames and polls to store with them. */
function rowsOf(
  input: Input,
  flags: Flags,
  config: Config,
  range: TimeRange,
): { batches: AsyncIterable<RowBatch>; side: () => SideData | Promise<SideData> } {
  const { source, file } = input;
  if (!source)
    return { batches: readCsvBatches(flags.file, { batchRows: flags.batchRows }), side: () => file?.side ?? {} };
  // From DynamoDB the renames are collected while the stars stream by.
  const names = new RepoNames();
  const scan = { client: source.client, table: source.table, segments: flags.segments, pageSize: flags.pageSize };
  return {
    batches: scanBatches({ ...scan, ...range }, names),
    side: async () => ({ repos: names.list(), polls: await scanPolls(source.client, config.pollsTable) }),
  };
}

function summaryLine(summary: LoadSummary): string {
  return (
    `loaded ${formatCount(summary.rowsLoaded)} rows (${formatCount(summary.duplicatesSkipped)} duplicates skipped, ${formatCount(summary.rowsRead)} read) ` +
    `in ${summary.seconds.toFixed(1)} s, ${formatCount(summary.rowsPerSecond)} rows/s` +
    (summary.repoNames !== undefined ? `; ${formatCount(summary.repoNames)} repo names` : '') +
    (summary.polls !== undefined ? `; ${formatCount(summary.polls)} polls` : '') +
    '\n'
  );
}

async function loadInto(db: Database, input: Input, flags: Flags, config: Config, range: TimeRange): Promise<void> {
  const target =
    db.kind === 'server'
      ? 'PostgreSQL (DATABASE_URL)'
      : `the embedded PostgreSQL (${embeddedPostgresDir(config.dataDir)})`;
  const files = input.file?.side.files ?? [];
  const extra = files.length ? ` (with ${files.join(', ')})` : '';
  process.stderr.write(
    `load: ${input.source ? input.source.description : flags.file}${extra} -> github_stars in ${target}\n`,
  );
  const progress = createProgress({ label: 'load', unit: 'rows', totalBytes: input.file?.totalBytes });
  try {
    const { batches, side } = rowsOf(input, flags, config, range);
    const summary = await loadBatches(db, batches, {
      onBatch: (batch, rows) => progress.update(rows, batch.bytesRead),
      side,
    });
    progress.stop();
    process.stdout.write(summaryLine(summary));
  } catch (error) {
    progress.stop();
    throw error;
  }
}

await runCommand('load', async () => {
  const flags = program.parse().opts<Flags>();
  const fileGiven = program.getOptionValueSource('file') === 'cli';
  if (flags.fromDynamodb && fileGiven) throw new CliError('give --file or --from-dynamodb, not both', 2);
  const config = loadConfigWithFlags(flags);
  // Settings first: a bad DATABASE_URL is named before any file is read.
  if (config.databaseUrl) checkDatabaseUrl(config.databaseUrl);
  const range = timeRange(flags);
  const input = await openInput(flags, config);
  try {
    const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
    try {
      await loadInto(db, input, flags, config, range);
    } finally {
      await db.close();
    }
  } finally {
    await input.source?.close();
  }
});
