import { createHash } from "node:crypto";
import type { Edit } from "../document.js";
import { applyEdits } from "../document.js";
import { findMarker, formatMarker, setMarker, withoutMarker } from "../markers.js";
import type { Plan } from "../plan.js";
import type { CommentSnapshot } from "../snapshots.js";
import { readPostmortemBody } from "./items.js";
import type { Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";

/** A Follow-Up row the App writes ends its first cell with `(#123)`. */
const APP_ROW = /\(#\d+\)$/;

/**
 * The post-mortem as people wrote it, without what the App rewrites: a CAPA line is reduced to
 * its words (owner and date move into the part the App keeps current); the children's rows, and
 * rows with an owner and a date that the App turns into children, are left out. Two bodies with
 * the same human view differ only in what the App writes anyway.
 */
export function humanView(body: string): string {
  const text = withoutMarker(body, "sync");
  const parsed = readPostmortemBody(text);
  const edits: Edit[] = parsed.items.map((item) => ({
    span: item.task.textSpan,
    replacement: item.title,
  }));
  for (const row of parsed.rows) {
    const appRow = APP_ROW.test(row.row.cells[0] ?? "");
    const becomesChild =
      row.reference === undefined && row.owner !== undefined && row.due !== undefined;
    if (appRow || becomesChild) edits.push({ span: row.row.line, replacement: "" });
  }
  return applyEdits(text, edits)
    .replace(/[ \t]+$/gm, "")
    .replace(/\n{2,}/g, "\n")
    .trim();
}

export function humanFingerprint(body: string): string {
  return createHash("sha256").update(humanView(body)).digest("hex").slice(0, 16);
}

/** Marks a body the App writes with the fingerprint of the people's text it was computed from. */
export function stampBase(written: string, basedOn: string): string {
  return setMarker(written, "sync", { base: humanFingerprint(basedOn) });
}

/**
 * Whether the App's CAPA write dropped what people had written: the body right before the write
 * (`changes.body.from` of the App's own `edited` event) is not the text the write was based on.
 * A CAPA write never changes people's text, so its fingerprint equals its base; other writes by
 * the same identity (approvals, restores) keep an older marker and are not judged here.
 */
export function overwrotePeople(before: string, written: string): boolean {
  const base = findMarker(written, "sync")?.base;
  if (base === undefined || humanFingerprint(written) !== base) return false;
  return humanFingerprint(before) !== base;
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
  /** Whose issues and comments count as the product's (src/core/trust/writers.ts). */
  writers: Writers;
}

/**
 * GitHub has no conditional update, so a person's edit can land between the App's read and its
 * write, and be overwritten. Every App write carries the fingerprint of the text it was based on,
 * and its own `edited` event shows the body right before the write: when the two differ, a
 * person's edit was lost. It is restored when nobody has edited since (stamped as based on what it
 * replaces, so restoring is not itself seen as a loss); otherwise the lost text goes into a
 * comment, so nothing is lost.
 */
export function planLostEditRecovery(edit: OwnEdit): Plan {
  if (!overwrotePeople(edit.before, edit.written)) return [];
  if (humanFingerprint(edit.current) === humanFingerprint(edit.written)) {
    return [
      {
        kind: "updateIssueBody",
        issueNumber: edit.issueNumber,
        body: stampBase(edit.before, edit.current),
      },
    ];
  }
  const key = createHash("sha256").update(edit.before).digest("hex").slice(0, 16);
  const given = edit.comments.some(
    (comment) =>
      wroteIt(comment.author, "flows", edit.writers) &&
      findMarker(comment.body, "notice")?.key === key,
  );
  if (given) return [];
  const shown = withoutMarker(edit.before, "sync");
  const fence = "`".repeat(
    Math.max(3, ...[...shown.matchAll(/`+/g)].map((run) => run[0].length + 1)),
  );
  return [
    {
      kind: "createComment",
      issueNumber: edit.issueNumber,
      body: `An edit to this post-mortem was saved at the same moment as an update by postmortem-bot and was overwritten, and the post-mortem has been edited since, so it was not restored automatically. Here is the text as it was right before the overwrite; copy back what is missing.\n\n<details><summary>Overwritten text</summary>\n\n${fence}markdown\n${shown}\n${fence}\n\n</details>\n\n${formatMarker("notice", { key })}`,
    },
  ];
}
