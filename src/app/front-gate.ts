import type { Probot } from "probot";
import { canDismissAdoption } from "../core/adoption/plan.js";
import { canDismiss } from "../core/incident/events.js";
import { flowsRunElsewhere } from "../core/flows/config.js";
import { readApprovalEvent } from "../github/approval-events.js";
import type { ConfigCache } from "../github/config-cache.js";
import { cacheKey } from "../github/config-cache.js";
import type { CapaWebhookPayload, PushPayload } from "../github/webhook-events.js";
import {
  configFilesChangedBy,
  readAdoptionEvent,
  readCapaEvent,
  readIncidentEvent,
  readTimelineEvent,
  repositoryOf,
} from "../github/webhook-events.js";
import { canDismissTimeline } from "../core/timeline/events.js";
import type { LoadedConfig } from "../handlers/load-config.js";

type Webhooks = Probot["webhooks"];
type Delivery = Parameters<Webhooks["verifyAndReceive"]>[0];

/**
 * Lets go of deliveries that cannot concern any post-mortem before Probot prepares them: Probot
 * builds an authenticated Octokit and a logger for every delivery that has a handler, which costs
 * far more than deciding from the payload. A delivery let go is still verified exactly as one that
 * goes on (a forged one is refused the same way); it is answered 200 and costs no request.
 */
export function installFrontGate(webhooks: Webhooks, configCache: ConfigCache): void {
  const verifyAndReceive = webhooks.verifyAndReceive.bind(webhooks);
  webhooks.verifyAndReceive = async (delivery: Delivery) => {
    const payload = parse(delivery.payload);
    if (payload === undefined || wanted(delivery.name, payload, configCache)) {
      return verifyAndReceive(delivery);
    }
    const genuine = await webhooks.verify(delivery.payload, delivery.signature).catch(() => false);
    if (!genuine) return verifyAndReceive(delivery);
    if (delivery.name === "push") forgetPushedConfig(payload, configCache);
  };
}

function parse(payload: string | object): Record<string, unknown> | undefined {
  if (typeof payload !== "string") return undefined;
  try {
    return JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return undefined; // Probot answers malformed JSON itself.
  }
}

/** Whether a delivery may concern a post-mortem, judged from its payload and a fresh config. */
export function wanted(
  name: string,
  payload: Record<string, unknown>,
  configCache: ConfigCache,
): boolean {
  if (name === "push") return false;
  if (name !== "issues" && name !== "issue_comment" && name !== "sub_issues") return true;
  const webhook = payload as CapaWebhookPayload;
  const repository = repositoryOf(webhook);
  if (!repository) return true;
  const known = configCache.peek<LoadedConfig>(cacheKey(repository.owner, repository.repo));
  if (readCapaEvent(name, webhook) && !flowsRunElsewhere(known, "app")) return true;
  const incident = readIncidentEvent(name, webhook);
  if (incident && !canDismiss(incident, known)) return true;
  const adoption = readAdoptionEvent(name, webhook);
  if (adoption && !canDismissAdoption(adoption.label, known)) return true;
  const timeline = readTimelineEvent(name, webhook);
  if (timeline && !canDismissTimeline(timeline, known)) return true;
  const approval = readApprovalEvent(name, webhook);
  if (approval && approval.kind !== "other") {
    // The App writes for the gate only where the configuration says so.
    return !known?.ok || known.config.gate.enforceInApp;
  }
  return false;
}

function forgetPushedConfig(payload: PushPayload, configCache: ConfigCache): void {
  const changed = configFilesChangedBy(payload);
  if (changed) configCache.forget(changed.owner, changed.repo);
}
