import type { Octokit } from "@octokit/rest";

/** What the gateway needs of an Octokit: both Probot's and @octokit/rest's provide it. */
export type GitHubApi = Pick<Octokit, "request" | "paginate">;

/** Whether a request failed with one of these HTTP statuses. */
export function isStatus(error: unknown, ...statuses: number[]): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "status" in error &&
    statuses.includes((error as { status: number }).status)
  );
}
