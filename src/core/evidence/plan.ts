import type { Config } from "../config.js";
import { sameLabel } from "../config.js";
import { isProductIssue } from "../identity.js";
import { findMarker, formatMarker } from "../markers.js";
import type { Plan } from "../plan.js";
import { incidentSeverity, severityPolicy } from "../policy/resolve.js";
import type { CommentSnapshot, IssueSnapshot } from "../snapshots.js";
import type { Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";
import { readPostmortemBody } from "../capa/items.js";
import type { CapaEvidence } from "./config.js";
import type { Evidence, EvidenceJudgement, ManualEvidence, MergedFix, Shipment } from "./model.js";
import { fixesOf, isShipped, judgeChild, withEvidence } from "./model.js";
import { SEVERITIES } from "../policy/config.js";

/** A CAPA child the product opened (its `capa` marker counts), with its post-mortem's number. */
export function capaParentOf(issue: IssueSnapshot, writers: Writers): number | undefined {
  if (issue.isPullRequest || !isProductIssue(issue, writers)) return undefined;
  return findMarker(issue.body, "capa")?.parent;
}

/** What every severity's policy asks, when they all ask the same: then no severity is read. */
export function uniformRequirement(config: Config): CapaEvidence | undefined {
  const asked = new Set(
    [...SEVERITIES, undefined].map((severity) => severityPolicy(config, severity).capaEvidence),
  );
  return asked.size === 1 ? [...asked][0] : undefined;
}

/** What a post-mortem's children must show, by its severity (checked box, or its marker's). */
export function requiredFor(
  config: Config,
  postmortemBody: string | undefined,
  incidentLabels?: readonly string[],
): CapaEvidence {
  const severity = incidentSeverity(
    {
      checked: postmortemBody ? readPostmortemBody(postmortemBody).checkedSeverity : undefined,
      labels: incidentLabels,
      answered: findMarker(postmortemBody, "postmortem")?.severity,
    },
    config,
  );
  return severityPolicy(config, severity).capaEvidence;
}

// Recording evidence. Each returns the evidence unchanged when there is nothing new, so a
// redelivered or late event writes nothing; the result does not depend on the order events came.

/** Merged fixes added (by pull request number, in order); a fix already reverted stays out. */
export function recordFixes(evidence: Evidence, fixes: readonly MergedFix[]): Evidence {
  const known = new Set([
    ...(evidence.merged ?? []).map((fix) => fix.pr),
    ...(evidence.reverted ?? []).map((revert) => revert.pr),
  ]);
  const added = fixes.filter((fix) => !known.has(fix.pr));
  if (added.length === 0) return evidence;
  const merged = [...(evidence.merged ?? []), ...added].sort((a, b) => a.pr - b.pr);
  return { ...evidence, merged };
}

/** A fix taken back by a revert (also before the fix itself is recorded: it then never counts). */
export function recordRevert(evidence: Evidence, pr: number, by: number): Evidence {
  if ((evidence.reverted ?? []).some((revert) => revert.pr === pr)) return evidence;
  const reverted = [...(evidence.reverted ?? []), { pr, by }].sort((a, b) => a.pr - b.pr);
  return { ...evidence, reverted };
}

/**
 * A deployment that contains `contained` (pull request numbers). It is recorded when it ships
 * every fix that counts and the one recorded does not (already shipped: the first one stays).
 */
export function recordShipment(evidence: Evidence, shipment: Shipment): Evidence {
  if (isShipped(evidence)) return evidence;
  const next = { ...evidence, shipped: shipment };
  return isShipped(next) ? next : evidence;
}

/** A maintainer's `/evidence`; of several, the latest comment's. */
export function recordManual(evidence: Evidence, manual: ManualEvidence): Evidence {
  if (evidence.manual && evidence.manual.comment >= manual.comment) return evidence;
  return { ...evidence, manual };
}

export interface ChildEvidenceState {
  /** The child as GitHub has it now (a product's child: see capaParentOf). */
  child: IssueSnapshot;
  /** The evidence it should record: what its marker has, plus what this event adds. */
  evidence: Evidence;
  /** Its comments, read when `wantsComments` says a comment may be due; else undefined. */
  comments: readonly CommentSnapshot[] | undefined;
  writers: Writers;
  required: CapaEvidence;
  /** A revert just recorded, to say once: the fix and its revert. */
  revert?: { pr: number; by: number };
}

/** The child judged as the state says, in the configured time zone. */
export function judgementOf(
  config: Config,
  state: Pick<ChildEvidenceState, "child" | "evidence" | "required">,
): EvidenceJudgement {
  return judgeChild(state.child, state.evidence, {
    required: state.required,
    environment: config.evidence.environment,
    timeZone: config.timezone,
  });
}

/** Whether the plan may comment (so the child's comments must be read first). */
export function wantsComments(
  config: Config,
  state: Omit<ChildEvidenceState, "comments">,
): boolean {
  return state.revert !== undefined || judgementOf(config, state).noEvidence;
}

/**
 * The writes that bring a child in line with its evidence: the marker and the lines in its body,
 * the awaiting-ship and no-evidence labels, and at most one comment each for a missing evidence
 * and for a revert (recognised later by their `evidence` markers). Nothing is reopened.
 */
export function planChildEvidence(config: Config, state: ChildEvidenceState): Plan {
  const { child } = state;
  const steps: Plan = [];
  const body = withEvidence(child.body, state.evidence, config.timezone);
  if (body !== child.body) {
    steps.push({ kind: "updateIssueBody", issueNumber: child.number, body });
  }
  const judgement = judgementOf(config, state);
  const labels = config.evidence.labels;
  steps.push(...labelSteps(child, labels.awaitingShip, judgement.awaitingShip));
  steps.push(...labelSteps(child, labels.noEvidence, judgement.noEvidence));

  if (state.comments === undefined) return steps;
  const given = new Set(
    state.comments
      .filter((comment) => wroteIt(comment.author, "flows", state.writers))
      .map((comment) => findMarker(comment.body, "evidence"))
      .filter((marker) => marker?.issue === child.number)
      .map((marker) => marker!.key),
  );
  const owners = child.assignees.map((login) => `@${login}`).join(", ");
  const how = howToGive(child.number, judgement.missing ?? "merged", config);
  // Said only of a fix that was recorded: a revert of one never seen just keeps it out.
  const revert = state.revert;
  const revertedFix =
    revert !== undefined && (state.evidence.merged ?? []).some((fix) => fix.pr === revert.pr);
  if (state.revert && revertedFix && !given.has(`revert:${state.revert.pr}`)) {
    const left = fixesOf(state.evidence).length;
    const now =
      judgement.status === undefined
        ? ""
        : ` This corrective action now shows as “${judgement.status}”.`;
    steps.push(
      comment(
        child.number,
        `revert:${state.revert.pr}`,
        `${owners ? `${owners}: ` : ""}#${state.revert.pr} was reverted by #${state.revert.by}, so it no longer counts as evidence that this corrective action is done.${now}${left === 0 && judgement.missing ? ` ${how}` : ""}`,
      ),
    );
  } else if (
    judgement.noEvidence &&
    !given.has("missing") &&
    ![...given].some((key) => key.startsWith("revert:"))
  ) {
    steps.push(
      comment(
        child.number,
        "missing",
        `${owners ? `${owners}: ` : ""}this corrective action was closed as completed without the evidence its severity's policy asks for (\`capaEvidence: ${state.required}\`): ${judgement.missing === "shipped" ? "a merged pull request deployed to the configured environment" : "a merged pull request that fixes it"}. It is shown as “Closed, no evidence” and still counts as open; nothing was reopened. ${how}`,
      ),
    );
  }
  return steps;
}

function howToGive(issue: number, missing: "merged" | "shipped", config: Config): string {
  const permission = config.approvals.forceClosePermission;
  const code =
    missing === "shipped"
      ? `Once its fix is merged and deployed to ${config.evidence.environment ? `\`${config.evidence.environment.replace(/`/g, "")}\`` : "the configured environment"}, the post-mortem shows it as shipped`
      : `Link the pull request that fixes it (\`Fixes #${issue}\` in its description, or the issue's Development sidebar); once it is merged, the post-mortem shows it`;
  return `${code}. Evidence that is not code can be recorded by someone with ${permission} permission or more with \`/evidence <link or text>\` here.`;
}

function comment(issueNumber: number, key: string, text: string) {
  return {
    kind: "createComment" as const,
    issueNumber,
    body: `${text}\n\n${formatMarker("evidence", { issue: issueNumber, key })}`,
  };
}

function labelSteps(child: IssueSnapshot, label: string, wanted: boolean): Plan {
  const has = child.labels.some((name) => sameLabel(name, label));
  if (wanted && !has) return [{ kind: "addLabels", issueNumber: child.number, labels: [label] }];
  if (!wanted && has) return [{ kind: "removeLabel", issueNumber: child.number, name: label }];
  return [];
}

/**
 * A `/evidence` refused for lack of permission: one reply per person and child, however often they
 * ask (the marker names the person). The person is named without a mention.
 */
export function refusalPlan(
  child: IssueSnapshot,
  login: string,
  comments: readonly CommentSnapshot[],
  writers: Writers,
  config: Config,
): Plan {
  const key = `refusal:${login.toLowerCase()}`;
  const given = comments.some(
    (c) =>
      wroteIt(c.author, "flows", writers) &&
      findMarker(c.body, "evidence")?.key === key &&
      findMarker(c.body, "evidence")?.issue === child.number,
  );
  if (given) return [];
  return [
    comment(
      child.number,
      key,
      `\`@${login}\`: only people with ${config.approvals.forceClosePermission} permission or more (\`approvals.forceClosePermission\`) can record evidence with \`/evidence\`, so nothing was recorded. Ask a maintainer, or link the pull request that fixes this corrective action.`,
    ),
  ];
}

/** `/evidence` without a link or text: one reply to that comment. */
export function usagePlan(
  child: IssueSnapshot,
  commentId: number,
  comments: readonly CommentSnapshot[],
  writers: Writers,
): Plan {
  const key = `usage:${commentId}`;
  const given = comments.some(
    (c) => wroteIt(c.author, "flows", writers) && findMarker(c.body, "evidence")?.key === key,
  );
  if (given) return [];
  return [
    comment(
      child.number,
      key,
      "`/evidence` needs the evidence after it: `/evidence <link or text>`, such as `/evidence https://wiki.example.com/runbooks/checkout`. Nothing was recorded.",
    ),
  ];
}

/** `/evidence <link or text>` at the start of a comment: its text (empty: none given). */
export function readEvidenceCommand(body: string | null | undefined): string | undefined {
  const match = /^\/evidence(?:\s+([\s\S]*))?$/.exec((body ?? "").trim());
  return match ? (match[1] ?? "").trim() : undefined;
}
