import { canonicalPostmortem, postmortemsOf } from "../core/incident/plan.js";
import { inlineText } from "../core/markdown-text.js";
import type { Plan, Step } from "../core/plan.js";
import { instantOf, TIMELINE_SYNTAX } from "../core/timeline/command.js";
import type { TimelineEntry, TimelineEvent } from "../core/timeline/events.js";
import { entryFor } from "../core/timeline/events.js";
import { isIncident, isOpenedPostmortem } from "../core/identity.js";
import { planTimelineRecovery } from "../core/timeline/lost-edit.js";
import { planTimeline } from "../core/timeline/plan.js";
import type { GitHubGateway, Permission } from "../github/gateway.js";
import { converge } from "./converge.js";
import type { HandlerDeps } from "./deps.js";
import { writersFor } from "./deps.js";
import { replyOnce } from "../core/command-reply.js";
import { loadConfig } from "./load-config.js";

/** One update of the post-mortem and one read to see it; room for failed writes in between. */
export const MAX_TIMELINE_ROUNDS = 4;

/** A row stays a row: longer words are cut with an ellipsis. */
const MAX_ROW_TEXT = 500;

const MAY_ADD: readonly Permission[] = ["triage", "write", "maintain", "admin"];

export type TimelineOutcome =
  "ignored" | "config-problem" | "refused" | "malformed" | "converged" | "restored";

/** The issue a timeline event is queued on: the post-mortem where the payload names it, else the incident. */
export function timelineIssueOf(event: TimelineEvent): number {
  switch (event.kind) {
    case "incident":
      return event.incident.number;
    case "command":
      return event.issue.number;
    case "ownEditOverwrote":
      return event.postmortem;
  }
}

/**
 * Adds the incident's history to its open post-mortem's Timeline of Events, and End and Duration
 * once it is closed: read the incident and its post-mortem → plan → write → read again until the
 * plan is empty. A broken configuration is reported by the incident flow, not here.
 */
export async function handleTimelineEvent(
  event: TimelineEvent,
  deps: HandlerDeps,
): Promise<TimelineOutcome> {
  const { gateway: github, log } = deps;
  const gateway = github.base;
  const loaded = await loadConfig(gateway);
  if (!loaded.ok) return "config-problem";
  const config = loaded.config;
  const writers = writersFor(config, deps);

  if (event.kind === "ownEditOverwrote") {
    const current = await gateway.getIssue(event.postmortem);
    if (!current || !isOpenedPostmortem(current, writers)) return "ignored";
    const plan = planTimelineRecovery({
      issueNumber: current.number,
      before: event.before,
      written: event.written,
      current: current.body,
      comments: await gateway.listComments(current.number),
      zone: config.timezone,
      writers,
    });
    if (plan.length === 0) return "ignored";
    log.warn(`Post-mortem #${current.number}: a timeline update overwrote an edit; recovering it`);
    await applyAll(gateway, plan);
    return "restored";
  }

  let entry: TimelineEntry | undefined;
  if (event.kind === "incident") {
    if (!isIncident(event.incident, config, writers)) return "ignored";
    entry = entryFor(event, config);
    if (!entry) return "ignored";
  } else {
    if (event.on === "incident" && !isIncident(event.issue, config, writers)) return "ignored";
    const allowed = MAY_ADD.includes(await gateway.getPermission(event.sender.login));
    if (!allowed || event.request === "malformed") {
      const comments = await gateway.listComments(event.issue.number);
      const message = allowed
        ? `I could not read that \`/timeline\` command. Write ${TIMELINE_SYNTAX} (times in ${config.timezone}; without a date, the day the incident was opened).`
        : "`/timeline` needs triage access or more to this repository, so no row was added.";
      await applyAll(
        gateway,
        replyOnce(
          "timeline-reply",
          event.issue.number,
          { commentId: event.commentId, login: event.sender.login },
          comments,
          message,
          writers,
          { refused: !allowed, mention: true },
        ),
      );
      return allowed ? "malformed" : "refused";
    }
  }

  // The incident as it is now: still one, the day it opened (for bare times), its latest close.
  const incidentNumber = event.kind === "incident" ? event.incident.number : event.incidentNumber;
  const incident = await gateway.getIssue(incidentNumber);
  if (!incident) return "ignored";
  const onPostmortem = event.kind === "command" && event.on === "postmortem";
  if (!onPostmortem && !isIncident(incident, config, writers)) return "ignored";
  let postmortemNumber: number;
  if (onPostmortem) postmortemNumber = event.issue.number;
  else {
    // A post-mortem is opened after its incident: the listing stays short (as in the incident flow).
    const labeled = await gateway.listIssuesWithLabel(
      config.postmortemLabels[0]!,
      incident.createdAt,
    );
    const winner = canonicalPostmortem(postmortemsOf(labeled, incident.number, writers));
    if (!winner) return "ignored";
    postmortemNumber = winner.number;
  }
  if (event.kind === "command" && event.request !== "malformed") {
    const at = instantOf(event.request, incident.createdAt, config.timezone);
    if (at === undefined) return "malformed";
    entry = { at, text: inlineText(event.request.text, MAX_ROW_TEXT) };
  }
  const closedAt = incident.state === "closed" && incident.closedAt ? incident.closedAt : undefined;

  return converge<Step, TimelineOutcome>({
    what: `Post-mortem #${postmortemNumber}, timeline`,
    maxRounds: MAX_TIMELINE_ROUNDS,
    log,
    apply: (step) => gateway.apply(step),
    plan: async () => {
      // Read right before every write: the body is edited by position, so people's text is kept.
      const postmortem = await gateway.getIssue(postmortemNumber);
      if (
        !postmortem ||
        !isOpenedPostmortem(postmortem, writers) ||
        postmortem.state === "closed"
      ) {
        return { done: "ignored" };
      }
      const plan = planTimeline({
        body: postmortem.body,
        postmortemNumber,
        entries: entry ? [entry] : [],
        ...(closedAt === undefined ? {} : { closedAt }),
        config,
      });
      if (plan.length > 0) return { write: plan };
      const thanks: Step[] =
        event.kind === "command"
          ? [{ kind: "addReaction", commentId: event.commentId, content: "+1" }]
          : [];
      return { write: thanks, done: "converged" };
    },
  });
}

async function applyAll(gateway: GitHubGateway, plan: Plan): Promise<void> {
  for (const step of plan) await gateway.apply(step);
}
