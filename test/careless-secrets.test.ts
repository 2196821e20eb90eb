// The token stays secret even when GitHub (or a proxy in front of it) echoes it back: in a 502
// page, a 403 body, a JSON error or a GraphQL error message. Each case runs the real collector
// (in-process, and as the collect CLI followed by export and load) against a simulator that
// echoes the Authorization header, then searches every output, the polls table in DynamoDB, the
// exported polls CSV and PostgreSQL's polls table. Also: a refused connection says so.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capErrorText, describeServerText, REDACTED, redactSecrets } from '../core/redact.js';
import { POLLS_HEADER, readSideFiles } from '../etl/formats/side-csv.js';
import { classify, endpointOf } from '../lambda/github-client.js';
import { ECHO_TOKEN_MODES, type StartedSimulator, startGitHubSimulator } from '../local/github-sim/index.js';
import {
  askSimulator,
  closedPort,
  echoScenario,
  leaks as leaksOf,
  makeToken,
  runMerged,
  SAYS,
} from './helpers/careless-secrets.js';
import { collector, freshTables, scanPolls, startDynamo } from './helpers/collector-harness.js';
import { freshSchema } from './helpers/postgres.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const TOKEN = makeToken();
const T0 = Date.parse('2026-01-01T06:05:00Z');

/** The token or any 12-character piece of it (a truncated or split leak still counts). */
const leaks = (text: string) => leaksOf(text, TOKEN);

describe('redactSecrets and capErrorText', () => {
  it('replaces a known secret wherever it occurs, whatever its shape', () => {
    expect(redactSecrets('a sim_abc123 b sim_abc123', ['sim_abc123'])).toBe(`a ${REDACTED} b ${REDACTED}`);
    expect(redactSecrets('abc', ['ab', ''])).toBe('abc'); // too short to be a secret: left alone
  });

  it('replaces every GitHub-token-shaped string, known or not', () => {
    const body = 'x'.repeat(36);
    for (const prefix of ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_']) {
      expect(redactSecrets(`token ${prefix}${body}Z9 here`)).toBe(`token ${REDACTED} here`);
    }
    expect(redactSecrets('pat github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz.')).toBe(`pat ${REDACTED}.`);
    expect(redactSecrets(`"${TOKEN}"`)).toBe(`"${REDACTED}"`);
  });

  it('replaces the credential of an Authorization header or a Bearer, keeping the scheme', () => {
    expect(redactSecrets('Authorization: Bearer abc.def-ghi')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactSecrets('{"authorization":"token s3cr3t"}')).toBe(`{"authorization":"token ${REDACTED}"}`);
    expect(redactSecrets('proxy-authorization=basic dXNlcjpwYXNz, next')).toBe(
      `proxy-authorization=basic ${REDACTED}, next`,
    );
    expect(redactSecrets('sent bearer eyJhbGciOiJIUzI1NiJ9.e30.x then')).toBe(`sent bearer ${REDACTED} then`);
  });

  it('leaves ordinary text alone: repo names, short prefixes, the word token', () => {
    for (const text of [
      'ghp_/x has 3 stars',
      'owner/ghp_short',
      'golang/go moved to 12,000 stars',
      'GitHub refused the token (401 Bad credentials)',
      'no GitHub token: set GITHUB_TOKEN (or GITHUB_TOKEN_SECRET_ARN on AWS)',
      'the bearer of bad news',
      'github_pat_tooshort',
    ]) {
      expect(redactSecrets(text)).toBe(text);
    }
  });

  it('caps a text with an ellipsis, and makes a server page one readable line', () => {
    expect(capErrorText('x'.repeat(300))).toHaveLength(300);
    expect(capErrorText('x'.repeat(1000))).toMatch(/^x{299}…$/);
    expect(capErrorText('abcdef', 4)).toBe('abc…');
    const page = `<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><h1>502 Bad Gateway</h1>\r\n<p>(authorization: bearer ${TOKEN})</p></body></html>`;
    expect(describeServerText(page)).toBe(`502 Bad Gateway (authorization: bearer ${REDACTED})`);
    expect(describeServerText('<html><head><title>504 Gateway Time-out</title></head><body></body></html>')).toBe(
      '504 Gateway Time-out',
    );
    expect(describeServerText('y'.repeat(5000)).length).toBeLessThanOrEqual(200);
  });
});

describe('a polls file written by an older version', () => {
  it('loads with the echoed token redacted and the error capped', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'startrail-old-polls-'));
    try {
      const token = makeToken();
      const csv = path.join(dir, 'x.csv');
      writeFileSync(csv, 'golang/go,1767225600,1\n');
      const error = `GitHub unavailable (502): <html>authorization: bearer ${token}</html> ${'x'.repeat(1000)}`;
      writeFileSync(
        path.join(dir, 'x.polls.csv'),
        `${POLLS_HEADER.join(',')}\nlanguage:go,1767225600,failed,1000,0,0,1,1,10,2026-01-01T00:00:00.000Z,"${error}"\n`,
      );
      const side = await readSideFiles(csv);
      const stored = side.polls?.[0]?.error ?? '';
      expect(stored).toContain('GitHub unavailable (502)');
      expect(leaksOf(stored, token)).toBe(false);
      expect(stored.length).toBeLessThanOrEqual(300);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('classify: what GitHub (or the network) said, safely', () => {
  const context = { secrets: ['sim_0123456789abcdef'], endpoint: 'api.example.test:443' };

  it('redacts the token the request carried even when it has no GitHub shape', () => {
    const body = 'Forbidden: authorisation sim_0123456789abcdef not valid here';
    const c = classify(
      Object.assign(new Error(body), { status: 403, request: {}, response: { headers: {} } }),
      context,
    );
    expect(c.error.message).toBe(
      `GitHub forbade the request (403): Forbidden: authorisation ${REDACTED} not valid here`,
    );
    const long = classify(
      Object.assign(new Error(`${'x'.repeat(5000)}`), { status: 422, request: {}, response: { headers: {} } }),
      context,
    );
    expect(long.error.message.length).toBeLessThanOrEqual(300);
  });

  it('names a refused connection and where, from the cause fetch gives, not the 500 octokit makes up', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:8443'), {
      code: 'ECONNREFUSED',
      address: '10.0.0.7',
      port: 8443,
    });
    const octokitError = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:8443'), {
      name: 'HttpError',
      status: 500,
      request: {},
      cause: Object.assign(new TypeError('fetch failed'), { cause: refused }),
    });
    const c = classify(octokitError, context);
    expect(c.retry).toBe('backoff');
    expect(c.error.message).toBe('GitHub unreachable: connection refused by 10.0.0.7:8443 (ECONNREFUSED)');
    expect(c.error.status).toBeUndefined();
    // No address on the error: the endpoint is named instead.
    const bare = classify(
      Object.assign(new Error('x'), {
        status: 500,
        request: {},
        cause: Object.assign(new Error(''), { code: 'ECONNREFUSED' }),
      }),
      context,
    );
    expect(bare.error.message).toBe('GitHub unreachable: connection refused by api.example.test:443 (ECONNREFUSED)');
    // A real 500 answer is still one.
    expect(
      classify(Object.assign(new Error('oops'), { status: 500, request: {}, response: { headers: {} } }), context).error
        .message,
    ).toBe('GitHub unavailable (500): oops');
  });

  it('endpointOf names the default port', () => {
    expect(endpointOf('https://api.github.com/graphql')).toBe('api.github.com:443');
    expect(endpointOf('http://127.0.0.1:4010/graphql')).toBe('127.0.0.1:4010');
    expect(endpointOf('not a url')).toBeUndefined();
  });
});

describe('the simulator echoes the Authorization header when asked', () => {
  let sim: StartedSimulator;
  beforeAll(async () => {
    sim = await startGitHubSimulator({ seed: 3, reposPerLanguage: 50, token: TOKEN });
  });
  afterAll(() => sim?.close());

  it.each(ECHO_TOKEN_MODES)('%s: the answer carries the token (so the tests below can see a leak)', async (mode) => {
    sim.setFaults({ echoToken: mode });
    const echoed = await askSimulator(sim, TOKEN);
    expect(echoed.status).toBe({ error502: 502, forbidden403: 403, jsonError: 400, graphqlError: 200 }[mode]);
    expect(echoed.text).toContain(`bearer ${TOKEN}`);
    sim.setFaults({ echoToken: mode, echoTokenShare: 0 });
    const plain = await askSimulator(sim, TOKEN, false);
    expect(plain.status).toBe(200);
    expect(plain.text).not.toContain(TOKEN);
  });
});

describe('the collector handler, when the token is echoed back', () => {
  let sim: StartedSimulator;
  let dynamo: Awaited<ReturnType<typeof startDynamo>>;
  beforeAll(async () => {
    [sim, dynamo] = await Promise.all([
      startGitHubSimulator({ seed: 4, reposPerLanguage: 200, token: TOKEN }),
      startDynamo(),
    ]);
    sim.setTime(T0);
  });
  afterAll(async () => {
    await Promise.all([sim?.close(), dynamo?.close()]);
  });

  it.each(ECHO_TOKEN_MODES)(
    '%s: not in the logs, the poll record or the polls table; the error says what happened',
    async (mode) => {
      sim.setFaults({ echoToken: mode });
      const tables = await freshTables(dynamo.endpoint);
      const c = collector({
        url: sim.url,
        token: TOKEN,
        dynamo: tables.client,
        ...tables,
        tracks: [{ query: 'language:go', top: 20 }],
      });
      const result = await c
        .run({ time: new Date(T0).toISOString() })
        .catch((error: { result?: { polls: { error?: string }[] } }) => error.result);
      const items = await scanPolls(tables.client, tables.pollsTable);
      expect(items).toHaveLength(1);
      const stored = items[0]!.error?.S ?? '';
      expect(stored).toMatch(SAYS[mode]);
      expect(stored.length).toBeLessThanOrEqual(300);
      expect(result?.polls[0]?.error).toBe(stored);
      expect(leaks(JSON.stringify(items)), 'polls table').toBe(false);
      expect(leaks(JSON.stringify(result)), 'handler result').toBe(false);
      expect(leaks(c.logger.lines.join('\n')), 'log lines').toBe(false);
      expect(c.logger.lines.join('\n')).toContain(REDACTED);
    },
  );

  it('a refused connection is reported as refused, naming host:port, not as a made-up HTTP status', async () => {
    const port = await closedPort();
    const tables = await freshTables(dynamo.endpoint);
    const c = collector({
      url: `http://127.0.0.1:${port}/graphql`,
      token: TOKEN,
      dynamo: tables.client,
      ...tables,
      tracks: [{ query: 'language:go', top: 20 }],
    });
    await expect(c.run({ time: new Date(T0).toISOString() })).rejects.toThrow(/connection refused/);
    const stored = (await scanPolls(tables.client, tables.pollsTable))[0]!.error?.S ?? '';
    expect(stored).toMatch(/connection refused/);
    expect(stored).toContain(`127.0.0.1:${port}`);
    expect(stored).not.toMatch(/\(500\)/);
  });
});

describe('collect, export and load as a user runs them', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'careless-secrets-'));
  let sim: StartedSimulator;
  beforeAll(async () => {
    // Against anything but --simulate the CLI polls only the slot of now, so the simulator's
    // clock follows real time and each case is a track of its own.
    sim = await startGitHubSimulator({
      seed: 5,
      reposPerLanguage: 200,
      token: TOKEN,
      start: Date.now() - 86_400_000,
      clock: () => Date.now(),
    });
  });
  afterAll(async () => {
    await sim?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('the 4 echo cases: the token is in no output, no polls item, not in the polls CSV or PostgreSQL', {
    timeout: 240_000,
  }, async () => {
    const schema = await freshSchema('careless');
    try {
      const s = await echoScenario({ sim, token: TOKEN, dir: tmp, cases: ECHO_TOKEN_MODES, databaseUrl: schema.url });
      expect(s.good.code, s.good.output).toBe(0);
      for (const { mode, run } of s.cases) {
        expect(run.code, run.output).toBe(1);
        expect(run.output, mode).toMatch(SAYS[mode]);
      }
      expect(s.exported.code, s.exported.output).toBe(0);
      expect(s.loaded.code, s.loaded.output).toBe(0);
      expect(s.stored.items).toBe(1 + ECHO_TOKEN_MODES.length);
      expect(s.stored.failedCsvLines).toBe(ECHO_TOKEN_MODES.length);
      const leaked = [...s.outputs, ...s.stored.texts].filter(([, text]) => leaks(text)).map(([name]) => name);
      expect(leaked).toEqual([]);
      // Short, yet still saying what happened, in each of the three places.
      for (const [where, text] of s.stored.texts)
        for (const mode of ECHO_TOKEN_MODES) expect(text, `${where}: ${mode}`).toMatch(SAYS[mode]);
      expect(s.stored.errors).toHaveLength(ECHO_TOKEN_MODES.length);
      for (const e of s.stored.errors) expect(e.length).toBeLessThanOrEqual(300);
    } finally {
      await schema.drop();
    }
  });

  it('a refused connection: the poll and the CLI say "connection refused" and name host:port', {
    timeout: 120_000,
  }, async () => {
    const port = await closedPort();
    const r = await runMerged(['local/collect.ts', '--query', 'language:go', '--top', '20', '--json'], {
      GITHUB_API_URL: `http://127.0.0.1:${port}/graphql`,
      GITHUB_TOKEN: TOKEN,
      GITHUB_TOKEN_SECRET_ARN: '',
      DYNAMODB_ENDPOINT: '',
      STARTRAIL_DATA_DIR: path.join(tmp, 'refused'),
    });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(new RegExp(`connection refused[^\\n]*127\\.0\\.0\\.1:${port}`));
    expect(r.output).not.toMatch(/GitHub unavailable \(500\)/);
    const record = JSON.parse(r.output.split('\n').find((l) => l.startsWith('{"track"'))!) as { error: string };
    expect(record.error).toMatch(/connection refused/);
    expect(record.error).toContain(`127.0.0.1:${port}`);
    expect(leaks(r.output)).toBe(false);
  });
});
