import type { Deployment } from "../core/evidence/events.js";
import type { MergedFix } from "../core/evidence/model.js";
import type { IssueSnapshot, RepositoryRef } from "../core/snapshots.js";
import type { Octokit } from "@octokit/rest";
import type { GitHubApi } from "./api.js";
import { isStatus } from "./api.js";
import type { ApiIssue } from "./snapshots.js";
import { issueFromApi } from "./snapshots.js";

/** How many of an environment's newest deployments a catch-up looks through for a successful one. */
export const DEPLOYMENTS_LOOKED_AT = 10;

/** How many linked pull requests or issues one question reads; more than enough for one fix. */
export const LINKS_PER_QUERY = 25;

/** The issues a pull request closes (GraphQL only: REST has no equivalent). */
export const CLOSING_ISSUES_QUERY = `query($id: ID!) { node(id: $id) { ... on PullRequest { closingIssuesReferences(first: ${LINKS_PER_QUERY}) { nodes { number id databaseId repository { nameWithOwner } } } } } }`;

/** The pull requests that close an issue, merged or not (the Development sidebar included). */
export const CLOSED_BY_QUERY = `query($id: ID!) { node(id: $id) { ... on Issue { closedByPullRequestsReferences(first: ${LINKS_PER_QUERY}, includeClosedPrs: true) { nodes { number url merged mergedAt mergeCommit { oid } repository { nameWithOwner } } } } } }`;

export interface PullRequestFacts {
  number: number;
  nodeId: string;
  url: string;
  merged: boolean;
  mergedAt: string | null;
  mergeSha: string | null;
}

interface ClosingNode {
  number: number;
  repository?: { nameWithOwner?: string };
}

interface ClosedByNode extends ClosingNode {
  url: string;
  merged: boolean;
  mergedAt: string | null;
  mergeCommit: { oid: string } | null;
}

/** The evidence flows' reads: linked pull requests, a pull request, containment of a commit. */
export class EvidenceGateway {
  constructor(
    private readonly api: GitHubApi & Pick<Octokit, "graphql">,
    readonly repository: RepositoryRef,
  ) {}

  private get repoParams() {
    return { owner: this.repository.owner, repo: this.repository.repo };
  }

  private sameRepository(node: ClosingNode): boolean {
    const here = `${this.repository.owner}/${this.repository.repo}`.toLowerCase();
    return node.repository?.nameWithOwner?.toLowerCase() === here;
  }

  /** An issue with its GraphQL node id; undefined when it is gone. */
  async getIssueWithNode(
    issueNumber: number,
  ): Promise<{ issue: IssueSnapshot; nodeId: string } | undefined> {
    try {
      const { data } = await this.api.request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
        ...this.repoParams,
        issue_number: issueNumber,
      });
      const here = `/repos/${this.repository.owner}/${this.repository.repo}`.toLowerCase();
      if (!data.repository_url.toLowerCase().endsWith(here)) return undefined;
      return { issue: issueFromApi(data as ApiIssue), nodeId: data.node_id };
    } catch (error) {
      if (isStatus(error, 404, 410)) return undefined;
      throw error;
    }
  }

  async getPullRequest(pullNumber: number): Promise<PullRequestFacts | undefined> {
    try {
      const { data } = await this.api.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
        ...this.repoParams,
        pull_number: pullNumber,
      });
      return {
        number: data.number,
        nodeId: data.node_id,
        url: data.html_url,
        merged: data.merged,
        mergedAt: data.merged_at,
        mergeSha: data.merge_commit_sha,
      };
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /**
   * The numbers of the issues of this repository a pull request closes; undefined when GraphQL
   * cannot answer the question (an older GitHub Enterprise Server: see `ask`).
   */
  async closingIssues(pullRequestNodeId: string): Promise<number[] | undefined> {
    const data = await this.ask<{
      node?: { closingIssuesReferences?: { nodes?: (ClosingNode | null)[] } } | null;
    }>(CLOSING_ISSUES_QUERY, pullRequestNodeId);
    if (data === undefined) return undefined;
    return (data.node?.closingIssuesReferences?.nodes ?? [])
      .filter((node): node is ClosingNode => node !== null && this.sameRepository(node))
      .map((node) => node.number);
  }

  /** The merged pull requests of this repository that close an issue, as fixes (see above). */
  async mergedFixes(issueNodeId: string): Promise<MergedFix[] | undefined> {
    const data = await this.ask<{
      node?: { closedByPullRequestsReferences?: { nodes?: (ClosedByNode | null)[] } } | null;
    }>(CLOSED_BY_QUERY, issueNodeId);
    if (data === undefined) return undefined;
    return (data.node?.closedByPullRequestsReferences?.nodes ?? [])
      .filter(
        (node): node is ClosedByNode =>
          node !== null &&
          this.sameRepository(node) &&
          node.merged &&
          node.mergedAt !== null &&
          node.mergeCommit !== null,
      )
      .map((node) => ({
        pr: node.number,
        url: node.url,
        at: node.mergedAt!,
        sha: node.mergeCommit!.oid,
      }));
  }

  /**
   * A GraphQL question about one node. An answer of errors without data (a field this GitHub does
   * not have, a node it cannot resolve) is undefined: the caller records nothing rather than
   * judge on an answer it did not get. Any other failure (HTTP, network) is thrown, to be retried.
   */
  private async ask<T>(query: string, id: string): Promise<T | undefined> {
    try {
      return await this.api.graphql<T>(query, { id });
    } catch (error) {
      // Octokit's GraphqlResponseError: HTTP 200 whose body holds `errors` (and maybe `data`).
      if (error instanceof Error && error.name === "GraphqlResponseError") {
        return (error as Error & { data?: T | null }).data ?? undefined;
      }
      throw error;
    }
  }

  /**
   * Whether `head` contains `base`: GitHub's `compare` says `ahead` or `identical`. A commit it
   * does not know (404) is not contained.
   */
  async contains(base: string, head: string): Promise<boolean> {
    try {
      const { data } = await this.api.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
        ...this.repoParams,
        basehead: `${base}...${head}`,
        per_page: 1,
      });
      return data.status === "ahead" || data.status === "identical";
    } catch (error) {
      if (isStatus(error, 404)) return false;
      throw error;
    }
  }

  /**
   * The newest deployment to `environment` whose latest status is `success`, as its
   * `deployment_status` event would have said it (one listing, then one status read per
   * deployment, newest first, at most DEPLOYMENTS_LOOKED_AT); undefined when none is.
   */
  async latestSuccessfulDeployment(environment: string): Promise<Deployment | undefined> {
    const { data: deployments } = await this.api.request("GET /repos/{owner}/{repo}/deployments", {
      ...this.repoParams,
      environment,
      per_page: DEPLOYMENTS_LOOKED_AT,
    });
    for (const deployment of deployments) {
      const { data: statuses } = await this.api.request(
        "GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
        { ...this.repoParams, deployment_id: Number(deployment.id), per_page: 1 },
      );
      const status = statuses[0];
      if (status?.state !== "success") continue;
      return {
        id: Number(deployment.id),
        sha: deployment.sha,
        environment: status.environment ?? deployment.environment,
        url: status.log_url || status.target_url || status.environment_url || "",
        at: status.created_at,
      };
    }
    return undefined;
  }

  /** Issues with a label, in any state, every page (the awaiting-ship children). */
  async listWithLabel(label: string): Promise<IssueSnapshot[]> {
    const issues = await this.api.paginate("GET /repos/{owner}/{repo}/issues", {
      ...this.repoParams,
      labels: label,
      state: "all",
      per_page: 100,
    });
    return issues
      .map((issue) => issueFromApi(issue as ApiIssue))
      .filter((issue) => !issue.isPullRequest);
  }
}
