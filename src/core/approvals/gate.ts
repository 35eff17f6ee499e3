import { findMarker, formatMarker, setMarker } from "../markers.js";
import { codeSpan } from "../markdown-text.js";
import { ownComments, upsertOwnComment } from "./own-comments.js";
import type { IssueSnapshot } from "../snapshots.js";
import type { ApprovalsConfig, Permission } from "./config.js";
import type { Verdict } from "./judge.js";
import type { ApprovalComment } from "./ledger.js";
import { approveCommandFor } from "./ledger.js";
import { permissionAtLeast } from "./people.js";
import type { ApprovalPlan } from "./plan.js";
import type { Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";

/** Who added the force-close label, read from the issue's events, and their permission now. */
export interface ForceCloseLabel {
  addedBy: string | undefined;
  permission: Permission;
}

export interface CloseGateInput {
  /** The post-mortem as it is now. */
  issue: IssueSnapshot;
  verdict: Verdict;
  comments: readonly ApprovalComment[];
  config: ApprovalsConfig;
  /** Present when the issue carries the force-close label. */
  forceClose: ForceCloseLabel | undefined;
  /** Whose comments count as the product's (src/core/trust/writers.ts). */
  writers: Writers;
}

export type CloseDecision =
  /** Approvals complete: the close stands. */
  | "accepted"
  /** Incomplete, but a maintainer's force-close label lets it stand. */
  | "forced"
  /** Incomplete: reopened. */
  | "blocked"
  /** Closed by the App itself as a duplicate post-mortem: not a close the gate judges. */
  | "duplicate"
  /** Complete, but open again by now: nothing stands to be judged (nor reopened). */
  | "reopened";

export interface CloseGatePlan {
  decision: CloseDecision;
  steps: ApprovalPlan;
}

/**
 * A post-mortem was closed. GitHub cannot refuse a close, so an incomplete one is reopened and
 * one gate comment (found by its marker, updated in place) says what is missing. Judged from the
 * state now, not from the event: a late or repeated run of an old close never reopens a post-
 * mortem that has since been closed with complete approvals, and runs of the same close agree.
 */
export function planCloseGate(input: CloseGateInput): CloseGatePlan {
  const { issue, verdict, config, forceClose } = input;
  if (isAppDuplicate(issue, input.comments, input.writers)) {
    return { decision: "duplicate", steps: recordClose(issue) };
  }
  const existing = gateComments(input.comments, issue.number, input.writers);
  if (verdict.approved) {
    // Reopened since (a person, or this close's event arrived late): the close no longer stands,
    // so nothing may say it does; the next close is judged on its own.
    if (issue.state === "open") return { decision: "reopened", steps: [] };
    // An earlier block comment would now mislead: say the close stands.
    const steps =
      existing.length === 0
        ? []
        : upsertOwnComment(
            existing,
            issue.number,
            gateCommentBody(issue.number, "accepted", verdict, config, forceClose),
            { update: true },
          );
    return { decision: "accepted", steps: [...steps, ...recordClose(issue)] };
  }
  const forced =
    forceClose?.addedBy !== undefined &&
    permissionAtLeast(forceClose.permission, config.forceClosePermission);
  const decision: CloseDecision = forced ? "forced" : "blocked";
  const steps = upsertOwnComment(
    existing,
    issue.number,
    gateCommentBody(issue.number, decision, verdict, config, forceClose),
    { update: true },
  );
  if (decision === "blocked" && issue.state === "closed") {
    steps.push({ kind: "reopenIssue", issueNumber: issue.number });
  }
  if (decision === "forced") steps.push(...recordClose(issue));
  return { decision, steps };
}

/**
 * Whether a run that is not the close's own must judge a post-mortem's close: it is closed, and
 * was opened by a version whose every enforcing run judges closes (its marker says so). So a
 * close whose own run was cancelled or failed is judged by the next run on the post-mortem (an
 * `/approve`, an edit), and post-mortems from before keep their meaning.
 */
export function closeToJudge(issue: IssueSnapshot): boolean {
  return issue.state === "closed" && findMarker(issue.body, "postmortem")?.gate === 2;
}

/** Whether the gate's judgement lets a close stand (the release gate counts only the others). */
export function closeStands(decision: CloseDecision): boolean {
  return decision === "accepted" || decision === "forced" || decision === "duplicate";
}

/**
 * Whether the post-mortem's marker records its present close as one the gate let stand: the
 * release gate then need not judge it again (the close's moment changes with every close).
 */
export function closeRecorded(issue: IssueSnapshot): boolean {
  const recorded = findMarker(issue.body, "postmortem")?.closed;
  return issue.state === "closed" && recorded !== undefined && recorded === issue.closedAt;
}

/**
 * The close of a `"gate":2` post-mortem that stands, recorded in its marker (one body write per
 * close), so that the release gate can tell it from a close nobody judged without judging it.
 */
function recordClose(issue: IssueSnapshot): ApprovalPlan {
  if (!closeToJudge(issue) || !issue.closedAt || closeRecorded(issue)) return [];
  const marker = findMarker(issue.body, "postmortem")!;
  return [
    {
      kind: "setIssueBody",
      issueNumber: issue.number,
      body: setMarker(issue.body, "postmortem", { ...marker, closed: issue.closedAt }),
    },
  ];
}

function isAppDuplicate(
  issue: IssueSnapshot,
  comments: readonly ApprovalComment[],
  writers: Writers,
): boolean {
  return (
    issue.stateReason === "duplicate" &&
    comments.some(
      (comment) =>
        wroteIt(comment.author, "flows", writers) && findMarker(comment.body, "duplicate"),
    )
  );
}

/** The gate's own comments on a post-mortem, oldest (the one kept) first. */
export function gateComments(
  comments: readonly ApprovalComment[],
  issueNumber: number,
  writers: Writers,
): ApprovalComment[] {
  return ownComments(comments, "gate", (data) => data.issue === issueNumber, writers);
}

export function gateCommentBody(
  issueNumber: number,
  decision: "accepted" | "forced" | "blocked",
  verdict: Verdict,
  config: ApprovalsConfig,
  forceClose: ForceCloseLabel | undefined,
): string {
  const marker = formatMarker("gate", { issue: issueNumber });
  if (decision === "accepted") {
    return `✅ **Approvals complete: this post-mortem is closed.**\n\n${approvalLines(verdict)}\n\n${marker}`;
  }
  const missing = verdict.findings
    .map((finding) => `- **${finding.field}:** ${finding.message}`)
    .join("\n");
  if (decision === "forced") {
    return `⚠️ **Closed without complete approvals.** @${forceClose!.addedBy} (${forceClose!.permission}) added the ${codeSpan(config.forceCloseLabel)} label, which lets the close stand. Still missing:\n\n${missing}\n\n${marker}`;
  }
  const ignored =
    forceClose === undefined
      ? ""
      : forceClose.addedBy === undefined
        ? `\n\nThe ${codeSpan(config.forceCloseLabel)} label was ignored: no record of who added it.`
        : `\n\nThe ${codeSpan(config.forceCloseLabel)} label was ignored: @${forceClose.addedBy} added it with ${forceClose.permission} permission; it counts only when added by someone with ${config.forceClosePermission} permission or more.`;
  const commands = Object.entries(config.roles)
    .filter(([key]) => config.required.includes(key))
    .map(([key]) => `\`${approveCommandFor(key, config)}\``)
    .join(" or ");
  return `🚫 **This post-mortem was reopened: its approvals are not complete.** Section 9 (Approvals & Final Notes) needs:\n\n${missing}${ignored}\n\nApprovers comment ${commands || "`/approve`"} on this issue; only their own comment counts, not a name typed into the text. Then close it again.\n\n${marker}`;
}

function approvalLines(verdict: Verdict): string {
  if (verdict.approvals.length === 0) return "No approver roles are required.";
  return verdict.approvals
    .map(
      (approval) =>
        `- **${approval.field}:** @${approval.login}${approval.date ? ` on ${approval.date}` : ""}`,
    )
    .join("\n");
}

/** The job summary: the checklist of required fields, who approved when, and the outcome. */
export function approvalSummary(
  issue: Pick<IssueSnapshot, "number" | "title">,
  verdict: Verdict,
  headline: string,
  fieldNames: readonly string[],
): string {
  const failed = new Map(verdict.findings.map((finding) => [finding.field, finding.message]));
  const checklist = fieldNames
    .map((name) => {
      const approval = verdict.approvals.find((candidate) => candidate.field === name);
      const problem = failed.get(name);
      if (problem) return `- [ ] **${name}:** ${problem}`;
      return `- [x] **${name}**${approval ? `: @${approval.login}${approval.date ? ` on ${approval.date}` : ""}` : ""}`;
    })
    .join("\n");
  const sectionProblems = verdict.findings
    .filter((finding) => !fieldNames.includes(finding.field))
    .map((finding) => `- ${finding.message}`)
    .join("\n");
  return `## Post-mortem #${issue.number}: approvals\n\n${headline}\n\n${sectionProblems ? `${sectionProblems}\n\n` : ""}${checklist}\n`;
}
