import type { Account, IssueSnapshot } from "../snapshots.js";

/** The deliveries the approval gate acts on, read out of webhook payloads by src/github. */
export type ApprovalEvent =
  | { kind: "closed"; issue: IssueSnapshot; sender: Account }
  | { kind: "command"; issue: IssueSnapshot; commentId: number; sender: Account }
  /** Edits, reopenings, labels, other comments: judged for the summary, nothing written. */
  | { kind: "other"; issue: IssueSnapshot; action: string };
