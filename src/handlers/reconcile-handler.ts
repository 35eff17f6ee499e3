import { reconcileCandidates } from "../core/reconcile/candidates.js";
import type { ApprovalGateway } from "../github/approval-gateway.js";
import { handleCapaEvent } from "./capa-handler.js";
import { handleIncidentEvent } from "./incident-handler.js";
import { loadConfig } from "./load-config.js";
import type { Logger } from "./logger.js";

export interface ReconcileCounts {
  incidentsChecked: number;
  incidentsSettled: number;
  postmortemsChecked: number;
  capaCompleted: number;
}

/**
 * Finds in one repository the work a lost process accepted and did not finish (incidents labeled
 * without a post-mortem, checked CAPA boxes without a child) and finishes it through the same
 * handlers, which re-read everything: a sweep never duplicates anything.
 */
export async function reconcileRepository(
  gateway: ApprovalGateway,
  log: Logger,
  since: Date,
  now: () => Date = () => new Date(),
): Promise<ReconcileCounts | "config-problem"> {
  const base = gateway.base;
  const loaded = await loadConfig(base);
  if (!loaded.ok) return "config-problem";
  const config = loaded.config;
  const [incidents, postmortems] = await Promise.all([
    base.listIssuesWithLabel(config.incidentLabels[0]!, since.toISOString(), "open"),
    base.listIssuesWithLabel(config.postmortemLabels[0]!, since.toISOString()),
  ]);
  const candidates = reconcileCandidates(incidents, postmortems, config);
  const counts: ReconcileCounts = {
    incidentsChecked: candidates.incidents.length,
    incidentsSettled: 0,
    postmortemsChecked: candidates.postmortems.length,
    capaCompleted: 0,
  };
  for (const incident of candidates.incidents) {
    // As the labeled delivery would have said: who added the label, read from the issue's events.
    const label = config.incidentLabels.find((name) =>
      incident.labels.some((l) => l.toLowerCase() === name.toLowerCase()),
    )!;
    const labeling = await gateway.lastLabeling(incident.number, label);
    const outcome = await handleIncidentEvent(
      base,
      {
        kind: "labeled",
        issue: incident,
        label,
        sender: { login: labeling?.login ?? incident.author.login, type: "User" },
        at: labeling?.at ?? incident.createdAt,
      },
      log,
    );
    if (outcome === "converged") counts.incidentsSettled++;
  }
  for (const postmortem of candidates.postmortems) {
    const outcome = await handleCapaEvent(
      base,
      { kind: "postmortemEdited", postmortem: postmortem.number },
      log,
      now,
    );
    if (outcome !== "ignored") counts.capaCompleted++;
  }
  return counts;
}
