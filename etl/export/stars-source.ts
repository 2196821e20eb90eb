// The stars table to read: DYNAMODB_ENDPOINT (or AWS), else the embedded dynalite under the
// data directory. The embedded store is LevelDB, which one process may open at a time.
import path from 'node:path';
import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Config } from '../../core/config.js';
import { dataDirExists, ensureDataDir } from '../../core/data-dir.js';
import { errorClass } from '../../core/errors.js';
import { createDynamoClient } from '../../core/store/client.js';
import { embeddedDynamoDir, ensureTables, startEmbeddedDynamo } from '../../core/store/embedded-store.js';
import { STARS_KEY } from '../../core/store/tables.js';

export interface StarsSource {
  client: DynamoDBClient;
  table: string;
  /** Where the rows come from, for messages (never carries credentials). */
  description: string;
  /** For the embedded store: where the demo keeps its own, when it has one (see demoHint). */
  demoDataDir?: string;
  close(): Promise<void>;
}

export interface StarsSourceOptions {
  /** The real DynamoDB of AWS_REGION. */
  aws?: boolean;
  /** Reading only: a missing embedded store is an EmptyStoreError instead of being created. */
  existing?: boolean;
}

/** There is nothing to read: no embedded store, or a stars table without rows. */
export class EmptyStoreError extends errorClass('EMPTY_STORE') {
  override readonly name = 'EmptyStoreError';
  constructor(
    /** What is empty or missing. */
    readonly what: string,
    /** Where the demo's data is, when it is beside: `--data-dir <dir>/demo`. */
    readonly demoHint = '',
  ) {
    super(`${what}${demoHint}`);
  }
}

/**
 * `aws`: the real DynamoDB of AWS_REGION with the usual AWS credentials. Otherwise
 * DYNAMODB_ENDPOINT when set, else the embedded store under the data directory.
 */
export async function openStarsSource(config: Config, options: StarsSourceOptions = {}): Promise<StarsSource> {
  // Retries are ours (scan-stars.ts), with backoff suited to a long Scan.
  if (options.aws) {
    const client = createDynamoClient({ region: config.awsRegion, maxAttempts: 1 });
    return {
      client,
      table: config.starsTable,
      description: `${config.starsTable} in AWS ${config.awsRegion}`,
      close: async () => client.destroy(),
    };
  }
  if (config.dynamodbEndpoint) {
    const client = createDynamoClient({ endpoint: config.dynamodbEndpoint, region: config.awsRegion, maxAttempts: 1 });
    return {
      client,
      table: config.starsTable,
      description: `${config.starsTable} at ${config.dynamodbEndpoint}`,
      close: async () => client.destroy(),
    };
  }
  return openEmbedded(config, options);
}

async function openEmbedded(config: Config, options: StarsSourceOptions): Promise<StarsSource> {
  const dir = embeddedDynamoDir(config.dataDir);
  const demoDataDir = demoStore(config.dataDir);
  // Reading never creates a store: none here means nothing here (and maybe the demo's is beside it).
  if (options.existing && !dataDirExists(config.dataDir, dir)) {
    throw new EmptyStoreError(`no embedded DynamoDB in ${dir}`, demoHint(demoDataDir));
  }
  ensureDataDir(config.dataDir, dir);
  const embedded = await startEmbeddedDynamo({ dir, dataDir: config.dataDir });
  const client = createDynamoClient({ endpoint: embedded.endpoint, region: config.awsRegion, maxAttempts: 1 });
  try {
    await ensureTables(client, { starsTable: config.starsTable, pollsTable: config.pollsTable });
  } catch (error) {
    client.destroy();
    await embedded.close();
    throw error;
  }
  return {
    client,
    table: config.starsTable,
    description: `${config.starsTable} in the embedded DynamoDB (${dir})`,
    demoDataDir,
    close: async () => {
      client.destroy();
      await embedded.close();
    },
  };
}

/** `<data dir>/demo` when the demo's store is there (npm run demo keeps its data apart). */
function demoStore(dataDir: string): string | undefined {
  const demo = path.join(dataDir, 'demo');
  try {
    return dataDirExists(demo, embeddedDynamoDir(demo)) ? demo : undefined;
  } catch {
    return undefined;
  }
}

function demoHint(demoDataDir: string | undefined): string {
  if (!demoDataDir) return '';
  const relative = path.relative(process.cwd(), demoDataDir);
  const shown = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : demoDataDir;
  return `; the demo's data is in ${shown}: add --data-dir ${shown}`;
}

/** One item is enough to know the table is not empty (ItemCount lags by hours on AWS). */
export async function assertHasRows(source: StarsSource): Promise<void> {
  const page = await source.client.send(
    new ScanCommand({
      TableName: source.table,
      Limit: 1,
      ProjectionExpression: '#r',
      ExpressionAttributeNames: { '#r': STARS_KEY.partition },
    }),
  );
  if ((page.Items?.length ?? 0) > 0 || page.LastEvaluatedKey) return;
  throw new EmptyStoreError(`${source.description} is empty`, demoHint(source.demoDataDir));
}
