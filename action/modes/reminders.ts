import { reconcileRepository } from "../../src/handlers/reconcile-handler.js";
import { sweepReminders } from "../../src/handlers/reminder-handler.js";
import type { RunContext } from "../context.js";
import { runDeps } from "../gateway.js";

/** How far back a scheduled run looks for unfinished flow work: a daily schedule and a missed day. */
const RECONCILE_LOOK_BACK_MS = 2 * 86_400_000;

/**
 * `mode: reminders` (a `schedule:` run): reminds the owners of overdue corrective actions once per
 * `reminders.every` days and shows `Overdue` in their post-mortems; the counts go to the summary.
 */
export async function runReminders(context: RunContext): Promise<void> {
  const deps = await runDeps(context);
  const { repository } = context;
  const counts = await sweepReminders(deps);
  if (counts === "config-problem") {
    return context.fail(
      `The configuration of ${repository.owner}/${repository.repo} is broken: no reminders sent.`,
    );
  }
  // Where the Action runs the flows, the scheduled run also finishes work that a run missed
  // (one cancelled by its concurrency group, a failed job): as the App's reconcile sweep.
  const since = new Date(deps.clock().getTime() - RECONCILE_LOOK_BACK_MS);
  const reconciled = await reconcileRepository(deps, since);
  const flowsLines =
    reconciled === "config-problem" ||
    reconciled.incidentsChecked + reconciled.postmortemsChecked === 0
      ? []
      : [
          `| incidents without a post-mortem, settled now | ${reconciled.incidentsSettled} |`,
          `| post-mortems with unfinished corrective actions | ${reconciled.capaCompleted} |`,
        ];
  // Closes whose own run may have been lost (cancelled by its concurrency group, failed).
  const closeLines =
    reconciled === "config-problem" || reconciled.closesJudged === 0
      ? []
      : [
          `| closed post-mortems judged | ${reconciled.closesJudged} |`,
          `| reopened now (approvals missing) | ${reconciled.closesReopened} |`,
        ];
  await context.writeSummary(
    [
      "## postmortem-bot: reminders",
      "",
      "| | |",
      "|---|---|",
      `| open corrective actions | ${counts.openChildren} |`,
      `| overdue | ${counts.overdue} |`,
      `| reminded now | ${counts.reminded} |`,
      `| post-mortems updated | ${counts.postmortemsUpdated} |`,
      `| open post-mortems | ${counts.openPostmortems} |`,
      `| reviews late | ${counts.reviewsLate} |`,
      `| reviews reminded now | ${counts.reviewsReminded} |`,
      ...flowsLines,
      ...closeLines,
      "",
    ].join("\n"),
  );
}
