// The DynamoDB client for AWS or a local endpoint, and which of its failures are worth another try.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type RetryOptions, retry } from '../retry.js';

export interface DynamoClientOptions {
  endpoint?: string;
  region: string;
  /** SDK-level retries; the collector and exporter do their own, so tests can set 0. */
  maxAttempts?: number;
}

/**
 * A DynamoDB client for AWS or a local endpoint. A local endpoint (dynalite) takes any
 * credentials, so fixed dummy ones keep local runs from searching for an AWS profile.
 */
export function createDynamoClient(options: DynamoClientOptions): DynamoDBClient {
  return new DynamoDBClient({
    region: options.region,
    maxAttempts: options.maxAttempts,
    ...(options.endpoint
      ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
}

// Errors worth another try: throttling, DynamoDB's own 5xx, and socket-level failures.
const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'LimitExceededException',
  'TimeoutError',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED']);

/** Whether a DynamoDB call that threw may succeed if made again (the collector and the exporter retry these). */
export function isRetryableDynamoError(error: unknown): boolean {
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  if (e?.name === 'AbortError') return false;
  return (
    RETRYABLE_NAMES.has(e?.name ?? '') ||
    NETWORK_CODES.has(e?.code ?? '') ||
    /socket hang up/i.test(e?.message ?? '') ||
    e?.$retryable !== undefined ||
    (e?.$metadata?.httpStatusCode ?? 0) >= 500
  );
}

/** How hard to try a DynamoDB call again: calls in all, backoff, and (for tests) the wait and the jitter. */
export type DynamoRetryOptions = Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'>;

/**
 * `fn` tried again with full-jitter backoff while it fails with a retryable DynamoDB error, 10
 * calls at most unless told otherwise: the jitter spreads parallel Scan segments' retries so they
 * do not throttle together again. An aborted `signal` stops it before the next call.
 */
export function retryDynamo<T>(
  fn: () => Promise<T>,
  options: DynamoRetryOptions = {},
  signal?: AbortSignal,
): Promise<T> {
  return retry(() => fn(), {
    ...options,
    attempts: options.attempts ?? 10,
    isRetryable: isRetryableDynamoError,
    signal,
  });
}
