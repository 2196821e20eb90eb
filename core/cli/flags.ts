// The CLIs' flag parsers. Those given to commander as argParsers refuse a value with an
// InvalidArgumentError, which commander prints as `option '--top <n>' argument '0' is invalid.
// <reason>`: the flag and the value are named there, so the reason says what was expected.
import { InvalidArgumentError } from 'commander';
import { ISO_TIME_EXAMPLE, parseIsoTime } from '../iso-time.js';
import { assertRepoName } from '../repo-name.js';
import { CliError } from './run.js';

export interface PositiveIntOptions {
  /** The largest value accepted. */
  max?: number;
  /** Where `max` comes from, said in the message: "the most a track keeps, as in TRACKS". */
  limit?: string;
}

/** A whole number of at least 1 (and at most `max`), in digits only: no "1e3", "0x10" or "2.0". */
export function positiveInt(options: PositiveIntOptions = {}): (text: string) => number {
  const { max, limit } = options;
  const range = max === undefined ? 'a positive integer' : `an integer from 1 to ${max}`;
  const expected = limit === undefined ? range : `${range} (${limit})`;
  return (text) => {
    const n = Number(text.trim());
    const inRange = Number.isSafeInteger(n) && n >= 1 && (max === undefined || n <= max);
    if (!/^[0-9]+$/.test(text.trim()) || !inRange) {
      throw new InvalidArgumentError(`expected ${expected}, got ${JSON.stringify(text)}`);
    }
    return n;
  };
}

/**
 * `parse`, then `check`: a rule kept by the code the value is for (the export's limit on
 * segments), whose refusal becomes commander's, so the limit is written once.
 */
export function withCheck<T>(parse: (text: string) => T, check: (value: T) => unknown): (text: string) => T {
  return (text) => {
    const value = parse(text);
    try {
      check(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
    return value;
  };
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** A duration such as 30s, 15m or 1h, in milliseconds. */
export function duration(text: string): number {
  const m = /^(\d+)(s|m|h)$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0) {
    throw new InvalidArgumentError(`expected a duration like 30s, 15m or 1h, got ${JSON.stringify(text)}`);
  }
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/**
 * An instant as a full ISO 8601 date and time with its zone (core/iso-time.ts): Date.parse
 * would take "1" (2001), "2026-02-30" (March 2) or a zone-less time in the machine's zone.
 */
export function isoTime(text: string): Date {
  const ms = parseIsoTime(text.trim());
  if (ms === undefined) {
    throw new InvalidArgumentError(
      `expected an ISO 8601 date and time with Z or an offset, on a day the calendar has, such as ${ISO_TIME_EXAMPLE}`,
    );
  }
  return new Date(ms);
}

/** A repeatable `owner/name` flag (`--repo a/b --repo c/d`), each name checked as it is parsed. */
export function repoNames(flag: string): (value: string, previous?: string[]) => string[] {
  return (value, previous = []) => {
    try {
      return [...previous, assertRepoName(value, flag)];
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

/**
 * --since / --until in epoch seconds: an ISO 8601 date (midnight UTC), a date and time with a
 * zone, or epoch seconds. Strict (core/iso-time.ts): an impossible date or a time without a zone
 * is a usage error naming the flag, not rolled over or read in the machine's zone.
 */
export function parseTime(value: string, flag: string): number {
  const text = value.trim();
  if (/^[0-9]{1,12}$/.test(text)) return Number(text);
  const ms = parseIsoTime(text, { dateOnly: true });
  if (ms === undefined) {
    throw new CliError(
      `${flag}: expected an ISO date (2018-12-18), a date and time with a zone (2018-12-18T00:00:00Z) or epoch seconds, got ${JSON.stringify(value)}`,
      2,
    );
  }
  return Math.floor(ms / 1000);
}

/** --since and --until in epoch seconds; either may be absent. */
export interface TimeRange {
  since?: number;
  until?: number;
}

/** --since and --until as given, parsed. */
export function timeRange(flags: { since?: string; until?: string }): TimeRange {
  return {
    since: flags.since === undefined ? undefined : parseTime(flags.since, '--since'),
    until: flags.until === undefined ? undefined : parseTime(flags.until, '--until'),
  };
}
