import { readPostmortemBody } from "../capa/items.js";
import { isProductIssue } from "../identity.js";
import { findMarker } from "../markers.js";
import type { IssueSnapshot } from "../snapshots.js";
import type { OverdueChild } from "./overdue.js";
import { overdueChild, pastDue } from "./overdue.js";
import type { Config } from "../config.js";
import type { CapaEvidence } from "../evidence/config.js";
import { evidenceOf, judgeChild } from "../evidence/model.js";
import { uniformRequirement } from "../evidence/plan.js";
import { SEVERITIES } from "../policy/config.js";
import { severityPolicy } from "../policy/resolve.js";
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

/** Whether some severity's policy asks for evidence (else no closed child counts as open). */
export function evidenceAsked(config: Config): boolean {
  return uniformRequirement(config) !== "none";
}

/** Whether some severity's policy asks for a deployment (children awaiting it are listed too). */
export function shipmentAsked(config: Config): boolean {
  return [...SEVERITIES, undefined].some(
    (severity) => severityPolicy(config, severity).capaEvidence === "shipped",
  );
}

/**
 * The labels whose closed children may still count as open, to list (one paged listing each,
 * state `closed`): `evidence.labels.noEvidence` once some severity asks for evidence, and
 * `evidence.labels.awaitingShip` once one asks for a deployment. None under `capaEvidence: none`.
 */
export function unprovenLabels(config: Config): string[] {
  if (!evidenceAsked(config)) return [];
  const labels = [config.evidence.labels.noEvidence];
  if (shipmentAsked(config)) labels.push(config.evidence.labels.awaitingShip);
  return labels;
}

/**
 * The product's closed CAPA children past their due date, from the listings of `unprovenLabels`
 * (deduplicated), before their evidence is judged (`unprovenChildren`): whose post-mortems matter.
 */
export function closedPastDue(
  closedChildren: readonly IssueSnapshot[],
  today: string,
  writers: Writers,
): OverdueChild[] {
  const seen = new Set<number>();
  return closedChildren.flatMap((child) => {
    if (seen.has(child.number) || child.state !== "closed") return [];
    seen.add(child.number);
    if (!isProductIssue(child, writers) || !pastDue(child, 0, today)) return [];
    const parent = findMarker(child.body, "capa")?.parent;
    const late = parent === undefined ? undefined : pastDue(child, parent, today);
    return late ? [late] : [];
  });
}

/**
 * Of `closedPastDue`'s children, those closed as completed without the evidence their severity
 * asks for (`judgeChild(...).open`, on the evidence the product recorded, never on the label):
 * they count as open, with what is missing. `required` gives a post-mortem's `capaEvidence`.
 */
export function unprovenChildren(
  candidates: readonly OverdueChild[],
  config: Config,
  required: (postmortem: number) => CapaEvidence,
): OverdueChild[] {
  return candidates.flatMap((entry) => {
    const judgement = judgeChild(entry.child, evidenceOf(entry.child.body), {
      required: required(entry.postmortem),
      environment: config.evidence.environment,
      timeZone: config.timezone,
    });
    return judgement.open && judgement.missing ? [{ ...entry, missing: judgement.missing }] : [];
  });
}
