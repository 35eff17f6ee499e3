import { reconcileRepository, settleIncident } from "../../src/handlers/reconcile-handler.js";
import { loadConfig } from "../../src/handlers/load-config.js";
import type { RunContext } from "../context.js";
import { runDeps } from "../gateway.js";

/**
 * `mode: backfill` (a `workflow_dispatch` run): opens the post-mortems of incidents labeled before
 * the workflow existed, through the same handler, so running it again adds nothing. The `incident`
 * input is one issue number, or `all-open` for every open issue with the first incident label
 * (and finishes their checked CAPA boxes too, as the scheduled reconciliation does).
 */
export async function runBackfill(context: RunContext): Promise<void> {
  const wanted = backfillTarget(context);
  if (typeof wanted === "object") return context.fail(wanted.problem);
  const deps = await runDeps(context);
  const loaded = await loadConfig(deps.gateway.base);
  if (!loaded.ok) return context.fail(loaded.problem);
  if (loaded.config.flows.runIn !== "action") {
    return context.fail(
      "`flows.runIn` is `app` in .github/postmortem.yml: the App opens post-mortems here, so the Action backfills none. Set `flows: { runIn: action }` to let the Action run the incident flow.",
    );
  }
  const lines = ["## postmortem-bot: backfill", ""];
  if (wanted === "all-open") {
    const counts = await reconcileRepository(deps, new Date(0));
    if (counts === "config-problem") return context.fail("The configuration is broken.");
    lines.push(
      "| | |",
      "|---|---|",
      `| open incidents without a post-mortem | ${counts.incidentsChecked} |`,
      `| post-mortems opened or confirmed now | ${counts.incidentsSettled} |`,
      `| post-mortems with unfinished corrective actions | ${counts.postmortemsChecked} |`,
      "",
    );
  } else {
    const incident = await deps.gateway.getIssue(wanted);
    const outcome = incident ? await settleIncident(incident, loaded.config, deps) : "ignored";
    if (outcome !== "converged") {
      return context.fail(
        `#${wanted} is no incident here (an issue with one of the labels ${loaded.config.incidentLabels.join(", ")}): no post-mortem opened.`,
      );
    }
    lines.push(`Incident #${wanted}: its post-mortem is open.`, "");
  }
  await context.writeSummary(lines.join("\n"));
}

/** The `incident` input, else the dispatch's `inputs.incident`: an issue number, or `all-open`. */
function backfillTarget(context: RunContext): number | "all-open" | { problem: string } {
  const dispatched = context.event.payload.inputs?.incident;
  const input = (context.inputs.incident || (typeof dispatched === "string" ? dispatched : ""))
    .trim()
    .replace(/^#/, "")
    .toLowerCase();
  if (input === "all-open") return "all-open";
  if (/^[1-9]\d{0,9}$/.test(input)) return Number(input);
  return {
    problem: `mode backfill needs the \`incident\` input: an issue number or \`all-open\` (got "${input}").`,
  };
}
