/*
 * Evidence that a corrective action is done (issue #19), for the flows here, the Action's modes,
 * and the consumers that count it (src/core/reminders/sweep.ts `unprovenChildren` for the release
 * gate and the reminders, src/core/report/compute.ts for the report):
 * - `evidenceOf(child.body)` reads what the product recorded on a CAPA child (only on children
 *   the product wrote: `capaParentOf` / `childrenOf` decide that first);
 * - `judgeChild(child, evidence, { required, environment, timeZone })` gives its row status,
 *   whether it still counts as open (gate, reminders, report's on-time share), what is missing,
 *   and which of the two labels it should carry;
 * - `requiredFor(config, postmortemBody, incidentLabels)`: what its severity's policy asks;
 * - the labels in `config.evidence.labels` list the children awaiting a deployment and those closed
 *   without the evidence asked for: one paged listing each.
 * Fix times for the report: `fixesOf(evidence)` (`at`: merged), `evidence.shipped?.at`.
 */
export type { CapaEvidence, EvidenceConfig } from "./config.js";
export { CAPA_EVIDENCE, evidenceConfigSchema } from "./config.js";
export type {
  ChildState,
  Evidence,
  EvidenceJudgement,
  EvidenceStatus,
  ManualEvidence,
  MergedFix,
  Shipment,
} from "./model.js";
export { evidenceOf, fixesOf, isShipped, judgeChild, satisfies, withEvidence } from "./model.js";
export {
  capaParentOf,
  planChildEvidence,
  readEvidenceCommand,
  recordFixes,
  recordManual,
  recordRevert,
  recordShipment,
  requiredFor,
  uniformRequirement,
} from "./plan.js";
