import type { IndexIssue, TrustedIndex } from "../core/culprits/index-plan.js";
import { trustedIndex } from "../core/culprits/index-plan.js";
import type { CulpritPull } from "../core/culprits/plan.js";
import type { IndexComment } from "../core/culprits/path-index.js";
import { INDEX_LABEL, MAX_PATHS_PER_CULPRIT } from "../core/culprits/path-index.js";
import type { Writers } from "../core/trust/writers.js";
import type { GitHubApi } from "./api.js";
import { isStatus } from "./api.js";
import type { GitHubGateway } from "./gateway.js";
import type { ApiAccount, ApiIssue } from "./snapshots.js";
import { accountFromApi, issueFromApi } from "./snapshots.js";
import { capaParentOf } from "../core/evidence/plan.js";

/*
 * The path index's reads (src/core/culprits/path-index.ts says where it lives and why). Writes go
 * through GitHubGateway.apply as planned by src/core/culprits/index-plan.ts.
 */

/** The aside key of the index in the configuration cache: `cacheKey(o, r, "path-index")`. */
export const PATH_INDEX_CACHE_ASIDE = "path-index";

/** The path index of one repository as a reader may believe it. */
export interface PathIndex extends TrustedIndex {
  /** The index issue, when there is one. */
  issue?: number;
}

/** The index issue and all of its comments, as read. */
export interface IndexState {
  issues: IndexIssue[];
  /** The issue everybody uses: the lowest-numbered the product opened. */
  winner?: IndexIssue;
  comments: IndexComment[];
}

/**
 * The login that opens the index issue at this front door: the one that writes the flows' part
 * (the Action's under `flows.runIn: action`, else the App's).
 */
function creatorOf(writers: Writers): string | undefined {
  return writers.action.parts.has("flows") ? writers.action.login : writers.app;
}

/**
 * Reads the index issue (`GET /repos/{o}/{r}/issues?labels=<INDEX_LABEL>&state=all&creator=<writer>`)
 * and its comments (paged, 100 a page). Two requests for an index of up to 100 post-mortems; one
 * when there is no index yet.
 */
export async function readIndexState(
  api: GitHubApi,
  owner: string,
  repo: string,
  writers: Writers,
): Promise<IndexState> {
  const creator = creatorOf(writers);
  if (creator === undefined) return { issues: [], comments: [] };
  const listed = (await api.paginate("GET /repos/{owner}/{repo}/issues", {
    owner,
    repo,
    labels: INDEX_LABEL,
    state: "all",
    creator,
    per_page: 100,
  })) as Array<{
    number: number;
    state?: string;
    state_reason?: string | null;
    locked?: boolean;
    user: ApiAccount | null;
    body?: string | null;
    pull_request?: unknown;
  }>;
  const issues: IndexIssue[] = listed
    .filter((issue) => !issue.pull_request)
    .map((issue) => ({
      number: issue.number,
      state: issue.state === "closed" ? "closed" : "open",
      stateReason: issue.state_reason ?? null,
      locked: issue.locked === true,
      author: accountFromApi(issue.user),
      body: issue.body ?? "",
    }));
  const login = creator.toLowerCase();
  const winner = issues
    .filter((issue) => issue.author.type === "Bot" && issue.author.login.toLowerCase() === login)
    .sort((a, b) => a.number - b.number)[0];
  if (!winner) return { issues, comments: [] };
  const comments = (await api.paginate("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
    owner,
    repo,
    issue_number: winner.number,
    per_page: 100,
  })) as Array<{
    id: number;
    user: ApiAccount | null;
    created_at: string;
    updated_at: string;
    body?: string | null;
  }>;
  return {
    issues,
    winner,
    comments: comments.map((comment) => ({
      id: comment.id,
      author: accountFromApi(comment.user),
      createdAt: comment.created_at,
      updatedAt: comment.updated_at,
      body: comment.body ?? "",
    })),
  };
}

/**
 * The path index of a repository: its trusted entries (one per post-mortem, the newest comment the
 * product wrote and nobody edited) and the post-mortems whose entries are only untrusted. Through
 * the configuration cache's aside key `cacheKey(owner, repo, "path-index")` where `gateway` has a
 * cache (the App): no request while fresh, conditional requests (304) after. A pull-request check
 * uses this and never rebuilds anything.
 *
 *     const index = await readPathIndex(gateway, writersFor(config, deps));
 */
export async function readPathIndex(gateway: GitHubGateway, writers: Writers): Promise<PathIndex> {
  const { owner, repo } = gateway.repository;
  return gateway.cachedRead(PATH_INDEX_CACHE_ASIDE, async (api) => {
    const state = await readIndexState(api, owner, repo, writers);
    return {
      ...(state.winner ? { issue: state.winner.number } : {}),
      ...trustedIndex(state.comments, writers),
    };
  });
}

/** A pull request of the repository; `"issue"` for an issue's number, undefined for no such number. */
export async function getCulpritPull(
  gateway: GitHubGateway,
  number: number,
): Promise<CulpritPull | "issue" | undefined> {
  const { owner, repo } = gateway.repository;
  try {
    const { data } = await gateway.api.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
      owner,
      repo,
      pull_number: number,
    });
    return {
      number: data.number,
      title: data.title,
      author: data.user?.login ?? "ghost",
      state: data.state === "open" ? "open" : "closed",
      mergedAt: data.merged_at ?? undefined,
      changedFiles: data.changed_files,
    };
  } catch (error) {
    if (!isStatus(error, 404)) throw error;
  }
  // An issue's number answers 404 on `pulls`: say which it is.
  return (await gateway.getIssue(number)) ? "issue" : undefined;
}

/**
 * A pull request's changed paths, up to MAX_PATHS_PER_CULPRIT, the rest counted: one request per
 * 100 paths kept (at most 3), none more for the ones counted (`changedFiles` says how many).
 */
export async function culpritPaths(
  gateway: GitHubGateway,
  number: number,
  changedFiles: number,
): Promise<{ paths: string[]; morePaths: number }> {
  const { owner, repo } = gateway.repository;
  const paths: string[] = [];
  const pages = Math.min(Math.ceil(changedFiles / 100), MAX_PATHS_PER_CULPRIT / 100);
  for (let page = 1; page <= pages; page++) {
    const { data } = await gateway.api.request(
      "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
      { owner, repo, pull_number: number, per_page: 100, page },
    );
    for (const file of data) {
      if (!paths.includes(file.filename)) paths.push(file.filename);
      // A rename changes its old path too.
      if (file.previous_filename && !paths.includes(file.previous_filename)) {
        paths.push(file.previous_filename);
      }
    }
    if (data.length < 100) break;
  }
  const kept = paths.slice(0, MAX_PATHS_PER_CULPRIT);
  return {
    paths: kept,
    morePaths: Math.max(0, changedFiles - kept.length, paths.length - kept.length),
  };
}

/** A post-mortem's open CAPA children the product opened (number and title): one request. */
export async function openCapaChildren(
  gateway: GitHubGateway,
  postmortem: number,
  writers: Writers,
): Promise<{ number: number; title: string }[]> {
  const { owner, repo } = gateway.repository;
  try {
    const children = await gateway.api.paginate(
      "GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
      { owner, repo, issue_number: postmortem, per_page: 100 },
    );
    return children
      .map((child) => issueFromApi(child as ApiIssue))
      .filter((child) => child.state === "open" && capaParentOf(child, writers) === postmortem)
      .map((child) => ({ number: child.number, title: child.title }));
  } catch (error) {
    // No sub-issues here (older GitHub Enterprise Server): none listed.
    if (isStatus(error, 404)) return [];
    throw error;
  }
}
