import type { IndexEntry } from "../core/culprits/path-index.js";
import { decodeEntry, INDEX_ENTRY_MARKER, INDEX_LABEL } from "../core/culprits/path-index.js";
import { isTrustedIndexComment } from "../core/culprits/path-index.js";
import { findMarker } from "../core/markers.js";
import type { Account, RepositoryRef } from "../core/snapshots.js";
import type { Writers } from "../core/trust/writers.js";
import { wroteIt } from "../core/trust/writers.js";
import type { GitHubApi } from "./api.js";
import type { ConfigCache } from "./config-cache.js";
import { cacheKey } from "./config-cache.js";
import type { ApiAccount } from "./snapshots.js";
import { accountFromApi } from "./snapshots.js";

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
  const newest = new Map<number, CachedIndexComment>();
  const unnamed: IndexEntry[] = [];
  for (const comment of index.comments) {
    if (!comment.entry || !isTrustedIndexComment({ ...comment, body: "" }, writers)) continue;
    const number = comment.entry.postmortem;
    // A private post-mortem's entry names no number: each counts on its own.
    if (number === undefined) {
      unnamed.push(comment.entry);
      continue;
    }
    const known = newest.get(number);
    if (
      !known ||
      comment.createdAt > known.createdAt ||
      (comment.createdAt === known.createdAt && comment.id > known.id)
    ) {
      newest.set(number, comment);
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
