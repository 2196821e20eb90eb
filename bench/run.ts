// `npm run bench [-- name ...]`: runs every bench/*.bench.ts (or the named ones) in one
// process, one after another, and writes each result under bench/results/ with the
// machine and date. Each bench module exports `title` and `run(): Promise<BenchResult>`.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(' ')}; have: ${readdirSync(here).filter((f) => f.endsWith('.bench.ts')).join(', ')}`);
  process.exit(1);
}

const date = new Date().toISOString().slice(0, 10);
const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
const outDir = path.join(here, 'results');
mkdirSync(outDir, { recursive: true });

for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, '');
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as BenchModule;
  console.log(`\n## ${mod.title}\n`);
  const started = Date.now();
  const result = await mod.run();
  const header = `# ${mod.title}\n\nRun ${date} on ${machine}; took ${((Date.now() - started) / 1000).toFixed(1)} s.\n\n`;
  console.log(result.markdown);
  writeFileSync(path.join(outDir, `${name}.md`), header + result.markdown + '\n');
  writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify({ date, machine, ...(result.data as object) }, null, 2) + '\n');
}
