import type { Edit, FieldLine } from "../document.js";
import { applyEdits, setFieldValue } from "../document.js";
import { findMarker, formatMarker } from "../markers.js";
import type { IssueSnapshot } from "../snapshots.js";
import type { ApprovalsConfig } from "./config.js";
import { PLAIN_FIELDS } from "./config.js";
import type { ApprovalComment, CommandOutcome, Ledger } from "./ledger.js";
import { parseApprovalCommand, replayApprovals } from "./ledger.js";
import type { People } from "./people.js";
import type { ApprovalPlan, ApprovalStep } from "./plan.js";
import { findField, isPlaceholder, namedLogin, readApprovalSection } from "./section.js";

export interface ApprovalCommandInput {
  /** The post-mortem as it is now. */
  issue: IssueSnapshot;
  /** The comment that carries the command. */
  commentId: number;
  /** Every comment on the post-mortem, fresh (the command's own included unless it was deleted). */
  comments: readonly ApprovalComment[];
  people: People;
  config: ApprovalsConfig;
  formatDay: (iso: string) => string;
}

export interface ApprovalCommandPlan {
  /** Body edits or a reply; the shell applies them and asks again until there are none. */
  steps: ApprovalPlan;
  /** Applied once `steps` is empty: the 👍 that confirms an accepted command. */
  acknowledge: ApprovalStep[];
  outcome: CommandOutcome | undefined;
}

/**
 * `/approve [alias]` and `/unapprove [alias]`: the ledger of command comments decides; the body's
 * Approved By fields are then made to show it (`@login (YYYY-MM-DD)`), and Date of Final Review is
 * filled when this was the last required approval. A refused command gets one reply, found again
 * by its marker, so a redelivery does not reply twice.
 */
export function planApprovalCommand(input: ApprovalCommandInput): ApprovalCommandPlan {
  const { issue, commentId, config } = input;
  const ledger = replayApprovals(input.comments, config, input.people);
  const outcome = ledger.outcomes.get(commentId);
  const command = input.comments.find((comment) => comment.id === commentId);
  if (!outcome || !command || outcome.kind === "edited") {
    return { steps: [], acknowledge: [], outcome };
  }
  const login = command.author.login;
  if (outcome.kind === "refused") {
    return {
      // The reply names the person: most reasons start with them already.
      steps: reply(
        input,
        `${outcome.reason.startsWith(`@${login} `) ? "" : `@${login}, `}${outcome.reason}. Nothing was written.`,
      ),
      acknowledge: [],
      outcome,
    };
  }

  const approvals = readApprovalSection(issue.body);
  const edits: Edit[] = [];
  const unwritable: string[] = [];
  for (const role of outcome.roles) {
    const name = config.roles[role]!.field;
    const field = findField(approvals, name);
    if (!field) {
      unwritable.push(name);
      continue;
    }
    const approval = ledger.approvals.get(role);
    if (outcome.kind === "approved" && approval) {
      const wanted = `@${approval.login} (${input.formatDay(approval.at)})`;
      if (field.value !== wanted) edits.push(setFieldValue(issue.body, field, wanted));
    } else if (
      outcome.kind === "withdrawn" &&
      namedLogin(field.value)?.toLowerCase() === login.toLowerCase()
    ) {
      edits.push(clearFieldValue(issue.body, field));
    }
  }
  if (unwritable.length > 0) {
    const where = approvals.section ? "section 9" : "the post-mortem (section 9 is missing)";
    const lines = unwritable.map((name) => `\`- **${name}:**\``).join(", ");
    return {
      steps: reply(
        input,
        `@${login}, your command was accepted, but ${lines} is missing from ${where}, so it could not be written. Add the line back; the approval counts once it shows your name.`,
      ),
      acknowledge: [],
      outcome,
    };
  }
  const dateEdit = finalReviewDateEdit(input, ledger, approvals);
  if (dateEdit) edits.push(dateEdit);
  const body = applyEdits(issue.body, edits);
  return {
    steps: body === issue.body ? [] : [{ kind: "setIssueBody", issueNumber: issue.number, body }],
    acknowledge: [{ kind: "addReaction", commentId, content: "+1" }],
    outcome,
  };
}

/** Date of Final Review gets the date of the last required approval, if it is still empty. */
function finalReviewDateEdit(
  input: ApprovalCommandInput,
  ledger: Ledger,
  approvals: ReturnType<typeof readApprovalSection>,
): Edit | undefined {
  const requiredRoles = input.config.required.filter((key) => key in input.config.roles);
  const held = requiredRoles.map((role) => ledger.approvals.get(role));
  if (requiredRoles.length === 0 || held.some((approval) => approval === undefined))
    return undefined;
  if (!held.some((approval) => approval!.commentId === input.commentId)) return undefined;
  const field = findField(approvals, PLAIN_FIELDS.finalReviewDate);
  if (!field || !isPlaceholder(field.value)) return undefined;
  const last = held.reduce((latest, approval) =>
    Date.parse(approval!.at) > Date.parse(latest!.at) ? approval : latest,
  );
  return setFieldValue(input.issue.body, field, input.formatDay(last!.at));
}

/** Empties a field, taking the space after `**Name:**` too, so the line reads as the template's. */
function clearFieldValue(text: string, field: FieldLine): Edit {
  const edit = setFieldValue(text, field, "");
  const start = text[edit.span.start - 1] === " " ? edit.span.start - 1 : edit.span.start;
  return { span: { start, end: edit.span.end }, replacement: "" };
}

function reply(input: ApprovalCommandInput, text: string): ApprovalPlan {
  const already = input.comments.some(
    (comment) =>
      comment.author.type === "Bot" &&
      findMarker(comment.body, "approve-refusal")?.comment === input.commentId,
  );
  if (already) return [];
  return [
    {
      kind: "createComment",
      issueNumber: input.issue.number,
      body: `${text}\n\n${formatMarker("approve-refusal", { comment: input.commentId })}`,
    },
  ];
}

export { parseApprovalCommand };
