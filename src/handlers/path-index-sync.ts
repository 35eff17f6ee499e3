import type { Config } from "../core/config.js";
import type { EntryOwner } from "../core/culprits/index-plan.js";
import {
  planIndexEntry,
  planIndexIssue,
  sameEntry,
  trustedIndex,
} from "../core/culprits/index-plan.js";
import type { IndexedCulprit, IndexEntry } from "../core/culprits/path-index.js";
import { culpritsOf, indexEntryOf } from "../core/culprits/plan.js";
import { isOpenedPostmortem } from "../core/identity.js";
import { findMarker } from "../core/markers.js";
import type { Step } from "../core/plan.js";
import type { IssueSnapshot } from "../core/snapshots.js";
import type { Writers } from "../core/trust/writers.js";
import type { GitHubGateway } from "../github/gateway.js";
import type { IndexState } from "../github/path-index.js";
import {
  culpritPaths,
  getCulpritPull,
  openCapaChildren,
  PATH_INDEX_ASIDE,
  readIndexState,
} from "../github/path-index.js";
import { converge } from "./converge.js";
import type { HandlerDeps } from "./deps.js";

/** The index issue's writes, each entry's new comment, then the old ones deleted, and a read. */
export const MAX_INDEX_ROUNDS = 6;

/** One entry the index should hold (undefined: none, its comments deleted). */
export interface WantedEntry {
  owner: EntryOwner;
  entry: IndexEntry | undefined;
}

/**
 * Brings the repository's path index in line: each wanted entry one trusted comment, the index
 * issue found or created (closed, locked), duplicates closed. Reads the index fresh each round
 * (never the cache: what it writes must be seen). `first`: the state already read for round 1.
 */
export async function writePathIndex(
  gateway: GitHubGateway,
  wanted: readonly WantedEntry[],
  writers: Writers,
  deps: Pick<HandlerDeps, "log">,
  first?: IndexState,
): Promise<void> {
  if (wanted.length === 0) return;
  const { owner, repo } = gateway.repository;
  let known = first;
  await converge<Step, "done">({
    what: `${owner}/${repo}, path index`,
    maxRounds: MAX_INDEX_ROUNDS,
    log: deps.log,
    apply: async (step) => {
      await gateway.apply(step);
      // This process's pull-request checks see the new entry at once, not after CONFIG_MAX_AGE.
      gateway.forgetCachedRead(PATH_INDEX_ASIDE);
    },
    plan: async () => {
      const state = known ?? (await readIndexState(gateway.api, owner, repo, writers));
      known = undefined;
      // Nothing to write and no index: it is not created just to hold nothing.
      if (!state.winner && wanted.every((item) => item.entry === undefined))
        return { done: "done" };
      const issue = planIndexIssue(state.issues, writers);
      if (issue.steps.length > 0) return { write: issue.steps };
      const steps = wanted.flatMap((item) =>
        planIndexEntry(issue.winner!.number, state.comments, item.owner, item.entry, writers),
      );
      return steps.length > 0 ? { write: steps } : { done: "done" };
    },
  });
}

/** How an entry's paths are found: a trusted entry's (the product wrote them), else read again. */
export class CulpritPaths {
  private readonly known = new Map<number, IndexedCulprit>();

  constructor(
    private readonly gateway: GitHubGateway,
    entries: readonly IndexEntry[] = [],
  ) {
    for (const entry of entries) {
      for (const culprit of entry.culprits) this.known.set(culprit.pr, culprit);
    }
  }

  /** Paths already known (read in this run, or a trusted entry's). */
  remember(culprit: IndexedCulprit): void {
    this.known.set(culprit.pr, culprit);
  }

  /** A culprit's paths: one `pulls/{n}` read and a page of files per 100 paths when not known. */
  async of(pr: number, changedFiles?: number): Promise<IndexedCulprit> {
    const known = this.known.get(pr);
    if (known) return known;
    let count = changedFiles;
    if (count === undefined) {
      const pull = await getCulpritPull(this.gateway, pr);
      count = typeof pull === "object" ? pull.changedFiles : 0;
    }
    const read = { pr, ...(await culpritPaths(this.gateway, pr, count)) };
    this.known.set(pr, read);
    return read;
  }
}

/** A post-mortem's wanted entry from its marker: culprits' paths, open CAPA children. */
export async function entryFor(
  gateway: GitHubGateway,
  postmortem: IssueSnapshot,
  paths: CulpritPaths,
  writers: Writers,
): Promise<IndexEntry | undefined> {
  const marker = findMarker(postmortem.body, "postmortem");
  const culprits = culpritsOf(postmortem.body);
  if (!marker || culprits.length === 0) return undefined;
  const indexed: IndexedCulprit[] = [];
  for (const culprit of culprits) indexed.push(await paths.of(culprit.pr));
  const key = marker.source ? marker.indexKey : undefined;
  if (marker.source && key === undefined) return undefined;
  return indexEntryOf({
    postmortem,
    severity: marker.severity,
    ...(key === undefined ? {} : { key }),
    culprits: indexed,
    openCapa: key === undefined ? await openCapaChildren(gateway, postmortem.number, writers) : [],
  });
}

export interface IndexRebuild {
  /** Post-mortems with culprits within `changes.watchDays` looked at. */
  postmortems: number;
  /** Entries written again (missing, not trusted, or, in a refresh, changed). */
  rebuilt: number;
}

/** Post-mortems an untrusted comment names that one rebuild reads again, at most. */
export const MAX_UNTRUSTED_PER_REBUILD = 20;

/**
 * The repository's path index rebuilt from its post-mortems' markers. The post-mortems looked at
 * are `listed` (a sweep's own listing: no request more), else one listing of those updated within
 * `changes.watchDays` (a page per 100); with none that has culprits, nothing more. Else one read
 * of the index (a page per 100 entries); the post-mortems its untrusted comments name are read too
 * (one request each, at most MAX_UNTRUSTED_PER_REBUILD). For each post-mortem with culprits whose
 * entry is missing, not trusted or names other culprits, its culprits' paths are read again (a
 * `pulls/{n}` read and a page per 100 paths each; a trusted entry's paths are reused) and its open
 * CAPA children (one read); with `refresh`, every such entry's open CAPA children are read again
 * (one request per post-mortem with culprits). Writes only where an entry changes. `except`: the
 * post-mortem a `/culprit` is writing itself.
 */
export async function rebuildPathIndex(
  gateway: GitHubGateway,
  config: Config,
  writers: Writers,
  deps: Pick<HandlerDeps, "log" | "clock">,
  options: { refresh: boolean; except?: number; state?: IndexState; listed?: IssueSnapshot[] },
): Promise<IndexRebuild> {
  const since = new Date(deps.clock().getTime() - config.changes.watchDays * 86_400_000);
  const qualifies = (issue: IssueSnapshot) =>
    issue.number !== options.except &&
    isOpenedPostmortem(issue, writers) &&
    culpritsOf(issue.body).length > 0 &&
    Date.parse(issue.createdAt) >= since.getTime() &&
    !findMarker(issue.body, "postmortem")?.source;
  const listed =
    options.listed ??
    (await gateway.listIssuesWithLabel(config.postmortemLabels[0]!, since.toISOString()));
  const postmortems = listed.filter(qualifies);
  const counts = { postmortems: postmortems.length, rebuilt: 0 };
  if (postmortems.length === 0 && options.listed !== undefined) return counts;
  if (postmortems.length === 0 && options.state === undefined) return counts;
  const { owner, repo } = gateway.repository;
  const state = options.state ?? (await readIndexState(gateway.api, owner, repo, writers));
  const trusted = trustedIndex(state.comments, writers);
  const named = trusted.untrusted
    .filter((number) => number !== options.except && !postmortems.some((p) => p.number === number))
    .slice(0, MAX_UNTRUSTED_PER_REBUILD);
  for (const number of named) {
    const issue = await gateway.getIssue(number);
    if (issue && qualifies(issue)) postmortems.push(issue);
  }
  counts.postmortems = postmortems.length;
  const paths = new CulpritPaths(gateway, trusted.entries);
  const byNumber = new Map(trusted.entries.map((entry) => [entry.postmortem, entry]));
  const wanted: WantedEntry[] = [];
  for (const postmortem of postmortems) {
    const entry = byNumber.get(postmortem.number);
    const prs = culpritsOf(postmortem.body).map((culprit) => culprit.pr);
    const current =
      entry !== undefined && entry.culprits.map((culprit) => culprit.pr).join() === prs.join();
    if (current && !options.refresh) continue;
    const want = await entryFor(gateway, postmortem, paths, writers);
    wanted.push({ owner: { postmortem: postmortem.number }, entry: want });
  }
  const changed = wanted.filter((item) => {
    const number = "postmortem" in item.owner ? item.owner.postmortem : undefined;
    const entry = byNumber.get(number);
    return entry === undefined || item.entry === undefined || !sameEntry(entry, item.entry);
  });
  counts.rebuilt = changed.length;
  await writePathIndex(gateway, changed, writers, deps, state);
  return counts;
}

/**
 * A post-mortem's own entry brought up to date (its open CAPA children after the CAPA flow changed
 * them): nothing for one without culprits or a private one; else one read of the index (a page per
 * 100 entries), one of its sub-issues, and a new comment only where the entry changed.
 */
export async function refreshPathIndexEntry(
  gateway: GitHubGateway,
  postmortem: IssueSnapshot,
  writers: Writers,
  deps: Pick<HandlerDeps, "log">,
): Promise<void> {
  if (culpritsOf(postmortem.body).length === 0) return;
  if (findMarker(postmortem.body, "postmortem")?.source) return;
  const { owner, repo } = gateway.repository;
  const state = await readIndexState(gateway.api, owner, repo, writers);
  const paths = new CulpritPaths(gateway, trustedIndex(state.comments, writers).entries);
  const entry = await entryFor(gateway, postmortem, paths, writers);
  await writePathIndex(
    gateway,
    [{ owner: { postmortem: postmortem.number }, entry }],
    writers,
    deps,
    state,
  );
}
