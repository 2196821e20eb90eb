// Careless use of the real CLIs (a bad setting, an unusable data directory, a corrupt checkpoint,
// an empty store, an odd file name) ends in one escaped line naming the setting, flag or file at
// fault, a non-zero exit, no stack trace, and nothing left behind.
//
// Producing the data-directory errors as root (root ignores file modes):
// - ENOTDIR: a data directory under a regular file (<tmp>/afile/data), any user;
// - EACCES: a 0555 folder, the CLI run as uid/gid 65534 (nobody) when we are root;
// - EROFS: a read-only tmpfs mounted in a private mount namespace (`unshare -m`), which needs
//   CAP_SYS_ADMIN; where that is refused those cases are skipped.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeControl, SettingError } from '../core/cli-text.js';
import { loadConfig } from '../core/config.js';
import { checkDatabaseUrl } from '../core/database.js';
import { reachableTempDir } from './helpers/temp-dir.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const TIMEOUT_MS = 90_000;
const IS_ROOT = process.getuid?.() === 0;

type Cli = 'load' | 'export' | 'analyze' | 'report' | 'collect' | 'demo';
const FILES: Record<Cli, string> = {
  load: 'etl/load-cli.ts',
  export: 'etl/export-cli.ts',
  analyze: 'analysis/analyze-cli.ts',
  report: 'analysis/report-cli.ts',
  collect: 'local/collect.ts',
  demo: 'local/demo.ts',
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Run as nobody (EACCES as root). */
  nobody?: boolean;
  /** Mount a read-only tmpfs here first, in a private mount namespace. */
  readOnlyMount?: string;
}

let tmp: string;
const BASE_ENV: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NO_COLOR: '1' };
for (const name of ['DATABASE_URL', 'TRACKS', 'DYNAMODB_ENDPOINT', 'GITHUB_TOKEN', 'STARTRAIL_DATA_DIR']) delete BASE_ENV[name];

// The CLIs start tsx and the AWS SDK (a second or two of CPU each): two at a time on two cores.
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

function run(cli: Cli, args: string[], options: RunOptions = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...BASE_ENV, STARTRAIL_DATA_DIR: path.join(tmp, 'unused-data'), ...options.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  let command = process.execPath;
  let argv = ['--import', 'tsx', FILES[cli], ...args];
  if (options.readOnlyMount) {
    argv = ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o ro,size=64k none "$1" && shift && exec "$@"', 'sh', options.readOnlyMount, command, ...argv];
    command = 'unshare';
  }
  const as = options.nobody && IS_ROOT ? { uid: 65534, gid: 65534 } : {};
  return slot(
    () =>
      new Promise<Run>((resolve, reject) => {
        const child = spawn(command, argv, { cwd: ROOT, env, ...as, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
        const timer = setTimeout(() => {
          stderr += '\n[killed: timeout]';
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }, TIMEOUT_MS - 10_000);
        child.once('error', reject);
        child.once('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      }),
  );
}

/** The one line a failure must print: exactly one, no stack, with every name in it. */
function expectOneLine(result: Run, names: string[], absent: (string | RegExp)[] = []): void {
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  expect(lines, result.stderr).toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  for (const name of names) expect(result.stderr).toContain(name);
  for (const text of absent) {
    if (typeof text === 'string') expect(result.stderr).not.toContain(text);
    else expect(result.stderr).not.toMatch(text);
  }
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.code).not.toBeNull();
}

/** A case's own folder under the temp dir, with a valid CSV and an output folder. */
function caseDir(name: string): { dir: string; csv: string; out: string; data: string } {
  const dir = path.join(tmp, name.replace(/[^a-z0-9]+/gi, '-'));
  mkdirSync(path.join(dir, 'out'), { recursive: true });
  chmodSync(dir, 0o755);
  chmodSync(path.join(dir, 'out'), 0o777);
  const csv = path.join(dir, 'stars.csv');
  writeFileSync(csv, 'golang/go,1767225600,120000\n');
  return { dir, csv, out: path.join(dir, 'out'), data: path.join(dir, 'data') };
}

const TRACKS_HINT = 'expected JSON like [{"query":"language:go","top":1000}] or language:go=1000;...';

/** Whether this machine lets us mount a read-only tmpfs in a private mount namespace. */
function probeReadOnlyMount(): boolean {
  const probe = reachableTempDir('startrail-careless-probe-');
  try {
    const script = 'mount -t tmpfs -o ro,size=64k none "$1" && ! mkdir "$1/x" 2>/dev/null';
    return spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', probe], { timeout: 10_000 }).status === 0;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
const canMountReadOnly = probeReadOnlyMount();

beforeAll(() => {
  tmp = reachableTempDir('startrail-careless-');
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.concurrent('TRACKS is parsed only where tracks are used, and named when bad', () => {
  it.each<[Cli, string[]]>([
    ['load', ['--file', 'MISSING']],
    ['analyze', []],
    ['report', ['--out', 'OUT']],
    ['export', ['--out', 'OUT/stars.csv']],
  ])('%s does not use TRACKS: fails for its own reason', async (cli, args) => {
    const c = caseDir(`tracks-${cli}`);
    const argv = args.map((a) => a.replace('MISSING', path.join(c.dir, 'missing.csv')).replace('OUT', c.out));
    const r = await run(cli, argv, { env: { TRACKS: '[{', STARTRAIL_DATA_DIR: c.data } });
    expectOneLine(r, [], ['TRACKS', 'JSON']);
    expect(r.stderr).toMatch(cli === 'load' ? /missing\.csv: file not found/ : cli === 'export' ? /no embedded DynamoDB/ : /no data in the embedded database/);
    expect(existsSync(c.data)).toBe(false);
    expect(readdirSync(c.out)).toEqual([]);
  }, TIMEOUT_MS);

  it('export --allow-empty works with a bad TRACKS it does not use', async () => {
    const c = caseDir('tracks-export-allow-empty');
    const r = await run('export', ['--out', path.join(c.out, 'stars.csv'), '--allow-empty'], { env: { TRACKS: '[{', STARTRAIL_DATA_DIR: c.data } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('TRACKS');
    expect(r.stdout).toMatch(/exported 0 rows/);
  }, TIMEOUT_MS);

  it.each([
    ['[{', 'TRACKS: not valid JSON'],
    ['language:go=0', 'TRACKS: '],
    ['[]', 'TRACKS: '],
  ])('collect names TRACKS=%j and shows the expected forms', async (value, start) => {
    const c = caseDir(`tracks-collect-${value}`);
    const r = await run('collect', ['--simulate', '--data-dir', c.data], { env: { TRACKS: value } });
    expectOneLine(r, [`collect: ${start}`, TRACKS_HINT], [/\n.*\n/]);
    expect(existsSync(c.data)).toBe(false);
  }, TIMEOUT_MS);
});

describe.concurrent('DATABASE_URL is checked before use, and never echoed', () => {
  const cases: [string, string, string][] = [
    ['99999', 'port 99999 out of range', 'DATABASE_URL'],
    ['notaport', 'port "notaport" is not a number', 'DATABASE_URL'],
  ];
  it.each(cases)('load with port %s', async (port, reason, setting) => {
    const c = caseDir(`url-load-${port}`);
    const r = await run('load', ['--file', c.csv], { env: { DATABASE_URL: `postgres://postgres:s3cret@127.0.0.1:${port}/x`, STARTRAIL_DATA_DIR: c.data } });
    expectOneLine(r, [`load: ${setting}: not a valid PostgreSQL URL (${reason})`], ['s3cret', 'Invalid URL']);
    expect(existsSync(c.data)).toBe(false);
  }, TIMEOUT_MS);

  it.each(cases)('analyze with port %s', async (port, reason, setting) => {
    const c = caseDir(`url-analyze-${port}`);
    const r = await run('analyze', [], { env: { DATABASE_URL: `postgres://postgres:s3cret@127.0.0.1:${port}/x`, STARTRAIL_DATA_DIR: c.data } });
    expectOneLine(r, [`${setting}: not a valid PostgreSQL URL (${reason})`], ['s3cret', 'Invalid URL']);
  }, TIMEOUT_MS);

  it('analyze names --database-url when the flag is at fault', async () => {
    const c = caseDir('url-analyze-flag');
    const r = await run('analyze', ['--database-url', 'postgres://u:s3cret@127.0.0.1:99999/x'], { env: { STARTRAIL_DATA_DIR: c.data } });
    expectOneLine(r, ['--database-url: not a valid PostgreSQL URL (port 99999 out of range)'], ['s3cret', 'DATABASE_URL']);
  }, TIMEOUT_MS);
});

/** The commands that write into the data directory, each with its arguments. */
function writers(c: ReturnType<typeof caseDir>): [Cli, string[]][] {
  return [
    ['load', ['--file', c.csv]],
    ['export', ['--out', path.join(c.out, 'stars.csv'), '--allow-empty']],
    ['demo', ['--days', '1', '--top', '10', '--out', path.join(c.out, 'report')]],
  ];
}

describe.concurrent('an unusable data directory is named, with the real cause', () => {
  it.each<Cli>(['load', 'export', 'demo', 'analyze'])('%s: data directory under a regular file (ENOTDIR)', async (cli) => {
    const c = caseDir(`enotdir-${cli}`);
    writeFileSync(path.join(c.dir, 'afile'), 'not a folder\n');
    const data = path.join(c.dir, 'afile', 'data');
    const args = cli === 'analyze' ? [] : (writers(c).find(([name]) => name === cli)?.[1] ?? []);
    const dataArgs = cli === 'demo' ? ['--data-dir', data] : [];
    const r = await run(cli, [...args, ...dataArgs], { env: { STARTRAIL_DATA_DIR: data } });
    expectOneLine(r, [`data directory ${data}: ${path.join(c.dir, 'afile')} is a file, not a directory (ENOTDIR)`]);
    expect(readdirSync(c.out)).toEqual([]);
  }, TIMEOUT_MS);

  it.each<Cli>(['load', 'export', 'demo'])('%s: data directory in a folder it may not write (EACCES)', async (cli) => {
    const c = caseDir(`eacces-${cli}`);
    const locked = path.join(c.dir, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    chmodSync(locked, 0o555);
    const data = path.join(locked, 'data');
    const args = writers(c).find(([name]) => name === cli)?.[1] ?? [];
    const dataArgs = cli === 'demo' ? ['--data-dir', data] : [];
    const r = await run(cli, [...args, ...dataArgs], { env: { STARTRAIL_DATA_DIR: data }, nobody: true });
    expectOneLine(r, [`data directory ${data}: permission denied (EACCES)`]);
    expect(readdirSync(locked)).toEqual([]);
  }, TIMEOUT_MS);

  it.skipIf(!canMountReadOnly).each<Cli>(['load', 'export', 'demo'])('%s: data directory on a read-only file system (EROFS)', async (cli) => {
    const c = caseDir(`erofs-${cli}`);
    const mount = path.join(c.dir, 'ro');
    mkdirSync(mount);
    const data = path.join(mount, 'data');
    const args = writers(c).find(([name]) => name === cli)?.[1] ?? [];
    const dataArgs = cli === 'demo' ? ['--data-dir', data] : [];
    const r = await run(cli, [...args, ...dataArgs], { env: { STARTRAIL_DATA_DIR: data }, readOnlyMount: mount });
    expectOneLine(r, [`data directory ${data}: read-only file system (EROFS)`]);
  }, TIMEOUT_MS);
});

describe.concurrent('export: checkpoints and empty stores', () => {
  it.each([
    ['truncated JSON', '{"version":1,"cur'],
    ['wrong shape', '{"version":1,"table":"startrail-stars","segments":4,"bytes":-5,"rows":0,"cursors":[]}'],
  ])('a corrupt checkpoint (%s) with --resume is named, and left as it was', async (_what, text) => {
    const c = caseDir(`checkpoint-${_what}`);
    const out = path.join(c.out, 'stars.csv');
    const checkpoint = `${out}.checkpoint.json`;
    writeFileSync(checkpoint, text);
    const r = await run('export', ['--out', out, '--resume'], { env: { STARTRAIL_DATA_DIR: c.data } });
    expectOneLine(r, [checkpoint], ['unexpected failure']);
    expect(readdirSync(c.out)).toEqual(['stars.csv.checkpoint.json']);
    expect(readFileSync(checkpoint, 'utf8')).toBe(text);
    expect(existsSync(c.data)).toBe(false);
  }, TIMEOUT_MS);

  it('a missing store is not created: says so, and exits non-zero', async () => {
    const c = caseDir('missing-store');
    const r = await run('export', ['--out', path.join(c.out, 'stars.csv')], { env: { STARTRAIL_DATA_DIR: c.data } });
    expectOneLine(r, [`no embedded DynamoDB in ${path.join(c.data, 'dynamodb')}`, '--allow-empty']);
    expect(existsSync(c.data)).toBe(false);
    expect(readdirSync(c.out)).toEqual([]);
  }, TIMEOUT_MS);

  it('an empty store: non-zero and nothing written, unless --allow-empty; the demo store is pointed at', async () => {
    const c = caseDir('empty-store');
    const env = { STARTRAIL_DATA_DIR: c.data };
    const first = await run('export', ['--out', path.join(c.out, 'first.csv'), '--allow-empty'], { env });
    expect(first.code, first.stderr).toBe(0);
    const emptyOut = path.join(c.dir, 'empty-out');
    mkdirSync(emptyOut);
    const r = await run('export', ['--out', path.join(emptyOut, 'stars.csv')], { env });
    expectOneLine(r, ['is empty', '--allow-empty']);
    expect(readdirSync(emptyOut)).toEqual([]);

    mkdirSync(path.join(c.data, 'demo', 'dynamodb'), { recursive: true });
    const demo = await run('export', ['--out', path.join(emptyOut, 'stars.csv')], { env });
    expectOneLine(demo, ['is empty', `--data-dir ${path.join(c.data, 'demo')}`]);
    expect(readdirSync(emptyOut)).toEqual([]);
  }, TIMEOUT_MS * 2);

  it('a missing store with the demo store beside it points there', async () => {
    const c = caseDir('missing-store-demo');
    mkdirSync(path.join(c.data, 'demo', 'dynamodb'), { recursive: true });
    const r = await run('export', ['--out', path.join(c.out, 'stars.csv')], { env: { STARTRAIL_DATA_DIR: c.data } });
    expectOneLine(r, [`--data-dir ${path.join(c.data, 'demo')}`]);
    expect(existsSync(path.join(c.data, 'dynamodb'))).toBe(false);
  }, TIMEOUT_MS);
});

describe.concurrent('control and bidi characters in names are escaped, on one line', () => {
  const odd = 'bad\nname\u202Etxt';
  it('load --file', async () => {
    const c = caseDir('odd-load');
    const r = await run('load', ['--file', path.join(c.dir, `${odd}.csv`)], { env: { STARTRAIL_DATA_DIR: c.data } });
    expectOneLine(r, ['bad\\nname\\u202etxt.csv: file not found'], ['\u202E']);
  }, TIMEOUT_MS);

  it('export --out', async () => {
    const c = caseDir('odd-export');
    const r = await run('export', ['--out', path.join(c.dir, odd, 'stars.csv'), '--allow-empty'], { env: { STARTRAIL_DATA_DIR: c.data } });
    expectOneLine(r, ['--out', 'bad\\nname\\u202etxt'], ['\u202E']);
  }, TIMEOUT_MS);

  it('analyze --data-dir', async () => {
    const c = caseDir('odd-analyze');
    const r = await run('analyze', ['--data-dir', path.join(c.dir, odd)]);
    expectOneLine(r, ['bad\\nname\\u202etxt'], ['\u202E']);
  }, TIMEOUT_MS);
});

describe('the pieces, without a process', () => {
  it('escapeControl makes C0, DEL, C1 and bidi/format characters visible and leaves text alone', () => {
    expect(escapeControl('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(escapeControl('\u0000\u001b[31m\u007f\u009b')).toBe('\\u0000\\u001b[31m\\u007f\\u009b');
    expect(escapeControl('\u061c\u200e\u200f\u202a\u202e\u2066\u2069\u2028\ufeff')).toBe(
      '\\u061c\\u200e\\u200f\\u202a\\u202e\\u2066\\u2069\\u2028\\ufeff',
    );
    expect(escapeControl('C:\\data é 日本 golang/go')).toBe('C:\\data é 日本 golang/go');
  });

  it('TRACKS is parsed on first read only, and a bad value is a SettingError naming it', () => {
    const config = loadConfig({ TRACKS: '[{' });
    expect(config.dataDir).toBeTruthy();
    let thrown: unknown;
    try {
      void config.tracks;
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SettingError);
    expect((thrown as SettingError).setting).toBe('TRACKS');
    expect((thrown as Error).message).toMatch(/^TRACKS: not valid JSON \(.*\) \(expected JSON like /);
    const overridden = loadConfig({ TRACKS: '[{' });
    overridden.tracks = [{ query: 'language:go', top: 10 }];
    expect(overridden.tracks).toEqual([{ query: 'language:go', top: 10 }]);
  });

  it.each([
    ['postgres://u:s3cret@h:99999/d', /\(port 99999 out of range\)$/],
    ['postgres://u:s3cret@h:notaport/d', /\(port "notaport" is not a number\)$/],
    // A "/" in the password cuts the authority short: the "port" is part of the password, never shown.
    ['postgres://u:s3cr/et@h/d', /the port is not a number; a "\/", "\?", "#" or "@" in the password must be %-encoded/],
    ['localhost:5432', /expected postgres:\/\/user:password@host:5432\/database/],
    ['mydb', /expected postgres:\/\//],
  ])('checkDatabaseUrl(%j) names the setting and never echoes the URL', (url, reason) => {
    let message = '';
    try {
      checkDatabaseUrl(url, '--database-url');
    } catch (error) {
      expect(error).toBeInstanceOf(SettingError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/^--database-url: not a valid PostgreSQL URL/);
    expect(message).toMatch(reason);
    expect(message).not.toMatch(/s3cr|u:s|@h[:/]/);
  });

  it.each(['postgres://u:p@h:5432/d', 'postgresql://h/d', 'postgres://u:p%40x@[::1]:5432/d', '/var/run/postgresql db', 'socket:/run/pg?db=d'])(
    'checkDatabaseUrl(%j) accepts what node-postgres accepts',
    (url) => {
      expect(() => checkDatabaseUrl(url)).not.toThrow();
    },
  );
});
