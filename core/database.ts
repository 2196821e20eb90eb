// One small interface over the PostgreSQL startrail runs against: a server at DATABASE_URL, or
// without it the embedded server under the data directory (core/embedded-postgres.ts). Both
// are real PostgreSQL through node-postgres, so there is one SQL engine and one COPY path.
import pg from 'pg';
import { acquireEmbedded, type EmbeddedOptions } from './embedded-postgres.js';

export { EmbeddedPostgresError, embeddedPostgresDir } from './embedded-postgres.js';

export interface Database {
  /** `server`: DATABASE_URL; `embedded`: the server under the data directory. */
  readonly kind: 'server' | 'embedded';
  /** One statement with $1.. parameters; user input reaches SQL only this way. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Several statements, no parameters (schema files). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  /** The underlying client, for COPY streaming. */
  readonly pg: pg.Client;
}

export async function openDatabase(options: { url?: string; dataDir: string } & EmbeddedOptions): Promise<Database> {
  if (options.url) return connectPostgres(options.url);
  // The last other command may stop the server between finding it and connecting: find it again.
  for (let attempt = 1; ; attempt++) {
    const server = await acquireEmbedded(options.dataDir, options);
    try {
      const db = await connectPostgres(server.url, 'embedded');
      return { ...db, close: () => server.release(db.pg) };
    } catch (error) {
      await server.release();
      if (attempt === 3) throw error;
    }
  }
}

// int8 (ts, sums) as numbers: every figure startrail stores fits in 2^53.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export async function connectPostgres(url: string, kind: Database['kind'] = 'server'): Promise<Database> {
  const client = new pg.Client({ connectionString: url, types });
  // A server that goes away while the client is idle emits 'error'; unheard, it would end the
  // process with a stack. The next query fails with the reason, and the CLI says it in one line.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    // Never echo the URL: it may carry a password.
    const reason = error instanceof Error ? error.message : String(error);
    const where = kind === 'server' ? 'DATABASE_URL' : 'the embedded server';
    throw new Error(`cannot connect to PostgreSQL at ${where}: ${reason}`);
  }
  return {
    kind,
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
