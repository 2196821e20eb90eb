// Issue 7, collector soak: the real handler for 200 consecutive slots against the simulator
// with 502s, secondary rate limits and slow answers, DynamoDB throttling, 500s and
// UnprocessedItems through a real HTTP fault proxy, invocations killed after a partial write
// and delivered again. Then the simulator's hostile data. The bench runs 2,000 slots.
import { describe, expect, it } from 'vitest';
import { runSoak } from './helpers/reliability-soak.js';
import { SOAK_FAULTS } from './helpers/soak-faults.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

describe('collector soak under faults', () => {
  it('200 slots: every slot complete after redelivery, zero rows lost, zero duplicates', {
    timeout: 180_000,
  }, async () => {
    const f = await runSoak({
      slots: 200,
      top: 100,
      seed: 3,
      ...SOAK_FAULTS,
    });
    // The faults really happened, of every kind.
    expect(f.faults.github502).toBeGreaterThan(20);
    expect(f.faults.githubSecondary).toBeGreaterThan(3);
    expect(f.faults.githubTimeouts).toBeGreaterThan(0);
    expect(f.faults.dynamoThrottled).toBeGreaterThan(20);
    expect(f.faults.dynamo500).toBeGreaterThan(0);
    expect(f.faults.dynamoUnprocessedItems).toBeGreaterThan(1000);
    expect(f.faults.searchesTimedOut).toBeGreaterThan(5);
    expect(f.killed).toBeGreaterThan(5);
    expect(f.redeliveries).toBeGreaterThanOrEqual(f.killed);
    // And nothing was lost or doubled.
    expect({
      slotsComplete: f.slotsComplete,
      rowsExpected: f.rowsExpected,
      rowsStored: f.rowsStored,
      rowsLost: f.rowsLost,
      duplicates: f.duplicates,
      invalidRows: f.invalidRows,
      slotsWrongCount: f.slotsWrongCount,
      silentGaps: f.silentGaps,
      pollsFinal: f.pollsFinal,
    }).toEqual({
      slotsComplete: 200,
      rowsExpected: 20_000,
      rowsStored: 20_000,
      rowsLost: 0,
      duplicates: 0,
      invalidRows: 0,
      slotsWrongCount: 0,
      silentGaps: 0,
      pollsFinal: { ok: 200 },
    });
  });

  it('hostile GitHub data (bad names, absurd stars, repeated nodes, short pages) is rejected and recorded, never stored', {
    timeout: 120_000,
  }, async () => {
    const f = await runSoak({
      slots: 30,
      top: 100,
      seed: 5,
      error502: 0.1,
      unprocessedShare: 0.2,
      // The ledger counts what was served: no answer may be given up on (see SoakOptions.hostile).
      timeoutMs: 10_000,
      hostile: { badNameShare: 0.02, badStarsShare: 0.02, duplicateNodeShare: 0.005, truncatePageShare: 0.1 },
    });
    expect(f.slotsComplete).toBe(30);
    expect(f.invalidRows).toBe(0);
    expect(f.duplicates).toBe(0);
    // Judged by the simulator's ledger of what it corrupted, not the collector's own count: each
    // slot holds exactly its true top 100 less those, and its record says how many.
    expect(f.faults.hostileNodes).toBeGreaterThan(10);
    expect(f.rejectedByInjector).toBeGreaterThan(10);
    expect(f.slotsWrongCount).toBe(0);
    expect(f.rowsLost).toBe(0);
    expect(f.rejectedRecorded).toBe(f.rejectedByInjector);
    expect(f.rowsStored + f.rejectedByInjector).toBe(f.rowsExpected);
    expect(f.silentGaps).toBe(0);
  });

  it('star ranges (top 1,200) under hostile data and searches that time out: each slot exactly the true top N less what the simulator corrupted', {
    timeout: 180_000,
  }, async () => {
    const f = await runSoak({
      slots: 20,
      top: 1200,
      seed: 8,
      error502: 0.05,
      unprocessedShare: 0.1,
      timeoutMs: 10_000,
      hostile: {
        badNameShare: 0.005,
        badStarsShare: 0.005,
        duplicateNodeShare: 0.002,
        truncatePageShare: 0.05,
        incompleteShare: 0.1,
      },
    });
    expect(f.faults.searchesTimedOut).toBeGreaterThan(5);
    expect(f.faults.hostileNodes).toBeGreaterThan(10);
    expect(f.rejectedByInjector).toBeGreaterThan(0);
    expect({
      slotsComplete: f.slotsComplete,
      rowsLost: f.rowsLost,
      duplicates: f.duplicates,
      invalidRows: f.invalidRows,
      slotsWrongCount: f.slotsWrongCount,
      rejectedRecorded: f.rejectedRecorded,
      stored: f.rowsStored + f.rejectedByInjector,
      silentGaps: f.silentGaps,
    }).toEqual({
      slotsComplete: 20,
      rowsLost: 0,
      duplicates: 0,
      invalidRows: 0,
      slotsWrongCount: 0,
      rejectedRecorded: f.rejectedByInjector,
      stored: f.rowsExpected,
      silentGaps: 0,
    });
  });

  it('slots whose every delivery is killed mid-write are recorded as interrupted, never a silent gap', {
    timeout: 60_000,
  }, async () => {
    const f = await runSoak({ slots: 5, top: 100, seed: 6, killShare: 1, maxDeliveries: 2 });
    expect(f.killed).toBe(10);
    expect(f.slotsComplete).toBe(0);
    // Each killed attempt wrote part of its snapshot, and only part.
    expect(f.rowsStored).toBeGreaterThan(0);
    expect(f.rowsStored).toBeLessThan(f.rowsExpected);
    expect(f.duplicates).toBe(0);
    expect(f.pollsFinal).toEqual({ failed: 5 });
    expect(f.silentGaps).toBe(0);
  });

  it("redelivered hours later, across a rename: the killed attempt's rows under the old name are removed", {
    timeout: 60_000,
  }, async () => {
    // docker/docker becomes moby/moby a day into the simulated world; six hours between a
    // killed delivery and its redelivery lets the rename fall between them for some slots.
    const f = await runSoak({
      slots: 30,
      top: 100,
      seed: 4,
      killShare: 0.6,
      redeliveryDelaySeconds: 6 * 3600,
      maxDeliveries: 20,
    });
    expect(f.killed).toBeGreaterThan(20);
    expect(f.slotsComplete).toBe(30);
    expect(f.staleRemoved).toBeGreaterThan(0);
    expect({ rowsLost: f.rowsLost, duplicates: f.duplicates, silentGaps: f.silentGaps }).toEqual({
      rowsLost: 0,
      duplicates: 0,
      silentGaps: 0,
    });
  });
});
