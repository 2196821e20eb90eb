// The stars table to read: DYNAMODB_ENDPOINT (or AWS), else the embedded dynalite under the
// data directory. The embedded store is LevelDB, which one process may open at a time.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Level } from 'level';
import type { Config } from '../core/config.js';
import { createDynamoClient } from '../core/dynamodb-client.js';
import { embeddedDynamoDir, ensureTables, startEmbeddedDynamo } from '../local/dynamodb.js';

export interface StarsSource {
  client: DynamoDBClient;
  table: string;
  /** Where the rows come from, for messages (never carries credentials). */
  description: string;
  close(): Promise<void>;
}

export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
}

/** Fails clearly when another process holds the LevelDB (dynalite would crash on it later). */
export async function assertStoreFree(dir: string): Promise<void> {
  const db = new Level(dir);
  try {
    await db.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new StoreLockedError(
        `the embedded DynamoDB in ${dir} is in use by another process (a collector or demo still running?); ` +
          'stop it, or point DYNAMODB_ENDPOINT at that process',
      );
    }
    throw error;
  }
  await db.close();
}

/**
 * `aws`: the real DynamoDB of AWS_REGION with the usual AWS credentials. Otherwise
 * DYNAMODB_ENDPOINT when set, else the embedded store under the data directory.
 */
export async function openStarsSource(config: Config, options: { aws?: boolean } = {}): Promise<StarsSource> {
  // Retries are ours (scan-stars.ts), with backoff suited to a long Scan.
  if (options.aws) {
    const client = createDynamoClient({ region: config.awsRegion, maxAttempts: 1 });
    return { client, table: config.starsTable, description: `${config.starsTable} in AWS ${config.awsRegion}`, close: async () => client.destroy() };
  }
  if (config.dynamodbEndpoint) {
    const client = createDynamoClient({ endpoint: config.dynamodbEndpoint, region: config.awsRegion, maxAttempts: 1 });
    return { client, table: config.starsTable, description: `${config.starsTable} at ${config.dynamodbEndpoint}`, close: async () => client.destroy() };
  }
  const dir = embeddedDynamoDir(config.dataDir);
  await assertStoreFree(dir);
  const embedded = await startEmbeddedDynamo({ dir });
  const client = createDynamoClient({ endpoint: embedded.endpoint, region: config.awsRegion, maxAttempts: 1 });
  await ensureTables(client, { starsTable: config.starsTable, pollsTable: config.pollsTable });
  return {
    client,
    table: config.starsTable,
    description: `${config.starsTable} in the embedded DynamoDB (${dir})`,
    close: async () => {
      client.destroy();
      await embedded.close();
    },
  };
}
