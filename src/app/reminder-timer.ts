import type { Probot } from "probot";
import type { HandlerDeps } from "../handlers/deps.js";
import type { ConfigCache } from "../github/config-cache.js";
import type { GatewayOptions } from "../github/gateway.js";
import { sweepReminders } from "../handlers/reminder-handler.js";
import { forEachRepository } from "../github/installations.js";
import { every, featureLogger } from "./timers.js";

export interface ReminderTimerOptions {
  intervalMs: number;
  configCache: ConfigCache;
  now: () => Date;
  /** How the sweep's gateways read the configuration (`CONFIG_EXTENDS_OWNERS`). */
  gatewayOptions?: GatewayOptions;
  /** The App's own slug, asked of GitHub once per process (src/app/app-slug.ts). */
  appSlug: () => Promise<string>;
  /** Tells chat what the sweep found (`notify:`); the App passes its notifier here as to its flows. */
  notify?: HandlerDeps["notify"];
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
          await sweepReminders({
            gateway,
            log,
            clock: options.now,
            frontDoor: "app",
            appSlug: await options.appSlug(),
            ...(options.notify ? { notify: options.notify } : {}),
          });
        },
        options.gatewayOptions,
      ),
    { log },
  );
}
