import { canDismissAdoption } from "../core/adoption/plan.js";
import type { CapaEvent } from "../core/capa/events.js";
import { flowsRunElsewhere } from "../core/flows/config.js";
import type { IncidentEvent, KnownConfig } from "../core/incident/events.js";
import { canDismiss } from "../core/incident/events.js";
import type { TimelineEvent } from "../core/timeline/events.js";
import { canDismissTimeline } from "../core/timeline/events.js";
import { readApprovalEvent } from "../github/approval-events.js";
import type {
  AdoptionEvent,
  CulpritCheckWebhookPayload,
  EvidenceWebhookPayload,
  TimelineWebhookPayload,
} from "../github/webhook-events.js";
import {
  readSeverityLabelEvent,
  readGuardEvent,
  readAdoptionEvent,
  readCapaEvent,
  readCulpritCheckEvent,
  readEvidenceEvent,
  readIncidentEvent,
  readTimelineEvent,
  readChangesEvent,
} from "../github/webhook-events.js";
import type { ChangesEvent } from "../core/changes/events.js";
import { handleChangesEvent } from "./changes-handler.js";
import { handleAdoptionEvent } from "./adoption-handler.js";
import type { ApprovalEvent } from "../core/approvals/events.js";
import type { ApprovalResult } from "./approval-handler.js";
import { handleApprovalEvent, IGNORED } from "./approval-handler.js";
import { handleCapaEvent } from "./capa-handler.js";
import type { CulpritCheckEvent } from "../core/culprit-check/events.js";
import { anyBlocking } from "../core/culprit-check/plan.js";
import type { PathIndexRead } from "../github/path-index.js";
import { hasNoEntries } from "../github/path-index.js";
import { handleCulpritCheckEvent } from "./culprit-check-handler.js";
import type { EvidenceEvent } from "../core/evidence/events.js";
import { handleEvidenceEvent } from "./evidence-handler.js";
import type { FrontDoor, HandlerDeps } from "./deps.js";
import { handleIncidentEvent } from "./incident-handler.js";
import type { GuardEvent } from "../core/guard/events.js";
import { handleGuardEvent } from "./guard-handler.js";
import type { SeverityLabelEvent } from "../core/severity-change/events.js";
import { mayLowerSeverity } from "../core/severity-change/events.js";
import { handleSeverityEvent } from "./severity-handler.js";
import { sameLabel } from "../core/config.js";
import { loadConfig } from "./load-config.js";
import { handleTimelineEvent, timelineIssueOf } from "./timeline-handler.js";
import type { CulpritEvent } from "../core/culprits/events.js";
import { readCulpritEvent } from "../github/webhook-events.js";
import type { CulpritOutcome } from "./culprit-handler.js";
import { handleCulpritEvent } from "./culprit-handler.js";

/**
 * Every payload a flow reads: the parts of `issues`, `issue_comment`, `sub_issues`,
 * `pull_request` and `deployment_status` events.
 */
export type FlowPayload = TimelineWebhookPayload &
  EvidenceWebhookPayload &
  CulpritCheckWebhookPayload;

/** What else a process knows of the repository without a request (the App's cache). */
export interface KnownBeside {
  /** The path index, when the cache holds it fresh. */
  pathIndex?: PathIndexRead | undefined;
}

/**
 * One flow of the product: what it reacts to and what it does. The App's registration and front
 * gate and the Action's dispatch are all derived from the list below, so adding a flow means one
 * entry here, its handler, and its folder in `src/core`.
 */
export interface Flow<E, R> {
  name: string;
  /** The front doors that run it. */
  frontDoors: readonly FrontDoor[];
  /** The webhook events (and `event.action`s) whose deliveries it reads; the App registers these. */
  deliveries: readonly string[];
  /** Its event, read from the payload alone; undefined: none of its business. */
  read(name: string, payload: FlowPayload): E | undefined;
  /**
   * Whether the event is worth any request, decided from what is known of the configuration
   * without asking GitHub (a fresh cached read in the App; undefined: unknown). The front gate
   * lets a delivery go when no flow wants it.
   */
  wants(event: E, known: KnownConfig, frontDoor: FrontDoor, beside?: KnownBeside): boolean;
  /** The issue its work is queued on: one flow run per issue at a time in a process. */
  issueOf(event: E): number;
  /** What it is about, for log lines: "Incident #12". */
  subject(event: E): string;
  handle(event: E, deps: HandlerDeps): Promise<R>;
  /** What happened, in a word or a line; "ignored" when nothing was for it after all. */
  outcomeOf(result: R): string;
}

export const incidentFlow: Flow<IncidentEvent, string> = {
  name: "incident",
  frontDoors: ["app", "action"],
  deliveries: ["issues", "issue_comment.created"],
  read: readIncidentEvent,
  // An issue opened without labels is no trigger, whatever the configuration says.
  wants: (event, known, frontDoor) => !canDismiss(event, known, frontDoor),
  issueOf: (event) => event.issue.number,
  subject: (event) => `Incident #${event.issue.number}`,
  handle: handleIncidentEvent,
  outcomeOf: (outcome) => outcome,
};

export const capaFlow: Flow<CapaEvent, string> = {
  name: "capa",
  frontDoors: ["app", "action"],
  deliveries: ["issues", "sub_issues"],
  read: readCapaEvent,
  // `flows.runIn` names the front door that runs it; the handler checks it again.
  wants: (_event, known, frontDoor) => !flowsRunElsewhere(known, frontDoor),
  issueOf: (event) => event.postmortem,
  subject: (event) => `Post-mortem #${event.postmortem}, corrective actions`,
  handle: handleCapaEvent,
  outcomeOf: (outcome) => outcome,
};

/**
 * Evidence that a corrective action is done: a merged pull request (or its revert), a child
 * closed or reopened, a maintainer's `/evidence`, a successful deployment to
 * `evidence.environment`. Before the CAPA flow, which then shows a closed child's row with its
 * evidence. A deployment elsewhere costs no request once the configuration is known. The Action
 * hears of merges through `pull_request_target` (a fork's `pull_request` token cannot write).
 */
export const evidenceFlow: Flow<EvidenceEvent, string> = {
  name: "evidence",
  frontDoors: ["app", "action"],
  // The App's registration; the Action reads `pull_request_target` the same way (no App event).
  deliveries: ["pull_request.closed", "deployment_status", "issues", "issue_comment.created"],
  read: readEvidenceEvent,
  wants: (event, known, frontDoor) =>
    !flowsRunElsewhere(known, frontDoor) &&
    (event.kind !== "deployed" ||
      !known?.ok ||
      known.config.evidence.environment?.toLowerCase() ===
        event.deployment.environment.toLowerCase()),
  issueOf: evidenceIssueOf,
  subject: (event) =>
    event.kind === "merged"
      ? `Pull request #${event.pullRequest.number}, evidence`
      : event.kind === "deployed"
        ? `Deployment ${event.deployment.id}, evidence`
        : `CAPA child #${event.child}, evidence`,
  handle: handleEvidenceEvent,
  outcomeOf: (outcome) => outcome,
};

/** The issue an evidence event's work is queued on; deployments share the repository's `#0`. */
function evidenceIssueOf(event: EvidenceEvent): number {
  if (event.kind === "merged") return event.pullRequest.number;
  if (event.kind === "deployed") return 0;
  return event.child;
}

/**
 * The warning on the next pull request: a pull request opened, pushed to or reopened whose paths
 * overlap a recent post-mortem's culprits gets one check run per head commit. Where the
 * configuration is known to have no `blocking` severity and the cached path index no entry, the
 * delivery costs no request. The Action hears it through `pull_request_target`.
 */
export const culpritCheckFlow: Flow<CulpritCheckEvent, string> = {
  name: "culprit-check",
  frontDoors: ["app", "action"],
  // The App's registration; the Action reads `pull_request_target` the same way (no App event).
  deliveries: ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"],
  read: readCulpritCheckEvent,
  wants: (_event, known, frontDoor, beside) =>
    !flowsRunElsewhere(known, frontDoor) &&
    !(
      known?.ok &&
      !anyBlocking(known.config) &&
      beside?.pathIndex !== undefined &&
      hasNoEntries(beside.pathIndex)
    ),
  // One check run per head commit: deliveries of one pull request wait for each other.
  issueOf: (event) => event.pullRequest.number,
  subject: (event) => `Pull request #${event.pullRequest.number}, culprit check`,
  handle: handleCulpritCheckEvent,
  outcomeOf: (outcome) => outcome,
};

/** Adopting a person's post-mortem leads into the CAPA flow: it goes where that flow runs. */
export const adoptionFlow: Flow<AdoptionEvent, string> = {
  name: "adoption",
  frontDoors: ["app", "action"],
  deliveries: ["issues"],
  read: readAdoptionEvent,
  wants: (event, known, frontDoor) =>
    !canDismissAdoption(event.label, known) && !flowsRunElsewhere(known, frontDoor),
  issueOf: (event) => event.issue.number,
  subject: (event) => `#${event.issue.number}, adoption`,
  handle: handleAdoptionEvent,
  outcomeOf: (outcome) => outcome,
};

/**
 * A post-mortem stays one: its label or marker, removed by someone below
 * `approvals.forceClosePermission`, is put back. First in the list, so that the flows after it
 * see the post-mortem as it was meant to be.
 */
export const guardFlow: Flow<GuardEvent, string> = {
  name: "guard",
  frontDoors: ["app", "action"],
  deliveries: ["issues"],
  read: readGuardEvent,
  wants: (event, known, frontDoor) =>
    !flowsRunElsewhere(known, frontDoor) &&
    (event.kind !== "unlabeled" ||
      !known?.ok ||
      known.config.postmortemLabels.some((name) => sameLabel(name, event.label))),
  issueOf: (event) => event.issue.number,
  subject: (event) => `Post-mortem #${event.issue.number}, guard`,
  handle: handleGuardEvent,
  outcomeOf: (outcome) => outcome,
};

/**
 * An incident's severity lowered by a maintainer's label change: recorded in its post-mortem's
 * marker. Where `flows.runIn` says, as that front door opened the post-mortem; a label that names
 * no severity costs no request once the configuration is known.
 */
export const severityFlow: Flow<SeverityLabelEvent, string> = {
  name: "severity",
  frontDoors: ["app", "action"],
  deliveries: ["issues"],
  read: readSeverityLabelEvent,
  wants: mayLowerSeverity,
  issueOf: (event) => event.issue.number,
  subject: (event) => `Incident #${event.issue.number}, severity`,
  handle: handleSeverityEvent,
  outcomeOf: (outcome) => outcome,
};

/**
 * The incident's history in its post-mortem. App only: it follows every change of an incident,
 * which would start a workflow run each (see docs/action.md, "What differs from the App").
 */
export const timelineFlow: Flow<TimelineEvent, string> = {
  name: "timeline",
  frontDoors: ["app"],
  deliveries: ["issues", "issue_comment.created"],
  read: readTimelineEvent,
  wants: (event, known) => !canDismissTimeline(event, known),
  issueOf: timelineIssueOf,
  subject: (event) => `Post-mortem of #${timelineIssueOf(event)}, timeline`,
  handle: handleTimelineEvent,
  outcomeOf: (outcome) => outcome,
};

/**
 * `/changes [since]` on a post-mortem: the Changes before the incident block read again. Both
 * front doors, where `flows.runIn` says (as the incident flow that opened the post-mortem).
 */
export const changesFlow: Flow<ChangesEvent, string> = {
  name: "changes",
  frontDoors: ["app", "action"],
  deliveries: ["issue_comment.created"],
  read: readChangesEvent,
  wants: (_event, known, frontDoor) => !flowsRunElsewhere(known, frontDoor),
  issueOf: (event) => event.postmortem,
  subject: (event) => `Post-mortem #${event.postmortem}, changes`,
  handle: handleChangesEvent,
  outcomeOf: (outcome) => outcome,
};

/**
 * `/culprit #41` and `/culprit -#41` on a post-mortem: contributing pull requests recorded,
 * commented on, indexed by path, and repeats linked (src/core/culprits/). Where `flows.runIn` says.
 */
export const culpritFlow: Flow<CulpritEvent, CulpritOutcome> = {
  name: "culprit",
  frontDoors: ["app", "action"],
  deliveries: ["issue_comment.created"],
  read: readCulpritEvent,
  wants: (_event, known, frontDoor) => !flowsRunElsewhere(known, frontDoor),
  issueOf: (event) => event.issue.number,
  subject: (event) => `Post-mortem #${event.issue.number}, culprits`,
  handle: handleCulpritEvent,
  outcomeOf: (outcome) => outcome,
};

/**
 * The close gate. The Action judges every event on a post-mortem for its status and summary and
 * enforces unless `gate.enforceInApp: true`; the App acts only on closes and commands, and only
 * where that key says so. Last in the list: a close that another flow caused is judged on the
 * post-mortem as the flows left it.
 */
export const approvalFlow: Flow<ApprovalEvent, ApprovalResult> = {
  name: "approval-gate",
  frontDoors: ["app", "action"],
  deliveries: ["issues", "issue_comment"],
  read: readApprovalEvent,
  wants: (event, known, frontDoor) =>
    frontDoor === "action" ||
    (event.kind !== "other" && (!known?.ok || known.config.gate.enforceInApp)),
  issueOf: (event) => event.issue.number,
  subject: (event) => `Post-mortem #${event.issue.number}, approval gate`,
  handle: async (event, deps) => {
    if (deps.frontDoor === "action") return handleApprovalEvent(event, deps);
    // Where the Action enforces, the App costs only this read.
    const loaded = await loadConfig(deps.gateway.base);
    if (!loaded.ok || !loaded.config.gate.enforceInApp) {
      return IGNORED("the gate is enforced by the Action here");
    }
    return handleApprovalEvent(event, deps, { config: loaded.config });
  },
  outcomeOf: (result) => (result.outcome === "ignored" ? "ignored" : result.message),
};

/** Every flow, in the order one delivery runs them. */
export const FLOWS = [
  guardFlow,
  incidentFlow,
  severityFlow,
  evidenceFlow,
  capaFlow,
  adoptionFlow,
  timelineFlow,
  changesFlow,
  culpritCheckFlow,
  culpritFlow,
  approvalFlow,
] as const;

export type AnyFlow = (typeof FLOWS)[number];

/** A flow with the event it read: the work one delivery gives it. */
export interface FlowWork {
  flow: AnyFlow;
  issue: number;
  subject: string;
  run: (deps: HandlerDeps) => Promise<{ outcome: string; result: unknown }>;
}

/** The flows a front door runs. */
export function flowsOf(frontDoor: FrontDoor): AnyFlow[] {
  return FLOWS.filter((flow) => flow.frontDoors.includes(frontDoor));
}

/**
 * The webhook events a front door's flows read, for the App's registration. Probot calls a handler
 * once for each name that matches, so `issue_comment.created` is dropped where `issue_comment`
 * (every action) is registered: otherwise each such delivery would run every flow twice.
 */
export function deliveriesOf(frontDoor: FrontDoor): string[] {
  const names = new Set(flowsOf(frontDoor).flatMap((flow) => flow.deliveries));
  return [...names].filter((name) => !name.includes(".") || !names.has(name.split(".")[0]!));
}

/** Whether any of a front door's flows reads events of this name (`issues`, …) at all. */
export function readsEventsNamed(frontDoor: FrontDoor, name: string): boolean {
  return deliveriesOf(frontDoor).some((delivery) => delivery.split(".")[0] === name);
}

/**
 * The work one event gives a front door's flows, decided from the payload and what is known of
 * the configuration, without a request: the front gate's question and both shells' dispatch.
 */
export function workFor(
  frontDoor: FrontDoor,
  name: string,
  payload: FlowPayload,
  known: KnownConfig,
  beside?: KnownBeside,
): FlowWork[] {
  return flowsOf(frontDoor).flatMap((flow) => {
    const work = take(flow as Flow<unknown, unknown>, name, payload, known, frontDoor, beside);
    return work ? [{ ...work, flow }] : [];
  });
}

function take<E, R>(
  flow: Flow<E, R>,
  name: string,
  payload: FlowPayload,
  known: KnownConfig,
  frontDoor: FrontDoor,
  beside?: KnownBeside,
): Omit<FlowWork, "flow"> | undefined {
  const event = flow.read(name, payload);
  if (event === undefined || !flow.wants(event, known, frontDoor, beside)) return undefined;
  return {
    issue: flow.issueOf(event),
    subject: flow.subject(event),
    run: async (deps) => {
      const result = await flow.handle(event, deps);
      return { outcome: flow.outcomeOf(result), result };
    },
  };
}
