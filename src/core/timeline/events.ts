import type { Config } from "../config.js";
import { sameLabel } from "../config.js";
import type { KnownConfig } from "../incident/events.js";
import { isIncident } from "../identity.js";
import { writersOf } from "../trust/writers.js";
import { inlineText } from "../markdown-text.js";
import type { Account, IssueSnapshot } from "../snapshots.js";
import type { TimelineRequest } from "./command.js";

/** A change of the incident that becomes a row of the post-mortem's Timeline of Events. */
export type IncidentChange =
  | { type: "assigned" | "unassigned"; login: string }
  | { type: "labeled" | "unlabeled"; label: string }
  | { type: "closed" | "reopened" };

/** The deliveries the timeline follows, read out of their payloads by the shells. */
export type TimelineEvent =
  | {
      kind: "incident";
      incident: IssueSnapshot;
      change: IncidentChange;
      sender: Account;
      at: string;
    }
  | {
      kind: "command";
      /** The issue the command was written on: the incident or its post-mortem. */
      issue: IssueSnapshot;
      on: "incident" | "postmortem";
      /** The incident: the issue itself, or the one the post-mortem's marker names. */
      incidentNumber: number;
      commentId: number;
      sender: Account;
      request: TimelineRequest | "malformed";
    }
  /** The App's own write of a post-mortem that dropped what was there right before it. */
  | { kind: "ownEditOverwrote"; postmortem: number; before: string; written: string };

/** A row to add: when it happened, and its words as inert markdown. */
export interface TimelineEntry {
  at: string;
  text: string;
}

const LOGIN = /^[a-z\d](?:[a-z\d-]*[a-z\d])?(?:\[bot\])?$/i;

/** The row an incident change adds, or undefined when the change is not part of the timeline. */
export function entryFor(
  event: TimelineEvent & { kind: "incident" },
  config: Config,
): TimelineEntry | undefined {
  const by = `by ${mention(event.sender.login)}`;
  const change = event.change;
  const text = (() => {
    switch (change.type) {
      case "assigned":
        return `Assigned ${mention(change.login)} ${by}`;
      case "unassigned":
        return `Unassigned ${mention(change.login)} ${by}`;
      case "labeled":
      case "unlabeled":
        if (!isTimelineLabel(change.label, config)) return undefined;
        return `${change.type === "labeled" ? "Labeled" : "Unlabeled"} ${inlineText(change.label)} ${by}`;
      case "closed":
        return `Incident closed ${by}`;
      case "reopened":
        return `Incident reopened ${by}`;
    }
  })();
  return text === undefined ? undefined : { at: event.at, text };
}

/** Severity labels and `env:` labels are part of the timeline; other labels are not. */
export function isTimelineLabel(label: string, config: Config): boolean {
  const severity = Object.values(config.severityLabels).some((names) =>
    names.some((name) => sameLabel(name, label)),
  );
  const prefix = config.environmentLabelPrefix.toLowerCase();
  return severity || label.toLowerCase().startsWith(prefix);
}

/**
 * Whether a timeline event can be let go without a request: the configuration is known (fresh in
 * the cache) and the event concerns no incident's timeline under it.
 */
export function canDismissTimeline(event: TimelineEvent, known: KnownConfig): boolean {
  if (event.kind !== "incident" && !(event.kind === "command" && event.on === "incident"))
    return false;
  if (known === undefined) return false;
  if (!known.ok) return true; // the incident flow reports a broken configuration
  const issue = event.kind === "incident" ? event.incident : event.issue;
  // Without the App's slug (not needed to let go): only an Action's post-mortem is recognized, so
  // an App's post-mortem reaches the handler, which decides with every writer known.
  if (!isIncident(issue, known.config, writersOf(known.config, "app"))) return true;
  return event.kind === "incident" && entryFor(event, known.config) === undefined;
}

/** Logins are safe to mention as they are; anything else (never seen from GitHub) is defused. */
function mention(login: string): string {
  return LOGIN.test(login) ? `@${login}` : inlineText(`@${login}`);
}
