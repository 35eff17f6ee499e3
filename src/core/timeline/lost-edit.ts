import { createHash } from "node:crypto";
import { readDocument } from "../document.js";
import { findMarker, formatMarker, setMarker, withoutMarker } from "../markers.js";
import type { Plan } from "../plan.js";
import type { CommentSnapshot } from "../snapshots.js";
import type { RowCells } from "./plan.js";
import { columnsOf, contentFingerprint, editBody, rowId, timelineTable } from "./plan.js";
import type { Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";

/**
 * GitHub cannot update a body conditionally, so an edit saved between the App's read and its
 * timeline write is overwritten. Every timeline write records in its marker a fingerprint of the
 * text it was based on, and the App's own `edited` event shows the body right before the write:
 * when they differ, something was lost. Whether a write was a timeline write shows in the marker:
 * only timeline writes change it (CAPA writes edit other parts by position and keep it as it is).
 */
export function timelineOverwrote(before: string, written: string): boolean {
  const mine = findMarker(written, "timeline");
  if (mine?.base === undefined) return false;
  const previous = findMarker(before, "timeline");
  if (JSON.stringify(previous) === JSON.stringify(mine)) return false;
  return contentFingerprint(before) !== mine.base;
}

export interface OwnTimelineEdit {
  issueNumber: number;
  /** `changes.body.from` of the App's own `edited` event: the body right before its write. */
  before: string;
  written: string;
  current: string;
  comments: readonly CommentSnapshot[];
  zone: string;
  /** Whose issues and comments count as the product's (src/core/trust/writers.ts). */
  writers: Writers;
}

/**
 * Puts back what a timeline write overwrote: when nobody has edited since, the text from right
 * before the write with the App's rows, End and Duration added again; otherwise the overwritten
 * text goes into one comment, so nothing is lost.
 */
export function planTimelineRecovery(edit: OwnTimelineEdit): Plan {
  if (!timelineOverwrote(edit.before, edit.written)) return [];
  if (contentFingerprint(edit.current) === contentFingerprint(edit.written)) {
    const merged =
      editBody(edit.before, appChangesIn(edit.written), edit.zone, edit.current) ??
      setMarker(edit.before, "timeline", {
        ...(findMarker(edit.before, "timeline") ?? { rows: [] }),
        base: contentFingerprint(edit.current),
      });
    return [{ kind: "updateIssueBody", issueNumber: edit.issueNumber, body: merged }];
  }
  const key = createHash("sha256")
    .update(`timeline\u0000${edit.before}`)
    .digest("hex")
    .slice(0, 16);
  const given = edit.comments.some(
    (comment) =>
      wroteIt(comment.author, "flows", edit.writers) &&
      findMarker(comment.body, "notice")?.key === key,
  );
  if (given) return [];
  const shown = withoutMarker(withoutMarker(edit.before, "sync"), "timeline");
  const fence = "`".repeat(
    Math.max(3, ...[...shown.matchAll(/`+/g)].map((run) => run[0].length + 1)),
  );
  return [
    {
      kind: "createComment",
      issueNumber: edit.issueNumber,
      body: `An edit to this post-mortem was saved at the same moment as a timeline update by postmortem-bot and was overwritten, and the post-mortem has been edited since, so it was not restored automatically. Here is the text as it was right before the overwrite; copy back what is missing.\n\n<details><summary>Overwritten text</summary>\n\n${fence}markdown\n${shown}\n${fence}\n\n</details>\n\n${formatMarker("notice", { key })}`,
    },
  ];
}

/** The rows, and the End value, that the App wrote into a body, as its marker lists them. */
function appChangesIn(written: string): { rows: RowCells[]; end?: string } {
  const marker = findMarker(written, "timeline");
  const document = readDocument(written);
  const table = timelineTable(document);
  const rows: RowCells[] = [];
  if (table && marker) {
    const columns = columnsOf(table);
    for (const row of table.rows) {
      const cells = { time: row.cells[columns.time] ?? "", event: row.cells[columns.event] ?? "" };
      if (marker.rows.includes(rowId(cells))) rows.push(cells);
    }
  }
  const end = /^[-*+]\s+\*\*Date\s*&\s*Time\s*\(End\):\*\*[ \t]*(.*?)[ \t]*$/im.exec(written)?.[1];
  return { rows, ...(marker?.end !== undefined && end === marker.end ? { end } : {}) };
}
