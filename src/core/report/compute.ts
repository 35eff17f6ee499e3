import { parseIsoDate, readPostmortemBody } from "../capa/items.js";
import { dueLineOf, ownerLineOf } from "../capa/plan.js";
import { incidentSeverity } from "../severity.js";
import type { Config } from "../config.js";
import { sameLabel } from "../config.js";
import { CAPA_MARKER } from "../constants.js";
import { isPostmortem, isProductIssue } from "../identity.js";
import type { Writers } from "../trust/writers.js";
import { findMarker } from "../markers.js";
import type { IssueSnapshot } from "../snapshots.js";
import { formatDate, todayIn } from "../time.js";
import type { Period } from "./period.js";
import type { CapaEvidence } from "../evidence/config.js";
import type { Evidence } from "../evidence/model.js";
import { evidenceOf, fixesOf, isShipped, judgeChild } from "../evidence/model.js";
import { requiredFor, uniformRequirement } from "../evidence/plan.js";
import { inPeriod, monthsOf } from "./period.js";

import type { CulpritReport } from "./culprits.js";

export const SEVERITIES = ["P1", "P2", "P3", "P4", "default"] as const;
export const EVIDENCE_KINDS = ["shipped", "merged", "manual", "none"] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];
export type Severity = (typeof SEVERITIES)[number];

/** What the report is computed from: three paged listings by label, nothing per issue. */
export interface ReportInput {
  /** Issues with an incident label, in any state. */
  incidents: readonly IssueSnapshot[];
  /** Issues with the post-mortem label, in any state. */
  postmortems: readonly IssueSnapshot[];
  /** Issues with the CAPA label, in any state. */
  actions: readonly IssueSnapshot[];
  config: Config;
  period: Period;
  now: Date;
  /** Whose post-mortems and CAPA children count (src/core/trust/writers.ts). */
  writers: Writers;
}

/** Median and 90th percentile of a set of durations, in hours; null where there are none. */
export interface DurationStats {
  count: number;
  medianHours: number | null;
  p90Hours: number | null;
}

export interface OpenAction {
  number: number;
  title: string;
  postmortem: number;
  /** `@bob, @erin`, or what the action's Owner line says; empty when nobody is named. */
  owner: string;
  due: string | null;
  /** Whole days past the due date; 0 when not yet due or without a date. */
  daysOverdue: number;
  openedAt: string;
}

export interface ReliabilityReport {
  period: Period;
  generatedAt: string;
  incidents: {
    total: number;
    bySeverity: Record<Severity, number>;
    byMonth: ({ month: string; total: number } & Record<Severity, number>)[];
  };
  /** Incident opened → closed, for the period's incidents that are closed. */
  timeToResolve: DurationStats;
  /** Incident closed → post-mortem approved (closed as completed: the gate reopens any other close). */
  timeToApproval: DurationStats;
  /** Corrective actions opened in the period, by their state now. */
  actions: {
    opened: number;
    done: number;
    wontDo: number;
    open: number;
    /** Open and past their due date (a part of `open`). */
    overdue: number;
    /** Done actions that had a due date, and how many of them were closed on or before it. */
    doneWithDueDate: number;
    doneOnTime: number;
    /** `doneOnTime / doneWithDueDate` in percent, rounded; null when no done action had a date. */
    onTimePercent: number | null;
    /**
     * Closed as completed without the evidence their severity's `capaEvidence` asks for (a part of
     * `open`, and of `overdue` when past due): they count as open, not done, nor in the on-time share.
     */
    closedWithoutEvidence: number;
  };
  /** Evidence on the corrective actions opened in the period (issue #19). */
  evidence: {
    /** Action opened → its first merged fix that counts (`fixesOf`), for those with one. */
    timeToMerge: DurationStats;
    /** Action opened → the deployment that shipped its fixes (`evidence.shipped.at`). */
    timeToShip: DurationStats;
    /**
     * The actions closed as completed, by the strongest evidence recorded on them: `shipped` (a
     * deployment holds every fix), `merged` (a fix, not shipped), `manual` (a maintainer's
     * `/evidence`, no fix), `none`; and the share of each in percent (null without any).
     */
    closedAsCompleted: number;
    byKind: Record<EvidenceKind, number>;
    percentByKind: Record<EvidenceKind, number | null>;
  };
  /** The ten oldest open corrective actions, whenever they were opened. */
  oldestOpenActions: OpenAction[];
  /**
   * Repeats and the most implicated paths (src/core/report/culprits.ts); present only where a
   * post-mortem of the period has culprits.
   */
  culprits?: CulpritReport;
}

const HOUR_MS = 3_600_000;
const CAPA_MARKER_PREFIX = `<!-- ${CAPA_MARKER} `;
const DAY_MS = 86_400_000;
export const OLDEST_SHOWN = 10;

/** The report's numbers, from issues already loaded: pure, no I/O. */
export function computeReport(input: ReportInput): ReliabilityReport {
  const { config, period, now } = input;
  const dayOf = (iso: string) => formatDate(iso, period.timezone);
  const today = todayIn(now, period.timezone);

  const postmortemOf = new Map<number, IssueSnapshot>();
  for (const postmortem of [...input.postmortems].sort((a, b) => a.number - b.number)) {
    const incident = findMarker(postmortem.body, "postmortem")?.incident;
    // Only the App's post-mortems count (a typed marker proves nothing), duplicates never do.
    if (!isProductIssue(postmortem, input.writers) || incident === undefined) continue;
    if (postmortem.stateReason === "duplicate" || postmortemOf.has(incident)) continue;
    postmortemOf.set(incident, postmortem);
  }

  const incidents = input.incidents.filter(
    (issue) =>
      !issue.isPullRequest &&
      !isPostmortem(issue, config, input.writers) &&
      // Declared by someone who may not, and not confirmed: no incident of the team's yet.
      !issue.labels.some((label) => sameLabel(label, config.incidents.unconfirmedLabel)) &&
      issue.stateReason !== "duplicate" &&
      inPeriod(issue.createdAt, period, dayOf),
  );
  const severityOf = (incident: IssueSnapshot): Severity => {
    const postmortem = postmortemOf.get(incident.number);
    const checked = postmortem ? readPostmortemBody(postmortem.body).checkedSeverity : undefined;
    const answered = postmortem ? findMarker(postmortem.body, "postmortem")?.severity : undefined;
    return incidentSeverity({ checked, labels: incident.labels, answered }, config) ?? "default";
  };

  const byMonth = monthsOf(period).map((month) => ({ month, total: 0, ...zeroBySeverity() }));
  const bySeverity = zeroBySeverity();
  const resolveHours: number[] = [];
  const approvalHours: number[] = [];
  for (const incident of incidents) {
    const severity = severityOf(incident);
    bySeverity[severity]++;
    const month = byMonth.find((entry) => entry.month === dayOf(incident.createdAt).slice(0, 7));
    if (month) {
      month[severity]++;
      month.total++;
    }
    if (incident.state !== "closed" || !incident.closedAt) continue;
    resolveHours.push(hoursBetween(incident.createdAt, incident.closedAt));
    const postmortem = postmortemOf.get(incident.number);
    if (postmortem?.state === "closed" && postmortem.stateReason === "completed") {
      // Approved before the incident closed counts as no wait at all.
      approvalHours.push(Math.max(0, hoursBetween(incident.closedAt, postmortem.closedAt!)));
    }
  }

  // The App's children, by author, label (the listing) and marker. Reading the marker properly
  // means parsing the body's markdown, milliseconds apiece: for thousands of actions that is done
  // only for the ten shown, whose post-mortem the table names.
  const actions = input.actions.filter(
    (issue) =>
      isProductIssue(issue, input.writers) &&
      issue.body.includes(CAPA_MARKER_PREFIX) &&
      issue.stateReason !== "duplicate",
  );
  const opened = actions.filter((action) => inPeriod(action.createdAt, period, dayOf));
  const evidence = evidenceReader(input, postmortemOf);
  const completed = opened.filter((a) => a.state === "closed" && a.stateReason !== "not_planned");
  // Closed as completed without the evidence asked for: open work, not done.
  const unproven = new Set(completed.filter((action) => evidence.unproven(action)));
  const done = completed.filter((action) => !unproven.has(action));
  const wontDo = opened.filter((a) => a.state === "closed" && a.stateReason === "not_planned");
  const open = [...opened.filter((a) => a.state === "open"), ...unproven];
  const doneWithDueDate = done.filter((action) => dueOf(action) !== undefined);
  const doneOnTime = doneWithDueDate.filter(
    (action) => action.closedAt && dayOf(action.closedAt) <= dueOf(action)!,
  );
  const overdue = open.filter((action) => daysPastDue(action, today) > 0);

  const mergeHours: number[] = [];
  const shipHours: number[] = [];
  const byKind: Record<EvidenceKind, number> = { shipped: 0, merged: 0, manual: 0, none: 0 };
  for (const action of opened) {
    if (action.state === "closed" && action.stateReason === "not_planned") continue;
    const recorded = evidence.of(action);
    const fixes = fixesOf(recorded);
    const firstFix = fixes.map((fix) => fix.at).sort()[0];
    if (firstFix !== undefined) mergeHours.push(hoursBetween(action.createdAt, firstFix));
    const shipped = isShipped(recorded) && recorded.shipped ? recorded.shipped.at : undefined;
    if (shipped !== undefined) shipHours.push(hoursBetween(action.createdAt, shipped));
    if (action.state !== "closed") continue;
    byKind[
      shipped !== undefined
        ? "shipped"
        : fixes.length > 0
          ? "merged"
          : recorded.manual
            ? "manual"
            : "none"
    ]++;
  }

  const oldestOpenActions: OpenAction[] = [];
  const openByAge = actions
    .filter((action) => action.state === "open")
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.number - b.number);
  for (const action of openByAge) {
    if (oldestOpenActions.length === OLDEST_SHOWN) break;
    const parent = findMarker(action.body, "capa")?.parent;
    if (parent === undefined) continue;
    oldestOpenActions.push({
      number: action.number,
      title: action.title,
      postmortem: parent,
      owner: ownerOf(action),
      due: dueOf(action) ?? null,
      daysOverdue: daysOverdue(action, today),
      openedAt: action.createdAt,
    });
  }

  return {
    period,
    generatedAt: now.toISOString(),
    incidents: { total: incidents.length, bySeverity, byMonth },
    timeToResolve: durationStats(resolveHours),
    timeToApproval: durationStats(approvalHours),
    actions: {
      opened: opened.length,
      done: done.length,
      wontDo: wontDo.length,
      open: open.length,
      overdue: overdue.length,
      doneWithDueDate: doneWithDueDate.length,
      doneOnTime: doneOnTime.length,
      onTimePercent:
        doneWithDueDate.length === 0
          ? null
          : Math.round((doneOnTime.length / doneWithDueDate.length) * 100),
      closedWithoutEvidence: unproven.size,
    },
    evidence: {
      timeToMerge: durationStats(mergeHours),
      timeToShip: durationStats(shipHours),
      closedAsCompleted: completed.length,
      byKind,
      percentByKind: Object.fromEntries(
        EVIDENCE_KINDS.map((kind) => [
          kind,
          completed.length === 0 ? null : Math.round((byKind[kind] / completed.length) * 100),
        ]),
      ) as Record<EvidenceKind, number | null>,
    },
    oldestOpenActions,
  };
}

/**
 * The value below which a share `p` of the sorted values lie, interpolating between the two
 * nearest ranks (the common "linear" definition: the median of 1, 2, 3, 4 is 2.5).
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (sorted.length - 1) * p;
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (rank - lower);
}

function durationStats(hours: number[]): DurationStats {
  const sorted = [...hours].sort((a, b) => a - b);
  return {
    count: sorted.length,
    medianHours: round(percentile(sorted, 0.5)),
    p90Hours: round(percentile(sorted, 0.9)),
  };
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}

function hoursBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / HOUR_MS;
}

function zeroBySeverity(): Record<Severity, number> {
  return { P1: 0, P2: 0, P3: 0, P4: 0, default: 0 };
}

function dueOf(action: IssueSnapshot): string | undefined {
  return parseIsoDate(dueLineOf(action.body) ?? "");
}

/** Days an open action is past its due day (`today` in the configured zone); 0 if not yet. */
function daysOverdue(action: IssueSnapshot, today: string): number {
  return action.state === "open" ? daysPastDue(action, today) : 0;
}

/** Days past the due day, whatever the action's state; 0 if not yet or without a date. */
function daysPastDue(action: IssueSnapshot, today: string): number {
  const due = dueOf(action);
  if (due === undefined || due >= today) return 0;
  return Math.round((Date.parse(today) - Date.parse(due)) / DAY_MS);
}

/**
 * The evidence recorded on actions, and whether one closed as completed lacks what its
 * post-mortem's severity asks. Reading a marker parses the body's markdown, so it is read only
 * from bodies that carry evidence, and for the policy only when severities ask differently.
 */
function evidenceReader(input: ReportInput, postmortemOf: ReadonlyMap<number, IssueSnapshot>) {
  const { config } = input;
  const uniform = uniformRequirement(config);
  const byNumber = new Map([...postmortemOf.values()].map((p) => [p.number, p]));
  const incidentLabels = new Map(input.incidents.map((i) => [i.number, i.labels]));
  const required = new Map<number, CapaEvidence>();
  const requiredOf = (action: IssueSnapshot): CapaEvidence => {
    if (uniform !== undefined) return uniform;
    const parent = findMarker(action.body, "capa")?.parent;
    if (parent === undefined) return "none";
    if (!required.has(parent)) {
      const postmortem = byNumber.get(parent);
      const incident = findMarker(postmortem?.body, "postmortem")?.incident;
      const labels = incident === undefined ? undefined : incidentLabels.get(incident);
      required.set(parent, requiredFor(config, postmortem?.body, labels));
    }
    return required.get(parent)!;
  };
  const of = (action: IssueSnapshot): Evidence =>
    action.body.includes('"evidence":') ? evidenceOf(action.body) : {};
  return {
    of,
    unproven: (action: IssueSnapshot): boolean => {
      if (uniform === "none") return false;
      return judgeChild(action, of(action), {
        required: requiredOf(action),
        environment: config.evidence.environment,
        timeZone: config.timezone,
      }).open;
    },
  };
}

/** The action's assignees, else the owner its body names (a team, or people not assignable). */
function ownerOf(action: IssueSnapshot): string {
  if (action.assignees.length > 0) return action.assignees.map((login) => `@${login}`).join(", ");
  const line = ownerLineOf(action.body) ?? "";
  // The App writes handles it may not mention inert (`` `@name` ``): the owner is the handle.
  // Owners from CODEOWNERS say so after them (src/core/capa/plan.ts): the owner is the handles.
  const owners = line.replace(/\s*\(from CODEOWNERS\)$/, "");
  return owners === "_nobody yet_" ? "" : owners.replace(/`(@[\w./-]+)`/g, "$1");
}
