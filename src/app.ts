import type { Probot } from "probot";
import { GitHubGateway } from "./github/gateway.js";
import type { WebhookPayload } from "./github/webhook-events.js";
import { readIncidentEvent, repositoryOf } from "./github/webhook-events.js";
import { handleIncidentEvent } from "./handlers/incident-handler.js";
import { KeyedQueue } from "./keyed-queue.js";

/**
 * The Probot shell: read the delivery, hand it to the handler, log what happened. Deliveries for
 * the same issue run one after another in this process; across replicas the handler converges.
 */
export default function postmortemApp(app: Probot): void {
  const perIssue = new KeyedQueue();

  app.on(["issues.opened", "issues.labeled", "issue_comment.created"], async (context) => {
    const payload = context.payload as WebhookPayload;
    const event = readIncidentEvent(context.name, payload);
    const repository = repositoryOf(payload);
    if (!event || !repository) return;

    const key = `${repository.owner}/${repository.repo}#${event.issue.number}`;
    const gateway = new GitHubGateway(context.octokit, repository);
    const log = context.log.child({ delivery: context.id, issue: key });
    await perIssue.run(key, async () => {
      const outcome = await handleIncidentEvent(gateway, event, {
        info: (message) => log.info(message),
        warn: (message) => log.warn(message),
        error: (message) => log.error(message),
      });
      log.info(`${context.name}.${payload.action ?? ""} on ${key}: ${outcome}`);
    });
  });
}
