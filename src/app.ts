import type { Context, Probot } from "probot";
import { registerApprovalGate } from "./approval-app.js";
import { GitHubGateway } from "./github/gateway.js";
import type { CapaWebhookPayload } from "./github/webhook-events.js";
import { readCapaEvent, readIncidentEvent, repositoryOf } from "./github/webhook-events.js";
import { handleCapaEvent } from "./handlers/capa-handler.js";
import { handleIncidentEvent } from "./handlers/incident-handler.js";
import type { Logger } from "./handlers/logger.js";
import { KeyedQueue } from "./keyed-queue.js";

export interface PostmortemAppOptions {
  /** The clock for due dates and approval days; tests pass a fixed one. */
  now?: () => Date;
}

/**
 * The Probot shell: read the delivery, hand it to a handler, log what happened. Deliveries for the
 * same issue run one after another in this process; across replicas the handlers converge.
 */
export function createPostmortemApp(options: PostmortemAppOptions = {}) {
  const now = options.now ?? (() => new Date());
  return (app: Probot): void => postmortemApp(app, now);
}

export default createPostmortemApp();

function postmortemApp(app: Probot, now: () => Date): void {
  const perIssue = new KeyedQueue();
  // Enforced only where `gate.enforceInApp: true`; see approval-app.ts.
  registerApprovalGate(app, now);

  app.on(["issues", "issue_comment.created", "sub_issues"], async (context: Context) => {
    const payload = context.payload as CapaWebhookPayload;
    const repository = repositoryOf(payload);
    if (!repository) return;
    const gateway = new GitHubGateway(context.octokit, repository);
    const run = async (issueNumber: number, handle: (log: Logger) => Promise<string>) => {
      const key = `${repository.owner}/${repository.repo}#${issueNumber}`;
      const log = context.log.child({ delivery: context.id, issue: key });
      await perIssue.run(key, async () => {
        const outcome = await handle(loggerOf(log));
        log.info(`${context.name}.${payload.action ?? ""} on ${key}: ${outcome}`);
      });
    };

    const incidentEvent = readIncidentEvent(context.name, payload);
    if (incidentEvent) {
      await run(incidentEvent.issue.number, (log) =>
        handleIncidentEvent(gateway, incidentEvent, log),
      );
    }
    const capaEvent = readCapaEvent(context.name, payload);
    if (capaEvent) {
      await run(capaEvent.postmortem, (log) => handleCapaEvent(gateway, capaEvent, log, now));
    }
  });
}

function loggerOf(log: Context["log"]): Logger {
  return {
    info: (message) => log.info(message),
    warn: (message) => log.warn(message),
    error: (message) => log.error(message),
  };
}
