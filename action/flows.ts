import type { ApprovalResult } from "../src/handlers/approval-handler.js";
import type { HandlerDeps } from "../src/handlers/deps.js";
import { approvalFlow, workFor } from "../src/handlers/flows.js";
import { loadConfig } from "../src/handlers/load-config.js";
import type { RunContext } from "./context.js";

export type FlowsRun =
  /** A flow reported a broken configuration on its issue: the job failed, the gate was not run. */
  | { stopped: true }
  /** The gate's judgement, where the event concerns it. */
  | { stopped: false; gate: ApprovalResult | undefined };

/**
 * Every flow the Action runs for one event, in the flow list's order (src/handlers/flows.ts): the
 * incident, CAPA and adoption flows (they act only where `flows.runIn: action`), then the gate,
 * which judges a close on the post-mortem as the flows left it.
 */
export async function runFlows(context: RunContext, deps: HandlerDeps): Promise<FlowsRun> {
  const { name, payload } = context.event;
  let configProblem = false;
  let gate: ApprovalResult | undefined;
  for (const { flow, subject, run } of workFor("action", name, payload, undefined)) {
    if (flow === approvalFlow && configProblem) {
      // The handler reported it on the issue; the failed job shows it in the Actions tab too.
      const loaded = await loadConfig(deps.gateway.base);
      if (!loaded.ok) {
        context.fail(loaded.problem);
        return { stopped: true };
      }
    }
    const { outcome, result } = await run(deps);
    if (flow === approvalFlow) {
      gate = result as ApprovalResult;
      continue;
    }
    if (outcome === "ignored") context.log.debug(`postmortem-bot: ${subject}: ignored`);
    else context.log.info(`${subject}: ${outcome}`);
    configProblem ||= outcome === "config-problem";
  }
  return { stopped: false, gate };
}
