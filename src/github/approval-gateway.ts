import type { Octokit } from "@octokit/rest";
import type { ApprovalComment } from "../core/approvals/ledger.js";
import { parseApprovalCommand } from "../core/approvals/ledger.js";
import type { Person } from "../core/approvals/people.js";
import type { ApprovalStep } from "../core/approvals/plan.js";
import type { IssueSnapshot, RepositoryRef } from "../core/snapshots.js";
import type { Logger } from "../core/logger.js";
import type { ConfigCache } from "./config-cache.js";
import type { GitHubApi } from "./api.js";
import { isStatus } from "./api.js";
import type { GatewayOptions, RawConfig } from "./gateway.js";
import { GitHubGateway } from "./gateway.js";
import { EvidenceGateway } from "./evidence-gateway.js";
import { ProjectsGateway } from "./projects.js";
import { CulpritCheckGateway } from "./culprit-check-gateway.js";
import type { PathIndexRead } from "./path-index.js";
import { knownPathIndex } from "./path-index.js";
import { ChangesGateway } from "./changes-gateway.js";
import type { ApiAccount } from "./snapshots.js";
import { accountFromApi } from "./snapshots.js";

interface ApiTimedComment {
  id: number;
  node_id: string;
  body?: string | null;
  user: ApiAccount | null;
  created_at: string;
  updated_at: string;
  author_association?: string;
}

/** The gate also needs GraphQL, for the comments' edit history. */
export type ApprovalApi = GitHubApi & Pick<Octokit, "graphql">;

/** REST has no edit history; GraphQL's `lastEditedAt` is null until someone edits the text. */
export const LAST_EDITED_QUERY =
  "query($ids: [ID!]!) { nodes(ids: $ids) { ... on IssueComment { id lastEditedAt } } }";

/** GraphQL's limit for `nodes(ids:)`. */
const NODES_PER_QUERY = 100;

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
  private warnedNoEditHistory = false;

  constructor(
    private readonly api: ApprovalApi,
    readonly repository: RepositoryRef,
    /** Where the one warning about a missing edit history goes (once per gateway). */
    private readonly log: Pick<Logger, "warn"> = { warn: () => {} },
    private readonly configCache?: ConfigCache,
    options: GatewayOptions = {},
  ) {
    this.base = new GitHubGateway(api, repository, configCache, options);
  }

  /** The culprit check's reads and writes (src/github/culprit-check-gateway.ts), same client. */
  get culpritCheck(): CulpritCheckGateway {
    return new CulpritCheckGateway(this.api, this.repository, this.configCache);
  }

  /** The path index if the cache holds it fresh; never a request. */
  knownPathIndex(): PathIndexRead | undefined {
    return this.configCache
      ? knownPathIndex(this.configCache, this.repository.owner, this.repository.repo)
      : undefined;
  }

  /** GitHub Projects (v2) through GraphQL (src/github/projects.ts), with the same client. */
  get projects(): ProjectsGateway {
    return new ProjectsGateway(this.api, this.base);
  }

  /** The evidence flows' reads (src/github/evidence-gateway.ts), with the same client. */
  get evidence(): EvidenceGateway {
    return new EvidenceGateway(this.api, this.repository);
  }

  /** The reads of the Changes before the incident block (src/github/changes-gateway.ts). */
  get changes(): ChangesGateway {
    return new ChangesGateway(this.api, this.repository);
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

  /**
   * The issue's comments, each with whether its text was ever edited. For the command comments
   * of people (the only ones the ledger judges) that is GraphQL's `lastEditedAt`, one request per
   * 100 of them; `updated_at` is not used for them because GitHub may move it without an edit.
   * Where GraphQL cannot answer (an older GHES, a token without access), the REST rule
   * `updated_at ≠ created_at` stands in, with a warning: stricter if reactions move `updated_at`,
   * blind to an edit within the same second, but never an approval without evidence.
   *
   * `editHistoryOf` narrows the command comments whose history is read (default: every person's);
   * the others get the REST rule, with no request and no warning.
   */
  async listComments(
    issueNumber: number,
    editHistoryOf: (comment: Pick<ApprovalComment, "author" | "authorAssociation">) => boolean = (
      comment,
    ) => comment.author.type !== "Bot",
  ): Promise<ApprovalComment[]> {
    const comments = (await this.api.paginate(
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      { ...this.repoParams, issue_number: issueNumber, per_page: 100 },
    )) as ApiTimedComment[];
    const read = comments.map((comment) => ({
      comment,
      author: accountFromApi(comment.user),
      ...(comment.author_association ? { authorAssociation: comment.author_association } : {}),
    }));
    const candidates = read.filter(
      (entry) =>
        entry.author.type !== "Bot" &&
        parseApprovalCommand(entry.comment.body) !== undefined &&
        editHistoryOf(entry),
    );
    const lastEdited = await this.lastEditedAt(candidates.map((entry) => entry.comment.node_id));
    return read.map(({ comment, ...who }) => {
      const known = lastEdited.get(comment.node_id);
      return {
        id: comment.id,
        body: comment.body ?? "",
        ...who,
        createdAt: comment.created_at,
        edited: known === undefined ? comment.updated_at !== comment.created_at : known !== null,
      };
    });
  }

  /**
   * node id → `lastEditedAt` (null: never edited) for the ids GraphQL answered about; an id it
   * could not answer about is absent (and warned about once), so the caller falls back.
   */
  private async lastEditedAt(nodeIds: readonly string[]): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>();
    for (let start = 0; start < nodeIds.length; start += NODES_PER_QUERY) {
      const ids = nodeIds.slice(start, start + NODES_PER_QUERY);
      let nodes: unknown;
      let failure: string | undefined;
      try {
        const data = await this.api.graphql<{ nodes?: unknown }>(LAST_EDITED_QUERY, { ids });
        nodes = data?.nodes;
      } catch (error) {
        // A GraphQL error (e.g. NOT_FOUND for a comment deleted meanwhile) still carries the
        // data GitHub could give; anything else (HTTP 4xx/5xx, network) carries none.
        nodes = (error as { data?: { nodes?: unknown } } | null)?.data?.nodes;
        failure = error instanceof Error ? error.message : String(error);
      }
      const answered = readLastEdited(nodes);
      for (const id of ids) {
        if (answered.has(id)) found.set(id, answered.get(id)!);
      }
      const missing = ids.filter((id) => !answered.has(id));
      if (missing.length > 0) {
        this.warnNoEditHistory(
          failure ?? `no answer for ${missing.length} of ${ids.length} comment(s)`,
        );
      }
    }
    return found;
  }

  private warnNoEditHistory(reason: string): void {
    if (this.warnedNoEditHistory) return;
    this.warnedNoEditHistory = true;
    this.log.warn(
      `Could not read whether /approve comments were edited through GraphQL (${reason}); falling back to REST: a comment whose updated_at differs from its created_at counts as edited, so its approval does not count.`,
    );
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
            `Cannot read the membership of @${login} in the team ${org}/${slug}: the token lacks organization Members read (a role lists \`teams\`: give this App "Organization permissions → Members: read", or, in the Action, whose default GITHUB_TOKEN cannot read teams, pass a GitHub App or personal token as \`github-token\`).`,
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
    return (await this.lastLabeling(issueNumber, label))?.login;
  }

  /** Who added a label last, and when, read from the issue's events. */
  lastLabeling(
    issueNumber: number,
    label: string,
  ): Promise<{ login: string | undefined; at: string } | undefined> {
    return this.base.lastLabeling(issueNumber, label);
  }

  async listPullRequestFiles(pullNumber: number): Promise<PullRequestFile[]> {
    const files = await this.api.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", {
      ...this.repoParams,
      pull_number: pullNumber,
      per_page: 100,
    });
    return files.map((file) => ({ path: file.filename, status: file.status }));
  }

  /**
   * People whose latest deciding review of the pull request approves its head commit. An approval
   * given to an earlier commit does not cover what was pushed after it, so it does not count (the
   * same rule as GitHub's "dismiss stale approvals", whether or not the branch has it on).
   */
  async listApprovingReviewers(pullNumber: number, headSha: string): Promise<string[]> {
    const reviews = await this.api.paginate(
      "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
      { ...this.repoParams, pull_number: pullNumber, per_page: 100 },
    );
    const latest = new Map<string, { state: string; commit: string | null | undefined }>();
    for (const review of reviews) {
      // A comment-only review neither gives nor takes back an approval.
      if (!review.user || review.state === "COMMENTED" || review.state === "PENDING") continue;
      latest.set(review.user.login.toLowerCase(), {
        state: review.state,
        commit: review.commit_id,
      });
    }
    const head = headSha.toLowerCase();
    const approvesHead = (login: string) => {
      const decision = latest.get(login.toLowerCase());
      return decision?.state === "APPROVED" && decision.commit?.toLowerCase() === head;
    };
    return reviews
      .map((review) => review.user?.login)
      .filter((login): login is string => login !== undefined)
      .filter((login, index, all) => all.indexOf(login) === index)
      .filter(approvesHead);
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

/** The IssueComment nodes of a `nodes(ids:)` answer; anything else is left out. */
function readLastEdited(nodes: unknown): Map<string, string | null> {
  const answered = new Map<string, string | null>();
  if (!Array.isArray(nodes)) return answered;
  for (const node of nodes as unknown[]) {
    if (typeof node !== "object" || node === null) continue;
    const { id, lastEditedAt } = node as { id?: unknown; lastEditedAt?: unknown };
    if (typeof id !== "string") continue;
    if (lastEditedAt === null || typeof lastEditedAt === "string") answered.set(id, lastEditedAt);
  }
  return answered;
}
