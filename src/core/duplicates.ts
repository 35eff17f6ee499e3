import { findMarker, formatMarker } from "./markers.js";
import type { Step } from "./plan.js";
import type { IssueSnapshot } from "./snapshots.js";

/**
 * Closes an issue that a race opened twice, as a duplicate of the one everybody converges on. The
 * explanation goes into the duplicate's body rather than a comment: two replicas that both decide
 * this write the same body, so the result is the same however often it happens.
 */
export function closeAsDuplicate(duplicate: IssueSnapshot, of: number, what: string): Step {
  const note = `> **Duplicate of #${of}.** ${what} was opened twice at the same moment; #${of} is the one to use.`;
  const body = findMarker(duplicate.body, "duplicate")
    ? duplicate.body
    : `${formatMarker("duplicate", { of })}\n${note}\n\n${duplicate.body}`;
  return { kind: "closeIssue", issueNumber: duplicate.number, stateReason: "duplicate", body };
}
