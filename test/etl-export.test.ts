// export: dynalite -> CSV. Segments and time filters, the temp-file + rename contract, resume
// after an in-process abort and after a real SIGKILL of the CLI, and the embedded store's lock.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTime } from '../core/cli/flags.js';
import { createDynamoClient } from '../core/store/client.js';
import { assertStoreFree, StoreLockedError, startEmbeddedDynamo } from '../core/store/embedded-store.js';
import { readCheckpoint } from '../etl/export/checkpoint.js';
import { ExportError, exportStars } from '../etl/export/export.js';
import {
  makeRows,
  parseCsv,
  putRows,
  STARS_TABLE,
  sortRows,
  startTestDynamo,
  startThrottlingProxy,
  T0,
  type TestDynamo,
} from './helpers/etl-fixtures.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'etl-export-'));
let dynamo: TestDynamo;
const written = makeRows(50, 80); // 4,000 rows

beforeAll(async () => {
  dynamo = await startTestDynamo();
  await putRows(dynamo.client, written);
});
afterAll(async () => {
  await dynamo?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const read = (file: string) => sortRows(parseCsv(readFileSync(file, 'utf8')));

describe('export', () => {
  it('writes every row once, header-less repo,ts,stars, whatever the segment count', async () => {
    for (const segments of [1, 4, 7]) {
      const out = path.join(tmp, `all-${segments}.csv`);
      const summary = await exportStars({ client: dynamo.client, table: STARS_TABLE, out, segments, pageSize: 300 });
      expect(summary.rows).toBe(written.length);
      const text = readFileSync(out, 'utf8');
      expect(text.split('\n')[0]).toMatch(/^owner-\d+\/repo_\d+\.x,\d+,\d+$/);
      expect(read(out)).toEqual(sortRows(written));
      expect(existsSync(`${out}.tmp`) || existsSync(`${out}.checkpoint.json`)).toBe(false);
    }
  });

  it('an --out in a folder that does not exist is a clear error naming the folder', async () => {
    const out = path.join(tmp, 'no-such-folder', 'stars.csv');
    await expect(exportStars({ client: dynamo.client, table: STARS_TABLE, out })).rejects.toThrow(
      /the folder .*no-such-folder does not exist/,
    );
    expect(existsSync(path.dirname(out))).toBe(false);
  });

  it('--since (inclusive) and --until (exclusive) filter on ts', async () => {
    const out = path.join(tmp, 'window.csv');
    const since = T0 + 10 * 900;
    const until = T0 + 20 * 900;
    await exportStars({ client: dynamo.client, table: STARS_TABLE, out, since, until, segments: 2 });
    expect(read(out)).toEqual(sortRows(written.filter((r) => r.ts >= since && r.ts < until)));
    expect(parseTime('2018-12-18', '--since')).toBe(T0);
    expect(parseTime('2018-12-18T00:15:00Z', '--since')).toBe(T0 + 900);
    expect(parseTime(String(T0), '--since')).toBe(T0);
    expect(() => parseTime('last tuesday', '--since')).toThrow(/--since: expected an ISO date/);
  });

  it('an interrupted export leaves no output file; --resume finishes with the same rows', async () => {
    const out = path.join(tmp, 'abort.csv');
    const controller = new AbortController();
    let pages = 0;
    const first = exportStars({
      client: dynamo.client,
      table: STARS_TABLE,
      out,
      segments: 3,
      pageSize: 97,
      signal: controller.signal,
      onPage: () => {
        pages += 1;
        if (pages === 11) controller.abort();
      },
    });
    await expect(first).rejects.toThrow();
    expect(existsSync(out)).toBe(false);
    const checkpoint = await readCheckpoint(`${out}.checkpoint.json`);
    expect(checkpoint?.rows).toBeGreaterThan(0);
    expect(checkpoint!.rows).toBeLessThan(written.length);
    // Without --resume it refuses rather than silently starting over.
    await expect(
      exportStars({ client: dynamo.client, table: STARS_TABLE, out, segments: 3, pageSize: 97 }),
    ).rejects.toThrow(ExportError);
    await expect(
      exportStars({ client: dynamo.client, table: STARS_TABLE, out, segments: 2, resume: true }),
    ).rejects.toThrow(/--segments 3/);
    const resumed = await exportStars({
      client: dynamo.client,
      table: STARS_TABLE,
      out,
      segments: 3,
      pageSize: 97,
      resume: true,
    });
    expect(resumed.resumedRows).toBe(checkpoint!.rows);
    const rows = parseCsv(readFileSync(out, 'utf8'));
    expect(rows.length).toBe(written.length); // no row twice
    expect(sortRows(rows)).toEqual(sortRows(written));
  });

  it('SIGKILL of the export CLI mid-run, then --resume: the same rows as an uninterrupted run', async () => {
    const out = path.join(tmp, 'killed.csv');
    const args = [
      '--import',
      'tsx',
      'etl/export/export-cli.ts',
      '--out',
      out,
      '--segments',
      '3',
      '--page-size',
      '10',
      '--endpoint',
      dynamo.endpoint,
      '--table',
      STARS_TABLE,
    ];
    const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Kill once the checkpoint shows progress but well before the end.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const cp = await readCheckpoint(`${out}.checkpoint.json`).catch(() => undefined);
      if (cp && cp.rows >= 300) break;
      if (Date.now() > deadline) throw new Error('export CLI made no progress within 30 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;
    const cp = await readCheckpoint(`${out}.checkpoint.json`);
    expect(cp!.rows).toBeLessThan(written.length);
    expect(existsSync(out)).toBe(false);
    expect(statSync(`${out}.tmp`).size).toBeGreaterThanOrEqual(cp!.bytes);

    const rerun = spawn(process.execPath, [...args, '--resume'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    rerun.stdout.on('data', (d) => (stdout += d));
    const code = await new Promise<number | null>((resolve) => rerun.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(stdout).toMatch(/exported 4,000 rows \(resumed after [\d,]+\)/);
    const rows = parseCsv(readFileSync(out, 'utf8'));
    expect(rows.length).toBe(written.length);
    expect(sortRows(rows)).toEqual(sortRows(written));
  });

  it('throttled Scans (every 3rd answered ProvisionedThroughputExceeded) are retried: every row, once', async () => {
    const proxy = await startThrottlingProxy(dynamo.endpoint, 3);
    const client = createDynamoClient({ endpoint: proxy.endpoint, region: 'us-east-1', maxAttempts: 1 });
    try {
      const out = path.join(tmp, 'throttled.csv');
      const summary = await exportStars({
        client,
        table: STARS_TABLE,
        out,
        segments: 4,
        pageSize: 250,
        retry: { baseMs: 1, maxMs: 5 },
      });
      expect(proxy.throttled()).toBeGreaterThan(3);
      expect(summary.rows).toBe(written.length);
      expect(read(out)).toEqual(sortRows(written));
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  it('the embedded store in use by another process is a clear error, not a crash', async () => {
    const dir = path.join(tmp, 'store');
    const holder = await startEmbeddedDynamo({ dir });
    const client = createDynamoClient({ endpoint: holder.endpoint, region: 'us-east-1' });
    await client.send(new ListTablesCommand({})); // dynalite opens its LevelDB on first use
    await expect(assertStoreFree(dir)).rejects.toThrow(StoreLockedError);
    await expect(assertStoreFree(dir)).rejects.toThrow(/in use by another process/);
    client.destroy();
    await holder.close();
  });
});
