import type { Octokit } from "@octokit/rest";
import type {
  ChangesReads,
  ChangesWindow,
  ComparedCommits,
  DeploymentFact,
  PullFact,
} from "../core/changes/block.js";
import { compareKey, deploymentPairs } from "../core/changes/block.js";
import type { RepositoryRef } from "../core/snapshots.js";
import type { GitHubApi } from "./api.js";

/**
 * How many of an environment's newest deployments the one GraphQL question reads: enough to reach
 * back past the deployments made after the incident (a rollback, a fix) to the window before it.
 */
export const DEPLOYMENTS_READ = 50;

/** Commits read from one `compare` (one page); more are counted, not matched. */
export const COMPARE_COMMITS = 100;

/**
 * The environment's deployments with their latest state in ONE request. REST lists deployments
 * without their state (`GET /repos/{o}/{r}/deployments`), so telling a successful one from a
 * failed one takes one `GET …/deployments/{id}/statuses` per deployment; GraphQL's
 * `latestStatus` answers all of them at once.
 */
export const DEPLOYMENTS_QUERY = `query($owner: String!, $name: String!, $environments: [String!], $first: Int!) { repository(owner: $owner, name: $name) { deployments(environments: $environments, orderBy: {field: CREATED_AT, direction: DESC}, first: $first) { nodes { databaseId createdAt environment ref { name } commitOid creator { login } latestStatus { state createdAt } } } } }`;

interface DeploymentNode {
  databaseId: number | null;
  createdAt: string;
  environment: string | null;
  ref: { name: string } | null;
  commitOid: string;
  creator: { login: string } | null;
  latestStatus: { state: string; createdAt: string } | null;
}

/**
 * The reads of the **Changes before the incident** block: the deployments (one GraphQL request),
 * one `compare` per deployment pair (at most MAX_DEPLOYMENTS) and one listing of the closed pull
 * requests into the default branch. A failure is never thrown: the block says what could not be
 * read, so the post-mortem opens all the same.
 */
export class ChangesGateway {
  constructor(
    private readonly api: GitHubApi & Pick<Octokit, "graphql">,
    readonly repository: RepositoryRef,
  ) {}

  private get repoParams() {
    return { owner: this.repository.owner, repo: this.repository.repo };
  }

  /** Everything the block needs; `environment` undefined: no deployments are read. */
  async read(environment: string | undefined, window: ChangesWindow): Promise<ChangesReads> {
    const deployments = environment === undefined ? undefined : await this.deployments(environment);
    const compares = new Map<string, ComparedCommits>();
    if (environment !== undefined && deployments !== undefined && !("problem" in deployments)) {
      for (const { deployment, base } of deploymentPairs(deployments, environment, window)) {
        if (base === undefined) continue;
        const key = compareKey(base.sha, deployment.sha);
        if (!compares.has(key)) compares.set(key, await this.compare(base.sha, deployment.sha));
      }
    }
    const pulls = await this.closedPulls();
    return { ...(deployments === undefined ? {} : { deployments }), compares, pulls };
  }

  async deployments(environment: string): Promise<DeploymentFact[] | { problem: string }> {
    try {
      const data = await this.api.graphql<{
        repository?: { deployments?: { nodes?: (DeploymentNode | null)[] } } | null;
      }>(DEPLOYMENTS_QUERY, {
        owner: this.repository.owner,
        name: this.repository.repo,
        environments: [environment],
        first: DEPLOYMENTS_READ,
      });
      return (data.repository?.deployments?.nodes ?? [])
        .filter((node): node is DeploymentNode => node !== null && node.databaseId !== null)
        .map((node) => ({
          id: node.databaseId!,
          createdAt: node.createdAt,
          environment: node.environment ?? environment,
          ...(node.ref ? { ref: node.ref.name } : {}),
          sha: node.commitOid,
          ...(node.creator ? { creator: node.creator.login } : {}),
          ...(node.latestStatus
            ? { state: node.latestStatus.state.toLowerCase(), stateAt: node.latestStatus.createdAt }
            : {}),
        }));
    } catch (error) {
      return { problem: `The deployments could not be read (${reason(error)}).` };
    }
  }

  /** The commits of `head` not in `base`: one page; `{}` when the compare could not be read. */
  async compare(base: string, head: string): Promise<ComparedCommits> {
    try {
      const { data } = await this.api.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
        ...this.repoParams,
        basehead: `${base}...${head}`,
        per_page: COMPARE_COMMITS,
      });
      return { shas: data.commits.map((commit) => commit.sha), total: data.total_commits };
    } catch {
      return {};
    }
  }

  /** The newest-updated closed pull requests into the default branch: one page. */
  async closedPulls(): Promise<PullFact[] | { problem: string }> {
    try {
      const { data } = await this.api.request("GET /repos/{owner}/{repo}/pulls", {
        ...this.repoParams,
        state: "closed",
        base: this.repository.defaultBranch,
        sort: "updated",
        direction: "desc",
        per_page: 100,
      });
      return data.map((pull) => ({
        number: pull.number,
        title: pull.title,
        ...(pull.user ? { author: pull.user.login } : {}),
        mergedAt: pull.merged_at,
        mergeSha: pull.merge_commit_sha,
      }));
    } catch (error) {
      return { problem: `The merged pull requests could not be read (${reason(error)}).` };
    }
  }
}

/** Why a read failed, in a few words: the HTTP status, or the GraphQL error's kind. */
function reason(error: unknown): string {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = error.status;
    if (status === 403)
      return "403: the token may lack the deployments or pull requests permission";
    return `HTTP ${String(status)}`;
  }
  if (error instanceof Error && error.name === "GraphqlResponseError") return "a GraphQL error";
  return "a network error";
}
