import type { IndexEntry } from "../core/culprits/path-index.js";
import type { CheckOutput, ExistingCheckRun } from "../core/culprit-check/plan.js";
import type { RepositoryRef } from "../core/snapshots.js";
import type { Writers } from "../core/trust/writers.js";
import type { GitHubApi } from "./api.js";
import type { ConfigCache } from "./config-cache.js";
import { hasNextPage, readPathIndex } from "./path-index.js";

/** A pull request lists at most this many files per page. */
export const FILES_PER_PAGE = 100;

/** A check run as GitHub lists it, with the App that made it. */
export interface ListedCheckRun extends ExistingCheckRun {
  name: string;
  app: { id?: number; slug?: string } | undefined;
}

interface ApiCheckRun {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  output?: { title?: string | null; summary?: string | null };
  app?: { id?: number; slug?: string } | null;
}

/** The culprit check's reads and writes: a pull request's paths, the index, its check runs. */
export class CulpritCheckGateway {
  constructor(
    private readonly api: GitHubApi,
    readonly repository: RepositoryRef,
    private readonly cache?: ConfigCache,
  ) {}

  private get repoParams() {
    return { owner: this.repository.owner, repo: this.repository.repo };
  }

  /** The path index's trusted entries (cached beside the configuration). */
  pathIndex(writers: Writers, creator: string | undefined): Promise<IndexEntry[]> {
    return readPathIndex(this.api, this.repository, writers, creator, this.cache);
  }

  /**
   * The paths a pull request changes, a renamed file under both names: one request per 100 files,
   * stopping where GitHub names no next page (it lists at most 3,000 files).
   */
  async pullRequestPaths(pullNumber: number): Promise<string[]> {
    const paths: string[] = [];
    for (let page = 1; ; page++) {
      const response = await this.api.request(
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
        {
          ...this.repoParams,
          pull_number: pullNumber,
          per_page: FILES_PER_PAGE,
          ...(page === 1 ? {} : { page }),
        },
      );
      for (const file of response.data) {
        paths.push(file.filename);
        if (file.previous_filename) paths.push(file.previous_filename);
      }
      if (!hasNextPage(response.headers.link)) return paths;
    }
  }

  /** The check runs of that name on a commit (every one, not only the newest). */
  async checkRuns(sha: string, name: string): Promise<ListedCheckRun[]> {
    const { data } = await this.api.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
      ...this.repoParams,
      ref: sha,
      check_name: name,
      filter: "all",
    });
    return (data.check_runs as ApiCheckRun[])
      .filter((run) => run.name === name)
      .map((run) => ({
        id: run.id,
        name: run.name,
        status: run.status,
        conclusion: run.conclusion,
        title: run.output?.title ?? null,
        summary: run.output?.summary ?? null,
        app: run.app ?? undefined,
      }));
  }

  async createCheckRun(
    sha: string,
    name: string,
    output: CheckOutput,
    completedAt: string,
  ): Promise<void> {
    await this.api.request("POST /repos/{owner}/{repo}/check-runs", {
      ...this.repoParams,
      name,
      head_sha: sha,
      status: "completed",
      conclusion: output.conclusion,
      completed_at: completedAt,
      output: { title: output.title, summary: output.summary },
    });
  }

  async updateCheckRun(id: number, output: CheckOutput, completedAt: string): Promise<void> {
    await this.api.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      ...this.repoParams,
      check_run_id: id,
      status: "completed",
      conclusion: output.conclusion,
      completed_at: completedAt,
      output: { title: output.title, summary: output.summary },
    });
  }
}
