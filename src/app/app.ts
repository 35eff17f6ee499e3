import type { Context, Probot } from "probot";
import { registerApprovalGate } from "./approval-gate.js";
import { canDismiss } from "../core/incident/events.js";
import { flowsRunElsewhere } from "../core/flows/config.js";
import { ConfigCache, DEFAULT_CONFIG_MAX_AGE_MS } from "../github/config-cache.js";
import { GitHubGateway } from "../github/gateway.js";
import { installFrontGate } from "./front-gate.js";
import type { CapaWebhookPayload } from "../github/webhook-events.js";
import {
  readAdoptionEvent,
  readCapaEvent,
  readIncidentEvent,
  readTimelineEvent,
  repositoryOf,
} from "../github/webhook-events.js";
import { canDismissAdoption } from "../core/adoption/plan.js";
import { handleAdoptionEvent } from "../handlers/adoption-handler.js";
import { handleCapaEvent } from "../handlers/capa-handler.js";
import { handleIncidentEvent } from "../handlers/incident-handler.js";
import { handleTimelineEvent, timelineIssueOf } from "../handlers/timeline-handler.js";
import { canDismissTimeline } from "../core/timeline/events.js";
import { knownConfig } from "../handlers/load-config.js";
import type { Logger } from "../core/logger.js";
import { InFlight } from "./in-flight.js";
import { KeyedQueue } from "./keyed-queue.js";
import { startReconcileTimer } from "./reconcile-timer.js";
import { startReminderTimer } from "./reminder-timer.js";

/** How far back a reconcile sweep looks: a day covers any restart or outage worth the name. */
const RECONCILE_LOOK_BACK_MS = 86_400_000;

export interface PostmortemAppOptions {
  /** The clock for due dates and approval days; tests pass a fixed one. */
  now?: () => Date;
  /** How long a repository's configuration is used without asking GitHub (`CONFIG_MAX_AGE`). */
  configMaxAgeMs?: number;
  /** Sweep for reminders this often (`REMINDER_INTERVAL`); undefined: never. */
  reminderIntervalMs?: number;
  /** Look for accepted but unfinished work this often, and once at start (`RECONCILE_INTERVAL`). */
  reconcileIntervalMs?: number;
  /** Where the server counts the deliveries it is working on, to drain them on shutdown. */
  inFlight?: InFlight;
}

/**
 * The Probot shell: read the delivery, hand it to a handler, log what happened. Deliveries for the
 * same issue run one after another in this process; across replicas the handlers converge.
 */
export function createPostmortemApp(options: PostmortemAppOptions = {}) {
  return (app: Probot): void => postmortemApp(app, options);
}

export default createPostmortemApp();

function postmortemApp(app: Probot, options: PostmortemAppOptions): void {
  const now = options.now ?? (() => new Date());
  const configCache = new ConfigCache({
    maxAgeMs: options.configMaxAgeMs ?? DEFAULT_CONFIG_MAX_AGE_MS,
    now: () => now().getTime(),
  });
  const perIssue = new KeyedQueue();
  const inFlight = options.inFlight ?? new InFlight();
  // Enforced only where `gate.enforceInApp: true`; see approval-app.ts.
  registerApprovalGate(app, { now, configCache });

  app.on(["issues", "issue_comment.created", "sub_issues"], async (context: Context) => {
    const payload = context.payload as CapaWebhookPayload;
    const repository = repositoryOf(payload);
    if (!repository) return;
    // Decided from the payload alone (and a fresh cached config): most deliveries end here,
    // without a request.
    const gateway = new GitHubGateway(context.octokit, repository, configCache);
    const incidentEvent = readIncidentEvent(context.name, payload);
    const capaEvent = readCapaEvent(context.name, payload);
    const wantsIncident = incidentEvent && !canDismiss(incidentEvent, knownConfig(gateway));
    // `flows.runIn: action`: the Action runs the CAPA flow; the handler checks it again.
    const wantsCapa = capaEvent && !flowsRunElsewhere(knownConfig(gateway), "app");
    const timelineEvent = readTimelineEvent(context.name, payload);
    const wantsTimeline = timelineEvent && !canDismissTimeline(timelineEvent, knownConfig(gateway));
    // Adopting a hand-written post-mortem leads into the CAPA flow: it goes where that flow runs.
    const adoptionEvent = readAdoptionEvent(context.name, payload);
    const wantsAdoption =
      adoptionEvent &&
      !canDismissAdoption(adoptionEvent.label, knownConfig(gateway)) &&
      !flowsRunElsewhere(knownConfig(gateway), "app");
    if (!wantsIncident && !wantsCapa && !wantsTimeline && !wantsAdoption) return;

    const run = async (issueNumber: number, handle: (log: Logger) => Promise<string>) => {
      const key = `${repository.owner}/${repository.repo}#${issueNumber}`;
      const log = context.log.child({ delivery: context.id, issue: key });
      const what = `${context.name}.${payload.action ?? ""} on ${key} (delivery ${context.id})`;
      await inFlight.track(what, () =>
        perIssue.run(key, async () => {
          const outcome = await handle(loggerOf(log));
          const line = `${context.name}.${payload.action ?? ""} on ${key}: ${outcome}`;
          if (outcome === "ignored") log.debug(line);
          else log.info(line);
        }),
      );
    };
    if (wantsIncident) {
      await run(incidentEvent.issue.number, (log) =>
        handleIncidentEvent(gateway, incidentEvent, log),
      );
    }
    if (wantsCapa) {
      await run(capaEvent.postmortem, (log) => handleCapaEvent(gateway, capaEvent, log, now));
    }
    if (wantsAdoption) {
      await run(adoptionEvent.issue.number, (log) =>
        handleAdoptionEvent(gateway, adoptionEvent, log, now),
      );
    }
    if (wantsTimeline) {
      await run(timelineIssueOf(timelineEvent), (log) =>
        handleTimelineEvent(gateway, timelineEvent, log),
      );
    }
  });

  // Pushes and other deliveries that concern no post-mortem end here, before Probot prepares them.
  installFrontGate(app.webhooks, configCache);

  if (options.reminderIntervalMs !== undefined && options.reminderIntervalMs > 0) {
    startReminderTimer(app, { intervalMs: options.reminderIntervalMs, configCache, now });
  }
  if (options.reconcileIntervalMs !== undefined && options.reconcileIntervalMs > 0) {
    startReconcileTimer(app, {
      intervalMs: options.reconcileIntervalMs,
      lookBackMs: RECONCILE_LOOK_BACK_MS,
      configCache,
      now,
      inFlight,
    });
  }
}

function loggerOf(log: Context["log"]): Logger {
  return {
    info: (message) => log.info(message),
    warn: (message) => log.warn(message),
    error: (message) => log.error(message),
  };
}
