import type { Notice } from "../notify/notice.js";
import type { NoticeSubject } from "../notify/subject.js";
import { distinctLogins } from "../notify/subject.js";
import type { IssueSnapshot } from "../snapshots.js";
import type { ApprovalsConfig } from "./config.js";
import type { CloseDecision } from "./gate.js";
import { closeRecorded, closeToJudge } from "./gate.js";
import type { Verdict } from "./judge.js";
import { findField, namedLogin, readApprovalSection } from "./section.js";

/**
 * The approvers who must still act on a post-mortem: for each required role its verdict finds
 * missing, the person section 9 names for it, else the role's listed users (never a team). None
 * known: the post-mortem's assignees.
 */
export function missingApprovers(
  postmortem: Pick<IssueSnapshot, "body" | "assignees">,
  verdict: Pick<Verdict, "missing">,
  approvals: ApprovalsConfig,
): string[] {
  const section = readApprovalSection(postmortem.body);
  const people = approvals.required.flatMap((key) => {
    const role = approvals.roles[key];
    if (!role || !verdict.missing.includes(role.field)) return [];
    const named = namedLogin(findField(section, role.field)?.value ?? "");
    return named === undefined ? role.users : [named];
  });
  return distinctLogins(people.length > 0 ? people : postmortem.assignees);
}

/** What one judging of a close found, as the enforcing run saw it on its first judging round. */
export interface JudgedClose {
  /** The post-mortem as that round read it. */
  issue: IssueSnapshot;
  decision: CloseDecision;
  verdict: Verdict;
  /** `approvals` with the fields the post-mortem's severity policy requires. */
  approvals: ApprovalsConfig;
  /** The delivery was the close itself (not an `/approve`, an edit, a sweep). */
  closeEvent: boolean;
}

/**
 * The notices of a close the enforcing run judged, once per occurrence:
 * - `close-blocked`: the close is refused, so this run reopens it. Keyed by that close's moment
 *   (GitHub's `closed_at`): a redelivery finds the post-mortem open again and produces nothing;
 *   two runs at once produce the same key, which the notifier claims once.
 * - `approved`: the close stands with complete approvals, judged for the first time: under
 *   `"gate":2` the run that records the close in the marker (a later run finds it recorded);
 *   an older post-mortem, the close's own delivery.
 */
export function closeNotices(judged: JudgedClose, subject: NoticeSubject): Notice[] {
  const { issue, decision, verdict } = judged;
  if (issue.state !== "closed" || !issue.closedAt) return [];
  if (decision === "blocked") {
    const missing = verdict.missing.map((field) => `“${field}”`).join(", ");
    return [
      {
        ...subject,
        event: "close-blocked",
        key: `close-blocked:#${issue.number}:${issue.closedAt}`,
        issueNumber: issue.number,
        people: missingApprovers(issue, verdict, judged.approvals),
        detail: `reopened, approvals missing: ${missing}`,
      },
    ];
  }
  if (decision === "accepted") {
    const first = closeToJudge(issue) ? !closeRecorded(issue) : judged.closeEvent;
    if (!first) return [];
    const by = verdict.approvals.map((approval) => `@${approval.login}`).join(", ");
    return [
      {
        ...subject,
        event: "approved",
        key: `approved:#${issue.number}`,
        issueNumber: issue.number,
        people: distinctLogins(issue.assignees),
        detail: by ? `closed with complete approvals (${by})` : "closed with complete approvals",
      },
    ];
  }
  return [];
}
