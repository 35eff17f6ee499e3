import { formatMarker } from "../markers.js";
import type { IssueSnapshot } from "../snapshots.js";
import type { ApprovalsConfig } from "./config.js";
import type { ApprovalComment, CommandOutcome } from "./ledger.js";
import { parseApprovalCommand, replayApprovals } from "./ledger.js";
import { ownComments, upsertOwnComment } from "./own-comments.js";
import type { People } from "./people.js";
import type { ApprovalPlan, ApprovalStep } from "./plan.js";
import { readApprovalSection } from "./section.js";
import { syncApprovalSection } from "./sync.js";
import type { Writers } from "../trust/writers.js";

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
  /** Whose comments count as the product's (src/core/trust/writers.ts). */
  writers: Writers;
}

export interface ApprovalCommandPlan {
  /**
   * Body edits (from every command comment, not only this one) or a reply; the shell applies
   * them and asks again until there are none.
   */
  steps: ApprovalPlan;
  /** Applied once `steps` is empty: the 👍 that confirms an accepted command. */
  acknowledge: ApprovalStep[];
  outcome: CommandOutcome | undefined;
}

/**
 * `/approve [alias]` and `/unapprove [alias]`: the ledger of ALL command comments decides, and
 * section 9 is made to show it (syncApprovalSection), whichever command started the run. What is
 * this command's own: the 👍 that confirms it was accepted, or one reply when it was refused or
 * its field line is missing, found again by its marker so a redelivery does not reply twice.
 */
export function planApprovalCommand(input: ApprovalCommandInput): ApprovalCommandPlan {
  const { issue, commentId, config } = input;
  const sync = syncApprovalSection(input);
  const refusalInput = { ...input, issueNumber: issue.number };
  const outcome = sync.ledger.outcomes.get(commentId);
  const command = input.comments.find((comment) => comment.id === commentId);
  const bodySteps: ApprovalPlan =
    sync.body === issue.body
      ? []
      : [{ kind: "setIssueBody", issueNumber: issue.number, body: sync.body }];
  if (!outcome || !command || outcome.kind === "edited") {
    return { steps: bodySteps, acknowledge: [], outcome };
  }
  const login = command.author.login;
  if (outcome.kind === "refused") {
    return {
      steps: [...bodySteps, ...refusalReply(refusalInput, login, outcome.reason)],
      acknowledge: [],
      outcome,
    };
  }
  const approvals = readApprovalSection(issue.body);
  const unwritable =
    outcome.kind === "approved"
      ? outcome.roles.filter((role) => sync.unwritable.includes(role))
      : [];
  if (unwritable.length > 0) {
    const where = approvals.section ? "section 9" : "the post-mortem (section 9 is missing)";
    const lines = unwritable.map((role) => `\`- **${config.roles[role]!.field}:**\``).join(", ");
    return {
      steps: [
        ...bodySteps,
        ...reply(
          input,
          `@${login}, your command was accepted, but ${lines} is missing from ${where}, so it could not be written. Add the line back; the approval counts once it shows your name.`,
        ),
      ],
      acknowledge: [],
      outcome,
    };
  }
  return {
    steps: bodySteps,
    acknowledge: [{ kind: "addReaction", commentId, content: "+1" }],
    outcome,
  };
}

export interface CommandRefusalInput {
  issueNumber: number;
  /** The comment that carries the command. */
  commentId: number;
  /** Every comment on the post-mortem (the command's own included unless it was deleted). */
  comments: readonly ApprovalComment[];
  /** The commenter, at least. */
  people: People;
  config: ApprovalsConfig;
  /** Whose comments count as the product's (src/core/trust/writers.ts). */
  writers: Writers;
}

/**
 * The command of someone who may fill no role (see mayAct): nothing they say can change section 9,
 * so it is replayed alone, without reading anyone else, and refused with one reply, unless this
 * person already has one on this post-mortem. Anyone can comment on a public repository as often
 * as they like: the reply per person, not per comment, keeps their comments from costing writes.
 */
export function planCommandRefusal(input: CommandRefusalInput): ApprovalPlan {
  const command = input.comments.find((comment) => comment.id === input.commentId);
  if (!command) return [];
  const outcome = replayApprovals([command], input.config, input.people).outcomes.get(command.id);
  if (outcome?.kind !== "refused") return [];
  return refusalReply(input, command.author.login, outcome.reason);
}

/**
 * One refusal reply per person and post-mortem, found by the marker naming them in a bot's
 * comment: the first stands (a later refusal of theirs gets none), copies a racing run left are
 * deleted. The reply names the person: most reasons start with them already.
 */
function refusalReply(
  input: Pick<CommandRefusalInput, "issueNumber" | "commentId" | "comments" | "writers">,
  login: string,
  reason: string,
): ApprovalPlan {
  const existing = ownComments(
    input.comments,
    "approve-refusal",
    (data) =>
      data.login === undefined
        ? data.comment === input.commentId
        : data.login.toLowerCase() === login.toLowerCase(),
    input.writers,
  );
  const text = `${reason.startsWith(`@${login} `) ? "" : `@${login}, `}${reason}. Nothing was written.`;
  return upsertOwnComment(
    existing,
    input.issueNumber,
    `${text}\n\n${formatMarker("approve-refusal", { comment: input.commentId, login })}`,
    { update: false },
  );
}

/** One reply per accepted command that could not be written; a racing run's copy is deleted. */
function reply(input: ApprovalCommandInput, text: string): ApprovalPlan {
  const existing = ownComments(
    input.comments,
    "approve-refusal",
    (data) => data.comment === input.commentId && data.login === undefined,
    input.writers,
  );
  return upsertOwnComment(
    existing,
    input.issue.number,
    `${text}\n\n${formatMarker("approve-refusal", { comment: input.commentId })}`,
    // The first reply stands: the reasons are replayed with today's access and may read
    // differently later, which is no reason to rewrite what the person was told.
    { update: false },
  );
}

export { parseApprovalCommand };
