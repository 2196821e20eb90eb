// Renames and polls through the ETL: dynalite items with a rename (two names, one repoId) and
// poll records -> export (the star CSV keeps three columns; the renames and polls files travel
// beside it) -> load (the embedded server) -> the stitched analyses show one series under the latest name and
// coverage comes from the polls table. The same through `load --from-dynamodb`, and an
// interrupted export resumed gives the same renames file.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRepoIds, runAnalysis } from '../analysis/queries/run-analysis.js';
import { encodePollItem } from '../core/store/poll-item.js';
import { exportStars, scanBatches } from '../etl/export/export.js';
import { RepoNames } from '../etl/export/repo-names.js';
import { scanPolls } from '../etl/export/scan-polls.js';
import { readCsvBatches } from '../etl/formats/read-csv.js';
import { readSideFiles, sideFilePaths } from '../etl/formats/side-csv.js';
import { loadBatches } from '../etl/load/load.js';
import { embeddedDb, type TestDb } from './helpers/analysis-fixtures.js';
import { POLLS_TABLE, STARS_TABLE, startTestDynamo, type TestDynamo } from './helpers/etl-fixtures.js';
import { reachableTempDir } from './helpers/temp-dir.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const DAY = 86_400;
const D0 = 1_780_012_800; // a UTC midnight
const SLOTS = 4 * 96; // four days of 15-minute polls
const RENAME_SLOT = 96 + 40; // docker/docker becomes moby/moby on the second day
const MISSING = [200, 201, 202];
const FAILED = 250;
const TRACK = 'language:go';

interface Item {
  repo: string;
  ts: number;
  stars: number;
  repoId: number;
}

function world(): { items: Item[]; polls: ReturnType<typeof poll>[] } {
  const items: Item[] = [];
  const polls = [];
  for (let s = 0; s < SLOTS; s++) {
    if (MISSING.includes(s) || s === FAILED) {
      if (s === FAILED) polls.push(poll(s, 'failed', 0));
      continue;
    }
    items.push({
      repo: s < RENAME_SLOT ? 'docker/docker' : 'moby/moby',
      ts: D0 + s * 900,
      stars: 50_000 + s,
      repoId: 2_000_001,
    });
    items.push({ repo: 'golang/go', ts: D0 + s * 900, stars: 90_000 + 2 * s, repoId: 23_096_959 });
    polls.push(poll(s, 'ok', 2));
  }
  return { items, polls };
}

function poll(slot: number, status: 'ok' | 'failed', written: number) {
  return encodePollItem({
    track: TRACK,
    ts: D0 + slot * 900,
    status,
    expected: 2,
    written,
    rejected: 0,
    points: 1,
    requests: 1,
    durationMs: 420,
    startedAt: new Date((D0 + slot * 900 + 5) * 1000).toISOString(),
    ...(status === 'failed' ? { error: 'GitHub answered 502, "bad gateway"' } : {}),
  }).item;
}

async function put(client: DynamoDBClient, table: string, items: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item: Item as never } })) },
      }),
    );
  }
}

const { items, polls } = world();
let dynamo: TestDynamo;
let tmp: string;

beforeAll(async () => {
  dynamo = await startTestDynamo();
  tmp = reachableTempDir('startrail-insights-etl-');
  await put(
    dynamo.client,
    STARS_TABLE,
    items.map((r) => ({
      repo: { S: r.repo },
      ts: { N: String(r.ts) },
      stars: { N: String(r.stars) },
      repoId: { N: String(r.repoId) },
    })),
  );
  await put(dynamo.client, POLLS_TABLE, polls);
});

afterAll(async () => {
  await dynamo?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const expectedNames = [
  { repoId: 2_000_001, repo: 'docker/docker', firstTs: D0, lastTs: D0 + (RENAME_SLOT - 1) * 900 },
  { repoId: 2_000_001, repo: 'moby/moby', firstTs: D0 + RENAME_SLOT * 900, lastTs: D0 + (SLOTS - 1) * 900 },
  { repoId: 23_096_959, repo: 'golang/go', firstTs: D0, lastTs: D0 + (SLOTS - 1) * 900 },
];

/** What every route into the database must give: one moby/moby series, coverage from polls. */
async function expectStitched(t: TestDb): Promise<void> {
  expect(await hasRepoIds(t.db)).toBe(true);
  const renames = (await runAnalysis(t.db, 'renames')).rows;
  expect(renames.map((r) => [r.repo, r.canonical])).toEqual([
    ['docker/docker', 'moby/moby'],
    ['moby/moby', 'moby/moby'],
  ]);
  const gains = (await runAnalysis(t.db, 'daily-gains')).rows;
  expect([...new Set(gains.map((r) => r.repo))]).toEqual(['golang/go', 'moby/moby']);
  const moby = gains.filter((r) => r.repo === 'moby/moby');
  expect(moby.map((r) => r.day)).toEqual([D0, D0 + DAY, D0 + 2 * DAY, D0 + 3 * DAY]);
  // The rename day gains like any other (96 slots, one star each), not 50,000 from nothing.
  expect(moby.map((r) => r.new_stars)).toEqual([null, 96, 96, 96]);
  expect((await runAnalysis(t.db, 'bursts')).rows).toEqual([]);
  const history = (await runAnalysis(t.db, 'repo-history', { repos: ['moby/moby'] })).rows;
  expect(history).toHaveLength(items.filter((r) => r.repoId === 2_000_001).length);
  const gaps = (await runAnalysis(t.db, 'coverage-gaps')).rows;
  expect(gaps).toEqual([
    { track: TRACK, status: 'missing', start_ts: D0 + 200 * 900, end_ts: D0 + 202 * 900, slots: 3, cadence: 900 },
    { track: TRACK, status: 'failed', start_ts: D0 + 250 * 900, end_ts: D0 + 250 * 900, slots: 1, cadence: 900 },
  ]);
  const coverage = (await runAnalysis(t.db, 'coverage')).rows;
  expect(coverage.map((d) => [d.present, d.failed, d.missing, d.repos_max])).toEqual([
    [96, 0, 0, 2],
    [96, 0, 0, 2],
    [92, 1, 3, 2],
    [96, 0, 0, 2],
  ]);
}

describe('export writes the renames and polls files beside the three-column CSV', () => {
  const out = () => path.join(tmp, 'github-stars.csv');

  it('exports the stars as repo,ts,stars and the names and polls beside them', async () => {
    const summary = await exportStars({
      client: dynamo.client,
      table: STARS_TABLE,
      pollsTable: POLLS_TABLE,
      out: out(),
      segments: 2,
      pageSize: 100,
    });
    expect(summary.rows).toBe(items.length);
    expect(summary.repoNames).toBe(3);
    expect(summary.polls).toBe(polls.length);
    const paths = sideFilePaths(out());
    expect(paths.repos).toBe(path.join(tmp, 'github-stars.repos.csv'));
    expect(summary.sideFiles).toEqual([paths.repos, paths.polls]);
    for (const line of readFileSync(out(), 'utf8').trim().split('\n')) expect(line).toMatch(/^[a-z]+\/[a-z]+,\d+,\d+$/);
    expect(readFileSync(paths.repos, 'utf8')).toBe(
      `repo_id,repo,first_ts,last_ts\n${expectedNames.map((n) => `${n.repoId},${n.repo},${n.firstTs},${n.lastTs}`).join('\n')}\n`,
    );
    const side = await readSideFiles(out());
    expect(side.repos).toEqual(expectedNames);
    expect(side.polls).toHaveLength(polls.length);
    expect(side.polls!.find((p) => p.status === 'failed')).toMatchObject({
      ts: D0 + FAILED * 900,
      error: 'GitHub answered 502, "bad gateway"',
      written: 0,
    });
    expect(existsSync(`${paths.repos}.tmp`)).toBe(false);
  });

  it('load reads them from beside the CSV, in the stars transaction: stitched analyses', async () => {
    const t = await embeddedDb();
    try {
      const side = await readSideFiles(out());
      const summary = await loadBatches(t.db, readCsvBatches(out()), { side: () => side });
      expect(summary).toMatchObject({ rowsLoaded: items.length, repoNames: 3, polls: polls.length });
      await expectStitched(t);
      // Loading again widens nothing and duplicates nothing.
      await loadBatches(t.db, readCsvBatches(out()), { side: () => side });
      expect(await t.db.query('select count(*)::int as n from repos')).toEqual([{ n: 3 }]);
      expect(await t.db.query('select count(*)::int as n from polls')).toEqual([{ n: polls.length }]);
    } finally {
      await t.close();
    }
  });

  it('a bad renames file fails the load with file and line, and nothing is loaded', async () => {
    const dir = mkdtempSync(path.join(tmp, 'bad-'));
    const csv = path.join(dir, 'github-stars.csv');
    writeFileSync(csv, readFileSync(out()));
    writeFileSync(
      path.join(dir, 'github-stars.repos.csv'),
      'repo_id,repo,first_ts,last_ts\n1,a/b,1780012800,1780012800\nx,c/d,1780012800,1780012800\n',
    );
    await expect(readSideFiles(csv)).rejects.toThrow(
      /github-stars\.repos\.csv, line 3: repo_id must be an integer of at least 1, got "x"/,
    );
    writeFileSync(path.join(dir, 'github-stars.repos.csv'), 'repo,repo_id\n');
    await expect(readSideFiles(csv)).rejects.toThrow(/line 1: expected the header repo_id,repo,first_ts,last_ts/);
  });

  it('npm run load picks the side files up next to --file', async () => {
    const dataDir = reachableTempDir(path.join(tmp, 'data-'));
    const env = {
      ...process.env,
      STARTRAIL_DATA_DIR: dataDir,
      DATABASE_URL: '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'etl/load/load-cli.ts', '--file', out()],
      {
        cwd: ROOT,
        env,
      },
    );
    expect(stderr).toContain('github-stars.repos.csv');
    expect(stdout).toMatch(new RegExp(`loaded ${items.length} rows .*; 3 repo names; ${polls.length} polls`));
  });

  it('an interrupted export, resumed, writes the same renames file', async () => {
    const cut = path.join(tmp, 'cut.csv');
    const controller = new AbortController();
    let pages = 0;
    const first = exportStars({
      client: dynamo.client,
      table: STARS_TABLE,
      pollsTable: POLLS_TABLE,
      out: cut,
      segments: 2,
      pageSize: 50,
      signal: controller.signal,
      onPage: () => {
        if (++pages === 7) controller.abort();
      },
    });
    await expect(first).rejects.toThrow();
    expect(existsSync(sideFilePaths(cut).repos)).toBe(false);
    await exportStars({
      client: dynamo.client,
      table: STARS_TABLE,
      pollsTable: POLLS_TABLE,
      out: cut,
      segments: 2,
      pageSize: 50,
      resume: true,
    });
    expect(readFileSync(sideFilePaths(cut).repos, 'utf8')).toBe(readFileSync(sideFilePaths(out()).repos, 'utf8'));
    expect(readFileSync(sideFilePaths(cut).polls, 'utf8')).toBe(readFileSync(sideFilePaths(out()).polls, 'utf8'));
  });
});

describe('load --from-dynamodb passes the names and polls through', () => {
  it('stitches the same way with no files in between', async () => {
    const t = await embeddedDb();
    try {
      const names = new RepoNames();
      const batches = scanBatches({ client: dynamo.client, table: STARS_TABLE, segments: 3, pageSize: 64 }, names);
      const summary = await loadBatches(t.db, batches, {
        side: async () => ({ repos: names.list(), polls: await scanPolls(dynamo.client, POLLS_TABLE) }),
      });
      expect(summary).toMatchObject({ rowsLoaded: items.length, repoNames: 3, polls: polls.length });
      await expectStitched(t);
    } finally {
      await t.close();
    }
  });

  it('a missing polls table means no polls, not an error', async () => {
    expect(await scanPolls(dynamo.client, 'no-such-table')).toBeUndefined();
  });
});
