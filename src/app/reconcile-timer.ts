import type { Probot } from "probot";
import type { ConfigCache } from "../github/config-cache.js";
import type { GatewayOptions, GitHubGateway } from "../github/gateway.js";
import type { RepositoryReach } from "../github/reach.js";
import { reconcileRepository } from "../handlers/reconcile-handler.js";
import type { InFlight } from "./in-flight.js";
import { defaultConfig } from "../core/config.js";
import type { LoadedConfig } from "../handlers/load-config.js";
import { forEachRepositoryWithRecentIssues } from "../github/installations.js";
import { every, featureLogger } from "./timers.js";
import type { KnownProjects } from "../github/projects.js";
import type { EndpointSource } from "../core/notify/endpoints.js";
import { appNotify } from "./notify.js";

export interface ReconcileTimerOptions {
  intervalMs: number;
  /** How far back a sweep looks (issues updated since then). */
  lookBackMs: number;
  configCache: ConfigCache;
  now: () => Date;
  inFlight: InFlight;
  /** How the sweep's gateways read the configuration (`CONFIG_EXTENDS_OWNERS`). */
  gatewayOptions?: GatewayOptions;
  /** How an incident's private post-mortem reaches its repository (`private.repository`). */
  reach?: RepositoryReach;
  /** The App's own slug, asked of GitHub once per process (src/app/app-slug.ts). */
  appSlug: () => Promise<string>;
  /** Chat receivers (`notify:`): a post-mortem the sweep opens is told as a delivery's is. */
  endpoints?: EndpointSource;
  /** The projects the configurations name: the sweep learns them too (`projects:`). */
  projects?: KnownProjects;
}

/**
 * Catches up on work that was accepted and not finished (a process stopped mid-delivery, a
 * delivery GitHub never retried): at start, then every `RECONCILE_INTERVAL`. The handlers re-check
 * everything with consistent reads, so a sweep never duplicates anything.
 */
export function startReconcileTimer(app: Probot, options: ReconcileTimerOptions): () => void {
  const log = featureLogger(app, "reconcile");
  return every(
    options.intervalMs,
    () =>
      options.inFlight.track("reconcile sweep", () => {
        const since = new Date(options.now().getTime() - options.lookBackMs);
        // The labels of every configuration seen, the defaults included.
        const configs = options.configCache
          .knownValues<LoadedConfig>()
          .flatMap((loaded) => (loaded.ok ? [loaded.config] : []));
        const labels = [defaultConfig, ...configs].flatMap((config) => [
          ...config.incidentLabels,
          ...config.postmortemLabels,
        ]);
        return forEachRepositoryWithRecentIssues(
          app,
          options.configCache,
          log,
          { labels, since },
          async (gateway) => {
            const appSlug = await options.appSlug();
            const { endpoints, inFlight } = options;
            const counts = await reconcileRepository(
              {
                gateway,
                log,
                clock: options.now,
                frontDoor: "app",
                ...(options.reach ? { reach: options.reach } : {}),
                appSlug,
                ...(endpoints
                  ? {
                      notify: appNotify({
                        gateway: gateway.base,
                        endpoints,
                        log,
                        appSlug,
                        inFlight,
                      }),
                      notifyIn: (target: GitHubGateway) =>
                        appNotify({ gateway: target, endpoints, log, appSlug, inFlight }),
                    }
                  : {}),
                ...(options.projects ? { projects: options.projects } : {}),
              },
              since,
            );
            if (counts === "config-problem") return;
            const { owner, repo } = gateway.repository;
            log.info(
              `reconciled ${owner}/${repo}: ${Object.entries(counts)
                .map(([name, value]) => `${name} ${value}`)
                .join(", ")}`,
            );
          },
          options.gatewayOptions,
        );
      }),
    { atStart: true, log },
  );
}
