import type { Context, Probot } from "probot";
import type { ConfigCache } from "../github/config-cache.js";
import { ApprovalGateway } from "../github/approval-gateway.js";
import { readApprovalEvent } from "../github/approval-events.js";
import type { WebhookPayload } from "../github/webhook-events.js";
import { repositoryOf } from "../github/webhook-events.js";
import { handleApprovalEvent } from "../handlers/approval-handler.js";
import { loadConfig } from "../handlers/load-config.js";
import type { Logger } from "../core/logger.js";
import { KeyedQueue } from "./keyed-queue.js";

/**
 * The approval gate in the App, for teams without Actions: closes of post-mortems and `/approve`
 * commands, enforced only where the repository's config says `gate.enforceInApp: true` (read on
 * each delivery; elsewhere the Action enforces, and the App costs only that read).
 */
export function registerApprovalGate(
  app: Probot,
  options: { now: () => Date; configCache?: ConfigCache },
): void {
  const perIssue = new KeyedQueue();

  app.on(["issues.closed", "issue_comment.created"], async (context: Context) => {
    const payload = context.payload as WebhookPayload;
    const event = readApprovalEvent(context.name, payload);
    const repository = repositoryOf(payload);
    // Only closes and commands need the App to write; other events have nothing to enforce.
    if (!event || event.kind === "other" || !repository) return;
    const key = `${repository.owner}/${repository.repo}#${event.issue.number}`;
    const log = context.log.child({ delivery: context.id, issue: key, feature: "approval-gate" });
    const logger: Logger = {
      info: (message) => log.info(message),
      warn: (message) => log.warn(message),
      error: (message) => log.error(message),
    };
    const gateway = new ApprovalGateway(context.octokit, repository, logger, options.configCache);
    const loaded = await loadConfig(gateway.base);
    if (!loaded.ok || !loaded.config.gate.enforceInApp) return;

    await perIssue.run(key, async () => {
      const result = await handleApprovalEvent(gateway, event, logger, {
        runner: "app",
        config: loaded.config,
        now: options.now(),
      });
      log.info(`approval gate: ${result.message}`);
    });
  });
}
