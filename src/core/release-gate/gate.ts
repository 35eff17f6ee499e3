import type { Permission } from "../approvals/config.js";
import { closeRecorded, closeToJudge } from "../approvals/gate.js";
import { permissionAtLeast } from "../approvals/people.js";
import { readPostmortemBody } from "../capa/items.js";
import { isProductIssue } from "../identity.js";
import { findMarker } from "../markers.js";
import type { Config } from "../config.js";
import { sameLabel } from "../config.js";
import type { SeverityKey } from "../policy/config.js";
import { incidentSeverity, severityPolicy } from "../policy/resolve.js";
import type { OverdueChild } from "../reminders/overdue.js";
import { reviewDeadline } from "../reminders/review.js";
import { overdueChildren } from "../reminders/sweep.js";
import type { IssueSnapshot } from "../snapshots.js";
import { formatDate, todayIn } from "../time.js";
import type { Writers } from "../trust/writers.js";

/** Who added the waiver label last (from the issue's events) and their permission now. */
export interface Waiver {
  addedBy: string | undefined;
  permission: Permission;
}

/** One post-mortem as the shell read it. */
export interface GatedPostmortem {
  postmortem: IssueSnapshot;
  /** Its incident, undefined when it is gone (deleted or transferred). */
  incident: IssueSnapshot | undefined;
  /** The gate's approval verdict, judged only for reviews past their deadline. */
  approved?: boolean;
  /** Present when the post-mortem carries the waiver label. */
  waiver?: Waiver;
  /**
   * Closed (under `"gate":2`) although the close gate's judgement would not let the close stand:
   * its close's own run was lost and no sweep has reopened it yet.
   */
  closedUnapproved?: boolean;
}

export interface ReleaseGateInput {
  /** The App's post-mortems (the product's, with its marker), any state. */
  postmortems: readonly GatedPostmortem[];
  /**
   * The overdue CAPA children that count as open (`overdueChildren` of the open listing by CAPA
   * label, and `unprovenChildren`: closed as completed without the evidence their policy asks).
   */
  overdue: readonly OverdueChild[];
  config: Config;
  now: Date;
  /** Whose issues and comments count as the product's (src/core/trust/writers.ts). */
  writers: Writers;
}

export type BlockReason =
  | {
      kind: "overdue";
      child: IssueSnapshot;
      due: string;
      daysOverdue: number;
      /** Closed as completed without this evidence (it counts as open); undefined: open. */
      missing?: "merged" | "shipped";
    }
  | { kind: "review-late"; deadline: string }
  | { kind: "closed-unapproved"; closed: string };

export interface GateEntry {
  postmortem: IssueSnapshot;
  severity: SeverityKey;
  reasons: BlockReason[];
  waiver?: Waiver;
}

export interface ReleaseGateVerdict {
  passed: boolean;
  /** Post-mortems that fail the gate. */
  blocking: GateEntry[];
  /** Post-mortems that would fail it, waived by a maintainer's label. */
  waived: GateEntry[];
  /** Post-mortems whose severity's policy keeps them out of the gate (`releaseGate: false`). */
  exempt: GateEntry[];
  postmortemsChecked: number;
}

/** The post-mortem's severity: its checked box, else its incident's labels, else its form's answer. */
function severityOf(entry: GatedPostmortem, config: Config) {
  return incidentSeverity(
    {
      checked: readPostmortemBody(entry.postmortem.body).checkedSeverity,
      labels: entry.incident?.labels,
      answered: findMarker(entry.postmortem.body, "postmortem")?.severity,
    },
    config,
  );
}

function gated(entry: GatedPostmortem, config: Config): boolean {
  return severityPolicy(config, severityOf(entry, config)).releaseGate;
}

/** Open post-mortems the gate applies to whose review deadline has passed: judge their approvals. */
export function reviewsToJudge(
  input: Pick<ReleaseGateInput, "postmortems" | "config" | "now">,
): number[] {
  return input.postmortems
    .filter((entry) => reviewIsLate(entry, input) && gated(entry, input.config))
    .map((entry) => entry.postmortem.number);
}

function reviewIsLate(entry: GatedPostmortem, input: Pick<ReleaseGateInput, "config" | "now">) {
  const deadline = reviewDeadline(entry.postmortem, entry.incident, input.config);
  return deadline !== undefined && input.now.getTime() >= deadline.getTime();
}

/**
 * The closed post-mortems whose close must be judged: opened under `"gate":2` (older ones keep
 * their meaning: a close passed the gate) and whose marker does not record their present close as
 * one the gate let stand. So the cost grows with the closes nobody judged, not with the history.
 */
export function closesToJudge(postmortems: readonly IssueSnapshot[]): number[] {
  return postmortems
    .filter((issue) => closeToJudge(issue) && !closeRecorded(issue))
    .map((issue) => issue.number);
}

/** Post-mortems whose waiver label must be traced to the person who added it. */
export function waiversToCheck(postmortems: readonly IssueSnapshot[], config: Config): number[] {
  return postmortems
    .filter((issue) => issue.labels.some((name) => sameLabel(name, config.releaseGate.waiverLabel)))
    .map((issue) => issue.number);
}

/** The open CAPA children past their due date on today's date in the configured zone. */
export function overdueOn(
  openChildren: readonly IssueSnapshot[],
  config: Config,
  now: Date,
  writers: Writers,
): OverdueChild[] {
  return overdueChildren(openChildren, todayIn(now, config.timezone), writers);
}

/**
 * The release gate: it fails while a post-mortem whose severity's policy says `releaseGate: true`
 * has an overdue CAPA child that counts as open (open, or closed without its evidence), is unapproved past its review deadline, or stands closed without
 * the close gate's approval (`"gate":2` post-mortems only), unless a person with
 * `approvals.forceClosePermission` added the waiver label to it.
 */
export function judgeRelease(input: ReleaseGateInput): ReleaseGateVerdict {
  const { config, now } = input;
  const overdue = new Map<number, OverdueChild[]>();
  for (const entry of input.overdue) {
    overdue.set(entry.postmortem, [...(overdue.get(entry.postmortem) ?? []), entry]);
  }
  const verdict: ReleaseGateVerdict = {
    passed: true,
    blocking: [],
    waived: [],
    exempt: [],
    postmortemsChecked: 0,
  };
  const byNumber = [...input.postmortems].sort((a, b) => a.postmortem.number - b.postmortem.number);
  for (const entry of byNumber) {
    const { postmortem } = entry;
    if (!isProductIssue(postmortem, input.writers)) continue;
    verdict.postmortemsChecked++;
    const reasons: BlockReason[] = (overdue.get(postmortem.number) ?? []).map((o) => ({
      kind: "overdue",
      child: o.child,
      due: o.due,
      daysOverdue: o.daysOverdue,
      ...(o.missing ? { missing: o.missing } : {}),
    }));
    const deadline = reviewDeadline(postmortem, entry.incident, config);
    if (entry.closedUnapproved === true && postmortem.state === "closed") {
      const closed = postmortem.closedAt ?? postmortem.createdAt;
      reasons.push({ kind: "closed-unapproved", closed: formatDate(closed, config.timezone) });
    } else if (deadline && now.getTime() >= deadline.getTime() && entry.approved !== true) {
      reasons.push({
        kind: "review-late",
        deadline: formatDate(deadline.toISOString(), config.timezone),
      });
    }
    if (reasons.length === 0) continue;
    // Reading the body for its severity box is the costly part: only for post-mortems with reasons.
    const severity = severityOf(entry, config);
    const gateEntry: GateEntry = {
      postmortem,
      severity: severity ?? "default",
      reasons,
      ...(entry.waiver ? { waiver: entry.waiver } : {}),
    };
    if (!severityPolicy(config, severity).releaseGate) verdict.exempt.push(gateEntry);
    else if (waiverCounts(entry.waiver, config)) verdict.waived.push(gateEntry);
    else verdict.blocking.push(gateEntry);
  }
  verdict.passed = verdict.blocking.length === 0;
  return verdict;
}

export function waiverCounts(waiver: Waiver | undefined, config: Config): boolean {
  return (
    waiver?.addedBy !== undefined &&
    permissionAtLeast(waiver.permission, config.approvals.forceClosePermission)
  );
}
