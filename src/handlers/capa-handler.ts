import type { CapaEvent } from "../core/capa/events.js";
import type { CapaState, MissingChild, SubIssueSupport } from "../core/capa/plan.js";
import { childrenOf, loginsToCheck, needsIncident, planCapa } from "../core/capa/plan.js";
import { linkedIssueNumbers } from "../core/capa/items.js";
import type { FlowsRunner } from "../core/flows/config.js";
import { flowsRunElsewhere } from "../core/flows/config.js";
import { planLostEditRecovery } from "../core/capa/lost-edit.js";
import { isTrackedPostmortem, mayAdopt } from "../core/adoption/plan.js";
import { reportProblem } from "../core/incident/plan.js";
import { findMarker } from "../core/markers.js";
import type { Plan } from "../core/plan.js";
import type { IssueSnapshot } from "../core/snapshots.js";
import { todayIn } from "../core/time.js";
import type { GitHubGateway } from "../github/gateway.js";
import { isPermanentFailure, SubIssueError } from "../github/gateway.js";
import { loadConfig } from "./load-config.js";
import type { Logger } from "../core/logger.js";

/** Creating 30 children takes one round; linking, showing and verifying take a few more. */
export const MAX_CAPA_ROUNDS = 8;

export type CapaOutcome = "ignored" | "config-problem" | "converged" | "restored";

/**
 * Brings one post-mortem's CAPA children, lines and Follow-Up rows in line with what people
 * checked and what the children say, re-reading GitHub before every round of writes.
 */
export async function handleCapaEvent(
  gateway: GitHubGateway,
  event: CapaEvent,
  log: Logger,
  now: () => Date = () => new Date(),
  /** Who is running: only the one `flows.runIn` names writes anything (a config problem too). */
  runner: FlowsRunner = "app",
): Promise<CapaOutcome> {
  const loaded = await loadConfig(gateway);
  if (flowsRunElsewhere(loaded, runner)) return "ignored";
  if (!loaded.ok) {
    if (event.kind === "childChanged") return "config-problem";
    const comments = await gateway.listComments(event.postmortem);
    await applyAll(gateway, reportProblem(event.postmortem, loaded.problem, comments));
    return "config-problem";
  }
  const config = loaded.config;

  let outcome: CapaOutcome = "converged";
  if (event.kind === "ownEditOverwrote") {
    const current = await gateway.getIssue(event.postmortem);
    if (!current || !isBotPostmortem(current)) return "ignored";
    const recovery = planLostEditRecovery({
      issueNumber: current.number,
      before: event.before,
      written: event.written,
      current: current.body,
      comments: await gateway.listComments(current.number),
    });
    log.warn(`Post-mortem #${current.number}: a person's edit was overwritten; recovering it`);
    await applyAll(gateway, recovery);
    // Restored: go on and show the CAPA state on the restored text. Quoted in a comment: done.
    if (recovery[0]?.kind !== "updateIssueBody") return "restored";
    outcome = "restored";
  }

  const capaLabel = config.capa.labels[0]!;
  const missing = new Map<number, MissingChild>();
  /** Children linked on a line but missing from the label listing (someone removed the label). */
  const unlabeled = new Map<number, IssueSnapshot>();
  const checkedFates = new Set<number>();
  const assignable = new Map<string, boolean>();
  let incident: CapaState["incident"];
  let subIssues: SubIssueSupport = "supported";

  for (let round = 1; round <= MAX_CAPA_ROUNDS; round++) {
    const postmortem = await gateway.getIssue(event.postmortem);
    if (!postmortem || !findMarker(postmortem.body, "postmortem")) return "ignored";
    if (postmortem.author.type !== "Bot" && !mayAdopt(postmortem, config)) return "ignored";
    const labeled = childrenOf(
      postmortem.number,
      // A child is opened after its post-mortem: the listing stays short as the repository grows.
      await gateway.listIssuesWithLabel(capaLabel, postmortem.createdAt),
    );
    const comments = await gateway.listComments(postmortem.number);
    // One a person wrote counts only once the App's own comment says it adopted it.
    if (!isTrackedPostmortem(postmortem, comments)) return "ignored";

    for (const number of linkedIssueNumbers(postmortem.body)) {
      if (checkedFates.has(number) || labeled.some((child) => child.number === number)) continue;
      checkedFates.add(number);
      const fate = await gateway.getIssueFate(number);
      if (typeof fate === "string") missing.set(number, fate);
      else if (childrenOf(postmortem.number, [fate]).length > 0) unlabeled.set(number, fate);
    }
    const children = [
      ...labeled,
      ...[...unlabeled.values()].filter(
        (child) => !labeled.some((other) => other.number === child.number),
      ),
    ];
    for (const login of loginsToCheck({ postmortem, children }, config)) {
      if (!assignable.has(login)) assignable.set(login, await gateway.isAssignable(login));
    }
    const incidentNumber = findMarker(postmortem.body, "postmortem")?.incident;
    if (
      !incident &&
      incidentNumber !== undefined &&
      needsIncident({ postmortem, children }, config)
    ) {
      const issue = await gateway.getIssue(incidentNumber);
      incident = {
        number: incidentNumber,
        labels: issue?.labels ?? [],
        assignees: issue?.assignees ?? [],
      };
    }

    const plan = planCapa(config, {
      postmortem,
      incident:
        incident ??
        (incidentNumber === undefined
          ? undefined
          : { number: incidentNumber, labels: [], assignees: [] }),
      children,
      missing,
      comments,
      assignable,
      subIssues,
      today: todayIn(now(), config.timezone),
    });
    if (plan.length === 0) return outcome;
    log.info(
      `Post-mortem #${postmortem.number}, round ${round}: ${plan.map((step) => step.kind).join(", ")}`,
    );
    try {
      await applyAll(gateway, plan);
    } catch (error) {
      if (error instanceof SubIssueError) {
        subIssues = error.reason;
        continue;
      }
      // GitHub refused the request itself (validation, no access): another round would too.
      if (isPermanentFailure(error)) throw error;
      // A lost answer or a passing failure: the next round reads what really happened.
      log.warn(`Post-mortem #${postmortem.number}, round ${round} failed: ${String(error)}`);
      if (round === MAX_CAPA_ROUNDS) throw error;
    }
  }
  throw new Error(
    `Post-mortem #${event.postmortem}: CAPA state not stable after ${MAX_CAPA_ROUNDS} rounds`,
  );
}

function isBotPostmortem(issue: IssueSnapshot): boolean {
  return issue.author.type === "Bot" && findMarker(issue.body, "postmortem") !== undefined;
}

async function applyAll(gateway: GitHubGateway, plan: Plan): Promise<void> {
  for (const step of plan) await gateway.apply(step);
}
