// The collector soak's fault mix, shared by its test (200 slots) and the reliability bench
// (2,000): GitHub 502s, secondary rate limits and answers slower than the client timeout;
// DynamoDB throttling, 500s and UnprocessedItems; a tenth of invocations killed after a
// partial write and delivered again; and one search answer in twenty timed out at GitHub,
// quietly missing some of its matches.
import type { SoakOptions } from './reliability-soak.js';

export const SOAK_FAULTS = {
  error502: 0.2,
  secondaryRateLimit: 0.05,
  slowShare: 0.05,
  slowMs: 400,
  timeoutMs: 150,
  throttleShare: 0.1,
  error500Share: 0.02,
  unprocessedShare: 0.3,
  killShare: 0.1,
  hostile: { incompleteShare: 0.05 },
} satisfies Partial<SoakOptions>;
