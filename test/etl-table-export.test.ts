// export --from-export: a DynamoDB export to S3 (built here in AWS's exact layout from the items
// of the same dynalite tables) gives the same CSV, renames file and polls file as the Scan export
// of those tables; a refused item, a garbled line, a missing data file, a truncated file and an
// item count that does not match the manifest each stop it with one line, a non-zero exit and
// no output file. The same from a real S3-compatible server (s3rver) through s3://.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePollItem } from '../core/store/poll-item.js';
import { encodeStarsItem } from '../core/store/stars-item.js';
import { sideFilePaths } from '../etl/formats/side-csv.js';
import { POLLS_TABLE, STARS_TABLE, startTestDynamo, type TestDynamo } from './helpers/etl-fixtures.js';
import { type Item, scanItems, type TableExportOptions, writeTableExport } from './helpers/table-export.js';
import { reachableTempDir } from './helpers/temp-dir.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const D0 = 1_780_012_800; // a UTC midnight
const REPOS = 30;
const SLOTS = 40;
const TRACK = 'language:go';

/** Stars with a rename (one repo id, two names) and a few items written before repo ids were stored. */
function starItems(): Item[] {
  const items: Item[] = [];
  for (let s = 0; s < SLOTS; s++) {
    for (let r = 0; r < REPOS; r++) {
      const repo = r === 0 ? (s < 25 ? 'docker/docker' : 'moby/moby') : `owner-${r}/repo-${r}`;
      const item = encodeStarsItem({ repo, ts: D0 + s * 900, stars: 1000 * r + s, repoId: 5000 + r });
      if (r === 7 && s < 3) delete item.repoId;
      items.push(item);
    }
  }
  return items;
}

function pollItems(): Item[] {
  return Array.from({ length: SLOTS }, (_, s) => {
    const failed = s % 13 === 5;
    return encodePollItem(
      {
        track: TRACK,
        ts: D0 + s * 900,
        status: failed ? 'failed' : s === 17 ? 'partial' : 'ok',
        expected: REPOS,
        written: failed ? 0 : REPOS,
        rejected: 0,
        points: 1,
        requests: 1,
        durationMs: 400 + s,
        startedAt: new Date((D0 + s * 900 + 5) * 1000).toISOString(),
        ...(failed ? { error: 'GitHub answered 502, "bad gateway"\nthen gave up' } : {}),
      },
      failed ? [] : ['golang/go', 'moby/moby'],
    ).item;
  });
}

async function put(client: DynamoDBClient, table: string, items: readonly Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
}

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function exportCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'etl/export/export-cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POLLS_TABLE, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

let dynamo: TestDynamo;
let tmp: string;
let stars: Item[];
let polls: Item[];
/** The Scan export's files: the reference. */
let scanCsv: string;

beforeAll(async () => {
  dynamo = await startTestDynamo();
  tmp = reachableTempDir('startrail-table-export-');
  await put(dynamo.client, STARS_TABLE, starItems());
  await put(dynamo.client, POLLS_TABLE, pollItems());
  stars = await scanItems(dynamo.client, STARS_TABLE);
  polls = await scanItems(dynamo.client, POLLS_TABLE);
  scanCsv = path.join(tmp, 'scan.csv');
  const scan = await exportCli(['--out', scanCsv, '--endpoint', dynamo.endpoint, '--table', STARS_TABLE]);
  expect(scan.code, scan.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await dynamo?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const sortedLines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).sort();

/** The CSV (same rows, any order), renames file and polls file (byte for byte) equal the Scan export's. */
function expectSameAsScan(out: string): void {
  expect(sortedLines(out)).toEqual(sortedLines(scanCsv));
  expect(sortedLines(out)).toHaveLength(REPOS * SLOTS);
  const [mine, reference] = [sideFilePaths(out), sideFilePaths(scanCsv)];
  expect(readFileSync(mine.repos, 'utf8')).toBe(readFileSync(reference.repos, 'utf8'));
  expect(readFileSync(mine.repos, 'utf8')).toMatch(/5000,docker\/docker,.*\n5000,moby\/moby,/);
  expect(readFileSync(mine.polls, 'utf8')).toBe(readFileSync(reference.polls, 'utf8'));
  expect(readFileSync(mine.polls, 'utf8').split('\n').length).toBeGreaterThan(SLOTS);
}

/** A fresh bucket folder with a stars export (optionally changed) and a polls export. */
function exportFolders(name: string, change: Partial<TableExportOptions> = {}) {
  const root = path.join(tmp, name);
  const starsExport = writeTableExport({ root, table: STARS_TABLE, items: stars, prefix: 'stars', ...change });
  const pollsExport = writeTableExport({ root, table: POLLS_TABLE, items: polls, prefix: 'polls', files: 2, seed: 3 });
  return { root, stars: starsExport, polls: pollsExport };
}

/** One `export:` line on stderr, exit 1, and nothing written where the output would be. */
async function expectRefused(args: string[], out: string, says: RegExp, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const result = await exportCli([...args, '--out', out], env);
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(says);
  expect(result.code).toBe(1);
  const side = sideFilePaths(out);
  for (const file of [out, `${out}.tmp`, side.repos, side.polls, `${side.repos}.tmp`])
    expect(existsSync(file)).toBe(false);
}

describe('export --from-export (a DynamoDB export to S3, as files)', () => {
  it('gives the same CSV, renames file and polls file as the Scan export of the same tables', async () => {
    const folders = exportFolders('same');
    const out = path.join(tmp, 'native.csv');
    // The stars by the export's own folder; the polls by the folder `aws s3 sync` of the prefix gives.
    const result = await exportCli([
      '--from-export',
      folders.stars.dir,
      '--polls-export',
      path.join(folders.root, 'polls'),
      '--out',
      out,
    ]);
    // Nothing on stderr but progress (`export: 1200/1200 items`).
    expect(result.stderr).not.toMatch(/export: (?!\d+\/\d+ items)/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^exported 1,200 rows to .*native\.csv .*; 31 repo names, 40 polls in /);
    expectSameAsScan(out);
    expect(existsSync(`${out}.tmp`)).toBe(false);
  });

  it('an item the codecs refuse stops it with the data file and line, and nothing is written', async () => {
    const folders = exportFolders('bad-item', {
      lines: (file, lines) =>
        file === 1 ? lines.map((l, i) => (i === 6 ? l.replace(/"S":"[^"]+"/, '"S":"a/b/c"') : l)) : lines,
    });
    const bad = path.relative(ROOT, folders.stars.dataFiles[1]!);
    await expectRefused(
      ['--from-export', folders.stars.dir, '--polls-export', folders.polls.dir],
      path.join(tmp, 'bad-item.csv'),
      new RegExp(
        `^export: .*${path.basename(bad).replace('.', '\\.')}, line 7, DynamoDB item repo="a/b/c" ts=\\d+ in table ${STARS_TABLE}: invalid repository name`,
      ),
    );
  });

  it('a line that is not DynamoDB JSON is named by file and line', async () => {
    const folders = exportFolders('garbled', {
      lines: (file, lines) => (file === 0 ? lines.map((l, i) => (i === 2 ? l.slice(0, 40) : l)) : lines),
    });
    await expectRefused(
      ['--from-export', folders.stars.dir],
      path.join(tmp, 'garbled.csv'),
      new RegExp(`^export: .*${path.basename(folders.stars.dataFiles[0]!)}, line 3: not a DynamoDB JSON line`),
    );
  });

  it('a data file the manifest lists but the folder lacks is named', async () => {
    const folders = exportFolders('missing');
    rmSync(folders.stars.dataFiles[2]!);
    await expectRefused(
      ['--from-export', folders.stars.dir, '--polls-export', folders.polls.dir],
      path.join(tmp, 'missing.csv'),
      new RegExp(
        `^export: .*${path.basename(folders.stars.dataFiles[2]!)}: missing \\(listed in manifest-files\\.json\\)`,
      ),
    );
  });

  it('a file holding fewer items than its manifest line says (a truncated download) is an error', async () => {
    const folders = exportFolders('count');
    const manifest = path.join(folders.stars.dir, 'manifest-files.json');
    const lines = readFileSync(manifest, 'utf8').split('\n').filter(Boolean);
    const first = JSON.parse(lines[0]!) as { itemCount: number };
    lines[0] = JSON.stringify({ ...first, itemCount: first.itemCount + 1 });
    writeFileSync(manifest, `${lines.join('\n')}\n`);
    // The summary agrees with the files' manifest, so only reading the file can tell.
    const summaryFile = path.join(folders.stars.dir, 'manifest-summary.json');
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { itemCount: number };
    writeFileSync(summaryFile, JSON.stringify({ ...summary, itemCount: summary.itemCount + 1 }));
    await expectRefused(
      ['--from-export', folders.stars.dir],
      path.join(tmp, 'count.csv'),
      new RegExp(
        `^export: .*${path.basename(folders.stars.dataFiles[0]!)}: manifest-files\\.json lists ${first.itemCount + 1} items, the file holds ${first.itemCount}`,
      ),
    );
  });

  it('a summary whose item count differs from its files manifest is an error before anything is read', async () => {
    const folders = exportFolders('summary-count');
    const summaryFile = path.join(folders.stars.dir, 'manifest-summary.json');
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { itemCount: number };
    writeFileSync(summaryFile, JSON.stringify({ ...summary, itemCount: summary.itemCount - 5 }));
    await expectRefused(
      ['--from-export', folders.stars.dir],
      path.join(tmp, 'summary-count.csv'),
      /^export: .*manifest-summary\.json says 1,195 items, manifest-files\.json lists 1,200/,
    );
  });

  it('a data file cut short is refused (gzip or MD5), naming the file', async () => {
    const folders = exportFolders('cut');
    const file = folders.stars.dataFiles[1]!;
    truncateSync(file, Math.floor(readFileSync(file).length / 2));
    await expectRefused(
      ['--from-export', folders.stars.dir],
      path.join(tmp, 'cut.csv'),
      new RegExp(`^export: .*${path.basename(file)}.*(corrupt or truncated gzip|MD5)`),
    );
  });

  it('a folder without a manifest, an export still running and an ION export are refused, saying why', async () => {
    const empty = path.join(tmp, 'no-export');
    cpSync(path.join(ROOT, 'docs'), empty, { recursive: true });
    await expectRefused(['--from-export', empty], path.join(tmp, 'none.csv'), /no manifest-summary\.json/);
    // Only _started: AWS writes it first, the manifests last.
    writeFileSync(path.join(empty, '_started'), '');
    await expectRefused(['--from-export', empty], path.join(tmp, 'running.csv'), /the export has not completed/);
    const folders = exportFolders('ion');
    const summaryFile = path.join(folders.stars.dir, 'manifest-summary.json');
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as object;
    writeFileSync(summaryFile, JSON.stringify({ ...summary, outputFormat: 'ION' }));
    await expectRefused(['--from-export', folders.stars.dir], path.join(tmp, 'ion.csv'), /DYNAMODB_JSON/);
  });

  it('flags that belong to the Scan export, and --polls-export alone, are usage errors (exit 2)', async () => {
    const folders = exportFolders('flags');
    const resume = await exportCli(['--from-export', folders.stars.dir, '--resume', '--out', path.join(tmp, 'r.csv')]);
    expect(resume.code).toBe(2);
    expect(resume.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^export: .*--resume/)]);
    const alone = await exportCli(['--polls-export', folders.polls.dir, '--out', path.join(tmp, 'p.csv')]);
    expect(alone.code).toBe(2);
    expect(alone.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^export: --polls-export .*--from-export/)]);
    expect(readdirSync(tmp).filter((f) => /^[rp]\.csv/.test(f))).toEqual([]);
  });
});

/** Every file under `dir`, as `[key relative to dir, path]`. */
function filesUnder(dir: string, prefix = ''): [string, string][] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    const key = prefix ? `${prefix}/${name}` : name;
    return statSync(file).isDirectory() ? filesUnder(file, key) : [[key, file] as [string, string]];
  });
}

describe('export --from-export s3://... (s3rver: a real S3-compatible server)', () => {
  const BUCKET = 'startrail-exports';
  const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const env = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
  let server: S3rver;
  let endpoint: string;
  let client: S3Client;
  let folders: ReturnType<typeof exportFolders>;

  beforeAll(async () => {
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: path.join(tmp, 's3rver'),
      configureBuckets: [{ name: BUCKET }],
    });
    endpoint = `http://127.0.0.1:${(await server.run()).port}`;
    client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: CREDENTIALS });
    folders = exportFolders('bucket');
    for (const [Key, file] of filesUnder(folders.root)) {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: readFileSync(file) }));
    }
  });
  afterAll(async () => {
    client?.destroy();
    await server?.close();
  });

  it('reads the export with GetObject alone and gives the same files as the Scan export', async () => {
    const out = path.join(tmp, 's3.csv');
    const result = await exportCli(
      [
        '--from-export',
        `s3://${BUCKET}/${folders.stars.base}`,
        '--polls-export',
        `s3://${BUCKET}/${folders.polls.base}/manifest-summary.json`,
        '--s3-endpoint',
        endpoint,
        '--out',
        out,
      ],
      env,
    );
    expect(result.stderr).not.toMatch(/export: (?!\d+\/\d+ items)/);
    expect(result.code).toBe(0);
    expectSameAsScan(out);
  });

  it('a prefix above the export, and a data object that is gone, are one line each', async () => {
    await expectRefused(
      ['--from-export', `s3://${BUCKET}/stars`, '--s3-endpoint', endpoint],
      path.join(tmp, 's3-prefix.csv'),
      new RegExp(`^export: s3://${BUCKET}/stars/manifest-summary\\.json: missing: give the export's folder`),
      env,
    );
    const gone = `${folders.stars.base}/data/${path.basename(folders.stars.dataFiles[1]!)}`;
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: gone }));
    await expectRefused(
      ['--from-export', `s3://${BUCKET}/${folders.stars.base}`, '--s3-endpoint', endpoint],
      path.join(tmp, 's3-gone.csv'),
      new RegExp(
        `^export: s3://${BUCKET}/${gone.replace(/\./g, '\\.')}: missing \\(listed in manifest-files\\.json\\)`,
      ),
      env,
    );
  });
});
