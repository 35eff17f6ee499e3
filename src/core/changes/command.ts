import { CHANGES_COMMAND } from "../constants.js";
import { parseDuration } from "../duration.js";
import { parseDateTime } from "../timeline/datetime.js";

/**
 * `/changes` or `/changes <since>`, alone on a comment's first line, on a post-mortem: recompute
 * the **Changes before the incident** block. `since` is a duration before Start (`48h`, `3d`) or
 * a date or date-time (`2026-11-25`, `2026-11-25 18:00`, `2026-11-25T18:00Z`), in the configured
 * zone unless it names one.
 */
const COMMAND = CHANGES_COMMAND;

export const CHANGES_SYNTAX =
  "`/changes`, `/changes 48h` (a duration before Start) or `/changes 2026-11-25 18:00` (a date or date-time)";

/** What a `/changes` comment asks: the window's start, as a duration or an instant. */
export type ChangesRequest =
  { kind: "default" } | { kind: "duration"; ms: number } | { kind: "since"; at: string };

export function isChangesCommand(commentBody: string | null | undefined): boolean {
  return COMMAND.test(firstLine(commentBody));
}

/** Undefined: no `/changes` command; `"malformed"`: one whose `since` reads as neither. */
export function readChangesCommand(
  commentBody: string | null | undefined,
  zone: string,
): ChangesRequest | "malformed" | undefined {
  const line = firstLine(commentBody);
  if (!COMMAND.test(line)) return undefined;
  const argument = line.slice("/changes".length).trim();
  if (argument === "") return { kind: "default" };
  if (/^\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)$/i.test(argument)) {
    const ms = parseDuration(argument);
    return ms !== undefined && ms > 0 ? { kind: "duration", ms } : "malformed";
  }
  const at = readInstant(argument, zone);
  return at === undefined ? "malformed" : { kind: "since", at };
}

function readInstant(text: string, zone: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return parseDateTime(`${text} 00:00`, zone);
  const utc = /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2}(?::\d{2})?)(?:\.\d+)?Z$/i.exec(text);
  if (utc) return parseDateTime(`${utc[1]} ${utc[2]} UTC`, zone);
  return parseDateTime(text, zone);
}

function firstLine(body: string | null | undefined): string {
  return ((body ?? "").trimStart().split("\n", 1)[0] ?? "").trimEnd();
}
