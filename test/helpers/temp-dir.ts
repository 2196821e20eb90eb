// Temp folders the embedded PostgreSQL can use: as root it runs as OS user postgres, which
// must traverse every folder above its data directory (mkdtemp makes them 0700).
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `prefix`: a name under the OS temp dir, or a full path prefix inside another temp dir. */
export function reachableTempDir(prefix: string): string {
  const dir = mkdtempSync(path.isAbsolute(prefix) ? prefix : path.join(os.tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}
