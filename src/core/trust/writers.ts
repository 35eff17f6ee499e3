import type { Config } from "../config.js";
import type { FlowsRunner } from "../flows/config.js";
import type { Account } from "../snapshots.js";
import { DEFAULT_ACTION_SLUG } from "./config.js";

/*
 * Whose hidden markers count. A marker is an HTML comment anyone can type; it means something only
 * in an issue or comment written by the product itself. "A bot wrote it" is not enough:
 * `github-actions[bot]` is every workflow of a repository, and every other installed App is a
 * Bot too. So a marker counts when the App's own bot (`<slug>[bot]`) wrote it, or the Action's
 * login (`github-actions[bot]`, or the App of its token) where this configuration has the Action
 * write that part of the product.
 */

/** The parts of the product that write markers, each run by one front door. */
export type Part =
  /**
   * The flows (`flows.runIn`): post-mortems and their markers, CAPA children, and the incident,
   * adoption, guard, CAPA and timeline comments.
   */
  | "flows"
  /** The close gate (`gate.enforceInApp`): its comments on a post-mortem. */
  | "gate"
  /** Scheduled runs (reminders, the report issue): whichever front door is scheduled to. */
  | "runs";

export interface Writers {
  /** The App's bot login (`<slug>[bot]`); unknown in an Action with no `identity.app`. */
  readonly app?: string;
  /** The Action's bot login and the parts it writes under this configuration. */
  readonly action: { readonly login: string; readonly parts: ReadonlySet<Part> };
}

/** Whether one of the product's writers wrote this (an issue or comment of `part`). */
export function wroteIt(author: Account, part: Part, writers: Writers): boolean {
  if (author.type !== "Bot") return false;
  const login = author.login.toLowerCase();
  if (writers.app !== undefined && login === writers.app) return true;
  return login === writers.action.login && writers.action.parts.has(part);
}

/** The bot login of an App's slug. */
export function botLogin(slug: string): string {
  return `${slug.toLowerCase()}[bot]`;
}

/**
 * The writers a front door trusts under a configuration, the one place both decide it, so the App
 * and the Action agree. `appSlug`: the App's own slug, as the App learnt it from GitHub (it wins
 * over `identity.app`); the Action knows it from `identity.app` only.
 *
 * The Action's login writes the flows' markers under `flows.runIn: action` and the gate's under
 * `gate.enforceInApp: false`; scheduled runs are trusted from the Action only in the Action (its
 * reminders and report are started by a workflow there, which the App cannot know of).
 */
export function writersOf(
  config: Pick<Config, "flows" | "gate" | "identity">,
  frontDoor: FlowsRunner,
  appSlug?: string,
): Writers {
  const app = appSlug ?? config.identity.app;
  const parts = new Set<Part>();
  if (config.flows.runIn === "action") parts.add("flows");
  if (!config.gate.enforceInApp) parts.add("gate");
  if (frontDoor === "action") parts.add("runs");
  return {
    ...(app === undefined ? {} : { app: botLogin(app) }),
    action: { login: botLogin(config.identity.action), parts },
  };
}

/**
 * The writers under a configuration that does not validate (so no `identity`, `flows.runIn` or
 * `gate.enforceInApp` to go by): the App, and the front door that reports the problem, which
 * finds its own problem comments again. The Action is taken to write with `GITHUB_TOKEN`.
 */
export function writersWithoutConfig(frontDoor: FlowsRunner, appSlug?: string): Writers {
  return {
    ...(appSlug === undefined ? {} : { app: botLogin(appSlug) }),
    action: {
      login: botLogin(DEFAULT_ACTION_SLUG),
      parts: new Set<Part>(frontDoor === "action" ? ["flows", "gate", "runs"] : []),
    },
  };
}
