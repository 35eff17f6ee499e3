import { readPostmortemBody } from "../capa/items.js";
import { findMarker } from "../markers.js";
import { incidentSeverity } from "../severity.js";
import { severityPolicy } from "../policy/resolve.js";
import type { Config } from "../config.js";
import type { Plan } from "../plan.js";
import type { CommentSnapshot, IssueSnapshot } from "../snapshots.js";
import { formatDate } from "../time.js";
import { DEFAULT_REVIEW_MESSAGE } from "./config.js";
import { DAY_MS, planReminder, reminderText } from "./reminder.js";
import type { Writers } from "../trust/writers.js";

/** When an open post-mortem's review is due: the severity's `reviewAfterDays` after its incident closed. */
export function reviewDeadline(
  postmortem: IssueSnapshot,
  incident: IssueSnapshot | undefined,
  config: Config,
): Date | undefined {
  if (postmortem.state !== "open" || incident?.state !== "closed" || !incident.closedAt) {
    return undefined;
  }
  const severity = incidentSeverity(
    {
      checked: readPostmortemBody(postmortem.body).checkedSeverity,
      labels: incident.labels,
      answered: findMarker(postmortem.body, "postmortem")?.severity,
    },
    config,
  );
  const days = severityPolicy(config, severity).reviewAfterDays;
  if (days === 0) return undefined; // 0: never
  return new Date(Date.parse(incident.closedAt) + days * DAY_MS);
}

export interface ReviewReminderInput {
  postmortem: IssueSnapshot;
  incident: IssueSnapshot;
  /** Names of the required fields of section 9 still missing or invalid (the gate's verdict). */
  missing: readonly string[];
  comments: readonly CommentSnapshot[];
  config: Config;
  now: Date;
  /** Whose issues and comments count as the product's (src/core/trust/writers.ts). */
  writers: Writers;
}

/**
 * A reminder on a post-mortem whose review is late: it mentions the post-mortem's assignees (else
 * the incident's) and the people listed for the roles still missing (never a team), and names the
 * missing fields. At most one per `reminders.every` days.
 */
export function planReviewReminder(input: ReviewReminderInput): Plan {
  const { postmortem, incident, missing, config } = input;
  if (missing.length === 0) return [];
  const owners = postmortem.assignees.length > 0 ? postmortem.assignees : incident.assignees;
  const approvers = Object.values(config.approvals.roles)
    .filter((role) => missing.includes(role.field))
    .flatMap((role) => role.users);
  const people = [...new Set([...owners, ...approvers].map((login) => login.toLowerCase()))];
  const context = {
    people: people.map((login) => `@${login}`).join(", ") || "Reviewers",
    closed: formatDate(incident.closedAt ?? input.now.toISOString(), config.timezone),
    missing: missing.map((field) => `“${field}”`).join(", "),
    postmortem: postmortem.number,
  };
  return planReminder({
    kind: "review",
    issueNumber: postmortem.number,
    comments: input.comments,
    writers: input.writers,
    config,
    now: input.now,
    text: () => reminderText(config.reminders.messages.review, DEFAULT_REVIEW_MESSAGE, context),
  });
}
