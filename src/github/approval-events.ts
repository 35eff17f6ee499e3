import { parseApprovalCommand } from "../core/approvals/ledger.js";
import { APPROVAL_COMMENT_ACTIONS, APPROVAL_ISSUE_ACTIONS } from "../core/constants.js";
import type { ApprovalEvent } from "../core/approvals/events.js";
import type { WebhookPayload } from "./webhook-events.js";
import type { ApiAccount } from "./snapshots.js";
import { accountFromApi, issueFromApi } from "./snapshots.js";

/**
 * Turns a delivery (or an Actions event) into an approval event, or undefined when it cannot
 * matter. Runs before any GitHub request, so pull-request comments and other events cost nothing.
 */
export function readApprovalEvent(
  name: string,
  payload: WebhookPayload & { comment?: { user: ApiAccount | null } },
): ApprovalEvent | undefined {
  const issuePayload = payload.issue;
  if (!issuePayload || !payload.sender || !payload.action) return undefined;
  const issue = issueFromApi(issuePayload);
  if (issue.isPullRequest) return undefined;
  if (name === "issues") {
    if (payload.action === "closed") {
      return { kind: "closed", issue, sender: accountFromApi(payload.sender) };
    }
    return APPROVAL_ISSUE_ACTIONS.includes(payload.action)
      ? { kind: "other", issue, action: payload.action }
      : undefined;
  }
  if (name === "issue_comment" && APPROVAL_COMMENT_ACTIONS.includes(payload.action)) {
    const comment = payload.comment;
    if (payload.action === "created" && comment && parseApprovalCommand(comment.body)) {
      const author = accountFromApi(comment.user ?? payload.sender);
      // The gate's own replies never carry commands; a bot's command is not an approval.
      if (author.type === "Bot") return undefined;
      return { kind: "command", issue, commentId: comment.id, sender: author };
    }
    return { kind: "other", issue, action: `comment ${payload.action}` };
  }
  return undefined;
}
