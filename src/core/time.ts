/** `YYYY-MM-DD HH:MM <zone>` in the configured IANA time zone, e.g. `2026-11-27 13:05 UTC`. */
export function formatDateTime(iso: string, timeZone: string): string {
  const parts = partsOf(iso, timeZone);
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${timeZone}`;
}

/** `YYYY-MM-DD` in the configured time zone. */
export function formatDate(iso: string, timeZone: string): string {
  const parts = partsOf(iso, timeZone);
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** One formatter per zone: making one costs far more than using it (the report formats thousands). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function partsOf(iso: string, timeZone: string): Record<string, string> {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(new Date(iso))) parts[part.type] = part.value;
  return parts;
}

/** The calendar day it is at `now` in the configured time zone (never the machine's zone). */
export function todayIn(now: Date, timeZone: string): string {
  return formatDate(now.toISOString(), timeZone);
}

/**
 * A calendar day plus whole days, as `YYYY-MM-DD`. Days are counted on the calendar, so month ends,
 * leap days and daylight-saving changes need no special case.
 */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
