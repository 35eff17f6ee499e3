import { readPostmortemBody } from "../capa/items.js";
import type { Config } from "../config.js";
import { sameLabel } from "../config.js";
import { hasIncidentLabel, isOpenedPostmortem, isPostmortem } from "../identity.js";
import type { Writers } from "../trust/writers.js";
import { postmortemPolicyOf } from "../incident/events.js";
import { postmortemsOf } from "../incident/plan.js";
import type { IssueSnapshot } from "../snapshots.js";

/** Work a sweep hands back to the handlers, which re-check it with consistent reads. */
export interface ReconcileCandidates {
  /** Open incidents whose severity requires a post-mortem that no post-mortem in the listing names. */
  incidents: IssueSnapshot[];
  /** Open post-mortems with a checked CAPA box that links no child yet. */
  postmortems: IssueSnapshot[];
}

/**
 * From recent listings (incidents and post-mortems updated within the look-back), the work that
 * may have been accepted and not finished: a delivery answered and then lost with the process.
 * Candidates only: a false one costs the handler's reads and nothing else.
 */
export function reconcileCandidates(
  incidents: readonly IssueSnapshot[],
  postmortems: readonly IssueSnapshot[],
  config: Config,
  writers: Writers,
): ReconcileCandidates {
  return {
    incidents: incidents.filter(
      (issue) =>
        issue.state === "open" &&
        !issue.isPullRequest &&
        hasIncidentLabel(issue.labels, config) &&
        // An incident whose severity wants a post-mortem only on request (or never) has none to finish.
        postmortemPolicyOf(issue.labels, config) === "required" &&
        !isPostmortem(issue, config, writers) &&
        // Held for confirmation: nothing to finish until someone with triage access confirms it.
        !issue.labels.some((label) => sameLabel(label, config.incidents.unconfirmedLabel)) &&
        postmortemsOf(postmortems, issue.number, writers).length === 0,
    ),
    postmortems: postmortems.filter(
      (issue) =>
        issue.state === "open" &&
        isOpenedPostmortem(issue, writers) &&
        readPostmortemBody(issue.body).items.some(
          (item) => item.checked && item.linked === undefined,
        ),
    ),
  };
}
