// One small interface over the PostgreSQL startrail runs against: a server at DATABASE_URL, or
// without it the embedded server under the data directory (core/embedded-postgres.ts). Both
// are real PostgreSQL through node-postgres, so there is one SQL engine and one COPY path.
import pg from 'pg';
import { acquireEmbedded, type EmbeddedOptions } from './embedded-postgres.js';
import { errorClass, SettingError } from './errors.js';

export { EmbeddedPostgresError, embeddedPostgresDir, hasEmbeddedDatabase } from './embedded-postgres.js';

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

/** PostgreSQL could not be reached or refused the connection (never carries the URL). */
export class DatabaseConnectError extends errorClass('DATABASE_CONNECT') {
  override readonly name = 'DatabaseConnectError';
}

export interface OpenOptions extends EmbeddedOptions {
  url?: string;
  dataDir: string;
  /** Where `url` came from, for messages: DATABASE_URL (the default) or a flag such as --database-url. */
  urlSetting?: string;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.url) {
    checkDatabaseUrl(options.url, options.urlSetting);
    return connectPostgres(options.url, 'server', options.urlSetting);
  }
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

export async function connectPostgres(
  url: string,
  kind: Database['kind'] = 'server',
  setting = 'DATABASE_URL',
): Promise<Database> {
  const where = kind === 'server' ? setting : 'the embedded server';
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: url, types });
  } catch {
    throw new SettingError(where, 'not a valid PostgreSQL URL');
  }
  // A server that goes away while the client is idle emits 'error'; unheard, it would end the
  // process with a stack. The next query fails with the reason, and the CLI says it in one line.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    // Never echo the URL: it may carry a password.
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseConnectError(`cannot connect to PostgreSQL at ${where}: ${reason}`, { cause: error });
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

const URL_FORM = 'postgres://user:password@host:5432/database';

/**
 * Fails with one line naming the setting when node-postgres cannot parse `url` (it would throw
 * a bare `TypeError: Invalid URL`), saying what is wrong without echoing the URL or its password.
 */
export function checkDatabaseUrl(url: string, setting = 'DATABASE_URL'): void {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  // A leading slash is a Unix socket folder (node-postgres's own form).
  if (!url.startsWith('/') && scheme !== 'postgres' && scheme !== 'postgresql' && scheme !== 'socket') {
    throw new SettingError(setting, `not a valid PostgreSQL URL (expected ${URL_FORM})`);
  }
  const port = portProblem(url);
  if (port) throw new SettingError(setting, `not a valid PostgreSQL URL (${port})`);
  try {
    new pg.Client({ connectionString: url });
  } catch {
    throw new SettingError(
      setting,
      `not a valid PostgreSQL URL (expected ${URL_FORM}; special characters in the password %-encoded)`,
    );
  }
}

/** What is wrong with the URL's port, if anything; its text only when it cannot be part of a password. */
function portProblem(url: string): string | undefined {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)?.[1];
  if (authority === undefined) return undefined;
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const port = /^(?:\[[^\]]*\]|[^:]*):(.*)$/.exec(hostPort)?.[1];
  if (port === undefined || port === '') return undefined;
  if (/^[0-9]+$/.test(port)) return Number(port) > 65535 ? `port ${port} out of range` : undefined;
  // Without an @ before it, a password holding "/" may have cut the authority short: say less.
  const safe = authority.includes('@') || !url.includes('@');
  if (safe && /^[\w.-]{1,32}$/.test(port)) return `port ${JSON.stringify(port)} is not a number`;
  return 'the port is not a number; a "/", "?", "#" or "@" in the password must be %-encoded';
}
