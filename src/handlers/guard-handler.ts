import { permissionAtLeast } from "../core/approvals/people.js";
import { sameLabel } from "../core/config.js";
import type { GuardEvent } from "../core/guard/events.js";
import { closeStands } from "../core/approvals/gate.js";
import { planGuard, recordedCloseOnly } from "../core/guard/plan.js";
import { judgeClose } from "./approval-handler.js";
import type { Step } from "../core/plan.js";
import { converge } from "./converge.js";
import type { HandlerDeps } from "./deps.js";
import { writersFor } from "./deps.js";
import { isProductIssue } from "../core/identity.js";
import { loadConfig } from "./load-config.js";

/** Label or marker, its comment, and a check; with room for one failed write. */
const MAX_GUARD_ROUNDS = 4;

export type GuardOutcome = "ignored" | "accepted" | "restored";

/**
 * A post-mortem's label removed, or its marker removed or altered: put back (with one comment)
 * unless the person who did it has `approvals.forceClosePermission`, read from GitHub now. The
 * front door `flows.runIn` names does it, as it opened the post-mortem.
 */
export async function handleGuardEvent(
  event: GuardEvent,
  deps: HandlerDeps,
): Promise<GuardOutcome> {
  const gateway = deps.gateway.base;
  const loaded = await loadConfig(gateway);
  if (!loaded.ok) return "ignored"; // the other flows report a broken configuration
  const config = loaded.config;
  if (config.flows.runIn !== deps.frontDoor) return "ignored";
  // Only the product's own post-mortem is guarded (its author cannot change): no request else.
  const writers = writersFor(config, deps);
  if (!isProductIssue(event.issue, writers)) return "ignored";
  if (
    event.kind === "unlabeled" &&
    !config.postmortemLabels.some((name) => sameLabel(name, event.label))
  ) {
    return "ignored";
  }
  const senderPermission = await gateway.getPermission(event.sender.login);
  if (permissionAtLeast(senderPermission, config.approvals.forceClosePermission)) {
    deps.log.info(
      `Post-mortem #${event.issue.number}: ${event.kind === "unlabeled" ? "label" : "marker"} change by @${event.sender.login} (${senderPermission}) accepted`,
    );
    return "accepted";
  }
  // A close recorded in the marker (by the front door that enforces the gate) stands when the
  // close gate, judging it now, lets the close stand: then it is the gate's write, not a forgery.
  if (event.kind === "edited" && recordedCloseOnly(event.before, event.issue)) {
    const judged = await judgeClose(
      deps.gateway,
      config,
      writers,
      event.issue.number,
      deps.clock(),
    );
    if (judged && closeStands(judged.decision)) {
      deps.log.info(
        `Post-mortem #${event.issue.number}: close recorded by @${event.sender.login} stands (${judged.decision})`,
      );
      return "accepted";
    }
  }
  let restored = false;
  return converge<Step, GuardOutcome>({
    what: `Post-mortem #${event.issue.number}, guard`,
    maxRounds: MAX_GUARD_ROUNDS,
    log: deps.log,
    apply: async (step) => {
      await gateway.apply(step);
      restored = true;
    },
    plan: async () => {
      const issue = await gateway.getIssue(event.issue.number);
      // Still the issue a bot opened (its author cannot change): its marker may be gone.
      if (!issue || issue.author.login !== event.issue.author.login) return { done: "ignored" };
      const comments = await gateway.listComments(issue.number);
      const plan = planGuard(event, config, { issue, comments, senderPermission, writers });
      if (plan.length > 0) return { write: plan };
      return { done: restored ? "restored" : "ignored" };
    },
  });
}
