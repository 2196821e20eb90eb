// `npm run collect` used carelessly: an impossible --at, a live API asked for another day, a
// --top past the TRACKS limit. Each is refused with one `collect:` line and exit 2 before
// anything is written; and the collector stores only rows its own export accepts.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTime } from '../core/cli/flags.js';
import { loadConfig, parseTracks } from '../core/config.js';
import { MAX_TOP } from '../core/domain.js';
import { parseIsoTime } from '../core/iso-time.js';
import { validateRow } from '../core/parse-row.js';
import { RowError } from '../core/row-error.js';
import { STARS_MAX, TS_MAX, TS_MIN } from '../core/star-row.js';
import { createDynamoClient } from '../core/store/client.js';
import { embeddedDynamoDir, startEmbeddedDynamo } from '../core/store/embedded-store.js';
import { exportStars } from '../etl/export/export.js';
import { scanPolls } from '../etl/export/scan-polls.js';
import { eventSlot } from '../lambda/handler.js';
import { validateNodes } from '../lambda/validate-nodes.js';
import { UnstorableRowError, writeSnapshot } from '../lambda/write-snapshot.js';
import { type StartedSimulator, startGitHubSimulator } from '../local/github-sim/index.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'startrail-careless-'));
let dirs = 0;
const freshDir = () => path.join(tmp, `data-${++dirs}`);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  /** stderr lines the CLI itself wrote (logs are JSON lines). */
  lines: string[];
}

async function collect(args: string[], dataDir: string, env: Record<string, string> = {}): Promise<Ran> {
  const fullEnv = {
    ...process.env,
    GITHUB_TOKEN: '',
    GITHUB_TOKEN_SECRET_ARN: '',
    GITHUB_API_URL: '',
    DYNAMODB_ENDPOINT: '',
    TRACKS: '',
    STARTRAIL_DATA_DIR: dataDir,
    ...env,
  };
  let out: { code: number; stdout: string; stderr: string };
  try {
    out = { code: 0, ...(await run(tsx, ['local/collect.ts', ...args], { cwd: root, env: fullEnv, timeout: 90_000 })) };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    out = { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
  return { ...out, lines: out.stderr.split('\n').filter((l) => l.startsWith('collect:')) };
}

/** The one line of a refusal: exit 2, nothing else on stderr, no stack, nothing on stdout. */
function expectRefused(out: Ran, pattern: RegExp): void {
  expect(out.code, out.stderr).toBe(2);
  expect(out.stderr.trim().split('\n'), out.stderr).toEqual([expect.stringMatching(pattern)]);
  expect(out.stdout).toBe('');
}

const exists = (dir: string) => {
  try {
    return readdirSync(dir);
  } catch {
    return undefined;
  }
};

describe('collect --at is strict ISO 8601', () => {
  it.each([
    ['1', 'a bare number (Date.parse: 2001-01-01)'],
    ['2026-02-30T00:00:00Z', 'a day February does not have (Date.parse: March 2)'],
    ['2026-01-01', 'a date without a time'],
    ['2026-01-01T00:15:00', 'a time without a zone (Date.parse: the machine zone)'],
  ])('--at %s (%s): one line naming the flag, the value and an example, exit 2, nothing created', async (value) => {
    const dataDir = freshDir();
    const out = await collect(['--simulate', '--top', '5', '--at', value], dataDir);
    expectRefused(
      out,
      /^collect: option '--at <time>' argument '.+' is invalid\. expected an ISO 8601 date and time with Z or an offset.*such as 2026-01-01T00:15:00Z/,
    );
    expect(out.lines[0]).toContain(`'${value}'`);
    expect(exists(dataDir)).toBeUndefined();
  });

  it('parseIsoTime: a full date-time with Z or an offset, on a real calendar day; nothing else', () => {
    expect(parseIsoTime('2026-01-01T00:15:00Z')).toBe(Date.parse('2026-01-01T00:15:00Z'));
    expect(parseIsoTime('2026-01-01T00:15:00+01:00')).toBe(Date.parse('2025-12-31T23:15:00Z'));
    expect(parseIsoTime('2026-01-01T00:15:00.123-0530')).toBe(Date.parse('2026-01-01T05:45:00.123Z'));
    expect(parseIsoTime('2024-02-29T12:00Z')).toBe(Date.parse('2024-02-29T12:00:00Z'));
    expect(parseIsoTime('1969-06-01T00:00:00Z')).toBe(Date.parse('1969-06-01T00:00:00Z'));
    for (const bad of [
      '1',
      '2026',
      '2026-02-30T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:60:00Z',
      '2026-01-01T00:00:60Z',
      '2026-01-01T00:15:00',
      '2026-01-01 00:15:00Z',
      '2026-01-01T00:15:00+25:00',
      ' 2026-01-01T00:15:00Z',
      'Thu, 01 Jan 2026 00:00:00 GMT',
    ]) {
      expect(parseIsoTime(bad), bad).toBeUndefined();
    }
    expect(parseIsoTime('2026-01-01')).toBeUndefined();
    expect(parseIsoTime('2026-01-01', { dateOnly: true })).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(parseIsoTime('2026-02-30', { dateOnly: true })).toBeUndefined();
  });

  it('export/load --since/--until keep dates, zoned times and epoch seconds, and refuse impossible or zone-less ones', () => {
    expect(parseTime('2018-12-18', '--since')).toBe(1_545_091_200);
    expect(parseTime('2018-12-18T01:00:00+01:00', '--until')).toBe(1_545_091_200);
    expect(parseTime('1545091200', '--since')).toBe(1_545_091_200);
    for (const bad of ['2018-02-30', '2018-12-18T00:00:00', '2018-12-18junk', '2018-12-18T25:00:00Z']) {
      expect(() => parseTime(bad, '--since'), bad).toThrow(/^--since: expected an ISO date .*got "/);
    }
  });
});

describe('collect against a live API (GITHUB_API_URL and a token, no --simulate)', () => {
  let sim: StartedSimulator;
  const token = 'ghp_careless_collect_test_token';
  beforeAll(async () => {
    sim = await startGitHubSimulator({ seed: 3, token });
  });
  afterAll(() => sim?.close());

  it("--at 2019-06-01T00:00:00Z is refused in one line (today's counts are not 2019's), before any request or write", async () => {
    const dataDir = freshDir();
    const out = await collect(['--at', '2019-06-01T00:00:00Z', '--top', '5'], dataDir, {
      GITHUB_API_URL: sim.url,
      GITHUB_TOKEN: token,
    });
    expectRefused(
      out,
      /^collect: --at 2019-06-01T00:00:00Z: a live API answers with today's counts; only a slot within 15 minutes of now \(.+\) can be collected against it; use --simulate for other times$/,
    );
    expect(sim.stats.requests).toBe(0);
    expect(exists(dataDir)).toBeUndefined();
  });

  it('a slot within 15 minutes of now is collected (the check is not stricter than it says)', async () => {
    const dataDir = freshDir();
    const at = new Date(Date.now() - 5 * 60_000).toISOString();
    const out = await collect(['--at', at, '--top', '5', '--json'], dataDir, {
      GITHUB_API_URL: sim.url,
      GITHUB_TOKEN: token,
    });
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout.trim())).toMatchObject({ status: 'ok', written: 5 });
  });
});

describe('collect --at outside what the export accepts, even with --simulate', () => {
  it('--at 1969-06-01T00:00:00Z --simulate: refused, nothing stored; the export then succeeds and leaves no .tmp or checkpoint', async () => {
    const dataDir = freshDir();
    const good = await collect(['--simulate', '--at', '2026-05-04T10:20:00Z', '--top', '20'], dataDir);
    expect(good.code, good.stderr).toBe(0);
    const out = await collect(['--simulate', '--at', '1969-06-01T00:00:00Z', '--top', '20'], dataDir);
    expectRefused(
      out,
      /^collect: --at 1969-06-01T00:00:00Z: slot 1969-06-01T00:00:00Z is outside what can be stored and exported \(2008-01-01T00:00:00Z to 2099-12-31T23:59:59Z\)$/,
    );

    const config = loadConfig({ STARTRAIL_DATA_DIR: dataDir });
    const dynamo = await startEmbeddedDynamo({ dir: embeddedDynamoDir(dataDir) });
    const client = createDynamoClient({ endpoint: dynamo.endpoint, region: 'us-east-1', maxAttempts: 3 });
    try {
      const polls = await scanPolls(client, config.pollsTable);
      expect(polls?.map((p) => p.ts)).toEqual([Date.parse('2026-05-04T10:15:00Z') / 1000]);
      const exportDir = path.join(dataDir, 'export');
      mkdirSync(exportDir);
      const summary = await exportStars({
        client,
        table: config.starsTable,
        pollsTable: config.pollsTable,
        out: path.join(exportDir, 'stars.csv'),
      });
      expect(summary.rows).toBe(20);
      expect(readdirSync(exportDir).filter((f) => /\.tmp$|checkpoint/.test(f))).toEqual([]);
    } finally {
      client.destroy();
      await dynamo.close();
    }
  });

  it('--simulate --at 2100-01-01T00:00:00Z (past TS_MAX): refused the same way', async () => {
    const dataDir = freshDir();
    const out = await collect(['--simulate', '--at', '2100-01-01T00:00:00Z'], dataDir);
    expectRefused(out, /^collect: --at 2100-01-01T00:00:00Z: slot 2100-01-01T00:00:00Z is outside what can be stored/);
    expect(exists(dataDir)).toBeUndefined();
  });
});

describe('collect --top has the TRACKS limit', () => {
  it('--top 100000000 is refused naming the limit; TRACKS refuses the same number', async () => {
    const dataDir = freshDir();
    const out = await collect(['--simulate', '--top', '100000000'], dataDir);
    expectRefused(
      out,
      /^collect: option '--top <n>' argument '100000000' is invalid\. expected an integer from 1 to 100000 /,
    );
    expect(exists(dataDir)).toBeUndefined();
    expect(MAX_TOP).toBe(100_000);
    expect(parseTracks(`language:go=${MAX_TOP}`)).toEqual([{ query: 'language:go', top: MAX_TOP }]);
    expect(() => parseTracks(`language:go=${MAX_TOP + 1}`)).toThrow(`expected an integer from 1 to ${MAX_TOP}`);
  });
});

describe('one row rule for the collector and the export', () => {
  const etlAccepts = (row: { repo: string; ts: number; stars: number }): boolean => {
    try {
      validateRow(row, { item: 'edge' });
      return true;
    } catch (error) {
      if (error instanceof RowError) return false;
      throw error;
    }
  };
  // Answers every batch in full, so only the row check can refuse.
  const fakeDynamo = { send: async () => ({}) } as unknown as DynamoDBClient;
  const collectorAccepts = async (row: { repo: string; ts: number; stars: number }): Promise<boolean> => {
    try {
      const result = await writeSnapshot(fakeDynamo, [{ ...row, repoId: 7 }], { table: 'stars' });
      return result.written === 1;
    } catch (error) {
      if (error instanceof UnstorableRowError) return false;
      throw error;
    }
  };
  const edges = [
    { row: { repo: 'a/b', ts: TS_MIN - 1, stars: 1 }, ok: false },
    { row: { repo: 'a/b', ts: TS_MIN, stars: 1 }, ok: true },
    { row: { repo: 'a/b', ts: TS_MAX, stars: 1 }, ok: true },
    { row: { repo: 'a/b', ts: TS_MAX + 1, stars: 1 }, ok: false },
    { row: { repo: 'a/b', ts: -18_489_600, stars: 1 }, ok: false },
    { row: { repo: 'a/b', ts: TS_MIN, stars: -1 }, ok: false },
    { row: { repo: 'a/b', ts: TS_MIN, stars: 0 }, ok: true },
    { row: { repo: 'a/b', ts: TS_MIN, stars: STARS_MAX }, ok: true },
    { row: { repo: 'a/b', ts: TS_MIN, stars: STARS_MAX + 1 }, ok: false },
    { row: { repo: 'a/b', ts: TS_MIN, stars: 1.5 }, ok: false },
    { row: { repo: 'a/b/c', ts: TS_MIN, stars: 1 }, ok: false },
  ];

  it.each(edges)('the writer refuses exactly what the export refuses: %o', async ({ row, ok }) => {
    expect(etlAccepts(row)).toBe(ok);
    expect(await collectorAccepts(row)).toBe(ok);
  });

  it('the slot of an event: accepted exactly when the export accepts its ts', () => {
    const clock = () => new Date('2026-03-01T10:59:00Z');
    for (const ts of [TS_MIN - 1, TS_MIN, TS_MAX, TS_MAX + 1, -18_489_600]) {
      const time = new Date(ts * 1000).toISOString();
      let slot: number | undefined;
      try {
        slot = eventSlot({ time }, clock);
      } catch (error) {
        expect(error, time).toBeInstanceOf(RangeError);
      }
      expect(slot !== undefined, time).toBe(etlAccepts({ repo: 'a/b', ts, stars: 1 }));
      if (slot !== undefined) expect(etlAccepts({ repo: 'a/b', ts: slot, stars: 1 }), time).toBe(true);
    }
    expect(() => eventSlot({}, () => new Date(0))).toThrow(
      /the clock \(1970-01-01T00:00:00.000Z\): slot 0 cannot be stored/,
    );
    expect(() => eventSlot({ time: '2026-02-30T00:00:00Z' }, clock)).toThrow(/event.time: expected an ISO time/);
  });

  it('GitHub nodes: never a count the export refuses (and, stricter, none GitHub could not have)', () => {
    for (const stars of [-1, 0, 1, 10_000_000, 10_000_001, STARS_MAX, STARS_MAX + 1]) {
      const { repos } = validateNodes([
        { __typename: 'Repository', nameWithOwner: 'a/b', stargazerCount: stars, databaseId: 1 },
      ]);
      if (repos.length > 0) expect(etlAccepts({ repo: 'a/b', ts: TS_MIN, stars }), String(stars)).toBe(true);
      // 10,000,000 is the plausibility bound: STARS_MAX fits the column but no repository has it.
      expect(repos.length, String(stars)).toBe(stars >= 0 && stars <= 10_000_000 ? 1 : 0);
    }
  });
});
