import { defaultConfig } from "../../src/core/config.js";
import type { Writers } from "../../src/core/trust/writers.js";
import { writersOf } from "../../src/core/trust/writers.js";

/** The App the tests install: its bot is `postmortem-bot[bot]`, the author of its markers. */
export const APP_SLUG = "postmortem-bot";

/** Whose markers the App trusts under the default configuration. */
export const appWriters: Writers = writersOf(defaultConfig, "app", APP_SLUG);

/**
 * Whose markers the Action trusts under the default configuration, where it knows the App
 * (`identity.app`): the App's, and `github-actions[bot]`'s for the gate and scheduled runs.
 */
export const actionWriters: Writers = writersOf(defaultConfig, "action", APP_SLUG);
