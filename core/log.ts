// Structured JSON logs, one object per line. Every registered secret, and anything shaped like a
// GitHub token or an Authorization credential (core/redact.ts), is scrubbed from the serialized
// line, so a token can never leak through an error message or a nested field.
import { redactSecrets } from './redact.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Fields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

export interface LoggerOptions {
  /** Where lines go; defaults to stdout (stderr for warn and error). */
  sink?: (line: string, level: Level) => void;
  /** Strings that must never appear in output (tokens). */
  secrets?: () => readonly string[];
  level?: Level;
  base?: Fields;
  clock?: () => Date;
}

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const registered = new Set<string>();

/** Registers a secret for every logger in the process (the token, once read). */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 4) registered.add(secret);
}

/** The registered secrets, for code that scrubs text outside a logger (errors, stored records). */
export function registeredSecrets(): readonly string[] {
  return [...registered];
}

/** `text` without the secrets (by default the registered ones) or anything token-shaped. */
export function redact(text: string, secrets: Iterable<string> = registered): string {
  return redactSecrets(text, secrets);
}

function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const out: Fields = { name: error.name, message: error.message };
  const status = (error as { status?: unknown }).status;
  if (status !== undefined) out.status = status;
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  return out;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const min = ORDER[options.level ?? ((process.env.LOG_LEVEL as Level | undefined) || 'info')] ?? ORDER.info;
  const sink =
    options.sink ??
    ((line: string, level: Level) =>
      (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(`${line}\n`));
  const clock = options.clock ?? (() => new Date());
  const make = (base: Fields): Logger => {
    const emit = (level: Level, message: string, fields?: Fields) => {
      if (ORDER[level] < min) return;
      const record: Fields = { time: clock().toISOString(), level, message, ...base, ...fields };
      const line = JSON.stringify(record, (_key, value) => (value instanceof Error ? serializeError(value) : value));
      const secrets = [...registered, ...(options.secrets?.() ?? [])];
      sink(redact(line, secrets), level);
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.base ?? {});
}

/** A logger that keeps its lines, for tests. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ sink: (line) => lines.push(line), level: 'debug' });
  return Object.assign(logger, { lines });
}
