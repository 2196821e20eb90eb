// A process's peak resident set as the kernel keeps it (VmHWM in /proc/<pid>/status).
import { readFileSync } from 'node:fs';

/** Peak resident set of `pid`, MiB; undefined once it has ended or where there is no /proc. */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const kib = /^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib ? Number(kib) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
