// The two files export writes beside the star CSV, which stays the article's three columns:
//   <base>.repos.csv  repo_id,repo,first_ts,last_ts  every name each GitHub repo id had (renames)
//   <base>.polls.csv  the polls table, one row per collector run and track (coverage)
// Both are small (one row per repo name, one per poll), so they are built in memory, written to
// a temp file and renamed, and read whole by load. Both carry a header: unlike the star CSV,
// nothing external reads them, and a header makes a swapped or stale file fail loudly.
// Load also takes them gzipped (`<base>.repos.csv.gz`), as it takes the star CSV.
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import {
  type AttributeValue,
  type DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { capErrorText, redactSecrets } from '../../core/redact.js';
import { isRepoName } from '../../core/repo-name.js';
import { RowError, type RowSource, showValue, TS_MAX, TS_MIN } from '../formats/validate-row.js';
import { type RetryOptions, withRetry } from './scan-stars.js';

/** One name of one repository id, with the first and last sample time seen under it. */
export interface RepoName {
  repoId: number;
  repo: string;
  firstTs: number;
  lastTs: number;
}

/** A row of the polls table (core/domain.ts Poll), as load stores it. */
export interface PollRow {
  track: string;
  ts: number;
  status: string;
  expected: number | null;
  written: number | null;
  rejected: number | null;
  points: number | null;
  requests: number | null;
  durationMs: number | null;
  startedAt: string | null;
  error: string | null;
}

/** What load adds next to the stars, in the same transaction. */
export interface SideData {
  repos?: RepoName[];
  polls?: PollRow[];
}

export const REPOS_HEADER = ['repo_id', 'repo', 'first_ts', 'last_ts'];
export const POLLS_HEADER = [
  'track',
  'ts',
  'status',
  'expected',
  'written',
  'rejected',
  'points',
  'requests',
  'duration_ms',
  'started_at',
  'error',
];
const STATUSES = new Set(['ok', 'partial', 'failed']);

/** `github-stars.csv` (or `.csv.gz`) -> `github-stars.repos.csv` and `github-stars.polls.csv`. */
export function sideFilePaths(csv: string): { repos: string; polls: string } {
  const base = csv.replace(/\.csv(\.gz)?$/i, '');
  return { repos: `${base}.repos.csv`, polls: `${base}.polls.csv` };
}

/**
 * The names seen per repo id, first and last time. Adding the same sample twice changes
 * nothing (min and max), which is what makes a resumed export, re-reading the pages after its
 * last checkpoint, give the same file.
 */
export class RepoNames {
  private readonly names = new Map<string, RepoName>();

  constructor(initial: readonly RepoName[] = []) {
    for (const n of initial) this.add(n.repoId, n.repo, n.firstTs, n.lastTs);
  }

  add(repoId: number, repo: string, firstTs: number, lastTs = firstTs): void {
    const key = `${repoId}\t${repo}`;
    const had = this.names.get(key);
    if (!had) this.names.set(key, { repoId, repo, firstTs, lastTs });
    else {
      had.firstTs = Math.min(had.firstTs, firstTs);
      had.lastTs = Math.max(had.lastTs, lastTs);
    }
  }

  get size(): number {
    return this.names.size;
  }

  /** By repo id, then name (byte order): the same file for the same data. */
  list(): RepoName[] {
    return [...this.names.values()].sort(
      (a, b) => a.repoId - b.repoId || (a.repo < b.repo ? -1 : a.repo > b.repo ? 1 : 0),
    );
  }
}

/** A stars item's repoId (GitHub databaseId): a positive integer, or absent on items without one. */
export function itemRepoId(item: Record<string, AttributeValue>, where: string): number | undefined {
  const raw = item.repoId?.N;
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^[0-9]{1,15}$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    throw new RowError('INVALID_FIELD', { item: where }, 'repoId must be a positive integer', 'repoId', raw);
  }
  return n;
}

export function reposToCsv(repos: readonly RepoName[]): string {
  return stringify(
    repos.map((r) => [r.repoId, r.repo, r.firstTs, r.lastTs]),
    { header: true, columns: REPOS_HEADER, record_delimiter: 'unix' },
  );
}

export function pollsToCsv(polls: readonly PollRow[]): string {
  return stringify(
    polls.map((p) => [
      p.track,
      p.ts,
      p.status,
      p.expected,
      p.written,
      p.rejected,
      p.points,
      p.requests,
      p.durationMs,
      p.startedAt,
      p.error,
    ]),
    { header: true, columns: POLLS_HEADER, record_delimiter: 'unix', cast: { object: () => '' } },
  );
}

/** Written beside and renamed over: a reader sees the old file or the whole new one. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}

function int(
  value: string | undefined,
  field: string,
  source: RowSource,
  options: { min?: number; max?: number; optional?: boolean } = {},
): number | null {
  if ((value === undefined || value === '') && options.optional) return null;
  const n = Number(value);
  if (
    value === undefined ||
    !/^-?[0-9]{1,15}$/.test(value) ||
    n < (options.min ?? 0) ||
    n > (options.max ?? 2_147_483_647)
  ) {
    throw new RowError(
      'INVALID_FIELD',
      source,
      `${field} must be an integer${options.min ? ` of at least ${options.min}` : ''}`,
      field,
      value ?? '',
    );
  }
  return n;
}

/** A side file's text, gunzipped when its first bytes say gzip (small files: read whole). */
async function readText(file: string): Promise<string> {
  const bytes = await readFile(file);
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes.toString('utf8');
  try {
    return gunzipSync(bytes).toString('utf8');
  } catch (error) {
    throw new RowError('GZIP', { file }, `corrupt or truncated gzip data (${(error as Error).message})`);
  }
}

/** Reads a whole side file: header checked, one record per line (a poll's error text may be quoted). */
async function records(file: string, header: readonly string[]): Promise<{ fields: string[]; line: number }[]> {
  const text = await readText(file);
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { relax_column_count: true, info: true, skip_empty_lines: true }) as unknown as typeof parsed;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new RowError('CSV_PARSE', { file, line }, `malformed CSV: ${(error as Error).message.split(' at line')[0]}`);
  }
  const [first, ...rest] = parsed;
  if (!first || first.record.join(',') !== header.join(',')) {
    throw new RowError(
      'COLUMN_COUNT',
      { file, line: 1 },
      `expected the header ${header.join(',')}`,
      undefined,
      first?.record.join(',') ?? '',
    );
  }
  return rest.map(({ record, info }) => {
    if (record.length !== header.length) {
      throw new RowError(
        'COLUMN_COUNT',
        { file, line: info.lines },
        `expected ${header.length} fields (${header.join(',')}), found ${record.length}`,
      );
    }
    return { fields: record, line: info.lines };
  });
}

export async function readReposCsv(file: string): Promise<RepoName[]> {
  return (await records(file, REPOS_HEADER)).map(({ fields, line }) => {
    const source = { file, line };
    const [id, repo, first, last] = fields as [string, string, string, string];
    if (!isRepoName(repo))
      throw new RowError('INVALID_REPO', source, 'invalid repository name (expected owner/name)', 'repo', repo);
    const firstTs = int(first, 'first_ts', source, { min: TS_MIN, max: TS_MAX })!;
    const lastTs = int(last, 'last_ts', source, { min: TS_MIN, max: TS_MAX })!;
    if (lastTs < firstTs) throw new RowError('INVALID_FIELD', source, 'last_ts is before first_ts', 'last_ts', last);
    return { repoId: int(id, 'repo_id', source, { min: 1, max: Number.MAX_SAFE_INTEGER })!, repo, firstTs, lastTs };
  });
}

function pollFrom(fields: Record<string, string | undefined>, source: RowSource): PollRow {
  const track = fields.track ?? '';
  if (track === '' || track.length > 1000)
    throw new RowError('INVALID_FIELD', source, 'track must be a non-empty search query', 'track', track);
  const status = fields.status ?? '';
  if (!STATUSES.has(status))
    throw new RowError('INVALID_FIELD', source, 'status must be ok, partial or failed', 'status', status);
  const startedAt = fields.started_at || null;
  if (startedAt !== null && Number.isNaN(Date.parse(startedAt))) {
    throw new RowError('INVALID_FIELD', source, 'started_at must be an ISO time', 'started_at', startedAt);
  }
  const optional = (name: string) => int(fields[name], name, source, { optional: true });
  return {
    track,
    ts: int(fields.ts, 'ts', source, { min: TS_MIN, max: TS_MAX })!,
    status,
    expected: optional('expected'),
    written: optional('written'),
    rejected: optional('rejected'),
    points: optional('points'),
    requests: optional('requests'),
    durationMs: optional('duration_ms'),
    startedAt,
    // A polls file from an older version may hold an echoed token and a whole error page.
    error: fields.error ? capErrorText(redactSecrets(fields.error)) : null,
  };
}

export async function readPollsCsv(file: string): Promise<PollRow[]> {
  return (await records(file, POLLS_HEADER)).map(({ fields, line }) =>
    pollFrom(Object.fromEntries(POLLS_HEADER.map((h, i) => [h, fields[i]])), { file, line }),
  );
}

/** `file` if it is there, else `file.gz`, else undefined. */
async function plainOrGz(file: string): Promise<string | undefined> {
  for (const f of [file, `${file}.gz`]) {
    if ((await stat(f).catch(() => undefined))?.isFile()) return f;
  }
  return undefined;
}

/** The side files next to `csv` (plain or .gz), when present; absent files give nothing (renames not stitched). */
export async function readSideFiles(csv: string): Promise<SideData & { files: string[] }> {
  const paths = sideFilePaths(csv);
  const out: SideData & { files: string[] } = { files: [] };
  const repos = await plainOrGz(paths.repos);
  if (repos) {
    out.repos = await readReposCsv(repos);
    out.files.push(repos);
  }
  const polls = await plainOrGz(paths.polls);
  if (polls) {
    out.polls = await readPollsCsv(polls);
    out.files.push(polls);
  }
  return out;
}

/** A polls-table item -> a row, with the item's key in any error. */
export function pollItemToRow(item: Record<string, AttributeValue>, table: string): PollRow {
  const where = `DynamoDB item track=${showValue(item.track?.S ?? '?')} ts=${item.ts?.N ?? '?'} in table ${table}`;
  const n = (name: string) => item[name]?.N;
  return pollFrom(
    {
      track: item.track?.S,
      ts: n('ts'),
      status: item.status?.S,
      expected: n('expected'),
      written: n('written'),
      rejected: n('rejected'),
      points: n('points'),
      requests: n('requests'),
      duration_ms: n('durationMs'),
      started_at: item.startedAt?.S,
      error: item.error?.S,
    },
    { item: where },
  );
}

/**
 * The whole polls table (one item per track and 15 minutes: small), sorted by track and time;
 * undefined when the table does not exist (a deployment without it: coverage is then inferred).
 */
export async function scanPolls(
  client: DynamoDBClient,
  table: string,
  options: { retry?: RetryOptions; signal?: AbortSignal } = {},
): Promise<PollRow[] | undefined> {
  const polls: PollRow[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  try {
    do {
      const output = await withRetry(
        () =>
          client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }), {
            abortSignal: options.signal,
          }),
        options.retry,
        options.signal,
      );
      for (const item of output.Items ?? []) polls.push(pollItemToRow(item, table));
      startKey = output.LastEvaluatedKey;
    } while (startKey);
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as { name?: string }).name === 'ResourceNotFoundException')
      return undefined;
    throw error;
  }
  return polls.sort((a, b) => (a.track < b.track ? -1 : a.track > b.track ? 1 : a.ts - b.ts));
}

/** Removes a side file left by an earlier export when this one has nothing to put in it. */
export async function removeStale(file: string): Promise<void> {
  await rm(file, { force: true });
}
