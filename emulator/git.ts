// A repository's commit graph: commits with parents, branches pointing at commits, and what
// `compare` needs (ancestry, merge base, ahead/behind). No trees or diffs: commits carry a message.
import { createHash } from "node:crypto";
import type { CommitRecord, FileChange, RepoRecord, UserRecord } from "./model.js";

let seq = 0;

/** Adds a commit with these parents (all must exist) and returns it; moves no branch. */
export function addCommit(
  repo: RepoRecord,
  spec: {
    message: string;
    parents: string[];
    author: UserRecord;
    date: string;
    files?: FileChange[];
  },
): CommitRecord {
  const parents = spec.parents.map((sha) => {
    const parent = repo.commits.get(sha);
    if (!parent) throw new Error(`no commit ${sha} in ${repo.name}`);
    return parent;
  });
  const n = ++seq;
  const sha = createHash("sha1")
    .update(`commit ${n}\n${spec.parents.join(" ")}\n${spec.date}\n${spec.message}`)
    .digest("hex");
  const commit: CommitRecord = {
    sha,
    message: spec.message,
    files: (spec.files ?? []).map((f) => ({ ...f })),
    parents: [...spec.parents],
    author: spec.author,
    date: spec.date,
    treeSha: createHash("sha1").update(`tree ${n}`).digest("hex"),
    generation: 1 + Math.max(0, ...parents.map((p) => p.generation)),
    seq: n,
  };
  repo.commits.set(sha, commit);
  return commit;
}

/** A commit on `branch` (created from the default branch's head when new); the branch moves to it. */
export function commitOnBranch(
  repo: RepoRecord,
  branch: string,
  spec: {
    message: string;
    author: UserRecord;
    date: string;
    extraParents?: string[];
    files?: FileChange[];
  },
): CommitRecord {
  const head = repo.branches.get(branch) ?? repo.branches.get(repo.defaultBranch);
  const parents = [...(head ? [head] : []), ...(spec.extraParents ?? [])];
  const commit = addCommit(repo, { ...spec, parents });
  repo.branches.set(branch, commit.sha);
  return commit;
}

/**
 * The commit a ref names: a branch, a full sha, or an abbreviated sha (7+ hex digits) naming
 * exactly one commit. Undefined when it names none.
 */
export function resolveRef(repo: RepoRecord, ref: string): CommitRecord | undefined {
  const clean = ref.replace(/^refs\/heads\//, "");
  const branch = repo.branches.get(clean);
  if (branch) return repo.commits.get(branch);
  if (!/^[0-9a-f]{7,40}$/i.test(clean)) return undefined;
  const lower = clean.toLowerCase();
  const exact = repo.commits.get(lower);
  if (exact) return exact;
  const matches = [...repo.commits.values()].filter((c) => c.sha.startsWith(lower));
  return matches.length === 1 ? matches[0] : undefined;
}

/** Every commit reachable from `sha`, itself included. */
export function ancestors(repo: RepoRecord, sha: string): Set<string> {
  const seen = new Set<string>();
  const stack = [sha];
  while (stack.length) {
    const next = stack.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    for (const parent of repo.commits.get(next)?.parents ?? []) stack.push(parent);
  }
  return seen;
}

/** Oldest first: by generation, then by creation. */
function byAge(a: CommitRecord, b: CommitRecord): number {
  return a.generation - b.generation || a.seq - b.seq;
}

export interface Comparison {
  status: "ahead" | "behind" | "identical" | "diverged";
  aheadBy: number;
  behindBy: number;
  mergeBase: CommitRecord;
  /** Commits in head and not in base, oldest first. */
  commits: CommitRecord[];
}

/** `git`'s view of base...head; undefined when they share no history. */
export function compareCommits(
  repo: RepoRecord,
  base: CommitRecord,
  head: CommitRecord,
): Comparison | undefined {
  const fromBase = ancestors(repo, base.sha);
  const fromHead = ancestors(repo, head.sha);
  const common = [...fromBase]
    .filter((sha) => fromHead.has(sha))
    .map((sha) => repo.commits.get(sha) as CommitRecord)
    .sort(byAge);
  const mergeBase = common.at(-1);
  if (!mergeBase) return undefined;
  const commits = [...fromHead]
    .filter((sha) => !fromBase.has(sha))
    .map((sha) => repo.commits.get(sha) as CommitRecord)
    .sort(byAge);
  const behindBy = [...fromBase].filter((sha) => !fromHead.has(sha)).length;
  const aheadBy = commits.length;
  const status =
    base.sha === head.sha
      ? "identical"
      : behindBy === 0
        ? "ahead"
        : aheadBy === 0
          ? "behind"
          : "diverged";
  return { status, aheadBy, behindBy, mergeBase, commits };
}

/**
 * The files a range of commits changes, as GitHub's three-dot diff lists them: one entry per
 * path, in the order first touched; additions and deletions summed; a file added then removed
 * within the range is left out; a later change keeps `added` for a file the range added.
 */
export function changedFiles(commits: CommitRecord[]): FileChange[] {
  const byName = new Map<string, FileChange>();
  for (const commit of commits) {
    for (const f of commit.files) {
      const before = byName.get(f.filename);
      if (!before) {
        byName.set(f.filename, { ...f });
        continue;
      }
      if (f.status === "removed" && before.status === "added") {
        byName.delete(f.filename);
        continue;
      }
      byName.set(f.filename, {
        ...before,
        status: before.status === "added" && f.status !== "removed" ? "added" : f.status,
        additions: before.additions + f.additions,
        deletions: before.deletions + f.deletions,
        ...(f.patch !== undefined ? { patch: f.patch } : {}),
      });
    }
  }
  return [...byName.values()];
}
