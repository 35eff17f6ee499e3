// The Action's `mode` input (action.yml): which job a run does, named from the input or the event
// alone, before anything heavy is loaded. Whether the name is a mode is for the full Action's
// registry (action/modes/index.ts) to say.

/** The mode the entry triages on its own, from the event, before the full Action is loaded. */
export const APPROVALS = "approvals";

export interface ModeChoice {
  /** Trimmed and lower case; maybe no mode at all. */
  mode: string;
  /** Where the name came from, as the failure for an unknown mode says it. */
  source: string;
}

/**
 * `auto` (the default) decides by the event: `schedule` → reminders; a `workflow_dispatch` run
 * takes `inputs.mode` from the dispatch when it has one; everything else → approvals (what the
 * Action always did). An explicit mode is used as given.
 */
export function chooseMode(input: string, eventName: string, payload: unknown): ModeChoice {
  const wanted = input.trim().toLowerCase() || "auto";
  if (wanted !== "auto") return { mode: wanted, source: "the `mode` input" };
  const auto = "`mode: auto`";
  if (eventName === "schedule") return { mode: "reminders", source: auto };
  if (eventName === "workflow_dispatch") {
    const inputs = (payload as { inputs?: { mode?: unknown } } | null)?.inputs;
    if (typeof inputs?.mode === "string" && inputs.mode.trim() !== "") {
      return { mode: inputs.mode.trim().toLowerCase(), source: "the dispatch's `inputs.mode`" };
    }
  }
  return { mode: APPROVALS, source: auto };
}
