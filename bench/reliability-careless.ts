// The reliability bench's careless-use part: what a user does wrong, in figures.
//  - pairs of commands at once on one data directory (load + load with overlapping files,
//    load + analyze, demo + export / collect), judged by the union of the input files read
//    back row by row;
//  - the token echoed by the simulator in each way it can (and a refused connection) through
//    collect -> export -> load, every output and every byte written searched for it;
//  - the whole table of configuration mistakes, each judged by the exact shape of its stderr.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ECHO_TOKEN_MODES, startGitHubSimulator } from '../local/github-sim/index.js';
import { demoWithOthers, loadTwoAtOnce, loadWhileAnalyzing, runCommand } from '../test/helpers/careless-concurrent.js';
import { CONFIG_MISTAKES, createLab, probeReadOnlyMount, tryMistake } from '../test/helpers/careless-config.js';
import {
  askSimulator,
  type EchoCase,
  echoScenario,
  filesUnder,
  leaks,
  makeToken,
  SAYS,
} from '../test/helpers/careless-secrets.js';
import { makeRows } from '../test/helpers/etl-fixtures.js';
import { seededRandom } from '../test/helpers/random.js';
import { REAL_CSV_GZ } from '../test/helpers/real-data.js';
import { writeRowsCsv } from '../test/helpers/rows-csv.js';
import { reachableTempDir } from '../test/helpers/temp-dir.js';

const fmt = (n: number) => n.toLocaleString('en-US');
const log = (text: string) => process.stderr.write(`reliability: ${text}\n`);

type PairKind = 'load+load' | 'load+analyze' | 'demo+export' | 'demo+collect';

interface PairOutcome {
  kind: PairKind;
  /** Anything not as it should be (a command failing where it should succeed or refuse in one line, a server left running). */
  problems: string[];
  /** The store not what the commands' exit codes claim, or a command reporting half a table. */
  corrupt: string[];
  /** The second command refused in one line (the demo pairs), rather than sharing the server. */
  refused?: boolean;
  /** load + analyze: analyze during the load printed the finished table's figures (else: no table yet). */
  sawTable?: boolean;
  serverLeft?: number;
}

interface ConcurrentFigures {
  tried: number;
  /** Pairs whose store was corrupted or silently diverged (judged against the inputs). */
  corrupted: number;
  /** Pairs with any problem: corrupted, or failing loudly where the design says share or refuse. */
  withProblems: number;
  byKind: Partial<Record<PairKind, { tried: number; corrupted: number; withProblems: number }>>;
  refusedInOneLine: number;
  /** load + analyze pairs whose analyze ran after the load's commit (the rest found no table yet). */
  analyzeSawTable: number;
  serversLeftRunning: number;
  failures: PairOutcome[];
  seconds: number;
}

/** Which pairs to try: per 10, one demo (tried with export, then collect), 3 load + analyze, the rest load + load. */
function concurrentSchedule(pairs: number): ('load+load' | 'load+analyze' | 'demo')[] {
  const demos = Math.floor(pairs / 10);
  const rest = pairs - 2 * demos;
  const analyze = Math.floor(rest * 0.4);
  return [
    ...Array<'load+load'>(rest - analyze).fill('load+load'),
    ...Array<'load+analyze'>(analyze).fill('load+analyze'),
    ...Array<'demo'>(demos).fill('demo'),
  ];
}

/**
 * Two loads of overlapping slices of one random table; every other pair on a directory whose
 * server and table already exist (the merge path), the others on a fresh one (both race to
 * create the server, then to bulk-load the empty table).
 */
async function loadLoadPair(i: number, dir: string, random: () => number): Promise<PairOutcome[]> {
  const dataDir = reachableTempDir(path.join(dir, 'data-'));
  const repos = 20 + Math.floor(random() * 40);
  const slots = 100 + Math.floor(random() * 300);
  const all = makeRows(repos, slots);
  const slice = (from: number, to: number) =>
    all.filter((r) => r.ts >= all[0]!.ts + from * 900 && r.ts < all[0]!.ts + to * 900);
  const cutA = Math.floor(slots * (0.4 + 0.5 * random()));
  const cutB = Math.floor(cutA * random());
  const files: [string, string] = [
    writeRowsCsv(path.join(dir, 'first.csv'), slice(0, cutA)),
    writeRowsCsv(path.join(dir, 'second.csv'), slice(cutB, slots)),
  ];
  const already: string[] = [];
  if (i % 2 === 1) {
    const seed = writeRowsCsv(path.join(dir, 'seed.csv'), slice(Math.floor(slots * 0.3), Math.floor(slots * 0.7)));
    const seeded = await runCommand('etl/load/load-cli.ts', ['--file', seed], {
      DATABASE_URL: '',
      STARTRAIL_DATA_DIR: dataDir,
    });
    if (seeded.code !== 0)
      return [
        { kind: 'load+load', problems: [`seed load exited ${seeded.code}: ${seeded.stderr.trim()}`], corrupt: [] },
      ];
    already.push(seed);
  }
  const batchRows = [1000, 5000, 50_000][Math.floor(random() * 3)]!;
  const r = await loadTwoAtOnce(dataDir, files, already, ['--batch-rows', String(batchRows)]);
  return [{ kind: 'load+load', problems: r.problems, corrupt: r.corrupt, serverLeft: r.serverLeft }];
}

async function concurrentPair(
  kind: 'load+load' | 'load+analyze' | 'demo',
  i: number,
  dir: string,
  random: () => number,
): Promise<PairOutcome[]> {
  if (kind === 'load+load') return loadLoadPair(i, dir, random);
  if (kind === 'load+analyze') {
    const r = await loadWhileAnalyzing(reachableTempDir(path.join(dir, 'data-')), REAL_CSV_GZ, {
      delayMs: [0, 500, 1500][i % 3],
    });
    return [
      { kind, problems: r.problems, corrupt: r.corrupt, sawTable: r.during.code === 0, serverLeft: r.serverLeft },
    ];
  }
  const r = await demoWithOthers(dir, reachableTempDir(path.join(dir, 'demo-')), { days: 3, top: 100 });
  // A broken demo or store counts against both pairs; a bad refusal only against its own.
  return r.others.map(({ name, problems }) => ({
    kind: `demo+${name}` as const,
    problems: [...problems, ...r.problems],
    corrupt: r.corrupt,
    refused: problems.length === 0,
    serverLeft: r.serverLeft,
  }));
}

function tally(figures: ConcurrentFigures, o: PairOutcome): void {
  figures.byKind[o.kind] ??= { tried: 0, corrupted: 0, withProblems: 0 };
  const byKind = figures.byKind[o.kind]!;
  byKind.tried += 1;
  figures.tried += 1;
  if (o.refused) figures.refusedInOneLine += 1;
  if (o.sawTable) figures.analyzeSawTable += 1;
  if (o.serverLeft) figures.serversLeftRunning += 1;
  if (o.corrupt.length) {
    byKind.corrupted += 1;
    figures.corrupted += 1;
  }
  if (o.problems.length || o.corrupt.length) {
    byKind.withProblems += 1;
    figures.withProblems += 1;
    figures.failures.push(o);
  }
}

async function concurrentCommands(tmp: string, pairs: number): Promise<ConcurrentFigures> {
  const started = performance.now();
  const random = seededRandom(29);
  const figures: ConcurrentFigures = {
    tried: 0,
    corrupted: 0,
    withProblems: 0,
    byKind: {},
    refusedInOneLine: 0,
    analyzeSawTable: 0,
    serversLeftRunning: 0,
    failures: [],
    seconds: 0,
  };
  for (const [i, kind] of concurrentSchedule(pairs).entries()) {
    const dir = reachableTempDir(path.join(tmp, `concurrent-${i}-`));
    let outcomes: PairOutcome[];
    try {
      outcomes = await concurrentPair(kind, i, dir, random);
    } catch (error) {
      // A runner that throws (a table that is not there, a store that will not open) leaves the
      // store unverified: counted as corrupted, never as a skip.
      const kinds: PairKind[] = kind === 'demo' ? ['demo+export', 'demo+collect'] : [kind];
      const why = [`could not be checked: ${(error as Error).message}`];
      outcomes = kinds.map((k) => ({ kind: k, problems: why, corrupt: why }));
    }
    for (const o of outcomes) tally(figures, o);
    log(
      `concurrent commands: ${figures.tried} pairs (${kind}), ${figures.corrupted} corrupted, ${figures.withProblems} with problems`,
    );
    rmSync(dir, { recursive: true, force: true });
  }
  figures.seconds = (performance.now() - started) / 1000;
  return figures;
}

interface TokenFigures {
  cases: EchoCase[];
  /** Echo modes whose answer, asked directly, really carried the token. */
  echoesConfirmed: number;
  /** Command outputs and store contents (DynamoDB polls, polls CSV, PostgreSQL polls). */
  outputsSearched: number;
  filesSearched: number;
  bytesSearched: number;
  leaks: number;
  leakedIn: string[];
  /** Cases whose collect failed (exit 1) saying what happened. */
  casesSaid: number;
  pipelineOk: boolean;
  searchSelfTest: boolean;
  seconds: number;
}

async function tokenLeaks(tmp: string): Promise<TokenFigures> {
  const started = performance.now();
  const token = makeToken();
  // Against anything but --simulate collect polls the slot of now: the simulator follows real time.
  const sim = await startGitHubSimulator({
    seed: 5,
    reposPerLanguage: 200,
    token,
    start: Date.now() - 86_400_000,
    clock: () => Date.now(),
  });
  try {
    // The API really echoes it, asked directly: else "no leak" would prove nothing.
    let echoesConfirmed = 0;
    for (const mode of ECHO_TOKEN_MODES) {
      sim.setFaults({ echoToken: mode });
      if ((await askSimulator(sim, token)).text.includes(token)) echoesConfirmed += 1;
    }
    sim.setFaults({});
    const dir = reachableTempDir(path.join(tmp, 'secrets-'));
    // The load goes into the embedded server here, so its files on disk are searched too.
    mkdirSync(path.join(dir, 'data'));
    chmodSync(path.join(dir, 'data'), 0o755);
    const cases: EchoCase[] = [...ECHO_TOKEN_MODES, 'refused'];
    const s = await echoScenario({ sim, token, dir, cases });
    const files = filesUnder(dir);
    const searched = [...s.outputs, ...s.stored.texts, ...files];
    const leakedIn = searched.filter(([, text]) => leaks(text, token)).map(([name]) => name);
    const pipelineOk =
      s.good.code === 0 && s.exported.code === 0 && s.loaded.code === 0 && s.stored.items === 1 + cases.length;
    log(`token: ${searched.length} outputs and files searched, ${leakedIn.length} leaks`);
    return {
      cases,
      echoesConfirmed,
      outputsSearched: s.outputs.length + s.stored.texts.length,
      filesSearched: files.length,
      bytesSearched: searched.reduce((n, [, text]) => n + text.length, 0),
      leaks: leakedIn.length,
      leakedIn,
      casesSaid: s.cases.filter(({ mode, run }) => run.code === 1 && SAYS[mode].test(run.output)).length,
      pipelineOk,
      // A planted 12-character piece is found and clean text is not: a broken search would say 0 forever.
      searchSelfTest: leaks(`x${token.slice(20, 32)}x`, token) && !leaks('x'.repeat(64), token),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await sim.close();
  }
}

interface ConfigFigures {
  tried: number;
  skipped: number;
  answered: number;
  failures: { title: string; problems: string[]; stderr: string }[];
  seconds: number;
}

async function configMistakes(tmp: string): Promise<ConfigFigures> {
  const started = performance.now();
  const lab = createLab(reachableTempDir(path.join(tmp, 'config-')));
  const canMount = probeReadOnlyMount();
  const all = CONFIG_MISTAKES.flatMap((group) => group.mistakes);
  const runnable = all.filter((m) => canMount || !m.needsReadOnlyMount);
  // The lab runs two CLIs at a time however many are asked for.
  const results = await Promise.all(runnable.map(async (m) => ({ title: m.title, ...(await tryMistake(m, lab)) })));
  const failures = results
    .filter((r) => r.problems.length > 0)
    .map((r) => ({ title: r.title, problems: r.problems, stderr: r.result.stderr.slice(0, 1000) }));
  log(`configuration mistakes: ${runnable.length} tried, ${failures.length} not answered in one clear line`);
  return {
    tried: runnable.length,
    skipped: all.length - runnable.length,
    answered: results.length - failures.length,
    failures,
    seconds: (performance.now() - started) / 1000,
  };
}

export interface CarelessFigures {
  concurrent: ConcurrentFigures;
  tokens: TokenFigures;
  config: ConfigFigures;
}

/** The three careless-use trials, in temporary folders under `tmp`; `pairs` pairs of concurrent commands. */
export async function careless(tmp: string, pairs: number): Promise<CarelessFigures> {
  const concurrent = await concurrentCommands(tmp, pairs);
  const tokens = await tokenLeaks(tmp);
  const config = await configMistakes(tmp);
  return { concurrent, tokens, config };
}

/** The careless-use rows of the outcome table. */
export function carelessRows({ concurrent: c, tokens: t, config: m }: CarelessFigures): string[] {
  const mb = (t.bytesSearched / 2 ** 20).toFixed(1);
  return [
    `| concurrent commands on one data directory: tried / corrupted or silently diverged | ${fmt(c.tried)} / ${fmt(c.corrupted)} | 0 |`,
    `| concurrent commands: pairs where a command failed loudly instead of sharing the server or refusing in one line (store intact) | ${fmt(c.withProblems - c.corrupted)} | 0 |`,
    `| token echoed by the API: outputs searched / leaks | ${fmt(t.outputsSearched)} outputs + ${fmt(t.filesSearched)} files (${mb} MiB) / ${fmt(t.leaks)} | 0 |`,
    `| configuration mistakes: tried / answered with one clear line naming the setting | ${fmt(m.tried)} / ${fmt(m.answered)} | all |`,
  ];
}

/** What the three careless-use rows rest on, in a sentence each. */
export function carelessNote({ concurrent: c, tokens: t, config: m }: CarelessFigures): string {
  const kinds = Object.entries(c.byKind)
    .map(([k, v]) => `${v.tried} ${k}`)
    .join(', ');
  return (
    `Careless use: the pairs were ${kinds || 'none'}; the second command refused in one line ${c.refusedInOneLine} times, ` +
    `the others shared the server (analyze during a load saw the finished table ${c.analyzeSawTable} times, no table yet otherwise); ` +
    `embedded servers left running after both ended: ${c.serversLeftRunning}. ` +
    `Token: ${t.cases.length} cases (${t.cases.join(', ')}), the simulator's echo confirmed for ${t.echoesConfirmed}/${ECHO_TOKEN_MODES.length} modes, ` +
    `${t.casesSaid}/${t.cases.length} collects failed saying what happened, collect -> export -> load ${t.pipelineOk ? 'complete' : 'INCOMPLETE'}, ` +
    `leak search self-test ${t.searchSelfTest ? 'passed' : 'FAILED'}. ` +
    `Configuration mistakes: ${m.skipped ? `${m.skipped} skipped (no read-only mount can be made here)` : 'none skipped (the read-only file system cases ran too)'}. ` +
    `Took ${c.seconds.toFixed(1)} s, ${t.seconds.toFixed(1)} s and ${m.seconds.toFixed(1)} s.`
  );
}
