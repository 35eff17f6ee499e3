import type { ApprovalComment } from "../core/approvals/ledger.js";
import type { Person } from "../core/approvals/people.js";
import type { ApprovalStep } from "../core/approvals/plan.js";
import type { IssueSnapshot, RepositoryRef } from "../core/snapshots.js";
import type { GitHubApi, RawConfig } from "./gateway.js";
import { GitHubGateway, isStatus } from "./gateway.js";
import type { ApiAccount } from "./snapshots.js";
import { accountFromApi } from "./snapshots.js";

interface ApiTimedComment {
  id: number;
  body?: string | null;
  user: ApiAccount | null;
  created_at: string;
  updated_at: string;
}

export interface PullRequestFile {
  path: string;
  status: string;
}

/**
 * The approval gate's reads and writes. Kept apart from GitHubGateway (which it uses for what the
 * two share) so the gate's GitHub surface is in one place; still the only Octokit code.
 */
export class ApprovalGateway {
  readonly base: GitHubGateway;

  constructor(
    private readonly api: GitHubApi,
    readonly repository: RepositoryRef,
  ) {
    this.base = new GitHubGateway(api, repository);
  }

  private get repoParams() {
    return { owner: this.repository.owner, repo: this.repository.repo };
  }

  loadRawConfig(): Promise<RawConfig> {
    return this.base.loadRawConfig();
  }

  getIssue(issueNumber: number): Promise<IssueSnapshot | undefined> {
    return this.base.getIssue(issueNumber);
  }

  /** Comments with both timestamps: an edited `/approve` comment proves nothing. */
  async listComments(issueNumber: number): Promise<ApprovalComment[]> {
    const comments = await this.api.paginate(
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      { ...this.repoParams, issue_number: issueNumber, per_page: 100 },
    );
    return (comments as ApiTimedComment[]).map((comment) => ({
      id: comment.id,
      body: comment.body ?? "",
      author: accountFromApi(comment.user),
      createdAt: comment.created_at,
      updatedAt: comment.updated_at,
    }));
  }

  /** A person's permission and which of `teams` (`slug` or `org/slug`) they actively belong to. */
  async getPerson(login: string, teams: readonly string[]): Promise<Person> {
    const permission = await this.base.getPermission(login);
    const memberOf: string[] = [];
    for (const team of teams) {
      const [org, slug] = team.includes("/")
        ? (team.split("/", 2) as [string, string])
        : [this.repository.owner, team];
      try {
        const { data } = await this.api.request(
          "GET /orgs/{org}/teams/{team_slug}/memberships/{username}",
          { org, team_slug: slug, username: login },
        );
        if (data.state === "active") memberOf.push(team);
      } catch (error) {
        // 404: not a member (or the team is invisible to this token).
        if (isStatus(error, 404)) continue;
        if (isStatus(error, 401, 403)) {
          // Guessing "not a member" would refuse real approvers without saying why.
          throw new Error(
            `Cannot read the membership of @${login} in the team ${org}/${slug}: the token lacks organization Members read (the Action's default GITHUB_TOKEN cannot read teams; pass a GitHub App or personal token as \`github-token\`).`,
            { cause: error },
          );
        }
        throw error;
      }
    }
    return { permission, teams: memberOf };
  }

  /** Who added `label` most recently, from the issue's events (labels compare without case). */
  async lastLabeledBy(issueNumber: number, label: string): Promise<string | undefined> {
    const events = await this.api.paginate(
      "GET /repos/{owner}/{repo}/issues/{issue_number}/events",
      {
        ...this.repoParams,
        issue_number: issueNumber,
        per_page: 100,
      },
    );
    const added = (
      events as Array<{ event: string; label?: { name: string }; actor?: ApiAccount | null }>
    ).filter(
      (event) =>
        event.event === "labeled" && event.label?.name.toLowerCase() === label.toLowerCase(),
    );
    const last = added.at(-1);
    return last?.actor ? last.actor.login : undefined;
  }

  async listPullRequestFiles(pullNumber: number): Promise<PullRequestFile[]> {
    const files = await this.api.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", {
      ...this.repoParams,
      pull_number: pullNumber,
      per_page: 100,
    });
    return files.map((file) => ({ path: file.filename, status: file.status }));
  }

  /** People whose latest deciding review of the pull request is an approval. */
  async listApprovingReviewers(pullNumber: number): Promise<string[]> {
    const reviews = await this.api.paginate(
      "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
      { ...this.repoParams, pull_number: pullNumber, per_page: 100 },
    );
    const latest = new Map<string, string>();
    for (const review of reviews) {
      // A comment-only review neither gives nor takes back an approval.
      if (!review.user || review.state === "COMMENTED" || review.state === "PENDING") continue;
      latest.set(review.user.login.toLowerCase(), review.state);
    }
    return reviews
      .map((review) => review.user?.login)
      .filter((login): login is string => login !== undefined)
      .filter((login, index, all) => all.indexOf(login) === index)
      .filter((login) => latest.get(login.toLowerCase()) === "APPROVED");
  }

  /** A file's text at a commit, or undefined when it is not there. */
  async readFileAt(path: string, ref: string): Promise<string | undefined> {
    try {
      const response = await this.api.request("GET /repos/{owner}/{repo}/contents/{path}", {
        ...this.repoParams,
        path,
        ref,
        mediaType: { format: "raw" },
      });
      return typeof response.data === "string" ? response.data : undefined;
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async apply(step: ApprovalStep): Promise<void> {
    switch (step.kind) {
      case "setIssueBody":
        await this.api.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
          ...this.repoParams,
          issue_number: step.issueNumber,
          body: step.body,
        });
        return;
      case "reopenIssue":
        await this.api.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
          ...this.repoParams,
          issue_number: step.issueNumber,
          state: "open",
        });
        return;
      default:
        return this.base.apply(step);
    }
  }
}
