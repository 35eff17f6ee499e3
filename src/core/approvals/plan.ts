import type { Step } from "../plan.js";

/**
 * The GitHub changes the approval gate plans: the incident planner's steps it shares, plus a body
 * rewrite and a reopen (deleteComment removes a copy of its own comment that a racing run
 * left). Like those, each is safe to apply again: planners decide from fresh state.
 */
export type ApprovalStep =
  | Extract<Step, { kind: "createComment" | "updateComment" | "deleteComment" | "addReaction" }>
  | { kind: "setIssueBody"; issueNumber: number; body: string }
  | { kind: "reopenIssue"; issueNumber: number };

export type ApprovalPlan = ApprovalStep[];
