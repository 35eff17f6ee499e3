import { zonedInstant } from "./datetime.js";
import { formatDate } from "../time.js";

/**
 * `/timeline 13:20 Deployment 4411 started` or `/timeline 2026-11-20 13:20 Deployment 4411 started`:
 * the command alone on a comment's first line. A time without a date is on the incident's day
 * (the day it was opened), and every time is in the configured zone.
 */
const COMMAND = /^\/timeline(?:\s|$)/i;
const ARGUMENTS = /^(?:(\d{4})-(\d{2})-(\d{2})\s+)?(\d{1,2}):(\d{2})\s+(\S.*)$/;

export const TIMELINE_SYNTAX =
  "`/timeline HH:MM what happened` or `/timeline YYYY-MM-DD HH:MM what happened`";

export function isTimelineCommand(commentBody: string | null | undefined): boolean {
  return COMMAND.test(firstLine(commentBody));
}

/** What a `/timeline` comment says, before it is placed on a day: undefined when malformed. */
export interface TimelineRequest {
  date?: { year: number; month: number; day: number };
  hour: number;
  minute: number;
  /** The words as written (still to be made inert). */
  text: string;
}

/**
 * The request a comment makes: undefined when the comment is no `/timeline` command, `"malformed"`
 * when it is one without a time and words, or with an impossible date or time.
 */
export function readTimelineCommand(
  commentBody: string | null | undefined,
): TimelineRequest | "malformed" | undefined {
  const line = firstLine(commentBody);
  if (!COMMAND.test(line)) return undefined;
  const match = ARGUMENTS.exec(line.slice("/timeline".length).trim());
  if (!match) return "malformed";
  const [, year, month, day, hour, minute, text] = match;
  const request: TimelineRequest = {
    ...(year === undefined ? {} : { date: { year: +year, month: +month!, day: +day! } }),
    hour: +hour!,
    minute: +minute!,
    text: text!.trim(),
  };
  // Any day will do to check the time; the written date is checked as it is.
  const probe = request.date ?? { year: 2000, month: 1, day: 1 };
  return zonedInstant({ ...probe, hour: request.hour, minute: request.minute }, "UTC")
    ? request
    : "malformed";
}

/**
 * The instant a request stands for: its date (or the incident's day) and time in the configured
 * zone; undefined for an impossible date or time (`25:00`, `2026-02-30`).
 */
export function instantOf(
  request: TimelineRequest,
  incidentCreatedAt: string,
  zone: string,
): string | undefined {
  const [year, month, day] = formatDate(incidentCreatedAt, zone).split("-").map(Number);
  const date = request.date ?? { year: year!, month: month!, day: day! };
  return zonedInstant({ ...date, hour: request.hour, minute: request.minute }, zone);
}

function firstLine(body: string | null | undefined): string {
  return ((body ?? "").trimStart().split("\n", 1)[0] ?? "").trimEnd();
}
