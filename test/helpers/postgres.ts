// Tests run against the PostgreSQL server (DATABASE_URL, else the machine's 127.0.0.1:5432/test),
// each file in a schema of its own so parallel files never see each other's tables.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const SERVER_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  /** A connection string whose search_path is the fresh schema. */
  url: string;
  schema: string;
  drop(): Promise<void>;
}

export async function freshSchema(prefix = 't'): Promise<TestSchema> {
  const schema = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL server not reachable at ${SERVER_URL.replace(/:[^:@/]*@/, ':***@')}: ${(error as Error).message}. ` +
        'Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set DATABASE_URL.',
    );
  }
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const u = new URL(SERVER_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: SERVER_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}
