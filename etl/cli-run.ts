// How the ETL CLIs end: expected failures (bad input, a locked store, a refused connection,
// an interrupted export) as one line and a non-zero exit; only real bugs print a stack.
import { EmbeddedPostgresError } from '../core/database.js';
import { ExportError } from './export.js';
import { ConnectionLostError } from './load.js';
import { StoreLockedError } from './stars-source.js';
import { RowError } from './validate-row.js';

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

function isExpected(error: unknown): boolean {
  if (error instanceof RowError || error instanceof ExportError || error instanceof StoreLockedError) return true;
  if (error instanceof CliError || error instanceof RangeError || error instanceof ConnectionLostError) return true;
  if (error instanceof EmbeddedPostgresError) return true;
  const e = error as { name?: string; code?: unknown; severity?: unknown; $metadata?: unknown; message?: string };
  if (typeof e?.severity === 'string' && typeof e.code === 'string') return true; // PostgreSQL said no
  if (e?.$metadata !== undefined) return true; // DynamoDB said no (after retries)
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return true; // ECONNREFUSED, EACCES...
  return typeof e?.message === 'string' && e.message.startsWith('cannot connect to PostgreSQL');
}

export async function runCli(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (isExpected(error)) {
      const message = (error as Error).message || String(error);
      process.stderr.write(`${name}: ${message.split('\n')[0]}\n`);
      process.exitCode = error instanceof CliError ? error.exitCode : 1;
    } else {
      process.stderr.write(`${name}: unexpected failure\n${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
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
