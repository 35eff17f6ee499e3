import type { Config } from "../core/config.js";
import type { FlowsRunner } from "../core/flows/config.js";
import { reconcileCandidates } from "../core/reconcile/candidates.js";
import type { IssueSnapshot } from "../core/snapshots.js";
import type { ApprovalGateway } from "../github/approval-gateway.js";
import { handleCapaEvent } from "./capa-handler.js";
import type { IncidentOutcome } from "./incident-handler.js";
import { handleIncidentEvent } from "./incident-handler.js";
import { loadConfig } from "./load-config.js";
import type { Logger } from "../core/logger.js";

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
  /** Who sweeps: nothing is looked for where `flows.runIn` names the other. */
  runner: FlowsRunner = "app",
): Promise<ReconcileCounts | "config-problem"> {
  const base = gateway.base;
  const loaded = await loadConfig(base);
  if (!loaded.ok) return "config-problem";
  const config = loaded.config;
  if (config.flows.runIn !== runner) {
    return { incidentsChecked: 0, incidentsSettled: 0, postmortemsChecked: 0, capaCompleted: 0 };
  }
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
    const outcome = await settleIncident(gateway, incident, config, log, runner);
    if (outcome === "converged") counts.incidentsSettled++;
  }
  for (const postmortem of candidates.postmortems) {
    const outcome = await handleCapaEvent(
      base,
      { kind: "postmortemEdited", postmortem: postmortem.number },
      log,
      now,
      runner,
    );
    if (outcome !== "ignored") counts.capaCompleted++;
  }
  return counts;
}

/**
 * Runs the incident flow for an incident as its `labeled` delivery would have (who added the
 * label and when, read from the issue's events), for a sweep or a backfill: one post-mortem,
 * however often it runs.
 */
export async function settleIncident(
  gateway: ApprovalGateway,
  incident: IssueSnapshot,
  config: Config,
  log: Logger,
  runner: FlowsRunner,
): Promise<IncidentOutcome> {
  const label = config.incidentLabels.find((name) =>
    incident.labels.some((l) => l.toLowerCase() === name.toLowerCase()),
  );
  if (label === undefined) return "ignored";
  const labeling = await gateway.lastLabeling(incident.number, label);
  return handleIncidentEvent(
    gateway.base,
    {
      kind: "labeled",
      issue: incident,
      label,
      sender: { login: labeling?.login ?? incident.author.login, type: "User" },
      at: labeling?.at ?? incident.createdAt,
    },
    log,
    runner,
  );
}
