// What both analysis CLIs share: the database from flags and environment, progress, and
// expected errors as one line and a non-zero exit.
import { SingleBar } from 'cli-progress';
import { loadConfig } from '../core/config.js';
import { type Database, openDatabase } from '../core/database.js';

export interface DatabaseFlags {
  databaseUrl?: string;
  dataDir?: string;
}

export async function openFromFlags(flags: DatabaseFlags): Promise<Database> {
  const config = loadConfig(process.env);
  return openDatabase({ url: flags.databaseUrl ?? config.databaseUrl, dataDir: flags.dataDir ?? config.dataDir });
}

/** Turns the errors a user can cause into a message that says what to do. */
export function explain(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/relation "github_stars" does not exist/.test(message)) {
    return 'no github_stars table in this database: load the data first (npm run load)';
  }
  return message;
}

export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    console.error(`error: ${explain(error)}`);
    process.exitCode = 1;
  }
}

/** A bar on a terminal, one line per step otherwise (logs, CI). */
export function progress(total: number, label: string): { step(name: string): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total} {name}`, stream: process.stderr });
    bar.start(total, 0, { name: '' });
    return { step: (name) => bar.increment(1, { name }), stop: () => bar.stop() };
  }
  let done = 0;
  return {
    step: (name) => console.error(`${label}: ${++done}/${total} ${name}`),
    stop: () => {},
  };
}

export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected a whole number of at least 1, got ${JSON.stringify(value)}`);
    return n;
  };
}
