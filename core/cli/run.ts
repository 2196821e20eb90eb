// How every CLI runs its main and ends: an expected failure (bad input, a setting, a locked
// store, a refused connection, an interrupted run) is one escaped line `<command>: <message>` and
// an exit code; only a bug prints its stack. Exit codes: 2 the command was called wrongly (a flag
// or a setting), 130 interrupted, 1 any other failure.
import { type Command, CommanderError } from 'commander';
import { SettingError, StartrailError } from '../errors.js';
import { redact } from '../log.js';
import { errorText } from './text.js';

/** A failure the command itself describes, with the exit code it means. */
export class CliError extends StartrailError {
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super('CLI', message, options);
  }
}

/**
 * The failures a user can cause or fix: ours (a StartrailError), commander's (a bad flag, already
 * printed), and the ones a server or the system reports: PostgreSQL's (a severity and an SQLSTATE),
 * DynamoDB's (after the SDK's retries), Node's (ECONNREFUSED, EACCES...).
 */
export function isExpected(error: unknown): boolean {
  if (error instanceof StartrailError || error instanceof CommanderError) return true;
  const e = error as { code?: unknown; severity?: unknown; $metadata?: unknown };
  if (typeof e?.severity === 'string' && typeof e.code === 'string') return true;
  if (e?.$metadata !== undefined) return true;
  return typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code);
}

/** The exit code of an expected failure. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  // Help is a CommanderError with exit code 0; every other one is a usage error.
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  return error instanceof SettingError ? 2 : 1;
}

/**
 * Prints how `command` failed and returns its exit code: an expected failure as one line,
 * escaped (a file name may hold a newline or a bidi override) and without anything shaped like
 * a token; a bug with its stack. Commander has printed its own errors already.
 */
export function reportFailure(command: string, error: unknown): number {
  if (error instanceof CommanderError) return exitCodeOf(error);
  if (isExpected(error)) {
    process.stderr.write(`${command}: ${redact(errorText(error))}\n`);
    return exitCodeOf(error);
  }
  const stack = (error as Error)?.stack ?? String(error);
  process.stderr.write(`${command}: unexpected failure\n${redact(stack)}\n`);
  return 1;
}

/**
 * Runs a command's main and sets the exit code: main's own (0 when it returns nothing), or the
 * failure's. Returns it too, for a command that must end the process itself.
 */
export async function runCommand(command: string, main: () => Promise<number> | Promise<void>): Promise<number> {
  let code: number;
  try {
    code = (await main()) ?? 0;
  } catch (error) {
    code = reportFailure(command, error);
  }
  process.exitCode = code;
  return code;
}

/**
 * Commander's errors (an unknown flag, a value a flag parser refused) as one `<command>:` line,
 * thrown to runCommand instead of exiting, so every failure ends in one place.
 */
export function reportUsageErrors(program: Command, command: string): Command {
  return program
    .configureOutput({ outputError: (text, write) => write(`${command}: ${text.replace(/^error: /, '')}`) })
    .exitOverride();
}

/**
 * An AbortSignal that fires on these signals (Ctrl-C, a service manager's stop): long work stops
 * at its next step, and the command says how far it got. Its reason is the standard AbortError,
 * which the clients it is passed to (fetch, the SDK) already know as "aborted".
 */
export function abortOnSignals(signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  for (const signal of signals) process.once(signal, stop);
  return controller.signal;
}
