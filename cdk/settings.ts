// The stack's settings, read from CDK context (cdk.json, or `-c key=value` on the command line).
// Pure: takes a lookup function, returns validated settings or throws naming the context key.
import { parseTracks } from '../core/config.js';
import type { Track } from '../core/domain.js';
import { SLOT_SECONDS } from '../core/domain.js';

export type BillingMode = 'on-demand' | 'provisioned';

export interface StackSettings {
  tracks: Track[];
  /** Minutes between polls, on the clock in UTC: one of SCHEDULE_RATES (see scheduleCron). */
  scheduleRateMinutes: number;
  billingMode: BillingMode;
  /** Provisioned mode only: stars table write and read capacity units. */
  writeCapacity: number;
  readCapacity: number;
  alarmEmail?: string;
  /** The collector's reserved concurrency; absent = none (opt-in: it counts against the account's quota). */
  reservedConcurrency?: number;
}

type Lookup = (key: string) => unknown;

const SLOT_MINUTES = SLOT_SECONDS / 60;

/**
 * The poll periods a cron can fire on the clock: multiples of the 15-minute slot that divide an
 * hour (15, 30) or a day in whole hours (60 ... 1440). 45 or 90 minutes would drift off the hour
 * under a cron, and `rate()` fires at deploy time + k * period, off the quarter hour.
 */
export const SCHEDULE_RATES = [15, 30, 60, 120, 180, 240, 360, 480, 720, 1440] as const;

/** The EventBridge Scheduler cron (UTC) that fires every `minutes`, on the quarter hour: one of SCHEDULE_RATES. */
export function scheduleCron(minutes: number): string {
  if (!(SCHEDULE_RATES as readonly number[]).includes(minutes))
    throw new RangeError(`no cron fires every ${minutes} minutes on the clock`);
  if (minutes < 60) return `cron(0/${minutes} * * * ? *)`;
  if (minutes === 60) return 'cron(0 * * * ? *)';
  if (minutes < 1440) return `cron(0 0/${minutes / 60} * * ? *)`;
  return 'cron(0 0 * * ? *)';
}

export function readSettings(get: Lookup): StackSettings {
  const tracks = readTracks(get('tracks'));
  const scheduleRateMinutes = readRate(get('scheduleRate'));
  const billingMode = readBillingMode(get('billingMode'));
  const writeCapacity = readUnits('writeCapacity', get('writeCapacity'), defaultWriteCapacity(totalTop({ tracks })));
  const readCapacity = readUnits('readCapacity', get('readCapacity'), 5);
  const alarmEmail = readEmail(get('alarmEmail'));
  const reservedConcurrency = readReservedConcurrency(get('reservedConcurrency'));
  return {
    tracks,
    scheduleRateMinutes,
    billingMode,
    writeCapacity,
    readCapacity,
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(reservedConcurrency !== undefined ? { reservedConcurrency } : {}),
  };
}

/** Repositories polled per run, across all tracks. */
export function totalTop(settings: Pick<StackSettings, 'tracks'>): number {
  return settings.tracks.reduce((sum, t) => sum + t.top, 0);
}

/**
 * 60 s of fixed cost (cold start, secret, first page) plus 15 s per 1,000 repositories, capped at
 * Lambda's 900 s. The simulator bench polls 10,000 in well under 30 s with 300 ms per request, so
 * this leaves several times the expected duration before a slow GitHub becomes a timeout.
 */
export function timeoutSeconds(repos: number): number {
  return Math.min(900, 60 + Math.ceil((15 * repos) / 1000));
}

/**
 * A snapshot is written in one burst every 15 minutes. DynamoDB banks up to 300 s of unused
 * capacity, so N/100 WCU absorbs an N-item burst with room to spare; the collector retries throttles.
 */
export function defaultWriteCapacity(repos: number): number {
  return Math.max(1, Math.ceil(repos / 100));
}

function readTracks(value: unknown): Track[] {
  if (value === undefined || value === null || value === '') return [{ query: 'language:go', top: 1000 }];
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  try {
    return parseTracks(text);
  } catch (error) {
    throw new RangeError(`context "tracks": ${(error as Error).message}`);
  }
}

function readRate(value: unknown): number {
  if (value === undefined || value === null || value === '') return SLOT_MINUTES;
  const minutes =
    typeof value === 'number'
      ? value
      : Number(
          String(value)
            .trim()
            .replace(/\s*minutes?$/, ''),
        );
  // The collector floors a poll's time to its 15-minute slot: faster polls would overwrite each other.
  // And the schedule is a cron on the clock (scheduleCron), which only these periods can be.
  if (!(SCHEDULE_RATES as readonly number[]).includes(minutes)) {
    throw new RangeError(
      `context "scheduleRate": expected minutes, one of ${SCHEDULE_RATES.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return minutes;
}

function readBillingMode(value: unknown): BillingMode {
  if (value === undefined || value === null || value === '') return 'on-demand';
  const mode = String(value).trim().toLowerCase();
  if (mode === 'on-demand' || mode === 'pay_per_request' || mode === 'ondemand') return 'on-demand';
  if (mode === 'provisioned') return 'provisioned';
  throw new RangeError(`context "billingMode": expected "on-demand" or "provisioned", got ${JSON.stringify(value)}`);
}

function readUnits(key: string, value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '' || value === 'auto') return fallback;
  const units = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(units) || units < 1 || units > 40_000) {
    throw new RangeError(
      `context "${key}": expected "auto" or an integer from 1 to 40000, got ${JSON.stringify(value)}`,
    );
  }
  return units;
}

function readReservedConcurrency(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const units = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(units) || units < 1) {
    throw new RangeError(
      `context "reservedConcurrency": expected a positive integer or "", got ${JSON.stringify(value)}`,
    );
  }
  return units;
}

function readEmail(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const email = String(value).trim();
  if (email === '') return undefined;
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw new RangeError(`context "alarmEmail": expected an email address or "", got ${JSON.stringify(value)}`);
  }
  return email;
}
