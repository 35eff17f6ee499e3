// The names, actions and patterns that the App and the Action's light entry (action/main.ts and the
// modules it imports statically) must agree on. The entry runs on every issues and issue_comment
// event and loads nothing heavy, so this module imports nothing (.dependency-cruiser.js holds it
// to that): both sides import these instead of keeping copies.

/** Where the configuration lives, in the repository and in the org's `.github` repository. */
export const CONFIG_PATH = ".github/postmortem.yml";

/** The default of `incidentLabels`: labels that mark an issue as an incident. */
export const DEFAULT_INCIDENT_LABELS: readonly string[] = ["incident"];
/** The default of `postmortemLabels`: labels put on the post-mortem issue. */
export const DEFAULT_POSTMORTEM_LABELS: readonly string[] = ["postmortem"];

/** The `issues` actions the approval gate looks at. */
export const APPROVAL_ISSUE_ACTIONS: readonly string[] = [
  "closed",
  "reopened",
  "edited",
  "labeled",
  "unlabeled",
];
/** The `issue_comment` actions the approval gate looks at. */
export const APPROVAL_COMMENT_ACTIONS: readonly string[] = ["created", "edited", "deleted"];
/** The `issues` actions by which a person changes a CAPA child, which the CAPA flow follows. */
export const CAPA_CHILD_ACTIONS: readonly string[] = [
  "closed",
  "reopened",
  "edited",
  "assigned",
  "unassigned",
  "deleted",
  "transferred",
];

/**
 * `/approve`, `/approve tech lead`, `/unapprove tl`, matched against a comment's trimmed first
 * line: the verb, then the alias if any.
 */
export const APPROVAL_COMMAND = /^\/(approve|unapprove)(?:\s+(.*))?$/i;
/** `/evidence <link or text>` on a CAPA child (loosely: readEvidenceCommand decides). */
export const EVIDENCE_COMMAND = /^\/evidence(?:\s|$)/;
/** `/culprit` alone or followed by whitespace, matched against a comment's first line. */
export const CULPRIT_COMMAND = /^\/culprit(?:\s|$)/i;
/** `/postmortem` alone or followed by whitespace, matched against a comment's first line. */
export const POSTMORTEM_COMMAND = /^\/postmortem(?:\s|$)/i;
/** `/changes [since]` on a post-mortem, matched against a comment's first line. */
export const CHANGES_COMMAND = /^\/changes(?:\s|$)/i;

/** How every hidden marker begins: `<!-- postmortem-bot:<kind> {…} -->` (src/core/markers.ts). */
export const MARKER_PREFIX = "postmortem-bot:";
/** The marker on a post-mortem (also on one a person wrote and the bot adopted). */
export const POSTMORTEM_MARKER = `${MARKER_PREFIX}postmortem`;
/** The marker on a corrective-action (CAPA) child issue. */
export const CAPA_MARKER = `${MARKER_PREFIX}capa`;
