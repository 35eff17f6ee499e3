// Every mode of the full Action, by the name the `mode` input gives it. Adding a mode: its file
// here, its entry below, its description in action.yml (and the table in docs/action.md).
import type { ModeRunner } from "../context.js";
import type { ModeChoice } from "../mode.js";
import { runApprovals } from "./approvals.js";
import { runBackfill } from "./backfill.js";
import { runReleaseGate } from "./release-gate.js";
import { runReminders } from "./reminders.js";
import { runReport } from "./report.js";

/** In the order the failure for an unknown mode lists them. */
export const MODES = {
  approvals: runApprovals,
  reminders: runReminders,
  backfill: runBackfill,
  report: runReport,
  "release-gate": runReleaseGate,
} satisfies Record<string, ModeRunner>;

export function findMode(choice: ModeChoice): { run: ModeRunner } | { problem: string } {
  // hasOwn: a name such as `constructor` is no mode.
  if (Object.hasOwn(MODES, choice.mode)) return { run: MODES[choice.mode as keyof typeof MODES] };
  const names = ["auto", ...Object.keys(MODES)].join(", ");
  return { problem: `${choice.source} is "${choice.mode}": use one of ${names}.` };
}
