// The token-echo scenario shared by test/careless-secrets.test.ts and the reliability bench:
// GitHub (the simulator) echoes the Authorization header back in each way it can, or refuses
// the connection, while a user runs collect -> export -> load; then every output, the polls in
// DynamoDB, the exported files, PostgreSQL's polls table and every byte of every file written is
// searched for the token (a plain substring search, independent of the redaction code).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { connectPostgres, type Database, openDatabase } from '../../core/database.js';
import { createDynamoClient } from '../../core/store/client.js';
import { embeddedDynamoDir, startEmbeddedDynamo } from '../../core/store/embedded-store.js';
import type { EchoTokenMode, StartedSimulator } from '../../local/github-sim/index.js';
import { scanPolls } from './collector-harness.js';
import { ROOT } from './reliability-etl.js';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `ghp_` + 36 base62 characters, unique to this run, as a classic personal access token. */
export function makeToken(): string {
  return `ghp_${Array.from({ length: 36 }, () => BASE62[Math.floor(Math.random() * 62)]).join('')}`;
}

/** The token or any 12-character piece of it (a truncated or split leak still counts). */
export function leaks(text: string, token: string): boolean {
  for (let i = 0; i + 12 <= token.length; i += 1) if (text.includes(token.slice(i, i + 12))) return true;
  return false;
}

/** A case of the scenario: one of the simulator's echoes, or a connection refused. */
export type EchoCase = EchoTokenMode | 'refused';

/** What each case's stored error must still say. */
export const SAYS: Record<EchoCase, RegExp> = {
  error502: /502.*Bad Gateway/,
  forbidden403: /403.*Forbidden/,
  jsonError: /400.*Invalid request header/,
  graphqlError: /rejected the query.*Resource not accessible/,
  refused: /connection refused[^\n]*127\.0\.0\.1:\d+/,
};

/** One track per case: the polls table keeps one record per track and slot. */
const CASE_QUERIES = [
  'language:rust',
  'language:python',
  'language:go language:rust',
  'language:rust language:python',
  'language:python language:go',
];

export const POLLS_TABLE = 'careless-polls';

export interface MergedRun {
  code: number | null;
  output: string;
}

/** A CLI under tsx to its end, stdout and stderr in one text (as a terminal shows them). */
export function runMerged(args: string[], env: NodeJS.ProcessEnv): Promise<MergedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** A port nothing listens on: one the OS just handed out and was closed again. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The simulator's answer in `mode`, asked directly: proof it really echoes (or not, at share 0). */
export async function askSimulator(
  sim: StartedSimulator,
  token: string,
  withContentType = true,
): Promise<{ status: number; text: string }> {
  const res = await fetch(sim.url, {
    method: 'POST',
    headers: { authorization: `bearer ${token}`, ...(withContentType ? { 'content-type': 'application/json' } : {}) },
    body: JSON.stringify({ query: '{ rateLimit { remaining } }' }),
  });
  return { status: res.status, text: await res.text() };
}

export interface StoredPolls {
  /** The polls in DynamoDB, the exported polls CSV and PostgreSQL's polls table, as named texts. */
  texts: [string, string][];
  /** The error texts of the DynamoDB poll items. */
  errors: string[];
  items: number;
  failedCsvLines: number;
}

export interface EchoScenario {
  good: MergedRun;
  cases: { mode: EchoCase; run: MergedRun }[];
  exported: MergedRun;
  loaded: MergedRun;
  /** Every command's output, named. */
  outputs: [string, string][];
  stored: StoredPolls;
}

/**
 * One good poll, then one collect per case (each a track of its own), export and load, all in
 * `dir` (data directory `dir/data`, CSV `dir/x.csv`). `databaseUrl` unset: the load goes into
 * the embedded server in the data directory. The simulator's clock must follow real time.
 */
export async function echoScenario(options: {
  sim: StartedSimulator;
  token: string;
  dir: string;
  cases: readonly EchoCase[];
  databaseUrl?: string;
}): Promise<EchoScenario> {
  const { sim, token, dir } = options;
  const dataDir = path.join(dir, 'data');
  const env = {
    GITHUB_API_URL: sim.url,
    GITHUB_TOKEN: token,
    GITHUB_TOKEN_SECRET_ARN: '',
    DYNAMODB_ENDPOINT: '',
    STARS_TABLE: 'careless-stars',
    POLLS_TABLE,
    STARTRAIL_DATA_DIR: dataDir,
    DATABASE_URL: options.databaseUrl ?? '',
    LOG_LEVEL: 'debug',
  };
  const collect = (query: string, extra: NodeJS.ProcessEnv = {}) =>
    runMerged(['local/collect.ts', '--query', query, '--top', '20'], { ...env, ...extra });
  // One good poll first, so the export has stars to carry the polls beside.
  const good = await collect('language:go');
  const cases: EchoScenario['cases'] = [];
  for (const [i, mode] of options.cases.entries()) {
    const query = CASE_QUERIES[i % CASE_QUERIES.length]!;
    if (mode === 'refused') {
      cases.push({
        mode,
        run: await collect(query, { GITHUB_API_URL: `http://127.0.0.1:${await closedPort()}/graphql` }),
      });
      continue;
    }
    sim.setFaults({ echoToken: mode });
    cases.push({ mode, run: await collect(query) });
    sim.setFaults({});
  }
  const csv = path.join(dir, 'x.csv');
  const exported = await runMerged(['etl/export/export-cli.ts', '--out', csv], env);
  const loaded = await runMerged(['etl/load/load-cli.ts', '--file', csv], env);
  const outputs: [string, string][] = [
    ['collect (good)', good.output],
    ...cases.map(({ mode, run }): [string, string] => [`collect ${mode}`, run.output]),
    ['export', exported.output],
    ['load', loaded.output],
  ];
  const stored = await storedPolls(dataDir, path.join(dir, 'x.polls.csv'), options.databaseUrl);
  return { good, cases, exported, loaded, outputs, stored };
}

/** The polls in DynamoDB, the exported CSV and PostgreSQL as named texts, and the stored error texts. */
export async function storedPolls(dataDir: string, pollsCsv: string, databaseUrl?: string): Promise<StoredPolls> {
  const dynamo = await startEmbeddedDynamo({ dir: embeddedDynamoDir(dataDir) });
  const client = createDynamoClient({ endpoint: dynamo.endpoint, region: 'us-east-1' });
  let items: Awaited<ReturnType<typeof scanPolls>>;
  try {
    items = await scanPolls(client, POLLS_TABLE);
  } finally {
    client.destroy();
    await dynamo.close();
  }
  const csv = readFileSync(pollsCsv, 'utf8');
  const db: Database = databaseUrl
    ? await connectPostgres(databaseUrl)
    : await openDatabase({ dataDir, log: () => {} });
  let rows: string;
  try {
    rows = JSON.stringify(await db.query('select * from polls'));
  } finally {
    await db.close();
  }
  const texts: [string, string][] = [
    ['DynamoDB polls', JSON.stringify(items)],
    ['polls CSV', csv],
    ['PostgreSQL polls', rows],
  ];
  const errors = items.map((i) => i.error?.S).filter((e): e is string => e !== undefined);
  return {
    texts,
    errors,
    items: items.length,
    failedCsvLines: csv.split('\n').filter((l) => l.includes(',failed,')).length,
  };
}

/** Every regular file under `dir`, named by its path below it, its bytes as latin1 text (ASCII tokens survive). */
export function filesUnder(dir: string): [string, string][] {
  const found: [string, string][] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() || (entry.isSymbolicLink() && statSync(full, { throwIfNoEntry: false })?.isFile()))
        found.push([path.relative(dir, full), readFileSync(full).toString('latin1')]);
    }
  };
  walk(dir);
  return found;
}
