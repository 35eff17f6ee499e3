import { readPostmortemBody } from "../capa/items.js";
import { isProductIssue } from "../identity.js";
import { findMarker } from "../markers.js";
import type { IssueSnapshot } from "../snapshots.js";
import type { OverdueChild } from "./overdue.js";
import { overdueChild } from "./overdue.js";
import type { Writers } from "../trust/writers.js";

/**
 * The open CAPA children past their due date, from one listing of the open children (bodies
 * included), whatever state their post-mortems are in: an approved, closed post-mortem can
 * still have actions that slip.
 */
export function overdueChildren(
  openChildren: readonly IssueSnapshot[],
  today: string,
  writers: Writers,
): OverdueChild[] {
  return openChildren.flatMap((child) => {
    // The due date is one regular expression; the marker needs a markdown parse: date first.
    if (!isProductIssue(child, writers) || !overdueChild(child, 0, today)) return [];
    const parent = findMarker(child.body, "capa")?.parent;
    const overdue = parent === undefined ? undefined : overdueChild(child, parent, today);
    return overdue ? [overdue] : [];
  });
}

/** Whether a post-mortem's Follow-Up rows still show `Open` for children that are overdue. */
export function showsOverdueAsOpen(
  postmortem: IssueSnapshot,
  overdue: readonly OverdueChild[],
): boolean {
  // A person's post-mortem the bot adopted counts too: its children point to it, and the CAPA
  // handler checks the adoption before it writes.
  if (!findMarker(postmortem.body, "postmortem")) return false;
  const rows = readPostmortemBody(postmortem.body).rows;
  return overdue.some(
    (entry) =>
      entry.postmortem === postmortem.number &&
      rows.find((row) => row.reference === entry.child.number)?.row.cells[3] === "Open",
  );
}
