import type { Account } from "../snapshots.js";

/**
 * A person's edit of a post-mortem's body, as its `edited` delivery tells it: who saved it, and
 * the body right before (`changes.body.from`) and right after the save.
 */
export interface PersonEdit {
  sender: Account;
  before: string;
  after: string;
}

/** The deliveries that can change what a post-mortem's CAPA section should show. */
export type CapaEvent =
  /** `edit` is absent where no person's edit started the run (a sweep, an adoption). */
  | { kind: "postmortemEdited"; postmortem: number; edit?: PersonEdit }
  /** The App's own edit, whose `changes.body.from` shows a person's text that it overwrote. */
  | { kind: "ownEditOverwrote"; postmortem: number; before: string; written: string }
  | { kind: "childChanged"; postmortem: number };
