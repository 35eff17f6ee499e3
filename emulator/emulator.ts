// The emulated GitHub: an HTTP server for the REST routes, the webhook dispatcher, fault injection,
// a request log, and a scripting API for human actions.
import { createHash, randomUUID } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Auth } from "./auth.js";
import { handleControlRequest } from "./control.js";
import { ApiError } from "./errors.js";
import type { Fault, FaultSpec } from "./faults.js";
import { FaultInjector } from "./faults.js";
import type {
  CheckRunRecord,
  DeploymentState,
  IssueRecord,
  ReactionContent,
  RepoRecord,
  Role,
  StateReason,
  UserRecord,
} from "./model.js";
import { nodeId, timestamp } from "./model.js";
import type { RouteContext, RouteResult } from "./router.js";
import { Router } from "./router.js";
import { registerAppRoutes } from "./routes/app.js";
import { registerCodeRoutes } from "./routes/code.js";
import type { ManifestRegistration } from "./routes/manifests.js";
import { registerManifestRoutes } from "./routes/manifests.js";
import { registerHookRoutes } from "./routes/hook.js";
import { registerGraphqlRoutes } from "./routes/graphql.js";
import { registerIssueRoutes } from "./routes/issues.js";
import { organizationSimple, registerRepoRoutes } from "./routes/repo.js";
import { registerSearchRoutes } from "./routes/search.js";
import * as ser from "./serialize.js";
import type { EmittedEvent, FileSpec, UserSpec } from "./state.js";
import { GitHubState } from "./state.js";
import type { DeliveryBehaviour, DeliveryLogEntry } from "./webhooks.js";
import { WebhookDispatcher } from "./webhooks.js";

export interface EmulatorOptions {
  /** Organization (or user) owning the repository. Default "acme". */
  owner?: string;
  ownerType?: "Organization" | "User";
  /** The repository the App is installed on. Default "service". */
  repo?: string;
  appId?: number;
  /** The App's slug; its bot user is `<slug>[bot]`. Default "postmortem-bot". */
  appSlug?: string;
  installationId?: number;
  /** Humans and their repository roles. */
  users?: UserSpec[];
  /** team slug → login → team role */
  teams?: Record<string, Record<string, "member" | "maintainer">>;
  /** Files of the main repository's default branch, path → text. */
  files?: Record<string, string>;
  webhookUrl?: string;
  webhookSecret?: string;
  /** When given, App JWTs must be signed by the matching private key. */
  publicKey?: string | KeyObject;
  /** How long until a change is visible to /search/issues. Default 3000 ms. */
  searchLagMs?: number;
  port?: number;
  delivery?: Partial<DeliveryBehaviour>;
}

export interface RequestLogEntry {
  seq: number;
  method: string;
  /** Path without /api/v3 (/api/graphql is /graphql) and without the query. */
  path: string;
  /** The OpenAPI path template the request matched, e.g. /repos/{owner}/{repo}/issues. */
  route: string | undefined;
  query: Record<string, string>;
  body: unknown;
  status: number;
  /** Login of the acting user, "app" for JWT requests, null for anonymous ones. */
  actor: string | null;
  /** Which token the request used (1 = the first issued): tells App replicas apart. */
  token?: number;
  /** What an injected fault did to this request. */
  fault?: "responded" | "delayed" | "lost-answer-502" | "dropped";
  response: unknown;
  contentType: string | undefined;
  /** When the request arrived (ms since the epoch). */
  at: number;
  /**
   * When the request arrived, by the monotonic clock (`performance.now()`): for measuring spacing,
   * as a test's ticking fake `Date` runs slow on a loaded machine.
   */
  arrivedMs: number;
  durationMs: number;
}

type IssueRef = { issue: number; repo?: string };

export class GitHubEmulator {
  readonly state: GitHubState;
  readonly webhooks: WebhookDispatcher;
  readonly faults = new FaultInjector();
  readonly requests: RequestLogEntry[] = [];
  readonly repoName: string;
  readonly secret: string;
  private readonly router = new Router();
  private readonly auth: Auth;
  private server: Server | undefined;
  private port: number;
  private apiInFlight = 0;
  private lastActivity = Date.now();
  private seq = 0;

  constructor(private readonly options: EmulatorOptions = {}) {
    this.secret = options.webhookSecret ?? "emulator-webhook-secret";
    const appId = options.appId ?? 4242;
    this.port = options.port ?? 0;
    this.state = new GitHubState(
      {
        owner: options.owner ?? "acme",
        ownerType: options.ownerType ?? "Organization",
        appId,
        appSlug: options.appSlug ?? "postmortem-bot",
        installationId: options.installationId ?? 99,
        searchLagMs: options.searchLagMs ?? 3000,
      },
      (e) => this.onEvent(e),
    );
    this.repoName = options.repo ?? "service";
    const repo = this.state.addRepo(this.repoName);
    for (const [path, content] of Object.entries(options.files ?? {})) this.setFile(path, content);
    void repo;
    for (const u of options.users ?? []) this.state.addUser(u);
    for (const [team, members] of Object.entries(options.teams ?? {})) {
      for (const [login, role] of Object.entries(members)) this.addTeamMember(team, login, role);
    }
    this.auth = new Auth(appId, options.publicKey);
    this.webhooks = new WebhookDispatcher(this.secret, 123_456, appId);
    this.webhooks.url = options.webhookUrl;
    Object.assign(this.webhooks.behaviour, options.delivery ?? {});
    this.state.onProjectEdited = (project, item, field, by) => {
      // GitHub sends `projects_v2_item` for an organization's projects only.
      if (project.owner.type !== "Organization") return;
      this.lastActivity = Date.now();
      this.webhooks.enqueue("projects_v2_item", {
        action: "edited",
        projects_v2_item: {
          id: item.id,
          node_id: item.nodeId,
          project_node_id: project.nodeId,
          content_node_id: nodeId("I", item.issue.id),
          content_type: "Issue",
          creator: ser.simpleUser(this.state, item.creator),
          created_at: item.createdAt,
          updated_at: item.updatedAt,
          archived_at: null,
        },
        changes: {
          field_value: {
            field_node_id: field.nodeId,
            field_type:
              field.dataType === "SINGLE_SELECT" ? "single_select" : field.dataType.toLowerCase(),
          },
        },
        organization: organizationSimple(this.state),
        sender: ser.simpleUser(this.state, by),
        installation: {
          id: this.state.installationId,
          node_id: nodeId("MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u", this.state.installationId),
        },
      });
    };
    registerAppRoutes(this.router, this.auth);
    registerIssueRoutes(this.router);
    registerRepoRoutes(this.router);
    registerSearchRoutes(this.router);
    registerCodeRoutes(this.router);
    registerGraphqlRoutes(this.router);
    this.appRegistrations = registerManifestRoutes(this.router);
    registerHookRoutes(this.router, this.webhooks);
  }

  /** Apps registered through the App-manifest flow (`npm run setup`). */
  readonly appRegistrations: ManifestRegistration[];

  // ---- lifecycle ----

  /** Base URL of the server, e.g. http://127.0.0.1:PORT */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Base URL Octokit uses with GHE_HOST=127.0.0.1:PORT and GHE_PROTOCOL=http. */
  get apiUrl(): string {
    return `${this.url}/api/v3`;
  }

  /** What to set GHE_HOST to so that Probot talks to this emulator. */
  get gheHost(): string {
    return `127.0.0.1:${this.port}`;
  }

  get owner(): string {
    return this.state.owner.login;
  }

  get mainRepo(): RepoRecord {
    const r = this.state.repo(this.owner, this.repoName);
    if (!r) throw new Error("main repository missing");
    return r;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.state.apiUrl = this.apiUrl;
    this.state.webUrl = this.url;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Where webhooks go; several URLs (App replicas) receive deliveries in turn. */
  setWebhookUrl(url: string | string[] | undefined): void {
    this.webhooks.urls = url === undefined ? [] : Array.isArray(url) ? [...url] : [url];
  }

  setSearchLag(ms: number): void {
    this.state.searchLagMs = ms;
  }

  /** A token that acts as this human over HTTP (for tools that use a user token, e.g. an Action). */
  tokenFor(login: string, options: { permissions?: Record<string, string> } = {}): string {
    return this.auth.issueToken(
      this.state.userOrCreate(login),
      "ghp_",
      options.permissions ? { permissions: { ...options.permissions } } : {},
    ).token;
  }

  // ---- observing ----

  /** Resolves when no webhook delivery is queued or in flight, no API request is being served, and nothing happened for quietMs. */
  async waitForIdle(opts: { timeoutMs?: number; quietMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
    const quiet = opts.quietMs ?? 150;
    for (;;) {
      // Bounded by the deadline too: a webhook queue that never drains (an App that keeps
      // reacting to its own changes) must end in the error below, not in a wait forever.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.webhooks.idle(),
        new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now()) + 1))),
      ]);
      clearTimeout(timer);
      if (
        this.apiInFlight === 0 &&
        this.webhooks.pending === 0 &&
        Date.now() - this.lastActivity >= quiet
      )
        return;
      if (Date.now() > deadline) {
        throw new Error(
          `emulator not idle after ${opts.timeoutMs ?? 20_000} ms: ${this.webhooks.pending} deliveries pending, ${this.apiInFlight} API requests in flight`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  get deliveries(): DeliveryLogEntry[] {
    return this.webhooks.log;
  }

  redeliver(deliveryId: string): Promise<DeliveryLogEntry> {
    return this.webhooks.redeliver(deliveryId);
  }

  /** Requests made with the App's installation token (what the App did to the repository). */
  appRequests(): RequestLogEntry[] {
    return this.requests.filter((r) => r.actor === this.state.bot.login);
  }

  /** Issues of a repository as the REST API shows them (all states, PRs excluded), oldest first. */
  issues(
    filter: { label?: string; state?: "open" | "closed" | "all"; repo?: string } = {},
  ): Record<string, unknown>[] {
    const repo = this.repoByName(filter.repo);
    return [...repo.issues.values()]
      .filter((i) => !i.deleted && !i.isPullRequest)
      .filter((i) => !filter.state || filter.state === "all" || i.state === filter.state)
      .filter((i) => {
        if (!filter.label) return true;
        const l = this.state.findLabel(repo, filter.label);
        return l !== undefined && i.labelIds.includes(l.id);
      })
      .map((i) => ser.issue(this.state, i));
  }

  issue(number: number, repo?: string): Record<string, unknown> {
    return ser.issue(this.state, this.state.issue(this.repoByName(repo), number));
  }

  commentsOn(number: number, repo?: string): ReturnType<typeof ser.comment>[] {
    const issue = this.state.issue(this.repoByName(repo), number);
    return [...this.state.comments.values()]
      .filter((c) => c.issue === issue)
      .map((c) => ser.comment(this.state, c));
  }

  /**
   * The latest event GitHub produced of this kind (and action), as the Actions runner would give
   * it to a workflow: `{ eventName, payload }`, ready for `runActionBundle`. `as` renames the event
   * (`pull_request` → `pull_request_target`, whose payload is the same). Throws when there is none.
   */
  lastEvent(
    event: string,
    action?: string,
    options: { as?: string } = {},
  ): { eventName: string; payload: Record<string, unknown> } {
    const found = this.webhooks.events.findLast(
      (e) => e.event === event && (action === undefined || e.action === action),
    );
    if (!found) throw new Error(`no ${event}${action ? `.${action}` : ""} event`);
    return { eventName: options.as ?? event, payload: structuredClone(found.payload) };
  }

  injectFault(spec: FaultSpec): Fault {
    return this.faults.add(spec);
  }

  // ---- scripting humans ----

  addUser(
    login: string,
    role: Role = "read",
    opts: Omit<UserSpec, "login" | "role"> = {},
  ): UserRecord {
    return this.state.addUser({ login, role, ...opts });
  }

  setPermission(login: string, role: Role): void {
    this.state.addUser({ login, role });
  }

  addTeamMember(team: string, login: string, role: "member" | "maintainer" = "member"): void {
    this.state.userOrCreate(login);
    const key = team.toLowerCase();
    const members = this.state.teams.get(key) ?? new Map<string, "member" | "maintainer">();
    members.set(login.toLowerCase(), role);
    this.state.teams.set(key, members);
  }

  /**
   * Adds a repository of the same owner (e.g. ".github" for org-wide config), or of another
   * (`owner`); `installed: false` keeps the App's installation out of it.
   */
  addRepository(
    name: string,
    opts: { private?: boolean; owner?: string; installed?: boolean } = {},
  ): RepoRecord {
    return this.state.addRepo(name, opts);
  }

  setFile(path: string, content: string, opts: { repo?: string; ref?: string } = {}): void {
    const repo = opts.repo
      ? (this.findRepo(opts.repo) ?? this.state.addRepo(opts.repo))
      : this.mainRepo;
    const ref = opts.ref ?? repo.defaultBranch;
    const files = repo.files.get(ref) ?? new Map();
    files.set(path.replace(/^\/+/, ""), { content, sha: ser.blobSha(content) });
    repo.files.set(ref, files);
  }

  deleteFile(path: string, opts: { repo?: string; ref?: string } = {}): void {
    const repo = this.repoByName(opts.repo);
    repo.files.get(opts.ref ?? repo.defaultBranch)?.delete(path.replace(/^\/+/, ""));
  }

  createLabel(spec: { name: string; color?: string; description?: string; repo?: string }): void {
    this.state.createLabel(this.repoByName(spec.repo), spec);
  }

  createMilestone(spec: { title: string; dueOn?: string; by?: string; repo?: string }) {
    const repo = this.repoByName(spec.repo);
    const m = this.state.createMilestone(repo, this.human(spec.by ?? this.owner), {
      title: spec.title,
      due_on: spec.dueOn,
    });
    return ser.milestone(this.state, repo, m);
  }

  openIssue(spec: {
    by: string;
    title: string;
    body?: string;
    labels?: string[];
    assignees?: string[];
    repo?: string;
    /** When it was opened; now by default. */
    at?: string;
  }) {
    const issue = this.state.createIssue(this.repoByName(spec.repo), this.human(spec.by), {
      ...spec,
      ...(spec.at !== undefined ? { at: this.when(spec.at) } : {}),
    });
    return ser.issue(this.state, issue);
  }

  /**
   * A pull request into the default branch from `head` (a new branch with one commit, `pull-<n>`
   * unless named; an existing branch is used as it is, or gets one commit changing `files`).
   * Sends `pull_request` `opened`. Returns its issue shape.
   */
  openPullRequest(spec: {
    by: string;
    title: string;
    body?: string;
    repo?: string;
    head?: string;
    /** What its head commit changes: `{path, status?: "added"|"modified"|"removed"|"renamed"…}`. */
    files?: FileSpec[];
    at?: string;
    /** From a fork of the repository owned by `by` (true) or by this login. */
    fork?: boolean | string;
  }) {
    const issue = this.state.createIssue(this.repoByName(spec.repo), this.human(spec.by), {
      title: spec.title,
      body: spec.body,
      pullRequest: true,
      ...(spec.fork ? { forkOwner: spec.fork === true ? spec.by : spec.fork } : {}),
      ...(spec.head !== undefined ? { head: spec.head } : {}),
      ...(spec.files !== undefined ? { files: spec.files } : {}),
      ...(spec.at !== undefined ? { at: this.when(spec.at) } : {}),
    });
    return ser.issue(this.state, issue);
  }

  /**
   * A commit on an open pull request's head branch (changing `files`): the pull request gets a
   * new head sha, and `pull_request` `synchronize` (with `before` and `after`) is sent. Returns
   * the REST pull request.
   */
  pushToPullRequest(spec: {
    by?: string;
    number: number;
    files?: FileSpec[];
    message?: string;
    at?: string;
    repo?: string;
  }) {
    const pr = this.pullRecord(spec.number, spec.repo);
    this.state.pushToPullRequest(pr, this.human(spec.by ?? pr.user.login), {
      ...(spec.message !== undefined ? { message: spec.message } : {}),
      ...(spec.files !== undefined ? { files: spec.files } : {}),
      ...(spec.at !== undefined ? { at: this.when(spec.at) } : {}),
    });
    return ser.pullRequest(this.state, pr);
  }

  /** Closes a pull request without merging: `pull_request` `closed` (merged: false). */
  closePullRequest(spec: { by: string; number: number; repo?: string }) {
    const pr = this.pullRecord(spec.number, spec.repo);
    this.state.closePullRequest(pr, this.human(spec.by));
    return ser.pullRequest(this.state, pr);
  }

  /** Reopens a closed, unmerged pull request: `pull_request` `reopened`. */
  reopenPullRequest(spec: { by: string; number: number; repo?: string }) {
    const pr = this.pullRecord(spec.number, spec.repo);
    this.state.reopenPullRequest(pr, this.human(spec.by));
    return ser.pullRequest(this.state, pr);
  }

  /** Every check run on a commit, in the order they were created (all Apps, all names). */
  checkRunsOn(sha: string, repo?: string): CheckRunRecord[] {
    return [...this.repoByName(repo).checkRuns.values()].filter((run) => run.headSha === sha);
  }

  /** The files a pull request changes, as `GET /pulls/{n}/files` lists them (all pages). */
  pullRequestFiles(spec: { number: number; repo?: string }) {
    const pr = this.pullRecord(spec.number, spec.repo);
    return this.state.pullFiles(pr).map((f) => ser.pullFile(this.state, pr, f));
  }

  /** Locks an issue's conversation (`issues` `locked`): people without write can no longer comment. */
  lockIssue(spec: IssueRef & { by: string; reason?: string }): void {
    this.state.lockIssue(this.issueRecord(spec), this.human(spec.by), spec.reason);
  }

  unlockIssue(spec: IssueRef & { by: string }): void {
    this.state.unlockIssue(this.issueRecord(spec), this.human(spec.by));
  }

  /**
   * Merges a pull request with a merge commit on the default branch; every issue it links (closing
   * keywords in its body, `linkPullRequest`) is closed as completed by the merge commit. Webhooks:
   * `pull_request` closed (merged: true), then `issues` closed. Returns the REST pull request.
   */
  mergePullRequest(spec: { by: string; number: number; at?: string; repo?: string }) {
    const pr = this.pullRecord(spec.number, spec.repo);
    this.state.mergePullRequest(pr, this.human(spec.by), this.when(spec.at));
    return ser.pullRequest(this.state, pr);
  }

  /**
   * What GitHub's "Revert" button opens for a merged pull request: a pull request from
   * `revert-<n>-<head>` titled `Revert "<title>"`, body `Reverts owner/repo#<n>` (so #n's timeline
   * gets a `cross-referenced` item). Not merged; returns its issue shape.
   */
  revertPullRequest(spec: { by: string; number: number; repo?: string }) {
    const pr = this.pullRecord(spec.number, spec.repo);
    if (!pr.pull?.merged) throw new Error(`#${spec.number} is not merged`);
    return this.openPullRequest({
      by: spec.by,
      title: `Revert "${pr.title}"`,
      body: `Reverts ${pr.repo.owner.login}/${pr.repo.name}#${pr.number}`,
      head: `revert-${pr.number}-${pr.pull.headRef}`,
      repo: `${pr.repo.owner.login}/${pr.repo.name}`,
    });
  }

  /** The Development sidebar: links a pull request to an issue (of `issueRepo`, default: the PR's). */
  linkPullRequest(spec: {
    by: string;
    pull: number;
    issue: number;
    repo?: string;
    issueRepo?: string;
  }): void {
    const pr = this.pullRecord(spec.pull, spec.repo);
    const issue = this.state.realIssue(this.repoByName(spec.issueRepo ?? spec.repo), spec.issue);
    this.state.linkPullRequest(pr, issue, this.human(spec.by));
  }

  /**
   * A commit on `branch` (default: the default branch; a new branch starts from it), changing
   * `files`. Returns its sha. No webhook (a push to a pull request's branch: pushToPullRequest).
   */
  createCommit(spec: {
    message: string;
    branch?: string;
    by?: string;
    at?: string;
    repo?: string;
    files?: FileSpec[];
  }): string {
    const repo = this.repoByName(spec.repo);
    return this.state.createCommit(repo, this.human(spec.by ?? this.owner), {
      message: spec.message,
      ...(spec.files !== undefined ? { files: spec.files } : {}),
      ...(spec.branch !== undefined ? { branch: spec.branch } : {}),
      ...(spec.at !== undefined ? { at: this.when(spec.at) } : {}),
    }).sha;
  }

  /** The sha a branch points at (default: the default branch). */
  branchSha(spec: { branch?: string; repo?: string } = {}): string {
    const repo = this.repoByName(spec.repo);
    const sha = repo.branches.get(spec.branch ?? repo.defaultBranch);
    if (!sha) throw new Error(`no branch ${spec.branch ?? repo.defaultBranch}`);
    return sha;
  }

  /** A deployment of `ref` (branch or sha) or `sha`; sends `deployment` created. Returns the REST shape. */
  createDeployment(spec: {
    by: string;
    ref?: string;
    sha?: string;
    environment?: string;
    task?: string;
    description?: string;
    payload?: Record<string, unknown> | string;
    transientEnvironment?: boolean;
    productionEnvironment?: boolean;
    at?: string;
    repo?: string;
  }) {
    const repo = this.repoByName(spec.repo);
    const d = this.state.createDeployment(
      repo,
      this.human(spec.by),
      {
        ref: spec.ref ?? spec.sha,
        environment: spec.environment,
        task: spec.task,
        description: spec.description,
        payload: spec.payload,
        transient_environment: spec.transientEnvironment,
        production_environment: spec.productionEnvironment,
      },
      this.when(spec.at),
    );
    return ser.deployment(this.state, repo, d);
  }

  /** A deployment status; sends `deployment_status` created. Returns the REST shape. */
  setDeploymentStatus(spec: {
    by: string;
    deployment: number;
    state: DeploymentState;
    environmentUrl?: string;
    logUrl?: string;
    description?: string;
    autoInactive?: boolean;
    at?: string;
    repo?: string;
  }) {
    const repo = this.repoByName(spec.repo);
    const d = repo.deployments.find((x) => x.id === spec.deployment);
    if (!d) throw new Error(`no deployment ${spec.deployment}`);
    const s = this.state.createDeploymentStatus(
      repo,
      d,
      this.human(spec.by),
      {
        state: spec.state,
        environment_url: spec.environmentUrl,
        log_url: spec.logUrl,
        description: spec.description,
        auto_inactive: spec.autoInactive,
      },
      this.when(spec.at),
    );
    return ser.deploymentStatus(this.state, repo, d, s);
  }

  addLabel(spec: IssueRef & { by: string; label: string }): void {
    this.state.addLabels(this.issueRecord(spec), this.human(spec.by), [spec.label]);
  }

  removeLabel(spec: IssueRef & { by: string; label: string }): void {
    this.state.removeLabel(this.issueRecord(spec), this.human(spec.by), spec.label);
  }

  assign(spec: IssueRef & { by: string; assignees: string[] }): void {
    this.state.addAssignees(this.issueRecord(spec), this.human(spec.by), spec.assignees);
  }

  unassign(spec: IssueRef & { by: string; assignees: string[] }): void {
    this.state.removeAssignees(this.issueRecord(spec), this.human(spec.by), spec.assignees);
  }

  comment(spec: IssueRef & { by: string; body: string }) {
    return ser.comment(
      this.state,
      this.state.createComment(this.issueRecord(spec), this.human(spec.by), spec.body),
    );
  }

  editComment(spec: { by: string; commentId: number; body: string; repo?: string }) {
    const c = this.state.comment(this.repoByName(spec.repo), spec.commentId);
    return ser.comment(this.state, this.state.updateComment(c, this.human(spec.by), spec.body));
  }

  deleteComment(spec: { by: string; commentId: number; repo?: string }): void {
    this.state.deleteComment(
      this.state.comment(this.repoByName(spec.repo), spec.commentId),
      this.human(spec.by),
    );
  }

  react(spec: { by: string; commentId: number; content: ReactionContent; repo?: string }): void {
    this.state.addReaction(
      this.state.comment(this.repoByName(spec.repo), spec.commentId),
      this.human(spec.by),
      spec.content,
    );
  }

  editBody(spec: IssueRef & { by: string; body: string }) {
    return ser.issue(
      this.state,
      this.state.updateIssue(this.issueRecord(spec), this.human(spec.by), { body: spec.body }),
    );
  }

  editTitle(spec: IssueRef & { by: string; title: string }) {
    return ser.issue(
      this.state,
      this.state.updateIssue(this.issueRecord(spec), this.human(spec.by), { title: spec.title }),
    );
  }

  closeIssue(spec: IssueRef & { by: string; reason?: StateReason }): void {
    const issue = this.issueRecord(spec);
    if (issue.state === "open")
      this.state.close(issue, this.human(spec.by), spec.reason ?? "completed");
  }

  reopenIssue(spec: IssueRef & { by: string }): void {
    const issue = this.issueRecord(spec);
    if (issue.state === "closed") this.state.reopen(issue, this.human(spec.by));
  }

  deleteIssue(spec: IssueRef & { by: string }): void {
    this.state.deleteIssue(this.issueRecord(spec), this.human(spec.by));
  }

  transferIssue(spec: IssueRef & { by: string; toRepo: string }) {
    const moved = this.state.transferIssue(
      this.issueRecord(spec),
      this.human(spec.by),
      this.state.addRepo(spec.toRepo),
    );
    return ser.issue(this.state, moved);
  }

  /**
   * A project (v2) of the organization (default: the emulator's owner) or of a user, with fields
   * (`{ name, dataType: DATE | SINGLE_SELECT | TEXT, options? }`). Returns its number and node id.
   */
  createProject(spec: {
    owner?: string;
    number?: number;
    title?: string;
    fields?: { name: string; dataType: "DATE" | "SINGLE_SELECT" | "TEXT"; options?: string[] }[];
  }) {
    const owner = spec.owner === undefined ? this.state.owner : this.human(spec.owner);
    const project = this.state.projects.create({
      owner,
      ...(spec.number !== undefined ? { number: spec.number } : {}),
      ...(spec.title !== undefined ? { title: spec.title } : {}),
      ...(spec.fields ? { fields: spec.fields } : {}),
    });
    return {
      number: project.number,
      id: project.nodeId,
      url: this.projectUrl(project.owner, project.number),
    };
  }

  private projectUrl(owner: UserRecord, number: number): string {
    return `https://github.com/${owner.type === "Organization" ? "orgs" : "users"}/${owner.login}/projects/${number}`;
  }

  /**
   * A person sets a field of the item holding issue `issue` on a project (a date, or a single
   * select option by name), as on the board: an organization's project sends `projects_v2_item`.
   */
  setProjectField(spec: {
    by: string;
    owner?: string;
    project: number;
    issue: number;
    repo?: string;
    field: string;
    date?: string;
    option?: string;
  }): void {
    const owner = spec.owner ?? this.state.owner.login;
    const project = this.state.projects.find(owner, spec.project);
    if (!project) throw new Error(`no project ${owner}/${spec.project}`);
    this.state.projects.setByPerson(
      project,
      this.issueRecord(spec),
      spec.field,
      {
        ...(spec.date !== undefined ? { date: spec.date } : {}),
        ...(spec.option !== undefined ? { option: spec.option } : {}),
      },
      this.human(spec.by),
    );
  }

  /** A project's items as its board shows them: the issue, then each set field's value by name. */
  projectItems(spec: { owner?: string; project: number }) {
    const owner = spec.owner ?? this.state.owner.login;
    const project = this.state.projects.find(owner, spec.project);
    if (!project) throw new Error(`no project ${owner}/${spec.project}`);
    return project.items.map((item) => ({
      issue: item.issue.number,
      repository: `${item.issue.repo.owner.login}/${item.issue.repo.name}`,
      title: item.issue.title,
      fields: Object.fromEntries(
        project.fields.flatMap((field) => {
          const value = item.values.get(field.nodeId);
          if (!value) return [];
          const shown =
            value.date ?? field.options?.find((o) => o.id === value.optionId)?.name ?? value.text;
          return [[field.name, shown ?? null]];
        }),
      ),
    }));
  }

  addSubIssue(spec: {
    by: string;
    parent: number;
    child: number;
    replaceParent?: boolean;
    repo?: string;
  }): void {
    const repo = this.repoByName(spec.repo);
    const child = this.state.realIssue(repo, spec.child);
    this.state.addSubIssue(
      this.state.realIssue(repo, spec.parent),
      this.human(spec.by),
      child.id,
      spec.replaceParent ?? false,
    );
  }

  removeSubIssue(spec: { by: string; parent: number; child: number; repo?: string }): void {
    const repo = this.repoByName(spec.repo);
    const child = this.state.realIssue(repo, spec.child);
    this.state.removeSubIssue(
      this.state.realIssue(repo, spec.parent),
      this.human(spec.by),
      child.id,
    );
  }

  // ---- internals ----

  private human(login: string): UserRecord {
    return this.state.userOrCreate(login);
  }

  /** `name` (of the emulator's owner) or `owner/name`. */
  private findRepo(name: string): RepoRecord | undefined {
    const [owner, repo] = name.includes("/") ? name.split("/", 2) : [this.owner, name];
    return this.state.repo(owner ?? "", repo ?? "");
  }

  private repoByName(name: string | undefined): RepoRecord {
    if (!name) return this.mainRepo;
    const r = this.findRepo(name);
    if (!r) throw new Error(`no repository ${name}`);
    return r;
  }

  private pullRecord(number: number, repo: string | undefined): IssueRecord {
    const pr = this.state.issue(this.repoByName(repo), number);
    if (!pr.pull) throw new Error(`#${number} is not a pull request`);
    return pr;
  }

  /** A script's `at` (any date string) as GitHub writes timestamps; undefined: now. */
  private when(at: string | undefined): string | undefined {
    if (at === undefined) return undefined;
    const date = new Date(at);
    if (Number.isNaN(date.getTime())) throw new Error(`not a date: ${at}`);
    return timestamp(date);
  }

  private issueRecord(ref: IssueRef): IssueRecord {
    return this.state.issue(this.repoByName(ref.repo), ref.issue);
  }

  private onEvent(e: EmittedEvent): void {
    // GitHub sends an App no webhooks of a repository it is not installed on.
    if (e.repo.installed === false) return;
    const payload: Record<string, unknown> = {
      action: e.action,
      ...e.fields,
      repository: ser.repository(this.state, e.repo),
      ...(this.state.owner.type === "Organization"
        ? { organization: organizationSimple(this.state) }
        : {}),
      sender: ser.simpleUser(this.state, e.sender),
      installation: {
        id: this.state.installationId,
        node_id: nodeId("MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u", this.state.installationId),
      },
    };
    this.lastActivity = Date.now();
    this.webhooks.enqueue(e.event, payload);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Control requests (e.g. /_emulator/idle) must not count as App activity.
    const control = (req.url ?? "").startsWith("/_emulator");
    if (!control) {
      this.apiInFlight++;
      this.lastActivity = Date.now();
    }
    try {
      await this.serve(req, res);
    } catch (error) {
      console.error("[emulator] request failed", error);
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ message: "Server Error" }));
      }
    } finally {
      if (!control) {
        this.apiInFlight--;
        this.lastActivity = Date.now();
      }
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    const method = (req.method ?? "GET").toUpperCase();
    const requestUrl = new URL(req.url ?? "/", `http://${req.headers.host ?? this.gheHost}`);
    if (requestUrl.pathname.startsWith("/_emulator")) {
      await handleControlRequest(this, method, requestUrl, rawBody, res);
      return;
    }
    // GHES serves REST under /api/v3 and GraphQL at /api/graphql.
    const path =
      requestUrl.pathname.replace(/^\/api\/v3(?=\/|$)/, "").replace(/^\/api(?=\/graphql$)/, "") ||
      "/";
    const entry: RequestLogEntry = {
      seq: ++this.seq,
      method,
      path,
      route: undefined,
      query: Object.fromEntries(requestUrl.searchParams),
      body: undefined,
      status: 0,
      actor: null,
      response: undefined,
      contentType: undefined,
      at: started,
      arrivedMs: performance.now(),
      durationMs: 0,
    };
    let result: RouteResult;
    let fault: Fault | undefined;
    try {
      // Browsers post forms (the App-manifest page); the API takes JSON.
      entry.body = !rawBody
        ? undefined
        : req.headers["content-type"]?.startsWith("application/x-www-form-urlencoded")
          ? Object.fromEntries(new URLSearchParams(rawBody))
          : parseJson(rawBody);
      const creds = this.auth.identify(req.headers.authorization);
      entry.actor =
        creds.kind === "token" ? creds.actor.login : creds.kind === "app" ? "app" : null;
      if (creds.kind === "token") entry.token = creds.serial;
      const match = this.router.match(method, path);
      entry.route = match?.route.template;
      fault = this.faults.take(method, path);
      if (fault?.delayMs) {
        entry.fault = "delayed";
        await new Promise((r) => setTimeout(r, fault?.delayMs));
      }
      if (fault?.hold) {
        entry.fault = "delayed";
        await fault.hold.catch(() => undefined);
      }
      if (fault?.respond) {
        entry.fault = "responded";
        result = {
          status: fault.respond.status,
          body: fault.respond.body ?? { message: "Injected fault" },
          headers: fault.respond.headers ?? {},
        };
      } else if (!match) {
        throw new ApiError(404, "Not Found");
      } else {
        const ctx: RouteContext = {
          method,
          path,
          params: match.params,
          query: requestUrl.searchParams,
          body: entry.body,
          headers: req.headers,
          actor: creds.kind === "token" ? creds.actor : undefined,
          asApp: creds.kind === "app",
          permissions:
            creds.kind !== "token"
              ? undefined
              : creds.installation
                ? (this.state.app.accepted?.permissions ?? this.state.app.permissions)
                : creds.permissions,
          app:
            creds.kind === "token" && creds.actor.type === "Bot"
              ? this.state.appOf(creds.actor)
              : undefined,
          state: this.state,
          requestUrl,
        };
        result = withEtag(method, await match.route.handler(ctx));
        result = notModifiedIfUnchanged(method, req.headers["if-none-match"], result);
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      result = { status: error.status, body: error.body(), headers: error.headers };
    }
    entry.status = result.status;
    entry.response = result.raw ?? result.body;
    entry.durationMs = Date.now() - started;
    this.requests.push(entry);
    if (fault?.loseAnswer === "drop") {
      entry.fault = "dropped";
      entry.status = 0;
      req.socket.destroy();
      return;
    }
    if (fault?.loseAnswer === "502") {
      entry.fault = "lost-answer-502";
      entry.status = 502;
      result = { status: 502, body: { message: "Server Error" } };
    }
    entry.contentType = this.send(res, result);
  }

  private send(res: ServerResponse, result: RouteResult): string | undefined {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    const headers: Record<string, string> = {
      "x-github-request-id": randomUUID().toUpperCase().slice(0, 23),
      "x-github-api-version-selected": "2022-11-28",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-reset": String(reset),
      "x-ratelimit-used": "1",
      "x-ratelimit-resource": "core",
      ...(result.headers ?? {}),
    };
    if (result.status === 204 || (result.body === undefined && result.raw === undefined)) {
      res.writeHead(result.status, headers);
      res.end();
      return undefined;
    }
    if (result.raw !== undefined) {
      headers["content-type"] ??= "text/plain; charset=utf-8";
      res.writeHead(result.status, headers);
      res.end(result.raw);
      return headers["content-type"];
    }
    headers["content-type"] = "application/json; charset=utf-8";
    headers["x-github-media-type"] = "github.v3; format=json";
    res.writeHead(result.status, headers);
    res.end(JSON.stringify(result.body));
    return headers["content-type"];
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "Problems parsing JSON");
  }
}

export function createGitHubEmulator(options: EmulatorOptions = {}): GitHubEmulator {
  return new GitHubEmulator(options);
}

/**
 * GitHub gives every 200 answer to a GET an ETag (weak for JSON): the same answer, the same tag, so
 * a client revalidates a listing (an issue's comments, say) with `If-None-Match`. Routes that set
 * their own (contents: the blob sha) keep it.
 */
function withEtag(method: string, result: RouteResult): RouteResult {
  if (method !== "GET" || result.status !== 200 || result.headers?.etag) return result;
  if (result.body === undefined && result.raw === undefined) return result;
  const hash = createHash("sha1")
    .update(result.raw ?? JSON.stringify(result.body))
    .update(result.headers?.link ?? "")
    .digest("hex");
  return { ...result, headers: { ...(result.headers ?? {}), etag: `W/"${hash}"` } };
}

/**
 * GitHub answers a GET whose `If-None-Match` names the current ETag with 304 and no body, and does
 * not count it against the rate limit.
 */
function notModifiedIfUnchanged(
  method: string,
  ifNoneMatch: string | string[] | undefined,
  result: RouteResult,
): RouteResult {
  const etag = result.headers?.etag;
  if (method !== "GET" || result.status !== 200 || !etag || typeof ifNoneMatch !== "string") {
    return result;
  }
  const wanted = ifNoneMatch.split(",").map((tag) => tag.trim().replace(/^W\//, ""));
  if (!wanted.includes(etag.replace(/^W\//, ""))) return result;
  return { status: 304, headers: { etag } };
}
