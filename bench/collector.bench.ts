// One collector poll of the top 1,000 and of the top 10,000 against the GitHub simulator with
// 300 ms added to every request (GitHub's own latency for a search page is of that order),
// beside the article's method: one query paged sequentially (capped at 1,000) and one
// PutItem per row.
//
// Knobs: BENCH_COLLECTOR_REPOS (repositories in the simulated language, default 15000),
// BENCH_COLLECTOR_LATENCY_MS (default 300), BENCH_COLLECTOR_TOPS (default "1000,10000").
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { slotOf } from '../core/domain.js';
import { createLogger, type Logger } from '../core/log.js';
import { createDynamoClient } from '../core/store/client.js';
import { ensureTables, startEmbeddedDynamo } from '../core/store/embedded-store.js';
import { encodeStarsItem } from '../core/store/stars-item.js';
import { createGitHubClient, newCounters } from '../lambda/github-client.js';
import { createHandler } from '../lambda/handler.js';
import { searchAll } from '../lambda/search.js';
import { validateNodes } from '../lambda/validate-nodes.js';
import { type StartedSimulator, startGitHubSimulator } from '../local/github-sim/index.js';
import { knob } from './knob.js';
import type { BenchResult } from './run.js';

export const title = 'Collector: one poll of the top 1,000 and top 10,000 (300 ms per GitHub request)';

const REPOS = knob('BENCH_COLLECTOR_REPOS', 15_000, 1);
const LATENCY = knob('BENCH_COLLECTOR_LATENCY_MS', 300, 0);
const TOPS = (process.env.BENCH_COLLECTOR_TOPS ?? '1000,10000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const AT = Date.parse('2026-06-01T12:00:00Z');

interface Row {
  method: string;
  top: number;
  seconds: number;
  requests: number;
  points: number;
  writeUnits: number;
  maxConcurrent: number;
  correct: boolean;
  note: string;
}

/** The simulator, the store and a fresh pair of tables for each method measured. */
interface Lab {
  sim: StartedSimulator;
  client: DynamoDBClient;
  logger: Logger;
  tables(): Promise<{ starsTable: string; pollsTable: string }>;
}

/** startrail: the real handler, one invocation for the slot at AT, checked against the simulator's truth. */
async function pollOurs({ sim, client, logger, tables }: Lab, top: number): Promise<Row> {
  const names = await tables();
  const github = createGitHubClient({ url: sim.url, token: 'bench', logger });
  const handler = createHandler({
    github,
    dynamo: client,
    config: { ...names, tracks: [{ query: 'language:go', top }] },
    logger,
  });
  sim.resetStats();
  const started = performance.now();
  const result = await handler({ time: new Date(AT).toISOString() });
  const seconds = (performance.now() - started) / 1000;
  const poll = result.polls[0]!;
  const truth = sim.world.top('language:go', AT, top);
  console.error(`collector bench: startrail top ${top}: ${seconds.toFixed(1)} s, ${sim.stats.requests} requests`);
  return {
    method: 'startrail',
    top,
    seconds,
    requests: sim.stats.requests,
    points: sim.stats.points,
    writeUnits: poll.written,
    maxConcurrent: sim.stats.maxConcurrentSeen,
    correct: poll.status === 'ok' && poll.written === truth.length,
    note: `${poll.status}, ${poll.written}/${poll.expected} rows`,
  };
}

/** The article's method: one query paged in order, then one PutItem per row. */
async function pollAsTheArticle({ sim, client, logger, tables }: Lab): Promise<Row> {
  const names = await tables();
  const github = createGitHubClient({ url: sim.url, token: 'bench', logger });
  sim.resetStats();
  const started = performance.now();
  const result = await searchAll(github, 'language:go sort:stars', { counters: newCounters() });
  const valid = validateNodes(result.nodes).repos;
  const ts = slotOf(AT);
  for (const r of valid)
    await client.send(new PutItemCommand({ TableName: names.starsTable, Item: encodeStarsItem({ ...r, ts }) }));
  const seconds = (performance.now() - started) / 1000;
  return {
    method: "article's (sequential pages, PutItem per row)",
    top: 1000,
    seconds,
    requests: sim.stats.requests,
    points: sim.stats.points,
    writeUnits: valid.length,
    maxConcurrent: sim.stats.maxConcurrentSeen,
    correct: valid.length === 1000,
    note: 'cannot go past 1,000',
  };
}

function report(rows: Row[]): BenchResult {
  const ours1k = rows.find((r) => r.method === 'startrail' && r.top === 1000);
  const theirs = rows.find((r) => r.method !== 'startrail');
  const ours10k = rows.find((r) => r.method === 'startrail' && r.top === 10_000);
  const lines = [
    `Simulator: ${REPOS.toLocaleString('en')} Go repositories, ${LATENCY} ms added to every request, secondary limits on (100 concurrent, 2,000 points/min). DynamoDB: dynalite in memory. Write units: one per item (every item is under 1 KB).`,
    '',
    ...(ours1k && theirs
      ? [
          `- Top 1,000: startrail ${(theirs.seconds / ours1k.seconds).toFixed(1)}x faster than the article's method (${ours1k.seconds.toFixed(1)} s vs ${theirs.seconds.toFixed(1)} s).`,
        ]
      : []),
    ...(ours10k
      ? [
          `- Top 10,000: ${ours10k.seconds.toFixed(1)} s (goal: under 30 s) — ${ours10k.seconds < 30 ? 'met' : 'MISSED'}; the article's method cannot reach past 1,000.`,
        ]
      : []),
    '',
    '| method | top N | wall time (s) | requests | GitHub points | DynamoDB write units | max concurrent requests | matches ground truth | note |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.method} | ${r.top.toLocaleString('en')} | ${r.seconds.toFixed(2)} | ${r.requests} | ${r.points} | ${r.writeUnits.toLocaleString('en')} | ${r.maxConcurrent} | ${r.correct ? 'yes' : 'NO'} | ${r.note} |`,
    ),
  ];
  return { markdown: lines.join('\n'), data: { repos: REPOS, latencyMs: LATENCY, rows } };
}

export async function run(): Promise<BenchResult> {
  // GitHub's documented secondary limits: 100 concurrent requests, 2,000 points a minute.
  const sim = await startGitHubSimulator({
    seed: 42,
    languages: ['go'],
    reposPerLanguage: REPOS,
    latencyMs: LATENCY,
    maxConcurrent: 100,
    pointsPerMinute: 2000,
  });
  const dynamo = await startEmbeddedDynamo();
  const client = createDynamoClient({ endpoint: dynamo.endpoint, region: 'us-east-1', maxAttempts: 3 });
  const logger = createLogger({ level: 'warn', sink: (line) => process.stderr.write(`${line}\n`) });
  sim.setTime(AT);
  let tableNo = 0;
  const tables = async () => {
    tableNo += 1;
    const names = { starsTable: `bench-stars-${tableNo}`, pollsTable: `bench-polls-${tableNo}` };
    await ensureTables(client, names);
    return names;
  };
  const lab: Lab = { sim, client, logger, tables };
  const rows: Row[] = [];
  try {
    for (const top of TOPS) rows.push(await pollOurs(lab, top));
    rows.push(await pollAsTheArticle(lab));
  } finally {
    client.destroy();
    await Promise.all([sim.close(), dynamo.close()]);
  }
  return report(rows);
}
