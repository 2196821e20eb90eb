// `npm run load -- --file github-stars.csv` or `npm run load -- --from-dynamodb`
import { Command, InvalidArgumentError } from 'commander';
import { createProgress, formatCount } from '../../core/cli/progress.js';
import { loadConfig } from '../../core/config.js';
import { checkDatabaseUrl, embeddedPostgresDir, openDatabase } from '../../core/database.js';
import { CliError, positiveInt, runCli } from '../cli-run.js';
import { checkSegments, scanBatches } from '../export/export.js';
import { RepoNames, readSideFiles, scanPolls } from '../export/side-files.js';
import { openStarsSource } from '../export/stars-source.js';
import { parseTime } from '../formats/parse-time.js';
import { fileSize, readCsvBatches } from '../formats/read-csv.js';
import { loadBatches } from './load.js';

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

const intArg = (flag: string) => (value: string) => {
  try {
    return positiveInt(flag)(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

// The SDK's notice about future Node versions is not the analyst's concern here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const program = new Command('load')
  .description(
    'Load star rows into github_stars: PostgreSQL at DATABASE_URL, or without it the embedded PostgreSQL server under the data directory (<data dir>/postgres). ' +
      'One transaction: any bad row and nothing changes; rows already present are skipped.',
  )
  .option('--file <csv>', 'header-less repo,ts,stars CSV to load', 'github-stars.csv')
  .option('--from-dynamodb', 'read the DynamoDB stars table directly instead of a file')
  .option('--segments <n>', 'with --from-dynamodb: parallel Scan segments', intArg('--segments'), 4)
  .option('--since <time>', 'with --from-dynamodb: only rows with ts >= this (ISO or epoch seconds)')
  .option('--until <time>', 'with --from-dynamodb: only rows with ts < this (ISO or epoch seconds)')
  .option('--page-size <n>', 'with --from-dynamodb: items per Scan request', intArg('--page-size'))
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
  .option('--batch-rows <n>', 'rows per COPY batch', intArg('--batch-rows'), 50_000)
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

await runCli('load', async () => {
  program.parse();
  const flags = program.opts<Flags>();
  const fileGiven = program.getOptionValueSource('file') === 'cli';
  if (flags.fromDynamodb && fileGiven) throw new CliError('give --file or --from-dynamodb, not both', 2);
  const config = loadConfig({
    ...process.env,
    ...(flags.table ? { STARS_TABLE: flags.table } : {}),
    ...(flags.endpoint ? { DYNAMODB_ENDPOINT: flags.endpoint } : {}),
    ...(flags.dataDir ? { STARTRAIL_DATA_DIR: flags.dataDir } : {}),
  });
  // Settings first: a bad DATABASE_URL is named before any file is read.
  if (config.databaseUrl) checkDatabaseUrl(config.databaseUrl);
  const since = flags.since === undefined ? undefined : parseTime(flags.since, '--since');
  const until = flags.until === undefined ? undefined : parseTime(flags.until, '--until');
  checkSegments(flags.segments);

  // Before opening anything: a missing file is the commonest mistake.
  const totalBytes = flags.fromDynamodb ? undefined : await fileSize(flags.file);
  // The renames and polls files export writes beside the CSV, read (and checked) up front.
  const sideFiles = flags.fromDynamodb ? undefined : await readSideFiles(flags.file);
  const source = flags.fromDynamodb ? await openStarsSource(config, { aws: flags.aws }) : undefined;
  try {
    const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
    const target =
      db.kind === 'server'
        ? 'PostgreSQL (DATABASE_URL)'
        : `the embedded PostgreSQL (${embeddedPostgresDir(config.dataDir)})`;
    const extra = sideFiles?.files.length ? ` (with ${sideFiles.files.join(', ')})` : '';
    process.stderr.write(`load: ${source ? source.description : flags.file}${extra} -> github_stars in ${target}\n`);
    const progress = createProgress({ label: 'load', totalBytes });
    try {
      const names = new RepoNames();
      const batches = source
        ? scanBatches(
            {
              client: source.client,
              table: source.table,
              segments: flags.segments,
              since,
              until,
              pageSize: flags.pageSize,
            },
            names,
          )
        : readCsvBatches(flags.file, { batchRows: flags.batchRows });
      const side = source
        ? async () => ({ repos: names.list(), polls: await scanPolls(source.client, config.pollsTable) })
        : () => sideFiles ?? {};
      const summary = await loadBatches(db, batches, {
        onBatch: (batch, rows) => progress.update(rows, batch.bytesRead),
        side,
      });
      progress.stop();
      process.stdout.write(
        `loaded ${formatCount(summary.rowsLoaded)} rows (${formatCount(summary.duplicatesSkipped)} duplicates skipped, ${formatCount(summary.rowsRead)} read) ` +
          `in ${summary.seconds.toFixed(1)} s, ${formatCount(summary.rowsPerSecond)} rows/s` +
          (summary.repoNames !== undefined ? `; ${formatCount(summary.repoNames)} repo names` : '') +
          (summary.polls !== undefined ? `; ${formatCount(summary.polls)} polls` : '') +
          '\n',
      );
    } catch (error) {
      progress.stop();
      throw error;
    } finally {
      await db.close();
    }
  } finally {
    await source?.close();
  }
});
