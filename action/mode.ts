// The Action's `mode` input (action.yml): which job a run does. Decided from the inputs and the
// event alone, before anything heavy is loaded.

/** Every mode the Action knows; later work adds more here (and in the README's table). */
export const MODES = ["approvals", "reminders", "backfill", "report", "release-gate"] as const;
export type Mode = (typeof MODES)[number];

export type ModeChoice = { mode: Mode } | { problem: string };

/**
 * `auto` (the default) decides by the event: `schedule` → reminders; a `workflow_dispatch` run
 * takes `inputs.mode` from the dispatch when it has one; everything else → approvals (what the
 * Action always did). An explicit mode is used as given.
 */
export function chooseMode(input: string, eventName: string, payload: unknown): ModeChoice {
  const wanted = input.trim().toLowerCase() || "auto";
  if (wanted !== "auto") return known(wanted, "the `mode` input");
  if (eventName === "schedule") return { mode: "reminders" };
  if (eventName === "workflow_dispatch") {
    const inputs = (payload as { inputs?: { mode?: unknown } } | null)?.inputs;
    if (typeof inputs?.mode === "string" && inputs.mode.trim() !== "") {
      return known(inputs.mode.trim().toLowerCase(), "the dispatch's `inputs.mode`");
    }
  }
  return { mode: "approvals" };
}

function known(mode: string, where: string): ModeChoice {
  return (MODES as readonly string[]).includes(mode)
    ? { mode: mode as Mode }
    : { problem: `${where} is "${mode}": use one of auto, ${MODES.join(", ")}.` };
}
