// `npm run collect` as a user runs it: a simulated poll into the embedded DynamoDB under a
// data directory, and a clear one-line error when no token is set.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'startrail-collect-'));
const baseEnv = {
  ...process.env,
  GITHUB_TOKEN: '',
  GITHUB_TOKEN_SECRET_ARN: '',
  DYNAMODB_ENDPOINT: '',
  TRACKS: '',
  STARTRAIL_DATA_DIR: dataDir,
};

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function collect(args: string[]) {
  try {
    const out = await run(tsx, ['local/collect.ts', ...args], { cwd: root, env: baseEnv, timeout: 60_000 });
    return { code: 0, ...out };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run collect', () => {
  it('--simulate --at --json polls into the embedded DynamoDB and prints the poll record; --query picks another track', async () => {
    const first = await collect(['--simulate', '--at', '2026-05-04T10:20:00Z', '--top', '200', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const poll = JSON.parse(first.stdout.trim());
    expect(poll).toMatchObject({
      track: 'language:go',
      ts: Date.parse('2026-05-04T10:15:00Z') / 1000,
      status: 'ok',
      expected: 200,
      written: 200,
    });
    const again = await collect([
      '--simulate',
      '--at',
      '2026-05-04T10:29:59Z',
      '--top',
      '200',
      '--query',
      'language:rust',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^language:rust {2}slot 2026-05-04T10:15:00.000Z {2}ok {2}200\/200 written/);
  });

  it('without a token and without --simulate: one clear line, non-zero exit, no stack trace', async () => {
    const out = await collect([]);
    expect(out.code).toBe(2);
    const lines = out.stderr.split('\n').filter((l) => l.startsWith('collect:'));
    expect(lines).toEqual([
      'collect: no GitHub token: set GITHUB_TOKEN (or GITHUB_TOKEN_SECRET_ARN on AWS) (or use --simulate)',
    ]);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects a bad --every interval naming the value', async () => {
    const out = await collect(['--simulate', '--every', '15 minutes']);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('expected a duration like 30s, 15m or 1h, got "15 minutes"');
  });
});
