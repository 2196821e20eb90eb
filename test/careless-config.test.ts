// Careless use of the real CLIs (a bad setting, an unusable data directory, a corrupt checkpoint,
// an empty store, an odd file name) ends in one escaped line naming the setting, flag or file at
// fault, a non-zero exit, no stack trace, and nothing left behind. The cases are a table in
// test/helpers/careless-config.ts, which the reliability bench runs too.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeControl } from '../core/cli/text.js';
import { loadConfig } from '../core/config.js';
import { checkDatabaseUrl } from '../core/database.js';
import { SettingError } from '../core/errors.js';
import {
  CONFIG_MISTAKES,
  createLab,
  type Lab,
  probeReadOnlyMount,
  TIMEOUT_MS,
  tryMistake,
} from './helpers/careless-config.js';
import { reachableTempDir } from './helpers/temp-dir.js';

const canMountReadOnly = probeReadOnlyMount();
let lab: Lab;

beforeAll(() => {
  lab = createLab(reachableTempDir('startrail-careless-'));
});

afterAll(() => {
  if (lab) rmSync(lab.tmp, { recursive: true, force: true });
});

for (const group of CONFIG_MISTAKES) {
  describe.concurrent(group.title, () => {
    for (const mistake of group.mistakes) {
      it.skipIf(mistake.needsReadOnlyMount && !canMountReadOnly)(
        mistake.title,
        async () => {
          const { result, problems } = await tryMistake(mistake, lab);
          expect(problems, `stderr: ${result.stderr}`).toEqual([]);
        },
        TIMEOUT_MS * (1 + (mistake.runsBefore ?? 0)),
      );
    }
  });
}

describe('a bad setting a command does not use is not a mistake', () => {
  it(
    'export --allow-empty works with a bad TRACKS it does not use',
    async () => {
      const c = lab.caseDir('tracks-export-allow-empty');
      const r = await lab.run('export', ['--out', path.join(c.out, 'stars.csv'), '--allow-empty'], {
        env: { TRACKS: '[{', STARTRAIL_DATA_DIR: c.data },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('TRACKS');
      expect(r.stdout).toMatch(/exported 0 rows/);
    },
    TIMEOUT_MS,
  );
});

describe('the pieces, without a process', () => {
  it('escapeControl makes C0, DEL, C1 and bidi/format characters visible and leaves text alone', () => {
    expect(escapeControl('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(escapeControl('\u0000\u001b[31m\u007f\u009b')).toBe('\\u0000\\u001b[31m\\u007f\\u009b');
    expect(escapeControl('\u061c\u200e\u200f\u202a\u202e\u2066\u2069\u2028\ufeff')).toBe(
      '\\u061c\\u200e\\u200f\\u202a\\u202e\\u2066\\u2069\\u2028\\ufeff',
    );
    expect(escapeControl('C:\\data é 日本 golang/go')).toBe('C:\\data é 日本 golang/go');
  });

  it('TRACKS is parsed on first read only, and a bad value is a SettingError naming it', () => {
    const config = loadConfig({ TRACKS: '[{' });
    expect(config.dataDir).toBeTruthy();
    let thrown: unknown;
    try {
      void config.tracks;
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SettingError);
    expect((thrown as SettingError).setting).toBe('TRACKS');
    expect((thrown as Error).message).toMatch(/^TRACKS: not valid JSON \(.*\) \(expected JSON like /);
    const overridden = loadConfig({ TRACKS: '[{' });
    overridden.tracks = [{ query: 'language:go', top: 10 }];
    expect(overridden.tracks).toEqual([{ query: 'language:go', top: 10 }]);
  });

  it.each([
    ['postgres://u:s3cret@h:99999/d', /\(port 99999 out of range\)$/],
    ['postgres://u:s3cret@h:notaport/d', /\(port "notaport" is not a number\)$/],
    // A "/" in the password cuts the authority short: the "port" is part of the password, never shown.
    [
      'postgres://u:s3cr/et@h/d',
      /the port is not a number; a "\/", "\?", "#" or "@" in the password must be %-encoded/,
    ],
    ['localhost:5432', /expected postgres:\/\/user:password@host:5432\/database/],
    ['mydb', /expected postgres:\/\//],
  ])('checkDatabaseUrl(%j) names the setting and never echoes the URL', (url, reason) => {
    let message = '';
    try {
      checkDatabaseUrl(url, '--database-url');
    } catch (error) {
      expect(error).toBeInstanceOf(SettingError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/^--database-url: not a valid PostgreSQL URL/);
    expect(message).toMatch(reason);
    expect(message).not.toMatch(/s3cr|u:s|@h[:/]/);
  });

  it.each([
    'postgres://u:p@h:5432/d',
    'postgresql://h/d',
    'postgres://u:p%40x@[::1]:5432/d',
    '/var/run/postgresql db',
    'socket:/run/pg?db=d',
  ])('checkDatabaseUrl(%j) accepts what node-postgres accepts', (url) => {
    expect(() => checkDatabaseUrl(url)).not.toThrow();
  });
});
