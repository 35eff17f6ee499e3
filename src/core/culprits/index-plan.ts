import { findMarker, formatMarker } from "../markers.js";
import type { Plan } from "../plan.js";
import type { Account } from "../snapshots.js";
import type { Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";
import type { IndexComment, IndexEntry } from "./path-index.js";
import { decodeEntry, encodeEntry, INDEX_LABEL, isTrustedIndexComment } from "./path-index.js";

/*
 * The index issue and its comments, planned from what was read (src/github/path-index.ts reads,
 * the converge loop writes). Decisions in src/core/culprits/path-index.ts's header.
 */

export const INDEX_TITLE = "postmortem-bot: path index (do not edit)";

export const INDEX_BODY = [
  "This issue holds the paths that the culprits of recent post-mortems changed (`/culprit`), one comment per post-mortem, so that a pull request touching them gets a check run.",
  "",
  "It is written by postmortem-bot only, and closed and locked. A comment that anyone else wrote, or that was edited, is ignored and rebuilt from the post-mortems. Do not edit or reopen it.",
].join("\n");

/** An issue that may be the index, as listed. */
export interface IndexIssue {
  number: number;
  state: "open" | "closed";
  stateReason: string | null;
  locked: boolean;
  author: Account;
  body: string;
}

/**
 * The index issue everybody converges on, the lowest-numbered one the product opened (two
 * replicas may both create one), and the writes that make it so: create one when there is none;
 * close and lock it; close the others as duplicates and take their label off (they are then never
 * found again; entries written there are rebuilt).
 */
export function planIndexIssue(
  issues: readonly IndexIssue[],
  writers: Writers,
): { winner?: IndexIssue; steps: Plan } {
  const own = issues
    .filter((issue) => wroteIt(issue.author, "flows", writers))
    .sort((a, b) => a.number - b.number);
  const [winner, ...duplicates] = own;
  if (!winner) {
    return {
      steps: [
        {
          kind: "createIssue",
          title: INDEX_TITLE,
          body: INDEX_BODY,
          labels: [INDEX_LABEL],
          assignees: [],
        },
      ],
    };
  }
  const steps: Plan = [];
  if (winner.state === "open") {
    steps.push({ kind: "closeIssue", issueNumber: winner.number, stateReason: "completed" });
  }
  if (!winner.locked) steps.push({ kind: "lockIssue", issueNumber: winner.number });
  for (const duplicate of duplicates) {
    if (!findMarker(duplicate.body, "duplicate")) {
      const note = `> **Duplicate of #${winner.number}.** The path index was opened twice at the same moment; #${winner.number} is the one used.`;
      steps.push({
        kind: "closeIssue",
        issueNumber: duplicate.number,
        stateReason: "duplicate",
        body: `${formatMarker("duplicate", { of: winner.number })}\n${note}\n\n${duplicate.body}`,
      });
    }
    steps.push({ kind: "removeLabel", issueNumber: duplicate.number, name: INDEX_LABEL });
  }
  return { winner, steps };
}

/** Who an entry is for: a post-mortem's number, or a private post-mortem's key. */
export type EntryOwner = { postmortem: number } | { key: string };

function owns(entry: IndexEntry, owner: EntryOwner): boolean {
  return "key" in owner ? entry.key === owner.key : entry.postmortem === owner.postmortem;
}

interface Decoded {
  comment: IndexComment;
  entry: IndexEntry;
  trusted: boolean;
}

function decodedOf(comments: readonly IndexComment[], writers: Writers): Decoded[] {
  return comments.flatMap((comment) => {
    const entry = decodeEntry(findMarker(comment.body, "path-index"));
    return entry ? [{ comment, entry, trusted: isTrustedIndexComment(comment, writers) }] : [];
  });
}

/** The index as a reader may believe it: each post-mortem's newest trusted entry. */
export interface TrustedIndex {
  entries: IndexEntry[];
  /** Post-mortems (by number) whose only entries are not trusted: to rebuild. */
  untrusted: number[];
}

/**
 * The entries to believe: of the comments the product wrote and nobody edited, the newest per
 * post-mortem (a race may leave two). Anything else is ignored; the numbers that untrusted
 * comments claim are returned only so that a writer rebuilds them from the post-mortems' markers.
 */
export function trustedIndex(comments: readonly IndexComment[], writers: Writers): TrustedIndex {
  const newest = new Map<string, Decoded>();
  const claimed = new Set<number>();
  for (const item of decodedOf(comments, writers)) {
    if (!item.trusted) {
      if (item.entry.postmortem !== undefined) claimed.add(item.entry.postmortem);
      continue;
    }
    const id =
      item.entry.postmortem !== undefined ? `#${item.entry.postmortem}` : `key:${item.entry.key}`;
    const known = newest.get(id);
    if (!known || newer(item.comment, known.comment)) newest.set(id, item);
  }
  const entries = [...newest.values()].map((item) => item.entry);
  const trustedNumbers = new Set(entries.map((entry) => entry.postmortem));
  return {
    entries,
    untrusted: [...claimed].filter((number) => !trustedNumbers.has(number)).sort((a, b) => a - b),
  };
}

/** Whether a comment was written after another: by GitHub's time, then by its id. */
function newer(a: IndexComment, b: IndexComment): boolean {
  const at = Date.parse(a.createdAt) - Date.parse(b.createdAt);
  return at !== 0 ? at > 0 : a.id > b.id;
}

/** Whether two entries say the same. */
export function sameEntry(a: IndexEntry, b: IndexEntry): boolean {
  return encodeEntry(a).data === encodeEntry(b).data;
}

/** The comment holding an entry: a short line for people, then the marker. */
export function entryComment(entry: IndexEntry): string {
  const paths = entry.culprits.reduce(
    (sum, culprit) => sum + culprit.paths.length + culprit.morePaths,
    0,
  );
  const culprits = entry.culprits.map((culprit) => `#${culprit.pr}`).join(", ");
  const who =
    entry.postmortem === undefined
      ? `A private post-mortem: ${entry.culprits.length} culprit${entry.culprits.length === 1 ? "" : "s"}`
      : `Post-mortem #${entry.postmortem}: culprits ${culprits}`;
  return `${who}, ${paths} path${paths === 1 ? "" : "s"}.\n\n${formatMarker("path-index", encodeEntry(entry))}`;
}

/**
 * The writes that leave one trusted comment saying `wanted` for this post-mortem: a new comment
 * when no trusted one says it (never an edit), then, in a later round, the product's other
 * comments for it deleted. `wanted` undefined: all of them deleted.
 */
export function planIndexEntry(
  indexIssue: number,
  comments: readonly IndexComment[],
  owner: EntryOwner,
  wanted: IndexEntry | undefined,
  writers: Writers,
): Plan {
  const mine = decodedOf(comments, writers).filter(
    (item) => wroteIt(item.comment.author, "flows", writers) && owns(item.entry, owner),
  );
  // The newest trusted comment that says what is wanted stays (a race may have left two).
  const kept = mine
    .filter((item) => item.trusted && wanted !== undefined && sameEntry(item.entry, wanted))
    .sort((a, b) => (newer(a.comment, b.comment) ? -1 : 1))
    .find(() => true);
  if (wanted !== undefined && !kept) {
    return [{ kind: "createComment", issueNumber: indexIssue, body: entryComment(wanted) }];
  }
  return mine
    .filter((item) => wanted === undefined || item !== kept)
    .map((item) => ({ kind: "deleteComment" as const, commentId: item.comment.id }));
}
