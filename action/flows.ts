import { canDismiss } from "../src/core/incident/events.js";
import { flowsRunElsewhere } from "../src/core/flows/config.js";
import type { ApprovalGateway } from "../src/github/approval-gateway.js";
import {
  readAdoptionEvent,
  readCapaEvent,
  readIncidentEvent,
} from "../src/github/webhook-events.js";
import { handleAdoptionEvent } from "../src/handlers/adoption-handler.js";
import { handleCapaEvent } from "../src/handlers/capa-handler.js";
import { handleIncidentEvent } from "../src/handlers/incident-handler.js";
import { loadConfig } from "../src/handlers/load-config.js";
import type { RunContext } from "./context.js";

/**
 * The incident and CAPA flows for one `issues` or `issue_comment` event, where the configuration
 * names the Action (`flows.runIn: action`); the same handlers as the App's. False where the run
 * must stop (the job failed).
 */
export async function runFlows(context: RunContext, gateway: ApprovalGateway): Promise<boolean> {
  const { name: eventName, payload } = context.event;
  const { log } = context;
  const now = () => new Date();
  // As the App: an issue opened without labels is no trigger, whatever the configuration says.
  const read = readIncidentEvent(eventName, payload);
  const incidentEvent = read && !canDismiss(read, undefined, "action") ? read : undefined;
  const capaEvent = readCapaEvent(eventName, payload);
  const adoptionEvent = readAdoptionEvent(eventName, payload);
  if (!incidentEvent && !capaEvent && !adoptionEvent) return true;
  const loaded = await loadConfig(gateway.base);
  if (flowsRunElsewhere(loaded, "action")) {
    log.debug("postmortem-bot: flows.runIn is app: the App runs the incident and CAPA flows");
    return true;
  }
  const outcomes: string[] = [];
  if (incidentEvent) {
    const outcome = await handleIncidentEvent(gateway.base, incidentEvent, log, "action");
    log.info(`Incident #${incidentEvent.issue.number}: ${outcome}`);
    outcomes.push(outcome);
  }
  if (capaEvent) {
    const outcome = await handleCapaEvent(gateway.base, capaEvent, log, now, "action");
    log.info(`Post-mortem #${capaEvent.postmortem}, corrective actions: ${outcome}`);
    outcomes.push(outcome);
  }
  if (adoptionEvent) {
    const outcome = await handleAdoptionEvent(gateway.base, adoptionEvent, log, now, "action");
    if (outcome !== "ignored") log.info(`#${adoptionEvent.issue.number}, adoption: ${outcome}`);
  }
  // The handler reported it on the issue; the failed job shows it in the Actions tab too.
  if (!loaded.ok && outcomes.includes("config-problem")) {
    context.fail(loaded.problem);
    return false;
  }
  return true;
}
