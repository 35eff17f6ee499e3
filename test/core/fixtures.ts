import type { IncidentEvent } from "../../src/core/incident/events.js";
import type { CommentSnapshot, IssueSnapshot, RepositoryRef } from "../../src/core/snapshots.js";

export const repository: RepositoryRef = { owner: "acme", repo: "shop", defaultBranch: "main" };

export function incidentIssue(overrides: Partial<IssueSnapshot> = {}): IssueSnapshot {
  return {
    id: 9001,
    number: 12,
    title: "Checkout returns 500",
    body: "Checkout fails for EU users since the 13:00 deploy.\n\nDetails below.",
    state: "open",
    stateReason: null,
    author: { login: "alice", type: "User" },
    labels: ["incident"],
    assignees: ["bob"],
    createdAt: "2026-11-27T13:05:00Z",
    isPullRequest: false,
    ...overrides,
  };
}

export function labeledEvent(issue = incidentIssue(), label = "incident"): IncidentEvent {
  return {
    kind: "labeled",
    issue,
    label,
    sender: { login: "dave", type: "User" },
    at: "2026-11-27T13:07:00Z",
  };
}

export function commandEvent(issue = incidentIssue(), commentId = 555): IncidentEvent {
  return {
    kind: "command",
    issue,
    commentId,
    sender: { login: "carol", type: "User" },
    at: "2026-11-27T13:09:00Z",
  };
}

export const bot = { login: "postmortem-bot[bot]", type: "Bot" };

export function postmortemIssue(
  number: number,
  overrides: Partial<IssueSnapshot> = {},
): IssueSnapshot {
  return incidentIssue({
    id: 10_000 + number,
    number,
    title: "Post-mortem: Checkout returns 500",
    body: `# Post-Mortem\n\n<!-- postmortem-bot:postmortem {"incident":12} -->\n`,
    author: bot,
    labels: ["postmortem"],
    ...overrides,
  });
}

export function comment(id: number, body: string, author = bot): CommentSnapshot {
  return { id, body, author, createdAt: "2026-11-27T13:10:00Z" };
}
