// Headless Chromium for the browser tests, from whatever this machine has, down to the npm package.
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** What every launch gets: no sandbox (containers run as root), nothing that phones home. */
const BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * @sparticuz/chromium recommends these for Lambda, but they relax what a page may do, and the
 * browser tests exist to show what the report's page may not do (reach out, run injected code).
 */
const UNSAFE_ARGS = new Set(['--disable-web-security', '--allow-running-insecure-content']);

interface Executable {
  path: string;
  args: string[];
  source: string;
}

function executableOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; next PATH entry
    }
  }
  return undefined;
}

/** Later flags replace earlier ones of the same name (`--headless` vs `--headless='shell'`). */
export function mergeArgs(...lists: string[][]): string[] {
  const byName = new Map<string, string>();
  for (const arg of lists.flat()) byName.set(arg.split('=')[0]!, arg);
  return [...byName.values()];
}

/**
 * @sparticuz/chromium inflates into os.tmpdir() and trusts any `chromium` already there, so two
 * test workers extracting at once (or a run killed mid-way) would leave a truncated binary that
 * the next caller launches. Each caller therefore inflates into its own staging directory (the
 * package reads TMPDIR synchronously before its first await) and renames it into a
 * per-version directory: the first complete one wins, later ones are thrown away.
 */
async function sparticuz(): Promise<Executable> {
  const pkg = (await import('@sparticuz/chromium')).default;
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  const manifest = path.resolve(path.dirname(entry), '..', '..', 'package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  const dir = path.join(os.tmpdir(), `startrail-chromium-${version}`);
  const exe = path.join(dir, 'chromium');
  if (!existsSync(exe)) {
    const staging = mkdtempSync(`${dir}.partial-`);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = staging;
    let inflating: Promise<string>;
    try {
      inflating = pkg.executablePath();
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    const inflated = await inflating;
    if (path.dirname(inflated) !== staging) {
      rmSync(staging, { recursive: true, force: true });
      throw new Error(
        `@sparticuz/chromium ${version} inflated to ${inflated}, not the staging directory: update test/helpers/browser.ts`,
      );
    }
    try {
      renameSync(staging, dir);
    } catch {
      // Another worker finished first; its copy is as good as ours.
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return {
    path: exe,
    args: mergeArgs(
      BASE_ARGS,
      pkg.args.filter((a) => !UNSAFE_ARGS.has(a)),
    ),
    source: `@sparticuz/chromium ${version}`,
  };
}

/** CHROMIUM_PATH, then Debian's /usr/bin/chromium, then `chromium` on PATH, then the npm package. */
export async function findChromium(): Promise<Executable> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    // Asked for explicitly, so a wrong path is an error rather than a silent fallback.
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return { path: fromEnv, args: BASE_ARGS, source: 'CHROMIUM_PATH' };
  }
  if (existsSync('/usr/bin/chromium'))
    return { path: '/usr/bin/chromium', args: BASE_ARGS, source: '/usr/bin/chromium' };
  const onPath = executableOnPath('chromium');
  if (onPath) return { path: onPath, args: BASE_ARGS, source: 'PATH' };
  return sparticuz();
}

let found: Promise<Executable> | undefined;

/** Launches headless Chromium; the first call in a process may take ~10 s to unpack the npm copy. */
export async function launchChromium(): Promise<Browser> {
  found ??= findChromium();
  const exe = await found.catch((error: unknown) => {
    found = undefined; // let a later call try again rather than repeat a stale failure
    throw error;
  });
  return chromium.launch({ executablePath: exe.path, args: exe.args });
}
