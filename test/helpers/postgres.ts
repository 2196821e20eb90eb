// Tests run against the PostgreSQL server at DATABASE_URL (set by test/global-setup.ts to an
// embedded server when the caller gave none),
// each file in a schema of its own so parallel files never see each other's tables.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is unset: run the suites with vitest (test/global-setup.ts sets it)');
  return url;
}

export interface TestSchema {
  /** A connection string whose search_path is the fresh schema. */
  url: string;
  schema: string;
  drop(): Promise<void>;
}

export async function freshSchema(prefix = 't'): Promise<TestSchema> {
  const schema = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL server not reachable at ${serverUrl().replace(/:[^:@/]*@/, ':***@')}: ${(error as Error).message}. ` +
        'Start that server, or unset DATABASE_URL to test against an embedded one.',
    );
  }
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const u = new URL(serverUrl());
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl() });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}
