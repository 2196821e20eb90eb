// Text the CLIs print about what went wrong: always one line, with nothing the terminal would
// act on (a newline in a file name, a bidi override that reorders what follows).

/**
 * C0 controls, DEL, C1 controls, and the invisible format characters that change how a line
 * reads: ALM, LRM/RLM, LRE..RLO, line and paragraph separators, LRI..PDI, BOM/ZWNBSP.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's job.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `a\nb` -> `a\\nb`, U+202E -> `\\u202e`: every unsafe character becomes a visible escape.
 * Backslashes are left alone so Windows paths stay readable.
 */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The message of anything thrown, escaped to one line. */
export function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  return escapeControl(message);
}

/** `<command>: <message>` as the one line a CLI prints for an expected failure. */
export function errorLine(command: string, error: unknown): string {
  return `${command}: ${errorText(error)}\n`;
}
