import type { Account, IssueSnapshot } from "../snapshots.js";

/**
 * A change that would turn a post-mortem into a plain issue: its post-mortem label removed, or
 * its hidden marker removed or altered in an edit. `before` is the body as GitHub's delivery
 * says it was (the `changes` of an `edited` event).
 */
export type GuardEvent =
  | { kind: "unlabeled"; issue: IssueSnapshot; label: string; sender: Account }
  | { kind: "edited"; issue: IssueSnapshot; before: string; sender: Account };
