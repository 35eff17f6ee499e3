import type { Probot } from "probot";
import type { ConfigCache } from "../github/config-cache.js";
import { cacheKey } from "../github/config-cache.js";
import { knownPathIndex } from "../github/path-index.js";
import type { PushPayload } from "../github/webhook-events.js";
import { configFilesChangedBy, repositoryOf } from "../github/webhook-events.js";
import type { FlowPayload } from "../handlers/flows.js";
import { readsEventsNamed, workFor } from "../handlers/flows.js";
import type { LoadedConfig } from "../handlers/load-config.js";
import type { DeliverySummary } from "./delivery-log.js";
import { DeliveryFailed, loggableEvent } from "./delivery-log.js";

type Webhooks = Probot["webhooks"];
type Delivery = Parameters<Webhooks["verifyAndReceive"]>[0];
type Received = Parameters<Webhooks["receive"]>[0];

/** Where the gate says that it refused a delivery. */
export interface GateLog {
  error(fields: DeliverySummary, message: string): void;
}

const WRONG_SIGNATURE = "signature does not match event payload and secret";

/**
 * Lets go of deliveries that cannot concern any post-mortem before Probot prepares them: Probot
 * builds an authenticated Octokit and a logger for every delivery that has a handler, which costs
 * far more than deciding from the payload. A delivery let go is answered 200 and costs no request.
 *
 * Every delivery's signature is verified first, before its text is parsed: a forged one is refused
 * (400, as @octokit/webhooks does) without being parsed, and is logged by id and event only, never
 * with its payload (Probot's own refusal logs the whole text, whatever its size). A genuine one
 * goes to Probot as an event that logs as its summary (src/app/delivery-log.ts).
 */
export function installFrontGate(webhooks: Webhooks, configCache: ConfigCache, log: GateLog): void {
  webhooks.verifyAndReceive = async ({ id, name, payload: text, signature }: Delivery) => {
    const genuine = await webhooks.verify(text, signature).catch(() => false);
    if (!genuine) {
      log.error(
        { delivery: id, event: name },
        `refused a delivery: ${WRONG_SIGNATURE} (is WEBHOOK_SECRET the App's webhook secret?)`,
      );
      throw refusal(`[@octokit/webhooks] ${WRONG_SIGNATURE}`);
    }
    const payload = parse(text);
    if (payload === undefined) throw refusal("Invalid JSON");
    if (!wanted(name, payload, configCache)) {
      if (name === "push") forgetPushedConfig(payload, configCache);
      return;
    }
    const event = loggableEvent({ id, name, payload }) as unknown as Received;
    try {
      await webhooks.receive(event);
    } catch (error) {
      // @octokit/webhooks rejects with an AggregateError to which the event is attached; the
      // server's middleware logs it whole. This one carries the handlers' (clean) errors alone.
      const errors = error instanceof AggregateError ? (error.errors as unknown[]) : [error];
      const clean = errors.map((e) => (e instanceof DeliveryFailed ? e : new DeliveryFailed(e)));
      // The original is left out on purpose: as a `cause` it would be logged with its payload.
      // eslint-disable-next-line preserve-caught-error
      throw new AggregateError(clean, clean.map((e) => e.message).join("\n"));
    }
  };
}

/** A refusal as @octokit/webhooks makes it (status 400), without the delivery attached. */
function refusal(message: string): AggregateError {
  const error = Object.assign(new Error(message), { status: 400 });
  return new AggregateError([error], message);
}

function parse(payload: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(payload);
    return typeof parsed === "object" && parsed !== null
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
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
  const pathIndex = knownPathIndex(configCache, repository.owner, repository.repo);
  return workFor("app", name, webhook, known, { pathIndex }).length > 0;
}

function forgetPushedConfig(payload: PushPayload, configCache: ConfigCache): void {
  const changed = configFilesChangedBy(payload);
  if (changed) configCache.forget(changed.owner, changed.repo);
}
