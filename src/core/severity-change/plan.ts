import type { Permission } from "../approvals/config.js";
import { permissionAtLeast } from "../approvals/people.js";
import { CLASSIFICATION_SECTION, readPostmortemBody } from "../capa/items.js";
import type { Config } from "../config.js";
import { findSection, readDocument } from "../document.js";
import { isOpenedPostmortem } from "../identity.js";
import type { Writers } from "../trust/writers.js";
import { findMarker, setMarker } from "../markers.js";
import type { Plan } from "../plan.js";
import type { Severity } from "../severity.js";
import { incidentSeverity, SEVERITIES, severityFromLabels } from "../severity.js";
import type { IssueSnapshot } from "../snapshots.js";

/*
 * Severity is fixed when the post-mortem opens and afterwards only rises (src/core/severity.ts),
 * with one way down: a change of the incident's severity labels, made by someone with
 * `approvals.forceClosePermission`, that leaves the labels naming a lower level. Who made it is
 * read from the incident's events, their permission from GitHub. The lowered level is recorded
 * in the post-mortem's marker (which the guard keeps from anyone else), and the post-mortem's
 * P1–P4 box is checked to match: the maintainer's decision beats a box checked before it. A
 * box checked, or a label added, afterwards raises it again as ever.
 */

/** The level the incident's labels now name, when it is below the post-mortem's severity. */
export function loweringTo(
  incident: IssueSnapshot,
  postmortem: IssueSnapshot,
  config: Config,
  writers: Writers,
): Severity | undefined {
  if (!isOpenedPostmortem(postmortem, writers)) return undefined;
  const named = severityFromLabels(incident.labels, config);
  if (named === undefined) return undefined;
  const now = incidentSeverity(
    {
      checked: readPostmortemBody(postmortem.body).checkedSeverity,
      labels: incident.labels,
      answered: findMarker(postmortem.body, "postmortem")?.severity,
    },
    config,
  );
  return now !== undefined && SEVERITIES.indexOf(named) > SEVERITIES.indexOf(now)
    ? named
    : undefined;
}

export interface LoweringInput {
  incident: IssueSnapshot;
  postmortem: IssueSnapshot;
  config: Config;
  /** Whose post-mortems count (src/core/trust/writers.ts). */
  writers: Writers;
  /** Who made the latest severity-label change on the incident (its events), and their permission now. */
  changedBy: { login: string | undefined; permission: Permission } | undefined;
}

/** The post-mortem's body with the lowered level in its marker and box, or nothing to do. */
export function planLowering(input: LoweringInput): Plan {
  const { incident, postmortem, config, changedBy, writers } = input;
  const level = loweringTo(incident, postmortem, config, writers);
  if (level === undefined) return [];
  if (
    changedBy?.login === undefined ||
    !permissionAtLeast(changedBy.permission, config.approvals.forceClosePermission)
  ) {
    return [];
  }
  const marker = findMarker(postmortem.body, "postmortem")!;
  const body = checkSeverityBox(
    setMarker(postmortem.body, "postmortem", { ...marker, severity: level }),
    level,
  );
  return [{ kind: "updateIssueBody", issueNumber: postmortem.number, body }];
}

/**
 * The body with section 10's severity boxes set to one level: its box checked, the other levels'
 * unchecked (a template without such boxes is left as it is). Only the brackets change.
 */
export function checkSeverityBox(body: string, level: Severity): string {
  const document = readDocument(body);
  const section = findSection(document, CLASSIFICATION_SECTION);
  if (!section) return body;
  let result = body;
  // From the end, so earlier offsets stay valid.
  for (const task of document.tasksIn(section.span).reverse()) {
    const named = /^P([1-4])\b/.exec(task.text)?.[1];
    if (named === undefined) continue;
    const wanted = `P${named}` === level;
    if (task.checked === wanted) continue;
    const line = result.slice(task.line.start, task.textSpan.start);
    const box = line.replace(/\[[ xX]\]/, wanted ? "[x]" : "[ ]");
    result = result.slice(0, task.line.start) + box + result.slice(task.textSpan.start);
  }
  return result;
}
