import type { AdoptionState } from "../core/adoption/plan.js";
import type { FlowsRunner } from "../core/flows/config.js";
import { incidentNamedIn, isAdopted, mayAdopt, planAdoption } from "../core/adoption/plan.js";
import { sameLabel } from "../core/config.js";
import type { Plan } from "../core/plan.js";
import type { GitHubGateway, Permission } from "../github/gateway.js";
import { isPermanentFailure } from "../github/gateway.js";
import type { AdoptionEvent } from "../github/webhook-events.js";
import { handleCapaEvent } from "./capa-handler.js";
import { loadConfig } from "./load-config.js";
import type { Logger } from "../core/logger.js";

/** Comment, marker, incident link, verify; with room for one failed write. */
export const MAX_ADOPTION_ROUNDS = 5;

const MAY_ADOPT: readonly Permission[] = ["triage", "write", "maintain", "admin"];

export type AdoptionOutcome = "ignored" | "refused" | "adopted";

/**
 * A person's issue got a post-mortem label: adopt it when the one who added the label (read from
 * the issue's events, not from the payload's sender alone) has triage access or more, then bring
 * its CAPA children in line at once, as for the post-mortems the App opens.
 */
export async function handleAdoptionEvent(
  gateway: GitHubGateway,
  event: AdoptionEvent,
  log: Logger,
  now: () => Date = () => new Date(),
  /** Who is running: adoption leads into the CAPA flow, so only the one `flows.runIn` names. */
  runner: FlowsRunner = "app",
): Promise<AdoptionOutcome> {
  const loaded = await loadConfig(gateway);
  if (!loaded.ok) return "ignored"; // the incident and CAPA flows report a broken configuration
  const config = loaded.config;
  if (config.flows.runIn !== runner) return "ignored";
  if (!config.postmortemLabels.some((name) => sameLabel(name, event.label))) return "ignored";
  if (!mayAdopt(event.issue, config)) return "ignored";

  let labeler: { login: string | undefined; mayAdopt: boolean } | undefined;
  for (let round = 1; round <= MAX_ADOPTION_ROUNDS; round++) {
    const issue = await gateway.getIssue(event.issue.number);
    if (!issue || !mayAdopt(issue, config)) return "ignored";
    const comments = await gateway.listComments(issue.number);
    if (!isAdopted(issue, comments) && !labeler) {
      const login = (await gateway.lastLabeling(issue.number, event.label))?.login;
      const permission = login === undefined ? "none" : await gateway.getPermission(login);
      labeler = { login, mayAdopt: MAY_ADOPT.includes(permission) };
    }
    const named = incidentNamedIn(issue.body);
    const incident =
      named === undefined || named === issue.number ? undefined : await gateway.getIssue(named);
    const state: AdoptionState = {
      issue,
      comments,
      labeledBy: labeler?.login,
      labelerMayAdopt: labeler?.mayAdopt ?? false,
      incident: incident && !incident.isPullRequest ? incident : undefined,
      incidentComments: incident ? await gateway.listComments(incident.number) : [],
    };
    const plan = planAdoption(state, config);
    if (plan.length === 0) {
      if (!isAdopted(issue, comments)) return "refused";
      // Boxes checked before the adoption become children now.
      await handleCapaEvent(
        gateway,
        { kind: "postmortemEdited", postmortem: issue.number },
        log,
        now,
        runner,
      );
      return "adopted";
    }
    log.info(`Adoption of #${issue.number}, round ${round}: ${plan.map((s) => s.kind).join(", ")}`);
    try {
      await applyAll(gateway, plan);
    } catch (error) {
      if (isPermanentFailure(error)) throw error;
      log.warn(`Adoption of #${issue.number}, round ${round} failed: ${String(error)}`);
      if (round === MAX_ADOPTION_ROUNDS) throw error;
    }
  }
  throw new Error(
    `Adoption of #${event.issue.number}: not stable after ${MAX_ADOPTION_ROUNDS} rounds`,
  );
}

async function applyAll(gateway: GitHubGateway, plan: Plan): Promise<void> {
  for (const step of plan) await gateway.apply(step);
}
