/**
 * A plan is a list of GitHub changes the core wants. Each step is safe to apply again: the core
 * decides from fresh state on every round, so a step that already happened is simply not planned.
 */
export type Step =
  | { kind: "ensureLabel"; name: string; color: string; description: string }
  | {
      kind: "createIssue";
      title: string;
      body: string;
      labels: string[];
      assignees: string[];
    }
  | { kind: "updateIssueBody"; issueNumber: number; body: string }
  | { kind: "addSubIssue"; parentNumber: number; childId: number }
  | {
      kind: "closeIssue";
      issueNumber: number;
      stateReason: "completed" | "not_planned" | "duplicate";
      /** A new body, written in the same request. */
      body?: string;
    }
  | { kind: "createComment"; issueNumber: number; body: string }
  | { kind: "addLabels"; issueNumber: number; labels: string[] }
  | { kind: "removeLabel"; issueNumber: number; name: string }
  | { kind: "updateComment"; commentId: number; body: string }
  | { kind: "deleteComment"; commentId: number }
  /** Only collaborators may comment on it then (the path index's issue). */
  | { kind: "lockIssue"; issueNumber: number }
  | { kind: "addReaction"; commentId: number; content: "+1" | "eyes" | "rocket" };

export type Plan = Step[];
