import type { Probot } from "probot";
import type { ConfigCache } from "../github/config-cache.js";
import type { GatewayOptions } from "../github/gateway.js";
import { sweepReminders } from "../handlers/reminder-handler.js";
import { forEachRepository } from "../github/installations.js";
import { every, featureLogger } from "./timers.js";
import type { EndpointSource } from "../core/notify/endpoints.js";
import type { InFlight } from "./in-flight.js";
import { appNotify } from "./notify.js";

export interface ReminderTimerOptions {
  intervalMs: number;
  configCache: ConfigCache;
  now: () => Date;
  /** How the sweep's gateways read the configuration (`CONFIG_EXTENDS_OWNERS`). */
  gatewayOptions?: GatewayOptions;
  /** The App's own slug, asked of GitHub once per process (src/app/app-slug.ts). */
  appSlug: () => Promise<string>;
  /** Chat receivers (`notify:`) and the in-flight set their sends are tracked in. */
  endpoints?: EndpointSource;
  inFlight?: InFlight;
}

/**
 * The App's own reminder runs (`REMINDER_INTERVAL`): every interval, every repository of every
 * installation is swept. Stateless like everything else: the last reminder is found on GitHub, so
 * replicas and restarts post nothing twice.
 */
export function startReminderTimer(app: Probot, options: ReminderTimerOptions): () => void {
  const log = featureLogger(app, "reminders");
  return every(
    options.intervalMs,
    () =>
      forEachRepository(
        app,
        options.configCache,
        log,
        async (gateway) => {
          const appSlug = await options.appSlug();
          const { endpoints, inFlight } = options;
          await sweepReminders({
            gateway,
            log,
            clock: options.now,
            frontDoor: "app",
            appSlug,
            ...(endpoints && inFlight
              ? { notify: appNotify({ gateway: gateway.base, endpoints, log, appSlug, inFlight }) }
              : {}),
          });
        },
        options.gatewayOptions,
      ),
    { log },
  );
}
