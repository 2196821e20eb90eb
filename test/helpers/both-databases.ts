// The two PostgreSQLs the loader must behave the same on, each opened fresh for one suite or
// bench step: the embedded server in a new data directory, and a new schema on the server at
// DATABASE_URL. `done` closes the connection and removes what was made.
import path from 'node:path';
import { connectPostgres, type Database, openDatabase } from '../../core/database.js';
import { freshSchema } from './postgres.js';
import { reachableTempDir } from './temp-dir.js';

export interface OpenedDatabase {
  db: Database;
  done: () => Promise<void>;
}

/** The embedded server on a fresh data directory under `parent`; `log` receives its start-up lines. */
export async function openEmbeddedIn(parent: string, log?: (line: string) => void): Promise<OpenedDatabase> {
  const dataDir = reachableTempDir(path.join(parent, 'embedded-'));
  const db = await openDatabase(log ? { dataDir, log } : { dataDir });
  return { db, done: () => db.close() };
}

/** A fresh schema (`prefix_<random>`) on the PostgreSQL server, dropped by `done`. */
export async function openServerSchema(prefix: string): Promise<OpenedDatabase> {
  const schema = await freshSchema(prefix);
  const db = await connectPostgres(schema.url);
  return {
    db,
    done: async () => {
      await db.close();
      await schema.drop();
    },
  };
}
