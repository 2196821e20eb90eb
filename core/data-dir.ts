// The data directory's own failures (a read-only disk, no permission, a file in the way), told
// as one line that names the directory and the real cause.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { StartrailError } from './errors.js';

/**
 * The data directory (or a folder under it) cannot be created, read or written. Its code is the
 * system's (EACCES, EROFS, ENOTDIR...), or EUNKNOWN.
 */
export class DataDirError extends StartrailError {
  constructor(
    readonly dataDir: string,
    code: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(code, `data directory ${dataDir}: ${problem}`, options);
  }
}

/** The errno codes a user can cause, in words; anything else keeps the system's message. */
function describe(code: string | undefined, at: string, dataDir: string, error: unknown): string {
  const where = at === dataDir ? '' : ` on ${at}`;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied${where} (${code})`;
    case 'EROFS':
      return `read-only file system (EROFS)`;
    case 'ENOSPC':
      return `no space left on the device (ENOSPC)`;
    case 'EDQUOT':
      return `disk quota exceeded (EDQUOT)`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `${fileInTheWay(at)} is a file, not a directory (${code})`;
    case 'ENAMETOOLONG':
      return `the path is too long (ENAMETOOLONG)`;
    default:
      return (error as Error)?.message ?? String(error);
  }
}

/** The first path from the root down that exists and is not a folder. */
function fileInTheWay(dir: string): string {
  const parts = path.resolve(dir).split(path.sep);
  for (let i = 2; i <= parts.length; i++) {
    const at = parts.slice(0, i).join(path.sep) || path.sep;
    try {
      if (!statSync(at).isDirectory()) return at;
    } catch {
      break;
    }
  }
  return dir;
}

function fail(dataDir: string, at: string, error: unknown): never {
  const code = (error as NodeJS.ErrnoException)?.code;
  throw new DataDirError(dataDir, code ?? 'EUNKNOWN', describe(code, at, dataDir, error), { cause: error });
}

/**
 * mkdir -p one level at a time: Node's recursive mkdir reports some failures (a read-only file
 * system) as ENOENT, which hides the cause.
 */
function makeDirs(dir: string): void {
  try {
    mkdirSync(dir);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(dir).isDirectory()) return;
    if (code !== 'ENOENT' || path.dirname(dir) === dir) throw error;
  }
  makeDirs(path.dirname(dir));
  try {
    mkdirSync(dir);
  } catch (error) {
    // Another command made it in between: fine.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(dir).isDirectory()) throw error;
  }
}

/**
 * Creates `dir` (the data directory, or `sub` under it) if needed and checks this process may
 * write there, so a command fails before it starts rather than halfway with a library's stack.
 */
export function ensureDataDir(dataDir: string, sub?: string): string {
  const root = path.resolve(dataDir);
  usable(root, root);
  // The data directory first, so its own failure is told without a subfolder's name in it.
  if (sub !== undefined) usable(root, path.resolve(sub));
  return path.resolve(sub ?? dataDir);
}

function usable(dataDir: string, dir: string): void {
  try {
    makeDirs(dir);
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    fail(dataDir, dir, error);
  }
}

/**
 * For commands that only read: whether `dir` exists, with the errors other than "not there"
 * (a file in the way, no permission) reported instead of taken for "no data".
 */
export function dataDirExists(dataDir: string, sub?: string): boolean {
  const root = path.resolve(dataDir);
  const dir = path.resolve(sub ?? dataDir);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    fail(root, dir, error);
  }
  if (!isDirectory) fail(root, dir, Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' }));
  return true;
}
