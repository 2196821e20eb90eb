// Two commands started at once on one data directory: they share the one embedded PostgreSQL
// server, or the second refuses in one line naming what is in use; never two processes working
// on copies of the same files, never a corrupted store. The runners (test/helpers/
// careless-concurrent.ts) are the reliability bench's too.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoWithOthers, loadWhileAnalyzing, stderrLines } from './helpers/careless-concurrent.js';
import { REAL_CSV_GZ } from './helpers/real-data.js';
import { reachableTempDir } from './helpers/temp-dir.js';

const tmp = reachableTempDir('startrail-concurrent-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('two commands at once on one data directory', () => {
  it('load + analyze: analyze sees the table before or after the load, never half of it; both end cleanly', {
    timeout: 120_000,
  }, async () => {
    const dataDir = reachableTempDir(path.join(tmp, 'la-'));
    const r = await loadWhileAnalyzing(dataDir, REAL_CSV_GZ, { batchRows: 20_000 });
    expect(r.load.code).toBe(0);
    if (r.during.code === 0) expect(r.during.stdout).toMatch(/final-stars/);
    else expect(stderrLines(r.during.stderr)).toEqual([expect.stringMatching(/^error: no (github_stars table|data)/)]);
    expect(r.after.code).toBe(0);
    expect(r.check.total).toBe(267_076);
  });

  it('demo + export and demo + collect: the second refuses in one line naming the store in use; the demo completes', {
    timeout: 240_000,
  }, async () => {
    const demoDir = reachableTempDir(path.join(tmp, 'demo-'));
    const r = await demoWithOthers(tmp, demoDir, { days: 3, top: 100 });
    expect(r.demo.code).toBe(0);
    expect(r.demo.output).toMatch(/report\s+\S+index\.html/);
    for (const { run: other } of r.others) {
      expect(other.code).not.toBe(0);
      const lines = stderrLines(other.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/in use by another process/);
      expect(lines[0]).toContain(demoDir);
    }
    // And the demo's store is whole: an export after it has every row the demo loaded.
    expect(r.afterExport.code).toBe(0);
    expect(r.afterExport.stdout + r.afterExport.stderr).toMatch(/28,800 rows/);
  });
});
