// A fresh schema on the PostgreSQL server for one bench run: a URL whose search_path is that
// schema, an admin connection beside it (checkpoints, checks from outside the run), dropped after.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** DATABASE_URL, else the local server the tests use. */
export const SERVER = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export interface ServerSchema {
  schema: string;
  /** SERVER with `search_path` set to the schema. */
  url: string;
  admin: pg.Client;
  /** Drops the schema and everything in it, and ends the admin connection. */
  drop(): Promise<void>;
}

/** Creates `<prefix>_<8 hex digits>` on SERVER. */
export async function createServerSchema(prefix: string): Promise<ServerSchema> {
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const url = new URL(SERVER);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    schema,
    url: url.toString(),
    admin,
    async drop() {
      try {
        await admin.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await admin.end();
      }
    },
  };
}
