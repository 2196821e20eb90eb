// A generated corpus of malformed CSV inputs for the loader: each input is a small valid
// header-less repo,ts,stars file with exactly one defect planted at a known line, so a test
// can demand that the error names that line. Deterministic from a seed.

import { seededRandom } from './random.js';

export interface BadInput {
  /** Defect kind, e.g. 'nul-byte'. */
  kind: string;
  /** What was planted, for failure messages. */
  detail: string;
  content: Buffer;
  /** 1-based line holding the defect. */
  line: number;
  /** Lines in the file. */
  lines: number;
}

const T0 = 1_545_091_200;

interface Row {
  repo: string;
  ts: string;
  stars: string;
}

type Rand = () => number;
const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

function validRow(r: Rand, i: number): Row {
  return {
    repo: `owner-${int(r, 0, 40)}/repo_${i}.x`,
    ts: String(T0 + int(r, 0, 500) * 900),
    stars: String(int(r, 0, 200_000)),
  };
}

const join = (row: Row) => `${row.repo},${row.ts},${row.stars}`;

/** Inserts `what` strictly inside `text` (never at the very start or end, so it lands in a field). */
function insertInside(r: Rand, text: string, what: string): string {
  const at = int(r, 1, text.length - 1);
  return text.slice(0, at) + what + text.slice(at);
}

/** A defect: the planted line as bytes (it may also swallow the line ending, see crOnly). */
type Defect = (r: Rand, row: Row) => { text: string | Buffer; detail: string; noNewline?: boolean };

const BAD_NAMES = [
  'a/b/c',
  '../x',
  '"x,y"',
  '"x,y/z"',
  '<script>alert(1)</script>/x',
  'owner/<script>alert(1)</script>',
  "owner/'; drop table github_stars; --",
  "'; drop table github_stars; --",
  '"owner/x""y"',
  'owner/..',
  'owner/.',
  '/name',
  'owner/',
  '-owner/x',
  `${'o'.repeat(40)}/x`,
  `owner/${'n'.repeat(101)}`,
  'owner/na me',
  'owner/na\tme',
  'ownér/x',
  'owner\\x',
  'owner/x\u001b[31m',
  'owner/x\u007f',
  'no-slash',
  'a//b',
  'owner/x;y',
  'owner/x%2e%2e',
  '..',
  '.',
  'repo',
];

const DEFECTS: Record<string, Defect> = {
  // Cut before the stars field: a field or two go missing (cut at 0 leaves an empty line).
  truncated: (r, row) => {
    const line = join(row);
    const cut = int(r, 0, line.lastIndexOf(',') - 1);
    return { text: line.slice(0, cut), detail: `cut at ${cut}` };
  },
  'extra-column': (r, row) => {
    const extra = pick(r, ['', 'x', '123', '""', 'extra,more']);
    return { text: `${join(row)},${extra}`, detail: extra };
  },
  'missing-column': (r, row) => {
    const which = int(r, 0, 2);
    const fields = [row.repo, row.ts, row.stars].filter((_, i) => i !== which);
    return { text: fields.join(','), detail: `without field ${which}` };
  },
  'unbalanced-quote': (r, row) => {
    const line = join(row);
    const at = int(r, 0, line.length);
    return { text: line.slice(0, at) + '"' + line.slice(at), detail: `quote at ${at}` };
  },
  'nul-byte': (r, row) => ({ text: insertInside(r, join(row), '\u0000'), detail: 'NUL' }),
  'control-char': (r, row) => {
    const c = pick(r, ['\u0001', '\u0008', '\u000b', '\u000c', '\u001b', '\u007f']);
    return { text: insertInside(r, join(row), c), detail: JSON.stringify(c) };
  },
  'huge-field': (r, row) => {
    const size = pick(r, [300, 1_000, 5_000, 20_000, 70_000]);
    const field = int(r, 0, 2);
    const f = [row.repo, row.ts, row.stars];
    f[field] = field === 0 ? `owner/${'x'.repeat(size)}` : '9'.repeat(size);
    return { text: f.join(','), detail: `${size} chars in field ${field}` };
  },
  'non-utf8': (r, row) => {
    const bytes = pick(r, [
      [0xff],
      [0xfe],
      [0xc3, 0x28],
      [0xed, 0xa0, 0x80],
      [0xf0, 0x28, 0x8c, 0x28],
      [0x80],
      [0xc0, 0xaf],
    ]);
    const line = join(row);
    const at = int(r, 1, line.length - 1);
    return {
      text: Buffer.concat([Buffer.from(line.slice(0, at)), Buffer.from(bytes), Buffer.from(line.slice(at))]),
      detail: bytes.map((b) => b.toString(16)).join(' '),
    };
  },
  'negative-integer': (r, row) =>
    r() < 0.5
      ? { text: join({ ...row, ts: `-${row.ts}` }), detail: 'ts' }
      : { text: join({ ...row, stars: `-${int(r, 1, 99_999)}` }), detail: 'stars' },
  'overflowing-integer': (r, row) => {
    const v = pick(r, ['2147483648', '4294967296', '9223372036854775808', '99999999999999999999', '1'.repeat(30)]);
    if (r() < 0.5) return { text: join({ ...row, stars: v }), detail: `stars ${v}` };
    // 2147483648 is a fine ts (2038): past 2099, milliseconds, or past int8.
    const ts = pick(r, ['4102444800', `${row.ts}000`, '9223372036854775808', '99999999999999999999', '1'.repeat(30)]);
    return { text: join({ ...row, ts }), detail: `ts ${ts}` };
  },
  'ts-out-of-range': (_r, row) => ({ text: join({ ...row, ts: String(T0 - 20 * 365 * 86_400) }), detail: 'ts 1998' }),
  'not-an-integer': (r, row) => {
    const v = pick(r, [
      '12.5',
      '1.5e3',
      '1e3',
      '.5',
      '5.',
      'NaN',
      'Infinity',
      '0x10',
      '1_000',
      '+5',
      ' 5',
      '5 ',
      'five',
      '١٢',
      '５',
    ]);
    return r() < 0.5
      ? { text: join({ ...row, stars: v }), detail: `stars ${v}` }
      : { text: join({ ...row, ts: v === '5.' ? `${row.ts}.0` : v }), detail: `ts ${v}` };
  },
  'empty-field': (r, row) => {
    const which = int(r, 0, 3);
    if (which === 3) return { text: ',,', detail: ',,' };
    const f = [row.repo, row.ts, row.stars];
    f[which] = pick(r, ['', '""']);
    return { text: f.join(','), detail: `field ${which} empty` };
  },
  'invalid-repo': (r, row) => {
    const name = pick(r, BAD_NAMES);
    return { text: join({ ...row, repo: name }), detail: name };
  },
  'blank-line': (r) => {
    const v = pick(r, ['', ' ', '\t', '\r']);
    return { text: v, detail: JSON.stringify(v) };
  },
  'wrong-separator': (r, row) => {
    const sep = pick(r, ['\t', ';', '|', ' ']);
    return { text: [row.repo, row.ts, row.stars].join(sep), detail: JSON.stringify(sep) };
  },
  'header-line': () => ({ text: 'repo,ts,stars', detail: 'header' }),
  bom: (r, row) => {
    const line = join(row);
    const at = r() < 0.5 ? 0 : int(r, 1, line.length - 1);
    return { text: line.slice(0, at) + '\uFEFF' + line.slice(at), detail: `BOM at ${at}` };
  },
  // A lone CR inside the line, or a line ended by CR alone (it runs into the next one).
  'cr-oddity': (r, row) => {
    const line = join(row);
    // (CR CR LF is not here: the loader drops one trailing CR per line and reads the row.)
    if (r() < 0.5) return { text: insertInside(r, line, '\r'), detail: 'CR inside' };
    return { text: `${line}\r`, detail: 'CR-only line end', noNewline: true };
  },
};

export const DEFECT_KINDS = Object.keys(DEFECTS);

/**
 * `count` malformed inputs, kinds in rotation. Good lines use CRLF or LF at random (both are
 * valid); the defect sits on a random line, with good lines before and after it.
 */
export function badCsvCorpus(count: number, seed = 1): BadInput[] {
  const r = seededRandom(seed);
  const out: BadInput[] = [];
  for (let n = 0; n < count; n++) {
    const kind = DEFECT_KINDS[n % DEFECT_KINDS.length]!;
    const lines = int(r, 1, 9);
    const line = int(r, 1, lines);
    const crlf = r() < 0.3;
    const parts: Buffer[] = [];
    let detail = '';
    for (let i = 1; i <= lines; i++) {
      const row = validRow(r, n * 16 + i);
      if (i === line) {
        const d = DEFECTS[kind]!(r, row);
        detail = d.detail;
        parts.push(Buffer.isBuffer(d.text) ? d.text : Buffer.from(d.text, 'utf8'));
        // A CR-only ending must have a line after it to run into; as the last line it still
        // leaves a stray CR-terminated record, which is the defect.
        if (!d.noNewline) parts.push(Buffer.from('\n'));
        else if (i === lines) parts.push(Buffer.from('x,y\n'));
      } else {
        // The last line may lack its newline: that is valid CSV.
        const end = i === lines && r() < 0.2 ? '' : crlf ? '\r\n' : '\n';
        parts.push(Buffer.from(join(row) + end));
      }
    }
    out.push({ kind, detail, content: Buffer.concat(parts), line, lines });
  }
  return out;
}
