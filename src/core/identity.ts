import type { Config } from "./config.js";
import { sameLabel } from "./config.js";
import { findMarker } from "./markers.js";
import type { CommentSnapshot, IssueSnapshot } from "./snapshots.js";

/*
 * What makes an issue an incident or a post-mortem, defined once for every flow and both front
 * doors. A marker in a body proves nothing on its own (whoever can edit the body can type it);
 * it counts when a bot wrote the issue, or when the App's own comment says it adopted the issue.
 */

export function hasIncidentLabel(labels: readonly string[], config: Config): boolean {
  return labels.some((label) => config.incidentLabels.some((wanted) => sameLabel(label, wanted)));
}

export function hasPostmortemLabel(issue: IssueSnapshot, config: Config): boolean {
  return issue.labels.some((label) =>
    config.postmortemLabels.some((name) => sameLabel(label, name)),
  );
}

/** A post-mortem a bot opened: it wrote the issue and its marker. */
export function isOpenedPostmortem(issue: IssueSnapshot): boolean {
  return issue.author.type === "Bot" && findMarker(issue.body, "postmortem") !== undefined;
}

/** Whether an issue a person wrote is a post-mortem the App adopted: its own comment says so. */
export function isAdopted(issue: IssueSnapshot, comments: readonly CommentSnapshot[]): boolean {
  return comments.some(
    (comment) =>
      comment.author.type === "Bot" && findMarker(comment.body, "adopted")?.issue === issue.number,
  );
}

/** A post-mortem the App keeps in sync (CAPA children, reminders): opened or adopted by it. */
export function isTrackedPostmortem(
  issue: IssueSnapshot,
  comments: readonly CommentSnapshot[],
): boolean {
  if (findMarker(issue.body, "postmortem") === undefined) return false;
  return issue.author.type === "Bot" || isAdopted(issue, comments);
}

/**
 * Whether an issue is a post-mortem for the gate and the report, and so never an incident even if
 * someone labels it so: it carries a post-mortem label, or a bot opened it as one. Judged from the
 * issue alone (no comments), so a payload is enough.
 */
export function isPostmortem(issue: IssueSnapshot, config: Config): boolean {
  return hasPostmortemLabel(issue, config) || isOpenedPostmortem(issue);
}

/** Whether an issue is an incident under this configuration (and not a post-mortem). */
export function isIncident(issue: IssueSnapshot, config: Config): boolean {
  return (
    !issue.isPullRequest && hasIncidentLabel(issue.labels, config) && !isPostmortem(issue, config)
  );
}
