import type { CommentSnapshot } from "../snapshots.js";
import { findMarker, formatMarker } from "../markers.js";
import { inlineText } from "../markdown-text.js";
import type { Plan } from "../plan.js";
import type { Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";

/**
 * Who may open CAPA children. GitHub does not say who checked which box, and anyone who can edit
 * the body (an adopted post-mortem's author, say) can check one. So a child is opened only in the
 * run of an edit saved by someone with write access or more, and only for what that person's saved
 * body asked for. What an edit by anyone else asked for is refused: its boxes are unchecked, one
 * comment per person and action says so, and the refusal keeps the box from being opened by
 * anyone but a writer who checks it again (a writer's later edit of other text does not).
 */
export type EditRights =
  /** No person's edit started this run (a sweep, a child's change, a restore): open nothing. */
  | { by: "nobody" }
  /**
   * An edit by someone with write access or more: what `after` asks for may be opened (a refused
   * action only if this edit asks for it anew). `login` is empty for a restored edit (lost-edit.ts).
   */
  | { by: "writer"; login: string; before: string; after: string }
  /** An edit by anyone else: what it asked for anew is refused. */
  | {
      by: "other";
      login: string;
      /** A collaborator (read or triage) is mentioned in the refusal; anyone else is not. */
      mention: boolean;
      before: string;
      after: string;
    };

const REFUSAL = /^refused:([a-z\d-]+(?:\[bot\])?):([\da-f,]+)$/;

/** The actions refused before, each with the people it was refused to, from the App's comments. */
export function refusedActions(
  comments: readonly CommentSnapshot[],
  writers: Writers,
): Map<string, Set<string>> {
  const refused = new Map<string, Set<string>>();
  for (const comment of comments) {
    // A marker counts only in the product's comment: nobody else can write one for it.
    if (!wroteIt(comment.author, "flows", writers)) continue;
    const match = REFUSAL.exec(findMarker(comment.body, "notice")?.key ?? "");
    if (!match) continue;
    for (const key of match[2]!.split(",")) {
      const logins = refused.get(key) ?? new Set<string>();
      logins.add(match[1]!);
      refused.set(key, logins);
    }
  }
  return refused;
}

/** The one comment refusing what a person without write access asked for (those not refused yet). */
export function refusalComment(
  issueNumber: number,
  rights: Extract<EditRights, { by: "other" }>,
  actions: readonly { key: string; title: string }[],
  refused: ReadonlyMap<string, ReadonlySet<string>>,
): Plan {
  const login = rights.login.toLowerCase();
  const fresh = actions.filter((action) => !refused.get(action.key)?.has(login));
  if (fresh.length === 0) return [];
  const who = rights.mention ? `@${rights.login}` : `\`@${rights.login}\``;
  const titles = fresh.map((action) => `“${inlineText(action.title)}”`).join(", ");
  const key = `refused:${login}:${fresh.map((action) => action.key).join(",")}`;
  return [
    {
      kind: "createComment",
      issueNumber,
      body: `${who} asked for corrective-action issues for ${titles}, but only people with write access to this repository can open them, so nothing was opened and the boxes were unchecked. Someone with write access can check a box again (or write a Follow-Up row again) to open its issue.\n\n${formatMarker("notice", { key })}`,
    },
  ];
}
