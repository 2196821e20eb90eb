// load reads gzip directly, known by its magic bytes rather than its name: the shipped data set
// (datasets/github-ranking-go.csv.gz) loads as is, and a corrupt or truncated gzip is one
// clear error naming the file, with the table left exactly as it was.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RowError } from '../core/row-error.js';
import { type RowBatch, readCsvBatches } from '../etl/formats/read-csv.js';
import { readSideFiles, sideFilePaths } from '../etl/formats/side-csv.js';
import { freshSchema, type TestSchema } from './helpers/postgres.js';
import { REAL_CSV_GZ } from './helpers/real-data.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'etl-gzip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const out = path.join(tmp, name);
  writeFileSync(out, content);
  return out;
}

// 30,000 rows over 7 repos: several batches and several gunzip chunks, small enough to be quick.
const PLAIN = Array.from(
  { length: 30_000 },
  (_, i) => `acme/tool-${i % 7},${1_545_091_200 + Math.floor(i / 7) * 900},${i}\n`,
).join('');
const GZ = gzipSync(PLAIN, { level: 9 });

async function collect(csv: string): Promise<{ text: string; rows: number; batches: RowBatch[] }> {
  const batches: RowBatch[] = [];
  for await (const batch of readCsvBatches(csv, { batchRows: 4000 })) batches.push(batch);
  return { text: batches.map((b) => b.text).join(''), rows: batches.reduce((n, b) => n + b.rows, 0), batches };
}

/** The error a read ends with (undefined when it succeeds). */
async function readError(csv: string): Promise<unknown> {
  return collect(csv).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('readCsvBatches and gzip', () => {
  it('reads a gzip named .csv.gz, a gzip named .csv and a plain file named .gz as the same rows', async () => {
    const plain = await collect(file('plain.csv', PLAIN));
    expect(plain.rows).toBe(30_000);
    for (const [name, content] of [
      ['stars.csv.gz', GZ],
      ['gzipped-but-named.csv', GZ],
      ['plain-but-named.csv.gz', PLAIN],
    ] as const) {
      const read = await collect(file(name, content));
      expect(read.text, name).toBe(plain.text);
      expect(read.batches.map((b) => b.firstLine)).toEqual(plain.batches.map((b) => b.firstLine));
    }
  });

  it('counts compressed bytes for progress: bytesRead grows to the file size', async () => {
    const gz = file('progress.csv.gz', GZ);
    const { batches } = await collect(gz);
    const seen = batches.map((b) => b.bytesRead ?? -1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(statSync(gz).size);
    expect(seen.at(-1)).toBeLessThan(PLAIN.length / 2); // the compressed size, not the text's
  });

  it('a truncated gzip is one RowError naming the file', async () => {
    const cut = file('truncated.csv.gz', GZ.subarray(0, Math.floor(GZ.length / 2)));
    const error = await readError(cut);
    expect(error).toBeInstanceOf(RowError);
    expect((error as RowError).code).toBe('GZIP');
    expect((error as RowError).file).toBe(cut);
    expect((error as Error).message).toMatch(new RegExp(`^${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*truncated`));
  });

  it('a corrupt gzip (bad header, bad checksum) is a RowError GZIP too', async () => {
    const badHeader = Buffer.from(GZ);
    badHeader[2] = 0x07; // compression method 7 does not exist
    const badCrc = Buffer.from(GZ);
    badCrc[badCrc.length - 6] = (badCrc[badCrc.length - 6] ?? 0) ^ 0xff; // inside the CRC32 trailer
    for (const content of [badHeader, badCrc]) {
      const error = await readError(file('corrupt.csv.gz', content));
      expect(error).toBeInstanceOf(RowError);
      expect((error as RowError).code).toBe('GZIP');
    }
  });

  it('an empty gzip is the usual empty-file error', async () => {
    const error = await readError(file('empty.csv.gz', gzipSync('')));
    expect((error as RowError).code).toBe('EMPTY_FILE');
  });
});

describe('side files beside a .csv.gz', () => {
  it('x.csv.gz -> x.repos.csv and x.polls.csv', () => {
    expect(sideFilePaths('/d/x.csv.gz')).toEqual({ repos: '/d/x.repos.csv', polls: '/d/x.polls.csv' });
    expect(sideFilePaths('/d/x.CSV.GZ')).toEqual({ repos: '/d/x.repos.csv', polls: '/d/x.polls.csv' });
    expect(sideFilePaths('/d/x.csv')).toEqual({ repos: '/d/x.repos.csv', polls: '/d/x.polls.csv' });
  });

  it('absent side files give nothing; present ones are read, plain or gzipped', async () => {
    const dir = mkdtempSync(path.join(tmp, 'side-'));
    const csv = path.join(dir, 'x.csv.gz');
    writeFileSync(csv, GZ);
    expect(await readSideFiles(csv)).toEqual({ files: [] });
    writeFileSync(
      path.join(dir, 'x.repos.csv'),
      'repo_id,repo,first_ts,last_ts\n7,acme/tool-1,1545091200,1545092100\n',
    );
    writeFileSync(
      path.join(dir, 'x.polls.csv.gz'),
      gzipSync(
        'track,ts,status,expected,written,rejected,points,requests,duration_ms,started_at,error\nlanguage:go,1545091200,ok,7,7,0,,,,,\n',
      ),
    );
    const side = await readSideFiles(csv);
    expect(side.files).toEqual([path.join(dir, 'x.repos.csv'), path.join(dir, 'x.polls.csv.gz')]);
    expect(side.repos).toEqual([{ repoId: 7, repo: 'acme/tool-1', firstTs: 1545091200, lastTs: 1545092100 }]);
    expect(side.polls?.map((p) => [p.track, p.ts, p.status])).toEqual([['language:go', 1545091200, 'ok']]);
  });
});

describe('the load CLI with gzip, PostgreSQL server', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await freshSchema('etl_gzip');
  });
  afterAll(async () => {
    await schema?.drop();
  });

  const cli = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'etl/load/load-cli.ts', ...args], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: schema.url },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });

  async function state(): Promise<string> {
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      const [t] = (await client.query<{ t: string | null }>(`select to_regclass('github_stars')::text as t`)).rows;
      if (!t?.t) return 'absent';
      const { rows } = await client.query<{ n: number; sum: string | null }>(
        `select count(*)::int as n, sum(hashtext(repo || ',' || ts || ',' || stars)::bigint)::text as sum from github_stars`,
      );
      return `${rows[0]?.n}:${rows[0]?.sum}`;
    } finally {
      await client.end();
    }
  }

  it('loads the shipped datasets/github-ranking-go.csv.gz: 267,076 rows', { timeout: 180_000 }, async () => {
    const ok = await cli(['--file', REAL_CSV_GZ]);
    expect(ok.stderr).not.toMatch(/\n\s+at /);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /^loaded 267,076 rows \(0 duplicates skipped, 267,076 read\) in [\d.]+ s, [\d,]+ rows\/s\n$/,
    );
    expect((await state()).startsWith('267076:')).toBe(true);
  });

  it('a truncated gzip: exit 1, one stderr line naming the file, no stack, table unchanged', {
    timeout: 180_000,
  }, async () => {
    const before = await state();
    // Half the real data set: the first batches decode and reach COPY before the gzip runs out.
    const whole = readFileSync(REAL_CSV_GZ);
    const cut = file('cut.csv.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    const failed = await cli(['--file', cut, '--batch-rows', '20000']);
    expect(failed.code).toBe(1);
    // Beside the opening line and any progress line, exactly one line: the error.
    const errors = failed.stderr
      .split('\n')
      .filter((l) => l !== '' && !l.includes(' -> github_stars in ') && !/^load: [\d,]+ rows/.test(l));
    expect(errors).toEqual([
      expect.stringMatching(new RegExp(`^load: ${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*gzip`)),
    ]);
    expect(failed.stderr).not.toMatch(/\n\s+at /);
    expect(failed.stdout).toBe('');
    expect(await state()).toBe(before);
  });
});
