// A real HTTP proxy in front of dynalite that makes DynamoDB misbehave the way AWS can and
// dynalite never does: part of each BatchWriteItem handed back as UnprocessedItems, and a
// share of writes answered with throttling errors. Reusable by any suite that writes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from './random.js';

export interface DynamoFaults {
  /** Share (0..1) of each BatchWriteItem's items returned unprocessed (at least one item is always processed). */
  unprocessedShare?: number;
  /** Share (0..1) of BatchWriteItem calls answered 400 ProvisionedThroughputExceededException. */
  throttleShare?: number;
  /** Share (0..1) of BatchWriteItem calls answered 500 InternalServerError (nothing written). */
  error500Share?: number;
}

export interface DynamoProxyStats {
  batchWrites: number;
  throttled: number;
  errors500: number;
  unprocessedReturned: number;
  itemsForwarded: number;
  requests: number;
}

export interface DynamoFaultProxy {
  endpoint: string;
  stats: DynamoProxyStats;
  setFaults(faults: DynamoFaults): void;
  close(): Promise<void>;
}

type WriteRequests = Record<string, unknown[]>;

export async function startDynamoFaultProxy(
  target: string,
  options: DynamoFaults & { seed?: number } = {},
): Promise<DynamoFaultProxy> {
  let faults: DynamoFaults = { ...options };
  const random = seededRandom(options.seed ?? 1);
  const stats: DynamoProxyStats = {
    batchWrites: 0,
    throttled: 0,
    errors500: 0,
    unprocessedReturned: 0,
    itemsForwarded: 0,
    requests: 0,
  };
  const targetUrl = new URL(target);

  const forward = (
    req: http.IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: targetUrl.host, 'content-length': String(body.length) };
      const out = http.request(
        { hostname: targetUrl.hostname, port: targetUrl.port, path: req.url, method: req.method, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 500, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  const reply = (res: http.ServerResponse, status: number, payload: unknown) => {
    const text = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      stats.requests += 1;
      try {
        let body = Buffer.concat(chunks);
        const target = String(req.headers['x-amz-target'] ?? '');
        let held: WriteRequests = {};
        if (target.endsWith('.BatchWriteItem')) {
          stats.batchWrites += 1;
          if (faults.throttleShare && random() < faults.throttleShare) {
            stats.throttled += 1;
            return reply(res, 400, {
              __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
              message: 'The level of configured provisioned throughput for the table was exceeded.',
            });
          }
          if (faults.error500Share && random() < faults.error500Share) {
            stats.errors500 += 1;
            return reply(res, 500, {
              __type: 'com.amazon.coral.availability#InternalServerError',
              message: 'Internal server error',
            });
          }
          const input = JSON.parse(body.toString('utf8')) as { RequestItems: WriteRequests };
          if (faults.unprocessedShare) {
            held = {};
            for (const [table, items] of Object.entries(input.RequestItems)) {
              const keep = Math.max(1, items.length - Math.floor(items.length * faults.unprocessedShare));
              if (keep < items.length) held[table] = items.slice(keep);
              input.RequestItems[table] = items.slice(0, keep);
            }
            body = Buffer.from(JSON.stringify(input));
          }
          for (const items of Object.values(input.RequestItems)) stats.itemsForwarded += items.length;
        }
        const answer = await forward(req, body);
        const headers = { ...answer.headers };
        let payload = answer.body;
        const heldCount = Object.values(held).reduce((n, items) => n + items.length, 0);
        if (heldCount > 0 && answer.status === 200) {
          const out = JSON.parse(payload.toString('utf8')) as { UnprocessedItems?: WriteRequests };
          out.UnprocessedItems = { ...(out.UnprocessedItems ?? {}) };
          for (const [table, items] of Object.entries(held))
            out.UnprocessedItems[table] = [...(out.UnprocessedItems[table] ?? []), ...items];
          stats.unprocessedReturned += heldCount;
          payload = Buffer.from(JSON.stringify(out));
          // The body changed, so dynalite's checksum no longer holds.
          delete headers['x-amz-crc32'];
        }
        headers['content-length'] = String(payload.length);
        delete headers['transfer-encoding'];
        res.writeHead(answer.status, headers);
        res.end(payload);
      } catch (error) {
        reply(res, 500, {
          __type: 'com.amazon.coral.availability#InternalServerError',
          message: (error as Error).message,
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    setFaults(f) {
      faults = { ...f };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
