// Peak memory of the demo's processes: Node's own, and the embedded PostgreSQL server's (a
// separate process tree, so Node's figure alone would leave the database out).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { embeddedPostgresDir } from '../core/database.js';

export interface PeakMemory {
  /** This process's peak resident set, MiB. */
  nodeMiB: number;
  /**
   * The server's processes (postmaster and its children), each one's peak resident set summed,
   * MiB: an upper bound, since shared buffers count once per process that touched them.
   * Undefined where /proc is not there to read.
   */
  serverMiB?: number;
}

export function peakMemory(dataDir: string): PeakMemory {
  return { nodeMiB: process.resourceUsage().maxRSS / 1024, serverMiB: serverPeak(dataDir) };
}

function serverPeak(dataDir: string): number | undefined {
  try {
    const postmaster = Number(
      readFileSync(path.join(embeddedPostgresDir(dataDir), 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    let kib = 0;
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      const status = readStatus(pid);
      if (status && (Number(pid) === postmaster || status.ppid === postmaster)) kib += status.hwmKib;
    }
    return kib > 0 ? kib / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function readStatus(pid: string): { ppid: number; hwmKib: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return { ppid: field('PPid'), hwmKib: field('VmHWM') };
  } catch {
    return undefined; // the process ended while we looked
  }
}
