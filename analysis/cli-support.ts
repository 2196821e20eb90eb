// What both analysis CLIs share: the database from flags and environment, progress, and
// expected errors as one line and a non-zero exit.
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { escapeControl, SettingError } from '../core/cli-text.js';
import { loadConfig } from '../core/config.js';
import { dataDirExists } from '../core/data-dir.js';
import { type Database, hasEmbeddedDatabase, openDatabase } from '../core/database.js';
import { assertRepoName } from '../core/repo-name.js';

export interface DatabaseFlags {
  databaseUrl?: string;
  dataDir?: string;
}

/** The database the command opened, so "no table" can say where the rows are instead. */
let opened: { kind: Database['kind']; dataDir: string } | undefined;

export async function openFromFlags(flags: DatabaseFlags): Promise<Database> {
  const config = loadConfig(process.env);
  const dataDir = path.resolve(flags.dataDir ?? config.dataDir);
  const url = flags.databaseUrl ?? config.databaseUrl;
  opened = { kind: url ? 'server' : 'embedded', dataDir };
  // Reading never creates a database: no embedded one here means no data here. A data directory
  // that cannot be read (a file in the way, no permission) is said as such, not as "no data".
  if (!url && !(dataDirExists(dataDir) && hasEmbeddedDatabase(dataDir))) throw new Error(noData());
  const urlSetting = flags.databaseUrl ? '--database-url' : 'DATABASE_URL';
  return openDatabase({ url, dataDir, urlSetting });
}

/** Turns the errors a user can cause into a message that says what to do. */
export function explain(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/relation "github_stars" does not exist/.test(message)) return noData();
  return message;
}

/** The demo keeps its data in <data dir>/demo; an analyst who just ran it is pointed there. */
function noData(): string {
  if (opened?.kind !== 'embedded') return 'no github_stars table in this database: load the data first (npm run load)';
  const here = path.relative(process.cwd(), opened.dataDir) || '.';
  const demo = path.join(opened.dataDir, 'demo');
  if (hasEmbeddedDatabase(demo)) {
    const there = path.relative(process.cwd(), demo);
    return `no data in the embedded database of ${here}; the demo's data is in ${there}: add --data-dir ${there} (or load yours: npm run load -- --file <csv>)`;
  }
  return `no data in the embedded database of ${here}: load it first (npm run load -- --file <csv>), or run npm run demo`;
}

export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    // One line whatever the message holds: a path may carry a newline or a bidi override.
    console.error(`error: ${escapeControl(explain(error))}`);
    process.exitCode = error instanceof SettingError ? 2 : 1;
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

/** A flag parser for commander: a whole number of at least 1, or a usage error naming the flag. */
export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${flag}: expected a whole number of at least 1, got ${JSON.stringify(value)}`);
    return n;
  };
}

/** The flags both analysis CLIs take to find their database. */
export function withDatabaseOptions(command: Command): Command {
  return command
    .option(
      '--database-url <url>',
      'PostgreSQL server (default DATABASE_URL, else the embedded PostgreSQL server under the data directory (<data dir>/postgres))',
    )
    .option('--data-dir <dir>', 'data directory of the embedded database (default STARTRAIL_DATA_DIR or ./data)');
}

/** `--repo owner/name`, repeatable, each checked as it is parsed. */
export function collectRepo(value: string, previous: string[] = []): string[] {
  try {
    return [...previous, assertRepoName(value, '--repo')];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}
