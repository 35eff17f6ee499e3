import type { ApprovalsConfig } from "../approvals/config.js";
import { missingApprovers } from "../approvals/notices.js";
import type { Config } from "../config.js";
import { findMarker } from "../markers.js";
import type { Notice } from "../notify/notice.js";
import type { NoticeSubject } from "../notify/subject.js";
import { distinctLogins } from "../notify/subject.js";
import type { CommentSnapshot, IssueSnapshot } from "../snapshots.js";
import { formatDate } from "../time.js";
import type { Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";
import type { OverdueChild } from "./overdue.js";
import { missingText, ownerLogins } from "./overdue.js";

/** The moments (ms) of the product's reminders of a kind among an issue's comments. */
function reminderMoments(
  comments: readonly CommentSnapshot[],
  kind: "overdue" | "review",
  writers: Writers,
): number[] {
  return comments
    .filter((comment) => wroteIt(comment.author, "runs", writers))
    .map((comment) => findMarker(comment.body, "reminder"))
    .filter((marker) => marker?.kind === kind)
    .map((marker) => Date.parse(marker!.at));
}

export interface OverdueNoticeInput {
  overdue: OverdueChild;
  /** The child's comments as the sweep read them BEFORE its reminder (its first read). */
  before: readonly CommentSnapshot[];
  /** How many reminders the sweep wrote on the child just now. */
  reminded: number;
  /** The child's post-mortem as a notice names it (severity, privacy). */
  subject: NoticeSubject;
  url: (issueNumber: number) => string;
  config: Pick<Config, "timezone" | "evidence">;
  writers: Writers;
}

/**
 * `capa-overdue`, once per due date, not per reminder: with the first reminder the sweep writes
 * after that date (no reminder of the product's is dated after the due day). A `Due:` line moved
 * later gives a new date, a new key and, once past, a new notice (a date moved to a day before
 * the last reminder counts as reminded: no notice). Claimed on the child.
 */
export function overdueNotice(input: OverdueNoticeInput): Notice | undefined {
  const { overdue, config } = input;
  if (!firstOverdueReminder(input)) return undefined;
  const days = `${overdue.daysOverdue} ${overdue.daysOverdue === 1 ? "day" : "days"}`;
  const state =
    overdue.missing === undefined
      ? ""
      : `, ${missingText(overdue.missing, config.evidence.environment)}`;
  const child = overdue.child;
  return {
    ...input.subject,
    event: "capa-overdue",
    key: `capa-overdue:#${child.number}:${overdue.due}`,
    issueNumber: child.number,
    // The corrective action itself: its title and link (a private post-mortem's names neither
    // title, as the subject's flag says).
    title: input.subject.private ? "" : child.title,
    url: input.url(child.number),
    people: distinctLogins(ownerLogins(child)),
    detail: `corrective action #${child.number} of post-mortem #${overdue.postmortem} was due on ${overdue.due} (${days} overdue${state})`,
  };
}

/**
 * Whether the sweep just wrote the first reminder of the child's due date: it wrote one, and none
 * of the product's earlier ones is dated (in the configured zone) after that date.
 */
export function firstOverdueReminder(
  input: Pick<OverdueNoticeInput, "overdue" | "before" | "reminded" | "writers"> & {
    config: Pick<Config, "timezone">;
  },
): boolean {
  if (input.reminded === 0) return false;
  return !reminderMoments(input.before, "overdue", input.writers).some(
    (at) => formatDate(new Date(at).toISOString(), input.config.timezone) > input.overdue.due,
  );
}

export interface ReviewNoticeInput {
  postmortem: IssueSnapshot;
  incident: IssueSnapshot;
  /** When the review became late (`reviewDeadline`). */
  deadline: Date;
  /** Names of the required fields still missing (the gate's verdict). */
  missing: readonly string[];
  approvals: ApprovalsConfig;
  /** The post-mortem's comments as the sweep read them BEFORE its reminder. */
  before: readonly CommentSnapshot[];
  reminded: number;
  subject: NoticeSubject;
  config: Pick<Config, "timezone">;
  writers: Writers;
}

/**
 * `review-late`, once per close of the incident: with the first review reminder the sweep writes
 * after the deadline (none of the product's is dated at or after it). The incident closed again
 * later gives a new key. The people are the approvers still missing, else the post-mortem's
 * assignees, else the incident's.
 */
export function reviewNotice(input: ReviewNoticeInput): Notice | undefined {
  const { postmortem, incident } = input;
  if (input.reminded === 0 || !incident.closedAt) return undefined;
  const remindedSinceLate = reminderMoments(input.before, "review", input.writers).some(
    (at) => at >= input.deadline.getTime(),
  );
  if (remindedSinceLate) return undefined;
  const owners = postmortem.assignees.length > 0 ? postmortem.assignees : incident.assignees;
  const people = missingApprovers(
    { body: postmortem.body, assignees: owners },
    { missing: [...input.missing] },
    input.approvals,
  );
  return {
    ...input.subject,
    event: "review-late",
    key: `review-late:#${postmortem.number}:${incident.closedAt}`,
    issueNumber: postmortem.number,
    people,
    detail: `review late: the incident closed on ${formatDate(incident.closedAt, input.config.timezone)}; missing: ${input.missing.map((field) => `“${field}”`).join(", ")}`,
  };
}
