// In-memory records of the emulated GitHub. Serializers in serialize.ts turn them into API shapes.

export type Role = "admin" | "maintain" | "write" | "triage" | "read" | "none";
export const ROLES: readonly Role[] = ["none", "read", "triage", "write", "maintain", "admin"];

export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}

export interface UserRecord {
  id: number;
  login: string;
  type: "User" | "Bot" | "Organization";
  role: Role;
  orgMember: boolean;
  /** Overrides the default rule (anyone with a role above none can be assigned). */
  assignable?: boolean;
  name?: string;
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
  isDefault: boolean;
}

export interface MilestoneRecord {
  id: number;
  number: number;
  title: string;
  description: string | null;
  state: "open" | "closed";
  dueOn: string | null;
  creator: UserRecord;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export type ReactionContent =
  "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";
export const REACTION_CONTENTS: readonly ReactionContent[] = [
  "+1",
  "-1",
  "laugh",
  "confused",
  "heart",
  "hooray",
  "rocket",
  "eyes",
];

export interface ReactionRecord {
  id: number;
  user: UserRecord;
  content: ReactionContent;
  createdAt: string;
}

export interface IssueEventRecord {
  id: number;
  event: string;
  actor: UserRecord;
  createdAt: string;
  viaApp: boolean;
  label?: { name: string; color: string };
  assignee?: UserRecord;
  milestone?: { title: string };
  rename?: { from: string; to: string };
  stateReason?: string | null;
  /** The commit that closed the issue (a merged pull request's merge commit). */
  commit?: { sha: string; repo: RepoRecord };
  /** `locked`: the reason given, if any. */
  lockReason?: LockReason | null;
  /** `connected` / `cross-referenced`: the pull request on the other end. */
  source?: IssueRecord;
}

export type LockReason = "off-topic" | "too heated" | "resolved" | "spam";
export const LOCK_REASONS: readonly LockReason[] = ["off-topic", "too heated", "resolved", "spam"];

export type StateReason = "completed" | "not_planned" | "duplicate" | "reopened";

export interface IssueRecord {
  id: number;
  number: number;
  repo: RepoRecord;
  title: string;
  body: string | null;
  user: UserRecord;
  labelIds: number[];
  assigneeIds: number[];
  state: "open" | "closed";
  stateReason: StateReason | null;
  locked: boolean;
  /** Why it was locked (`off-topic`, `too heated`, `resolved`, `spam`), null when unlocked or none given. */
  lockReason: LockReason | null;
  milestoneNumber: number | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: UserRecord | null;
  viaApp: boolean;
  parentId: number | null;
  subIssueIds: number[];
  isPullRequest: boolean;
  reactions: ReactionRecord[];
  events: IssueEventRecord[];
  commentCount: number;
  deleted: boolean;
  /** Set when the issue was transferred: GitHub answers 301 to its old URL. */
  movedTo?: IssueRecord;
  /** Pinned to the repository's issue list (GraphQL `pinIssue`; REST has no way to pin). */
  pinned?: boolean;
  /** Set on pull requests (isPullRequest). */
  pull?: PullRecord;
}

export interface PullRecord {
  /** Head branch (of the same repository, or of `headRepo`, a fork). */
  headRef: string;
  /** Where its head commits live in the base repository: `headRef`, or `refs/pull/N/head` for a fork. */
  branch: string;
  /** The fork its head branch is in; unset for a branch of the same repository. */
  headRepo?: RepoRecord;
  headSha: string;
  /** Base branch: always the repository's default branch. */
  baseRef: string;
  /** The base branch's head when the pull request was opened, or when it merged. */
  baseSha: string;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: UserRecord | null;
  mergeCommitSha: string | null;
  /** Issues linked through the Development sidebar (no keyword), by issue id. */
  linkedIssueIds: number[];
  /** What the pull request closed when it merged (issue ids), frozen at the merge. */
  closedIssueIds: number[] | null;
}

export type FileStatus =
  "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
export const FILE_STATUSES: readonly FileStatus[] = [
  "added",
  "removed",
  "modified",
  "renamed",
  "copied",
  "changed",
  "unchanged",
];

/** A file a commit changes (no contents: the emulator keeps no trees). */
export interface FileChange {
  filename: string;
  status: FileStatus;
  additions: number;
  deletions: number;
  patch?: string;
  /** `renamed`: the file's name before. */
  previousFilename?: string;
}

export interface CommitRecord {
  sha: string;
  message: string;
  /** The files it changes, as a script said; none for merge commits and bare commits. */
  files: FileChange[];
  /** Parent shas: none for the first commit, two for a merge commit. */
  parents: string[];
  author: UserRecord;
  date: string;
  treeSha: string;
  /** 1 + the longest parent chain: orders commits and finds merge bases. */
  generation: number;
  seq: number;
}

export type DeploymentState =
  "error" | "failure" | "inactive" | "pending" | "success" | "queued" | "in_progress";
export const DEPLOYMENT_STATES: readonly DeploymentState[] = [
  "error",
  "failure",
  "inactive",
  "pending",
  "success",
  "queued",
  "in_progress",
];

export interface DeploymentStatusRecord {
  id: number;
  state: DeploymentState;
  creator: UserRecord;
  description: string;
  environment: string;
  targetUrl: string;
  logUrl: string | null;
  environmentUrl: string | null;
  createdAt: string;
  updatedAt: string;
  viaApp: boolean;
}

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  task: string;
  payload: Record<string, unknown> | string;
  originalEnvironment: string;
  environment: string;
  description: string | null;
  creator: UserRecord;
  createdAt: string;
  updatedAt: string;
  transientEnvironment: boolean;
  productionEnvironment: boolean;
  viaApp: boolean;
  /** Oldest first. */
  statuses: DeploymentStatusRecord[];
}

export interface CommentRecord {
  id: number;
  issue: IssueRecord;
  body: string;
  user: UserRecord;
  createdAt: string;
  updatedAt: string;
  /** When the text was last edited, by anyone (GraphQL `lastEditedAt`); reactions leave it. */
  lastEditedAt: string | null;
  viaApp: boolean;
  reactions: ReactionRecord[];
}

export interface FileRecord {
  content: string;
  sha: string;
}

/** The GitHub App a token acts for: the emulated App, github-actions (a `GITHUB_TOKEN`) or another. */
export interface AppIdentity {
  id: number;
  slug: string;
}

export interface CheckRunRecord {
  id: number;
  /** The App whose token created it. */
  app: AppIdentity;
  headSha: string;
  name: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
}

export interface StatusRecord {
  id: number;
  sha: string;
  state: string;
  description: string | null;
  targetUrl: string | null;
  context: string;
  creator: UserRecord;
  createdAt: string;
  updatedAt: string;
}

export interface RepoRecord {
  id: number;
  name: string;
  owner: UserRecord;
  private: boolean;
  description: string | null;
  defaultBranch: string;
  createdAt: string;
  /** branch name → path → file */
  files: Map<string, Map<string, FileRecord>>;
  /** lower-cased name → label */
  labels: Map<string, LabelRecord>;
  issues: Map<number, IssueRecord>;
  nextNumber: number;
  milestones: Map<number, MilestoneRecord>;
  checkRuns: Map<number, CheckRunRecord>;
  statuses: StatusRecord[];
  /** Every commit, by sha. */
  commits: Map<string, CommitRecord>;
  /** Branch name → head commit sha. */
  branches: Map<string, string>;
  /** Oldest first. */
  deployments: DeploymentRecord[];
  /** False: the App is not installed here (its token gets 404s, no webhooks are sent). */
  installed?: boolean;
  /** A fork (of the repository its pull requests go to). */
  fork?: boolean;
}

/** GitHub timestamps have second precision. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(`emu:${id}`).toString("base64url")}`;
}
