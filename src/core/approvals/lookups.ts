import type { ApprovalsConfig } from "./config.js";
import type { ApprovalComment } from "./ledger.js";
import { parseApprovalCommand } from "./ledger.js";
import type { People } from "./people.js";
import { mayFill } from "./people.js";

/**
 * Whose access a run reads. Every lookup is a request, and anyone can comment `/approve` on a
 * public repository, so a run looks up only the people whose commands can count: the commenter,
 * the people named in section 9, and the authors of command comments who have a role in the
 * repository or its organization (GitHub's `author_association`) or are listed in `roles`.
 * Anyone else could fill no role whatever their comment says (`mayFill` needs a permission, a
 * listed login or a team), so their comments are replayed as those of a person without access.
 */

/** `author_association` values of people with a role in the repository or its organization. */
export const ASSOCIATED = ["OWNER", "MEMBER", "COLLABORATOR"] as const;

/** Whether `login` is one of the `users` of some role (logins compare without case). */
export function listedInRoles(login: string, config: ApprovalsConfig): boolean {
  const wanted = login.toLowerCase();
  return Object.values(config.roles).some((role) =>
    role.users.some((user) => user.toLowerCase() === wanted),
  );
}

/**
 * Whether a comment's author is one whose commands can count: a person (not a bot) who has a role
 * in the repository (an association GitHub did not give counts as one), is listed in `roles`, is
 * named in section 9 (`named`, lower case) or is the commenter whose command this run handles.
 */
export function authorCounts(
  comment: Pick<ApprovalComment, "author" | "authorAssociation">,
  config: ApprovalsConfig,
  named: ReadonlySet<string>,
  commenter: string | undefined,
): boolean {
  if (comment.author.type === "Bot") return false;
  const login = comment.author.login.toLowerCase();
  return (
    comment.authorAssociation === undefined ||
    (ASSOCIATED as readonly string[]).includes(comment.authorAssociation) ||
    listedInRoles(login, config) ||
    named.has(login) ||
    login === commenter?.toLowerCase()
  );
}

/**
 * The logins a run looks up: the commenter, the authors of unedited `/approve` comments whose
 * commands can count (authorCounts), and the people named in section 9. Each once, in order.
 */
export function loginsToLookUp(
  comments: readonly ApprovalComment[],
  config: ApprovalsConfig,
  named: readonly string[],
  commenter: string | undefined,
): string[] {
  const namedSet = new Set(named.map((login) => login.toLowerCase()));
  const approvers = comments
    .filter(
      (comment) =>
        !comment.edited &&
        parseApprovalCommand(comment.body)?.verb === "approve" &&
        authorCounts(comment, config, namedSet, commenter),
    )
    .map((comment) => comment.author.login);
  const seen = new Set<string>();
  return [...(commenter === undefined ? [] : [commenter]), ...approvers, ...named].filter(
    (login) => {
      const key = login.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    },
  );
}

/**
 * Whether a person may act on the approvals at all: fill some role. Nobody else holds an approval
 * (the ledger replays every `/approve` against access now), so nobody else can withdraw one either.
 */
export function mayAct(login: string, config: ApprovalsConfig, people: People): boolean {
  return Object.values(config.roles).some((role) => mayFill(role, login, people).allowed);
}
