// `npm run bench [-- name ...]`: runs every bench/*.bench.ts (or the named ones) in one
// process, one after another, and writes each result under bench/results/ with the
// machine and date; `--help` lists them and the variables each reads. Each bench module
// exports `title` and `run(): Promise<BenchResult>`.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';

export interface BenchResult {
  /** Markdown: tables of the figures, ratios first. */
  markdown: string;
  /** The raw figures, kept as JSON beside the markdown. */
  data: unknown;
}

interface BenchModule {
  title: string;
  run(): Promise<BenchResult>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();

/**
 * A bench's title and the environment it reads, taken from its source: importing a bench
 * module sets things up, and --help must neither start nor change anything.
 */
function describeBench(name: string): { title: string; knobs: string[] } {
  const text = readFileSync(path.join(here, `${name}.bench.ts`), 'utf8');
  // Single-quoted, or double-quoted where the title holds an apostrophe (the formatter's choice).
  const quoted = /export const title = (['"])((?:(?!\1)[^\\]|\\.)*)\1/.exec(text)?.[2];
  const title = quoted?.replace(/\\(.)/g, '$1') ?? name;
  const knobs = [...new Set(text.match(/\bBENCH_[A-Z0-9_]+/g) ?? [])];
  if (text.includes('DATABASE_URL')) knobs.push('DATABASE_URL');
  return { title, knobs };
}

function benchList(): string {
  const lines = ['', 'Benchmarks (default: all of them, in this order):'];
  for (const name of available) {
    const { title, knobs } = describeBench(name);
    lines.push(`  ${name.padEnd(12)} ${title}`);
    // Wrapped so the longest list (reliability's seven knobs) stays readable in a terminal.
    let line = `  ${''.padEnd(12)} reads`;
    for (const [i, knob] of knobs.entries()) {
      const next = `${knob}${i < knobs.length - 1 ? ',' : ''}`;
      if (line.length + next.length > 98) {
        lines.push(line);
        line = `  ${''.padEnd(18)}`;
      }
      line += ` ${next}`;
    }
    if (knobs.length) lines.push(line);
  }
  lines.push(
    '',
    'Results go to bench/results/<name>.md and <name>.json, with the machine and date.',
    '',
    'Examples:',
    '  npm run bench -- load',
    '  BENCH_ROWS=2000000 BENCH_REPEAT=3 npm run bench -- analysis',
    '  BENCH_RELIABILITY_SLOTS=200 BENCH_RELIABILITY_KILLS=5 npm run bench -- collector reliability',
  );
  return lines.join('\n');
}

async function runBenches(names: string[]): Promise<void> {
  const date = new Date().toISOString().slice(0, 10);
  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
  const outDir = path.join(here, 'results');
  mkdirSync(outDir, { recursive: true });
  for (const name of names) {
    const mod = (await import(pathToFileURL(path.join(here, `${name}.bench.ts`)).href)) as BenchModule;
    console.log(`\n## ${mod.title}\n`);
    const started = Date.now();
    const result = await mod.run();
    const header = `# ${mod.title}\n\nRun ${date} on ${machine}; took ${((Date.now() - started) / 1000).toFixed(1)} s.\n\n`;
    console.log(result.markdown);
    writeFileSync(path.join(outDir, `${name}.md`), header + result.markdown + '\n');
    writeFileSync(
      path.join(outDir, `${name}.json`),
      JSON.stringify({ date, machine, ...(result.data as object) }, null, 2) + '\n',
    );
  }
}

const program = new Command('bench')
  .description(
    "Run benchmarks against the article's method, one after another in one process, and write their results to bench/results/.",
  )
  .argument('[names...]', `benchmarks to run: ${available.join(', ')} (default: all)`)
  .addHelpText('after', benchList)
  .action(async (names: string[]) => {
    const unknown = names.filter((n) => !available.includes(n));
    if (unknown.length) {
      program.error(
        `error: unknown benchmark ${unknown.map((n) => JSON.stringify(n)).join(', ')} (have: ${available.join(', ')})`,
        { exitCode: 2 },
      );
    }
    await runBenches(names.length ? [...new Set(names)] : available);
  });

await program.parseAsync();
