import { findMarker } from "../core/markers.js";
import { isAdopted, isProductIssue } from "../core/identity.js";
import type { Plan } from "../core/plan.js";
import { planOverdueReminder } from "../core/reminders/overdue.js";
import { planReviewReminder, reviewDeadline } from "../core/reminders/review.js";
import {
  closedPastDue,
  overdueChildren,
  showsOverdueAsOpen,
  unprovenChildren,
  unprovenLabels,
} from "../core/reminders/sweep.js";
import type { CommentSnapshot, IssueSnapshot } from "../core/snapshots.js";
import type { Config } from "../core/config.js";
import type { CapaEvidence } from "../core/evidence/config.js";
import { requiredFor, uniformRequirement } from "../core/evidence/plan.js";
import { todayIn } from "../core/time.js";
import type { GitHubGateway } from "../github/gateway.js";
import { judgePostmortem } from "./approval-handler.js";
import { handleCapaEvent } from "./capa-handler.js";
import { loadConfig } from "./load-config.js";
import type { HandlerDeps } from "./deps.js";
import { issueUrlFor, writersFor } from "./deps.js";
import type { Notice } from "../core/notify/notice.js";
import { mayNotify, noticeSubject } from "../core/notify/subject.js";
import { firstOverdueReminder, overdueNotice, reviewNotice } from "../core/reminders/notices.js";

/** What one sweep of a repository did, for the log and the job summary. */
export interface SweepCounts {
  openChildren: number;
  overdue: number;
  reminded: number;
  postmortemsUpdated: number;
  openPostmortems: number;
  reviewsLate: number;
  reviewsReminded: number;
  duplicatesRemoved: number;
}

/**
 * Reminds the owners of overdue corrective actions and the reviewers of late post-mortems in one
 * repository, and shows `Overdue` in the post-mortems. Stateless and idempotent: paged listings
 * by label find the work, the last reminder is read from the issue's comments, so a rerun in the
 * same interval posts nothing.
 */
export async function sweepReminders(deps: HandlerDeps): Promise<SweepCounts | "config-problem"> {
  const { gateway, log, clock: now } = deps;
  const base = gateway.base;
  const loaded = await loadConfig(base);
  if (!loaded.ok) {
    log.warn(`Reminders skipped: ${loaded.problem}`);
    return "config-problem";
  }
  const config = loaded.config;
  const writers = writersFor(config, deps);
  const counts: SweepCounts = {
    openChildren: 0,
    overdue: 0,
    reminded: 0,
    postmortemsUpdated: 0,
    openPostmortems: 0,
    reviewsLate: 0,
    reviewsReminded: 0,
    duplicatesRemoved: 0,
  };

  // Overdue corrective actions: one listing of the open children, whatever their post-mortem's state.
  const openChildren = await base.listIssuesWithLabel(config.capa.labels[0]!, undefined, "open");
  const today = todayIn(now(), config.timezone);
  const overdue = overdueChildren(openChildren, today, writers);
  counts.openChildren = openChildren.length;
  // Children closed without the evidence their severity asks for are still open work: one
  // listing per evidence label (none while every severity asks `capaEvidence: none`).
  const closedChildren: IssueSnapshot[] = [];
  for (const label of unprovenLabels(config)) {
    closedChildren.push(...(await base.listIssuesWithLabel(label, undefined, "closed")));
  }
  const candidates = closedPastDue(closedChildren, today, writers);
  const unproven = unprovenChildren(
    candidates,
    config,
    await requirements(
      base,
      config,
      candidates.map((entry) => entry.postmortem),
    ),
  );
  counts.overdue = overdue.length + unproven.length;
  // Post-mortems read by this sweep, for the notices' severity and privacy.
  const read = new Map<number, IssueSnapshot | undefined>();
  const notices: Notice[] = [];
  const url = issueUrlFor(deps);
  for (const number of new Set(overdue.map((entry) => entry.postmortem))) {
    const postmortem = await base.getIssue(number);
    read.set(number, postmortem);
    if (!postmortem || !showsOverdueAsOpen(postmortem, overdue)) continue;
    // Reminders run wherever they are scheduled (the App's timer or the Action's schedule), and
    // the rows they show Overdue follow them: the CAPA flow acts here as where it runs.
    const outcome = await handleCapaEvent(
      { kind: "childChanged", postmortem: number },
      { ...deps, frontDoor: config.flows.runIn },
    );
    if (outcome !== "ignored") counts.postmortemsUpdated++;
  }
  for (const entry of [...overdue, ...unproven]) {
    const { created, before } = await remind(base, entry.child.number, counts, (comments) =>
      planOverdueReminder({ overdue: entry, comments, config, now: now(), writers }),
    );
    counts.reminded += created;
    // Without a notifier, a route for the event, or the date's first reminder, nothing is read.
    if (!deps.notify || !mayNotify(config, "capa-overdue")) continue;
    const occurrence = { overdue: entry, before, reminded: created, config, writers };
    if (!firstOverdueReminder(occurrence)) continue;
    if (!read.has(entry.postmortem))
      read.set(entry.postmortem, await base.getIssue(entry.postmortem));
    const postmortem = read.get(entry.postmortem);
    if (!postmortem) continue;
    const notice = overdueNotice({
      ...occurrence,
      subject: noticeSubject(postmortem, config, url),
      url,
    });
    if (notice) notices.push(notice);
  }

  // Late reviews: open post-mortems whose incident closed `reviewAfterDays` ago or more.
  const postmortems = await base.listIssuesWithLabel(
    config.postmortemLabels[0]!,
    undefined,
    "open",
  );
  counts.openPostmortems = postmortems.length;
  for (const postmortem of postmortems) {
    const incidentNumber = findMarker(postmortem.body, "postmortem")?.incident;
    if (incidentNumber === undefined) continue;
    const incident = await base.getIssue(incidentNumber);
    const deadline = reviewDeadline(postmortem, incident, config);
    if (!incident || !deadline || now().getTime() < deadline.getTime()) continue;
    // One a person wrote counts once the bot's own comment says it was adopted (read only when late).
    const tracked =
      isProductIssue(postmortem, writers) ||
      isAdopted(postmortem, await base.listComments(postmortem.number), writers);
    if (!tracked) continue;
    const judged = await judgePostmortem(gateway, config, writers, postmortem.number, now());
    if (!judged || judged.verdict.approved) continue;
    counts.reviewsLate++;
    const { created, before } = await remind(base, postmortem.number, counts, (comments) =>
      planReviewReminder({
        postmortem: judged.issue,
        incident,
        missing: judged.verdict.missing,
        comments,
        config,
        now: now(),
        writers,
      }),
    );
    counts.reviewsReminded += created;
    if (!deps.notify) continue;
    const notice = reviewNotice({
      postmortem: judged.issue,
      incident,
      deadline,
      missing: judged.verdict.missing,
      approvals: judged.approvals,
      before,
      reminded: created,
      subject: {
        ...noticeSubject(judged.issue, config, url, incident.labels),
        severity: judged.severity,
      },
      config,
      writers,
    });
    if (notice) notices.push(notice);
  }

  log.info(
    `Reminders for ${base.repository.owner}/${base.repository.repo}: ${Object.entries(counts)
      .map(([name, value]) => `${name} ${value}`)
      .join(", ")}`,
  );
  // After the sweep's writes: the first reminder of each occurrence is also told to chat.
  if (notices.length > 0) await deps.notify?.(config, notices);
  return counts;
}

/**
 * What a post-mortem's children must show: the same for all when every severity asks the same
 * (nothing read), else by its severity, from the post-mortem and its incident (read once each).
 */
async function requirements(
  gateway: GitHubGateway,
  config: Config,
  postmortems: readonly number[],
): Promise<(postmortem: number) => CapaEvidence> {
  const uniform = uniformRequirement(config);
  if (uniform !== undefined) return () => uniform;
  const required = new Map<number, CapaEvidence>();
  for (const number of new Set(postmortems)) {
    const postmortem = await gateway.getIssue(number);
    const incidentNumber = findMarker(postmortem?.body, "postmortem")?.incident;
    const incident =
      incidentNumber === undefined ? undefined : await gateway.getIssue(incidentNumber);
    required.set(number, requiredFor(config, postmortem?.body, incident?.labels));
  }
  return (number) => required.get(number) ?? "none";
}

/**
 * Plan, write, and plan again on a fresh read, so a racing writer's reminder is removed. Returns
 * the reminders written and the comments as the first read found them (before any write).
 */
async function remind(
  gateway: GitHubGateway,
  issueNumber: number,
  counts: SweepCounts,
  plan: (comments: CommentSnapshot[]) => Plan,
): Promise<{ created: number; before: CommentSnapshot[] }> {
  let created = 0;
  let before: CommentSnapshot[] | undefined;
  for (let round = 0; round < 3; round++) {
    const comments = await gateway.listComments(issueNumber);
    before ??= comments;
    const steps = plan(comments);
    if (steps.length === 0) break;
    for (const step of steps) {
      await gateway.apply(step);
      if (step.kind === "createComment") created++;
      if (step.kind === "deleteComment") counts.duplicatesRemoved++;
    }
  }
  return { created, before: before ?? [] };
}
