// --since / --until: an ISO 8601 date or time, or epoch seconds.
export function parseTime(value: string, flag: string): number {
  const text = value.trim();
  if (/^[0-9]{1,12}$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) {
    throw new RangeError(`${flag}: expected an ISO date (2018-12-18 or 2018-12-18T00:00:00Z) or epoch seconds, got ${JSON.stringify(value)}`);
  }
  return Math.floor(ms / 1000);
}
