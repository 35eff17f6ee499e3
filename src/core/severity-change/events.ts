import type { Config } from "../config.js";
import { sameLabel } from "../config.js";
import { flowsRunElsewhere } from "../flows/config.js";
import type { FlowsRunner } from "../flows/config.js";
import { hasIncidentLabel } from "../identity.js";
import type { KnownConfig } from "../incident/events.js";
import type { Account, IssueSnapshot } from "../snapshots.js";

/** A label added to or removed from an issue that may be an incident (none of the bots' issues). */
export interface SeverityLabelEvent {
  issue: IssueSnapshot;
  action: "labeled" | "unlabeled";
  label: string;
  sender: Account;
}

/** The latest change of a label, read from the issue's events. */
export interface LabelChange {
  login: string | undefined;
  at: string;
  action: "labeled" | "unlabeled";
  label: string;
}

/** Every label name that names a severity (`severityLabels`). */
export function severityLabelNames(config: Config): string[] {
  return Object.values(config.severityLabels).flat();
}

/**
 * Whether a label change may lower an incident's severity, decided without a request: the front
 * door that opens post-mortems (`flows.runIn`) writes the lowered level, the label is a severity
 * label and the issue is an incident. Unknown configuration: maybe (the handler reads it).
 */
export function mayLowerSeverity(
  event: SeverityLabelEvent,
  known: KnownConfig,
  runner: FlowsRunner,
): boolean {
  if (event.issue.isPullRequest) return false;
  if (known !== undefined && flowsRunElsewhere(known, runner)) return false;
  if (!known?.ok) return true;
  return (
    severityLabelNames(known.config).some((name) => sameLabel(name, event.label)) &&
    hasIncidentLabel(event.issue.labels, known.config)
  );
}
