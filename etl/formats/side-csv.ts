// The two files export writes beside the star CSV, which stays the article's three columns:
//   <base>.repos.csv  repo_id,repo,first_ts,last_ts  every name each GitHub repo id had (renames)
//   <base>.polls.csv  the polls table, one row per collector run and track (coverage)
// Both are small (one row per repo name, one per poll), so they are built in memory and read
// whole. Both carry a header: unlike the star CSV, nothing external reads them, and a header
// makes a swapped or stale file fail loudly. Load also takes them gzipped (`<base>.repos.csv.gz`),
// as it takes the star CSV.
import { readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { PollAsRead } from '../../core/domain.js';
import { intField, POLL_COLUMNS, parsePoll } from '../../core/parse-row.js';
import { isRepoName } from '../../core/repo-name.js';
import { RowError } from '../../core/row-error.js';
import { TS_MAX, TS_MIN } from '../../core/star-row.js';

/** One name of one repository id, with the first and last sample time seen under it. */
export interface RepoName {
  repoId: number;
  repo: string;
  firstTs: number;
  lastTs: number;
}

/** What load adds next to the stars, in the same transaction. */
export interface SideData {
  repos?: RepoName[];
  polls?: PollAsRead[];
}

export const REPOS_HEADER = ['repo_id', 'repo', 'first_ts', 'last_ts'];
/** The polls file's columns: a poll's fields as PostgreSQL's polls table names them. */
export const POLLS_HEADER: string[] = [...POLL_COLUMNS];

/** `github-stars.csv` (or `.csv.gz`) -> `github-stars.repos.csv` and `github-stars.polls.csv`. */
export function sideFilePaths(csv: string): { repos: string; polls: string } {
  const base = csv.replace(/\.csv(\.gz)?$/i, '');
  return { repos: `${base}.repos.csv`, polls: `${base}.polls.csv` };
}

export function reposToCsv(repos: readonly RepoName[]): string {
  return stringify(
    repos.map((r) => [r.repoId, r.repo, r.firstTs, r.lastTs]),
    { header: true, columns: REPOS_HEADER, record_delimiter: 'unix' },
  );
}

export function pollsToCsv(polls: readonly PollAsRead[]): string {
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
    const firstTs = intField(first, 'first_ts', source, { min: TS_MIN, max: TS_MAX })!;
    const lastTs = intField(last, 'last_ts', source, { min: TS_MIN, max: TS_MAX })!;
    if (lastTs < firstTs) throw new RowError('INVALID_FIELD', source, 'last_ts is before first_ts', 'last_ts', last);
    return {
      repoId: intField(id, 'repo_id', source, { min: 1, max: Number.MAX_SAFE_INTEGER })!,
      repo,
      firstTs,
      lastTs,
    };
  });
}

export async function readPollsCsv(file: string): Promise<PollAsRead[]> {
  return (await records(file, POLLS_HEADER)).map(({ fields, line }) =>
    parsePoll(Object.fromEntries(POLL_COLUMNS.map((column, i) => [column, fields[i]])), { file, line }),
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
