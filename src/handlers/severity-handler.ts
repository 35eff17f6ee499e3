import { isIncident } from "../core/identity.js";
import { canonicalPostmortem, postmortemsOf } from "../core/incident/plan.js";
import type { Step } from "../core/plan.js";
import type { LabelChange, SeverityLabelEvent } from "../core/severity-change/events.js";
import { severityLabelNames } from "../core/severity-change/events.js";
import { loweringTo, planLowering } from "../core/severity-change/plan.js";
import { sameLabel } from "../core/config.js";
import type { Permission } from "../github/gateway.js";
import { converge } from "./converge.js";
import type { HandlerDeps } from "./deps.js";
import { writersFor } from "./deps.js";
import { loadConfig } from "./load-config.js";

/** The marker's write and its verifying read, with room for one failed write. */
const MAX_SEVERITY_ROUNDS = 4;

export type SeverityOutcome = "ignored" | "refused" | "lowered";

/**
 * A severity label of an incident changed: when its labels now name a level below its
 * post-mortem's severity, and the latest severity-label change (read from the incident's events)
 * was made by someone with `approvals.forceClosePermission`, the lowered level is recorded in the
 * post-mortem's marker and box (src/core/severity-change/plan.ts). Anyone else's change lowers
 * nothing. The front door `flows.runIn` names does it, as it opened the post-mortem.
 */
export async function handleSeverityEvent(
  event: SeverityLabelEvent,
  deps: HandlerDeps,
): Promise<SeverityOutcome> {
  const gateway = deps.gateway.base;
  const loaded = await loadConfig(gateway);
  if (!loaded.ok) return "ignored"; // the other flows report a broken configuration
  const config = loaded.config;
  if (config.flows.runIn !== deps.frontDoor) return "ignored";
  const names = severityLabelNames(config);
  if (!names.some((name) => sameLabel(name, event.label))) return "ignored";

  const writers = writersFor(config, deps);
  const number = event.issue.number;
  const incident = await gateway.getIssue(number);
  if (!incident || !isIncident(incident, config, writers)) return "ignored";
  // A post-mortem is created after its incident: the listing stays short.
  const listed = await gateway.listIssuesWithLabel(config.postmortemLabels[0]!, incident.createdAt);
  let postmortem = canonicalPostmortem(postmortemsOf(listed, number, writers));
  if (!postmortem || loweringTo(incident, postmortem, config, writers) === undefined)
    return "ignored";

  // Only now, with a lower level named, who changed the severity labels last.
  const change = await gateway.lastLabelChange(number, names);
  const changedBy = await permissionOf(change, (login) => gateway.getPermission(login));
  const refused = planLowering({ incident, postmortem, config, changedBy, writers }).length === 0;
  if (refused) {
    deps.log.info(
      `Incident #${number}: severity labels name a lower level, but @${change?.login ?? "?"} (${changedBy?.permission ?? "none"}) may not lower it; it stays`,
    );
    return "refused";
  }
  let round = 0;
  return converge<Step, SeverityOutcome>({
    what: `Incident #${number}, severity`,
    maxRounds: MAX_SEVERITY_ROUNDS,
    log: deps.log,
    apply: (step) => gateway.apply(step),
    plan: async () => {
      if (round++ > 0) postmortem = await gateway.getIssue(postmortem!.number);
      if (!postmortem) return { done: "ignored" };
      const steps = planLowering({ incident, postmortem, config, changedBy, writers });
      return steps.length > 0 ? { write: steps } : { done: "lowered" };
    },
  });
}

async function permissionOf(
  change: LabelChange | undefined,
  read: (login: string) => Promise<Permission>,
): Promise<{ login: string | undefined; permission: Permission } | undefined> {
  if (change?.login === undefined) return undefined;
  return { login: change.login, permission: await read(change.login) };
}
