// Strict ISO 8601 times for flags and events. Date.parse reads "1" as 2001, rolls 2026-02-30
// over to March 2 and reads a time without a zone in the machine's zone; here each of those
// is refused instead of silently becoming another instant.

/** A date and time that says its zone: what --at and an event's time must look like. */
export const ISO_TIME_EXAMPLE = '2026-01-01T00:15:00Z or 2026-01-01T00:15:00+01:00';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2})(?::?(\d{2}))?)$/;

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

/** The UTC instant of these wall-clock fields, or undefined when the calendar has no such time. */
function utcMs(f: Fields): number | undefined {
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  date.setUTCFullYear(f.year, f.month - 1, f.day);
  date.setUTCHours(f.hour, f.minute, f.second, f.ms);
  const same =
    date.getUTCFullYear() === f.year &&
    date.getUTCMonth() === f.month - 1 &&
    date.getUTCDate() === f.day &&
    date.getUTCHours() === f.hour &&
    date.getUTCMinutes() === f.minute &&
    date.getUTCSeconds() === f.second;
  return same ? date.getTime() : undefined;
}

function offsetMs(zone: string, sign?: string, hours?: string, minutes?: string): number | undefined {
  if (zone === 'Z') return 0;
  const h = Number(hours);
  const m = Number(minutes ?? '0');
  if (h > 23 || m > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (h * 60 + m) * 60_000;
}

/**
 * Epoch milliseconds of a full date and time with `Z` or an offset (seconds and a fraction
 * optional), or with `dateOnly` also of a bare date (midnight UTC, as Date.parse reads it);
 * undefined for anything else, including a date the calendar does not have.
 */
export function parseIsoTime(text: string, options: { dateOnly?: boolean } = {}): number | undefined {
  const date = DATE_ONLY.exec(text);
  if (date) {
    if (!options.dateOnly) return undefined;
    return utcMs({
      year: Number(date[1]),
      month: Number(date[2]),
      day: Number(date[3]),
      hour: 0,
      minute: 0,
      second: 0,
      ms: 0,
    });
  }
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone, sign, zoneHours, zoneMinutes] = m;
  const local = utcMs({
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second ?? '0'),
    ms: Number((fraction ?? '').slice(0, 3).padEnd(3, '0')),
  });
  const offset = offsetMs(zone as string, sign, zoneHours, zoneMinutes);
  return local === undefined || offset === undefined ? undefined : local - offset;
}
