import type { Account } from "../snapshots.js";

/** A `/changes` comment on what looks like a post-mortem (a bot's issue with its marker). */
export interface ChangesEvent {
  kind: "command";
  postmortem: number;
  commentId: number;
  sender: Account;
  /** The comment's text; the handler reads the command in the configured zone. */
  body: string;
}
