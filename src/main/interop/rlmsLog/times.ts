// Times of the log: the library writes `datetime.now().isoformat()`, local time without a zone
// and with microseconds, which Date.parse reads differently across engines. Parsed by hand.

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Epoch milliseconds of a log timestamp, or null when it is not one. Without a zone it is read
 * as local time (`assumeUtc` reads it as UTC: the same file then gives the same figures anywhere).
 */
export function parseLogTimestamp(text: string | null, assumeUtc = false): number | null {
  if (text === null) return null;
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const millis = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  const zone = m[8];
  let ms: number;
  if (zone) {
    const offset = zone === 'Z' ? 0 : zoneMinutes(zone);
    ms = Date.UTC(year, month - 1, day, hour, minute, second) - offset * 60_000;
  } else if (assumeUtc) {
    ms = Date.UTC(year, month - 1, day, hour, minute, second);
  } else {
    ms = new Date(year, month - 1, day, hour, minute, second).getTime();
  }
  return Number.isFinite(ms) ? ms + millis : null;
}

function zoneMinutes(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

/** Seconds as the log gives them (`iteration_time`, `execution_time`) to milliseconds, or null. */
export function secondsToMs(seconds: number | null): number | null {
  return seconds !== null && seconds >= 0 ? seconds * 1000 : null;
}
