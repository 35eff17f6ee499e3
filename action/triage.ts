// What the Action's entry (dist/index.js) decides from the event alone, before anything heavy is
// loaded: every issues/issue_comment event starts the workflow, so the events the gate ignores
// must cost no more than starting Node. Of src/ it imports only src/core/constants.ts: the rest
// pulls in zod, the markdown parser and Octokit (.dependency-cruiser.js and eslint.config.js hold
// it to that). test/action/triage.test.ts holds its rules to the flow list's readers. A payload
// anything but well-formed gets "run": the full Action behaves as ever.
import {
  APPROVAL_COMMAND,
  APPROVAL_COMMENT_ACTIONS,
  APPROVAL_ISSUE_ACTIONS,
  CAPA_CHILD_ACTIONS,
  CAPA_MARKER,
  CHANGES_COMMAND,
  CULPRIT_COMMAND,
  EVIDENCE_COMMAND,
  POSTMORTEM_COMMAND,
  POSTMORTEM_MARKER,
} from "../src/core/constants.js";

export type Triage =
  /** Nothing for the gate: `message` is the line the full Action would log. */
  | { kind: "skip"; message: string; reason: string }
  /**
   * An event the gate only judges for the summary, on an issue with labels: it matters only if one
   * of them is a post-mortem label, which the configuration says (`postmortemLabels`).
   */
  | { kind: "labels"; issueNumber: number; labels: string[] }
  /** Anything else: the full Action. */
  | { kind: "run" };

const RUN: Triage = { kind: "run" };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** As runAction reads `GITHUB_EVENT_NAME`: missing → "". */
export function eventNameOf(env: NodeJS.ProcessEnv): string {
  return env.GITHUB_EVENT_NAME ?? "";
}

/**
 * The decision for one event. "skip" only where the full Action would do nothing but log that
 * line (no request, no output, exit 0) — or, for the issue without labels, where it would read the
 * configuration only to find that the issue is no post-mortem.
 */
export function triageEvent(eventName: string, payload: unknown): Triage {
  if (eventName === "pull_request" || eventName === "pull_request_target") return RUN;
  // A deployment may ship the fixes of CAPA children (the evidence flow, where the Action runs it).
  if (eventName === "deployment_status") return RUN;
  // runAction reads these before it looks at the event; where that would throw, it fails the job.
  if (!isObject(payload)) return RUN;
  const repository = payload.repository;
  if (repository && (!isObject(repository) || !isObject(repository.owner))) return RUN;
  const action = payload.action;
  if (action !== undefined && action !== null && typeof action !== "string") return RUN;

  // readApprovalEvent, step by step.
  const nothing: Triage = {
    kind: "skip",
    message: `${eventName}.${action ?? ""}: nothing for the approval gate.`,
    reason: "an event the approval gate does not handle",
  };
  const issue = payload.issue;
  if (!issue || !payload.sender || !action) return nothing;
  if (!isObject(issue)) return RUN;
  const labels = labelsOf(issue);
  if (labels === undefined || !assigneesReadable(issue)) return RUN;
  if (issue.pull_request !== undefined && issue.pull_request !== null) {
    return { ...nothing, reason: "a pull request's conversation, not a post-mortem" };
  }
  if (eventName === "issues") {
    // A close is always judged in full (config problems fail the job there).
    if (action === "closed") return RUN;
    if (!APPROVAL_ISSUE_ACTIONS.includes(action)) return nothing;
  } else if (eventName === "issue_comment" && APPROVAL_COMMENT_ACTIONS.includes(action)) {
    const comment = payload.comment;
    if (action === "created" && comment) {
      if (!isObject(comment)) return RUN;
      const command = isApprovalCommand(comment.body);
      if (command === undefined) return RUN;
      if (command) {
        const author = comment.user ?? payload.sender;
        // The gate's own replies never carry commands; a bot's command is not an approval.
        if (isObject(author) && author.type === "Bot") {
          return { ...nothing, reason: "a command by a bot, which is no approval" };
        }
        return RUN;
      }
    }
  } else {
    return nothing;
  }

  // An event the gate only judges for the summary ("other"); it needs a post-mortem.
  const issueNumber = issue.number;
  if (typeof issueNumber !== "number") return RUN;
  const body = issue.body ?? "";
  if (typeof body !== "string") return RUN;
  // A bot's issue that carries the marker is a post-mortem whatever its labels (src/core/identity.ts);
  // loosely matched here, the full Action reads it properly.
  const author = issue.user;
  if (isObject(author) && author.type === "Bot" && body.includes(POSTMORTEM_MARKER)) return RUN;
  if (labels.length === 0) {
    // postmortemLabels has at least one name, and any other post-mortem carries one of them.
    return {
      kind: "skip",
      message: `#${issueNumber} is not a post-mortem`,
      reason: "an issue without any label and not opened by a bot cannot be a post-mortem",
    };
  }
  return { kind: "labels", issueNumber, labels };
}

/** The label names as issueFromApi reads them; undefined where it would throw. */
function labelsOf(issue: Json): string[] | undefined {
  const labels = issue.labels ?? [];
  if (!Array.isArray(labels)) return undefined;
  const names: string[] = [];
  for (const label of labels as unknown[]) {
    if (typeof label === "string") {
      if (label !== "") names.push(label);
      continue;
    }
    if (label === null || label === undefined) return undefined;
    const name = (label as { name?: unknown }).name ?? "";
    if (typeof name !== "string") return undefined;
    if (name !== "") names.push(name);
  }
  return names;
}

/** issueFromApi also maps the assignees; a null among them would make it throw. */
function assigneesReadable(issue: Json): boolean {
  const assignees = issue.assignees ?? [];
  return (
    Array.isArray(assignees) &&
    (assignees as unknown[]).every((assignee) => assignee !== null && assignee !== undefined)
  );
}

/** Whether parseApprovalCommand finds a command; undefined where it would throw. */
export function isApprovalCommand(body: unknown): boolean | undefined {
  const text = body ?? "";
  if (typeof text !== "string") return undefined;
  const firstLine = text.trimStart().split("\n", 1)[0]?.trim() ?? "";
  return APPROVAL_COMMAND.test(firstLine);
}

/**
 * Whether an event may belong to the incident, severity, guard, CAPA, evidence or culprit flows
 * (readIncidentEvent, readSeverityLabelEvent, readGuardEvent, readCapaEvent, readEvidenceEvent,
 * readCulpritEvent of
 * src/github/webhook-events.ts), judged loosely from the payload: where it may, only the
 * configuration (`flows.runIn`) says whether the Action handles it. False only where both
 * readers certainly return nothing; test/action/triage.test.ts holds it to them.
 */
export function mayConcernFlows(eventName: string, payload: unknown): boolean {
  if (!isObject(payload) || !isObject(payload.issue) || !payload.sender) return false;
  const issue = payload.issue;
  const action = payload.action;
  if (eventName === "issue_comment") {
    // `/postmortem` on a pull request's conversation opens nothing.
    if (issue.pull_request !== undefined && issue.pull_request !== null) return false;
    if (action !== "created" || !isObject(payload.comment)) return false;
    const body = payload.comment.body ?? "";
    if (typeof body !== "string") return true;
    const firstLine = body.trimStart().split("\n", 1)[0] ?? "";
    // `/evidence` on a bot's CAPA child (readEvidenceEvent).
    const author = issue.user;
    const childBody = issue.body;
    if (
      EVIDENCE_COMMAND.test(body.trim()) &&
      (!isObject(author) || author.type === "Bot") &&
      (typeof childBody !== "string" || childBody.includes(CAPA_MARKER))
    ) {
      return true;
    }
    // `/changes` on a bot's post-mortem (readChangesEvent).
    if (
      CHANGES_COMMAND.test(firstLine.trimEnd()) &&
      (!isObject(author) || author.type === "Bot") &&
      (typeof childBody !== "string" || childBody.includes(POSTMORTEM_MARKER))
    ) {
      return true;
    }
    // `/culprit` on a post-mortem (readCulpritEvent): any author, the handler checks who wrote it.
    if (
      CULPRIT_COMMAND.test(firstLine.trim()) &&
      (typeof issue.body !== "string" || issue.body.includes(POSTMORTEM_MARKER))
    ) {
      return true;
    }
    return POSTMORTEM_COMMAND.test(firstLine.trimEnd());
  }
  if (eventName !== "issues" || typeof action !== "string") return false;
  if (action === "labeled") return true;
  if (action === "unlabeled") {
    // A severity label removed from an incident, which keeps its incident label.
    const labels = issue.labels;
    if (!Array.isArray(labels) || labels.length > 0) return true;
  }
  if (action === "opened") {
    const labels = issue.labels;
    return !Array.isArray(labels) || labels.length > 0;
  }
  const author = issue.user;
  const changes = payload.changes;
  const before = isObject(changes) && isObject(changes.body) ? changes.body.from : undefined;
  if (isObject(author) && author.type === "Bot" && action === "edited") {
    // A post-mortem's marker edited away, whatever the body is now (the guard puts it back).
    if (typeof before === "string" && before.includes(POSTMORTEM_MARKER)) return true;
  }
  const body = issue.body;
  if (typeof body !== "string") return false;
  // Corrective-action children and post-mortems are written by a bot (the App or the Action),
  // except a post-mortem a person wrote and the bot adopted: it carries the marker too.
  if (!isObject(author) || author.type !== "Bot") {
    return action === "edited" && body.includes(POSTMORTEM_MARKER);
  }
  if (body.includes(CAPA_MARKER)) return CAPA_CHILD_ACTIONS.includes(action);
  // A post-mortem's label removed (the guard puts it back).
  if (action === "unlabeled") return body.includes(POSTMORTEM_MARKER);
  return action === "edited" && body.includes(POSTMORTEM_MARKER);
}
