// The database the analysis CLIs read, from their flags and the environment; when it holds no
// star rows, a message that says where they are (the demo's own data directory) or how to load them.
import path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../core/cli/run.js';
import { loadConfig } from '../core/config.js';
import { dataDirExists } from '../core/data-dir.js';
import { type Database, hasEmbeddedDatabase, openDatabase } from '../core/database.js';

export interface DatabaseFlags {
  databaseUrl?: string;
  dataDir?: string;
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

/** Opens the database and checks it has the star rows: without them no analysis means anything. */
export async function openFromFlags(flags: DatabaseFlags): Promise<Database> {
  const config = loadConfig(process.env);
  const dataDir = path.resolve(flags.dataDir ?? config.dataDir);
  const url = flags.databaseUrl ?? config.databaseUrl;
  // Reading never creates a database: no embedded one here means no data here. A data directory
  // that cannot be read (a file in the way, no permission) is said as such, not as "no data".
  if (!url && !(dataDirExists(dataDir) && hasEmbeddedDatabase(dataDir))) throw noData('embedded', dataDir);
  const urlSetting = flags.databaseUrl ? '--database-url' : 'DATABASE_URL';
  const db = await openDatabase({ url, dataDir, urlSetting });
  try {
    const [table] = await db.query<{ found: boolean }>(`select to_regclass('github_stars') is not null as found`);
    if (!table?.found) throw noData(db.kind, dataDir);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** The demo keeps its data in <data dir>/demo; an analyst who just ran it is pointed there. */
function noData(kind: Database['kind'], dataDir: string): CliError {
  if (kind !== 'embedded')
    return new CliError('no github_stars table in this database: load the data first (npm run load)');
  const here = path.relative(process.cwd(), dataDir) || '.';
  const demo = path.join(dataDir, 'demo');
  if (hasEmbeddedDatabase(demo)) {
    const there = path.relative(process.cwd(), demo);
    return new CliError(
      `no data in the embedded database of ${here}; the demo's data is in ${there}: add --data-dir ${there} (or load yours: npm run load -- --file <csv>)`,
    );
  }
  return new CliError(
    `no data in the embedded database of ${here}: load it first (npm run load -- --file <csv>), or run npm run demo`,
  );
}
