// Issue 7, bad input: 1,000 generated malformed CSVs (one defect planted at a known line in
// an otherwise valid file) through the real loader, on the embedded server and on the PostgreSQL server.
// Every one must be rejected with an error naming the planted line, and github_stars must be
// exactly as it was (rows, checksum, key, indexes) after each, whether the table had rows
// (the merge path) or was empty (the bulk path, which drops and rebuilds the key).
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqlFile } from '../core/sql-file.js';
import { readCsvBatches } from '../etl/formats/read-csv.js';
import { loadBatches } from '../etl/load/load.js';
import { type OpenedDatabase, openEmbeddedIn, openServerSchema } from './helpers/both-databases.js';
import { makeRows } from './helpers/etl-fixtures.js';
import { badCsvCorpus, DEFECT_KINDS } from './helpers/reliability-corpus.js';
import { runCorpus, starsState } from './helpers/reliability-db.js';
import { reachableTempDir } from './helpers/temp-dir.js';

const tmp = reachableTempDir('reliability-bad-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const corpus = badCsvCorpus(1000, 7);

const backends: Array<[string, () => Promise<OpenedDatabase>]> = [
  ['embedded', () => openEmbeddedIn(tmp)],
  ['the PostgreSQL server', () => openServerSchema('rel_bad')],
];

describe('the corpus', () => {
  it('holds at least 1,000 inputs covering every defect kind, each planted at a known line', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(corpus.map((c) => c.kind))).toEqual(new Set(DEFECT_KINDS));
    expect(DEFECT_KINDS.length).toBeGreaterThanOrEqual(18);
    // The planted line is spread over the file, not always the first.
    expect(new Set(corpus.map((c) => c.line)).size).toBeGreaterThan(5);
    expect(corpus.some((c) => c.line > 1 && c.line < c.lines)).toBe(true);
  });
});

describe.each(backends)('1,000 malformed CSVs into %s', (_name, open) => {
  it('each is rejected naming its line; the table never changes', { timeout: 180_000 }, async () => {
    const { db, done } = await open();
    try {
      const good = path.join(tmp, `good-${_name.length}.csv`);
      writeFileSync(
        good,
        makeRows(20, 15)
          .map((r) => `${r.repo},${r.ts},${r.stars}\n`)
          .join(''),
      );
      await loadBatches(db, readCsvBatches(good));
      expect(await starsState(db)).toMatch(/^rows=300 sum=-?\d+ pk=1 indexes=[1-9]/);

      // The table has rows: a load would merge through a staging table.
      const merge = await runCorpus(db, corpus, path.join(tmp, 'bad.csv'));
      expect(merge.wrongLine).toEqual([]);
      expect({
        tried: merge.tried,
        rejectedWithLine: merge.rejectedWithLine,
        accepted: merge.accepted,
        databaseChanged: merge.databaseChanged,
      }).toEqual({
        tried: 1000,
        rejectedWithLine: 1000,
        accepted: 0,
        databaseChanged: 0,
      });

      // An empty table: the loader drops the key, truncates and COPYs; a bad row must undo all that.
      await db.exec('create schema if not exists empty_case; set search_path to empty_case');
      await db.exec(sqlFile('schema.sql'));
      const emptyBefore = await starsState(db);
      expect(emptyBefore).toMatch(/^rows=0 sum=null pk=1/);
      const sample = corpus.filter((_, i) => i % 5 === 0);
      const bulk = await runCorpus(db, sample, path.join(tmp, 'bad-empty.csv'));
      expect(bulk.wrongLine).toEqual([]);
      expect({ rejectedWithLine: bulk.rejectedWithLine, databaseChanged: bulk.databaseChanged }).toEqual({
        rejectedWithLine: sample.length,
        databaseChanged: 0,
      });
      expect(await starsState(db)).toBe(emptyBefore);
      await db.exec('reset search_path');
    } finally {
      await done();
    }
  });
});
