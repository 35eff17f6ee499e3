import type { FlowsRunner } from "../core/flows/config.js";
import type { ApprovalGateway } from "../github/approval-gateway.js";
import type { Logger } from "../core/logger.js";
import type { RepositoryReach } from "../github/reach.js";
import type { GitHubGateway } from "../github/gateway.js";
import type { Config } from "../core/config.js";
import type { Writers } from "../core/trust/writers.js";
import type { Notice } from "../core/notify/notice.js";
import type { KnownProjects, ProjectsApi } from "../github/projects.js";
import { writersOf, writersWithoutConfig } from "../core/trust/writers.js";
import { issueUrl } from "../core/notify/subject.js";

/** Which front door runs a handler: the hosted App or the Action on a runner. */
export type FrontDoor = FlowsRunner;

/**
 * What every handler is given, in one object, so a new collaborator (a notifier, say) is one more
 * field here rather than one more parameter threaded through every caller.
 */
export interface HandlerDeps {
  /**
   * GitHub for the repository of the event. The flows read and write through `gateway.base`; the
   * approval gate also looks people and label history up through it.
   */
  gateway: ApprovalGateway;
  /** The clock for due dates, reminders and approval days; tests pass a fixed one. */
  clock: () => Date;
  log: Logger;
  frontDoor: FrontDoor;
  /**
   * How to reach another repository, for a private post-mortem (`private.repository`): the App's
   * installation there, or the Action's `private-repository-token`. Missing: it cannot be reached.
   */
  reach?: RepositoryReach;
  /**
   * The App's own slug (its bot is `<slug>[bot]`), learnt once per process; undefined in the
   * Action, which knows it from `identity.app` only. See `writersOf` (src/core/trust/writers.ts).
   */
  appSlug?: string;
  /**
   * Tells chat (`notify:`): routes the notices, claims each in GitHub, then sends. Called after a
   * flow's own writes; never throws and never fails the flow. Missing: no notifications (tests).
   */
  notify?: (config: Config, notices: readonly Notice[]) => Promise<void>;
  /**
   * GitHub's web address for the links in notices (the Action's `GITHUB_SERVER_URL`); missing:
   * `https://github.com`.
   */
  serverUrl?: string;
  /**
   * The projects (`projects.url`) this process resolved, learnt by the flows and the sweep: a
   * board event (`projects_v2_item`) for any other project costs no request. The App's; missing:
   * nothing learnt (the Action, tests).
   */
  projects?: KnownProjects;
  /**
   * The client for the project (`projects:`) when it needs its own token (the Action's
   * `projects-token`); missing: the gateway's client.
   */
  projectsApi?: ProjectsApi;
  /**
   * The same notifier for another repository's issues (a private post-mortem opened in
   * `private.repository`): its claims are written there. Missing: none.
   */
  notifyIn?: (
    gateway: GitHubGateway,
  ) => (config: Config, notices: readonly Notice[]) => Promise<void>;
}

/** The link to an issue of the event's repository, as notices carry it. */
export function issueUrlFor(
  deps: Pick<HandlerDeps, "gateway" | "serverUrl">,
): (issueNumber: number) => string {
  return (issueNumber) => issueUrl(deps.gateway.base.repository, issueNumber, deps.serverUrl);
}

/** Whose markers the handlers trust under this configuration, at this front door. */
export function writersFor(
  config: Pick<Config, "flows" | "gate" | "identity"> | undefined,
  deps: Pick<HandlerDeps, "frontDoor" | "appSlug">,
): Writers {
  return config === undefined
    ? writersWithoutConfig(deps.frontDoor, deps.appSlug)
    : writersOf(config, deps.frontDoor, deps.appSlug);
}
