// A tiny in-memory repository (issues, comments, labels, sub-issues) that answers the matching
// REST routes through a FakeGitHub, so stateful tests ("list issues after creating one") are easy.
//
//     const repo = new FakeRepo("acme", "web").serve(api);
//     repo.addIssue({ title: "Incident: DB down", labels: ["incident"] });
//     ...run the app...
//     expect(repo.issue(2)?.title).toBe("Post-mortem: DB down");
import type { FakeGitHub, IncomingRequest, ReplyObject } from "./github-api.js";
import { paginate } from "./github-api.js";
import { makeLabel, makeUser, stableId } from "./webhooks.js";

type User = ReturnType<typeof makeUser>;
type Label = Omit<ReturnType<typeof makeLabel>, "description"> & { description: string | null };

export interface FakeIssue {
  id: number;
  node_id: string;
  url: string;
  repository_url: string;
  labels_url: string;
  comments_url: string;
  events_url: string;
  html_url: string;
  number: number;
  state: "open" | "closed";
  state_reason: string | null;
  title: string;
  body: string | null;
  user: User;
  labels: Label[];
  assignee: User | null;
  assignees: User[];
  milestone: null;
  locked: boolean;
  active_lock_reason: string | null;
  comments: number;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
  closed_by: User | null;
  author_association: string;
  type: null;
  sub_issues_summary: { total: number; completed: number; percent_completed: number };
  parent_issue_url?: string;
}

export interface FakeComment {
  id: number;
  node_id: string;
  url: string;
  html_url: string;
  issue_url: string;
  body: string;
  user: User;
  created_at: string;
  updated_at: string;
  author_association: string;
}

export interface NewIssue {
  title: string;
  body?: string | null;
  labels?: string[];
  assignees?: string[];
  /** login of the author (default: the repo's `actor`) */
  user?: string;
  state?: "open" | "closed";
  state_reason?: string | null;
}

const NOT_FOUND = {
  status: 404,
  body: {
    message: "Not Found",
    documentation_url: "https://docs.github.com/rest",
    status: "404",
  },
};

function unprocessable(message: string): ReplyObject {
  return {
    status: 422,
    body: {
      message,
      documentation_url: "https://docs.github.com/rest",
      status: "422",
    },
  };
}

export interface FakeDeployment {
  id: number;
  createdAt: string;
  environment: string;
  ref: string | null;
  sha: string;
  creator: string | null;
  /** The latest status (GraphQL's upper-case state), or none yet. */
  status: { state: string; createdAt: string } | null;
}

export interface FakePull {
  number: number;
  title: string;
  user: string;
  state?: "open" | "closed";
  base?: string;
  merged_at: string | null;
  merge_commit_sha: string | null;
  updated_at?: string;
}

export class FakeRepo {
  readonly owner: string;
  readonly repo: string;
  /** login used for things the app creates (default `postmortem-bot[bot]`) */
  actor: string;
  readonly issues: FakeIssue[] = [];
  readonly comments = new Map<number, FakeComment[]>();
  /** comment id → when its text was last edited (GraphQL `lastEditedAt`); absent: never. */
  readonly lastEditedAt = new Map<number, string>();
  readonly labels = new Map<string, Label>();
  /** parent issue number → child issue ids, in order */
  readonly subIssues = new Map<number, number[]>();
  /** Deployments, any order, as GraphQL's `repository.deployments` nodes report them. */
  readonly deployments: FakeDeployment[] = [];
  /** Pull requests (`GET /pulls`): closed ones into `main` unless said otherwise. */
  readonly pulls: FakePull[] = [];
  /** `base...head` → the shas of the commits in head and not in base (`compare`). */
  readonly compares = new Map<string, string[]>();
  private clock: number;

  constructor(owner: string, repo: string, options: { actor?: string; now?: Date } = {}) {
    this.owner = owner;
    this.repo = repo;
    this.actor = options.actor ?? "postmortem-bot[bot]";
    this.clock = (options.now ?? new Date("2026-01-01T00:00:00Z")).getTime();
  }

  private get api(): string {
    return `https://api.github.com/repos/${this.owner}/${this.repo}`;
  }

  /** A timestamp one second after the previous one (deterministic). */
  private tick(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString().replace(/\.\d+Z$/, "Z");
  }

  private label(name: string): Label {
    let label = this.labels.get(name.toLowerCase());
    if (!label) {
      label = makeLabel(this.owner, this.repo, name);
      this.labels.set(name.toLowerCase(), label);
    }
    return label;
  }

  issue(number: number): FakeIssue | undefined {
    return this.issues.find((i) => i.number === number);
  }

  issueById(id: number): FakeIssue | undefined {
    return this.issues.find((i) => i.id === id);
  }

  addIssue(input: NewIssue): FakeIssue {
    const number = this.issues.length + 1;
    const now = this.tick();
    const id = stableId(`${this.owner}/${this.repo}#${number}`);
    const url = `${this.api}/issues/${number}`;
    const assignees = (input.assignees ?? []).map((login) => makeUser(login));
    const closed = input.state === "closed";
    const issue: FakeIssue = {
      id,
      node_id: `I_${Buffer.from(String(id)).toString("base64url")}`,
      url,
      repository_url: this.api,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: `https://github.com/${this.owner}/${this.repo}/issues/${number}`,
      number,
      state: closed ? "closed" : "open",
      state_reason: input.state_reason ?? (closed ? "completed" : null),
      title: input.title,
      body: input.body ?? null,
      user: makeUser(input.user ?? this.actor),
      labels: (input.labels ?? []).map((name) => this.label(name)),
      assignee: assignees[0] ?? null,
      assignees,
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: 0,
      closed_at: closed ? now : null,
      created_at: now,
      updated_at: now,
      closed_by: null,
      author_association: "NONE",
      type: null,
      sub_issues_summary: { total: 0, completed: 0, percent_completed: 0 },
    };
    this.issues.push(issue);
    return issue;
  }

  addComment(issueNumber: number, input: { body: string; user?: string }): FakeComment {
    const issue = this.issue(issueNumber);
    if (!issue) throw new Error(`no issue #${issueNumber} in ${this.owner}/${this.repo}`);
    const list = this.comments.get(issueNumber) ?? [];
    const id = stableId(`${this.owner}/${this.repo}#${issueNumber}/comment/${list.length + 1}`);
    const now = this.tick();
    const comment: FakeComment = {
      id,
      node_id: `IC_${Buffer.from(String(id)).toString("base64url")}`,
      url: `${this.api}/issues/comments/${id}`,
      html_url: `${issue.html_url}#issuecomment-${id}`,
      issue_url: issue.url,
      body: input.body,
      user: makeUser(input.user ?? this.actor),
      created_at: now,
      updated_at: now,
      author_association: "NONE",
    };
    list.push(comment);
    this.comments.set(issueNumber, list);
    issue.comments = list.length;
    return comment;
  }

  private updateIssue(issue: FakeIssue, patch: Record<string, unknown>): void {
    if (typeof patch.title === "string") issue.title = patch.title;
    if (patch.body !== undefined) issue.body = patch.body as string | null;
    if (Array.isArray(patch.labels)) {
      issue.labels = patch.labels.map((l) =>
        this.label(typeof l === "string" ? l : String((l as { name?: string }).name)),
      );
    }
    if (Array.isArray(patch.assignees)) {
      issue.assignees = (patch.assignees as string[]).map((login) => makeUser(login));
      issue.assignee = issue.assignees[0] ?? null;
    }
    if (patch.state === "closed" && issue.state === "open") {
      issue.state = "closed";
      issue.closed_at = this.tick();
      issue.closed_by = makeUser(this.actor);
      issue.state_reason = (patch.state_reason as string | undefined) ?? "completed";
    } else if (patch.state === "open" && issue.state === "closed") {
      issue.state = "open";
      issue.closed_at = null;
      issue.closed_by = null;
      issue.state_reason = "reopened";
    }
    issue.updated_at = this.tick();
    this.refreshSummaries();
  }

  private refreshSummaries(): void {
    for (const issue of this.issues) {
      const children = (this.subIssues.get(issue.number) ?? [])
        .map((id) => this.issueById(id))
        .filter((c): c is FakeIssue => c !== undefined);
      const completed = children.filter((c) => c.state === "closed").length;
      issue.sub_issues_summary = {
        total: children.length,
        completed,
        percent_completed: children.length ? Math.floor((completed * 100) / children.length) : 0,
      };
    }
  }

  /** Issues as `GET /repos/{owner}/{repo}/issues` filters them (state, labels, creator, assignee). */
  listIssues(query: Record<string, string | string[]> = {}): FakeIssue[] {
    const one = (k: string) => {
      const v = query[k];
      return Array.isArray(v) ? v[0] : v;
    };
    const state = one("state") ?? "open";
    const labels = (one("labels") ?? "")
      .split(",")
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean);
    const creator = one("creator");
    const assignee = one("assignee");
    const since = one("since");
    let list = this.issues.filter(
      (i) =>
        (state === "all" || i.state === state) &&
        (!since || Date.parse(i.updated_at) >= Date.parse(since)) &&
        labels.every((l) => i.labels.some((x) => x.name.toLowerCase() === l)) &&
        (!creator || i.user.login === creator) &&
        (!assignee ||
          (assignee === "none"
            ? i.assignees.length === 0
            : assignee === "*"
              ? i.assignees.length > 0
              : i.assignees.some((a) => a.login === assignee))),
    );
    const sort = one("sort") ?? "created";
    const key = (i: FakeIssue) =>
      (sort === "updated" ? i.updated_at : i.created_at) + `#${i.number}`;
    list = [...list].sort((a, b) => key(a).localeCompare(key(b)));
    if ((one("direction") ?? "desc") === "desc") list.reverse();
    return list;
  }

  /**
   * Answers the routes below for this owner/repo through `api` (persistent and optional
   * expectations; declared expectations still win, so a test can make one call fail).
   */
  serve(api: FakeGitHub): this {
    const base = `/repos/${this.owner}/${this.repo}`;
    const on = (route: string, fn: (req: IncomingRequest) => ReplyObject) =>
      api.expect(route, { persist: true, name: `FakeRepo ${route}`, reply: fn });
    const withIssue = (
      req: IncomingRequest,
      fn: (issue: FakeIssue) => ReplyObject,
    ): ReplyObject => {
      const issue = this.issue(Number(req.params.issue_number));
      return issue ? fn(issue) : NOT_FOUND;
    };
    const body = (req: IncomingRequest) => (req.body ?? {}) as Record<string, unknown>;

    on(`GET ${base}/issues`, (req) => paginate(req, this.listIssues(req.query)));
    on(`POST ${base}/issues`, (req) => {
      const b = body(req);
      const issue = this.addIssue({
        title: String(b.title),
        body: (b.body as string | undefined) ?? null,
        labels: ((b.labels as unknown[] | undefined) ?? []).map((l) =>
          typeof l === "string" ? l : String((l as { name?: string }).name),
        ),
        assignees: (b.assignees as string[] | undefined) ?? [],
      });
      return { status: 201, body: issue };
    });
    on(`GET ${base}/issues/{issue_number}`, (req) =>
      withIssue(req, (issue) => ({ status: 200, body: issue })),
    );
    on(`PATCH ${base}/issues/{issue_number}`, (req) =>
      withIssue(req, (issue) => {
        this.updateIssue(issue, body(req));
        return { status: 200, body: issue };
      }),
    );
    on(`GET ${base}/issues/{issue_number}/comments`, (req) =>
      withIssue(req, (issue) => paginate(req, this.comments.get(issue.number) ?? [])),
    );
    on(`POST ${base}/issues/{issue_number}/comments`, (req) =>
      withIssue(req, (issue) => ({
        status: 201,
        body: this.addComment(issue.number, { body: String(body(req).body) }),
      })),
    );
    on(`PATCH ${base}/issues/comments/{comment_id}`, (req) => {
      const id = Number(req.params.comment_id);
      const comment = [...this.comments.values()].flat().find((c) => c.id === id);
      if (!comment) return NOT_FOUND;
      comment.body = String(body(req).body);
      comment.updated_at = this.tick();
      this.lastEditedAt.set(comment.id, comment.updated_at);
      return { status: 200, body: comment };
    });
    on(`GET ${base}/pulls`, (req) => {
      const query = req.query ?? {};
      const list = this.pulls
        .filter(
          (pull) => (query.state ?? "open") === "all" || (pull.state ?? "closed") === query.state,
        )
        .filter((pull) => query.base === undefined || (pull.base ?? "main") === query.base)
        .sort((a, b) =>
          (b.updated_at ?? b.merged_at ?? "").localeCompare(a.updated_at ?? a.merged_at ?? ""),
        )
        .map((pull) => ({
          number: pull.number,
          title: pull.title,
          state: pull.state ?? "closed",
          user: makeUser(pull.user),
          merged_at: pull.merged_at,
          merge_commit_sha: pull.merge_commit_sha,
          updated_at: pull.updated_at ?? pull.merged_at,
          base: { ref: pull.base ?? "main" },
        }));
      return paginate(req, list);
    });
    on(`GET ${base}/compare/{basehead}`, (req) => {
      const shas = this.compares.get(decodeURIComponent(String(req.params.basehead)));
      if (!shas) return NOT_FOUND;
      const perPage = Number((req.query ?? {}).per_page ?? 250);
      return {
        status: 200,
        body: {
          status: shas.length === 0 ? "identical" : "ahead",
          total_commits: shas.length,
          commits: shas.slice(0, perPage).map((sha) => ({ sha })),
        },
      };
    });
    // The approval gate's question: `nodes(ids:) { ... on IssueComment { id lastEditedAt } }`;
    // the changes block's: `repository { deployments(environments:, first:) { nodes … } }`.
    on("POST /graphql", (req) => {
      const query = typeof body(req).query === "string" ? (body(req).query as string) : "";
      if (query.includes("deployments(")) {
        const variables = (body(req).variables ?? {}) as {
          environments?: string[];
          first?: number;
        };
        const nodes = this.deployments
          .filter((d) => !variables.environments || variables.environments.includes(d.environment))
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)
          .slice(0, variables.first ?? 10)
          .map((d) => ({
            databaseId: d.id,
            createdAt: d.createdAt,
            environment: d.environment,
            ref: d.ref === null ? null : { name: d.ref },
            commitOid: d.sha,
            creator: d.creator === null ? null : { login: d.creator },
            latestStatus: d.status,
          }));
        return { status: 200, body: { data: { repository: { deployments: { nodes } } } } };
      }
      const ids = (body(req).variables as { ids?: string[] } | undefined)?.ids ?? [];
      const all = [...this.comments.values()].flat();
      const nodes = ids.map((id) => {
        const comment = all.find((c) => c.node_id === id);
        return comment ? { id, lastEditedAt: this.lastEditedAt.get(comment.id) ?? null } : null;
      });
      return { status: 200, body: { data: { nodes } } };
    });
    on(`POST ${base}/issues/{issue_number}/labels`, (req) =>
      withIssue(req, (issue) => {
        const names = (body(req).labels as string[] | undefined) ?? [];
        for (const name of names) {
          if (!issue.labels.some((l) => l.name.toLowerCase() === name.toLowerCase())) {
            issue.labels.push(this.label(name));
          }
        }
        issue.updated_at = this.tick();
        return { status: 200, body: issue.labels };
      }),
    );
    on(`DELETE ${base}/issues/{issue_number}/labels/{name}`, (req) =>
      withIssue(req, (issue) => {
        const name = (req.params.name ?? "").toLowerCase();
        if (!issue.labels.some((l) => l.name.toLowerCase() === name)) return NOT_FOUND;
        issue.labels = issue.labels.filter((l) => l.name.toLowerCase() !== name);
        return { status: 200, body: issue.labels };
      }),
    );
    on(`GET ${base}/labels/{name}`, (req) => {
      const label = this.labels.get((req.params.name ?? "").toLowerCase());
      return label ? { status: 200, body: label } : NOT_FOUND;
    });
    on(`POST ${base}/labels`, (req) => {
      const b = body(req);
      const name = String(b.name);
      if (this.labels.has(name.toLowerCase())) return unprocessable("Validation Failed");
      const label = {
        ...makeLabel(this.owner, this.repo, name, (b.color as string | undefined) ?? "ededed"),
        description: (b.description as string | undefined) ?? null,
      };
      this.labels.set(name.toLowerCase(), label);
      return { status: 201, body: label };
    });
    on(`GET ${base}/issues/{issue_number}/sub_issues`, (req) =>
      withIssue(req, (issue) =>
        paginate(
          req,
          (this.subIssues.get(issue.number) ?? []).map((id) => this.issueById(id)),
        ),
      ),
    );
    on(`POST ${base}/issues/{issue_number}/sub_issues`, (req) =>
      withIssue(req, (parent) => {
        const child = this.issueById(Number(body(req).sub_issue_id));
        if (!child) return unprocessable("Validation Failed: sub-issue not found");
        const all = [...this.subIssues.values()].flat();
        if (all.includes(child.id) && body(req).replace_parent !== true) {
          return unprocessable("Validation Failed: sub-issue already has a parent");
        }
        for (const [n, ids] of this.subIssues) {
          this.subIssues.set(
            n,
            ids.filter((id) => id !== child.id),
          );
        }
        const list = this.subIssues.get(parent.number) ?? [];
        if (list.length >= 100) return unprocessable("Validation Failed: too many sub-issues");
        this.subIssues.set(parent.number, [...list, child.id]);
        child.parent_issue_url = parent.url;
        this.refreshSummaries();
        return { status: 201, body: parent };
      }),
    );
    return this;
  }
}
