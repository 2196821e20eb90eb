// How the ETL CLIs end: expected failures (bad input, a locked store, a refused connection,
// an interrupted export) as one line and a non-zero exit; only real bugs print a stack.
import { errorLine, SettingError } from '../core/cli-text.js';
import { DataDirError } from '../core/data-dir.js';
import { DatabaseConnectError, EmbeddedPostgresError } from '../core/database.js';
import { CheckpointError } from './export/checkpoint.js';
import { ExportError } from './export/export.js';
import { EmptyStoreError, StoreLockedError } from './export/stars-source.js';
import { RowError } from './formats/validate-row.js';
import { ConnectionLostError } from './load/load.js';

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The failures a user can cause or fix, by type: these print one line, everything else a stack. */
const EXPECTED = [
  RowError,
  ExportError,
  CheckpointError,
  StoreLockedError,
  EmptyStoreError,
  CliError,
  RangeError, // SettingError and the range checks of flags
  ConnectionLostError,
  DatabaseConnectError,
  EmbeddedPostgresError,
  DataDirError,
];

export function isExpected(error: unknown): boolean {
  if (EXPECTED.some((type) => error instanceof type)) return true;
  const e = error as { code?: unknown; severity?: unknown; $metadata?: unknown };
  if (typeof e?.severity === 'string' && typeof e.code === 'string') return true; // PostgreSQL said no
  if (e?.$metadata !== undefined) return true; // DynamoDB said no (after retries)
  return typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code); // ECONNREFUSED, EACCES...
}

/**
 * Prints how `name` failed and returns its exit code: an expected failure as one escaped line
 * (a file name may hold a newline or a bidi override), a bug with its stack.
 */
export function reportFailure(name: string, error: unknown): number {
  if (isExpected(error)) {
    process.stderr.write(errorLine(name, error));
    if (error instanceof CliError) return error.exitCode;
    return error instanceof SettingError ? 2 : 1; // a setting to fix is a usage error, as a bad flag is
  }
  process.stderr.write(`${name}: unexpected failure\n${(error as Error)?.stack ?? String(error)}\n`);
  return 1;
}

export async function runCli(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    process.exitCode = reportFailure(name, error);
  }
}

/** Positive integer flag values, with the flag named when they are not. */
export function positiveInt(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
      throw new CliError(`${flag}: expected a positive integer, got ${JSON.stringify(value)}`, 2);
    }
    return n;
  };
}
