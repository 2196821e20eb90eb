// The answers the simulator sends, byte for byte as GitHub sends them: error bodies, the
// secondary-limit and IP-allow-list messages, the echo answers of a careless proxy, and
// GitHub-style request ids.
import type { GraphQLError } from 'graphql';
import { GitHubGraphQLError } from './search.js';
import type { EchoTokenMode } from './types.js';

/** One HTTP answer; the server adds the rate-limit headers when it writes it. */
export interface Answer {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

const DOCS = 'https://docs.github.com/graphql';
const SECONDARY_DOCS =
  'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';
const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>GitHub</center>\r\n</body>\r\n</html>\r\n';

/** HTTP 200 with a JSON body: GitHub answers GraphQL errors (even rate limits) this way. */
export function ok(payload: unknown): Answer {
  return { status: 200, body: JSON.stringify(payload) };
}

/** A JSON error body with GitHub's documentation link. */
export function documentedError(status: number, message: string, headers?: Record<string, string>): Answer {
  return { status, ...(headers ? { headers } : {}), body: JSON.stringify({ message, documentation_url: DOCS }) };
}

/** A JSON error body without a documentation link (the simulator's own endpoints). */
export function plainError(status: number, message: string): Answer {
  return { status, body: JSON.stringify({ message }) };
}

export const BAD_JSON = documentedError(400, 'Problems parsing JSON');
export const NOT_FOUND = documentedError(404, 'Not Found');
export const METHOD_NOT_ALLOWED = documentedError(405, 'Method Not Allowed', { allow: 'POST' });
export const UNAUTHENTICATED = documentedError(401, 'This endpoint requires you to be authenticated.');
export const BAD_CREDENTIALS: Answer = {
  status: 401,
  body: JSON.stringify({ message: 'Bad credentials', documentation_url: DOCS, status: '401' }),
};
export const PAYLOAD_TOO_LARGE = plainError(413, 'Payload Too Large');
export const BAD_GATEWAY: Answer = { status: 502, contentType: 'text/html', body: BAD_GATEWAY_HTML };

/** GitHub's secondary rate limit answer (403 or 429, the caller alternates them). */
export function secondaryLimitAnswer(status: number, requestId: string, retryAfter: number): Answer {
  return {
    status,
    headers: { 'retry-after': String(retryAfter) },
    body: JSON.stringify({
      documentation_url: SECONDARY_DOCS,
      message: `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
    }),
  };
}

/**
 * An error answer that repeats the request's Authorization header, as misconfigured proxies and
 * debugging APIs do. Each puts it where a client builds its error message from: the page's first
 * line, the body text, `message`, `errors[].message`.
 */
export function echoAnswer(mode: EchoTokenMode, authorization: string): Answer {
  const echo = `authorization: ${authorization}`;
  switch (mode) {
    case 'error502':
      return {
        status: 502,
        contentType: 'text/html',
        body: `<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>upstream rejected the request (${echo})</p></body></html>\r\n`,
      };
    case 'forbidden403':
      return {
        status: 403,
        contentType: 'text/plain; charset=utf-8',
        body: `403 Forbidden: request not allowed from this network (${echo})\n`,
      };
    case 'jsonError':
      return documentedError(400, `Invalid request header: ${echo}`);
    case 'graphqlError':
      return ok({ data: null, errors: [{ type: 'FORBIDDEN', message: `Resource not accessible with ${echo}` }] });
  }
}

/**
 * What GitHub says of a node an organisation's IP allow list keeps from the caller (type
 * `FORBIDDEN`); the node itself is null in `data`, the rest of the answer intact.
 */
export function ipAllowListMessage(owner: string): string {
  return `Although you appear to have the correct authorization credentials, the \`${owner}\` organization has an IP allow list enabled, and your IP address is not permitted to access this resource.`;
}

/** A GraphQL error as GitHub lists it: its JSON form, with GitHub's `type` where the error has one. */
export function formatError(error: GraphQLError): Record<string, unknown> {
  const json = error.toJSON() as unknown as Record<string, unknown>;
  const original = error.originalError;
  if (original instanceof GitHubGraphQLError) return { type: original.type, ...json };
  if (error instanceof GitHubGraphQLError) return { type: error.type, ...json };
  return json;
}

/** x-github-request-id: GitHub's five hex groups, derived from the seed and the request's number. */
export function requestId(seed: number, n: number): string {
  const hex = (x: number, w: number) => (x >>> 0).toString(16).toUpperCase().padStart(w, '0').slice(-w);
  return `${hex(seed, 4)}:${hex(n, 5)}:${hex(n * 2654435761, 6)}:${hex(n * 40503 + seed, 6)}:${hex(n, 8)}`;
}
