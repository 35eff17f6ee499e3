import type { IndexIssue, TrustedIndex } from "../core/culprits/index-plan.js";
import type { CulpritPull } from "../core/culprits/plan.js";
import type { IndexComment, IndexEntry } from "../core/culprits/path-index.js";
import {
  decodeEntry,
  INDEX_ENTRY_MARKER,
  INDEX_LABEL,
  isTrustedIndexComment,
  MAX_PATHS_PER_CULPRIT,
} from "../core/culprits/path-index.js";
import { capaParentOf } from "../core/evidence/plan.js";
import { findMarker } from "../core/markers.js";
import type { Account, RepositoryRef } from "../core/snapshots.js";
import type { Writers } from "../core/trust/writers.js";
import { wroteIt } from "../core/trust/writers.js";
import type { GitHubApi } from "./api.js";
import { isStatus } from "./api.js";
import type { ConfigCache } from "./config-cache.js";
import { cacheKey } from "./config-cache.js";
import type { GitHubGateway } from "./gateway.js";
import type { ApiAccount, ApiIssue } from "./snapshots.js";
import { accountFromApi, issueFromApi } from "./snapshots.js";

/*
 * Reading the path index (src/core/culprits/path-index.ts says where it lives and why): the index
 * issue (label INDEX_LABEL, opened by the product's writer), then its comments, each decoded once.
 * Through the configuration cache (an "aside" key of the repository), so a pull-request event costs
 * no request while it is fresh and only 304s after; trust is judged on every read, against the
 * writers of the configuration at the time.
 */

/** The index's cache key beside the repository's configuration. */
export const PATH_INDEX_ASIDE = "path-index";

/** One index comment as cached: who wrote it, when, and its entry when the marker decodes. */
export interface CachedIndexComment {
  id: number;
  author: Account;
  createdAt: string;
  updatedAt: string;
  entry: IndexEntry | undefined;
}

/** The index as read: its issue (none yet: no entries) and its comments. */
export interface PathIndexRead {
  issue: number | undefined;
  comments: CachedIndexComment[];
}

interface ApiIndexIssue {
  number: number;
  user: ApiAccount | null;
  pull_request?: unknown;
}

interface ApiIndexComment {
  id: number;
  user: ApiAccount | null;
  body?: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * The trusted entries of the repository's path index, newest comment per post-mortem.
 * `creator`: the login that writes the index (the flows' writer), to find its issue with.
 */
export async function readPathIndex(
  api: GitHubApi,
  repository: RepositoryRef,
  writers: Writers,
  creator: string | undefined,
  cache?: ConfigCache,
): Promise<IndexEntry[]> {
  const read = (client: GitHubApi) => readRaw(client, repository, writers, creator);
  const raw = cache
    ? await cache.get(cacheKey(repository.owner, repository.repo, PATH_INDEX_ASIDE), api, read)
    : await read(api);
  return trustedEntries(raw, writers);
}

/** The index as the cache holds it, if fresh; never a request (for the App's front gate). */
export function knownPathIndex(
  cache: ConfigCache,
  owner: string,
  repo: string,
): PathIndexRead | undefined {
  return cache.peek<PathIndexRead>(cacheKey(owner, repo, PATH_INDEX_ASIDE));
}

/** Whether a known index has no entry at all (trusted or not): then nothing can be implicated. */
export function hasNoEntries(index: PathIndexRead): boolean {
  return index.comments.every((comment) => comment.entry === undefined);
}

/** The entries of trusted comments, the newest comment winning for each post-mortem. */
export function trustedEntries(index: PathIndexRead, writers: Writers): IndexEntry[] {
  const newest = new Map<string, CachedIndexComment>();
  const unnamed: IndexEntry[] = [];
  for (const comment of index.comments) {
    if (!comment.entry || !isTrustedIndexComment({ ...comment, body: "" }, writers)) continue;
    // A private post-mortem's entry names no number, only its opaque key (older ones neither:
    // each of those counts on its own).
    const id =
      comment.entry.postmortem !== undefined
        ? `#${comment.entry.postmortem}`
        : comment.entry.key !== undefined
          ? `key:${comment.entry.key}`
          : undefined;
    if (id === undefined) {
      unnamed.push(comment.entry);
      continue;
    }
    const known = newest.get(id);
    if (
      !known ||
      comment.createdAt > known.createdAt ||
      (comment.createdAt === known.createdAt && comment.id > known.id)
    ) {
      newest.set(id, comment);
    }
  }
  return [...[...newest.values()].map((comment) => comment.entry!), ...unnamed];
}

async function readRaw(
  api: GitHubApi,
  repository: RepositoryRef,
  writers: Writers,
  creator: string | undefined,
): Promise<PathIndexRead> {
  const params = { owner: repository.owner, repo: repository.repo };
  const { data: issues } = await api.request("GET /repos/{owner}/{repo}/issues", {
    ...params,
    labels: INDEX_LABEL,
    state: "all",
    ...(creator === undefined ? {} : { creator }),
    sort: "created",
    direction: "asc",
    per_page: 10,
  });
  // The label is anyone's with triage: the issue counts only when the product opened it.
  const issue = (issues as ApiIndexIssue[]).find(
    (found) =>
      (found.pull_request === undefined || found.pull_request === null) &&
      wroteIt(accountFromApi(found.user), "flows", writers),
  );
  if (!issue) return { issue: undefined, comments: [] };
  const comments: CachedIndexComment[] = [];
  // Paged by hand: each page through the cache's conditional requests (`paginate` is not).
  for (let page = 1; ; page++) {
    const response = await api.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...params,
      issue_number: issue.number,
      per_page: 100,
      ...(page === 1 ? {} : { page }),
    });
    for (const comment of response.data as ApiIndexComment[]) {
      const marker = findMarker(comment.body ?? "", INDEX_ENTRY_MARKER);
      comments.push({
        id: comment.id,
        author: accountFromApi(comment.user),
        createdAt: comment.created_at,
        updatedAt: comment.updated_at,
        entry: marker === undefined ? undefined : decodeEntry(marker),
      });
    }
    if (!hasNextPage(response.headers.link)) break;
  }
  return { issue: issue.number, comments };
}

/** Whether a `link` header names a next page. */
export function hasNextPage(link: string | undefined): boolean {
  return link !== undefined && /rel="next"/.test(link);
}

/*
 * The path index's reads (src/core/culprits/path-index.ts says where it lives and why). Writes go
 * through GitHubGateway.apply as planned by src/core/culprits/index-plan.ts.
 */

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
export function creatorOf(writers: Writers): string | undefined {
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
 * the same cached read as the culprit check (`readPathIndex`): no request while fresh, conditional
 * requests (304) after. Nothing here rebuilds anything.
 */
export async function readTrustedPathIndex(
  gateway: GitHubGateway,
  writers: Writers,
): Promise<PathIndex> {
  const raw = await gateway.cachedRead(PATH_INDEX_ASIDE, (api) =>
    readRaw(api, gateway.repository, writers, creatorOf(writers)),
  );
  const entries = trustedEntries(raw, writers);
  const trustedNumbers = new Set(entries.map((entry) => entry.postmortem));
  const untrusted = new Set<number>();
  for (const comment of raw.comments) {
    const number = comment.entry?.postmortem;
    if (number !== undefined && !trustedNumbers.has(number)) untrusted.add(number);
  }
  return {
    ...(raw.issue === undefined ? {} : { issue: raw.issue }),
    entries,
    untrusted: [...untrusted].sort((a, b) => a - b),
  };
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
