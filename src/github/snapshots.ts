import type { Account, CommentSnapshot, IssueSnapshot } from "../core/snapshots.js";

/** The fields we read, common to REST responses and webhook payloads. */
export interface ApiAccount {
  login: string;
  type?: string;
}
export interface ApiIssue {
  id: number;
  number: number;
  title: string;
  body?: string | null;
  state?: string;
  state_reason?: string | null;
  user: ApiAccount | null;
  labels?: Array<string | { name?: string }>;
  assignees?: ApiAccount[] | null;
  created_at: string;
  pull_request?: unknown;
  parent_issue_url?: string | null;
  closed_at?: string | null;
  node_id?: string;
  html_url?: string;
}
export interface ApiComment {
  id: number;
  body?: string | null;
  user: ApiAccount | null;
  created_at: string;
  author_association?: string;
}

const GHOST: Account = { login: "ghost", type: "User" };

export function accountFromApi(account: ApiAccount | null | undefined): Account {
  return account ? { login: account.login, type: account.type ?? "User" } : GHOST;
}

export function issueFromApi(issue: ApiIssue): IssueSnapshot {
  return {
    id: issue.id,
    number: issue.number,
    title: issue.title,
    body: issue.body ?? "",
    state: issue.state === "closed" ? "closed" : "open",
    stateReason: issue.state_reason ?? null,
    author: accountFromApi(issue.user),
    labels: (issue.labels ?? [])
      .map((label) => (typeof label === "string" ? label : (label.name ?? "")))
      .filter((name) => name !== ""),
    assignees: (issue.assignees ?? []).map((assignee) => assignee.login),
    createdAt: issue.created_at,
    isPullRequest: issue.pull_request !== undefined && issue.pull_request !== null,
    parentIssueUrl: issue.parent_issue_url ?? null,
    ...(issue.closed_at ? { closedAt: issue.closed_at } : {}),
    ...(issue.node_id ? { nodeId: issue.node_id } : {}),
    ...(issue.html_url ? { htmlUrl: issue.html_url } : {}),
  };
}

export function commentFromApi(comment: ApiComment): CommentSnapshot {
  return {
    id: comment.id,
    body: comment.body ?? "",
    author: accountFromApi(comment.user),
    createdAt: comment.created_at,
    ...(comment.author_association ? { authorAssociation: comment.author_association } : {}),
  };
}
