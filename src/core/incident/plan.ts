import { createHash } from "node:crypto";
import type { Config } from "../config.js";
import type { IncidentEvent } from "./events.js";
import { sameLabel } from "../config.js";
import { hasIncidentLabel, isPostmortem, isProductIssue } from "../identity.js";
import type { Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";
import { closeAsDuplicate } from "../duplicates.js";
import type { FormDefinitionResult } from "../forms/definition.js";
import type { FormPrefill } from "../forms/prefill.js";
import { NO_PREFILL, prefillFromForm } from "../forms/prefill.js";
import { findMarker, formatMarker } from "../markers.js";
import { codeSpan } from "../markdown-text.js";
import type { Plan, Step } from "../plan.js";
import { severityPolicy } from "../policy/resolve.js";
import type { Severity } from "../severity.js";
import { incidentSeverity } from "../severity.js";
import type { TemplateSource } from "./content.js";
import { renderPostmortem } from "./content.js";
import type { CommentSnapshot, IssueSnapshot, RepositoryRef } from "../snapshots.js";
import type { ChangesFacts } from "../changes/block.js";
import { changesTemplateData, deploymentEntries } from "../changes/block.js";
import { environmentOfLabels, withDeploymentRows } from "../changes/plan.js";
import { parseDateTime } from "../timeline/datetime.js";

export const POSTMORTEM_LABEL_COLOR = "5319e7";
export const POSTMORTEM_LABEL_DESCRIPTION = "Post-mortem report (opened by postmortem-bot)";

/** What the shell read from GitHub, fresh, right before asking for a plan. */
export interface IncidentState {
  /** The incident as it is now; undefined when it was deleted or transferred since the event. */
  incident: IssueSnapshot | undefined;
  /** Bot-authored issues whose marker names this incident, in any state. */
  postmortems: IssueSnapshot[];
  /** Whether the label listing showed the first post-mortem label exists (no need to create it). */
  postmortemLabelExists?: boolean;
  incidentComments: CommentSnapshot[];
  /** For `/postmortem`: whether the commenter has triage access or more. */
  requesterMayOpen: boolean;
  /**
   * For a label or an opened issue: whether whoever did it may declare an incident here
   * (`incidents.openedBy`, judged on the permission GitHub reports). Missing: they may.
   */
  declarerMayOpen?: boolean;
  /** Read only when no post-mortem exists yet; a string when it could not be read. */
  template: TemplateSource | { problem: string } | undefined;
  /** The repository's issue forms, read with the template when the body looks written by one. */
  forms?: readonly FormDefinitionResult[];
  /** The post-mortem's comments, read when the form's answers left notes for it. */
  postmortemComments?: readonly CommentSnapshot[];
  /**
   * The Changes before the incident block, read once the plan opens a post-mortem (see
   * `changesRequest`); the post-mortem is created with it, and its deployments' Timeline rows.
   */
  changes?: ChangesFacts;
}

export interface IncidentInput {
  event: IncidentEvent;
  config: Config;
  repository: RepositoryRef;
  state: IncidentState;
  /** Whose issues and comments count as the product's (src/core/trust/writers.ts). */
  writers: Writers;
}

/**
 * Decides the next GitHub changes for an incident. The shell applies them, reads the state again
 * and asks again until the plan is empty, so every rule here converges: exactly one post-mortem
 * (the lowest number wins, later ones are closed as duplicates) and exactly one link comment.
 */
export function planIncident({ event, config, repository, state, writers }: IncidentInput): Plan {
  const incident = state.incident;
  if (!incident || incident.isPullRequest || isPostmortem(incident, config, writers)) return [];
  if (event.kind === "command" && !state.requesterMayOpen) {
    return refuseCommand(event, state.incidentComments, writers);
  }
  if (event.kind !== "command" && !hasIncidentLabel(incident.labels, config)) {
    // The label was removed again before this delivery was handled: the removal wins.
    return [];
  }

  const form = formPrefill(incident, state, config);
  const formProblems = reportFormProblems(
    incident.number,
    form.problems,
    state.incidentComments,
    writers,
  );
  const winner = canonicalPostmortem(state.postmortems);
  if (!winner) {
    // Decided on the incident's labels as they are now (and its form's answer), not as the event saw them.
    const severity = openingSeverity(incident, state, config);
    const policy = severityPolicy(config, severity).postmortem;
    if (event.kind === "command" && policy === "off") {
      return refuseCommand(event, state.incidentComments, writers, offPolicyReason(severity));
    }
    if (event.kind !== "command" && policy !== "required") return [];
    if (event.kind !== "command" && state.declarerMayOpen === false) {
      return holdIncident(event, incident, config, state.incidentComments, writers);
    }
    return [
      ...createPostmortem(event, incident, state, config, repository, form, writers),
      ...formProblems,
    ];
  }
  return [
    ...confirmed(incident, config),
    ...closeDuplicates(winner, state.postmortems),
    ...linkComment(incident, winner, state.incidentComments, writers),
    ...formProblems,
    ...formNotes(winner.number, form.notes, state.postmortemComments, writers),
  ];
}

/** What the incident's issue-form answers give its post-mortem (nothing before the forms are read). */
export function formPrefill(
  incident: IssueSnapshot,
  state: Pick<IncidentState, "forms">,
  config: Config,
): FormPrefill {
  return state.forms ? prefillFromForm(incident.body, state.forms, config) : NO_PREFILL;
}

/**
 * The severity of a post-mortem opened now: the incident's labels as they are now and its form's
 * answer (the one rule, src/core/severity.ts). Its policy and its template follow from it.
 */
export function openingSeverity(
  incident: IssueSnapshot,
  state: Pick<IncidentState, "forms">,
  config: Config,
): Severity | undefined {
  const form = formPrefill(incident, state, config);
  return incidentSeverity({ labels: incident.labels, answered: form.severity }, config);
}

/**
 * What the Changes before the incident block of a post-mortem opened now is about: the incident's
 * environment (its first `env:` label, else the form's answer; undefined: none named) and its Start
 * (the form's answer, else when the incident was opened).
 */
export function changesRequest(
  incident: IssueSnapshot,
  state: Pick<IncidentState, "forms">,
  config: Config,
): { environment?: string; start: string } {
  const form = formPrefill(incident, state, config);
  const answered = form.environment?.replace(/\\(.)/g, "$1").trim();
  const environment =
    environmentOfLabels(incident.labels, config) ?? (answered === "" ? undefined : answered);
  const start =
    (form.start === undefined ? undefined : parseDateTime(form.start, config.timezone)) ??
    incident.createdAt;
  return { ...(environment === undefined ? {} : { environment }), start };
}

/**
 * Once the incident has its post-mortem, a `/postmortem` command is answered with a reaction.
 * GitHub keeps one reaction per person and kind, so repeating it is harmless.
 */
export function acknowledgeCommand(event: IncidentEvent, requesterMayOpen: boolean): Plan {
  return event.kind === "command" && requesterMayOpen
    ? [{ kind: "addReaction", commentId: event.commentId, content: "+1" }]
    : [];
}

/**
 * The post-mortems of an incident among the issues with the post-mortem label. The product's own
 * issues count, and ones a person wrote that the App adopted and linked from the incident (its
 * own link comment there proves it): a marker typed by a person proves nothing.
 */
export function postmortemsOf(
  labeled: readonly IssueSnapshot[],
  incidentNumber: number,
  writers: Writers,
  incidentComments: readonly CommentSnapshot[] = [],
): IssueSnapshot[] {
  const linkedByApp = new Set(
    incidentComments
      .filter((comment) => wroteIt(comment.author, "flows", writers))
      .map((comment) => findMarker(comment.body, "link")?.postmortem),
  );
  return labeled.filter(
    (issue) =>
      (isProductIssue(issue, writers) || linkedByApp.has(issue.number)) &&
      findMarker(issue.body, "postmortem")?.incident === incidentNumber,
  );
}

/** The post-mortem everybody converges on: the first one that was not closed as a duplicate. */
export function canonicalPostmortem(
  postmortems: readonly IssueSnapshot[],
): IssueSnapshot | undefined {
  const byNumber = [...postmortems].sort((a, b) => a.number - b.number);
  return byNumber.find((issue) => issue.stateReason !== "duplicate") ?? byNumber[0];
}

function createPostmortem(
  event: IncidentEvent,
  incident: IssueSnapshot,
  state: IncidentState,
  config: Config,
  repository: RepositoryRef,
  form: FormPrefill,
  writers: Writers,
): Plan {
  const template = state.template;
  if (template === undefined)
    throw new Error("planIncident needs the template to open a post-mortem");
  if ("problem" in template) {
    return reportProblem(event.issue.number, template.problem, state.incidentComments, writers);
  }
  const changes = state.changes;
  const content = renderPostmortem(
    incident,
    event,
    config,
    repository,
    template,
    form,
    undefined,
    changes && changesTemplateData(changes, config),
  );
  if (!content.ok)
    return reportProblem(event.issue.number, content.problem, state.incidentComments, writers);
  const body = changes
    ? withDeploymentRows(content.body, deploymentEntries(changes), config)
    : content.body;
  return openPostmortemSteps({ ...content, body }, incident, config, state.postmortemLabelExists);
}

/**
 * The writes that open a rendered post-mortem, in this repository or a private one: its labels
 * (the first is known to exist when the listing found it), then the issue with the incident's
 * assignees.
 */
export function openPostmortemSteps(
  content: { title: string; body: string },
  incident: IssueSnapshot,
  config: Config,
  postmortemLabelExists: boolean | undefined,
): Plan {
  const labels = postmortemLabelExists ? config.postmortemLabels.slice(1) : config.postmortemLabels;
  return [
    ...labels.map((name): Step => ({
      kind: "ensureLabel",
      name,
      color: POSTMORTEM_LABEL_COLOR,
      description: POSTMORTEM_LABEL_DESCRIPTION,
    })),
    {
      kind: "createIssue",
      title: content.title,
      body: content.body,
      labels: config.postmortemLabels,
      // GitHub accepts at most 10 assignees on an issue.
      assignees: incident.assignees.slice(0, 10),
    },
  ];
}

function closeDuplicates(winner: IssueSnapshot, postmortems: readonly IssueSnapshot[]): Plan {
  return postmortems
    .filter((issue) => issue.number !== winner.number && issue.state === "open")
    .map((issue) => closeAsDuplicate(issue, winner.number, "This post-mortem"));
}

export function linkCommentBody(postmortemNumber: number): string {
  return `📝 Post-mortem opened: #${postmortemNumber}\n\n${formatMarker("link", { postmortem: postmortemNumber })}`;
}

/** Exactly one comment on the incident links the post-mortem: keep the oldest, fix or drop the rest. */
function linkComment(
  incident: IssueSnapshot,
  winner: IssueSnapshot,
  comments: readonly CommentSnapshot[],
  writers: Writers,
): Plan {
  const links = comments
    .filter(
      (comment) => wroteIt(comment.author, "flows", writers) && findMarker(comment.body, "link"),
    )
    .sort((a, b) => a.id - b.id);
  const [kept, ...extra] = links;
  if (!kept) {
    return [
      { kind: "createComment", issueNumber: incident.number, body: linkCommentBody(winner.number) },
    ];
  }
  const steps: Plan = extra.map((comment) => ({ kind: "deleteComment", commentId: comment.id }));
  if (findMarker(kept.body, "link")?.postmortem !== winner.number) {
    steps.unshift({
      kind: "updateComment",
      commentId: kept.id,
      body: linkCommentBody(winner.number),
    });
  }
  return steps;
}

/**
 * An incident declared by someone who may not declare one here: no post-mortem (nothing of the
 * incident is copied anywhere), the unconfirmed label that keeps it out of the report, and one
 * comment that says how to confirm it.
 */
function holdIncident(
  event: IncidentEvent,
  incident: IssueSnapshot,
  config: Config,
  comments: readonly CommentSnapshot[],
  writers: Writers,
): Plan {
  const label = config.incidents.unconfirmedLabel;
  const steps: Plan = [];
  if (!incident.labels.some((name) => sameLabel(name, label))) {
    steps.push({ kind: "addLabels", issueNumber: incident.number, labels: [label] });
  }
  const said = comments.some(
    (comment) =>
      wroteIt(comment.author, "flows", writers) &&
      findMarker(comment.body, "held")?.incident === incident.number,
  );
  if (!said) {
    const incidentLabel = event.kind === "labeled" ? event.label : config.incidentLabels[0]!;
    steps.push({
      kind: "createComment",
      issueNumber: incident.number,
      body: `⏸️ **No post-mortem yet: this incident waits for confirmation.** @${event.sender.login} declared it, and here an incident is declared by someone with triage access or more (\`incidents.openedBy\`). Someone with triage access confirms it by commenting \`/postmortem\`, or by removing the ${codeSpan(incidentLabel)} label and adding it again.\n\n${formatMarker("held", { incident: incident.number })}`,
    });
  }
  return steps;
}

/** Once a post-mortem is open, the incident is confirmed: the unconfirmed label goes. */
function confirmed(incident: IssueSnapshot, config: Config): Plan {
  const label = incident.labels.find((name) => sameLabel(name, config.incidents.unconfirmedLabel));
  return label === undefined
    ? []
    : [{ kind: "removeLabel", issueNumber: incident.number, name: label }];
}

function offPolicyReason(severity: Severity | undefined): string {
  const which = severity
    ? `\`policy.${severity}\``
    : "`policy.default` (the incident has no severity label or answer)";
  return `the severity policy says no post-mortem for this incident: ${which} has \`postmortem: off\` in \`.github/postmortem.yml\`. Change the severity label or the policy to open one.`;
}

function refuseCommand(
  event: IncidentEvent & { kind: "command" },
  comments: readonly CommentSnapshot[],
  writers: Writers,
  reason?: string,
): Plan {
  // A refusal of access is said once per person (an outsider's repeated commands cost no more
  // comments); another refusal, once per command.
  const person = reason === undefined ? event.sender.login.toLowerCase() : undefined;
  const already = comments.some((comment) => {
    if (!wroteIt(comment.author, "flows", writers)) return false;
    const marker = findMarker(comment.body, "refusal");
    return (
      marker !== undefined &&
      (marker.comment === event.commentId ||
        (person !== undefined && marker.person?.toLowerCase() === person))
    );
  });
  if (already) return [];
  return [
    {
      kind: "createComment",
      issueNumber: event.issue.number,
      body: `@${event.sender.login}, ${reason ?? "`/postmortem` needs triage access or more to this repository, so no post-mortem was opened. Ask a maintainer to add the incident label or to run the command."}\n\n${formatMarker("refusal", { comment: event.commentId, ...(person === undefined ? {} : { person }) })}`,
    },
  ];
}

/**
 * A problem (broken configuration or template) is reported once per issue and wording, so
 * redeliveries and repeated triggers do not pile up comments.
 */
export function reportProblem(
  issueNumber: number,
  problem: string,
  comments: readonly CommentSnapshot[],
  writers: Writers,
): Plan {
  const key = createHash("sha256").update(problem).digest("hex").slice(0, 16);
  const already = comments.some(
    (comment) =>
      wroteIt(comment.author, "flows", writers) && findMarker(comment.body, "error")?.key === key,
  );
  if (already) return [];
  return [
    {
      kind: "createComment",
      issueNumber,
      body: `⚠️ **postmortem-bot could not open a post-mortem.**\n\n${problem}\n\nNothing else was changed. Fix the file and add the label again (or comment \`/postmortem\`).\n\n${formatMarker("error", { key })}`,
    },
  ];
}

/**
 * Broken issue forms and `form:` keys the form lacks: said once on the incident, like a broken
 * configuration, while the post-mortem is opened from what could be read.
 */
function reportFormProblems(
  issueNumber: number,
  problems: readonly string[],
  comments: readonly CommentSnapshot[],
  writers: Writers,
): Plan {
  if (problems.length === 0) return [];
  const text = problems.map((problem) => `- ${problem}`).join("\n");
  const key = `form-${createHash("sha256").update(text).digest("hex").slice(0, 16)}`;
  const already = comments.some(
    (comment) =>
      wroteIt(comment.author, "flows", writers) && findMarker(comment.body, "error")?.key === key,
  );
  if (already) return [];
  return [
    {
      kind: "createComment",
      issueNumber,
      body: `⚠️ **postmortem-bot could not read every answer of this incident's issue form.**\n\n${text}\n\nThe post-mortem is opened from what could be read; fix the file or \`form:\` in \`.github/postmortem.yml\` for the next incidents.\n\n${formatMarker("error", { key })}`,
    },
  ];
}

export const FORM_NOTES_KEY = "form-answers";

/** Answers that could not be used, said once in a comment on the post-mortem. */
function formNotes(
  postmortemNumber: number,
  notes: readonly string[],
  comments: readonly CommentSnapshot[] | undefined,
  writers: Writers,
): Plan {
  if (notes.length === 0 || comments === undefined) return [];
  const already = comments.some(
    (comment) =>
      wroteIt(comment.author, "flows", writers) &&
      findMarker(comment.body, "notice")?.key === FORM_NOTES_KEY,
  );
  if (already) return [];
  return [
    {
      kind: "createComment",
      issueNumber: postmortemNumber,
      body: `📝 From the incident's issue form:\n\n${notes.map((note) => `- ${note}`).join("\n")}\n\n${formatMarker("notice", { key: FORM_NOTES_KEY })}`,
    },
  ];
}
