import { APPROVAL_COMMAND } from "../constants.js";
import type { Account } from "../snapshots.js";
import { codeSpan } from "../markdown-text.js";
import type { ApprovalsConfig } from "./config.js";
import { normalizeAlias } from "./config.js";
import type { People } from "./people.js";
import { mayFill } from "./people.js";

/**
 * Who approved what is decided from comments, never from the issue's body: anybody who can edit
 * the body (its author, without write access) could type a name there. Only a person's own
 * `/approve` comment, never edited since it was posted, counts; deleting it withdraws it.
 */

export interface ApprovalComment {
  id: number;
  body: string;
  author: Account;
  createdAt: string;
  /**
   * Whether anyone (its author or an admin) changed the text since it was posted. The gateway
   * reads it from GitHub's edit history (GraphQL `lastEditedAt`), not from `updated_at`.
   */
  edited: boolean;
  /** GitHub's `author_association` of the comment (see CommentSnapshot), when the source has it. */
  authorAssociation?: string;
}

export type ApprovalCommand =
  { verb: "approve"; alias: string | undefined } | { verb: "unapprove"; alias: string | undefined };

/** `/approve`, `/approve tech lead`, `/unapprove tl`: the command alone on the first line. */
export function parseApprovalCommand(body: string | null | undefined): ApprovalCommand | undefined {
  const firstLine = (body ?? "").trimStart().split("\n", 1)[0]?.trim() ?? "";
  const match = APPROVAL_COMMAND.exec(firstLine);
  if (!match) return undefined;
  const alias = match[2]?.trim();
  const verb = match[1]!.toLowerCase() as "approve" | "unapprove";
  return { verb, alias: alias ? normalizeAlias(alias) : undefined };
}

/** The role an alias names: one of its aliases, its key, or its field's name. */
export function resolveRole(alias: string, config: ApprovalsConfig): string | undefined {
  const wanted = normalizeAlias(alias);
  for (const [key, role] of Object.entries(config.roles)) {
    const names = [key, ...role.aliases, role.field].map(normalizeAlias);
    if (names.includes(wanted)) return key;
  }
  return undefined;
}

export interface Approval {
  role: string;
  login: string;
  /** When the `/approve` comment was posted. */
  at: string;
  commentId: number;
}

export type CommandOutcome =
  | { kind: "approved"; roles: string[]; already: boolean }
  | { kind: "withdrawn"; roles: string[] }
  | { kind: "refused"; reason: string }
  /** Edited after it was posted: it proves nothing, so it is not acted on. */
  | { kind: "edited" };

export interface Ledger {
  /** role key → the approval that holds it now. */
  approvals: Map<string, Approval>;
  /** comment id → what the command in it did, for every command comment. */
  outcomes: Map<number, CommandOutcome>;
}

/**
 * Replays the command comments in the order they were posted, checking every person against the
 * configuration and their access now. The result is the same whoever computes it and whenever,
 * so the App, the Action and a later run agree.
 */
export function replayApprovals(
  comments: readonly ApprovalComment[],
  config: ApprovalsConfig,
  people: People,
): Ledger {
  const approvals = new Map<string, Approval>();
  const outcomes = new Map<number, CommandOutcome>();
  const ordered = [...comments].sort(
    (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id,
  );
  const heldBy = (login: string) =>
    [...approvals.values()]
      .filter((approval) => approval.login.toLowerCase() === login.toLowerCase())
      .map((approval) => approval.role);

  for (const comment of ordered) {
    const command = parseApprovalCommand(comment.body);
    if (!command || comment.author.type === "Bot") continue;
    if (comment.edited) {
      outcomes.set(comment.id, { kind: "edited" });
      continue;
    }
    const login = comment.author.login;
    if (command.verb === "unapprove") {
      const roles =
        command.alias === undefined ? heldBy(login) : [resolveRole(command.alias, config)];
      if (roles[0] === undefined && command.alias !== undefined) {
        outcomes.set(comment.id, { kind: "refused", reason: unknownAlias(command.alias, config) });
        continue;
      }
      const released = (roles as string[]).filter((role) => heldBy(login).includes(role));
      if (released.length === 0) {
        outcomes.set(comment.id, {
          kind: "refused",
          reason: `@${login} has no approval${command.alias ? ` as ${roleName(roles[0]!, config)}` : ""} to withdraw`,
        });
        continue;
      }
      for (const role of released) approvals.delete(role);
      outcomes.set(comment.id, { kind: "withdrawn", roles: released });
      continue;
    }

    const decision = decideApproval(command.alias, login, config, people, approvals, heldBy(login));
    if (decision.kind === "refused") {
      outcomes.set(comment.id, decision);
      continue;
    }
    if (!decision.already) {
      approvals.set(decision.role, {
        role: decision.role,
        login,
        at: comment.createdAt,
        commentId: comment.id,
      });
    }
    outcomes.set(comment.id, {
      kind: "approved",
      roles: [decision.role],
      already: decision.already,
    });
  }
  return { approvals, outcomes };
}

type Decision =
  { kind: "approve"; role: string; already: boolean } | { kind: "refused"; reason: string };

function decideApproval(
  alias: string | undefined,
  login: string,
  config: ApprovalsConfig,
  people: People,
  approvals: ReadonlyMap<string, Approval>,
  held: readonly string[],
): Decision {
  if (alias !== undefined) {
    const role = resolveRole(alias, config);
    if (role === undefined) return { kind: "refused", reason: unknownAlias(alias, config) };
    return decideRole(role, login, config, people, approvals, held);
  }
  // No alias: the role the person already holds, else the first empty one they may fill.
  if (held[0] !== undefined) return { kind: "approve", role: held[0], already: true };
  let firstRefusal: Decision | undefined;
  for (const role of Object.keys(config.roles)) {
    const decision = decideRole(role, login, config, people, approvals, held);
    if (decision.kind === "approve") return decision;
    firstRefusal ??= decision;
  }
  const eligible = Object.keys(config.roles).filter(
    (role) => mayFill(config.roles[role]!, login, people).allowed,
  );
  if (eligible.length === 0) {
    const reasons = Object.keys(config.roles)
      .map((role) => {
        const eligibility = mayFill(config.roles[role]!, login, people);
        return eligibility.allowed ? "" : `${roleName(role, config)}: ${eligibility.reason}`;
      })
      .join("; ");
    return { kind: "refused", reason: `@${login} may not fill any approver role (${reasons})` };
  }
  return firstRefusal ?? { kind: "refused", reason: "no role to approve" };
}

function decideRole(
  role: string,
  login: string,
  config: ApprovalsConfig,
  people: People,
  approvals: ReadonlyMap<string, Approval>,
  held: readonly string[],
): Decision {
  const roleConfig = config.roles[role]!;
  const eligibility = mayFill(roleConfig, login, people);
  if (!eligibility.allowed) {
    return {
      kind: "refused",
      reason: `@${login} may not approve as ${roleName(role, config)}: ${eligibility.reason}`,
    };
  }
  const holder = approvals.get(role);
  if (holder && holder.login.toLowerCase() === login.toLowerCase()) {
    return { kind: "approve", role, already: true };
  }
  if (holder) {
    return {
      kind: "refused",
      reason: `${roleName(role, config)} is already approved by @${holder.login} (they can withdraw with \`/unapprove\`)`,
    };
  }
  const other = held.find((held) => held !== role);
  if (config.distinctApprovers && other !== undefined) {
    return {
      kind: "refused",
      reason: `@${login} already approved as ${roleName(other, config)}, and one person cannot fill two roles`,
    };
  }
  return { kind: "approve", role, already: false };
}

function unknownAlias(alias: string, config: ApprovalsConfig): string {
  const known = Object.entries(config.roles)
    .map(([key, role]) => `\`${role.aliases[0] ?? key}\``)
    .join(", ");
  return `${codeSpan(alias)} names no approver role (use ${known})`;
}

export function roleName(role: string, config: ApprovalsConfig): string {
  return `“${config.roles[role]?.field ?? role}”`;
}

/** The command that approves a role, with the alias easiest to type (no spaces). */
export function approveCommandFor(role: string, config: ApprovalsConfig): string {
  const aliases = config.roles[role]?.aliases ?? [];
  return `/approve ${aliases.find((alias) => !/\s/.test(alias)) ?? aliases[0] ?? role}`;
}
