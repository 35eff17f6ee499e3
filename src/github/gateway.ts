import { composeConfigGet } from "@probot/octokit-plugin-config";
import type { GitHubApi } from "./api.js";
import { isStatus } from "./api.js";
import type { ConfigCache } from "./config-cache.js";
import { cacheKey } from "./config-cache.js";
import { guardConfigReads } from "./config-extends.js";
import { CONFIG_PATH } from "../core/constants.js";
import type { FormDefinitionResult } from "../core/forms/definition.js";
import { FORMS_DIRECTORY, isFormFile, parseFormDefinition } from "../core/forms/definition.js";
import type { Step } from "../core/plan.js";
import type { LabelChange } from "../core/severity-change/events.js";
import type { CommentSnapshot, IssueSnapshot, RepositoryRef } from "../core/snapshots.js";
import type { ApiAccount, ApiComment, ApiIssue } from "./snapshots.js";
import { commentFromApi, issueFromApi } from "./snapshots.js";

export interface RawConfig {
  /** The merged configuration object, before validation. */
  value: unknown;
  /** The files it came from (repository, then org `.github`, then `_extends`), as URLs. */
  files: string[];
}

/** How a gateway reads the configuration, beyond the repository it is for. */
export interface GatewayOptions {
  /**
   * Owners besides the repository's own whose files `_extends` may name (the App's
   * `CONFIG_EXTENDS_OWNERS`, the Action's `config-extends-owners`); none by default
   * (src/github/config-extends.ts says why).
   */
  extendsOwners?: readonly string[];
}

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

/**
 * The only place that talks to GitHub. Reads return snapshots for the core; `apply` performs one
 * planned step so that applying it twice is harmless.
 */
export class GitHubGateway {
  constructor(
    /** The client; src/github modules that read beyond the gateway's methods take it. */
    readonly api: GitHubApi,
    readonly repository: RepositoryRef,
    /** The process's configuration cache (the App); none in the Action, which reads once. */
    private readonly configCache?: ConfigCache,
    private readonly options: GatewayOptions = {},
  ) {}

  private get repoParams() {
    return { owner: this.repository.owner, repo: this.repository.repo };
  }

  /**
   * The configuration as `interpret` makes it of the raw files, through the cache where there is
   * one: then it costs no request while fresh, and only 304s while unchanged.
   */
  async loadConfig<T>(interpret: (readRaw: () => Promise<RawConfig>) => Promise<T>): Promise<T> {
    const extendsOwners = this.options.extendsOwners ?? [];
    if (!this.configCache) {
      return interpret(() => readRawConfig(this.api, this.repoParams, extendsOwners));
    }
    return this.configCache.get(this.configKey, this.api, (api) =>
      interpret(() => readRawConfig(api, this.repoParams, extendsOwners)),
    );
  }

  /**
   * The repository's issue forms (`.github/ISSUE_TEMPLATE/*.yml` on the default branch), each read
   * or with the problem that keeps it from being read; cached and revalidated like the configuration.
   */
  async loadFormDefinitions(): Promise<FormDefinitionResult[]> {
    const read = (api: GitHubApi) => readFormDefinitions(api, this.repository);
    if (!this.configCache) return read(this.api);
    const key = cacheKey(this.repository.owner, this.repository.repo, "forms");
    return this.configCache.get(key, this.api, read);
  }

  /**
   * A read kept beside the configuration in the cache under `aside` (the path index), fresh for
   * `CONFIG_MAX_AGE`, then revalidated with ETags; without a cache (the Action) a plain read.
   */
  async cachedRead<T>(aside: string, read: (api: GitHubApi) => Promise<T>): Promise<T> {
    if (!this.configCache) return read(this.api);
    const key = cacheKey(this.repository.owner, this.repository.repo, aside);
    return this.configCache.get(key, this.api, read);
  }

  /** Drops what `cachedRead(aside, …)` holds for this repository, after the product changed it. */
  forgetCachedRead(aside: string): void {
    this.configCache?.forgetKey(cacheKey(this.repository.owner, this.repository.repo, aside));
  }

  /** The cached configuration if it is fresh; never a request. */
  knownConfig<T>(): T | undefined {
    return this.configCache?.peek<T>(this.configKey);
  }

  private get configKey(): string {
    return cacheKey(this.repository.owner, this.repository.repo);
  }

  /**
   * Probot's loader: the repository's file, else the org's `.github` repository, with `_extends`
   * (of the same owner, or of one in `extendsOwners`).
   */
  loadRawConfig(): Promise<RawConfig> {
    return readRawConfig(this.api, this.repoParams, this.options.extendsOwners ?? []);
  }

  async getIssue(issueNumber: number): Promise<IssueSnapshot | undefined> {
    const fate = await this.getIssueFate(issueNumber);
    return typeof fate === "object" ? fate : undefined;
  }

  /** The issue, or what became of it: deleted (404/410) or transferred to another repository. */
  async getIssueFate(issueNumber: number): Promise<IssueSnapshot | "deleted" | "transferred"> {
    try {
      const { data } = await this.api.request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
        ...this.repoParams,
        issue_number: issueNumber,
      });
      // GitHub redirects a transferred issue to its new repository.
      const here = `/repos/${this.repository.owner}/${this.repository.repo}`.toLowerCase();
      if (!data.repository_url.toLowerCase().endsWith(here)) return "transferred";
      return issueFromApi(data as ApiIssue);
    } catch (error) {
      if (isStatus(error, 404, 410)) return "deleted";
      throw error;
    }
  }

  /**
   * Issues with a label, in any state. The listing, unlike search, is consistent after a create.
   * `since` keeps it to issues updated since then, so it does not grow with the repository's
   * history: an issue created after that moment is always in it.
   */
  async listIssuesWithLabel(
    label: string,
    since?: string,
    state: "open" | "closed" | "all" = "all",
  ): Promise<IssueSnapshot[]> {
    const issues = await this.api.paginate("GET /repos/{owner}/{repo}/issues", {
      ...this.repoParams,
      labels: label,
      state,
      sort: "created",
      direction: "asc",
      per_page: 100,
      ...(since === undefined ? {} : { since }),
    });
    return issues
      .map((issue) => issueFromApi(issue as ApiIssue))
      .filter((issue) => !issue.isPullRequest);
  }

  /** Whether someone can be assigned issues here (GitHub drops others silently). */
  async isAssignable(login: string): Promise<boolean> {
    try {
      await this.api.request("GET /repos/{owner}/{repo}/assignees/{assignee}", {
        ...this.repoParams,
        assignee: login,
      });
      return true;
    } catch (error) {
      if (isStatus(error, 404)) return false;
      throw error;
    }
  }

  async listComments(issueNumber: number): Promise<CommentSnapshot[]> {
    const comments = await this.api.paginate(
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      {
        ...this.repoParams,
        issue_number: issueNumber,
        per_page: 100,
      },
    );
    return comments.map((comment) => commentFromApi(comment as ApiComment));
  }

  async getPermission(login: string): Promise<Permission> {
    try {
      const { data } = await this.api.request(
        "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
        { ...this.repoParams, username: login },
      );
      // role_name keeps the distinctions (maintain, triage) that `permission` folds away.
      const role = data.role_name;
      if (["admin", "maintain", "write", "triage", "read"].includes(role))
        return role as Permission;
      return (data.permission as Permission | undefined) ?? "none";
    } catch (error) {
      if (isStatus(error, 404)) return "none";
      throw error;
    }
  }

  /**
   * The issue's latest change (added or removed) of any of these labels, and who made it, read
   * from the issue's events (labels compare without case).
   */
  async lastLabelChange(
    issueNumber: number,
    labels: readonly string[],
  ): Promise<LabelChange | undefined> {
    const wanted = new Set(labels.map((label) => label.toLowerCase()));
    const changes = (await this.labelEvents(issueNumber)).filter(
      (event) =>
        (event.event === "labeled" || event.event === "unlabeled") &&
        event.label !== undefined &&
        wanted.has(event.label.name.toLowerCase()),
    );
    const last = changes.at(-1);
    return last
      ? {
          login: last.actor?.login,
          at: last.created_at,
          action: last.event as LabelChange["action"],
          label: last.label!.name,
        }
      : undefined;
  }

  private async labelEvents(issueNumber: number) {
    const events = await this.api.paginate(
      "GET /repos/{owner}/{repo}/issues/{issue_number}/events",
      { ...this.repoParams, issue_number: issueNumber, per_page: 100 },
    );
    return events as Array<{
      event: string;
      label?: { name: string };
      actor?: ApiAccount | null;
      created_at: string;
    }>;
  }

  /** Who added a label last, and when, read from the issue's events. */
  async lastLabeling(
    issueNumber: number,
    label: string,
  ): Promise<{ login: string | undefined; at: string } | undefined> {
    const events = await this.api.paginate(
      "GET /repos/{owner}/{repo}/issues/{issue_number}/events",
      {
        ...this.repoParams,
        issue_number: issueNumber,
        per_page: 100,
      },
    );
    const added = (
      events as Array<{
        event: string;
        label?: { name: string };
        actor?: ApiAccount | null;
        created_at: string;
      }>
    ).filter(
      (event) =>
        event.event === "labeled" && event.label?.name.toLowerCase() === label.toLowerCase(),
    );
    const last = added.at(-1);
    return last ? { login: last.actor?.login, at: last.created_at } : undefined;
  }

  /** The names of the repository's labels, lower-cased (GitHub matches them regardless of case). */
  async listLabelNames(): Promise<Set<string>> {
    const labels = await this.api.paginate("GET /repos/{owner}/{repo}/labels", {
      ...this.repoParams,
      per_page: 100,
    });
    return new Set(labels.map((label) => label.name.toLowerCase()));
  }

  /** The workflow files (`.github/workflows/*.yml`) on the default branch, with their text. */
  async listWorkflowFiles(): Promise<{ path: string; text: string }[]> {
    let entries: unknown;
    try {
      entries = (
        await this.api.request("GET /repos/{owner}/{repo}/contents/{path}", {
          ...this.repoParams,
          path: ".github/workflows",
          ref: this.repository.defaultBranch,
        })
      ).data;
    } catch (error) {
      if (isStatus(error, 404)) return [];
      throw error;
    }
    const files: { path: string; text: string }[] = [];
    for (const entry of Array.isArray(entries)
      ? (entries as { type: string; path: string }[])
      : []) {
      if (entry.type !== "file" || !/\.ya?ml$/.test(entry.path)) continue;
      const text = await this.readFile(entry.path);
      if (text !== undefined) files.push({ path: entry.path, text });
    }
    return files;
  }

  /** A file's text on the default branch, or undefined when there is no such file. */
  async readFile(path: string): Promise<string | undefined> {
    try {
      const response = await this.api.request("GET /repos/{owner}/{repo}/contents/{path}", {
        ...this.repoParams,
        path,
        ref: this.repository.defaultBranch,
        mediaType: { format: "raw" },
      });
      return typeof response.data === "string" ? response.data : undefined;
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async apply(step: Step): Promise<void> {
    switch (step.kind) {
      case "ensureLabel":
        return this.ensureLabel(step.name, step.color, step.description);
      case "createIssue":
        await this.api.request("POST /repos/{owner}/{repo}/issues", {
          ...this.repoParams,
          title: step.title,
          body: step.body,
          labels: step.labels,
          assignees: step.assignees,
          // Never retried blindly: a lost answer may hide a successful create. The next round
          // reads the state again and only creates if nothing is there.
          request: { retries: 0 },
        });
        return;
      case "updateIssueBody":
        await this.api.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
          ...this.repoParams,
          issue_number: step.issueNumber,
          body: step.body,
        });
        return;
      case "addSubIssue":
        try {
          await this.api.request("POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues", {
            ...this.repoParams,
            issue_number: step.parentNumber,
            sub_issue_id: step.childId,
          });
        } catch (error) {
          // Older GitHub Enterprise Server has no sub-issues; GitHub caps them at 100 per parent.
          if (isStatus(error, 404)) throw new SubIssueError("unavailable", error);
          if (isStatus(error, 422) && /limit|maximum|100/i.test(messageOf(error))) {
            throw new SubIssueError("limit-reached", error);
          }
          if (isStatus(error, 422) && /already|duplicate/i.test(messageOf(error))) return;
          throw error;
        }
        return;
      case "closeIssue":
        await this.api.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
          ...this.repoParams,
          issue_number: step.issueNumber,
          state: "closed",
          state_reason: step.stateReason,
          ...(step.body === undefined ? {} : { body: step.body }),
        });
        return;
      case "createComment":
        await this.api.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
          ...this.repoParams,
          issue_number: step.issueNumber,
          body: step.body,
          request: { retries: 0 },
        });
        return;
      case "updateComment":
        await this.api.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
          ...this.repoParams,
          comment_id: step.commentId,
          body: step.body,
        });
        return;
      case "deleteComment":
        try {
          await this.api.request("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}", {
            ...this.repoParams,
            comment_id: step.commentId,
          });
        } catch (error) {
          // Another replica deleted it first: the goal is reached.
          if (!isStatus(error, 404)) throw error;
        }
        return;
      case "addLabels":
        // GitHub creates a label that does not exist yet.
        await this.api.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
          ...this.repoParams,
          issue_number: step.issueNumber,
          labels: step.labels,
        });
        return;
      case "removeLabel":
        try {
          await this.api.request(
            "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
            { ...this.repoParams, issue_number: step.issueNumber, name: step.name },
          );
        } catch (error) {
          // Someone (or another replica) removed it first: the goal is reached.
          if (!isStatus(error, 404)) throw error;
        }
        return;
      case "lockIssue":
        await this.api.request("PUT /repos/{owner}/{repo}/issues/{issue_number}/lock", {
          ...this.repoParams,
          issue_number: step.issueNumber,
        });
        return;
      case "addReaction":
        await this.api.request(
          "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
          {
            ...this.repoParams,
            comment_id: step.commentId,
            content: step.content,
          },
        );
        return;
    }
  }

  /** One request either way: GitHub refuses to create a label that exists (422). */
  private async ensureLabel(name: string, color: string, description: string): Promise<void> {
    try {
      await this.api.request("POST /repos/{owner}/{repo}/labels", {
        ...this.repoParams,
        name,
        color,
        description,
      });
    } catch (error) {
      // It exists already (or another delivery created it meanwhile).
      if (!isStatus(error, 422)) throw error;
    }
  }
}

async function readFormDefinitions(
  api: GitHubApi,
  repository: RepositoryRef,
): Promise<FormDefinitionResult[]> {
  const params = { owner: repository.owner, repo: repository.repo, ref: repository.defaultBranch };
  let listing: unknown;
  try {
    ({ data: listing } = await api.request("GET /repos/{owner}/{repo}/contents/{path}", {
      ...params,
      path: FORMS_DIRECTORY,
    }));
  } catch (error) {
    if (isStatus(error, 404)) return [];
    throw error;
  }
  if (!Array.isArray(listing)) return [];
  const paths = (listing as Array<{ type: string; name: string; path: string }>)
    .filter((entry) => entry.type === "file" && isFormFile(entry.name))
    .map((entry) => entry.path)
    .sort();
  return Promise.all(
    paths.map(async (path) => {
      const response = await api.request("GET /repos/{owner}/{repo}/contents/{path}", {
        ...params,
        path,
        mediaType: { format: "raw" },
      });
      return typeof response.data === "string"
        ? parseFormDefinition(path, response.data)
        : { ok: false as const, problem: `\`${path}\` could not be read as text.` };
    }),
  );
}

async function readRawConfig(
  api: GitHubApi,
  repository: { owner: string; repo: string },
  extendsOwners: readonly string[],
): Promise<RawConfig> {
  // A file of another owner is refused before it is read (ExtendsRefused).
  const guarded = guardConfigReads(api, repository.owner, extendsOwners);
  const { config, files } = await composeConfigGet(guarded as never, {
    ...repository,
    path: CONFIG_PATH,
  });
  return {
    value: config,
    files: files.filter((file) => file.config !== null).map((file) => file.url),
  };
}

export class SubIssueError extends Error {
  constructor(
    readonly reason: "unavailable" | "limit-reached",
    cause: unknown,
  ) {
    super(`sub-issues ${reason}`, { cause });
  }
}

function messageOf(error: unknown): string {
  const response = (error as { response?: { data?: unknown } }).response;
  return JSON.stringify(response?.data ?? (error instanceof Error ? error.message : ""));
}

/**
 * A failure that trying again will not fix: GitHub refused the request itself (validation, a
 * locked issue, missing access), as opposed to a lost answer, a server error or a rate limit.
 */
export function isPermanentFailure(error: unknown): boolean {
  if (!isStatus(error, 400, 401, 403, 404, 410, 422)) return false;
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } })
    .response?.headers;
  const rateLimited =
    headers?.["retry-after"] !== undefined ||
    headers?.["x-ratelimit-remaining"] === "0" ||
    /rate limit/i.test(messageOf(error));
  return !rateLimited;
}
