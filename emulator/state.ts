// The emulated GitHub's data and every change to it. Each change records what GitHub would record
// (issue events, search index) and emits the webhooks GitHub would send, with the acting user as sender.
import { ApiError, notFound, validationFailed } from "./errors.js";
import { closingReferences, issueMentions } from "./closing-keywords.js";
import type {
  AppIdentity,
  CheckRunRecord,
  FileChange,
  FileStatus,
  LockReason,
  CommentRecord,
  CommitRecord,
  DeploymentRecord,
  DeploymentState,
  DeploymentStatusRecord,
  PullRecord,
  IssueEventRecord,
  IssueRecord,
  LabelRecord,
  MilestoneRecord,
  ReactionContent,
  ReactionRecord,
  RepoRecord,
  Role,
  StateReason,
  StatusRecord,
  UserRecord,
} from "./model.js";
import {
  DEPLOYMENT_STATES,
  FILE_STATUSES,
  LOCK_REASONS,
  REACTION_CONTENTS,
  roleAtLeast,
  timestamp,
} from "./model.js";
import * as git from "./git.js";
import type { ProjectFieldRecord, ProjectItemRecord, ProjectRecord } from "./projects.js";
import { ProjectStore } from "./projects.js";
import type { AppInfo, World } from "./serialize.js";
import * as ser from "./serialize.js";

export const MAX_BODY_LENGTH = 65_536;
export const MAX_SUB_ISSUES = 100;
export const MAX_SUB_ISSUE_DEPTH = 8;
/** github-actions' App id on github.com. */
export const GITHUB_ACTIONS_APP_ID = 15368;
const CHECK_STATUSES = ["queued", "in_progress", "completed", "waiting", "requested", "pending"];
const CHECK_CONCLUSIONS = [
  "action_required",
  "cancelled",
  "failure",
  "neutral",
  "success",
  "skipped",
  "stale",
  "timed_out",
];

export interface EmittedEvent {
  event: string;
  action: string;
  repo: RepoRecord;
  sender: UserRecord;
  fields: Record<string, unknown>;
}

/** A changed file as scripts give it: `path` (or `filename`), `status` (default `modified`). */
export interface FileSpec {
  path?: string;
  filename?: string;
  status?: FileStatus;
  additions?: number;
  deletions?: number;
  patch?: string;
  /** `renamed`: the name before. */
  previousPath?: string;
}

export interface UserSpec {
  login: string;
  role?: Role;
  orgMember?: boolean;
  assignable?: boolean;
  type?: "User" | "Bot";
}

interface SearchEntry {
  visibleAt: number;
  doc: IssueRecord;
}

/** Titles may be sent as numbers; GitHub stores their text. */
function scalarText(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}

export class GitHubState implements World {
  apiUrl = "http://127.0.0.1/api/v3";
  webUrl = "http://127.0.0.1";
  readonly app: AppInfo;
  readonly installationId: number;
  readonly owner: UserRecord;
  readonly bot: UserRecord;
  readonly users = new Map<string, UserRecord>();
  readonly repos = new Map<string, RepoRecord>();
  readonly comments = new Map<number, CommentRecord>();
  /** team slug → login → role */
  readonly teams = new Map<string, Map<string, "member" | "maintainer">>();
  searchLagMs: number;
  /** Projects (v2), organization and user ones (emulator/projects.ts). */
  readonly projects = new ProjectStore(
    () => timestamp(),
    (project, item, field, by) => this.onProjectEdited(project, item, field, by),
  );
  /** Told when a person edits a project item's field; the emulator sends `projects_v2_item`. */
  onProjectEdited: (
    project: ProjectRecord,
    item: ProjectItemRecord,
    field: ProjectFieldRecord,
    by: UserRecord,
  ) => void = () => {};
  private readonly issuesById = new Map<number, IssueRecord>();
  private readonly searchIndex = new Map<number, SearchEntry[]>();
  private readonly counters = {
    user: 1000,
    repo: 500_000_000,
    issue: 3_000_000_000,
    other: 7_000_000_000,
  };

  constructor(
    opts: {
      owner: string;
      ownerType: "Organization" | "User";
      appId: number;
      appSlug: string;
      installationId: number;
      searchLagMs: number;
    },
    private readonly emit: (e: EmittedEvent) => void,
  ) {
    this.searchLagMs = opts.searchLagMs;
    this.installationId = opts.installationId;
    this.owner = this.addUser({ login: opts.owner, role: "admin" });
    this.owner.type = opts.ownerType;
    const created = timestamp();
    this.app = {
      id: opts.appId,
      slug: opts.appSlug,
      name: opts.appSlug,
      clientId: `Iv1.${opts.appId.toString(16).padStart(16, "0")}`,
      createdAt: created,
      owner: this.owner,
      permissions: {
        issues: "write",
        contents: "read",
        metadata: "read",
        checks: "write",
        statuses: "write",
        members: "read",
        // What reading a fix's evidence needs: GET pulls/{n} and the closing references, and
        // deployments with their statuses (`compare` needs contents: read, above).
        pull_requests: "read",
        deployments: "read",
        // `projects:`: an organization's project (v2), its items and their fields.
        organization_projects: "write",
      },
      events: ["issues", "issue_comment"],
    };
    this.bot = this.addUser({
      login: `${opts.appSlug}[bot]`,
      role: "write",
      type: "Bot",
      orgMember: false,
    });
  }

  // ---- lookups ----

  /**
   * The GitHub App a bot's token acts for: this App for its bot, github-actions for
   * `github-actions[bot]` (a workflow's GITHUB_TOKEN), else an App named after the bot.
   */
  appOf(bot: UserRecord): AppIdentity {
    if (bot.id === this.bot.id) return { id: this.app.id, slug: this.app.slug };
    const slug = bot.login.replace(/\[bot\]$/, "");
    if (slug === "github-actions") return { id: GITHUB_ACTIONS_APP_ID, slug };
    return { id: 900_000 + bot.id, slug };
  }

  nextId(kind: keyof GitHubState["counters"]): number {
    return ++this.counters[kind];
  }

  issueById(id: number): IssueRecord | undefined {
    const i = this.issuesById.get(id);
    return i && !i.deleted ? i : undefined;
  }

  userById(id: number): UserRecord | undefined {
    for (const u of this.users.values()) if (u.id === id) return u;
    return undefined;
  }

  user(login: string): UserRecord | undefined {
    return this.users.get(login.toLowerCase());
  }

  /** Humans named by scripts are created on first use (any GitHub user may open issues). */
  userOrCreate(login: string): UserRecord {
    return this.user(login) ?? this.addUser({ login, role: "none", orgMember: false });
  }

  addUser(spec: UserSpec): UserRecord {
    const existing = this.user(spec.login);
    const role = spec.role ?? "read";
    if (existing) {
      existing.role = role;
      if (spec.orgMember !== undefined) existing.orgMember = spec.orgMember;
      if (spec.assignable !== undefined) existing.assignable = spec.assignable;
      return existing;
    }
    const u: UserRecord = {
      id: this.nextId("user"),
      login: spec.login,
      type: spec.type ?? "User",
      role,
      orgMember: spec.orgMember ?? role !== "none",
      ...(spec.assignable !== undefined ? { assignable: spec.assignable } : {}),
    };
    this.users.set(spec.login.toLowerCase(), u);
    return u;
  }

  repo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  addRepo(
    name: string,
    opts: {
      private?: boolean;
      defaultBranch?: string;
      description?: string;
      /** Another owner (an organization) than the emulator's; created on first use. */
      owner?: string;
      /** False: the App is not installed on it. */
      installed?: boolean;
    } = {},
  ): RepoRecord {
    const owner =
      opts.owner === undefined || opts.owner.toLowerCase() === this.owner.login.toLowerCase()
        ? this.owner
        : (this.user(opts.owner) ?? this.addOrganization(opts.owner));
    const existing = this.repo(owner.login, name);
    if (existing) return existing;
    const r: RepoRecord = {
      id: this.nextId("repo"),
      name,
      owner,
      ...(opts.installed === false ? { installed: false } : {}),
      private: opts.private ?? false,
      description: opts.description ?? null,
      defaultBranch: opts.defaultBranch ?? "main",
      createdAt: timestamp(),
      files: new Map([[opts.defaultBranch ?? "main", new Map()]]),
      labels: new Map(),
      issues: new Map(),
      nextNumber: 1,
      milestones: new Map(),
      checkRuns: new Map(),
      statuses: [],
      commits: new Map(),
      branches: new Map(),
      deployments: [],
    };
    git.commitOnBranch(r, r.defaultBranch, {
      message: "Initial commit",
      author: owner,
      date: r.createdAt,
    });
    this.repos.set(`${owner.login}/${name}`.toLowerCase(), r);
    return r;
  }

  private addOrganization(login: string): UserRecord {
    const organization = this.addUser({ login, role: "none", orgMember: false });
    organization.type = "Organization";
    return organization;
  }

  issue(repo: RepoRecord, number: number): IssueRecord {
    const i = repo.issues.get(number);
    if (!i) throw notFound();
    if (i.movedTo) {
      const location = ser.issueApiUrl(this, i.movedTo);
      throw new ApiError(301, "Moved Permanently", undefined, { location });
    }
    if (i.deleted) throw new ApiError(410, "This issue was deleted");
    return i;
  }

  realIssue(repo: RepoRecord, number: number): IssueRecord {
    const i = this.issue(repo, number);
    if (i.isPullRequest) throw notFound();
    return i;
  }

  comment(repo: RepoRecord, id: number): CommentRecord {
    const c = this.comments.get(id);
    if (!c || c.issue.repo !== repo) throw notFound();
    return c;
  }

  canBeAssigned(login: string): boolean {
    const u = this.user(login);
    if (!u || u.type === "Organization") return false;
    return u.assignable ?? u.role !== "none";
  }

  authorAssociation(user: UserRecord, repo: RepoRecord): string {
    if (user.type === "Bot") return "NONE";
    if (user.id === repo.owner.id) return "OWNER";
    if (user.orgMember && repo.owner.type === "Organization") return "MEMBER";
    if (user.role !== "none") return "COLLABORATOR";
    return "NONE";
  }

  // ---- labels ----

  findLabel(repo: RepoRecord, name: string): LabelRecord | undefined {
    return repo.labels.get(name.toLowerCase());
  }

  labelById(repo: RepoRecord, id: number): LabelRecord | undefined {
    for (const l of repo.labels.values()) if (l.id === id) return l;
    return undefined;
  }

  createLabel(
    repo: RepoRecord,
    spec: { name: string; color?: string; description?: string | null },
  ): LabelRecord {
    if (typeof spec.name !== "string" || spec.name.trim() === "") {
      throw validationFailed({ resource: "Label", code: "missing_field", field: "name" });
    }
    if (this.findLabel(repo, spec.name)) {
      throw validationFailed({ resource: "Label", code: "already_exists", field: "name" });
    }
    const color = (spec.color ?? "ededed").replace(/^#/, "");
    if (!/^[0-9a-fA-F]{6}$/.test(color)) {
      throw validationFailed({ resource: "Label", code: "invalid", field: "color" });
    }
    const l: LabelRecord = {
      id: this.nextId("other"),
      name: spec.name,
      color: color.toLowerCase(),
      description: spec.description ?? null,
      isDefault: false,
    };
    repo.labels.set(l.name.toLowerCase(), l);
    return l;
  }

  updateLabel(
    repo: RepoRecord,
    name: string,
    spec: { new_name?: string; color?: string; description?: string | null },
  ): LabelRecord {
    const l = this.findLabel(repo, name);
    if (!l) throw notFound();
    if (spec.new_name !== undefined && spec.new_name.toLowerCase() !== l.name.toLowerCase()) {
      if (this.findLabel(repo, spec.new_name)) {
        throw validationFailed({ resource: "Label", code: "already_exists", field: "name" });
      }
    }
    repo.labels.delete(l.name.toLowerCase());
    if (spec.new_name !== undefined) l.name = spec.new_name;
    if (spec.color !== undefined) l.color = spec.color.replace(/^#/, "").toLowerCase();
    if (spec.description !== undefined) l.description = spec.description;
    repo.labels.set(l.name.toLowerCase(), l);
    return l;
  }

  deleteLabel(repo: RepoRecord, name: string): void {
    const l = this.findLabel(repo, name);
    if (!l) throw notFound();
    repo.labels.delete(l.name.toLowerCase());
    for (const i of repo.issues.values()) i.labelIds = i.labelIds.filter((id) => id !== l.id);
  }

  private labelOrCreate(repo: RepoRecord, name: string): LabelRecord {
    return this.findLabel(repo, name) ?? this.createLabel(repo, { name });
  }

  // ---- issues ----

  createIssue(
    repo: RepoRecord,
    actor: UserRecord,
    spec: {
      title?: unknown;
      body?: unknown;
      labels?: unknown;
      assignees?: unknown;
      assignee?: unknown;
      milestone?: unknown;
      pullRequest?: boolean;
      /** A pull request's head branch (created from the default branch); `pull-<number>` by default. */
      head?: string;
      /** A pull request's files: its head commit changes them (a new commit on an existing branch). */
      files?: FileSpec[];
      /** A pull request from a fork: the fork (owned by this login, named as the repository). */
      forkOwner?: string;
      /** When it was opened (scripts); now by default. */
      at?: string;
    },
  ): IssueRecord {
    if (typeof spec.title !== "string" && typeof spec.title !== "number") {
      throw validationFailed({ resource: "Issue", code: "missing_field", field: "title" });
    }
    const title = String(spec.title);
    if (title.trim() === "")
      throw validationFailed({ resource: "Issue", code: "missing_field", field: "title" });
    const body = this.checkBody(spec.body, "Issue");
    const labels = this.labelNames(spec.labels).map((n) => this.labelOrCreate(repo, n));
    const assigneeLogins = [
      ...(typeof spec.assignee === "string" ? [spec.assignee] : []),
      ...this.stringArray(spec.assignees, "assignees"),
    ];
    const assignees = this.assignableUsers(assigneeLogins);
    const milestone = this.milestoneRef(repo, spec.milestone);
    const now = spec.at ?? timestamp();
    const issue: IssueRecord = {
      id: this.nextId("issue"),
      number: repo.nextNumber++,
      repo,
      title,
      body,
      user: actor,
      labelIds: [],
      assigneeIds: [],
      state: "open",
      stateReason: null,
      locked: false,
      lockReason: null,
      milestoneNumber: milestone,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      closedBy: null,
      viaApp: actor.type === "Bot",
      parentId: null,
      subIssueIds: [],
      isPullRequest: spec.pullRequest ?? false,
      reactions: [],
      events: [],
      commentCount: 0,
      deleted: false,
    };
    if (issue.isPullRequest) {
      issue.pull = this.newPull(repo, issue, actor, spec.head, now, spec.files, spec.forkOwner);
    }
    repo.issues.set(issue.number, issue);
    this.issuesById.set(issue.id, issue);
    this.index(issue);
    if (issue.isPullRequest) {
      // Each issue the description mentions gets a `cross-referenced` timeline item.
      for (const ref of issueMentions(issue.body)) {
        const target = (ref.owner ? this.repo(ref.owner, ref.repo as string) : repo)?.issues.get(
          ref.number,
        );
        if (target && target !== issue && !target.deleted) {
          this.recordEvent(target, actor, { event: "cross-referenced", source: issue });
        }
      }
      this.emitPull(issue, actor, "opened");
      return issue;
    }
    // GitHub sends `opened` with the final issue, then one `labeled`/`assigned` per label/assignee.
    issue.labelIds = labels.map((l) => l.id);
    issue.assigneeIds = assignees.map((u) => u.id);
    this.emitIssue(issue, actor, "opened");
    for (const l of labels) this.recordLabelChange(issue, actor, l, "labeled");
    for (const u of assignees) this.recordAssigneeChange(issue, actor, u, "assigned");
    return issue;
  }

  updateIssue(issue: IssueRecord, actor: UserRecord, spec: Record<string, unknown>): IssueRecord {
    const changes: Record<string, { from: string }> = {};
    if (spec.title !== undefined && spec.title !== null) {
      const title = scalarText(spec.title);
      if (title.trim() === "")
        throw validationFailed({ resource: "Issue", code: "missing_field", field: "title" });
      if (title !== issue.title) changes.title = { from: issue.title };
    }
    if (spec.body !== undefined) {
      const body = this.checkBody(spec.body, "Issue");
      if (body !== issue.body) changes.body = { from: issue.body ?? "" };
    }
    let newState: "open" | "closed" | undefined;
    if (spec.state !== undefined) {
      if (spec.state !== "open" && spec.state !== "closed") {
        throw validationFailed({ resource: "Issue", code: "invalid", field: "state" });
      }
      newState = spec.state;
    }
    const reason = spec.state_reason as StateReason | null | undefined;
    if (
      reason !== undefined &&
      reason !== null &&
      !["completed", "not_planned", "duplicate", "reopened"].includes(reason)
    ) {
      throw validationFailed({ resource: "Issue", code: "invalid", field: "state_reason" });
    }
    const labels =
      spec.labels === undefined
        ? undefined
        : this.labelNames(spec.labels).map((n) => this.labelOrCreate(issue.repo, n));
    const assignees =
      spec.assignees === undefined && spec.assignee === undefined
        ? undefined
        : this.assignableUsers([
            ...(typeof spec.assignee === "string" ? [spec.assignee] : []),
            ...this.stringArray(spec.assignees, "assignees"),
          ]);
    const milestone =
      spec.milestone === undefined ? undefined : this.milestoneRef(issue.repo, spec.milestone);

    // Validation is complete: apply.
    if (changes.title) {
      this.recordEvent(issue, actor, {
        event: "renamed",
        rename: { from: issue.title, to: scalarText(spec.title) },
      });
      issue.title = scalarText(spec.title);
    }
    if (changes.body) issue.body = this.checkBody(spec.body, "Issue");
    if (Object.keys(changes).length) {
      this.touch(issue);
      this.emitIssue(issue, actor, "edited", { changes });
    }
    if (labels)
      this.setLabels(
        issue,
        actor,
        labels.map((l) => l.name),
      );
    if (assignees) this.setAssignees(issue, actor, assignees);
    if (milestone !== undefined && milestone !== issue.milestoneNumber) {
      const before = issue.milestoneNumber;
      issue.milestoneNumber = milestone;
      this.touch(issue);
      const m = milestone ?? before;
      const ms = m === null ? undefined : issue.repo.milestones.get(m);
      if (ms) {
        const action = milestone === null ? "demilestoned" : "milestoned";
        this.recordEvent(issue, actor, { event: action, milestone: { title: ms.title } });
        this.emitIssue(issue, actor, action, { milestone: ser.milestone(this, issue.repo, ms) });
      }
    }
    if (newState === "closed" && issue.state === "open") {
      this.close(issue, actor, reason ?? "completed");
    } else if (newState === "open" && issue.state === "closed") {
      this.reopen(issue, actor);
    } else if (
      reason &&
      issue.state === "closed" &&
      reason !== issue.stateReason &&
      newState !== "open"
    ) {
      issue.stateReason = reason;
      this.touch(issue);
    }
    return issue;
  }

  close(
    issue: IssueRecord,
    actor: UserRecord,
    reason: StateReason | null,
    opts: { at?: string; commit?: { sha: string; repo: RepoRecord } } = {},
  ): void {
    issue.state = "closed";
    issue.stateReason = reason === "reopened" ? "completed" : reason;
    issue.closedAt = opts.at ?? timestamp();
    issue.closedBy = actor;
    this.touch(issue);
    this.recordEvent(issue, actor, {
      event: "closed",
      stateReason: issue.stateReason,
      ...(opts.commit ? { commit: opts.commit } : {}),
      ...(opts.at ? { createdAt: opts.at } : {}),
    });
    this.emitIssue(issue, actor, "closed");
    this.emitParentSummaryChange(issue);
  }

  reopen(issue: IssueRecord, actor: UserRecord): void {
    issue.state = "open";
    issue.stateReason = "reopened";
    issue.closedAt = null;
    issue.closedBy = null;
    this.touch(issue);
    this.recordEvent(issue, actor, { event: "reopened", stateReason: "reopened" });
    this.emitIssue(issue, actor, "reopened");
    this.emitParentSummaryChange(issue);
  }

  deleteIssue(issue: IssueRecord, actor: UserRecord): void {
    const payload = ser.issue(this, issue);
    this.detachFromHierarchy(issue, actor);
    issue.deleted = true;
    this.index(issue);
    this.emit({
      event: "issues",
      action: "deleted",
      repo: issue.repo,
      sender: actor,
      fields: { issue: payload },
    });
  }

  transferIssue(issue: IssueRecord, actor: UserRecord, target: RepoRecord): IssueRecord {
    const before = ser.issue(this, issue);
    issue.deleted = true;
    this.index(issue);
    const moved = this.createIssueSilently(target, issue);
    issue.movedTo = moved;
    this.emit({
      event: "issues",
      action: "transferred",
      repo: issue.repo,
      sender: actor,
      fields: {
        issue: before,
        changes: {
          new_issue: ser.issue(this, moved),
          new_repository: ser.repository(this, target),
        },
      },
    });
    return moved;
  }

  private createIssueSilently(repo: RepoRecord, from: IssueRecord): IssueRecord {
    const labels = from.labelIds
      .map((id) => this.labelById(from.repo, id))
      .filter((l): l is LabelRecord => l !== undefined)
      .map((l) => this.labelOrCreate(repo, l.name));
    const moved: IssueRecord = {
      ...from,
      id: this.nextId("issue"),
      number: repo.nextNumber++,
      repo,
      labelIds: labels.map((l) => l.id),
      milestoneNumber: null,
      events: [],
      reactions: [...from.reactions],
      subIssueIds: [...from.subIssueIds],
      deleted: false,
    };
    repo.issues.set(moved.number, moved);
    this.issuesById.set(moved.id, moved);
    for (const c of this.comments.values()) if (c.issue === from) c.issue = moved;
    this.index(moved);
    return moved;
  }

  addLabels(issue: IssueRecord, actor: UserRecord, names: string[]): void {
    for (const name of names) {
      const l = this.labelOrCreate(issue.repo, name);
      if (issue.labelIds.includes(l.id)) continue;
      issue.labelIds.push(l.id);
      this.touch(issue);
      this.recordLabelChange(issue, actor, l, "labeled");
    }
  }

  removeLabel(issue: IssueRecord, actor: UserRecord, name: string): void {
    const l = this.findLabel(issue.repo, name);
    if (!l || !issue.labelIds.includes(l.id)) throw new ApiError(404, "Label does not exist");
    issue.labelIds = issue.labelIds.filter((id) => id !== l.id);
    this.touch(issue);
    this.recordLabelChange(issue, actor, l, "unlabeled");
  }

  setLabels(issue: IssueRecord, actor: UserRecord, names: string[]): void {
    const wanted = names.map((n) => this.labelOrCreate(issue.repo, n));
    for (const id of [...issue.labelIds]) {
      if (!wanted.some((l) => l.id === id)) {
        const l = this.labelById(issue.repo, id);
        if (l) this.removeLabel(issue, actor, l.name);
      }
    }
    this.addLabels(
      issue,
      actor,
      wanted.map((l) => l.name),
    );
  }

  addAssignees(issue: IssueRecord, actor: UserRecord, logins: string[]): void {
    for (const u of this.assignableUsers(logins)) {
      if (issue.assigneeIds.includes(u.id) || issue.assigneeIds.length >= 10) continue;
      issue.assigneeIds.push(u.id);
      this.touch(issue);
      this.recordAssigneeChange(issue, actor, u, "assigned");
    }
  }

  removeAssignees(issue: IssueRecord, actor: UserRecord, logins: string[]): void {
    for (const login of logins) {
      const u = this.user(login);
      if (!u || !issue.assigneeIds.includes(u.id)) continue;
      issue.assigneeIds = issue.assigneeIds.filter((id) => id !== u.id);
      this.touch(issue);
      this.recordAssigneeChange(issue, actor, u, "unassigned");
    }
  }

  private setAssignees(issue: IssueRecord, actor: UserRecord, users: UserRecord[]): void {
    const drop = issue.assigneeIds.filter((id) => !users.some((u) => u.id === id));
    this.removeAssignees(
      issue,
      actor,
      drop.map((id) => this.userById(id)?.login ?? ""),
    );
    this.addAssignees(
      issue,
      actor,
      users.map((u) => u.login),
    );
  }

  // ---- locking ----

  /** Locks the conversation: only people with write access (and Apps) may comment then. */
  lockIssue(issue: IssueRecord, actor: UserRecord, reason: unknown): void {
    if (reason !== undefined && reason !== null && !LOCK_REASONS.includes(reason as LockReason)) {
      throw validationFailed({ resource: "Issue", code: "invalid", field: "lock_reason" });
    }
    if (issue.locked) return;
    issue.locked = true;
    issue.lockReason = (reason as LockReason | undefined) ?? null;
    this.touch(issue);
    this.recordEvent(issue, actor, { event: "locked", lockReason: issue.lockReason });
    this.emitIssue(issue, actor, "locked");
  }

  unlockIssue(issue: IssueRecord, actor: UserRecord): void {
    if (!issue.locked) return;
    issue.locked = false;
    issue.lockReason = null;
    this.touch(issue);
    this.recordEvent(issue, actor, { event: "unlocked" });
    this.emitIssue(issue, actor, "unlocked");
  }

  // ---- comments and reactions ----

  createComment(issue: IssueRecord, actor: UserRecord, body: unknown): CommentRecord {
    // GitHub refuses comments on a locked conversation from anyone without write access.
    if (issue.locked && !roleAtLeast(actor.role, "write")) {
      throw new ApiError(403, "Unable to create comment because issue is locked.");
    }
    const text = this.checkBody(body, "IssueComment");
    if (text === null || text.trim() === "") {
      throw validationFailed({ resource: "IssueComment", code: "missing_field", field: "body" });
    }
    const now = timestamp();
    const c: CommentRecord = {
      id: this.nextId("other"),
      issue,
      body: text,
      user: actor,
      createdAt: now,
      updatedAt: now,
      lastEditedAt: null,
      viaApp: actor.type === "Bot",
      reactions: [],
    };
    this.comments.set(c.id, c);
    issue.commentCount++;
    this.touch(issue);
    this.emitComment(c, actor, "created");
    return c;
  }

  updateComment(c: CommentRecord, actor: UserRecord, body: unknown): CommentRecord {
    const text = this.checkBody(body, "IssueComment");
    if (text === null || text.trim() === "") {
      throw validationFailed({ resource: "IssueComment", code: "missing_field", field: "body" });
    }
    const from = c.body;
    c.body = text;
    // Every edit moves updated_at, even within the second of the last change (timestamps have
    // second precision): an edited comment never shows updated_at equal to created_at.
    const now = timestamp();
    c.updatedAt =
      Date.parse(now) > Date.parse(c.updatedAt)
        ? now
        : timestamp(new Date(Date.parse(c.updatedAt) + 1000));
    c.lastEditedAt = c.updatedAt;
    this.touch(c.issue);
    this.emitComment(c, actor, "edited", { changes: { body: { from } } });
    return c;
  }

  deleteComment(c: CommentRecord, actor: UserRecord): void {
    this.comments.delete(c.id);
    c.issue.commentCount--;
    this.touch(c.issue);
    this.emitComment(c, actor, "deleted");
  }

  addReaction(
    target: { reactions: ReactionRecord[] },
    actor: UserRecord,
    content: unknown,
  ): { reaction: ReactionRecord; created: boolean } {
    if (typeof content !== "string" || !REACTION_CONTENTS.includes(content as ReactionContent)) {
      throw validationFailed({ resource: "Reaction", code: "invalid", field: "content" });
    }
    const existing = target.reactions.find((r) => r.user.id === actor.id && r.content === content);
    if (existing) return { reaction: existing, created: false };
    const r: ReactionRecord = {
      id: this.nextId("other"),
      user: actor,
      content: content as ReactionContent,
      createdAt: timestamp(),
    };
    target.reactions.push(r);
    return { reaction: r, created: true };
  }

  // ---- sub-issues ----

  addSubIssue(
    parent: IssueRecord,
    actor: UserRecord,
    subIssueId: unknown,
    replaceParent: boolean,
  ): IssueRecord {
    const child = typeof subIssueId === "number" ? this.issueById(subIssueId) : undefined;
    if (!child || child.isPullRequest) {
      throw validationFailed({
        resource: "SubIssue",
        code: "invalid",
        field: "sub_issue_id",
        message: "The provided sub-issue does not exist",
      });
    }
    if (child.id === parent.id) {
      throw validationFailed({
        resource: "SubIssue",
        code: "invalid",
        field: "sub_issue_id",
        message: "An issue cannot be a sub-issue of itself",
      });
    }
    if (child.repo.owner.id !== parent.repo.owner.id) {
      throw validationFailed({
        resource: "SubIssue",
        code: "invalid",
        field: "sub_issue_id",
        message: "Sub-issues must belong to the same owner",
      });
    }
    if (parent.subIssueIds.includes(child.id)) {
      throw validationFailed({
        resource: "SubIssue",
        code: "invalid",
        field: "sub_issue_id",
        message: "Issue may not contain duplicate sub-issues",
      });
    }
    if (child.parentId !== null && !replaceParent) {
      throw validationFailed({
        resource: "SubIssue",
        code: "invalid",
        field: "sub_issue_id",
        message: "Sub-issue may only have one parent",
      });
    }
    if (parent.subIssueIds.length >= MAX_SUB_ISSUES) {
      throw validationFailed({
        resource: "SubIssue",
        code: "invalid",
        field: "sub_issue_id",
        message: `Parent cannot have more than ${MAX_SUB_ISSUES} sub-issues`,
      });
    }
    for (
      let a: IssueRecord | undefined = parent;
      a;
      a = a.parentId === null ? undefined : this.issueById(a.parentId)
    ) {
      if (a.id === child.id) {
        throw validationFailed({
          resource: "SubIssue",
          code: "invalid",
          field: "sub_issue_id",
          message: "Sub-issue cannot be an ancestor",
        });
      }
    }
    if (this.depthAbove(parent) + 1 + this.depthBelow(child) > MAX_SUB_ISSUE_DEPTH) {
      throw validationFailed({
        resource: "SubIssue",
        code: "invalid",
        field: "sub_issue_id",
        message: `Sub-issues cannot be nested more than ${MAX_SUB_ISSUE_DEPTH} levels deep`,
      });
    }
    const oldParent = child.parentId === null ? undefined : this.issueById(child.parentId);
    if (oldParent) this.unlinkSubIssue(oldParent, child, actor);
    parent.subIssueIds.push(child.id);
    child.parentId = parent.id;
    this.touch(parent);
    this.touch(child);
    this.emitSubIssue(parent, child, actor, "sub_issue_added", "parent_issue_added");
    return child;
  }

  removeSubIssue(parent: IssueRecord, actor: UserRecord, subIssueId: unknown): IssueRecord {
    const child = typeof subIssueId === "number" ? this.issueById(subIssueId) : undefined;
    if (!child || child.parentId !== parent.id) throw notFound();
    this.unlinkSubIssue(parent, child, actor);
    return child;
  }

  reprioritizeSubIssue(
    parent: IssueRecord,
    spec: { sub_issue_id?: unknown; after_id?: unknown; before_id?: unknown },
  ): void {
    const id = spec.sub_issue_id;
    if (typeof id !== "number" || !parent.subIssueIds.includes(id)) throw notFound();
    const anchor = (spec.after_id ?? spec.before_id) as number | undefined;
    if (anchor === undefined || (spec.after_id !== undefined && spec.before_id !== undefined)) {
      throw validationFailed({
        resource: "SubIssue",
        code: "invalid",
        field: "after_id",
        message: "Exactly one of after_id or before_id is required",
      });
    }
    if (!parent.subIssueIds.includes(anchor) || anchor === id) {
      throw validationFailed({
        resource: "SubIssue",
        code: "invalid",
        field: spec.after_id !== undefined ? "after_id" : "before_id",
      });
    }
    const rest = parent.subIssueIds.filter((x) => x !== id);
    const at = rest.indexOf(anchor) + (spec.after_id !== undefined ? 1 : 0);
    rest.splice(at, 0, id);
    parent.subIssueIds = rest;
    this.touch(parent);
  }

  private unlinkSubIssue(parent: IssueRecord, child: IssueRecord, actor: UserRecord): void {
    parent.subIssueIds = parent.subIssueIds.filter((id) => id !== child.id);
    child.parentId = null;
    this.touch(parent);
    this.touch(child);
    this.emitSubIssue(parent, child, actor, "sub_issue_removed", "parent_issue_removed");
  }

  private detachFromHierarchy(issue: IssueRecord, actor: UserRecord): void {
    const parent = issue.parentId === null ? undefined : this.issueById(issue.parentId);
    if (parent) this.unlinkSubIssue(parent, issue, actor);
    for (const id of [...issue.subIssueIds]) {
      const child = this.issueById(id);
      if (child) this.unlinkSubIssue(issue, child, actor);
    }
  }

  private depthAbove(i: IssueRecord): number {
    let d = 1;
    for (
      let p = i.parentId === null ? undefined : this.issueById(i.parentId);
      p;
      p = p.parentId === null ? undefined : this.issueById(p.parentId)
    )
      d++;
    return d;
  }

  private depthBelow(i: IssueRecord): number {
    const kids = i.subIssueIds
      .map((id) => this.issueById(id))
      .filter((c): c is IssueRecord => c !== undefined);
    return kids.length ? 1 + Math.max(...kids.map((k) => this.depthBelow(k))) : 0;
  }

  // ---- milestones, checks, statuses ----

  createMilestone(
    repo: RepoRecord,
    actor: UserRecord,
    spec: Record<string, unknown>,
  ): MilestoneRecord {
    if (typeof spec.title !== "string" || spec.title.trim() === "") {
      throw validationFailed({ resource: "Milestone", code: "missing_field", field: "title" });
    }
    if ([...repo.milestones.values()].some((m) => m.title === spec.title)) {
      throw validationFailed({ resource: "Milestone", code: "already_exists", field: "title" });
    }
    const now = timestamp();
    const number = repo.milestones.size + 1;
    const state = spec.state === "closed" ? "closed" : "open";
    const m: MilestoneRecord = {
      id: this.nextId("other"),
      number,
      title: spec.title,
      description: typeof spec.description === "string" ? spec.description : null,
      state,
      dueOn: typeof spec.due_on === "string" ? timestamp(new Date(spec.due_on)) : null,
      creator: actor,
      createdAt: now,
      updatedAt: now,
      closedAt: state === "closed" ? now : null,
    };
    repo.milestones.set(number, m);
    return m;
  }

  /**
   * Creates (no `existing`) or updates a check run, as `POST /check-runs` and `PATCH
   * /check-runs/{id}` do: `head_sha` must name a commit of the repository; a `conclusion` completes
   * it; `completed` needs a conclusion; `output` needs a `summary` (and a `title` on creation).
   */
  upsertCheckRun(
    repo: RepoRecord,
    spec: Record<string, unknown>,
    existing?: CheckRunRecord,
    app?: AppIdentity,
  ): CheckRunRecord {
    const invalid = (field: string, message?: string) =>
      validationFailed({
        resource: "CheckRun",
        code: "invalid",
        field,
        ...(message ? { message } : {}),
      });
    if (!existing && (typeof spec.name !== "string" || spec.name.trim() === "")) {
      throw validationFailed({ resource: "CheckRun", code: "missing_field", field: "name" });
    }
    if (!existing && typeof spec.head_sha !== "string") {
      throw validationFailed({ resource: "CheckRun", code: "missing_field", field: "head_sha" });
    }
    if (!existing && !repo.commits.has(String(spec.head_sha).toLowerCase())) {
      throw new ApiError(422, `No commit found for SHA: ${String(spec.head_sha)}`);
    }
    if (spec.status !== undefined && !CHECK_STATUSES.includes(spec.status as string)) {
      throw invalid("status");
    }
    if (spec.conclusion !== undefined && !CHECK_CONCLUSIONS.includes(spec.conclusion as string)) {
      throw invalid("conclusion");
    }
    const output = spec.output as
      { title?: unknown; summary?: unknown; text?: unknown } | undefined;
    if (output !== undefined) {
      if (typeof output !== "object" || output === null) throw invalid("output");
      if (typeof output.summary !== "string") throw invalid("output", "summary is missing");
      if (!existing && typeof output.title !== "string")
        throw invalid("output", "title is missing");
      for (const key of ["summary", "text"] as const) {
        const text = output[key];
        if (typeof text === "string" && text.length > 65_535) {
          throw invalid(`output.${key}`, `${key} is too long (maximum is 65535 characters)`);
        }
      }
    }
    const status = (spec.conclusion !== undefined ? "completed" : spec.status) as
      string | undefined;
    const conclusion = (spec.conclusion as string | undefined) ?? existing?.conclusion ?? null;
    if ((status ?? existing?.status) === "completed" && conclusion === null) {
      throw validationFailed({ resource: "CheckRun", code: "missing_field", field: "conclusion" });
    }
    const now = timestamp();
    const run: CheckRunRecord = existing ?? {
      id: this.nextId("other"),
      app: app ?? { id: this.app.id, slug: this.app.slug },
      headSha: String(spec.head_sha).toLowerCase(),
      name: spec.name as string,
      status: "queued",
      conclusion: null,
      startedAt: now,
      completedAt: null,
      detailsUrl: null,
      externalId: null,
      output: { title: null, summary: null, text: null },
    };
    if (typeof spec.name === "string") run.name = spec.name;
    if (typeof spec.details_url === "string") run.detailsUrl = spec.details_url;
    if (typeof spec.external_id === "string") run.externalId = spec.external_id;
    if (typeof spec.started_at === "string") run.startedAt = timestamp(new Date(spec.started_at));
    if (status !== undefined) run.status = status;
    run.conclusion = run.status === "completed" ? conclusion : null;
    if (run.status === "completed") {
      run.completedAt =
        typeof spec.completed_at === "string"
          ? timestamp(new Date(spec.completed_at))
          : (run.completedAt ?? now);
    } else run.completedAt = null;
    if (output) {
      run.output = {
        title: typeof output.title === "string" ? output.title : (run.output.title ?? null),
        summary: output.summary as string,
        text: typeof output.text === "string" ? output.text : null,
      };
    }
    repo.checkRuns.set(run.id, run);
    return run;
  }

  /** Open pull requests of this repository whose head is `sha` (a check run's `pull_requests`). */
  openPullsWithHead(repo: RepoRecord, sha: string): IssueRecord[] {
    return [...repo.issues.values()].filter(
      (pr) => pr.pull && !pr.deleted && pr.state === "open" && pr.pull.headSha === sha,
    );
  }

  createStatus(
    repo: RepoRecord,
    actor: UserRecord,
    sha: string,
    spec: Record<string, unknown>,
  ): StatusRecord {
    if (!["error", "failure", "pending", "success"].includes(spec.state as string)) {
      throw validationFailed({ resource: "Status", code: "invalid", field: "state" });
    }
    const now = timestamp();
    const s: StatusRecord = {
      id: this.nextId("other"),
      sha,
      state: spec.state as string,
      description: typeof spec.description === "string" ? spec.description : null,
      targetUrl: typeof spec.target_url === "string" ? spec.target_url : null,
      context: typeof spec.context === "string" ? spec.context : "default",
      creator: actor,
      createdAt: now,
      updatedAt: now,
    };
    repo.statuses.push(s);
    return s;
  }

  // ---- commits, pull requests and deployments ----

  private newPull(
    repo: RepoRecord,
    pr: IssueRecord,
    actor: UserRecord,
    head: string | undefined,
    date: string,
    files: FileSpec[] | undefined,
    forkOwner?: string,
  ): PullRecord {
    const headRef = head ?? `pull-${pr.number}`;
    if (headRef === repo.defaultBranch && forkOwner === undefined) {
      throw validationFailed({ resource: "PullRequest", code: "invalid", field: "head" });
    }
    // A fork's commits are kept in the base repository under refs/pull/N/head, as GitHub does.
    if (forkOwner !== undefined) this.userOrCreate(forkOwner);
    const headRepo =
      forkOwner === undefined
        ? undefined
        : this.addRepo(repo.name, { owner: forkOwner, installed: false });
    if (headRepo) headRepo.fork = true;
    const branch = headRepo ? `refs/pull/${pr.number}/head` : headRef;
    const existing = repo.branches.get(branch);
    // A new branch gets one commit; an existing one is used as it is, unless files are given.
    const headSha =
      existing && files === undefined
        ? existing
        : git.commitOnBranch(repo, branch, {
            message: pr.title,
            author: actor,
            date,
            files: this.fileChanges(files),
          }).sha;
    return {
      headRef,
      branch,
      ...(headRepo ? { headRepo } : {}),
      headSha,
      baseRef: repo.defaultBranch,
      baseSha: repo.branches.get(repo.defaultBranch) as string,
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      linkedIssueIds: [],
      closedIssueIds: null,
    };
  }

  /** A commit on a branch (the default branch unless named; a new branch starts from it). */
  createCommit(
    repo: RepoRecord,
    actor: UserRecord,
    spec: { message: string; branch?: string; at?: string; files?: FileSpec[] },
  ): CommitRecord {
    if (typeof spec.message !== "string" || spec.message.trim() === "") {
      throw validationFailed({ resource: "Commit", code: "missing_field", field: "message" });
    }
    const branch = spec.branch ?? repo.defaultBranch;
    const commit = git.commitOnBranch(repo, branch, {
      message: spec.message,
      author: actor,
      date: spec.at ?? timestamp(),
      files: this.fileChanges(spec.files),
    });
    for (const pr of repo.issues.values()) {
      if (pr.pull && !pr.pull.merged && pr.pull.branch === branch) pr.pull.headSha = commit.sha;
    }
    return commit;
  }

  /** Checks and normalizes a script's changed files. */
  private fileChanges(files: FileSpec[] | undefined): FileChange[] {
    return (files ?? []).map((f) => {
      const filename = f.path ?? f.filename;
      if (typeof filename !== "string" || filename.replace(/^\/+/, "") === "") {
        throw new Error("a changed file needs a path");
      }
      const status = f.status ?? "modified";
      if (!FILE_STATUSES.includes(status)) throw new Error(`not a file status: ${String(status)}`);
      const additions = f.additions ?? (status === "removed" ? 0 : 1);
      const deletions = f.deletions ?? (status === "added" ? 0 : 1);
      return {
        filename: filename.replace(/^\/+/, ""),
        status,
        additions,
        deletions,
        ...(f.patch !== undefined ? { patch: f.patch } : {}),
        ...(f.previousPath !== undefined ? { previousFilename: f.previousPath } : {}),
      };
    });
  }

  /**
   * The commits of a pull request: those in its head and not in its base (the default branch's
   * head now, or, once merged, before the merge), oldest first.
   */
  pullCommits(pr: IssueRecord): CommitRecord[] {
    const pull = pr.pull;
    if (!pull) return [];
    const repo = pr.repo;
    const base = repo.commits.get(
      pull.merged ? pull.baseSha : (repo.branches.get(pull.baseRef) ?? pull.baseSha),
    );
    const head = repo.commits.get(pull.headSha);
    if (!base || !head) return [];
    return git.compareCommits(repo, base, head)?.commits ?? [];
  }

  /** The files a pull request changes (what `GET /pulls/{n}/files` lists); kept after the merge. */
  pullFiles(pr: IssueRecord): FileChange[] {
    return git.changedFiles(this.pullCommits(pr));
  }

  /**
   * The pull requests of a commit (`GET /commits/{sha}/pulls`): those it is the merge commit or
   * the head of, or among the commits of. A commit not on the default branch: open ones only.
   */
  pullsOfCommit(repo: RepoRecord, sha: string): IssueRecord[] {
    const onDefault = git.ancestors(repo, repo.branches.get(repo.defaultBranch) as string).has(sha);
    return [...repo.issues.values()]
      .filter((pr) => pr.pull && !pr.deleted)
      .filter((pr) => onDefault || pr.state === "open")
      .filter(
        (pr) =>
          pr.pull?.mergeCommitSha === sha ||
          pr.pull?.headSha === sha ||
          this.pullCommits(pr).some((c) => c.sha === sha),
      )
      .sort((a, b) => a.number - b.number);
  }

  /** A commit on an open pull request's head branch: a new head sha, `pull_request.synchronize`. */
  pushToPullRequest(
    pr: IssueRecord,
    actor: UserRecord,
    spec: { message?: string; files?: FileSpec[]; at?: string },
  ): CommitRecord {
    const pull = pr.pull;
    if (!pull) throw notFound();
    if (pull.merged || pr.state !== "open") {
      throw new Error(`#${pr.number} is not open: pushes to it start nothing`);
    }
    const before = pull.headSha;
    const commit = this.createCommit(pr.repo, actor, {
      message: spec.message ?? `Update ${pull.headRef}`,
      branch: pull.branch,
      ...(spec.at !== undefined ? { at: spec.at } : {}),
      ...(spec.files !== undefined ? { files: spec.files } : {}),
    });
    this.touch(pr);
    this.emitPull(pr, actor, "synchronize", { before, after: commit.sha });
    return commit;
  }

  /** Closes an open pull request without merging it: `pull_request.closed` (merged: false). */
  closePullRequest(pr: IssueRecord, actor: UserRecord): void {
    if (!pr.pull || pr.pull.merged || pr.state !== "open") return;
    this.close(pr, actor, null);
    this.emitPull(pr, actor, "closed");
  }

  /** Reopens a closed, unmerged pull request: `pull_request.reopened`. */
  reopenPullRequest(pr: IssueRecord, actor: UserRecord): void {
    if (!pr.pull) throw notFound();
    if (pr.pull.merged) throw new ApiError(422, "A merged pull request cannot be reopened");
    if (pr.state !== "closed") return;
    this.reopen(pr, actor);
    this.emitPull(pr, actor, "reopened");
  }

  private emitPull(
    pr: IssueRecord,
    actor: UserRecord,
    action: string,
    extra: Record<string, unknown> = {},
  ): void {
    this.emit({
      event: "pull_request",
      action,
      repo: pr.repo,
      sender: actor,
      fields: { number: pr.number, ...extra, pull_request: ser.pullRequest(this, pr) },
    });
  }

  /** The issues a pull request closes (or closed, once merged): closing keywords and sidebar links. */
  closingIssues(pr: IssueRecord): IssueRecord[] {
    const pull = pr.pull;
    if (!pull) return [];
    if (pull.closedIssueIds !== null) {
      return pull.closedIssueIds
        .map((id) => this.issueById(id))
        .filter((i): i is IssueRecord => i !== undefined);
    }
    const out: IssueRecord[] = [];
    const add = (issue: IssueRecord | undefined) => {
      if (issue && !issue.deleted && !issue.isPullRequest && !out.includes(issue)) out.push(issue);
    };
    for (const ref of closingReferences(pr.body)) {
      const repo = ref.owner ? this.repo(ref.owner, ref.repo as string) : pr.repo;
      add(repo?.issues.get(ref.number));
    }
    for (const id of pull.linkedIssueIds) add(this.issueById(id));
    return out;
  }

  /** Pull requests (of any repository) that close or closed this issue, oldest first. */
  closingPullRequests(issue: IssueRecord): IssueRecord[] {
    const out: IssueRecord[] = [];
    for (const repo of this.repos.values()) {
      for (const pr of repo.issues.values()) {
        if (pr.pull && !pr.deleted && this.closingIssues(pr).includes(issue)) out.push(pr);
      }
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** The Development sidebar: links a pull request to an issue without a keyword. */
  linkPullRequest(pr: IssueRecord, issue: IssueRecord, actor: UserRecord): void {
    const pull = pr.pull;
    if (!pull || issue.isPullRequest) {
      throw validationFailed({ resource: "PullRequest", code: "invalid", field: "issue" });
    }
    if (pull.merged) {
      throw new ApiError(422, "A merged pull request's linked issues cannot change");
    }
    if (pull.linkedIssueIds.includes(issue.id)) return;
    pull.linkedIssueIds.push(issue.id);
    this.recordEvent(issue, actor, { event: "connected", source: pr });
    this.touch(issue);
  }

  /**
   * Merges a pull request into the default branch with a merge commit, then closes (as completed,
   * with the merge commit) every open issue it links. Webhooks: `pull_request` closed (merged: true),
   * then `issues` closed for each issue.
   */
  mergePullRequest(pr: IssueRecord, actor: UserRecord, at?: string): CommitRecord {
    const pull = pr.pull;
    if (!pull) throw notFound();
    if (pull.merged || pr.state !== "open") {
      throw new ApiError(405, "Pull Request is not mergeable");
    }
    const repo = pr.repo;
    const date = at ?? timestamp();
    const baseSha = repo.branches.get(repo.defaultBranch) as string;
    const merge = git.commitOnBranch(repo, repo.defaultBranch, {
      message: `Merge pull request #${pr.number} from ${(pull.headRepo ?? repo).owner.login}/${pull.headRef}\n\n${pr.title}`,
      author: actor,
      date,
      extraParents: [pull.headSha],
    });
    const closes = this.closingIssues(pr);
    pull.merged = true;
    pull.mergedAt = date;
    pull.mergedBy = actor;
    pull.mergeCommitSha = merge.sha;
    pull.baseSha = baseSha;
    pull.closedIssueIds = closes.map((i) => i.id);
    const commit = { sha: merge.sha, repo };
    this.recordEvent(pr, actor, { event: "merged", commit, createdAt: date });
    this.close(pr, actor, null, { at: date, commit });
    this.emitPull(pr, actor, "closed");
    for (const issue of closes) {
      if (issue.state === "open") this.close(issue, actor, "completed", { at: date, commit });
    }
    return merge;
  }

  createDeployment(
    repo: RepoRecord,
    actor: UserRecord,
    spec: Record<string, unknown>,
    at?: string,
  ): DeploymentRecord {
    if (typeof spec.ref !== "string" || spec.ref === "") {
      throw validationFailed({ resource: "Deployment", code: "missing_field", field: "ref" });
    }
    const commit = git.resolveRef(repo, spec.ref);
    if (!commit) {
      throw validationFailed({
        resource: "Deployment",
        code: "invalid",
        field: "ref",
        message: `No ref found for: ${spec.ref}`,
      });
    }
    const environment = typeof spec.environment === "string" ? spec.environment : "production";
    const payload =
      typeof spec.payload === "string" ||
      (typeof spec.payload === "object" && spec.payload !== null && !Array.isArray(spec.payload))
        ? (spec.payload as Record<string, unknown> | string)
        : {};
    const now = at ?? timestamp();
    const d: DeploymentRecord = {
      id: this.nextId("other"),
      sha: commit.sha,
      ref: spec.ref,
      task: typeof spec.task === "string" ? spec.task : "deploy",
      payload,
      originalEnvironment: environment,
      environment,
      description: typeof spec.description === "string" ? spec.description : null,
      creator: actor,
      createdAt: now,
      updatedAt: now,
      transientEnvironment: spec.transient_environment === true,
      productionEnvironment:
        typeof spec.production_environment === "boolean"
          ? spec.production_environment
          : environment === "production",
      viaApp: actor.type === "Bot",
      statuses: [],
    };
    repo.deployments.push(d);
    this.emit({
      event: "deployment",
      action: "created",
      repo,
      sender: actor,
      fields: { deployment: ser.deployment(this, repo, d), workflow: null, workflow_run: null },
    });
    return d;
  }

  createDeploymentStatus(
    repo: RepoRecord,
    deployment: DeploymentRecord,
    actor: UserRecord,
    spec: Record<string, unknown>,
    at?: string,
  ): DeploymentStatusRecord {
    if (!DEPLOYMENT_STATES.includes(spec.state as DeploymentState)) {
      throw validationFailed({ resource: "DeploymentStatus", code: "invalid", field: "state" });
    }
    const text = (value: unknown) => (typeof value === "string" ? value : undefined);
    const now = at ?? timestamp();
    if (text(spec.environment)) deployment.environment = text(spec.environment) as string;
    const status: DeploymentStatusRecord = {
      id: this.nextId("other"),
      state: spec.state as DeploymentState,
      creator: actor,
      description: text(spec.description) ?? "",
      environment: deployment.environment,
      // GitHub answers "" when neither is set, which its own description rejects (format uri):
      // the emulator points at the repository's deployments page instead.
      targetUrl:
        text(spec.target_url) ??
        text(spec.log_url) ??
        `${this.webUrl}/${repo.owner.login}/${repo.name}/deployments`,
      logUrl: text(spec.log_url) ?? text(spec.target_url) ?? null,
      environmentUrl: text(spec.environment_url) ?? null,
      createdAt: now,
      updatedAt: now,
      viaApp: actor.type === "Bot",
    };
    deployment.statuses.push(status);
    deployment.updatedAt = now;
    // auto_inactive (default true): prior successful deployments to the same environment that are
    // neither transient nor production get an `inactive` status (GitHub's documented rule).
    if (status.state === "success" && spec.auto_inactive !== false) {
      for (const other of repo.deployments) {
        if (
          other === deployment ||
          other.id > deployment.id ||
          other.environment !== deployment.environment ||
          other.transientEnvironment ||
          other.productionEnvironment ||
          other.statuses.at(-1)?.state !== "success"
        )
          continue;
        other.statuses.push({
          ...status,
          id: this.nextId("other"),
          state: "inactive",
          description: "",
          environmentUrl: null,
        });
        other.updatedAt = now;
      }
    }
    this.emit({
      event: "deployment_status",
      action: "created",
      repo,
      sender: actor,
      fields: {
        deployment_status: ser.deploymentStatus(this, repo, deployment, status),
        deployment: ser.deployment(this, repo, deployment),
      },
    });
    return status;
  }

  // ---- search (eventually consistent) ----

  /** Issues as the search index currently sees them (possibly stale). */
  searchableIssues(now = Date.now()): IssueRecord[] {
    const out: IssueRecord[] = [];
    for (const entries of this.searchIndex.values()) {
      let visible: IssueRecord | undefined;
      for (const e of entries) if (e.visibleAt <= now) visible = e.doc;
      if (visible && !visible.deleted) out.push(visible);
    }
    return out;
  }

  private index(issue: IssueRecord): void {
    const entries = this.searchIndex.get(issue.id) ?? [];
    const doc: IssueRecord = {
      ...issue,
      labelIds: [...issue.labelIds],
      assigneeIds: [...issue.assigneeIds],
      subIssueIds: [...issue.subIssueIds],
      reactions: [...issue.reactions],
    };
    entries.push({ visibleAt: Date.now() + this.searchLagMs, doc });
    this.searchIndex.set(issue.id, entries);
  }

  // ---- helpers ----

  private touch(issue: IssueRecord): void {
    issue.updatedAt = timestamp();
    this.index(issue);
  }

  private checkBody(body: unknown, resource: string): string | null {
    if (body === undefined || body === null) return null;
    if (typeof body !== "string")
      throw validationFailed({ resource, code: "invalid", field: "body" });
    if (body.length > MAX_BODY_LENGTH) {
      throw validationFailed({
        resource,
        code: "custom",
        field: "body",
        message: `body is too long (maximum is ${MAX_BODY_LENGTH} characters)`,
      });
    }
    return body;
  }

  private stringArray(value: unknown, field: string): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
      throw validationFailed({ resource: "Issue", code: "invalid", field });
    }
    return value as string[];
  }

  labelNames(value: unknown): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value))
      throw validationFailed({ resource: "Label", code: "invalid", field: "labels" });
    return value.map((v: unknown) => {
      if (typeof v === "string") return v;
      if (v && typeof v === "object" && typeof (v as { name?: unknown }).name === "string")
        return (v as { name: string }).name;
      throw validationFailed({ resource: "Label", code: "invalid", field: "labels" });
    });
  }

  /** GitHub drops people who cannot be assigned without an error. */
  private assignableUsers(logins: string[]): UserRecord[] {
    const out: UserRecord[] = [];
    for (const login of logins) {
      if (!this.canBeAssigned(login)) continue;
      const u = this.user(login);
      if (u && !out.includes(u)) out.push(u);
    }
    return out;
  }

  private milestoneRef(repo: RepoRecord, value: unknown): number | null {
    if (value === undefined || value === null) return null;
    const n = Number(value);
    if (!repo.milestones.has(n))
      throw validationFailed({ resource: "Issue", code: "invalid", field: "milestone" });
    return n;
  }

  private recordEvent(
    issue: IssueRecord,
    actor: UserRecord,
    e: Omit<IssueEventRecord, "id" | "actor" | "createdAt" | "viaApp"> & { createdAt?: string },
  ): void {
    issue.events.push({
      id: this.nextId("other"),
      actor,
      createdAt: timestamp(),
      viaApp: actor.type === "Bot",
      ...e,
    });
  }

  private recordLabelChange(
    issue: IssueRecord,
    actor: UserRecord,
    l: LabelRecord,
    action: "labeled" | "unlabeled",
  ): void {
    this.recordEvent(issue, actor, { event: action, label: { name: l.name, color: l.color } });
    this.emitIssue(issue, actor, action, { label: ser.label(this, issue.repo, l) });
  }

  private recordAssigneeChange(
    issue: IssueRecord,
    actor: UserRecord,
    u: UserRecord,
    action: "assigned" | "unassigned",
  ): void {
    this.recordEvent(issue, actor, { event: action, assignee: u });
    this.emitIssue(issue, actor, action, { assignee: ser.simpleUser(this, u) });
  }

  private emitIssue(
    issue: IssueRecord,
    actor: UserRecord,
    action: string,
    extra: Record<string, unknown> = {},
  ): void {
    if (issue.isPullRequest) return;
    this.emit({
      event: "issues",
      action,
      repo: issue.repo,
      sender: actor,
      fields: { issue: ser.issue(this, issue), ...extra },
    });
  }

  private emitComment(
    c: CommentRecord,
    actor: UserRecord,
    action: string,
    extra: Record<string, unknown> = {},
  ): void {
    this.emit({
      event: "issue_comment",
      action,
      repo: c.issue.repo,
      sender: actor,
      fields: { ...extra, issue: ser.issue(this, c.issue), comment: ser.comment(this, c) },
    });
  }

  private emitSubIssue(
    parent: IssueRecord,
    child: IssueRecord,
    actor: UserRecord,
    parentAction: string,
    childAction: string,
  ): void {
    const fields = {
      parent_issue_id: parent.id,
      parent_issue: ser.issue(this, parent),
      sub_issue_id: child.id,
      sub_issue: ser.issue(this, child),
    };
    this.emit({
      event: "sub_issues",
      action: parentAction,
      repo: parent.repo,
      sender: actor,
      fields: { ...fields, sub_issue_repo: ser.repository(this, child.repo) },
    });
    this.emit({
      event: "sub_issues",
      action: childAction,
      repo: child.repo,
      sender: actor,
      fields: { ...fields, parent_issue_repo: ser.repository(this, parent.repo) },
    });
  }

  /** A child closing or reopening changes its parent's sub_issues_summary; GitHub reports no webhook for that. */
  private emitParentSummaryChange(issue: IssueRecord): void {
    const parent = issue.parentId === null ? undefined : this.issueById(issue.parentId);
    if (parent) this.touch(parent);
  }
}
