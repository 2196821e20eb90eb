// Fixtures for the ETL suites: an in-memory dynalite with the stars table, rows written with
// BatchWriteItem, and the rows of a github_stars table read back in a stable order.
import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Database } from '../../core/database.js';
import type { StarRow } from '../../core/star-row.js';
import { createDynamoClient } from '../../core/store/client.js';
import { ensureTables, startEmbeddedDynamo } from '../../core/store/embedded-store.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const STARS_TABLE = 'etl-test-stars';
export const POLLS_TABLE = 'etl-test-polls';
export const T0 = 1_545_091_200; // 2018-12-18, the article's era

export interface TestDynamo {
  endpoint: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

export async function startTestDynamo(): Promise<TestDynamo> {
  const dynamo = await startEmbeddedDynamo();
  const client = createDynamoClient({ endpoint: dynamo.endpoint, region: 'us-east-1', maxAttempts: 3 });
  await ensureTables(client, { starsTable: STARS_TABLE, pollsTable: POLLS_TABLE });
  return {
    endpoint: dynamo.endpoint,
    client,
    async close() {
      client.destroy();
      await dynamo.close();
    },
  };
}

/** `repos` repositories x `slots` 15-minute slots, stars rising. */
export function makeRows(repos: number, slots: number, start = T0): StarRow[] {
  const rows: StarRow[] = [];
  for (let s = 0; s < slots; s++) {
    for (let r = 0; r < repos; r++)
      rows.push({ repo: `owner-${r}/repo_${r}.x`, ts: start + s * 900, stars: 1000 * r + s });
  }
  return rows;
}

export async function putRows(client: DynamoDBClient, rows: readonly StarRow[], table = STARS_TABLE): Promise<void> {
  const chunks: StarRow[][] = [];
  for (let i = 0; i < rows.length; i += 25) chunks.push(rows.slice(i, i + 25));
  // A few requests at a time; dynalite never returns UnprocessedItems, but check anyway.
  for (let i = 0; i < chunks.length; i += 8) {
    await Promise.all(
      chunks.slice(i, i + 8).map(async (chunk) => {
        const out = await client.send(
          new BatchWriteItemCommand({
            RequestItems: {
              [table]: chunk.map((r) => ({
                PutRequest: {
                  Item: {
                    repo: { S: r.repo },
                    ts: { N: String(r.ts) },
                    stars: { N: String(r.stars) },
                    repoId: { N: '1' },
                  },
                },
              })),
            },
          }),
        );
        if (Object.keys(out.UnprocessedItems ?? {}).length > 0) throw new Error('unprocessed items in test setup');
      }),
    );
  }
}

export function sortRows<T extends StarRow>(rows: readonly T[]): StarRow[] {
  return rows
    .map((r) => ({ repo: r.repo, ts: Number(r.ts), stars: Number(r.stars) }))
    .sort((a, b) => (a.repo < b.repo ? -1 : a.repo > b.repo ? 1 : a.ts - b.ts));
}

export function parseCsv(text: string): StarRow[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [repo, ts, stars] = line.split(',');
      return { repo: repo!, ts: Number(ts), stars: Number(stars) };
    });
}

export async function tableRows(db: Database): Promise<StarRow[]> {
  return sortRows(await db.query<StarRow>('select repo, ts, stars from github_stars order by repo, ts'));
}

/** Count and a checksum: enough to see that a failed load changed nothing. */
export async function tableState(db: Database): Promise<string> {
  const [row] = await db.query<{ n: number; sum: string | null; present: boolean }>(
    `select count(*)::int as n, sum(hashtext(repo || ',' || ts || ',' || stars)::bigint)::text as sum from github_stars`,
  );
  const keys = await db.query<{ n: number }>(
    `select count(*)::int as n from pg_constraint where conrelid = 'github_stars'::regclass and contype = 'p'`,
  );
  return `${row?.n}:${row?.sum}:pk=${keys[0]?.n}`;
}

/**
 * A real HTTP proxy in front of dynalite that answers every `every`-th Scan with DynamoDB's
 * throttling error (dynalite itself never throttles).
 */
export async function startThrottlingProxy(
  target: string,
  every: number,
): Promise<{ endpoint: string; throttled: () => number; close(): Promise<void> }> {
  const http = await import('node:http');
  let scans = 0;
  let throttled = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (String(req.headers['x-amz-target']).endsWith('.Scan') && ++scans % every === 0) {
        throttled += 1;
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
            message: 'The level of configured provisioned throughput for the table was exceeded.',
          }),
        );
        return;
      }
      const url = new URL(req.url ?? '/', target);
      const forward = http.request(url, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 500, up.headers);
        up.pipe(res);
      });
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    throttled: () => throttled,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
