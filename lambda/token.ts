// The GitHub token: from Secrets Manager on AWS (read once per cold start, then cached),
// or GITHUB_TOKEN locally. Registered with the logger the moment it is known.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { registerSecret } from '../core/log.js';

export interface TokenSource {
  secretArn?: string;
  envToken?: string;
  region?: string;
  /** Injected in tests. */
  secrets?: Pick<SecretsManagerClient, 'send'>;
}

/** A secret string is the raw token or JSON `{"token": "..."}`. */
export function parseSecret(secretString: string | undefined, where: string): string {
  const text = (secretString ?? '').trim();
  let token = text;
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${where}: secret looks like JSON but does not parse; store the raw token or {"token": "..."}`);
    }
    const value = (parsed as { token?: unknown }).token;
    if (typeof value !== 'string') throw new Error(`${where}: secret JSON has no string "token" field`);
    token = value.trim();
  }
  if (!token) throw new Error(`${where}: secret is empty; put the GitHub token in it`);
  return token;
}

const cache = new Map<string, Promise<string>>();

export async function resolveToken(source: TokenSource): Promise<string> {
  if (source.secretArn) {
    const arn = source.secretArn;
    let pending = cache.get(arn);
    if (!pending) {
      const client = source.secrets ?? new SecretsManagerClient({ region: source.region });
      pending = client.send(new GetSecretValueCommand({ SecretId: arn })).then((out) => {
        const token = parseSecret(out.SecretString, `secret ${arn}`);
        registerSecret(token);
        return token;
      });
      // A failed read is not cached: the next invocation tries again.
      pending.catch(() => cache.delete(arn));
      cache.set(arn, pending);
    }
    return pending;
  }
  const token = source.envToken?.trim();
  if (!token) throw new Error('no GitHub token: set GITHUB_TOKEN (or GITHUB_TOKEN_SECRET_ARN on AWS)');
  registerSecret(token);
  return token;
}

/** Forgets the cached secret of `source`: GitHub refused it, so the next read asks Secrets Manager again. */
export function forgetToken(source: Pick<TokenSource, 'secretArn'>): void {
  if (source.secretArn) cache.delete(source.secretArn);
}

/** Forgets cached secrets (tests). */
export function clearTokenCache(): void {
  cache.clear();
}
