// The embedded defaults a newcomer runs on: the DynamoDB tables are ACTIVE before use, and the
// embedded PostgreSQL server under <data dir>/postgres is one server per data directory, shared
// by commands running at once, stopped by the last one, recovered after a kill.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../core/database.js';
import { alive } from '../core/embedded-postgres.js';
import { createDynamoClient } from '../core/store/client.js';
import { ensureTables, startEmbeddedDynamo } from '../core/store/embedded-store.js';
import { loadTwoAtOnce, postmasterPid } from './helpers/careless-concurrent.js';
import { makeRows } from './helpers/etl-fixtures.js';
import { startCli } from './helpers/reliability-etl.js';
import { reachableTempDir } from './helpers/temp-dir.js';

const tmp = reachableTempDir('startrail-embedded-');
afterAll(async () => {
  const { rmSync } = await import('node:fs');
  rmSync(tmp, { recursive: true, force: true });
});

const csv = (name: string, rows: ReturnType<typeof makeRows>) => {
  const file = path.join(tmp, name);
  writeFileSync(file, rows.map((r) => `${r.repo},${r.ts},${r.stars}\n`).join(''));
  return file;
};

describe('embedded DynamoDB', () => {
  it('ensureTables returns only once both tables are ACTIVE, so the first write never misses', async () => {
    // dynalite keeps a new table CREATING for this long, as DynamoDB does for seconds.
    const dynamo = await startEmbeddedDynamo({ createTableMs: 400 });
    const client = createDynamoClient({ endpoint: dynamo.endpoint, region: 'us-east-1', maxAttempts: 1 });
    try {
      await ensureTables(client, { starsTable: 'stars-t', pollsTable: 'polls-t' });
      const item = { repo: { S: 'golang/go' }, ts: { N: '900' }, stars: { N: '1' } };
      await expect(client.send(new PutItemCommand({ TableName: 'stars-t', Item: item }))).resolves.toBeDefined();
      await expect(
        client.send(new PutItemCommand({ TableName: 'polls-t', Item: { track: { S: 'q' }, ts: { N: '900' } } })),
      ).resolves.toBeDefined();
    } finally {
      client.destroy();
      await dynamo.close();
    }
  });
});

describe('embedded PostgreSQL', () => {
  it('two opens of one data directory share one server; the last close stops it', async () => {
    const dataDir = reachableTempDir(path.join(tmp, 'share-'));
    const [a, b] = await Promise.all([
      openDatabase({ dataDir, log: () => {} }),
      openDatabase({ dataDir, log: () => {} }),
    ]);
    const pid = postmasterPid(dataDir)!;
    const [pa] = await a.query<{ port: string }>("select current_setting('port') as port");
    const [pb] = await b.query<{ port: string }>("select current_setting('port') as port");
    expect(pa?.port).toBe(pb?.port);
    await a.exec('create table shared (x int)');
    await b.exec('insert into shared values (1)');
    await a.close();
    expect(alive(pid)).toBe(true); // b still uses it
    expect(await b.query('select x from shared')).toEqual([{ x: 1 }]);
    await b.close();
    expect(alive(pid)).toBe(false);
    expect(postmasterPid(dataDir)).toBeUndefined();
  });

  it('two load CLIs at once on one data directory: every row exactly once, both exit 0', async () => {
    const dataDir = reachableTempDir(path.join(tmp, 'loads-'));
    const all = makeRows(40, 300);
    const first = csv(
      'first.csv',
      all.filter((r) => r.ts < all[0]!.ts + 200 * 900),
    );
    const second = csv(
      'second.csv',
      all.filter((r) => r.ts >= all[0]!.ts + 100 * 900),
    );
    const r = await loadTwoAtOnce(dataDir, [first, second]);
    expect(r.codes).toEqual([0, 0]);
    expect({ n: r.check.total, d: r.check.distinct }).toEqual({ n: all.length, d: all.length });
    expect(r.serverLeft).toBeUndefined(); // looked at before the check opened the store itself
    expect(r.pidAfterCheck).toBeUndefined();
  });

  it('a server whose command was killed is reused and then stopped; a stale postmaster.pid is recovered with a message', async () => {
    const dataDir = reachableTempDir(path.join(tmp, 'killed-'));
    const child = startCli('etl/load/load-cli.ts', ['--file', csv('big.csv', makeRows(200, 2000))], {
      DATABASE_URL: '',
      STARTRAIL_DATA_DIR: dataDir,
    });
    await new Promise<void>((resolve) =>
      child.process.stderr?.on('data', (d: Buffer) => d.toString().includes('-> github_stars') && resolve()),
    );
    child.process.kill('SIGKILL');
    await child.exited;
    const orphan = postmasterPid(dataDir)!;
    expect(alive(orphan)).toBe(true); // the server outlives a SIGKILLed command
    const lines: string[] = [];
    const reused = await openDatabase({ dataDir, log: (l) => lines.push(l) });
    expect(await reused.query("select to_regclass('github_stars') is null as absent")).toEqual([{ absent: true }]);
    await reused.close();
    expect(alive(orphan)).toBe(false);

    // Now the server itself dies without cleaning up (power cut, kill -9 of everything).
    const again = await openDatabase({ dataDir, log: () => {} });
    const pid = postmasterPid(dataDir)!;
    process.kill(pid, 'SIGKILL');
    await again.close().catch(() => {});
    await new Promise((r) => setTimeout(r, 300));
    const recovered = await openDatabase({ dataDir, log: (l) => lines.push(l) });
    expect(await recovered.query('select 1 as one')).toEqual([{ one: 1 }]);
    await recovered.close();
    expect(lines.join('\n')).toMatch(/not shut down cleanly \(stale postmaster.pid, pid \d+\)/);
  });

  it('a data directory of the old PGlite default is named, with what to do', async () => {
    const dataDir = reachableTempDir(path.join(tmp, 'old-'));
    mkdirSync(path.join(dataDir, 'pglite'));
    writeFileSync(path.join(dataDir, 'pglite', 'PG_VERSION'), '17\n');
    const lines: string[] = [];
    const db = await openDatabase({ dataDir, log: (l) => lines.push(l) });
    await db.close();
    expect(lines.join('\n')).toContain(
      `${path.join(dataDir, 'pglite')} is a database of the old embedded default (PGlite)`,
    );
    expect(lines.join('\n')).toContain('npm run load -- --file');
  });
});
