import { z } from "zod";

/** Who runs the incident and CAPA flows: the App (today's behaviour) or the Action. */
export const FLOWS_RUNNERS = ["app", "action"] as const;
export type FlowsRunner = (typeof FLOWS_RUNNERS)[number];

export const flowsConfigSchema = z
  .strictObject({
    runIn: z
      .enum(FLOWS_RUNNERS)
      .default("app")
      .describe(
        "Who opens post-mortems (incident label, `/postmortem`) and keeps CAPA children in sync: `app` or `action`. With both installed only the one named writes.",
      ),
  })
  .default({ runIn: "app" })
  .describe("Who runs the incident and CAPA flows.");

/**
 * `flows.runIn` as a configuration that fails validation still says it: `action` only where the
 * file names it literally, so that a broken file is reported by exactly one of the two (the one
 * the person meant; the App when nothing says otherwise).
 */
export function flowsRunnerOfRaw(raw: unknown): FlowsRunner {
  if (typeof raw !== "object" || raw === null || !("flows" in raw)) return "app";
  const flows = raw.flows;
  if (typeof flows !== "object" || flows === null || !("runIn" in flows)) return "app";
  return flows.runIn === "action" ? "action" : "app";
}

/**
 * What flowsRunElsewhere reads of a KnownConfig (src/core/incident/events.ts). Stated by shape:
 * importing KnownConfig would make this part of the configuration's schema import the
 * configuration, which imports it.
 */
type KnownRunIn =
  | { ok: true; config: { flows: z.infer<typeof flowsConfigSchema> } }
  | { ok: false; flowsRunIn?: FlowsRunner }
  | undefined;

/**
 * What a shell knows of the configuration (a valid one, or the runner a broken one names): whether
 * the flows are the other runner's, so `runner` does nothing for them. Unknown: not decided here.
 */
export function flowsRunElsewhere(known: KnownRunIn, runner: FlowsRunner): boolean {
  if (known === undefined) return false;
  const runIn = known.ok ? known.config.flows.runIn : (known.flowsRunIn ?? "app");
  return runIn !== runner;
}
