import type { Permission } from "../approvals/config.js";
import { permissionAtLeast } from "../approvals/people.js";
import type { Config } from "../config.js";
import { sameLabel } from "../config.js";
import { isProductIssue } from "../identity.js";
import { findMarker, formatMarker, setMarker } from "../markers.js";
import { codeSpan } from "../markdown-text.js";
import type { Plan } from "../plan.js";
import type { CommentSnapshot, IssueSnapshot } from "../snapshots.js";
import type { GuardEvent } from "./events.js";
import type { Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";

/**
 * What keeps a post-mortem one: the App or the Action opened it (its author, read from GitHub),
 * and its post-mortem label and marker are how the gate, the release gate and the report find
 * it. Anyone with triage access can remove a label, and anyone who can edit the body can remove
 * the marker: below `approvals.forceClosePermission` such a change is put back, with one comment.
 */
export interface GuardState {
  /** The post-mortem as it is now. */
  issue: IssueSnapshot;
  comments: readonly CommentSnapshot[];
  /** The sender's permission now, read from GitHub. */
  senderPermission: Permission;
  /** Whose issues and comments count as the product's (src/core/trust/writers.ts). */
  writers: Writers;
}

/** The marker the body had before the edit, when an edit removed or altered it. */
export function markerLostIn(event: GuardEvent & { kind: "edited" }) {
  return lostMarker(event.before, event.issue.body);
}

/** The marker `before` held where `after` lacks it or holds another (any field: incident, severity, gate). */
function lostMarker(before: string, after: string) {
  const held = findMarker(before, "postmortem");
  if (held === undefined) return undefined;
  // Parsed by the marker's schema, so the fields come in one order: the JSON is comparable.
  const now = findMarker(after, "postmortem");
  return now !== undefined && JSON.stringify(now) === JSON.stringify(held) ? undefined : held;
}

/**
 * Whether an edit only recorded the post-mortem's present close in its marker (`closed`, see
 * src/core/markers.ts), all else kept: the enforcing front door's write, which stands when the
 * close gate's judgement lets the close stand (the guard then judges it), and is put back otherwise.
 */
export function recordedCloseOnly(before: string, issue: IssueSnapshot): boolean {
  const held = findMarker(before, "postmortem");
  const now = findMarker(issue.body, "postmortem");
  if (held === undefined || now === undefined || issue.state !== "closed") return false;
  if (now.gate !== 2 || now.closed === undefined || now.closed !== issue.closedAt) return false;
  const rest = (marker: typeof held) => JSON.stringify({ ...marker, closed: undefined });
  return held.closed !== now.closed && rest(held) === rest(now);
}

export function planGuard(event: GuardEvent, config: Config, state: GuardState): Plan {
  if (permissionAtLeast(state.senderPermission, config.approvals.forceClosePermission)) return [];
  const { issue } = state;
  // Only the product's own post-mortem is guarded: another bot's issue is no post-mortem.
  if (!isProductIssue(issue, state.writers)) return [];
  if (event.kind === "unlabeled") {
    if (!config.postmortemLabels.some((name) => sameLabel(name, event.label))) return [];
    if (issue.labels.some((name) => sameLabel(name, event.label))) return [];
    return [
      { kind: "addLabels", issueNumber: issue.number, labels: [event.label] },
      ...sayOnce(issue, state, "label", event, config),
    ];
  }
  const lost = lostMarker(event.before, issue.body);
  if (lost === undefined) return [];
  return [
    {
      kind: "updateIssueBody",
      issueNumber: issue.number,
      body: setMarker(issue.body, "postmortem", lost),
    },
    ...sayOnce(issue, state, "marker", event, config),
  ];
}

function sayOnce(
  issue: IssueSnapshot,
  { comments, writers }: Pick<GuardState, "comments" | "writers">,
  what: "label" | "marker",
  event: GuardEvent,
  config: Config,
): Plan {
  const said = comments.some(
    (comment) =>
      wroteIt(comment.author, "flows", writers) &&
      findMarker(comment.body, "guard")?.issue === issue.number &&
      findMarker(comment.body, "guard")?.what === what,
  );
  if (said) return [];
  const change =
    what === "label"
      ? `removed the ${codeSpan(event.kind === "unlabeled" ? event.label : config.postmortemLabels[0]!)} label`
      : "removed or changed the post-mortem's hidden marker";
  return [
    {
      kind: "createComment",
      issueNumber: issue.number,
      body: `🔒 @${event.sender.login} ${change}, so it was put back: this issue stays a post-mortem, and its close gate, reminders and release gate go on. Only someone with ${config.approvals.forceClosePermission} permission or more can change that.\n\n${formatMarker("guard", { issue: issue.number, what })}`,
    },
  ];
}
