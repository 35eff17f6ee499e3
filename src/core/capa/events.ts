/** The deliveries that can change what a post-mortem's CAPA section should show. */
export type CapaEvent =
  | { kind: "postmortemEdited"; postmortem: number }
  /** The App's own edit, whose `changes.body.from` shows a person's text that it overwrote. */
  | { kind: "ownEditOverwrote"; postmortem: number; before: string; written: string }
  | { kind: "childChanged"; postmortem: number };
