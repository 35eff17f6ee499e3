import type { Config } from "../config.js";
import { findMarker, formatMarker } from "../markers.js";
import type { Plan } from "../plan.js";
import type { CommentSnapshot } from "../snapshots.js";
import { renderTemplate } from "../template.js";
import type { Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";

export const DAY_MS = 86_400_000;

export interface ReminderRequest {
  kind: "overdue" | "review";
  /** Where the reminder goes: the overdue child, or the post-mortem under review. */
  issueNumber: number;
  /** That issue's comments, read right before planning. */
  comments: readonly CommentSnapshot[];
  config: Config;
  now: Date;
  /** Whose issues and comments count as the product's (src/core/trust/writers.ts). */
  writers: Writers;
  /** The reminder's text, rendered only when one is due. */
  text: () => string;
}

/**
 * At most one reminder of a kind per issue per `reminders.every` days. The last reminder is found
 * on GitHub (its hidden marker carries the moment), so reruns and a second sweep in the same
 * interval post nothing. GitHub has no conditional create: where two writers still raced, every
 * reminder after the first of an interval is deleted, so one stays.
 */
export function planReminder(request: ReminderRequest): Plan {
  const every = request.config.reminders.every * DAY_MS;
  const reminders = request.comments
    .filter((comment) => wroteIt(comment.author, "runs", request.writers))
    .map((comment) => ({ id: comment.id, marker: findMarker(comment.body, "reminder") }))
    .filter((entry) => entry.marker?.kind === request.kind)
    .map((entry) => ({ id: entry.id, at: Date.parse(entry.marker!.at) }))
    .sort((a, b) => a.id - b.id);

  const plan: Plan = [];
  let kept: { id: number; at: number } | undefined;
  for (const reminder of reminders) {
    if (kept && Math.abs(reminder.at - kept.at) < every) {
      plan.push({ kind: "deleteComment", commentId: reminder.id });
    } else {
      kept = reminder;
    }
  }
  // `kept` is the latest reminder that stays: the next one waits a full interval after it.
  if (kept && request.now.getTime() - kept.at < every) return plan;
  const marker = formatMarker("reminder", { kind: request.kind, at: request.now.toISOString() });
  return [
    ...plan,
    {
      kind: "createComment",
      issueNumber: request.issueNumber,
      body: `${request.text()}\n\n${marker}`,
    },
  ];
}

/**
 * A reminder's text from the repository's snippet. The configuration validated it, so the
 * built-in wording is only a fallback for a snippet that fails on real values.
 */
export function reminderText(source: string, fallback: string, context: object): string {
  const rendered = renderTemplate(source, context);
  if (rendered.ok) return rendered.text;
  const builtIn = renderTemplate(fallback, context);
  return builtIn.ok ? builtIn.text : fallback;
}
