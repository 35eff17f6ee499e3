import type { Octokit } from "@octokit/rest";
import { composeConfigGet } from "@probot/octokit-plugin-config";
import { CONFIG_PATH } from "../core/config.js";
import { findMarker } from "../core/markers.js";
import type { Step } from "../core/plan.js";
import type { CommentSnapshot, IssueSnapshot, RepositoryRef } from "../core/snapshots.js";
import type { ApiComment, ApiIssue } from "./snapshots.js";
import { commentFromApi, issueFromApi } from "./snapshots.js";

/** What the gateway needs of an Octokit: both Probot's and @octokit/rest's provide it. */
export type GitHubApi = Pick<Octokit, "request" | "paginate">;

export interface RawConfig {
  /** The merged configuration object, before validation. */
  value: unknown;
  /** The files it came from (repository, then org `.github`, then `_extends`), as URLs. */
  files: string[];
}

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

/**
 * The only place that talks to GitHub. Reads return snapshots for the core; `apply` performs one
 * planned step so that applying it twice is harmless.
 */
export class GitHubGateway {
  constructor(
    private readonly api: GitHubApi,
    readonly repository: RepositoryRef,
  ) {}

  private get repoParams() {
    return { owner: this.repository.owner, repo: this.repository.repo };
  }

  /** Probot's loader: the repository's file, else the org's `.github` repository, with `_extends`. */
  async loadRawConfig(): Promise<RawConfig> {
    const { config, files } = await composeConfigGet(this.api as never, {
      ...this.repoParams,
      path: CONFIG_PATH,
    });
    return {
      value: config,
      files: files.filter((file) => file.config !== null).map((file) => file.url),
    };
  }

  async getIssue(issueNumber: number): Promise<IssueSnapshot | undefined> {
    try {
      const { data } = await this.api.request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
        ...this.repoParams,
        issue_number: issueNumber,
      });
      // A transferred issue answers with the issue in its new repository.
      if (
        !data.repository_url.endsWith(`/repos/${this.repository.owner}/${this.repository.repo}`)
      ) {
        return undefined;
      }
      return issueFromApi(data as ApiIssue);
    } catch (error) {
      if (isStatus(error, 404, 410)) return undefined;
      throw error;
    }
  }

  /**
   * Post-mortems of an incident, found through the label listing, which (unlike issue search) is
   * consistent right after a create. Only bot-authored issues count: a marker typed by a person
   * proves nothing.
   */
  async listPostmortemsOf(incidentNumber: number, label: string): Promise<IssueSnapshot[]> {
    const issues = await this.api.paginate("GET /repos/{owner}/{repo}/issues", {
      ...this.repoParams,
      labels: label,
      state: "all",
      sort: "created",
      direction: "asc",
      per_page: 100,
    });
    return issues
      .map((issue) => issueFromApi(issue as ApiIssue))
      .filter(
        (issue) =>
          !issue.isPullRequest &&
          issue.author.type === "Bot" &&
          findMarker(issue.body, "postmortem")?.incident === incidentNumber,
      );
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
      case "closeIssue":
        await this.api.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
          ...this.repoParams,
          issue_number: step.issueNumber,
          state: "closed",
          state_reason: step.stateReason,
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

  private async ensureLabel(name: string, color: string, description: string): Promise<void> {
    try {
      await this.api.request("GET /repos/{owner}/{repo}/labels/{name}", {
        ...this.repoParams,
        name,
      });
      return;
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
    }
    try {
      await this.api.request("POST /repos/{owner}/{repo}/labels", {
        ...this.repoParams,
        name,
        color,
        description,
      });
    } catch (error) {
      // Created meanwhile by another delivery.
      if (!isStatus(error, 422)) throw error;
    }
  }
}

export function isStatus(error: unknown, ...statuses: number[]): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "status" in error &&
    statuses.includes((error as { status: number }).status)
  );
}
