import type { Context, Probot } from "probot";
import { ApprovalGateway } from "../github/approval-gateway.js";
import type { GitHubGateway } from "../github/gateway.js";
import { appSlugOf } from "./app-slug.js";
import { ConfigCache, DEFAULT_CONFIG_MAX_AGE_MS } from "../github/config-cache.js";
import { appRepositoryReach } from "../github/installations.js";
import { repositoryOf } from "../github/webhook-events.js";
import type { FlowPayload } from "../handlers/flows.js";
import { deliveriesOf, workFor } from "../handlers/flows.js";
import { knownConfig } from "../handlers/load-config.js";
import { handleBoardEdit } from "../handlers/board-dates.js";
import { KnownProjects } from "../github/projects.js";
import { readBoardEdit } from "../github/webhook-events.js";
import { DeliveryFailed } from "./delivery-log.js";
import { installFrontGate } from "./front-gate.js";
import type { Logger } from "../core/logger.js";
import { InFlight } from "./in-flight.js";
import { appEndpoints } from "../core/notify/endpoints.js";
import { appNotify } from "./notify.js";
import { KeyedQueue } from "./keyed-queue.js";
import { startReconcileTimer } from "./reconcile-timer.js";
import { startReminderTimer } from "./reminder-timer.js";

/** The webhook events Probot dispatches (`issues`, `issue_comment.created`, …). */
type ProbotEvents = Parameters<Probot["on"]>[0];

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
  /**
   * Owners besides a repository's own whose files its `_extends` may name
   * (`CONFIG_EXTENDS_OWNERS`); none by default (src/github/config-extends.ts says why).
   */
  configExtendsOwners?: readonly string[];
  /**
   * The App's slug (`APP_SLUG`), when known: without it the App asks GitHub once per process
   * (`GET /app`), before the first delivery that has work.
   */
  appSlug?: string;
  /**
   * Where chat receivers are (`notify:`): only `NOTIFY_<NAME>_URL`, `NOTIFY_<NAME>_SECRET` and
   * `NOTIFY_<NAME>_OWNERS` are read from it (the server passes its environment); none: no messages.
   */
  notifyEnv?: Readonly<Record<string, string | undefined>>;
  /**
   * Tell chat before the delivery is answered (AWS Lambda, frozen once it answers) instead of
   * beside it (the server).
   */
  notifyInline?: boolean;
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
  const gatewayOptions = { extendsOwners: options.configExtendsOwners ?? [] };
  // Another repository (`private.repository`) is reached through the App's installation there.
  const reach = appRepositoryReach(app, configCache, gatewayOptions);
  const appSlug = appSlugOf(app, options.appSlug);
  // The projects the configurations name, learnt by the flows and the sweep (`projects:`).
  const projects = new KnownProjects();
  const endpoints = appEndpoints(options.notifyEnv ?? {});

  app.on(deliveriesOf("app") as ProbotEvents, async (context: Context) => {
    try {
      await handle(context);
    } catch (error) {
      // Probot logs what a handler throws, and answers with its status: this keeps a failure's
      // class, status and message, and leaves the request and response an Octokit error carries
      // (a post-mortem's text) out of the log (src/app/delivery-log.ts).
      throw error instanceof DeliveryFailed ? error : new DeliveryFailed(error);
    }
  });

  async function handle(context: Context): Promise<void> {
    const payload = context.payload as FlowPayload;
    const repository = repositoryOf(payload);
    if (!repository) return;
    const deliveryLog = context.log.child({ delivery: context.id });
    const gateway = new ApprovalGateway(
      context.octokit,
      repository,
      loggerOf(deliveryLog),
      configCache,
      gatewayOptions,
    );
    // Decided from the payload alone (and a fresh cached config): most deliveries end here,
    // without a request.
    const work = workFor("app", context.name, payload, knownConfig(gateway.base), {
      pathIndex: gateway.knownPathIndex(),
    });
    // Whose markers count (src/core/trust/writers.ts): known once per process.
    const slug = work.length > 0 ? await appSlug() : undefined;
    for (const { flow, issue, subject, run } of work) {
      const key = `${repository.owner}/${repository.repo}#${issue}`;
      const log = deliveryLog.child({ issue: key, feature: flow.name });
      const what = `${context.name}.${payload.action ?? ""} on ${key} (delivery ${context.id})`;
      // Chat (`notify:`): claims on this repository's issues, or on a private post-mortem's.
      const notifyFor = (target: GitHubGateway) =>
        appNotify({
          gateway: target,
          endpoints,
          log: loggerOf(log),
          appSlug: slug,
          inFlight,
          inline: options.notifyInline ?? false,
        });
      const deps = {
        gateway,
        clock: now,
        log: loggerOf(log),
        frontDoor: "app" as const,
        appSlug: slug,
        reach,
        projects,
        notify: notifyFor(gateway.base),
        notifyIn: notifyFor,
      };
      // Deliveries for one issue run one after another in this process; across replicas the
      // handlers converge. The in-flight set lets a shutdown wait for every flow's writes.
      await inFlight.track(what, () =>
        perIssue.run(key, async () => {
          const { outcome } = await run(deps);
          const line = `${subject}: ${outcome}`;
          if (outcome === "ignored") log.debug(line);
          else log.info(line);
        }),
      );
    }
  }

  // A date moved on a project's board: only a project some configuration names costs a request.
  app.on("projects_v2_item.edited", async (context) => {
    const edit = readBoardEdit(context.payload);
    if (!edit || projects.get(edit.projectId) === undefined) return;
    const deliveryLog = context.log.child({ delivery: context.id, feature: "projects" });
    const log = loggerOf(deliveryLog);
    const slug = await appSlug();
    const what = `projects_v2_item.edited ${edit.itemId} (delivery ${context.id})`;
    await inFlight.track(what, async () => {
      const outcome = await handleBoardEdit(edit, projects, context.octokit, (repository) => ({
        gateway: new ApprovalGateway(context.octokit, repository, log, configCache, gatewayOptions),
        clock: now,
        log,
        frontDoor: "app",
        appSlug: slug,
        reach,
        projects,
      }));
      log.info(`board edit of ${edit.itemId}: ${outcome}`);
    });
  });

  // Pushes and other deliveries that concern no post-mortem end here, before Probot prepares them.
  installFrontGate(app.webhooks, configCache, app.log);

  if (options.reminderIntervalMs !== undefined && options.reminderIntervalMs > 0) {
    startReminderTimer(app, {
      intervalMs: options.reminderIntervalMs,
      configCache,
      now,
      gatewayOptions,
      appSlug,
      endpoints,
      inFlight,
    });
  }
  if (options.reconcileIntervalMs !== undefined && options.reconcileIntervalMs > 0) {
    startReconcileTimer(app, {
      intervalMs: options.reconcileIntervalMs,
      lookBackMs: RECONCILE_LOOK_BACK_MS,
      configCache,
      now,
      inFlight,
      gatewayOptions,
      reach,
      appSlug,
      projects,
      endpoints,
    });
  }
}

function loggerOf(log: Context["log"]): Logger & { debug(message: string): void } {
  return {
    info: (message) => log.info(message),
    warn: (message) => log.warn(message),
    error: (message) => log.error(message),
    debug: (message) => log.debug(message),
  };
}
