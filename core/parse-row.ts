// Rows read from text fields, as a CSV record or a DynamoDB item gives them: a star row
// (repo, ts, stars) and a poll. The rules are the stored-row rule (star-row.ts) and the poll's;
// a bad field is a RowError naming its place. The ETL's file readers and the item codecs
// (store/) share these, so a row reads the same from a file as from the table.
import { POLL_STATUSES, type PollAsRead, type PollStatus } from './domain.js';
import { capErrorText, redactSecrets } from './redact.js';
import { RowError, type RowSource } from './row-error.js';
import { fieldProblem, type StarRow, TS_MAX, TS_MIN } from './star-row.js';

const DIGITS = /^[0-9]{1,20}$/;

function integerField(value: string, field: 'ts' | 'stars', source: RowSource): number {
  const code = field === 'ts' ? 'INVALID_TS' : 'INVALID_STARS';
  // Plain digits only: Number() would also take 1e3, 0x10, ' 5' or '+5'.
  if (!DIGITS.test(value)) {
    const what = /^-[0-9]+$/.test(value.trim()) ? 'must not be negative' : 'must be a non-negative integer';
    throw new RowError(code, source, `${field} ${what}`, field, value);
  }
  const n = Number(value);
  const problem = fieldProblem(field, n);
  if (problem !== undefined) throw new RowError(code, source, problem, field, value);
  return n;
}

/** One parsed record (already split into fields) -> a row, or a RowError naming the place. */
export function validateFields(fields: readonly string[], source: RowSource): StarRow {
  if (fields.length === 1 && fields[0] === '')
    throw new RowError('EMPTY_LINE', source, 'empty line (expected repo,ts,stars)');
  if (fields.length !== 3) {
    throw new RowError(
      'COLUMN_COUNT',
      source,
      `expected 3 fields (repo,ts,stars), found ${fields.length}`,
      undefined,
      fields.join(','),
    );
  }
  const [repo, ts, stars] = fields as [string, string, string];
  const repoProblem = fieldProblem('repo', repo);
  if (repoProblem !== undefined) throw new RowError('INVALID_REPO', source, repoProblem, 'repo', repo);
  return { repo, ts: integerField(ts, 'ts', source), stars: integerField(stars, 'stars', source) };
}

/** A row from code (a DynamoDB item already decoded): the same rules. */
export function validateRow(row: { repo: unknown; ts: unknown; stars: unknown }, source: RowSource): StarRow {
  const text = (v: unknown) =>
    typeof v === 'string' ? v : typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
  return validateFields([text(row.repo), text(row.ts), text(row.stars)], source);
}

export interface IntFieldOptions {
  min?: number;
  max?: number;
  /** An empty or absent value is null rather than an error. */
  optional?: boolean;
}

/** An integer field of a side file or poll (at most 15 digits, within min and max), named in the error. */
export function intField(
  value: string | undefined,
  field: string,
  source: RowSource,
  options: IntFieldOptions = {},
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

/** A poll's fields, named as the polls file's header and PostgreSQL's polls table name them. */
export const POLL_COLUMNS = [
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
] as const;
export type PollColumn = (typeof POLL_COLUMNS)[number];

const isPollStatus = (value: string): value is PollStatus => (POLL_STATUSES as readonly string[]).includes(value);

/** A poll from its fields as text; a count or start time left empty is unknown (null). */
export function parsePoll(fields: Partial<Record<PollColumn, string>>, source: RowSource): PollAsRead {
  const track = fields.track ?? '';
  if (track === '' || track.length > 1000)
    throw new RowError('INVALID_FIELD', source, 'track must be a non-empty search query', 'track', track);
  const status = fields.status ?? '';
  if (!isPollStatus(status))
    throw new RowError('INVALID_FIELD', source, 'status must be ok, partial or failed', 'status', status);
  const startedAt = fields.started_at || null;
  if (startedAt !== null && Number.isNaN(Date.parse(startedAt))) {
    throw new RowError('INVALID_FIELD', source, 'started_at must be an ISO time', 'started_at', startedAt);
  }
  const optional = (name: PollColumn) => intField(fields[name], name, source, { optional: true });
  return {
    track,
    ts: intField(fields.ts, 'ts', source, { min: TS_MIN, max: TS_MAX })!,
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
