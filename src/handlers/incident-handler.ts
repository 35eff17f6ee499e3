import { builtInTemplate, BUILT_IN_TEMPLATE_PATH } from "../built-in-template.js";
import type { Config } from "../core/config.js";
import type { IncidentEvent } from "../core/events.js";
import { isTrigger, mightBeTrigger } from "../core/events.js";
import type { IncidentState } from "../core/incident.js";
import {
  acknowledgeCommand,
  canonicalPostmortem,
  isPostmortem,
  planIncident,
  reportProblem,
} from "../core/incident.js";
import type { Plan } from "../core/plan.js";
import type { TemplateSource } from "../core/postmortem-content.js";
import type { GitHubGateway, Permission } from "../github/gateway.js";
import { isPermanentFailure } from "../github/gateway.js";
import { loadConfig } from "./load-config.js";
import type { Logger } from "./logger.js";

/** Enough for create → verify → link → verify, with room for one failed write in between. */
export const MAX_ROUNDS = 6;

const MAY_REQUEST: readonly Permission[] = ["triage", "write", "maintain", "admin"];

export type IncidentOutcome = "ignored" | "config-problem" | "converged";

/**
 * Reads the state, asks the core for a plan, applies it, and repeats until the plan is empty.
 * Every round starts from a fresh read, so a lost answer, a redelivery or another replica's work
 * is seen and built on instead of repeated.
 */
export async function handleIncidentEvent(
  gateway: GitHubGateway,
  event: IncidentEvent,
  log: Logger,
): Promise<IncidentOutcome> {
  const loaded = await loadConfig(gateway);
  if (!loaded.ok) {
    if (!mightBeTrigger(event, loaded.incidentLabels)) return "ignored";
    log.warn(`Configuration problem reported on #${event.issue.number}: ${loaded.problem}`);
    const comments = await gateway.listComments(event.issue.number);
    await applyPlan(gateway, reportProblem(event.issue.number, loaded.problem, comments));
    return "config-problem";
  }
  const config = loaded.config;
  if (!isTrigger(event, config)) return "ignored";

  const requesterMayOpen =
    event.kind !== "command" ||
    MAY_REQUEST.includes(await gateway.getPermission(event.sender.login));
  let template: IncidentState["template"];

  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const incident = await gateway.getIssue(event.issue.number);
    if (!incident || incident.isPullRequest || isPostmortem(incident, config)) return "ignored";
    const postmortems = await gateway.listPostmortemsOf(
      incident.number,
      config.postmortemLabels[0]!,
    );
    const incidentComments = await gateway.listComments(incident.number);
    if (!canonicalPostmortem(postmortems)) template ??= await loadTemplate(gateway, config);

    const plan = planIncident({
      event,
      config,
      repository: gateway.repository,
      state: { incident, postmortems, incidentComments, requesterMayOpen, template },
    });
    if (plan.length === 0) {
      await applyPlan(gateway, acknowledgeCommand(event, requesterMayOpen));
      return "converged";
    }
    log.info(
      `Incident #${incident.number}, round ${round}: ${plan.map((step) => step.kind).join(", ")}`,
    );
    try {
      await applyPlan(gateway, plan);
    } catch (error) {
      // GitHub refused the request itself (e.g. a locked issue): another round would too.
      if (isPermanentFailure(error)) throw error;
      // The write may or may not have happened (a lost answer): the next round reads and decides.
      log.warn(`Incident #${incident.number}, round ${round} failed: ${describe(error)}`);
      if (round === MAX_ROUNDS) throw error;
    }
  }
  throw new Error(`Incident #${event.issue.number}: no stable state after ${MAX_ROUNDS} rounds`);
}

async function applyPlan(gateway: GitHubGateway, plan: Plan): Promise<void> {
  for (const step of plan) await gateway.apply(step);
}

async function loadTemplate(
  gateway: GitHubGateway,
  config: Config,
): Promise<TemplateSource | { problem: string }> {
  if (config.template === undefined) {
    return { name: BUILT_IN_TEMPLATE_PATH, source: builtInTemplate() };
  }
  const source = await gateway.readFile(config.template);
  if (source === undefined) {
    return {
      problem: `The template \`${config.template}\` (configured as \`template\`) was not found on branch \`${gateway.repository.defaultBranch}\`.`,
    };
  }
  return { name: config.template, source };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
