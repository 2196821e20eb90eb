// Runs the real collector handler against the GitHub simulator and dynalite, with fresh
// table names per case so cases sharing one dynalite do not see each other's rows.
import { type AttributeValue, type DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Track } from '../../core/domain.js';
import { type Logger, memoryLogger } from '../../core/log.js';
import { createDynamoClient } from '../../core/store/client.js';
import { type EmbeddedDynamo, ensureTables, startEmbeddedDynamo } from '../../core/store/embedded-store.js';
import { createGitHubClient, type GitHubClientOptions } from '../../lambda/github-client.js';
import { type CollectorDeps, createHandler } from '../../lambda/handler.js';

export interface StoredRow {
  repo: string;
  ts: number;
  stars: number;
  repoId: number;
}

let tableCounter = 0;

/** A sleep that returns at once but remembers what it was asked to wait. */
export function fastSleep(): ((ms: number) => Promise<void>) & { waits: number[] } {
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return Object.assign(sleep, { waits });
}

export async function startDynamo(): Promise<EmbeddedDynamo> {
  return startEmbeddedDynamo();
}

export async function freshTables(
  endpoint: string,
): Promise<{ starsTable: string; pollsTable: string; client: DynamoDBClient }> {
  tableCounter += 1;
  const names = {
    starsTable: `stars-${process.pid}-${tableCounter}`,
    pollsTable: `polls-${process.pid}-${tableCounter}`,
  };
  const client = createDynamoClient({ endpoint, region: 'us-east-1', maxAttempts: 1 });
  await ensureTables(client, names);
  return { ...names, client };
}

export interface CollectorRun {
  run: ReturnType<typeof createHandler>;
  logger: Logger & { lines: string[] };
  sleep: ReturnType<typeof fastSleep>;
  metrics: string[];
}

/** The real handler, wired to a simulator URL and a DynamoDB endpoint. */
export function collector(options: {
  url: string;
  token?: string;
  dynamo: DynamoDBClient;
  starsTable: string;
  pollsTable: string;
  tracks: Track[];
  github?: Partial<GitHubClientOptions>;
  deps?: Partial<CollectorDeps>;
}): CollectorRun {
  const logger = memoryLogger();
  const sleep = fastSleep();
  const metrics: string[] = [];
  const github = createGitHubClient({
    url: options.url,
    token: options.token ?? 'test-token',
    logger,
    sleep,
    timeoutMs: 5_000,
    ...options.github,
  });
  const run = createHandler({
    github,
    dynamo: options.dynamo,
    config: { starsTable: options.starsTable, pollsTable: options.pollsTable, tracks: options.tracks },
    logger,
    sleep,
    metrics: (line) => metrics.push(line),
    ...options.deps,
  });
  return { run, logger, sleep, metrics };
}

function num(v: AttributeValue | undefined): number {
  return Number(v?.N);
}

export async function scanStars(client: DynamoDBClient, table: string): Promise<StoredRow[]> {
  const rows: StoredRow[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of out.Items ?? [])
      rows.push({ repo: item.repo!.S!, ts: num(item.ts), stars: num(item.stars), repoId: num(item.repoId) });
    start = out.LastEvaluatedKey;
  } while (start);
  return rows;
}

export async function scanPolls(client: DynamoDBClient, table: string): Promise<Record<string, AttributeValue>[]> {
  const out = await client.send(new ScanCommand({ TableName: table }));
  return out.Items ?? [];
}

export async function getPoll(
  client: DynamoDBClient,
  table: string,
  track: string,
  ts: number,
): Promise<Record<string, unknown> | undefined> {
  const out = await client.send(
    new GetItemCommand({ TableName: table, Key: { track: { S: track }, ts: { N: String(ts) } } }),
  );
  if (!out.Item) return undefined;
  return Object.fromEntries(
    Object.entries(out.Item).map(([k, v]) => [
      k,
      v.S ?? (v.N !== undefined ? Number(v.N) : v.L ? v.L.map((x) => x.S) : v),
    ]),
  );
}

/** Rows as the simulator's ground truth shapes them, ranked. */
export function ranked(
  rows: {
    repo?: string;
    nameWithOwner?: string;
    stars?: number;
    stargazerCount?: number;
    repoId?: number;
    databaseId?: number;
  }[],
) {
  return rows
    .map((r) => ({
      repo: r.repo ?? r.nameWithOwner!,
      stars: r.stars ?? r.stargazerCount!,
      repoId: r.repoId ?? r.databaseId!,
    }))
    .sort((a, b) => b.stars - a.stars || a.repoId - b.repoId);
}
