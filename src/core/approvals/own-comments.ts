import type { MarkerData, MarkerKind } from "../markers.js";
import { findMarker } from "../markers.js";
import type { ApprovalComment } from "./ledger.js";
import type { ApprovalPlan } from "./plan.js";

/**
 * The gate's own comments of one kind, oldest first: bot-authored and carrying the marker (a
 * person can type the marker, not be a bot). Two runs that both found none create one each;
 * the oldest is the one that stays.
 */
export function ownComments<K extends MarkerKind>(
  comments: readonly ApprovalComment[],
  kind: K,
  matches: (data: MarkerData<K>) => boolean,
): ApprovalComment[] {
  return comments
    .filter((comment) => {
      if (comment.author.type !== "Bot") return false;
      const data = findMarker(comment.body, kind);
      return data !== undefined && matches(data);
    })
    .sort((a, b) => a.id - b.id);
}

/**
 * One comment saying `body`: created when there is none, else the oldest updated (when `update`)
 * and any later copies deleted. There is no lock to take on GitHub, so racing runs may both
 * create; each re-reads after writing, and they all delete the same copies (a 404 on a copy
 * another run deleted first counts as done).
 */
export function upsertOwnComment(
  existing: readonly ApprovalComment[],
  issueNumber: number,
  body: string,
  options: { update: boolean },
): ApprovalPlan {
  const [kept, ...copies] = existing;
  if (!kept) return [{ kind: "createComment", issueNumber, body }];
  return [
    ...(options.update && kept.body !== body
      ? [{ kind: "updateComment" as const, commentId: kept.id, body }]
      : []),
    ...copies.map((copy) => ({ kind: "deleteComment" as const, commentId: copy.id })),
  ];
}
