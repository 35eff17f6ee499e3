import { parseIsoDate } from "../capa/items.js";
import { addDays, todayIn } from "../time.js";

/** The calendar days a report covers, both included, as `YYYY-MM-DD` in the configured time zone. */
export interface Period {
  since: string;
  until: string;
  timezone: string;
}

export type PeriodChoice = { ok: true; period: Period } | { ok: false; problem: string };

/**
 * The period asked for; by default the last three full calendar months before `now` in the
 * configured time zone (on 2026-11-29 that is 2026-08-01 – 2026-10-31). A `since` alone runs to
 * yesterday; an `until` alone starts three months before its month.
 */
export function choosePeriod(
  wanted: { since?: string; until?: string },
  now: Date,
  timezone: string,
  /** How the user wrote them: the CLI's flags, or the Action's inputs. */
  names: { since: string; until: string } = { since: "--since", until: "--until" },
): PeriodChoice {
  for (const key of ["since", "until"] as const) {
    const value = wanted[key];
    if (value !== undefined && parseIsoDate(value) === undefined) {
      return { ok: false, problem: `${names[key]} is "${value}": write a day as YYYY-MM-DD` };
    }
  }
  const today = todayIn(now, timezone);
  const firstOfThisMonth = `${today.slice(0, 7)}-01`;
  const until = wanted.until ?? (wanted.since ? addDays(today, -1) : addDays(firstOfThisMonth, -1));
  const since = wanted.since ?? `${addMonths(until.slice(0, 7), -2)}-01`;
  if (since > until) {
    return { ok: false, problem: `the period is empty: ${since} is after ${until}` };
  }
  return { ok: true, period: { since, until, timezone } };
}

/** Whether an instant falls on one of the period's days (in its time zone). */
export function inPeriod(iso: string | null | undefined, period: Period, dayOf: DayOf): boolean {
  if (!iso) return false;
  const day = dayOf(iso);
  return day >= period.since && day <= period.until;
}

export type DayOf = (iso: string) => string;

/** The months (`YYYY-MM`) the period touches, in order. */
export function monthsOf(period: Period): string[] {
  const months: string[] = [];
  for (let month = period.since.slice(0, 7); month <= period.until.slice(0, 7);) {
    months.push(month);
    month = addMonths(month, 1);
  }
  return months;
}

/**
 * The earliest instant that can fall on the period's first day in any time zone (zones reach 14 h
 * either side of UTC): listings use it as `since`, the days are then judged in the right zone.
 */
export function earliestInstant(period: Period): string {
  return `${addDays(period.since, -1)}T00:00:00Z`;
}

function addMonths(month: string, count: number): string {
  const [year, index] = [Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1 + count];
  const date = new Date(Date.UTC(year, index, 1));
  return date.toISOString().slice(0, 7);
}
