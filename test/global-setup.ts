// Without DATABASE_URL the suites need nothing outside the repository: one embedded PostgreSQL
// server (the project's own default) is started for the whole run and stopped after it.
// With DATABASE_URL set (CI: the system PostgreSQL 15) that server is used instead.
import { rmSync } from 'node:fs';
import { acquireEmbedded } from '../core/embedded-postgres.js';
import { reachableTempDir } from './helpers/temp-dir.js';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.DATABASE_URL) return undefined;
  const dir = reachableTempDir('startrail-test-pg-');
  const server = await acquireEmbedded(dir, { log: () => {} });
  // Test workers start after global setup and inherit the environment.
  process.env.DATABASE_URL = server.url;
  return async () => {
    await server.release();
    rmSync(dir, { recursive: true, force: true });
  };
}
