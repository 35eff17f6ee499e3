import type { Account, IssueSnapshot } from "../snapshots.js";
import type { CulpritRequest } from "./command.js";

/** A `/culprit` comment on a post-mortem (the handler checks that it is one). */
export interface CulpritEvent {
  issue: IssueSnapshot;
  commentId: number;
  sender: Account;
  request: CulpritRequest | "malformed";
}
