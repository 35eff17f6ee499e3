import type { Writers } from "../../src/core/trust/writers.js";

/** The App the tests install: its bot is `postmortem-bot[bot]`, the author of its markers. */
export const APP_SLUG = "postmortem-bot";

/**
 * Whose markers the App trusts under the default configuration: its own bot's, and
 * `github-actions[bot]`'s for the gate, which the Action enforces by default. Spelled out (not
 * derived) so that fixtures load on any version of the code; identity.test.ts holds it to
 * `writersOf`.
 */
export const appWriters: Writers = {
  app: "postmortem-bot[bot]",
  action: { login: "github-actions[bot]", parts: new Set(["gate"]) },
};

/**
 * Whose markers the Action trusts under the default configuration, where it knows the App
 * (`identity.app`): the App's, and `github-actions[bot]`'s for the gate and its scheduled runs.
 */
export const actionWriters: Writers = {
  app: "postmortem-bot[bot]",
  action: { login: "github-actions[bot]", parts: new Set(["gate", "runs"]) },
};
