// The embedded DynamoDB: dynalite in-process, persisted under the data directory.
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { Level } from 'level';
import { DataDirError } from '../data-dir.js';
import { errorClass } from '../errors.js';
import { POLLS_KEY, STARS_KEY, type TableKey } from './tables.js';

export interface EmbeddedDynamo {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite on a free loopback port. With `dir` the tables persist there (LevelDB);
 * without it they live in memory, which is what tests want.
 */
export async function startEmbeddedDynamo(
  options: { dir?: string; dataDir?: string; port?: number; createTableMs?: number } = {},
): Promise<EmbeddedDynamo> {
  if (options.dir) {
    mkdirSync(options.dir, { recursive: true });
    // Before dynalite opens it: on a store another process holds it would crash later, with a stack.
    await assertStoreFree(options.dir, options.dataDir);
  }
  // createTableMs: how long a new table stays CREATING (tests stretch it; real DynamoDB takes seconds).
  const server = dynalite({
    path: options.dir,
    createTableMs: options.createTableMs ?? 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // dynalite keeps sockets alive; close them so the process can exit.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

export function embeddedDynamoDir(dataDir: string): string {
  return path.join(dataDir, 'dynamodb');
}

function keyedTable(name: string, key: TableKey): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: key.partition, AttributeType: 'S' },
      { AttributeName: key.sort, AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: key.partition, KeyType: 'HASH' },
      { AttributeName: key.sort, KeyType: 'RANGE' },
    ],
  };
}

/** The two tables, keyed as tables.ts says (as cdk/ creates them on AWS). */
export function tableDefinitions(names: { starsTable: string; pollsTable: string }): CreateTableCommandInput[] {
  return [keyedTable(names.starsTable, STARS_KEY), keyedTable(names.pollsTable, POLLS_KEY)];
}

/** Creates the stars and polls tables if they do not exist yet, and waits until both are ACTIVE. */
export async function ensureTables(
  client: DynamoDBClient,
  names: { starsTable: string; pollsTable: string },
): Promise<void> {
  for (const def of tableDefinitions(names)) {
    try {
      await client.send(new DescribeTableCommand({ TableName: def.TableName }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      try {
        await client.send(new CreateTableCommand(def));
      } catch (createError) {
        if (!(createError instanceof ResourceInUseException)) throw createError;
      }
    }
  }
  for (const def of tableDefinitions(names)) await untilActive(client, def.TableName as string);
}

/** A table answers reads and writes only once ACTIVE; before that, ResourceNotFoundException. */
async function untilActive(client: DynamoDBClient, table: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline)
      throw new Error(`DynamoDB table ${table} is still ${Table?.TableStatus} after ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

export class StoreLockedError extends errorClass('STORE_LOCKED') {
  override readonly name = 'StoreLockedError';
}

/** Fails clearly when another process holds the LevelDB (dynalite would crash on it later). */
export async function assertStoreFree(dir: string, dataDir = path.dirname(dir)): Promise<void> {
  const db = new Level(dir);
  try {
    await db.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new StoreLockedError(
        `the embedded DynamoDB in ${dir} is in use by another process (a collector or demo still running?); ` +
          'stop it, or point DYNAMODB_ENDPOINT at that process',
      );
    }
    // LevelDB says only "Database failed to open"; the cause holds the real reason.
    throw new DataDirError(
      dataDir,
      cause?.code ?? 'EOPEN',
      `the embedded DynamoDB in ${dir} cannot be opened: ${cause?.message ?? (error as Error).message}`,
    );
  }
  await db.close();
}
