import type { Probot } from "probot";
import type { ConfigCache } from "../github/config-cache.js";
import { cacheKey } from "../github/config-cache.js";
import type { PushPayload } from "../github/webhook-events.js";
import { configFilesChangedBy, repositoryOf } from "../github/webhook-events.js";
import type { FlowPayload } from "../handlers/flows.js";
import { readsEventsNamed, workFor } from "../handlers/flows.js";
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

/**
 * Whether a delivery may concern a post-mortem, judged from its payload and a fresh config: some
 * flow of the App's wants it (the flow list in src/handlers/flows.ts decides, as for the App's
 * dispatch). Events no flow reads go on to Probot as before; pushes only refresh the cache.
 */
export function wanted(
  name: string,
  payload: Record<string, unknown>,
  configCache: ConfigCache,
): boolean {
  if (name === "push") return false;
  if (!readsEventsNamed("app", name)) return true;
  const webhook = payload as FlowPayload;
  const repository = repositoryOf(webhook);
  if (!repository) return true;
  const known = configCache.peek<LoadedConfig>(cacheKey(repository.owner, repository.repo));
  return workFor("app", name, webhook, known).length > 0;
}

function forgetPushedConfig(payload: PushPayload, configCache: ConfigCache): void {
  const changed = configFilesChangedBy(payload);
  if (changed) configCache.forget(changed.owner, changed.repo);
}
