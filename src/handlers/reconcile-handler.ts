import type { Config } from "../core/config.js";
import { reconcileCandidates } from "../core/reconcile/candidates.js";
import type { IssueSnapshot } from "../core/snapshots.js";
import { closeToJudge } from "../core/approvals/gate.js";
import { isOpenedPostmortem } from "../core/identity.js";
import { handleApprovalEvent } from "./approval-handler.js";
import { handleCapaEvent } from "./capa-handler.js";
import { handleEvidenceEvent } from "./evidence-handler.js";
import { sameLabel } from "../core/config.js";
import { evidenceOf, fixesOf } from "../core/evidence/model.js";
import { capaParentOf } from "../core/evidence/plan.js";
import type { IncidentOutcome } from "./incident-handler.js";
import { handleIncidentEvent } from "./incident-handler.js";
import { loadConfig } from "./load-config.js";
import { rebuildPathIndex } from "./path-index-sync.js";
import { pullBoardDates } from "./board-dates.js";
import type { HandlerDeps } from "./deps.js";
import { writersFor } from "./deps.js";
import type { Writers } from "../core/trust/writers.js";

export interface ReconcileCounts {
  incidentsChecked: number;
  incidentsSettled: number;
  postmortemsChecked: number;
  capaCompleted: number;
  /** Closed post-mortems judged because no run of theirs may have (finding their close standing). */
  closesJudged: number;
  closesReopened: number;
  /** CAPA children closed as completed whose close the evidence flow may have missed. */
  evidenceChecked: number;
  /** The deployment to `evidence.environment` the awaiting children were compared with, if any. */
  evidenceDeployment?: number;
  /** Path index entries written again (missing, not trusted, or their open CAPA changed). */
  pathIndexRebuilt?: number;
  /** CAPA children whose due date a person moved on the project's board (`projects:`). */
  boardDatesMoved?: number;
}

/**
 * Finds in one repository the work a lost process accepted and did not finish (incidents labeled
 * without a post-mortem, checked CAPA boxes without a child) and finishes it through the same
 * handlers, which re-read everything: a sweep never duplicates anything.
 */
export async function reconcileRepository(
  deps: HandlerDeps,
  since: Date,
): Promise<ReconcileCounts | "config-problem"> {
  const base = deps.gateway.base;
  const loaded = await loadConfig(base);
  if (!loaded.ok) return "config-problem";
  const config = loaded.config;
  // Who sweeps: the flows where `flows.runIn` names this front door, the closes where it enforces
  // the gate (`gate.enforceInApp`).
  const runsFlows = config.flows.runIn === deps.frontDoor;
  const enforcesGate = config.gate.enforceInApp === (deps.frontDoor === "app");
  const writers = writersFor(config, deps);
  const counts: ReconcileCounts = {
    incidentsChecked: 0,
    incidentsSettled: 0,
    postmortemsChecked: 0,
    capaCompleted: 0,
    closesJudged: 0,
    closesReopened: 0,
    evidenceChecked: 0,
  };
  if (!runsFlows && !enforcesGate) return counts;
  const [incidents, postmortems] = await Promise.all([
    runsFlows
      ? base.listIssuesWithLabel(config.incidentLabels[0]!, since.toISOString(), "open")
      : [],
    base.listIssuesWithLabel(config.postmortemLabels[0]!, since.toISOString()),
  ]);
  if (enforcesGate) {
    // A close whose own run was lost (cancelled, failed, never delivered) is judged here.
    for (const postmortem of postmortems.filter((issue) => standingClose(issue, writers))) {
      counts.closesJudged++;
      const result = await handleApprovalEvent(
        { kind: "closed", issue: postmortem, sender: postmortem.author },
        deps,
      );
      if (result.outcome === "judged" && result.decision === "blocked") counts.closesReopened++;
    }
  }
  if (!runsFlows) return counts;
  // Dates moved on the board while no delivery brought them (the Action has none; the App after a
  // restart): first, so the children's own sync below does not put the old dates back.
  const moved = await pullBoardDates(config, deps);
  if (moved > 0) counts.boardDatesMoved = moved;
  const candidates = reconcileCandidates(incidents, postmortems, config, writers);
  counts.incidentsChecked = candidates.incidents.length;
  counts.postmortemsChecked = candidates.postmortems.length;
  for (const incident of candidates.incidents) {
    const outcome = await settleIncident(incident, config, deps);
    if (outcome === "converged") counts.incidentsSettled++;
  }
  for (const postmortem of candidates.postmortems) {
    const outcome = await handleCapaEvent(
      { kind: "postmortemEdited", postmortem: postmortem.number },
      deps,
    );
    if (outcome !== "ignored") counts.capaCompleted++;
  }
  counts.evidenceChecked = await catchUpEvidence(config, deps, since);
  const shipped = await catchUpShipping(config, deps);
  if (shipped !== undefined) counts.evidenceDeployment = shipped;
  // The path index: the listed post-mortems with culprits get their entries rebuilt where missing
  // or untrusted and their open CAPA children refreshed; none with culprits, no request.
  const index = await rebuildPathIndex(base, config, writers, deps, {
    refresh: true,
    listed: postmortems,
  });
  if (index.rebuilt > 0) counts.pathIndexRebuilt = index.rebuilt;
  return counts;
}

/**
 * The shipping catch-up, with `evidence.environment` set: the newest successful deployment there
 * is handled as its `deployment_status` event would have been (a deployment made with a
 * workflow's `GITHUB_TOKEN` starts no workflow, so for the Action this is the main path). Costs
 * the deployment reads, then what that event costs: one listing of the awaiting children, one
 * `compare` per fix, the writes. Returns the deployment's id.
 */
async function catchUpShipping(config: Config, deps: HandlerDeps): Promise<number | undefined> {
  const environment = config.evidence.environment;
  if (environment === undefined) return undefined;
  const deployment = await deps.gateway.evidence.latestSuccessfulDeployment(environment);
  if (deployment === undefined) return undefined;
  await handleEvidenceEvent({ kind: "deployed", deployment }, deps);
  return deployment.id;
}

/**
 * The evidence flow's catch-up (where `flows.runIn` names this front door): children closed as completed within the
 * look-back that record no evidence and carry no no-evidence label are handled as their `closed`
 * delivery would have been, and their rows shown. A deployment missed is caught by the next one,
 * which compares every child still awaiting it, or by `catchUpShipping`.
 */
async function catchUpEvidence(config: Config, deps: HandlerDeps, since: Date): Promise<number> {
  const writers = writersFor(config, deps);
  const listed = await deps.gateway.base.listIssuesWithLabel(
    config.capa.labels[0]!,
    since.toISOString(),
  );
  const unsettled = listed.filter((issue) => {
    if (issue.state !== "closed" || issue.stateReason === "not_planned") return false;
    if (issue.stateReason === "duplicate" || capaParentOf(issue, writers) === undefined) {
      return false;
    }
    const evidence = evidenceOf(issue.body);
    return (
      fixesOf(evidence).length === 0 &&
      evidence.manual === undefined &&
      !issue.labels.some((label) => sameLabel(label, config.evidence.labels.noEvidence))
    );
  });
  for (const child of unsettled) {
    const outcome = await handleEvidenceEvent({ kind: "childClosed", child: child.number }, deps);
    if (outcome !== "ignored" && outcome !== "unchanged") {
      await handleCapaEvent(
        { kind: "childChanged", postmortem: capaParentOf(child, writers)! },
        deps,
      );
    }
  }
  return unsettled.length;
}

/**
 * Runs the incident flow for an incident as its `labeled` delivery would have (who added the
 * label and when, read from the issue's events), for a sweep or a backfill: one post-mortem,
 * however often it runs.
 */
export async function settleIncident(
  incident: IssueSnapshot,
  config: Config,
  deps: HandlerDeps,
): Promise<IncidentOutcome> {
  const label = config.incidentLabels.find((name) =>
    incident.labels.some((l) => l.toLowerCase() === name.toLowerCase()),
  );
  if (label === undefined) return "ignored";
  const labeling = await deps.gateway.lastLabeling(incident.number, label);
  return handleIncidentEvent(
    {
      kind: "labeled",
      issue: incident,
      label,
      sender: { login: labeling?.login ?? incident.author.login, type: "User" },
      at: labeling?.at ?? incident.createdAt,
    },
    deps,
  );
}

/** A post-mortem the App or the Action opened, closed (not as a duplicate) under `"gate":2`. */
function standingClose(issue: IssueSnapshot, writers: Writers): boolean {
  return (
    isOpenedPostmortem(issue, writers) && closeToJudge(issue) && issue.stateReason !== "duplicate"
  );
}
