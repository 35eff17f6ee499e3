import type { RepositoryRef } from "../snapshots.js";

/**
 * A pull request opened, pushed to (`synchronize`) or reopened: the culprit check judges its head
 * commit. Drafts are checked too (a required check must not wait for the draft to be ready).
 */
export interface CulpritCheckEvent {
  repository: RepositoryRef;
  /** The repository's `html_url`, for links to its post-mortems. */
  repositoryUrl: string;
  pullRequest: { number: number; headSha: string };
}

/** The pull-request actions the culprit check reads. */
export const CULPRIT_CHECK_ACTIONS: readonly string[] = ["opened", "synchronize", "reopened"];
