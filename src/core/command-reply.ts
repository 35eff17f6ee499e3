import { findMarker, formatMarker } from "./markers.js";
import type { Plan } from "./plan.js";
import type { CommentSnapshot } from "./snapshots.js";
import type { Writers } from "./trust/writers.js";
import { wroteIt } from "./trust/writers.js";

/** The markers of the product's replies to a command comment (`/timeline`, `/changes`, `/culprit`). */
export type ReplyMarker = "timeline-reply" | "changes-reply" | "culprit-reply";

/**
 * The product's reply to a refused or malformed command, at most once: one per command (its
 * comment), and for a refusal of access (`refused`) one per person, recognised by the reply's
 * marker on the product's own comments, so neither a redelivery nor an outsider's repeated
 * commands cost another comment. `mention: false` names the person in a code span.
 */
export function replyOnce(
  kind: ReplyMarker,
  issueNumber: number,
  command: { commentId: number; login: string },
  comments: readonly CommentSnapshot[],
  message: string,
  writers: Writers,
  options: { refused: boolean; mention: boolean },
): Plan {
  const person = options.refused ? command.login.toLowerCase() : undefined;
  const given = comments.some((comment) => {
    if (!wroteIt(comment.author, "flows", writers)) return false;
    const marker = findMarker(comment.body, kind);
    return (
      marker !== undefined &&
      (marker.comment === command.commentId ||
        (person !== undefined && marker.person?.toLowerCase() === person))
    );
  });
  if (given) return [];
  const data = { comment: command.commentId, ...(person === undefined ? {} : { person }) };
  const who = options.mention ? `@${command.login}` : `\`@${command.login}\``;
  return [
    {
      kind: "createComment",
      issueNumber,
      body: `${who}, ${message}\n\n${formatMarker(kind, data)}`,
    },
  ];
}
