// One small interface over the two PostgreSQLs startrail runs against: a server through
// node-postgres (DATABASE_URL) or embedded PGlite under the data directory.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface Database {
  readonly kind: 'postgres' | 'pglite';
  /** One statement with $1.. parameters; user input reaches SQL only this way. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Several statements, no parameters (schema files). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  /** The underlying client, for COPY streaming (pg) or blobs (PGlite). */
  readonly pg?: pg.Client;
  readonly pglite?: PGlite;
}

export function embeddedPostgresDir(dataDir: string): string {
  return path.join(dataDir, 'pglite');
}

export async function openDatabase(options: { url?: string; dataDir: string }): Promise<Database> {
  if (options.url) return connectPostgres(options.url);
  const dir = embeddedPostgresDir(options.dataDir);
  mkdirSync(dir, { recursive: true });
  return wrapPglite(await PGlite.create(dir));
}

export async function connectPostgres(url: string): Promise<Database> {
  // int8 (ts, sums) as numbers, as PGlite returns them, so both backends give identical rows.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === 20 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const client = new pg.Client({ connectionString: url, types });
  try {
    await client.connect();
  } catch (error) {
    // Never echo the URL: it may carry a password.
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot connect to PostgreSQL at DATABASE_URL: ${reason}`);
  }
  return {
    kind: 'postgres',
    pg: client,
    async query<T>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as T[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    close: () => client.end(),
  };
}

export function wrapPglite(db: PGlite): Database {
  return {
    kind: 'pglite',
    pglite: db,
    async query<T>(sql: string, params: unknown[] = []) {
      return (await db.query<T>(sql, params)).rows;
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    close: () => db.close(),
  };
}
