import type { Config } from "../core/config.js";
import { findMarker } from "../core/markers.js";
import type { GatedPostmortem, ReleaseGateVerdict, Waiver } from "../core/release-gate/gate.js";
import {
  closesToJudge,
  judgeRelease,
  overdueOn,
  reviewsToJudge,
  waiversToCheck,
} from "../core/release-gate/gate.js";
import type { Annotation, IssueUrl } from "../core/release-gate/summary.js";
import { releaseGateAnnotations, releaseGateSummary } from "../core/release-gate/summary.js";
import type { IssueSnapshot } from "../core/snapshots.js";
import { requiredFor, uniformRequirement } from "../core/evidence/plan.js";
import { closedPastDue, unprovenChildren, unprovenLabels } from "../core/reminders/sweep.js";
import { todayIn } from "../core/time.js";
import type { ApprovalGateway } from "../github/approval-gateway.js";
import { closeStands } from "../core/approvals/gate.js";
import { judgeClose, judgePostmortem } from "./approval-handler.js";
import { isProductIssue } from "../core/identity.js";
import type { Writers } from "../core/trust/writers.js";
import { writersOf } from "../core/trust/writers.js";
import { loadConfig } from "./load-config.js";
import type { Logger } from "../core/logger.js";

export type ReleaseGateResult =
  | { ok: false; problem: string }
  | {
      ok: true;
      verdict: ReleaseGateVerdict;
      summary: string;
      annotations: Annotation[];
      /** The configuration it judged by (for the notice of a blocked release). */
      config: Config;
    };

/**
 * The release gate for one repository: paged listings by label (post-mortems of any state, open
 * CAPA children, closed children carrying an evidence label once a policy asks for evidence,
 * incidents), then per-issue reads only for the few issues that need them (closed
 * post-mortems with overdue children that lost their label; closes of `"gate":2` post-mortems
 * whose marker does not record them as judged, and late reviews, both judged as the close gate
 * judges; waiver labels, traced to who added them).
 * Reads only: nothing is written.
 */
export async function checkReleaseGate(
  gateway: ApprovalGateway,
  log: Logger,
  now: Date,
  url: IssueUrl,
): Promise<ReleaseGateResult> {
  const base = gateway.base;
  const loaded = await loadConfig(base);
  if (!loaded.ok) return { ok: false, problem: loaded.problem };
  const config = loaded.config;
  // Run by the Action or the CLI, which know the App only by `identity.app`.
  const writers = writersOf(config, "action");

  // Each body's marker is read once: parsing a post-mortem's markdown is the costly part.
  const postmortems = new Map<number, AppPostmortem>();
  const keep = (issue: IssueSnapshot) => {
    const incident = incidentOf(issue, writers);
    if (incident !== undefined) postmortems.set(issue.number, { issue, incident });
  };
  const listed = await base.listIssuesWithLabel(config.postmortemLabels[0]!, undefined, "all");
  listed.filter((issue) => issue.state === "open").forEach(keep);
  const closed = new Map(
    listed.filter((issue) => issue.state === "closed").map((issue) => [issue.number, issue]),
  );
  const openChildren = await base.listIssuesWithLabel(config.capa.labels[0]!, undefined, "open");
  const overdue = overdueOn(openChildren, config, now, writers);
  // Children closed without the evidence their severity asks for count as open: one paged listing
  // of each evidence label (none while every severity asks `capaEvidence: none`), judged on the
  // evidence the product recorded once their post-mortems and incidents are read.
  const closedChildren: IssueSnapshot[] = [];
  for (const label of unprovenLabels(config)) {
    closedChildren.push(...(await base.listIssuesWithLabel(label, undefined, "closed")));
  }
  const candidates = closedPastDue(closedChildren, todayIn(now, config.timezone), writers);
  // A closed post-mortem matters through overdue children, and so does one that lost its label
  // (read one by one).
  for (const number of new Set([...overdue, ...candidates].map((entry) => entry.postmortem))) {
    if (postmortems.has(number)) continue;
    const issue = closed.get(number) ?? (await base.getIssue(number));
    if (issue) keep(issue);
  }
  // And through its close, when nothing records that the close gate let it stand: judged here
  // as the close gate judges it (a close whose own run was lost, before a sweep reopens it).
  const unapproved = new Set<number>();
  const appClosed = [...closed.values()].filter(
    (issue) => incidentOf(issue, writers) !== undefined,
  );
  for (const number of closesToJudge(appClosed)) {
    const judged = await judgeClose(gateway, config, writers, number, now);
    if (!judged || judged.issue.state !== "closed" || closeStands(judged.decision)) continue;
    keep(judged.issue);
    unapproved.add(number);
  }
  const incidents = await readIncidents(gateway, config, [...postmortems.values()]);
  const uniform = uniformRequirement(config);
  overdue.push(
    ...unprovenChildren(candidates, config, (number) => {
      if (uniform !== undefined) return uniform;
      const postmortem = postmortems.get(number);
      if (!postmortem) return "none";
      const incident = incidents.get(postmortem.incident);
      return requiredFor(config, postmortem.issue.body, incident?.labels);
    }),
  );

  const entries: GatedPostmortem[] = [...postmortems.values()].map(({ issue, incident }) => ({
    postmortem: issue,
    incident: incidents.get(incident),
    ...(unapproved.has(issue.number) ? { closedUnapproved: true } : {}),
  }));
  for (const number of reviewsToJudge({ postmortems: entries, config, now })) {
    const judged = await judgePostmortem(gateway, config, writers, number, now);
    const entry = entries.find((candidate) => candidate.postmortem.number === number)!;
    entry.approved = judged?.verdict.approved ?? false;
  }
  let verdict = judgeRelease({ postmortems: entries, overdue, config, now, writers });
  // Only a post-mortem that would block needs its waiver traced.
  const toTrace = waiversToCheck(
    verdict.blocking.map((entry) => entry.postmortem),
    config,
  );
  if (toTrace.length > 0) {
    for (const number of toTrace) {
      const entry = entries.find((candidate) => candidate.postmortem.number === number)!;
      entry.waiver = await traceWaiver(gateway, number, config);
    }
    verdict = judgeRelease({ postmortems: entries, overdue, config, now, writers });
  }
  log.info(
    `Release gate: ${verdict.passed ? "passed" : "blocked"}; ${verdict.postmortemsChecked} post-mortems, ${openChildren.length} open actions, ${closedChildren.length} closed with an evidence label, ${verdict.blocking.length} blocking, ${verdict.waived.length} waived`,
  );
  return {
    ok: true,
    verdict,
    summary: releaseGateSummary(verdict, config, url),
    annotations: releaseGateAnnotations(verdict, config, url),
    config,
  };
}

interface AppPostmortem {
  issue: IssueSnapshot;
  incident: number;
}

/** The incident a post-mortem of the product names (a marker typed by anyone else proves nothing). */
function incidentOf(issue: IssueSnapshot, writers: Writers): number | undefined {
  return isProductIssue(issue, writers)
    ? findMarker(issue.body, "postmortem")?.incident
    : undefined;
}

/**
 * The incidents of the post-mortems, by number: one paged listing per incident label, then single
 * reads for incidents that lost their label (or were moved).
 */
async function readIncidents(
  gateway: ApprovalGateway,
  config: Config,
  postmortems: readonly AppPostmortem[],
): Promise<Map<number, IssueSnapshot>> {
  const wanted = new Set(postmortems.map((postmortem) => postmortem.incident));
  const found = new Map<number, IssueSnapshot>();
  if (wanted.size === 0) return found;
  for (const label of config.incidentLabels) {
    for (const issue of await gateway.base.listIssuesWithLabel(label, undefined, "all")) {
      if (wanted.has(issue.number)) found.set(issue.number, issue);
    }
  }
  for (const number of wanted) {
    if (found.has(number)) continue;
    const issue = await gateway.base.getIssue(number);
    if (issue) found.set(number, issue);
  }
  return found;
}

/** Who added the waiver label last, from the issue's events, and their permission now. */
async function traceWaiver(
  gateway: ApprovalGateway,
  issueNumber: number,
  config: Config,
): Promise<Waiver> {
  const addedBy = await gateway.lastLabeledBy(issueNumber, config.releaseGate.waiverLabel);
  if (addedBy === undefined) return { addedBy, permission: "none" };
  return { addedBy, permission: await gateway.base.getPermission(addedBy) };
}
