// Peak memory of a demo run seen from outside: its process tree and the embedded PostgreSQL
// server under its data directory (a separate tree), sampled from /proc on a timer.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { embeddedPostgresDir } from '../core/database.js';

/** pid -> parent pid, for every process /proc shows now. */
function processTable(): Map<number, number> {
  const table = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      table.set(Number(entry), ppid);
    } catch {
      // ended while we looked
    }
  }
  return table;
}

function descendants(root: number, table: Map<number, number>): number[] {
  const found = [root];
  for (let i = 0; i < found.length; i++) {
    for (const [pid, ppid] of table) if (ppid === found[i]) found.push(pid);
  }
  return found;
}

/** Resident and proportional set of one process now, KiB (zero once it has ended). */
function memoryOf(pid: number): { rss: number; pss: number } {
  const field = (text: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  try {
    const rss = field(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
    let pss = rss;
    try {
      pss = field(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
    } catch {
      // no smaps_rollup (old kernel): RSS stands in
    }
    return { rss, pss };
  } catch {
    return { rss: 0, pss: 0 };
  }
}

/** The embedded server's postmaster for `dataDir`, from its pid file. */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(embeddedPostgresDir(dataDir), 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The process is there and not a zombie. */
export function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Peaks seen by sampling, MiB: each at its own moment, except `total*`, which is one moment's sum. */
export interface Sampled {
  nodeRss: number;
  serverRss: number;
  serverPss: number;
  totalRss: number;
  totalPss: number;
  samples: number;
}

/**
 * Samples the child's process tree and the embedded server under `dataDir` every `everyMs`
 * until stopped; `leaveOutChild` when the child is only a wrapper (/usr/bin/time) around Node.
 */
export function sampler(child: number, dataDir: string, everyMs: number, leaveOutChild: boolean): { stop(): Sampled } {
  const peak: Sampled = { nodeRss: 0, serverRss: 0, serverPss: 0, totalRss: 0, totalPss: 0, samples: 0 };
  const tick = () => {
    const table = processTable();
    // The child is /usr/bin/time (or node itself); its own few MiB are left out with time.
    const tree = descendants(child, table).filter((pid) => !(pid === child && leaveOutChild));
    const postmaster = postmasterPid(dataDir);
    const server =
      postmaster && table.has(postmaster)
        ? [postmaster, ...[...table].filter(([, ppid]) => ppid === postmaster).map(([pid]) => pid)]
        : [];
    const sum = (pids: number[]) =>
      pids.map(memoryOf).reduce((a, m) => ({ rss: a.rss + m.rss, pss: a.pss + m.pss }), { rss: 0, pss: 0 });
    const node = sum(tree.filter((pid) => !server.includes(pid)));
    const pg = sum(server);
    peak.nodeRss = Math.max(peak.nodeRss, node.rss / 1024);
    peak.serverRss = Math.max(peak.serverRss, pg.rss / 1024);
    peak.serverPss = Math.max(peak.serverPss, pg.pss / 1024);
    peak.totalRss = Math.max(peak.totalRss, (node.rss + pg.rss) / 1024);
    peak.totalPss = Math.max(peak.totalPss, (node.pss + pg.pss) / 1024);
    peak.samples++;
  };
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
