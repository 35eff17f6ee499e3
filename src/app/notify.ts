import type { Logger } from "../core/logger.js";
import type { EndpointSource } from "../core/notify/endpoints.js";
import type { GitHubGateway } from "../github/gateway.js";
import type { HandlerDeps } from "../handlers/deps.js";
import { makeNotifier } from "../handlers/notify.js";
import type { InFlight } from "./in-flight.js";

/**
 * The App's `notify`: the notifier (claim-then-send, src/handlers/notify.ts) run beside the
 * delivery rather than awaited by it, so a slow receiver never holds a flow or its answer to
 * GitHub; it is tracked in the in-flight set, so a shutdown waits for it as for a delivery.
 */
export function appNotify(options: {
  gateway: GitHubGateway;
  endpoints: EndpointSource;
  log: Logger;
  appSlug: string | undefined;
  inFlight: InFlight;
  /** Awaited by the caller (AWS Lambda) rather than run beside it. */
  inline?: boolean;
}): NonNullable<HandlerDeps["notify"]> {
  const notifier = makeNotifier({
    gateway: options.gateway,
    endpoints: options.endpoints,
    log: options.log,
    frontDoor: "app",
    ...(options.appSlug === undefined ? {} : { appSlug: options.appSlug }),
  });
  return (config, notices) => {
    if (notices.length === 0) return Promise.resolve();
    const { owner, repo } = options.gateway.repository;
    const what = `chat ${notices.map((notice) => notice.key).join(", ")} on ${owner}/${repo}`;
    const sending = options.inFlight.track(what, () => notifier(config, notices));
    if (options.inline) return sending;
    void sending;
    return Promise.resolve();
  };
}
