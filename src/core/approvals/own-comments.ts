import type { MarkerData, MarkerKind } from "../markers.js";
import { findMarker } from "../markers.js";
import type { ApprovalComment } from "./ledger.js";
import type { ApprovalPlan } from "./plan.js";
import type { Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";

/**
 * The gate's own comments of one kind, oldest first: written by the front door that runs the gate
 * (src/core/trust/writers.ts) and carrying the marker (anyone can type the marker). Two runs that both found none create one each;
 * the oldest is the one that stays.
 */
export function ownComments<K extends MarkerKind>(
  comments: readonly ApprovalComment[],
  kind: K,
  matches: (data: MarkerData<K>) => boolean,
  writers: Writers,
): ApprovalComment[] {
  return comments
    .filter((comment) => {
      if (!wroteIt(comment.author, "gate", writers)) return false;
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
