import { dueLineOf, ownerLineOf } from "../capa/plan.js";
import { parseIsoDate } from "../capa/items.js";
import type { Config } from "../config.js";
import { inlineText } from "../markdown-text.js";
import type { Plan } from "../plan.js";
import type { CommentSnapshot, IssueSnapshot } from "../snapshots.js";
import { DEFAULT_OVERDUE_MESSAGE } from "./config.js";

import { DAY_MS, planReminder, reminderText as renderReminder } from "./reminder.js";
import type { Writers } from "../trust/writers.js";

/** An open CAPA child whose `Due:` date has passed, as the reminder sweep sees it. */
export interface OverdueChild {
  child: IssueSnapshot;
  /** The post-mortem it belongs to. */
  postmortem: number;
  due: string;
  /** Whole days past the due date. */
  daysOverdue: number;
  /**
   * For a child closed as completed without the evidence its severity's `capaEvidence` asks for
   * (it still counts as open): what is missing. Undefined for an open child.
   */
  missing?: "merged" | "shipped";
}

/** What keeps a child open, in words: for the release gate and the reminders. */
export function missingText(missing: OverdueChild["missing"], environment?: string): string {
  if (missing === undefined) return "open";
  if (missing === "merged") return "closed without a merged fix";
  return `merged, not yet shipped to ${environment === undefined ? "the configured environment" : inlineText(environment, 100)}`;
}

/** The child's due date if it is open and past due on `today` (YYYY-MM-DD, configured zone). */
export function overdueChild(
  child: IssueSnapshot,
  postmortem: number,
  today: string,
): OverdueChild | undefined {
  if (child.state !== "open") return undefined;
  return pastDue(child, postmortem, today);
}

/** The child's due date if it is past on `today`, whatever the child's state. */
export function pastDue(
  child: IssueSnapshot,
  postmortem: number,
  today: string,
): OverdueChild | undefined {
  const due = parseIsoDate(dueLineOf(child.body) ?? "");
  // Dates compare as text; a `Due:` line moved to the future ends the reminders.
  if (due === undefined || due >= today) return undefined;
  const daysOverdue = Math.round((Date.parse(today) - Date.parse(due)) / DAY_MS);
  return { child, postmortem, due, daysOverdue };
}

export interface ReminderInput {
  overdue: OverdueChild;
  /** The child's comments, read right before planning. */
  comments: readonly CommentSnapshot[];
  config: Config;
  now: Date;
  /** Whose issues and comments count as the product's (src/core/trust/writers.ts). */
  writers: Writers;
}

/** The reminder an overdue child needs now, if any (see `planReminder`). */
export function planOverdueReminder({
  overdue,
  comments,
  config,
  now,
  writers,
}: ReminderInput): Plan {
  return planReminder({
    writers,
    kind: "overdue",
    issueNumber: overdue.child.number,
    comments,
    config,
    now,
    text: () => reminderText(overdue, config),
  });
}

function reminderText(overdue: OverdueChild, config: Config): string {
  const context = {
    owners: ownersOf(overdue.child) || "Owner",
    due: overdue.due,
    daysOverdue: overdue.daysOverdue,
    oneDay: overdue.daysOverdue === 1,
    postmortem: overdue.postmortem,
    title: inlineText(overdue.child.title),
    issue: overdue.child.number,
    missing:
      overdue.missing === undefined
        ? ""
        : missingText(overdue.missing, config.evidence.environment),
  };
  return renderReminder(config.reminders.messages.overdue, DEFAULT_OVERDUE_MESSAGE, context);
}

/**
 * The people to mention: the child's assignees, else the people its Owner line names. Never a
 * team, and never someone the App wrote inert there (`` `@outsider` ``: not a collaborator).
 */
function ownersOf(child: IssueSnapshot): string {
  return ownerLogins(child)
    .map((login) => `@${login}`)
    .join(", ");
}

/** The logins (without `@`) a child's reminder mentions: see `ownersOf`. */
export function ownerLogins(child: IssueSnapshot): string[] {
  if (child.assignees.length > 0) return child.assignees;
  const line = ownerLineOf(child.body) ?? "";
  const people = line.match(/(?<!`)@[a-z\d](?:[a-z\d-]*[a-z\d])?(?![\w/-])/gi) ?? [];
  return people.map((mention) => mention.slice(1));
}
