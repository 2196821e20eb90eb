// --since / --until: an ISO 8601 date (midnight UTC), a date and time with a zone, or epoch
// seconds. Strict (core/iso-time.ts): an impossible date or a time without a zone is refused,
// not rolled over or read in the machine's zone.
import { parseIsoTime } from '../../core/iso-time.js';

export function parseTime(value: string, flag: string): number {
  const text = value.trim();
  if (/^[0-9]{1,12}$/.test(text)) return Number(text);
  const ms = parseIsoTime(text, { dateOnly: true });
  if (ms === undefined) {
    throw new RangeError(
      `${flag}: expected an ISO date (2018-12-18), a date and time with a zone (2018-12-18T00:00:00Z) or epoch seconds, got ${JSON.stringify(value)}`,
    );
  }
  return Math.floor(ms / 1000);
}
