import type { Octokit } from "@octokit/rest";
import { REPORT_LABEL, planReportIssue, reportIssues } from "../core/report/issue.js";
import type { IssueSnapshot, RepositoryRef } from "../core/snapshots.js";
import { GitHubGateway } from "./gateway.js";
import type { ApiIssue } from "./snapshots.js";
import { issueFromApi } from "./snapshots.js";

/** The report issue needs GraphQL for one thing: REST cannot pin an issue. */
export type ReportIssueApi = Pick<Octokit, "request" | "paginate" | "graphql">;

export interface PublishedReport {
  number: number;
  /** Whether GitHub pinned it; false with the reason when it refused (e.g. three pinned already). */
  pinned: true | { problem: string };
}

const ROUNDS = 4;

/** GitHub's mutation that pins an issue to the repository's issue list (the REST `node_id`). */
export const PIN_ISSUE_MUTATION =
  "mutation($issueId: ID!) { pinIssue(input: { issueId: $issueId }) { issue { id } } }";

/**
 * Keeps the report in one pinned issue, updated in place. Found by its label and hidden marker
 * through a paged listing (consistent after a create, unlike search); two runs at once may both
 * create one, and both then converge on the older and close the other as a duplicate.
 */
export async function publishReportIssue(
  api: ReportIssueApi,
  repository: RepositoryRef,
  body: string,
): Promise<PublishedReport> {
  const gateway = new GitHubGateway(api, repository);
  for (let round = 0; round < ROUNDS; round++) {
    const labeled = await listReportLabeled(api, repository);
    const plan = planReportIssue(
      labeled.map((entry) => entry.issue),
      body,
    );
    for (const step of plan) await gateway.apply(step);
    if (plan.some((step) => step.kind === "createIssue")) continue;
    const keptNumber = reportIssues(labeled.map((entry) => entry.issue))[0]!.number;
    const kept = labeled.find((entry) => entry.issue.number === keptNumber)!;
    return { number: kept.issue.number, pinned: await pin(api, kept.nodeId) };
  }
  throw new Error(`the report issue did not settle after ${ROUNDS} rounds`);
}

async function listReportLabeled(
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
async function pin(api: ReportIssueApi, issueId: string): Promise<PublishedReport["pinned"]> {
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
