import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

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
