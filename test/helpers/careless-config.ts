// Configuration mistakes a careless user makes, as a table shared by test/careless-config.test.ts
// (one test per entry) and the reliability bench (how many are answered with one clear line).
//
// Producing the data-directory errors as root (root ignores file modes):
// - ENOTDIR: a data directory under a regular file (<tmp>/afile/data), any user;
// - EACCES: a 0555 folder, the CLI run as uid/gid 65534 (nobody) when we are root;
// - EROFS: a read-only tmpfs mounted in a private mount namespace (`unshare -m`), which needs
//   CAP_SYS_ADMIN; where that is refused those cases are skipped (`needsReadOnlyMount`).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './reliability-etl.js';
import { reachableTempDir } from './temp-dir.js';

export const TIMEOUT_MS = 90_000;
const IS_ROOT = process.getuid?.() === 0;

export type Cli = 'load' | 'export' | 'analyze' | 'report' | 'collect' | 'demo';
const FILES: Record<Cli, string> = {
  load: 'etl/load/load-cli.ts',
  export: 'etl/export/export-cli.ts',
  analyze: 'analysis/analyze/analyze-cli.ts',
  report: 'analysis/report/report-cli.ts',
  collect: 'local/collect.ts',
  demo: 'local/demo.ts',
};

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Run as nobody (EACCES as root). */
  nobody?: boolean;
  /** Mount a read-only tmpfs here first, in a private mount namespace. */
  readOnlyMount?: string;
}

/** A case's own folder, with a valid CSV, an (empty) output folder and a data directory path. */
export interface CaseDir {
  dir: string;
  csv: string;
  out: string;
  data: string;
}

/** Where the cases run: a temp folder, and the CLIs run two at a time. */
export interface Lab {
  tmp: string;
  run(cli: Cli, args: string[], options?: RunOptions): Promise<CliRun>;
  caseDir(name: string): CaseDir;
}

const BASE_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  NO_COLOR: '1',
};
for (const name of ['DATABASE_URL', 'TRACKS', 'DYNAMODB_ENDPOINT', 'GITHUB_TOKEN', 'STARTRAIL_DATA_DIR'])
  delete BASE_ENV[name];

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

/** One CLI to its end, its process group killed if it outlives the timeout. */
function spawnCli(
  command: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  as: { uid?: number; gid?: number },
): Promise<CliRun> {
  return new Promise<CliRun>((resolve, reject) => {
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
  });
}

export function createLab(tmp: string): Lab {
  const run = (cli: Cli, args: string[], options: RunOptions = {}) => {
    const env: NodeJS.ProcessEnv = { ...BASE_ENV, STARTRAIL_DATA_DIR: path.join(tmp, 'unused-data'), ...options.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    let command = process.execPath;
    let argv = ['--import', 'tsx', FILES[cli], ...args];
    if (options.readOnlyMount) {
      argv = [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        'mount -t tmpfs -o ro,size=64k none "$1" && shift && exec "$@"',
        'sh',
        options.readOnlyMount,
        command,
        ...argv,
      ];
      command = 'unshare';
    }
    const as = options.nobody && IS_ROOT ? { uid: 65534, gid: 65534 } : {};
    return slot(() => spawnCli(command, argv, env, as));
  };
  const caseDir = (name: string): CaseDir => {
    const dir = path.join(tmp, name.replace(/[^a-z0-9]+/gi, '-'));
    mkdirSync(path.join(dir, 'out'), { recursive: true });
    chmodSync(dir, 0o755);
    chmodSync(path.join(dir, 'out'), 0o777);
    const csv = path.join(dir, 'stars.csv');
    writeFileSync(csv, 'golang/go,1767225600,120000\n');
    return { dir, csv, out: path.join(dir, 'out'), data: path.join(dir, 'data') };
  };
  return { tmp, run, caseDir };
}

/** Whether this machine lets us mount a read-only tmpfs in a private mount namespace. */
export function probeReadOnlyMount(): boolean {
  const probe = reachableTempDir('startrail-careless-probe-');
  try {
    const script = 'mount -t tmpfs -o ro,size=64k none "$1" && ! mkdir "$1/x" 2>/dev/null';
    return (
      spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', probe], { timeout: 10_000 })
        .status === 0
    );
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/**
 * What is wrong with a failure's output, judged on its bytes: it must be exactly one stderr
 * line, no stack, every name in it (a string to contain, a pattern to match), nothing of
 * `absent`, and a non-zero exit that is not a signal. Empty: answered with one clear line.
 */
export function oneLineProblems(
  result: CliRun,
  names: (string | RegExp)[],
  absent: (string | RegExp)[] = [],
): string[] {
  const problems: string[] = [];
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  if (lines.length !== 1) problems.push(`${lines.length} stderr lines, not 1`);
  if (/^\s+at /m.test(result.stderr)) problems.push('a stack trace');
  for (const name of names) {
    const found = typeof name === 'string' ? result.stderr.includes(name) : name.test(result.stderr);
    if (!found) problems.push(`does not name ${String(name)}`);
  }
  for (const text of absent) {
    const found = typeof text === 'string' ? result.stderr.includes(text) : text.test(result.stderr);
    if (found) problems.push(`shows ${String(text)}`);
  }
  if (result.code === 0) problems.push('exit code 0');
  if (result.code === null) problems.push('ended by a signal');
  return problems;
}

/** Nothing was left behind: problems if `dir` holds anything but `allowed`. */
export function holdsOnly(dir: string, allowed: string[] = []): string[] {
  const found = readdirSync(dir).sort();
  return JSON.stringify(found) === JSON.stringify([...allowed].sort()) ? [] : [`${dir} holds ${JSON.stringify(found)}`];
}

/** The data directory was not created by a command that failed. */
export function notCreated(file: string): string[] {
  return existsSync(file) ? [`${file} was created`] : [];
}

/** One CLI run that must fail in one line, and what else must hold after it. */
export interface Attempt {
  cli: Cli;
  args: string[];
  options?: RunOptions;
  names: (string | RegExp)[];
  absent?: (string | RegExp)[];
  after?(result: CliRun): string[];
}

export interface ConfigMistake {
  title: string;
  /** EROFS cases: skipped where a read-only mount cannot be made. */
  needsReadOnlyMount?: boolean;
  /** CLI runs made before the attempt (to set the case up), for timeouts. */
  runsBefore?: number;
  /** Sets the case up in its folder and says what to run and expect. */
  attempt(lab: Lab): Attempt | Promise<Attempt>;
}

/** Runs one mistake; a set-up that fails is a problem too, never a pass. */
export async function tryMistake(mistake: ConfigMistake, lab: Lab): Promise<{ result: CliRun; problems: string[] }> {
  let attempt: Attempt;
  try {
    attempt = await mistake.attempt(lab);
  } catch (error) {
    const result = { code: null, stdout: '', stderr: '' };
    return { result, problems: [`set-up failed: ${(error as Error).message}`] };
  }
  const result = await lab.run(attempt.cli, attempt.args, attempt.options);
  return {
    result,
    problems: [...oneLineProblems(result, attempt.names, attempt.absent), ...(attempt.after?.(result) ?? [])],
  };
}

export const TRACKS_HINT = 'expected JSON like [{"query":"language:go","top":1000}] or language:go=1000;...';

const tracksMistakes: ConfigMistake[] = [
  ...(
    [
      ['load', ['--file', 'MISSING']],
      ['analyze', []],
      ['report', ['--out', 'OUT']],
      ['export', ['--out', 'OUT/stars.csv']],
    ] as [Cli, string[]][]
  ).map(
    ([cli, args]): ConfigMistake => ({
      title: `${cli} does not use TRACKS: fails for its own reason`,
      attempt(lab) {
        const c = lab.caseDir(`tracks-${cli}`);
        const argv = args.map((a) => a.replace('MISSING', path.join(c.dir, 'missing.csv')).replace('OUT', c.out));
        const reason =
          cli === 'load'
            ? /missing\.csv: file not found/
            : cli === 'export'
              ? /no embedded DynamoDB/
              : /no data in the embedded database/;
        return {
          cli,
          args: argv,
          options: { env: { TRACKS: '[{', STARTRAIL_DATA_DIR: c.data } },
          names: [reason],
          absent: ['TRACKS', 'JSON'],
          after: () => [...notCreated(c.data), ...holdsOnly(c.out)],
        };
      },
    }),
  ),
  ...(
    [
      ['[{', 'TRACKS: not valid JSON'],
      ['language:go=0', 'TRACKS: '],
      ['[]', 'TRACKS: '],
    ] as [string, string][]
  ).map(
    ([value, start]): ConfigMistake => ({
      title: `collect names TRACKS=${JSON.stringify(value)} and shows the expected forms`,
      attempt(lab) {
        const c = lab.caseDir(`tracks-collect-${value}`);
        return {
          cli: 'collect',
          args: ['--simulate', '--data-dir', c.data],
          options: { env: { TRACKS: value } },
          names: [`collect: ${start}`, TRACKS_HINT],
          absent: [/\n.*\n/],
          after: () => notCreated(c.data),
        };
      },
    }),
  ),
];

const URL_CASES: [string, string][] = [
  ['99999', 'port 99999 out of range'],
  ['notaport', 'port "notaport" is not a number'],
];

const databaseUrlMistakes: ConfigMistake[] = [
  ...URL_CASES.map(
    ([port, reason]): ConfigMistake => ({
      title: `load with port ${port}`,
      attempt(lab) {
        const c = lab.caseDir(`url-load-${port}`);
        const env = { DATABASE_URL: `postgres://postgres:s3cret@127.0.0.1:${port}/x`, STARTRAIL_DATA_DIR: c.data };
        return {
          cli: 'load',
          args: ['--file', c.csv],
          options: { env },
          names: [`load: DATABASE_URL: not a valid PostgreSQL URL (${reason})`],
          absent: ['s3cret', 'Invalid URL'],
          after: () => notCreated(c.data),
        };
      },
    }),
  ),
  ...URL_CASES.map(
    ([port, reason]): ConfigMistake => ({
      title: `analyze with port ${port}`,
      attempt(lab) {
        const c = lab.caseDir(`url-analyze-${port}`);
        const env = { DATABASE_URL: `postgres://postgres:s3cret@127.0.0.1:${port}/x`, STARTRAIL_DATA_DIR: c.data };
        return {
          cli: 'analyze',
          args: [],
          options: { env },
          names: [`DATABASE_URL: not a valid PostgreSQL URL (${reason})`],
          absent: ['s3cret', 'Invalid URL'],
        };
      },
    }),
  ),
  {
    title: 'analyze names --database-url when the flag is at fault',
    attempt(lab) {
      const c = lab.caseDir('url-analyze-flag');
      const args = ['--database-url', 'postgres://u:s3cret@127.0.0.1:99999/x'];
      return {
        cli: 'analyze',
        args,
        options: { env: { STARTRAIL_DATA_DIR: c.data } },
        names: ['--database-url: not a valid PostgreSQL URL (port 99999 out of range)'],
        absent: ['s3cret', 'DATABASE_URL'],
      };
    },
  },
];

/** The arguments of a command that writes into the data directory (analyze only reads it). */
function argsFor(cli: Cli, c: CaseDir, data: string): string[] {
  const own: Partial<Record<Cli, string[]>> = {
    load: ['--file', c.csv],
    export: ['--out', path.join(c.out, 'stars.csv'), '--allow-empty'],
    demo: ['--days', '1', '--top', '10', '--out', path.join(c.out, 'report'), '--data-dir', data],
  };
  return own[cli] ?? [];
}

const dataDirMistakes: ConfigMistake[] = [
  ...(['load', 'export', 'demo', 'analyze'] as Cli[]).map(
    (cli): ConfigMistake => ({
      title: `${cli}: data directory under a regular file (ENOTDIR)`,
      attempt(lab) {
        const c = lab.caseDir(`enotdir-${cli}`);
        writeFileSync(path.join(c.dir, 'afile'), 'not a folder\n');
        const data = path.join(c.dir, 'afile', 'data');
        const names = [`data directory ${data}: ${path.join(c.dir, 'afile')} is a file, not a directory (ENOTDIR)`];
        return {
          cli,
          args: argsFor(cli, c, data),
          options: { env: { STARTRAIL_DATA_DIR: data } },
          names,
          after: () => holdsOnly(c.out),
        };
      },
    }),
  ),
  ...(['load', 'export', 'demo'] as Cli[]).map(
    (cli): ConfigMistake => ({
      title: `${cli}: data directory in a folder it may not write (EACCES)`,
      attempt(lab) {
        const c = lab.caseDir(`eacces-${cli}`);
        const locked = path.join(c.dir, 'locked');
        mkdirSync(locked, { mode: 0o555 });
        chmodSync(locked, 0o555);
        const data = path.join(locked, 'data');
        const options = { env: { STARTRAIL_DATA_DIR: data }, nobody: true };
        return {
          cli,
          args: argsFor(cli, c, data),
          options,
          names: [`data directory ${data}: permission denied (EACCES)`],
          after: () => holdsOnly(locked),
        };
      },
    }),
  ),
  ...(['load', 'export', 'demo'] as Cli[]).map(
    (cli): ConfigMistake => ({
      title: `${cli}: data directory on a read-only file system (EROFS)`,
      needsReadOnlyMount: true,
      attempt(lab) {
        const c = lab.caseDir(`erofs-${cli}`);
        const mount = path.join(c.dir, 'ro');
        mkdirSync(mount);
        const data = path.join(mount, 'data');
        const options = { env: { STARTRAIL_DATA_DIR: data }, readOnlyMount: mount };
        return {
          cli,
          args: argsFor(cli, c, data),
          options,
          names: [`data directory ${data}: read-only file system (EROFS)`],
        };
      },
    }),
  ),
];

/** The empty store a first `export --allow-empty` leaves; the case fails if that run does. */
async function emptyStore(lab: Lab, c: CaseDir): Promise<void> {
  const first = await lab.run('export', ['--out', path.join(c.out, 'first.csv'), '--allow-empty'], {
    env: { STARTRAIL_DATA_DIR: c.data },
  });
  if (first.code !== 0) throw new Error(`export --allow-empty exited ${first.code}: ${first.stderr}`);
}

const exportMistakes: ConfigMistake[] = [
  ...(
    [
      ['truncated JSON', '{"version":1,"cur'],
      ['wrong shape', '{"version":1,"table":"startrail-stars","segments":4,"bytes":-5,"rows":0,"cursors":[]}'],
    ] as [string, string][]
  ).map(
    ([what, text]): ConfigMistake => ({
      title: `a corrupt checkpoint (${what}) with --resume is named, and left as it was`,
      attempt(lab) {
        const c = lab.caseDir(`checkpoint-${what}`);
        const out = path.join(c.out, 'stars.csv');
        const checkpoint = `${out}.checkpoint.json`;
        writeFileSync(checkpoint, text);
        const unchanged = () => (readFileSync(checkpoint, 'utf8') === text ? [] : [`${checkpoint} was changed`]);
        const after = () => [...holdsOnly(c.out, ['stars.csv.checkpoint.json']), ...unchanged(), ...notCreated(c.data)];
        return {
          cli: 'export',
          args: ['--out', out, '--resume'],
          options: { env: { STARTRAIL_DATA_DIR: c.data } },
          names: [checkpoint],
          absent: ['unexpected failure'],
          after,
        };
      },
    }),
  ),
  {
    title: 'a missing store is not created: says so, and exits non-zero',
    attempt(lab) {
      const c = lab.caseDir('missing-store');
      const names = [`no embedded DynamoDB in ${path.join(c.data, 'dynamodb')}`, '--allow-empty'];
      return {
        cli: 'export',
        args: ['--out', path.join(c.out, 'stars.csv')],
        options: { env: { STARTRAIL_DATA_DIR: c.data } },
        names,
        after: () => [...notCreated(c.data), ...holdsOnly(c.out)],
      };
    },
  },
  {
    title: 'an empty store: non-zero and nothing written, unless --allow-empty',
    runsBefore: 1,
    async attempt(lab) {
      const c = lab.caseDir('empty-store');
      await emptyStore(lab, c);
      const emptyOut = path.join(c.dir, 'empty-out');
      mkdirSync(emptyOut);
      return {
        cli: 'export',
        args: ['--out', path.join(emptyOut, 'stars.csv')],
        options: { env: { STARTRAIL_DATA_DIR: c.data } },
        names: ['is empty', '--allow-empty'],
        after: () => holdsOnly(emptyOut),
      };
    },
  },
  {
    title: 'an empty store with the demo store beside it: the demo store is pointed at',
    runsBefore: 1,
    async attempt(lab) {
      const c = lab.caseDir('empty-store-demo');
      await emptyStore(lab, c);
      const emptyOut = path.join(c.dir, 'empty-out');
      mkdirSync(emptyOut);
      mkdirSync(path.join(c.data, 'demo', 'dynamodb'), { recursive: true });
      const names = ['is empty', `--data-dir ${path.join(c.data, 'demo')}`];
      return {
        cli: 'export',
        args: ['--out', path.join(emptyOut, 'stars.csv')],
        options: { env: { STARTRAIL_DATA_DIR: c.data } },
        names,
        after: () => holdsOnly(emptyOut),
      };
    },
  },
  {
    title: 'a missing store with the demo store beside it points there',
    attempt(lab) {
      const c = lab.caseDir('missing-store-demo');
      mkdirSync(path.join(c.data, 'demo', 'dynamodb'), { recursive: true });
      const names = [`--data-dir ${path.join(c.data, 'demo')}`];
      return {
        cli: 'export',
        args: ['--out', path.join(c.out, 'stars.csv')],
        options: { env: { STARTRAIL_DATA_DIR: c.data } },
        names,
        after: () => notCreated(path.join(c.data, 'dynamodb')),
      };
    },
  },
];

const ODD = 'bad\nname\u202Etxt';

const oddNameMistakes: ConfigMistake[] = [
  {
    title: 'load --file',
    attempt(lab) {
      const c = lab.caseDir('odd-load');
      return {
        cli: 'load',
        args: ['--file', path.join(c.dir, `${ODD}.csv`)],
        options: { env: { STARTRAIL_DATA_DIR: c.data } },
        names: ['bad\\nname\\u202etxt.csv: file not found'],
        absent: ['\u202E'],
      };
    },
  },
  {
    title: 'export --out',
    attempt(lab) {
      const c = lab.caseDir('odd-export');
      const args = ['--out', path.join(c.dir, ODD, 'stars.csv'), '--allow-empty'];
      return {
        cli: 'export',
        args,
        options: { env: { STARTRAIL_DATA_DIR: c.data } },
        names: ['--out', 'bad\\nname\\u202etxt'],
        absent: ['\u202E'],
      };
    },
  },
  {
    title: 'analyze --data-dir',
    attempt(lab) {
      const c = lab.caseDir('odd-analyze');
      return {
        cli: 'analyze',
        args: ['--data-dir', path.join(c.dir, ODD)],
        names: ['bad\\nname\\u202etxt'],
        absent: ['\u202E'],
      };
    },
  },
];

/** The whole table, in groups (one describe block each in the test). */
export const CONFIG_MISTAKES: { title: string; mistakes: ConfigMistake[] }[] = [
  { title: 'TRACKS is parsed only where tracks are used, and named when bad', mistakes: tracksMistakes },
  { title: 'DATABASE_URL is checked before use, and never echoed', mistakes: databaseUrlMistakes },
  { title: 'an unusable data directory is named, with the real cause', mistakes: dataDirMistakes },
  { title: 'export: checkpoints and empty stores', mistakes: exportMistakes },
  { title: 'control and bidi characters in names are escaped, on one line', mistakes: oddNameMistakes },
];
