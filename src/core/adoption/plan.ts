import type { Config } from "../config.js";
import { readDocument } from "../document.js";
import { sameLabel } from "../config.js";
import { hasPostmortemLabel, isAdopted } from "../identity.js";
import type { KnownConfig } from "../incident/events.js";
import { findMarker, formatMarker, setMarker } from "../markers.js";
import type { Plan } from "../plan.js";
import type { CommentSnapshot, IssueSnapshot } from "../snapshots.js";
import type { Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";

/**
 * Post-mortems people wrote by hand, from the same checklist, before the App was installed or
 * without it: labeled `postmortem` by someone with triage access or more, they are adopted. The
 * App marks the body like the post-mortems it opens, and its own comment on the issue proves the
 * adoption (a marker typed into a body proves nothing: the issue's author can edit it).
 */

export interface AdoptionState {
  issue: IssueSnapshot;
  comments: readonly CommentSnapshot[];
  /** Whoever added the post-mortem label last (from the issue's events); undefined if unknown. */
  labeledBy: string | undefined;
  /** Whether that person has triage access or more. */
  labelerMayAdopt: boolean;
  /** The incident the Incident ID names, as it is now; undefined if none or gone. */
  incident: IssueSnapshot | undefined;
  /** The incident's comments, when there is an incident. */
  incidentComments: readonly CommentSnapshot[];
}

/** Whether adoption is worth a look: a person's issue that carries a post-mortem label. */
export function mayAdopt(issue: IssueSnapshot, config: Config): boolean {
  return !issue.isPullRequest && issue.author.type !== "Bot" && hasPostmortemLabel(issue, config);
}

/** The incident number the **Incident ID:** line names (`#123`), if any. */
export function incidentNamedIn(body: string): number | undefined {
  const document = readDocument(body);
  const field = document
    .fieldsIn({ start: 0, end: body.length })
    .find((line) => /^incident id$/i.test(line.name));
  const number = /(?:^|[^\w/])#(\d+)\b/.exec(field?.value ?? "")?.[1];
  return number === undefined ? undefined : Number(number);
}

/**
 * The next changes for a person's post-mortem: the adoption comment, the hidden marker, and a
 * link on the incident; or, for a label added by someone without the access, one comment saying
 * why nothing happens. Converges: every step is checked against what GitHub shows.
 */
export function planAdoption(state: AdoptionState, config: Config, writers: Writers): Plan {
  const { issue, comments } = state;
  if (!mayAdopt(issue, config)) return [];
  const adopted = isAdopted(issue, comments, writers);
  if (!adopted && !state.labelerMayAdopt) return refuse(state, writers);

  const named = incidentNamedIn(issue.body);
  const incident = state.incident && state.incident.number === named ? state.incident : undefined;
  const steps: Plan = [];
  if (!adopted) {
    steps.push({
      kind: "createComment",
      issueNumber: issue.number,
      body: `📎 Adopted as a post-mortem${incident ? ` of #${incident.number}` : ""}: checked corrective actions in section 6 now become child issues with an owner and a due date, kept in sync, as in the post-mortems postmortem-bot opens.\n\n${formatMarker("adopted", { issue: issue.number })}`,
    });
  }
  if (findMarker(issue.body, "postmortem") === undefined) {
    const data = incident ? { incident: incident.number } : {};
    steps.push({
      kind: "updateIssueBody",
      issueNumber: issue.number,
      body: setMarker(issue.body, "postmortem", data),
    });
  }
  const linked = state.incidentComments.some(
    (comment) =>
      wroteIt(comment.author, "flows", writers) && findMarker(comment.body, "link") !== undefined,
  );
  if (incident && !linked) {
    steps.push({
      kind: "createComment",
      issueNumber: incident.number,
      body: `📝 Post-mortem: #${issue.number}\n\n${formatMarker("link", { postmortem: issue.number })}`,
    });
  }
  return steps;
}

function refuse(state: AdoptionState, writers: Writers): Plan {
  const already = state.comments.some(
    (comment) =>
      wroteIt(comment.author, "flows", writers) &&
      findMarker(comment.body, "notice")?.key === REFUSAL_KEY,
  );
  if (already) return [];
  const who = state.labeledBy === undefined ? "Whoever added it" : `@${state.labeledBy}`;
  return [
    {
      kind: "createComment",
      issueNumber: state.issue.number,
      body: `${who} added the post-mortem label, but adopting a post-mortem written by hand needs triage access or more to this repository, so postmortem-bot does nothing with it: checked corrective actions do not become child issues. Ask a maintainer to remove the label and add it again.\n\n${formatMarker("notice", { key: REFUSAL_KEY })}`,
    },
  ];
}

const REFUSAL_KEY = "adoption-refused";

/** Whether a label added to a person's issue can be let go without a request: no post-mortem label. */
export function canDismissAdoption(label: string, known: KnownConfig): boolean {
  return (
    known?.ok === true && !known.config.postmortemLabels.some((name) => sameLabel(name, label))
  );
}
