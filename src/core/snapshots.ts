/**
 * What the core knows of GitHub: the few fields it decides on, copied out of REST responses and
 * webhook payloads by src/github, so the core never sees Octokit types.
 */
export interface Account {
  login: string;
  /** "User", "Bot" or "Organization". */
  type: string;
}

export interface IssueSnapshot {
  /** The database id: sub-issue calls take this, not the number. */
  id: number;
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  stateReason: string | null;
  author: Account;
  labels: string[];
  assignees: string[];
  createdAt: string;
  isPullRequest: boolean;
  /** API URL of the parent issue when this is a sub-issue. */
  parentIssueUrl?: string | null;
  /** When it was last closed (GitHub keeps it only while the issue is closed). */
  closedAt?: string | null;
  /** GraphQL's global id (`I_…`), where the source carries it (a project item is added by it). */
  nodeId?: string;
  /** Its page on GitHub (`html_url`), where the source carries it: the link a chat message gives. */
  htmlUrl?: string;
}

export interface CommentSnapshot {
  id: number;
  body: string;
  author: Account;
  createdAt: string;
  /**
   * GitHub's `author_association` (`OWNER`, `MEMBER`, `COLLABORATOR`, `CONTRIBUTOR`, `NONE`, …):
   * whether the author has a role in the repository or its organization. Absent where the source
   * does not carry it.
   */
  authorAssociation?: string;
}

export interface RepositoryRef {
  owner: string;
  repo: string;
  defaultBranch: string;
  /** As GitHub reports it (a delivery's or a listing's repository); unknown counts as public. */
  visibility?: "public" | "private" | "internal";
}
