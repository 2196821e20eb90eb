// The layers of docs/architecture.md, checked: every import of the shipped code (not tests) goes
// down or sideways within its own stage, never up, never in a circle, never outside the repository.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The developers' folder beside a checkout, spelled in parts so this file does not name it whole. */
const DEVELOPERS_FOLDER = ['..', 'shared', ''].join('/');
const SOURCE_DIRS = ['core', 'lambda', 'etl', 'analysis', 'cdk', 'local', 'bench'];

/** Which zones each zone may import (its own is always allowed). The table in docs/architecture.md. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  lambda: ['core'],
  'etl/formats': ['core'],
  'etl/export': ['core', 'etl/formats'],
  'etl/load': ['core', 'etl/formats', 'etl/export'],
  'analysis/queries': ['core'],
  'analysis/charts': ['core', 'analysis/queries'],
  'analysis/report': ['core', 'analysis/queries', 'analysis/charts', 'analysis'],
  'analysis/analyze': ['core', 'analysis/queries', 'analysis'],
  analysis: ['core', 'analysis/queries'],
  cdk: ['core'],
  local: [
    'core',
    'lambda',
    'etl/formats',
    'etl/export',
    'etl/load',
    'analysis',
    'analysis/queries',
    'analysis/charts',
    'analysis/report',
  ],
  // The benchmarks run everything, the tests' fixtures included.
  bench: ['*'],
};

/** The zone of a repo-relative file: its stage folder, and the role folder inside etl/ and analysis/. */
function zoneOf(file: string): string {
  const [top, second] = file.split('/');
  if ((top === 'etl' || top === 'analysis') && second && !/\.[cm]?[jt]s$/.test(second)) return `${top}/${second}`;
  return top ?? file;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|js)$/.test(f) && !f.includes('node_modules') && !f.startsWith('results'))
    .map((f) => path.posix.join(dir, f.split(path.sep).join('/')));
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm;

/** The repo-relative files a file imports (relative specifiers only; packages are not ours). */
function importsOf(file: string, text: string, exists: (f: string) => boolean): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const spec = match[2]!;
    if (!spec.startsWith('.')) continue;
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    const candidates = [target, target.replace(/\.js$/, '.ts'), `${target}.ts`, target.replace(/\.js$/, '.d.ts')];
    found.push(candidates.find(exists) ?? target);
  }
  return found;
}

function allowed(from: string, to: string): boolean {
  const a = zoneOf(from);
  const b = zoneOf(to);
  if (a === b) return true;
  const may = MAY_IMPORT[a] ?? [];
  return may.includes('*') || may.includes(b);
}

/** Strongly connected components of more than one file (or a file importing itself): the cycles. */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

function importGraph(): Map<string, string[]> {
  const files = SOURCE_DIRS.flatMap(sourceFiles);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    graph.set(
      file,
      importsOf(file, text, (f) => known.has(f) || f.startsWith('test/') || f.startsWith('sql/')),
    );
  }
  return graph;
}

describe('architecture (docs/architecture.md)', () => {
  const graph = importGraph();

  it('reads the shipped code: every stage folder has files and imports', () => {
    for (const dir of SOURCE_DIRS) expect([...graph.keys()].some((f) => f.startsWith(`${dir}/`))).toBe(true);
    expect([...graph.values()].flat().length).toBeGreaterThan(200);
  });

  it('no import goes up a floor or across to another stage', () => {
    const wrong = [...graph].flatMap(([from, targets]) =>
      targets.filter((to) => !allowed(from, to)).map((to) => `${from} -> ${to}`),
    );
    expect(wrong).toEqual([]);
  });

  it('no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("nothing shipped reads the developers' notes beside the repository (a user's clone has none)", () => {
    const outside = [...graph].flatMap(([from, targets]) =>
      targets.filter((t) => t.startsWith('..')).map((t) => `${from} -> ${t}`),
    );
    expect(outside).toEqual([]);
    for (const file of graph.keys())
      expect(readFileSync(path.join(ROOT, file), 'utf8')).not.toContain(DEVELOPERS_FOLDER);
  });

  it('the checks themselves find what they look for', () => {
    // An upward import, a cross-stage import and a two-file cycle, planted: each must be caught.
    expect(allowed('core/log.ts', 'lambda/handler.ts')).toBe(false);
    expect(allowed('etl/export/export.ts', 'local/run-demo.ts')).toBe(false);
    expect(allowed('lambda/handler.ts', 'etl/load/load.ts')).toBe(false);
    expect(allowed('etl/formats/read-csv.ts', 'etl/load/load.ts')).toBe(false);
    expect(allowed('etl/load/load.ts', 'etl/formats/read-csv.ts')).toBe(true);
    expect(
      cycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', ['c.ts']],
          ['c.ts', ['a.ts']],
          ['d.ts', ['a.ts']],
        ]),
      ),
    ).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    const specs = importsOf(
      'etl/export/x.ts',
      "import { a } from '../formats/y.js';\nexport { b } from './z.js';\nconst m = await import('../../core/q.js');",
      () => false,
    );
    expect(specs).toEqual(['etl/formats/y.js', 'etl/export/z.js', 'core/q.js']);
  });
});
