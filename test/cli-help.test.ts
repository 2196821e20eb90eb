// Every `npm run <cmd>` answers --help with usage and examples, and a bad flag with one line,
// without touching anything: no data directory, no report, no benchmark results, no servers.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
// The project's own tsx by absolute path: `npx tsx` from an empty directory would fetch tsx.
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const RESULTS = path.join(ROOT, 'bench', 'results');
// A command that starts working instead of answering (as bench once did) fails here, not hangs.
const TIMEOUT_MS = 30_000;
// Each tsx start is about a second of CPU; a few at a time keeps them well inside the timeout.
const CONCURRENCY = 4;

/** The CLIs behind the npm scripts: `"export": "tsx etl/export/export-cli.ts"` -> export: etl/export/export-cli.ts (also `node ... --import tsx <file>`). */
const COMMANDS: Record<string, string> = Object.fromEntries(
  Object.entries(
    (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts,
  )
    .map(([name, script]) => [name, /^(?:tsx|node (?:--\S+ )*--import tsx) (\S+\.ts)$/.exec(script)?.[1]] as const)
    .filter((entry): entry is readonly [string, string] => entry[1] !== undefined),
);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  leftBehind: string[];
}

/** Runs one CLI in a fresh empty directory with its data directory inside it, then lists what it left. */
function runCli(file: string, args: string[]): Promise<Run> {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'startrail-help-'));
  const env: NodeJS.ProcessEnv = { ...process.env, STARTRAIL_DATA_DIR: path.join(cwd, 'data') };
  delete env.DATABASE_URL;
  // Its own process group, so a timeout kills tsx's node child too, not just tsx.
  const child = spawn(TSX, [path.join(ROOT, file), ...args], {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const timer = setTimeout(() => {
    stderr += `\n[killed after ${TIMEOUT_MS} ms]`;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const leftBehind = readdirSync(cwd);
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr, leftBehind });
    });
  });
}

async function inPool(jobs: (() => Promise<unknown>)[], size: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: size }, worker));
}

function resultTimes(): Record<string, number> {
  return Object.fromEntries(readdirSync(RESULTS).map((f) => [f, statSync(path.join(RESULTS, f)).mtimeMs]));
}

const names = Object.keys(COMMANDS).sort();
const help = new Map<string, Run>();
const badFlag = new Map<string, Run>();
let resultsBefore: Record<string, number>;

beforeAll(async () => {
  resultsBefore = resultTimes();
  const jobs = names.flatMap((name) => [
    async () => help.set(name, await runCli(COMMANDS[name]!, ['--help'])),
    async () => badFlag.set(name, await runCli(COMMANDS[name]!, ['--no-such-flag'])),
  ]);
  await inPool(jobs, CONCURRENCY);
}, 180_000);

describe('npm run <cmd> -- --help', () => {
  it('covers every command', () => {
    expect(names).toEqual(
      expect.arrayContaining(['analyze', 'bench', 'collect', 'demo', 'export', 'load', 'report', 'simulator']),
    );
  });

  it.each(names)('%s: usage, then two or three examples last; nothing created', (name) => {
    const run = help.get(name)!;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Usage:');
    const tail = run.stdout.split('\nExamples:\n')[1];
    expect(tail, 'an Examples: block').toBeDefined();
    const examples = tail!.trimEnd().split('\n');
    // Optional VAR=value prefixes, then the script itself: the examples must name this command.
    for (const line of examples) expect(line).toMatch(new RegExp(`^ {2}(\\w+=\\S+ )*npm run ${name}( |$)`));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.length).toBeLessThanOrEqual(3);
    expect(run.leftBehind).toEqual([]);
  });

  it('bench results are untouched', () => {
    expect(resultTimes()).toEqual(resultsBefore);
  });
});

describe('npm run <cmd> -- --no-such-flag', () => {
  it.each(names)('%s: one line on stderr, non-zero exit, nothing created', (name) => {
    const run = badFlag.get(name)!;
    expect(run.code, run.stderr).not.toBe(0);
    expect(run.signal, run.stderr).toBeNull();
    expect(run.stderr.trim().split('\n'), run.stderr).toEqual([expect.stringContaining('--no-such-flag')]);
    expect(run.stdout).toBe('');
    expect(run.leftBehind).toEqual([]);
  });
});
