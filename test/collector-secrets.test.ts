// The token never appears in a log line, an error or a poll record: the real exported Lambda
// handler configured from the environment, a recognisable token, and a wrong token.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { slotOf } from '../core/domain.js';
import { createLogger } from '../core/log.js';
import { type EmbeddedDynamo, ensureTables } from '../core/store/embedded-store.js';
import { handler, lambdaHandler, PollIncompleteError } from '../lambda/handler.js';
import { clearTokenCache, resolveToken } from '../lambda/token.js';
import { type StartedSimulator, startGitHubSimulator } from '../local/github-sim/index.js';
import { collector, freshTables, getPoll, scanStars, startDynamo } from './helpers/collector-harness.js';

const TOKEN = 'ghp_STARTRAILCANARY0123456789abcdefXYZ';
const WRONG = 'ghp_WRONGCANARY9876543210fedcbaQRS';
const T = Date.parse('2026-04-02T08:31:00Z');

let sim: StartedSimulator;
let dynamo: EmbeddedDynamo;

beforeAll(async () => {
  [sim, dynamo] = await Promise.all([startGitHubSimulator({ seed: 11, token: TOKEN }), startDynamo()]);
});
afterAll(async () => {
  await Promise.all([sim?.close(), dynamo?.close()]);
});

describe('the GitHub token stays secret', () => {
  it('the exported handler, configured from the environment, polls without ever printing the token', async () => {
    const tables = await freshTables(dynamo.endpoint);
    await ensureTables(tables.client, tables);
    const env = {
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: sim.url,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      STARS_TABLE: tables.starsTable,
      POLLS_TABLE: tables.pollsTable,
      TRACKS: '[{"query":"language:rust","top":300}]',
      GITHUB_TOKEN_SECRET_ARN: '',
    };
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    const out: string[] = [];
    const capture = (chunk: unknown) => {
      out.push(String(chunk));
      return true;
    };
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    sim.setTime(T);
    // Faults make the client log retries, which is where a careless client would leak headers.
    sim.setFaults({ error502: 0.3, secondaryRateLimit: 0.1, retryAfterSeconds: 0 });
    let result: Awaited<ReturnType<typeof handler>>;
    try {
      result = await handler({ time: new Date(T).toISOString() });
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      sim.setFaults({});
      vi.unstubAllEnvs();
    }
    expect(result.polls[0]).toMatchObject({ status: 'ok', written: 300 });
    expect((await scanStars(tables.client, tables.starsTable)).length).toBe(300);
    const text = out.join('');
    expect(text).toContain('github request failed, retrying');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(TOKEN.slice(4, 20));
    // The EMF line CloudWatch turns into the PollSucceeded metric.
    const emf = out
      .map((l) => l.trim())
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l));
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ PollSucceeded: 1, RowsWritten: 300 });
  });

  it('a wrong token fails the poll with a clear error that does not contain it', async () => {
    const tables = await freshTables(dynamo.endpoint);
    let refused = 0;
    const s = collector({
      url: sim.url,
      token: WRONG,
      dynamo: tables.client,
      starsTable: tables.starsTable,
      pollsTable: tables.pollsTable,
      tracks: [{ query: 'language:go', top: 100 }],
      // The Lambda drops its cached token on this signal, so a corrected secret is read next time.
      github: { onUnauthorized: () => (refused += 1) },
    });
    sim.setTime(T);
    const error = await s.run({ time: new Date(T).toISOString() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PollIncompleteError);
    const poll = await getPoll(tables.client, tables.pollsTable, 'language:go', slotOf(T));
    expect(poll).toMatchObject({ status: 'failed', written: 0 });
    expect(String(poll?.error)).toMatch(/401/);
    expect(refused).toBeGreaterThanOrEqual(1);
    const everything = [
      (error as Error).message,
      (error as Error).stack ?? '',
      JSON.stringify((error as PollIncompleteError).result),
      JSON.stringify(poll),
      ...s.logger.lines,
    ].join('\n');
    expect(everything).not.toContain(WRONG);
    expect(everything).not.toContain(WRONG.slice(4, 20));
  });

  it('a token from Secrets Manager is read once, cached, and scrubbed from every log line', async () => {
    clearTokenCache();
    const secret = 'ghp_FROMSECRETSMANAGER_canary_42';
    // No local Secrets Manager exists, so this one client is a stand-in.
    const send = vi.fn(async () => ({ SecretString: JSON.stringify({ token: secret }) }));
    const source = { secretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:gh', secrets: { send } as never };
    expect(await resolveToken(source)).toBe(secret);
    expect(await resolveToken(source)).toBe(secret);
    expect(send).toHaveBeenCalledTimes(1);
    const lines: string[] = [];
    createLogger({ sink: (l) => lines.push(l) }).error('oops', { error: new Error(`bad header bearer ${secret}`) });
    expect(lines.join('')).not.toContain(secret);
    clearTokenCache();
  });

  it('a token rotated in Secrets Manager is picked up by a warm function after a 401, without a redeploy', async () => {
    clearTokenCache();
    const tables = await freshTables(dynamo.endpoint);
    let current = WRONG;
    // No local Secrets Manager exists, so this one client is a stand-in; the secret is "rotated" by changing `current`.
    const send = vi.fn(async () => ({ SecretString: JSON.stringify({ token: current }) }));
    const run = lambdaHandler({
      env: {
        GITHUB_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:rotated',
        GITHUB_API_URL: sim.url,
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        STARS_TABLE: tables.starsTable,
        POLLS_TABLE: tables.pollsTable,
        TRACKS: '[{"query":"language:go","top":100}]',
      },
      secrets: { send } as never,
    });
    sim.setTime(T);
    const quiet = [
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true),
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true),
    ];
    try {
      await expect(run({ time: new Date(T).toISOString() })).rejects.toBeInstanceOf(PollIncompleteError);
      current = TOKEN; // the operator puts the right token into the secret
      const result = await run({ time: new Date(T).toISOString() });
      expect(result.polls[0]).toMatchObject({ status: 'ok', written: 100 });
      expect(send).toHaveBeenCalledTimes(2);
    } finally {
      for (const spy of quiet) spy.mockRestore();
      clearTokenCache();
    }
  });

  it('an empty secret is a clear error naming the secret, and is not cached', async () => {
    clearTokenCache();
    const send = vi.fn(async () => ({ SecretString: '' }));
    const source = { secretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:empty', secrets: { send } as never };
    await expect(resolveToken(source)).rejects.toThrow(
      /secret arn:aws:secretsmanager:us-east-1:1:secret:empty: secret is empty/,
    );
    await expect(resolveToken(source)).rejects.toThrow(/secret is empty/);
    expect(send).toHaveBeenCalledTimes(2);
  });
});
