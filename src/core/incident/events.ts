import type { Config } from "../config.js";
import { sameLabel } from "../config.js";
import { POSTMORTEM_COMMAND as COMMAND } from "../constants.js";
import { hasIncidentLabel } from "../identity.js";
import type { IncidentsConfig, Visibility } from "./config.js";
import { declarerLevel } from "./config.js";
import type { FlowsRunner } from "../flows/config.js";
import { flowsRunElsewhere } from "../flows/config.js";
import type { PostmortemPolicy } from "../policy/config.js";
import { severityPolicy } from "../policy/resolve.js";
import { SEVERITIES, severityFromLabels } from "../severity.js";
import type { Account, IssueSnapshot } from "../snapshots.js";

/** The webhook events that can open a post-mortem, read out of their payloads by the shells. */
export type IncidentEvent =
  | { kind: "opened"; issue: IssueSnapshot; sender: Account; at: string }
  | { kind: "labeled"; issue: IssueSnapshot; label: string; sender: Account; at: string }
  | { kind: "command"; issue: IssueSnapshot; commentId: number; sender: Account; at: string };

/** A `/postmortem` comment: the command alone on the comment's first line. */
export function isPostmortemCommand(commentBody: string | null | undefined): boolean {
  const firstLine = (commentBody ?? "").trimStart().split("\n", 1)[0] ?? "";
  return COMMAND.test(firstLine.trimEnd());
}

export function isSeverityLabel(label: string, config: Config): boolean {
  return Object.values(config.severityLabels).some((names) =>
    names.some((name) => sameLabel(name, label)),
  );
}

/**
 * What the severity policy says for an incident with these labels: `required` opens a post-mortem
 * on the incident label, `on-request` only on `/postmortem`, `off` never.
 */
export function postmortemPolicyOf(labels: readonly string[], config: Config): PostmortemPolicy {
  return severityPolicy(config, severityFromLabels(labels, config)).postmortem;
}

/**
 * Whether the incident label may open a post-mortem, judged before any read. Without a severity
 * label, an issue form's answer (read by the handler) may still name a severity that requires one.
 */
function mayRequirePostmortem(labels: readonly string[], config: Config): boolean {
  if (severityFromLabels(labels, config) !== undefined) {
    return postmortemPolicyOf(labels, config) === "required";
  }
  return [...SEVERITIES, undefined].some(
    (severity) => severityPolicy(config, severity).postmortem === "required",
  );
}

/**
 * Whether an event asks for a post-mortem under this configuration (before any GitHub read). A
 * severity label added after the incident label is decided on again: a P1 that requires a
 * post-mortem opens one that the earlier severity did not.
 */
export function isTrigger(event: IncidentEvent, config: Config): boolean {
  if (event.issue.isPullRequest) return false;
  const labels = event.issue.labels;
  switch (event.kind) {
    case "opened":
      return hasIncidentLabel(labels, config) && mayRequirePostmortem(labels, config);
    case "labeled":
      return (
        (hasIncidentLabel([event.label], config) ||
          (isSeverityLabel(event.label, config) && hasIncidentLabel(labels, config))) &&
        mayRequirePostmortem(labels, config)
      );
    case "command":
      return true;
  }
}

/**
 * With a broken configuration, whether an event would have been a trigger, judged by the incident
 * labels the broken file seems to name: only those events get an error report.
 */
export function mightBeTrigger(event: IncidentEvent, incidentLabels: readonly string[]): boolean {
  if (event.issue.isPullRequest) return false;
  if (event.kind === "command") return true;
  const labels = event.kind === "labeled" ? [event.label] : event.issue.labels;
  return labels.some((label) => incidentLabels.some((name) => sameLabel(label, name)));
}

/** What the shell knows of the configuration before any request: a fresh cached read, or nothing. */
export type KnownConfig =
  | { ok: true; config: Config }
  | { ok: false; incidentLabels: readonly string[]; flowsRunIn?: FlowsRunner }
  | undefined;

/**
 * Whether an event can be let go without a single request: the configuration is known (fresh in
 * the cache) and the event is no trigger under it, nor would be under what a broken file names,
 * or the flows are the other runner's (`flows.runIn`).
 */
export function canDismiss(
  event: IncidentEvent,
  known: KnownConfig,
  runner: FlowsRunner = "app",
): boolean {
  if (event.kind === "opened" && event.issue.labels.length === 0) return true;
  if (known === undefined) return false;
  if (flowsRunElsewhere(known, runner)) return true;
  return known.ok ? !isTrigger(event, known.config) : !mightBeTrigger(event, known.incidentLabels);
}

/**
 * Whether the declarer's permission must be read to know they may declare here, judged on what
 * GitHub enforces, never on the payload's `author_association`:
 * - where read access is enough, anyone who could label or open the issue has it;
 * - GitHub lets only people with triage access or more label someone else's issue;
 * - the labels an issue template or form puts on a new issue arrive as the author's, whatever
 *   their access: the author's permission is read.
 */
export function declarerNeedsReading(
  event: IncidentEvent,
  config: IncidentsConfig,
  visibility: Visibility | undefined,
): boolean {
  if (event.kind === "command" || declarerLevel(config, visibility) === "read") return false;
  return !(
    event.kind === "labeled" &&
    event.sender.login.toLowerCase() !== event.issue.author.login.toLowerCase()
  );
}
