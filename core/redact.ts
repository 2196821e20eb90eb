// Scrubs credentials out of text that came from elsewhere (error bodies, messages) before it is printed, logged or stored.
// Known secrets are replaced wherever they occur; so is anything shaped like a GitHub token or an
// Authorization header's credential, because an API or proxy that echoes a request back may echo
// a token nobody registered (another user's, an old one, one pasted into a URL).

export const REDACTED = '[REDACTED]';

// GitHub's token formats: ghp_ (classic PAT), gho_ (OAuth), ghu_ (user-to-server), ghs_
// (server-to-server), ghr_ (refresh), each 36+ base62 characters; and fine-grained github_pat_.
const GITHUB_TOKEN = /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/g;

// `Authorization: Bearer x`, `"authorization":"token x"`, `proxy-authorization=basic x`: the
// credential after an Authorization-like word, whatever its shape (a quote, bracket or
// separator ends it, so the text around stays readable).
const AUTH_HEADER =
  /\b((?:proxy-)?authori[sz]ation\b["']?\s*[:=]?\s*["']?\s*(?:bearer|token|basic)\s+)[^\s"'<>,;()[\]{}]+/gi;

// `Bearer x` alone: the word is used for almost nothing else, so any credential-looking run
// (8+ characters of the token68 alphabet) after it is taken for a credential.
const BEARER = /\b(bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi;

/**
 * `text` with every known secret (at least 4 characters, as the logger registers them) and every
 * GitHub-token-shaped or Authorization-header credential replaced by [REDACTED].
 */
export function redactSecrets(text: string, knownSecrets: Iterable<string> = []): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  const known = [...knownSecrets]
    .filter((s) => typeof s === 'string' && s.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const s of known) out = out.split(s).join(REDACTED);
  return out.replace(GITHUB_TOKEN, REDACTED).replace(AUTH_HEADER, `$1${REDACTED}`).replace(BEARER, `$1${REDACTED}`);
}

/**
 * At most `max` characters, ending in an ellipsis when cut, so a stored error stays a readable
 * line (a whole HTML error page is noise in a polls table and a CSV). Redact first: a cut could
 * split a secret into pieces no pattern recognises.
 */
export function capErrorText(text: string, max = 300): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Text a server sent, made fit for an error message: markup removed, whitespace collapsed to one
 * line, secrets redacted, capped at `max`.
 */
export function describeServerText(text: string, knownSecrets: Iterable<string> = [], max = 200): string {
  const plain = (html: string) =>
    html
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  // An error page's <title> usually repeats its heading; it is kept only when the body is empty.
  const line = plain(text.replace(/<head\b[\s\S]*?<\/head\s*>/gi, ' ')) || plain(text);
  return capErrorText(redactSecrets(line, knownSecrets), max);
}
