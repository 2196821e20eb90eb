import { describe, expect, it } from 'vitest';
import { loadConfig, parseTracks } from '../core/config.js';
import { SLOT_SECONDS, slotOf } from '../core/domain.js';
import { createLogger, redact, registerSecret } from '../core/log.js';
import { assertRepoName, isRepoName } from '../core/repo-name.js';

describe('slotOf', () => {
  it('floors to the 15-minute slot', () => {
    expect(slotOf('2026-11-23T10:14:59.999Z')).toBe(Date.parse('2026-11-23T10:00:00Z') / 1000);
    expect(slotOf('2026-11-23T10:15:00Z')).toBe(Date.parse('2026-11-23T10:15:00Z') / 1000);
    expect(slotOf(new Date('2026-11-23T10:29:30Z')) % SLOT_SECONDS).toBe(0);
  });
  it('rejects a non-time', () => {
    expect(() => slotOf('yesterday-ish')).toThrow(/not a time/);
  });
});

describe('repo names', () => {
  it.each(['golang/go', 'moby/moby', 'a/b', 'x-y/z.js', 'Owner-1/repo_name.go', 'a/.github'])('accepts %s', (n) => {
    expect(isRepoName(n)).toBe(true);
  });
  it.each([
    '',
    'go',
    'a/b/c',
    '../x',
    'a/..',
    'a/.',
    'x,y/z',
    'a/<script>',
    '-a/b',
    'a /b',
    `${'a'.repeat(40)}/b`,
    'a/b\n',
  ])('rejects %j', (n) => {
    expect(isRepoName(n)).toBe(false);
    expect(() => assertRepoName(n, 'line 3')).toThrow(/line 3: invalid repository name/);
  });
});

describe('config', () => {
  it('defaults to the top 1,000 Go repositories', () => {
    const c = loadConfig({});
    expect(c.tracks).toEqual([{ query: 'language:go', top: 1000 }]);
    expect(c.starsTable).toBe('startrail-stars');
  });
  it('parses both track forms and names a bad field', () => {
    expect(parseTracks('language:go=2500;language:rust')).toEqual([
      { query: 'language:go', top: 2500 },
      { query: 'language:rust', top: 1000 },
    ]);
    expect(parseTracks('[{"query":"topic:cli","top":10}]')).toEqual([{ query: 'topic:cli', top: 10 }]);
    expect(() => parseTracks('language:go=0')).toThrow(/TRACKS\[0\]\.top/);
  });
});

describe('logger', () => {
  it('writes JSON lines and scrubs secrets anywhere in them', () => {
    const lines: string[] = [];
    const token = 'ghp_secretTOKEN1234';
    registerSecret(token);
    const log = createLogger({ sink: (l) => lines.push(l) });
    log.error('failed', { error: new Error(`bad credentials ${token}`), header: `bearer ${token}` });
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]!);
    expect(rec.level).toBe('error');
    expect(lines[0]).not.toContain(token);
    expect(rec.error.message).toBe('bad credentials [REDACTED]');
    expect(redact(`x${token}x`)).toBe('x[REDACTED]x');
  });
});
