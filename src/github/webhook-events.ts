import { CODEOWNERS_PATHS } from "../core/capa/codeowners.js";
import type { CulpritCheckEvent } from "../core/culprit-check/events.js";
import { CULPRIT_CHECK_ACTIONS } from "../core/culprit-check/events.js";
import { overwrotePeople } from "../core/capa/lost-edit.js";
import { CAPA_CHILD_ACTIONS, CONFIG_PATH } from "../core/constants.js";
import { FORMS_DIRECTORY } from "../core/forms/definition.js";
import type { IncidentEvent } from "../core/incident/events.js";
import { isPostmortemCommand } from "../core/incident/events.js";
import type { GuardEvent } from "../core/guard/events.js";
import type { SeverityLabelEvent } from "../core/severity-change/events.js";
import { markerLostIn } from "../core/guard/plan.js";
import { findMarker } from "../core/markers.js";
import type { IssueSnapshot, RepositoryRef } from "../core/snapshots.js";
import type { CapaEvent } from "../core/capa/events.js";
import type { EvidenceEvent } from "../core/evidence/events.js";
import { revertedPullRequest } from "../core/evidence/events.js";
import { readEvidenceCommand } from "../core/evidence/plan.js";
import { readTimelineCommand } from "../core/timeline/command.js";
import type { ChangesEvent } from "../core/changes/events.js";
import { isChangesCommand } from "../core/changes/command.js";
import { readCulpritCommand } from "../core/culprits/command.js";
import type { CulpritEvent } from "../core/culprits/events.js";
import type { IncidentChange, TimelineEvent } from "../core/timeline/events.js";
import { timelineOverwrote } from "../core/timeline/lost-edit.js";
import type { ApiAccount, ApiIssue } from "./snapshots.js";
import { accountFromApi, issueFromApi } from "./snapshots.js";

/** The parts of `issues` and `issue_comment` payloads this product reads. */
export interface WebhookPayload {
  action?: string;
  issue?: ApiIssue & { updated_at?: string };
  label?: { name: string };
  comment?: { id: number; body?: string | null; created_at: string; user: ApiAccount | null };
  sender?: ApiAccount;
  repository?: {
    name: string;
    owner: { login: string };
    default_branch?: string;
    private?: boolean;
    visibility?: string;
  };
}

/** The visibility GitHub reports for a repository (older payloads say only `private`). */
export function visibilityOf(repository: {
  private?: boolean;
  visibility?: string;
}): RepositoryRef["visibility"] {
  const { visibility } = repository;
  if (visibility === "public" || visibility === "private" || visibility === "internal") {
    return visibility;
  }
  if (repository.private === undefined) return undefined;
  return repository.private ? "private" : "public";
}

export function repositoryOf(payload: WebhookPayload): RepositoryRef | undefined {
  const repository = payload.repository;
  if (!repository) return undefined;
  return {
    owner: repository.owner.login,
    repo: repository.name,
    defaultBranch: repository.default_branch ?? "main",
    ...withVisibility(repository),
  };
}

function withVisibility(repository: { private?: boolean; visibility?: string }) {
  const visibility = visibilityOf(repository);
  return visibility ? { visibility } : {};
}

/**
 * Turns a delivery into an incident event, or undefined when it cannot matter. This runs before
 * any GitHub request, so unrelated comments and the App's own post-mortems cost nothing.
 */
export function readIncidentEvent(
  name: string,
  payload: WebhookPayload,
): IncidentEvent | undefined {
  const issuePayload = payload.issue;
  if (!issuePayload || !payload.sender) return undefined;
  const issue = issueFromApi(issuePayload);
  if (issue.isPullRequest) return undefined;
  // The App's own post-mortems and CAPA children are never incidents (their `opened`/`labeled`).
  if (
    issue.author.type === "Bot" &&
    (findMarker(issue.body, "postmortem") || findMarker(issue.body, "capa"))
  ) {
    return undefined;
  }
  const sender = accountFromApi(payload.sender);

  if (name === "issues" && payload.action === "opened") {
    return { kind: "opened", issue, sender, at: issue.createdAt };
  }
  if (name === "issues" && payload.action === "labeled" && payload.label) {
    const at = issuePayload.updated_at ?? issue.createdAt;
    return { kind: "labeled", issue, label: payload.label.name, sender, at };
  }
  if (name === "issue_comment" && payload.action === "created" && payload.comment) {
    if (!isPostmortemCommand(payload.comment.body)) return undefined;
    return {
      kind: "command",
      issue,
      commentId: payload.comment.id,
      sender: accountFromApi(payload.comment.user ?? payload.sender),
      at: payload.comment.created_at,
    };
  }
  return undefined;
}

/** A label added to an issue a person opened: maybe a post-mortem to adopt (see core/adoption). */
export interface AdoptionEvent {
  issue: IssueSnapshot;
  label: string;
}

export function readAdoptionEvent(
  name: string,
  payload: WebhookPayload,
): AdoptionEvent | undefined {
  if (name !== "issues" || payload.action !== "labeled" || !payload.issue || !payload.label) {
    return undefined;
  }
  const issue = issueFromApi(payload.issue);
  if (issue.isPullRequest || issue.author.type === "Bot") return undefined;
  return { issue, label: payload.label.name };
}

/** `issues.edited` carries what changed; `sub_issues` events carry the parent issue. */
export interface CapaWebhookPayload extends WebhookPayload {
  changes?: { body?: { from?: string } };
  parent_issue?: ApiIssue;
}

/**
 * The deliveries that concern a post-mortem's corrective actions, or undefined. Like
 * `readIncidentEvent`, it decides from the payload alone, so other issues cost no request.
 */
export function readCapaEvent(name: string, payload: CapaWebhookPayload): CapaEvent | undefined {
  if (name === "sub_issues") {
    const parent = payload.parent_issue ? issueFromApi(payload.parent_issue) : undefined;
    if (!parent || !findMarker(parent.body, "postmortem")) return undefined;
    // The App linking its own child needs nothing more; a person (un)linking one does. (A
    // post-mortem a person wrote and the App adopted: its children are linked by a bot.)
    if (payload.sender?.login === parent.author.login || payload.sender?.type === "Bot") {
      return undefined;
    }
    return { kind: "childChanged", postmortem: parent.number };
  }
  if (name !== "issues" || !payload.issue || !payload.sender || !payload.action) return undefined;
  const issue = issueFromApi(payload.issue);
  if (!isAppIssue(issue)) {
    // Maybe a post-mortem a person wrote and the App adopted; the handler checks the adoption.
    const before = payload.action === "edited" ? payload.changes?.body?.from : undefined;
    return before !== undefined &&
      payload.sender.type !== "Bot" &&
      findMarker(issue.body, "postmortem")
      ? {
          kind: "postmortemEdited",
          postmortem: issue.number,
          edit: { sender: accountFromApi(payload.sender), before, after: issue.body },
        }
      : undefined;
  }

  const parent = findMarker(issue.body, "capa")?.parent;
  if (parent !== undefined) {
    // The App's own changes to a child (closing a duplicate) were decided from a fresh read.
    if (payload.sender.login === issue.author.login) return undefined;
    return CAPA_CHILD_ACTIONS.includes(payload.action)
      ? { kind: "childChanged", postmortem: parent }
      : undefined;
  }
  if (payload.action !== "edited" || !findMarker(issue.body, "postmortem")) return undefined;
  const before = payload.changes?.body?.from;
  if (before === undefined) return undefined; // a title edit
  if (payload.sender.login === issue.author.login) {
    // The App's own edit: only interesting if it overwrote what a person had just written.
    return overwrotePeople(before, issue.body)
      ? { kind: "ownEditOverwrote", postmortem: issue.number, before, written: issue.body }
      : undefined;
  }
  return {
    kind: "postmortemEdited",
    postmortem: issue.number,
    edit: { sender: accountFromApi(payload.sender), before, after: issue.body },
  };
}

/**
 * Whether a bot wrote the issue: a filter on the payload alone, before the configuration says who
 * the product's writers are. It only lets deliveries through; the handler decides on the issue
 * read again whether the product wrote it (src/core/trust/writers.ts), so another bot's issue
 * costs a read and changes nothing.
 */
function isAppIssue(issue: IssueSnapshot): boolean {
  return issue.author.type === "Bot";
}

/** The parts of a `push` payload that tell whether a configuration file changed. */
export interface PushPayload {
  ref?: string;
  repository?: { name: string; owner: { login?: string; name?: string }; default_branch?: string };
  commits?: { added?: string[]; modified?: string[]; removed?: string[] }[];
}

/** GitHub lists at most this many commits in a push payload; a longer push may hide a change. */
const LISTED_COMMITS = 20;

/**
 * Which cached configurations a push makes stale: the repository's own, when it changed
 * `.github/postmortem.yml`, an issue form (`.github/ISSUE_TEMPLATE/`) or a CODEOWNERS file on the default branch; every repository of the owner, when it changed
 * the org defaults (the owner's `.github` repository, which any file of it may be `_extends`d
 * from). Undefined when nothing cached is affected.
 */
export function configFilesChangedBy(
  payload: PushPayload,
): { owner: string; repo?: string } | undefined {
  const repository = payload.repository;
  const owner = repository?.owner.login ?? repository?.owner.name;
  if (!repository || !owner) return undefined;
  if (payload.ref !== `refs/heads/${repository.default_branch ?? "main"}`) return undefined;
  const commits = payload.commits ?? [];
  const paths = commits.flatMap((c) => [
    ...(c.added ?? []),
    ...(c.modified ?? []),
    ...(c.removed ?? []),
  ]);
  const unsure = commits.length >= LISTED_COMMITS;
  if (repository.name.toLowerCase() === ".github") {
    return unsure || paths.some((path) => /\.(ya?ml|json)$/i.test(path)) ? { owner } : undefined;
  }
  const formsChanged = paths.some((path) => path.startsWith(`${FORMS_DIRECTORY}/`));
  const codeownersChanged = paths.some((path) =>
    (CODEOWNERS_PATHS as readonly string[]).includes(path),
  );
  return unsure || formsChanged || codeownersChanged || paths.includes(CONFIG_PATH)
    ? { owner, repo: repository.name }
    : undefined;
}

/** `issues.assigned`/`unassigned` name who; the issue carries `updated_at` and `closed_at`. */
export interface TimelineWebhookPayload extends CapaWebhookPayload {
  assignee?: ApiAccount | null;
  issue?: ApiIssue & { updated_at?: string; closed_at?: string | null };
}

/**
 * The deliveries that add to an incident's timeline, or undefined. Decided from the payload alone:
 * changes of an issue that has labels and is none of the App's issues (the configuration decides
 * later whether it is an incident and the label matters), `/timeline` comments on such an issue or
 * on a post-mortem, and the App's own timeline writes that overwrote something.
 */
export function readTimelineEvent(
  name: string,
  payload: TimelineWebhookPayload,
): TimelineEvent | undefined {
  const issuePayload = payload.issue;
  if (!issuePayload || !payload.sender || !payload.action) return undefined;
  const issue = issueFromApi(issuePayload);
  if (issue.isPullRequest) return undefined;
  const sender = accountFromApi(payload.sender);
  // Any bot here (see isAppIssue): the handler tells the product's post-mortems from the rest.
  const isApp = issue.author.type === "Bot";
  const postmortem = isApp ? findMarker(issue.body, "postmortem") : undefined;
  if (isApp && findMarker(issue.body, "capa")) return undefined;

  if (name === "issue_comment") {
    if (payload.action !== "created" || !payload.comment) return undefined;
    const request = readTimelineCommand(payload.comment.body);
    if (request === undefined) return undefined;
    if (!postmortem && issue.labels.length === 0) return undefined;
    return {
      kind: "command",
      issue,
      on: postmortem ? "postmortem" : "incident",
      incidentNumber: postmortem?.incident ?? issue.number,
      commentId: payload.comment.id,
      sender: accountFromApi(payload.comment.user ?? payload.sender),
      request,
    };
  }
  if (name !== "issues") return undefined;
  if (postmortem) {
    const before = payload.changes?.body?.from;
    if (payload.action !== "edited" || before === undefined) return undefined;
    if (payload.sender.login !== issue.author.login) return undefined;
    return timelineOverwrote(before, issue.body)
      ? { kind: "ownEditOverwrote", postmortem: issue.number, before, written: issue.body }
      : undefined;
  }
  if (issue.labels.length === 0) return undefined;
  const change = incidentChange(payload);
  if (!change) return undefined;
  const at =
    (change.type === "closed" ? issuePayload.closed_at : undefined) ??
    issuePayload.updated_at ??
    issue.createdAt;
  return { kind: "incident", incident: issue, change, sender, at };
}

function incidentChange(payload: TimelineWebhookPayload): IncidentChange | undefined {
  switch (payload.action) {
    case "assigned":
    case "unassigned":
      return payload.assignee ? { type: payload.action, login: payload.assignee.login } : undefined;
    case "labeled":
    case "unlabeled":
      return payload.label ? { type: payload.action, label: payload.label.name } : undefined;
    case "closed":
    case "reopened":
      return { type: payload.action };
    default:
      return undefined;
  }
}

/**
 * A post-mortem a bot opened losing its label, or an edit that removed or altered its marker:
 * decided from the payload (the edit's `changes` say what the body was), so the App's own edits
 * (which keep the marker, or record what it decided) cost nothing.
 */
export function readGuardEvent(name: string, payload: CapaWebhookPayload): GuardEvent | undefined {
  if (name !== "issues" || !payload.issue || !payload.sender) return undefined;
  const issue = issueFromApi(payload.issue);
  // Any bot here (see isAppIssue): the handler guards only the product's own post-mortems.
  if (issue.isPullRequest || issue.author.type !== "Bot") return undefined;
  const sender = accountFromApi(payload.sender);
  if (payload.action === "unlabeled") {
    if (!payload.label || sender.login === issue.author.login) return undefined;
    if (findMarker(issue.body, "postmortem") === undefined) return undefined;
    return { kind: "unlabeled", issue, label: payload.label.name, sender };
  }
  const before = payload.changes?.body?.from;
  if (payload.action !== "edited" || before === undefined) return undefined;
  // The opener's own writes (a marker put back, a close recorded) are not put back in turn.
  if (sender.login === issue.author.login) return undefined;
  const event: GuardEvent = { kind: "edited", issue, before, sender };
  return markerLostIn(event) === undefined ? undefined : event;
}

/**
 * A label added to or removed from an issue none of the bots' post-mortems or corrective actions:
 * maybe an incident's severity lowered (src/core/severity-change). Decided from the payload; the
 * flow's `wants` lets go of any label that names no severity before a request.
 */
export function readSeverityLabelEvent(
  name: string,
  payload: WebhookPayload,
): SeverityLabelEvent | undefined {
  if (name !== "issues" || !payload.issue || !payload.sender || !payload.label) return undefined;
  if (payload.action !== "labeled" && payload.action !== "unlabeled") return undefined;
  const issue = issueFromApi(payload.issue);
  // An incident keeps its incident label.
  if (issue.isPullRequest || issue.labels.length === 0) return undefined;
  if (
    issue.author.type === "Bot" &&
    (findMarker(issue.body, "postmortem") || findMarker(issue.body, "capa"))
  ) {
    return undefined;
  }
  return {
    issue,
    action: payload.action,
    label: payload.label.name,
    sender: accountFromApi(payload.sender),
  };
}

/** The parts of `pull_request` and `deployment_status` payloads the evidence flow reads. */
export interface EvidenceWebhookPayload extends WebhookPayload {
  pull_request?: {
    number: number;
    node_id?: string;
    html_url?: string;
    title?: string;
    body?: string | null;
    merged?: boolean | null;
    merged_at?: string | null;
    merge_commit_sha?: string | null;
  };
  deployment?: { id: number; sha: string; environment: string };
  deployment_status?: {
    state: string;
    environment?: string;
    created_at: string;
    target_url?: string | null;
    log_url?: string | null;
    environment_url?: string | null;
  };
}

/**
 * The deliveries that bring evidence to CAPA children, from the payload alone: a merged pull
 * request, a bot's CAPA child closed or reopened, `/evidence` on one, a successful deployment.
 */
export function readEvidenceEvent(
  name: string,
  payload: EvidenceWebhookPayload,
): EvidenceEvent | undefined {
  const repository = repositoryOf(payload);
  if (!repository) return undefined;
  // The Action's `pull_request_target` carries the same pull request (the App gets `pull_request`).
  if (name === "pull_request" || name === "pull_request_target") {
    const pr = payload.pull_request;
    if (
      payload.action !== "closed" ||
      !pr?.merged ||
      !pr.merged_at ||
      !pr.merge_commit_sha ||
      !pr.node_id
    ) {
      return undefined;
    }
    const reverts = revertedPullRequest(pr.title ?? "", pr.body, repository);
    return {
      kind: "merged",
      pullRequest: {
        number: pr.number,
        nodeId: pr.node_id,
        url: pr.html_url ?? "",
        mergedAt: pr.merged_at,
        sha: pr.merge_commit_sha,
        ...(reverts === undefined ? {} : { reverts }),
      },
    };
  }
  if (name === "deployment_status") {
    const status = payload.deployment_status;
    const deployment = payload.deployment;
    if (!status || !deployment || status.state !== "success") return undefined;
    return {
      kind: "deployed",
      deployment: {
        id: deployment.id,
        sha: deployment.sha,
        environment: status.environment ?? deployment.environment,
        url: status.log_url || status.target_url || status.environment_url || "",
        at: status.created_at,
      },
    };
  }
  const issuePayload = payload.issue;
  if (!issuePayload || !payload.sender) return undefined;
  const issue = issueFromApi(issuePayload);
  // Any bot's issue with a `capa` marker: the handler reads it again and checks who wrote it.
  if (issue.isPullRequest || issue.author.type !== "Bot" || !findMarker(issue.body, "capa")) {
    return undefined;
  }
  if (name === "issues" && (payload.action === "closed" || payload.action === "reopened")) {
    // The product's own closes (a duplicate) were decided from a fresh read.
    if (payload.sender.login === issue.author.login) return undefined;
    return {
      kind: payload.action === "closed" ? "childClosed" : "childReopened",
      child: issue.number,
    };
  }
  if (name === "issue_comment" && payload.action === "created" && payload.comment) {
    const text = readEvidenceCommand(payload.comment.body);
    if (text === undefined) return undefined;
    return {
      kind: "command",
      child: issue.number,
      commentId: payload.comment.id,
      sender: accountFromApi(payload.comment.user ?? payload.sender),
      text,
      at: payload.comment.created_at,
    };
  }
  return undefined;
}

/** The parts of a `pull_request` (`pull_request_target`) payload the culprit check reads. */
export interface CulpritCheckWebhookPayload extends WebhookPayload {
  pull_request?: { number: number; head?: { sha?: string } };
  repository?: WebhookPayload["repository"] & { html_url?: string };
}

/**
 * A pull request opened, pushed to or reopened, for the culprit check: the App hears
 * `pull_request`, the Action `pull_request_target` (whose token can write a check run even for a
 * fork's pull request; nothing of the pull request is checked out). Drafts included.
 */
export function readCulpritCheckEvent(
  name: string,
  payload: CulpritCheckWebhookPayload,
): CulpritCheckEvent | undefined {
  if (name !== "pull_request" && name !== "pull_request_target") return undefined;
  if (!CULPRIT_CHECK_ACTIONS.includes(payload.action ?? "")) return undefined;
  const repository = repositoryOf(payload);
  const pr = payload.pull_request;
  const headSha = pr?.head?.sha;
  if (!repository || !pr || typeof headSha !== "string" || headSha === "") return undefined;
  const htmlUrl =
    payload.repository?.html_url ?? `https://github.com/${repository.owner}/${repository.repo}`;
  return { repository, repositoryUrl: htmlUrl, pullRequest: { number: pr.number, headSha } };
}

/**
 * `/changes [since]` commented on a bot's issue carrying a post-mortem marker, from the payload
 * alone; the handler reads the post-mortem again and decides who wrote it.
 */
export function readChangesEvent(name: string, payload: WebhookPayload): ChangesEvent | undefined {
  if (name !== "issue_comment" || payload.action !== "created") return undefined;
  const comment = payload.comment;
  const issuePayload = payload.issue;
  if (!comment || !issuePayload || !payload.sender || !isChangesCommand(comment.body)) {
    return undefined;
  }
  const issue = issueFromApi(issuePayload);
  if (issue.isPullRequest || issue.author.type !== "Bot" || !findMarker(issue.body, "postmortem")) {
    return undefined;
  }
  return {
    kind: "command",
    postmortem: issue.number,
    commentId: comment.id,
    sender: accountFromApi(comment.user ?? payload.sender),
    body: comment.body ?? "",
  };
}

/**
 * A `/culprit` comment on an issue whose body carries a `postmortem` marker, from the payload
 * alone; the handler reads the issue again and decides whether the product opened or adopted it.
 */
export function readCulpritEvent(name: string, payload: WebhookPayload): CulpritEvent | undefined {
  if (name !== "issue_comment" || payload.action !== "created" || !payload.comment)
    return undefined;
  if (!payload.issue || !payload.sender) return undefined;
  const request = readCulpritCommand(payload.comment.body);
  if (request === undefined) return undefined;
  const issue = issueFromApi(payload.issue);
  if (issue.isPullRequest || !findMarker(issue.body, "postmortem")) return undefined;
  return {
    issue,
    commentId: payload.comment.id,
    sender: accountFromApi(payload.comment.user ?? payload.sender),
    request,
  };
}

/** A `projects_v2_item.edited` delivery: the item, its project, the field changed and who. */
export function readBoardEdit(payload: unknown):
  | {
      itemId: string;
      projectId: string;
      fieldId: string | undefined;
      sender: { login: string; type: string };
    }
  | undefined {
  const p = payload as {
    action?: string;
    projects_v2_item?: { node_id?: unknown; project_node_id?: unknown };
    changes?: { field_value?: { field_node_id?: unknown; field_type?: unknown } };
    sender?: { login?: unknown; type?: unknown } | null;
  };
  const item = p.projects_v2_item;
  if (p.action !== "edited" || typeof item?.node_id !== "string") return undefined;
  if (typeof item.project_node_id !== "string" || typeof p.sender?.login !== "string") {
    return undefined;
  }
  const field = p.changes?.field_value;
  // Only a date field's change can move a due date.
  if (field !== undefined && field.field_type !== undefined && field.field_type !== "date") {
    return undefined;
  }
  return {
    itemId: item.node_id,
    projectId: item.project_node_id,
    fieldId: typeof field?.field_node_id === "string" ? field.field_node_id : undefined,
    sender: {
      login: p.sender.login,
      type: typeof p.sender.type === "string" ? p.sender.type : "User",
    },
  };
}
