/**
 * Date-times as people write them in a post-mortem (`2026-11-27 13:05`, `2026-11-27 13:05 UTC`,
 * `2026-11-27 13:05 Europe/Berlin`, `2026-11-27 13:05 +02:00`), read as instants. A time without
 * a zone is in the configured zone. Nothing here reads the machine's clock or zone.
 */

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*(?:\((.+)\)|(.+)))?$/;
const OFFSET = /^(?:(?:UTC|GMT)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/** The instant (ISO, UTC) a written date-time stands for, or undefined if it is not one. */
export function parseDateTime(text: string, defaultZone: string): string | undefined {
  const match = DATE_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, zoneInParens, zoneText] = match;
  const zone = (zoneInParens ?? zoneText)?.trim();
  return zonedInstant(
    {
      year: +year!,
      month: +month!,
      day: +day!,
      hour: +hour!,
      minute: +minute!,
      second: +(second ?? 0),
    },
    zone === undefined || zone === "" ? defaultZone : zone,
  );
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

/**
 * The instant of a wall-clock time in a zone: an IANA name, `UTC`/`GMT`/`Z`, or an offset
 * (`+02:00`, `-0330`, `UTC+5`). Undefined for an impossible time or an unknown zone. A time that
 * a daylight-saving change skips is read with the offset before the change.
 */
export function zonedInstant(wall: WallTime, zone: string): string | undefined {
  const { year, month, day, hour, minute } = wall;
  const second = wall.second ?? 0;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 2026-02-30 over into March: an impossible day.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  const offset = fixedOffset(zone);
  if (offset !== undefined) return new Date(utc - offset).toISOString();
  if (!isZone(zone)) return undefined;
  let instant = utc - offsetAt(utc, zone);
  instant = utc - offsetAt(instant, zone);
  return new Date(instant).toISOString();
}

/** A fixed offset in milliseconds for `UTC`, `Z`, `+02:00`, `UTC-3`…; undefined for a zone name. */
function fixedOffset(zone: string): number | undefined {
  if (/^(?:Z|UTC|GMT)$/i.test(zone)) return 0;
  const match = OFFSET.exec(zone);
  if (!match) return undefined;
  const hours = +match[2]!;
  const minutes = +(match[3] ?? 0);
  if (hours > 14 || minutes > 59) return undefined;
  return (match[1] === "-" ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** How far the zone's wall clock is ahead of UTC at an instant, in milliseconds. */
function offsetAt(instant: number, zone: string): number {
  const parts: Record<string, string> = {};
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  for (const part of format.formatToParts(new Date(instant))) parts[part.type] = part.value;
  const wall = Date.UTC(
    +parts.year!,
    +parts.month! - 1,
    +parts.day!,
    +parts.hour!,
    +parts.minute!,
    +parts.second!,
  );
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * A duration as `2 h 35 min`, `35 min`, `1 d 2 h 5 min` or `2 h`: whole days, hours and minutes,
 * each only when not zero (`0 min` when all are). Undefined for a negative span.
 */
export function formatSpan(fromIso: string, toIso: string): string | undefined {
  const minutes = Math.floor((Date.parse(toIso) - Date.parse(fromIso)) / 60_000);
  if (!Number.isFinite(minutes) || minutes < 0) return undefined;
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts = [
    days > 0 ? `${days} d` : "",
    hours > 0 ? `${hours} h` : "",
    rest > 0 ? `${rest} min` : "",
  ].filter((part) => part !== "");
  return parts.length > 0 ? parts.join(" ") : "0 min";
}
