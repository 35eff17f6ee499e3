import { createHash } from "node:crypto";
import type { Edit } from "../document.js";
import { applyEdits } from "../document.js";
import { findMarker, formatMarker } from "../markers.js";
import type { Plan } from "../plan.js";
import type { CommentSnapshot } from "../snapshots.js";
import { readPostmortemBody } from "./items.js";

/** A Follow-Up row the App writes ends its first cell with `(#123)`. */
const APP_ROW = /\(#\d+\)$/;

/**
 * The post-mortem as people wrote it, without what the App rewrites: a CAPA line is reduced to
 * its words (owner and date move into the part the App keeps current), and the children's rows
 * are left out. Two bodies with the same human view differ only in what the App writes anyway.
 */
export function humanView(body: string): string {
  const parsed = readPostmortemBody(body);
  const edits: Edit[] = parsed.items.map((item) => ({
    span: item.task.textSpan,
    replacement: item.title,
  }));
  for (const row of parsed.rows) {
    if (APP_ROW.test(row.row.cells[0] ?? "")) edits.push({ span: row.row.line, replacement: "" });
  }
  return applyEdits(body, edits)
    .replace(/[ \t]+$/gm, "")
    .replace(/\n{2,}/g, "\n");
}

export interface OwnEdit {
  issueNumber: number;
  /** `changes.body.from` of the App's own `edited` event: the body right before its write. */
  before: string;
  /** The body the App wrote. */
  written: string;
  /** The body now. */
  current: string;
  comments: readonly CommentSnapshot[];
}

/**
 * GitHub has no conditional update, so a person's edit can land between the App's read and its
 * write, and be overwritten. The App's own `edited` event shows the body right before the write:
 * if people's text there differs from what the App wrote, their edit was lost. It is restored when
 * nobody has edited since; otherwise the lost text is put in a comment, so nothing is lost.
 */
/** Whether the App's write (`written`) dropped people's text that stood in `before`. */
export function overwrotePeople(before: string, written: string): boolean {
  return humanView(before) !== humanView(written);
}

export function planLostEditRecovery(edit: OwnEdit): Plan {
  if (!overwrotePeople(edit.before, edit.written)) return [];
  if (humanView(edit.current) === humanView(edit.written)) {
    return [{ kind: "updateIssueBody", issueNumber: edit.issueNumber, body: edit.before }];
  }
  const key = createHash("sha256").update(edit.before).digest("hex").slice(0, 16);
  const given = edit.comments.some(
    (comment) => comment.author.type === "Bot" && findMarker(comment.body, "notice")?.key === key,
  );
  if (given) return [];
  const fence = "`".repeat(
    Math.max(3, ...[...edit.before.matchAll(/`+/g)].map((run) => run[0].length + 1)),
  );
  return [
    {
      kind: "createComment",
      issueNumber: edit.issueNumber,
      body: `An edit to this post-mortem was saved at the same moment as an update by postmortem-bot and was overwritten, and the post-mortem has been edited since, so it was not restored automatically. Here is the text as it was right before the overwrite; copy back what is missing.\n\n<details><summary>Overwritten text</summary>\n\n${fence}markdown\n${edit.before}\n${fence}\n\n</details>\n\n${formatMarker("notice", { key })}`,
    },
  ];
}
