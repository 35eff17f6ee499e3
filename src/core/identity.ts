import type { Config } from "./config.js";
import { sameLabel } from "./config.js";
import { findMarker } from "./markers.js";
import type { CommentSnapshot, IssueSnapshot } from "./snapshots.js";
import type { Writers } from "./trust/writers.js";
import { wroteIt } from "./trust/writers.js";

/*
 * What makes an issue an incident or a post-mortem, defined once for every flow and both front
 * doors. A marker in a body proves nothing on its own (whoever can edit the body can type it);
 * it counts when the product wrote the issue (its App's bot, or the Action where it runs the flows:
 * src/core/trust/writers.ts), or when the product's own comment says it adopted the issue.
 */

export function hasIncidentLabel(labels: readonly string[], config: Config): boolean {
  return labels.some((label) => config.incidentLabels.some((wanted) => sameLabel(label, wanted)));
}

export function hasPostmortemLabel(issue: IssueSnapshot, config: Config): boolean {
  return issue.labels.some((label) =>
    config.postmortemLabels.some((name) => sameLabel(label, name)),
  );
}

/** Whether the product wrote this issue (a post-mortem or CAPA child), whatever its body says. */
export function isProductIssue(issue: IssueSnapshot, writers: Writers): boolean {
  return wroteIt(issue.author, "flows", writers);
}

/** A post-mortem the product opened: it wrote the issue and its marker. */
export function isOpenedPostmortem(issue: IssueSnapshot, writers: Writers): boolean {
  return isProductIssue(issue, writers) && findMarker(issue.body, "postmortem") !== undefined;
}

/** Whether an issue a person wrote is a post-mortem the App adopted: its own comment says so. */
export function isAdopted(
  issue: IssueSnapshot,
  comments: readonly CommentSnapshot[],
  writers: Writers,
): boolean {
  return comments.some(
    (comment) =>
      wroteIt(comment.author, "flows", writers) &&
      findMarker(comment.body, "adopted")?.issue === issue.number,
  );
}

/** A post-mortem the App keeps in sync (CAPA children, reminders): opened or adopted by it. */
export function isTrackedPostmortem(
  issue: IssueSnapshot,
  comments: readonly CommentSnapshot[],
  writers: Writers,
): boolean {
  if (findMarker(issue.body, "postmortem") === undefined) return false;
  return isProductIssue(issue, writers) || isAdopted(issue, comments, writers);
}

/**
 * Whether an issue is a post-mortem for the gate and the report, and so never an incident even if
 * someone labels it so: it carries a post-mortem label, or the product opened it as one. Judged
 * from the issue alone (no comments), so a payload is enough.
 */
export function isPostmortem(issue: IssueSnapshot, config: Config, writers: Writers): boolean {
  return hasPostmortemLabel(issue, config) || isOpenedPostmortem(issue, writers);
}

/** Whether an issue is an incident under this configuration (and not a post-mortem). */
export function isIncident(issue: IssueSnapshot, config: Config, writers: Writers): boolean {
  return (
    !issue.isPullRequest &&
    hasIncidentLabel(issue.labels, config) &&
    !isPostmortem(issue, config, writers)
  );
}
