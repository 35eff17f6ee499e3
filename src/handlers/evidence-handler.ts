import { permissionAtLeast } from "../core/approvals/people.js";
import type { Config } from "../core/config.js";
import type { CapaEvidence } from "../core/evidence/config.js";
import type { Deployment, EvidenceEvent } from "../core/evidence/events.js";
import type { Evidence, MergedFix } from "../core/evidence/model.js";
import { evidenceOf, fixesOf, isShipped, MANUAL_TEXT_MAX } from "../core/evidence/model.js";
import {
  capaParentOf,
  planChildEvidence,
  recordFixes,
  recordManual,
  recordRevert,
  recordShipment,
  refusalPlan,
  requiredFor,
  uniformRequirement,
  usagePlan,
  wantsComments,
} from "../core/evidence/plan.js";
import { flowsRunElsewhere } from "../core/flows/config.js";
import { truncate } from "../core/markdown-text.js";
import type { Step } from "../core/plan.js";
import type { IssueSnapshot } from "../core/snapshots.js";
import type { Writers } from "../core/trust/writers.js";
import type { EvidenceGateway } from "../github/evidence-gateway.js";
import type { GitHubGateway, Permission } from "../github/gateway.js";
import { handleCapaEvent } from "./capa-handler.js";
import { converge } from "./converge.js";
import type { HandlerDeps } from "./deps.js";
import { writersFor } from "./deps.js";
import { loadConfig } from "./load-config.js";

/** The child's writes take one round, their verification another; a failed write or two more. */
export const MAX_EVIDENCE_ROUNDS = 5;

/**
 * Records the evidence an event brings on the CAPA children it concerns (their marker, lines,
 * labels, and at most one comment each for missing evidence, a revert and a refusal), then shows
 * it in their post-mortems' rows through the CAPA flow.
 */
export async function handleEvidenceEvent(
  event: EvidenceEvent,
  deps: HandlerDeps,
): Promise<string> {
  const base = deps.gateway.base;
  const loaded = await loadConfig(base);
  if (flowsRunElsewhere(loaded, deps.frontDoor) || !loaded.ok) return "ignored";
  const config = loaded.config;
  const run = new EvidenceRun(config, deps, writersFor(config, deps));

  switch (event.kind) {
    case "merged": {
      const pr = event.pullRequest;
      if (pr.reverts !== undefined) {
        const original = await run.reads.getPullRequest(pr.reverts);
        if (!original?.merged) return "ignored";
        const revert = { pr: original.number, by: pr.number };
        const children = await run.reads.closingIssues(original.nodeId);
        if (children === undefined) return run.unanswered();
        for (const child of children) {
          await run.settle(child, (evidence) => recordRevert(evidence, revert.pr, revert.by), {
            revert,
          });
        }
        return run.finish("reverted");
      }
      const fix: MergedFix = { pr: pr.number, url: pr.url, at: pr.mergedAt, sha: pr.sha };
      const children = await run.reads.closingIssues(pr.nodeId);
      if (children === undefined) return run.unanswered();
      for (const child of children) {
        await run.settle(child, (evidence) => recordFixes(evidence, [fix]));
      }
      return run.finish("merged");
    }
    case "childClosed":
    case "childReopened": {
      const found = await run.reads.getIssueWithNode(event.child);
      if (!found || capaParentOf(found.issue, run.writers) === undefined) return "ignored";
      // Closed: the pull requests GitHub links to it (closing keywords, the Development sidebar).
      const fixes =
        event.kind === "childClosed" && found.issue.state === "closed"
          ? await run.reads.mergedFixes(found.nodeId)
          : [];
      // Without an answer about its pull requests, the child is not judged on its evidence.
      if (fixes === undefined) return run.unanswered();
      // The CAPA flow, next in the flow list for this delivery, shows the row.
      await run.settle(event.child, (evidence) => recordFixes(evidence, fixes), {
        first: found.issue,
      });
      return run.outcome("recorded");
    }
    case "command":
      return handleCommand(event, run, base);
    case "deployed":
      return handleDeployment(event.deployment, run);
  }
}

async function handleCommand(
  event: Extract<EvidenceEvent, { kind: "command" }>,
  run: EvidenceRun,
  base: GitHubGateway,
): Promise<string> {
  const found = await run.reads.getIssueWithNode(event.child);
  if (!found || capaParentOf(found.issue, run.writers) === undefined) return "ignored";
  const child = found.issue;
  // Read from GitHub now; a bot (another App, a workflow) never records evidence.
  const permission: Permission =
    event.sender.type === "Bot" ? "none" : await base.getPermission(event.sender.login);
  if (!permissionAtLeast(permission, run.config.approvals.forceClosePermission)) {
    const comments = await base.listComments(child.number);
    await applyAll(base, refusalPlan(child, event.sender.login, comments, run.writers, run.config));
    return "refused";
  }
  if (event.text === "") {
    const comments = await base.listComments(child.number);
    await applyAll(base, usagePlan(child, event.commentId, comments, run.writers));
    return "no evidence given";
  }
  const manual = {
    by: event.sender.login,
    text: truncate(event.text, MANUAL_TEXT_MAX),
    at: event.at,
    comment: event.commentId,
  };
  await run.settle(child.number, (evidence) => recordManual(evidence, manual), { first: child });
  return run.finish("manual evidence recorded");
}

/**
 * A successful deployment to `evidence.environment`: one paged listing of the children awaiting
 * it, one `compare` per fix not yet known to be in it (a commit compared once per event), and
 * the writes for those it ships.
 */
async function handleDeployment(deployment: Deployment, run: EvidenceRun): Promise<string> {
  const environment = run.config.evidence.environment;
  if (!environment || environment.toLowerCase() !== deployment.environment.toLowerCase()) {
    return "ignored";
  }
  const waiting = (await run.reads.listWithLabel(run.config.evidence.labels.awaitingShip)).filter(
    (issue) => capaParentOf(issue, run.writers) !== undefined,
  );
  const contained = new Map<string, boolean>();
  for (const child of waiting) {
    const evidence = evidenceOf(child.body);
    const fixes = fixesOf(evidence);
    let all = fixes.length > 0 && !isShipped(evidence);
    for (const fix of all ? fixes : []) {
      if (!contained.has(fix.sha)) {
        contained.set(fix.sha, await run.reads.contains(fix.sha, deployment.sha));
      }
      if (!contained.get(fix.sha)) {
        all = false;
        break;
      }
    }
    const shipment = {
      deployment: deployment.id,
      url: deployment.url,
      environment: deployment.environment,
      at: deployment.at,
      sha: deployment.sha,
      prs: fixes.map((fix) => fix.pr),
    };
    await run.settle(child.number, (fresh) => (all ? recordShipment(fresh, shipment) : fresh), {
      first: child,
    });
  }
  return run.finish(`shipped (${waiting.length} awaiting)`);
}

/** One event's work: the children it settles and the post-mortems whose rows then change. */
class EvidenceRun {
  readonly reads: EvidenceGateway;
  private readonly base: GitHubGateway;
  /** Post-mortems whose children this run changed. */
  private readonly changed = new Set<number>();
  /** Of those, the post-mortems whose rows show a changed closed child. */
  private readonly rows = new Set<number>();
  private readonly required = new Map<number, CapaEvidence>();

  constructor(
    readonly config: Config,
    private readonly deps: HandlerDeps,
    readonly writers: Writers,
  ) {
    this.reads = deps.gateway.evidence;
    this.base = deps.gateway.base;
  }

  /**
   * Brings one child in line with its evidence as `change` makes it of what its marker holds,
   * reading it again before each round. Not a product's CAPA child: nothing.
   */
  async settle(
    number: number,
    change: (evidence: Evidence) => Evidence,
    options: { first?: IssueSnapshot; revert?: { pr: number; by: number } } = {},
  ): Promise<void> {
    let first = options.first;
    await converge<Step, "done">({
      what: `CAPA child #${number}, evidence`,
      maxRounds: MAX_EVIDENCE_ROUNDS,
      log: this.deps.log,
      apply: (step) => this.base.apply(step),
      plan: async () => {
        const child = first ?? (await this.base.getIssue(number));
        first = undefined;
        const parent = child ? capaParentOf(child, this.writers) : undefined;
        if (!child || parent === undefined) return { done: "done" };
        const state = {
          child,
          evidence: change(evidenceOf(child.body)),
          writers: this.writers,
          required: await this.requiredOf(parent),
          ...(options.revert ? { revert: options.revert } : {}),
        };
        const comments = wantsComments(this.config, state)
          ? await this.base.listComments(child.number)
          : undefined;
        const plan = planChildEvidence(this.config, { ...state, comments });
        if (plan.length === 0) return { done: "done" };
        this.changed.add(parent);
        // An open child's row says Open (or Overdue) whatever its evidence.
        if (child.state === "closed") this.rows.add(parent);
        return { write: plan };
      },
    });
  }

  /** What a post-mortem's children must show: read from it only where severities differ. */
  private async requiredOf(parent: number): Promise<CapaEvidence> {
    const uniform = uniformRequirement(this.config);
    if (uniform !== undefined) return uniform;
    let required = this.required.get(parent);
    if (required === undefined) {
      const postmortem = await this.base.getIssue(parent);
      required = requiredFor(this.config, postmortem?.body);
      this.required.set(parent, required);
    }
    return required;
  }

  /** GraphQL could not say which pull requests are linked: nothing is recorded or judged. */
  unanswered(): string {
    this.deps.log.warn(
      "Could not read linked pull requests through GraphQL (closingIssuesReferences / closedByPullRequestsReferences); no evidence recorded for this event.",
    );
    return "links unavailable";
  }

  outcome(what: string): string {
    return this.changed.size > 0 ? what : "unchanged";
  }

  /** Shows the changed children in their post-mortems' rows (the CAPA flow's converge). */
  async finish(what: string): Promise<string> {
    for (const postmortem of [...this.rows].sort((a, b) => a - b)) {
      await handleCapaEvent({ kind: "childChanged", postmortem }, this.deps);
    }
    return this.outcome(what);
  }
}

async function applyAll(gateway: GitHubGateway, plan: readonly Step[]): Promise<void> {
  for (const step of plan) await gateway.apply(step);
}
