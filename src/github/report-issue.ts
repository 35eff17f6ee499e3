import type { Octokit } from "@octokit/rest";
import { REPORT_LABEL } from "../core/report/issue.js";
import type { IssueSnapshot, RepositoryRef } from "../core/snapshots.js";
import type { ApiIssue } from "./snapshots.js";
import { issueFromApi } from "./snapshots.js";

/** The report issue needs GraphQL for one thing: REST cannot pin an issue. */
export type ReportIssueApi = Pick<Octokit, "request" | "paginate" | "graphql">;

export interface PublishedReport {
  number: number;
  /** Whether GitHub pinned it; false with the reason when it refused (e.g. three pinned already). */
  pinned: true | { problem: string };
}

/** GitHub's mutation that pins an issue to the repository's issue list (the REST `node_id`). */
export const PIN_ISSUE_MUTATION =
  "mutation($issueId: ID!) { pinIssue(input: { issueId: $issueId }) { issue { id } } }";

/** The open issues with the report's label, each with the `node_id` pinning needs. */
export async function listReportLabeled(
  api: ReportIssueApi,
  repository: RepositoryRef,
): Promise<{ issue: IssueSnapshot; nodeId: string }[]> {
  const issues = await api.paginate("GET /repos/{owner}/{repo}/issues", {
    owner: repository.owner,
    repo: repository.repo,
    labels: REPORT_LABEL,
    state: "open",
    per_page: 100,
  });
  return issues
    .filter((issue) => !issue.pull_request)
    .map((issue) => ({ issue: issueFromApi(issue as ApiIssue), nodeId: issue.node_id }));
}

/** Pinning a pinned issue changes nothing, so it is simply asked for on every run. */
export async function pinIssue(
  api: ReportIssueApi,
  issueId: string,
): Promise<PublishedReport["pinned"]> {
  try {
    await api.graphql(PIN_ISSUE_MUTATION, { issueId });
    return true;
  } catch (error) {
    // A GraphQL refusal carries GitHub's own words in `errors`.
    const errors = (error as { errors?: { message?: string }[] }).errors;
    const words = errors?.map((entry) => entry.message).filter(Boolean);
    return {
      problem: words?.length
        ? words.join("; ")
        : error instanceof Error
          ? error.message
          : String(error),
    };
  }
}
