import type { ChangesConfig } from "../changes/config.js";
import type { Edit, FieldLine } from "../document.js";
import { applyEdits, findSection, readDocument } from "../document.js";
import { inlineText, plainLine } from "../markdown-text.js";
import type { MarkerData } from "../markers.js";
import { findMarker, formatMarker, setMarker } from "../markers.js";
import type { CommentSnapshot, IssueSnapshot } from "../snapshots.js";
import { formatDate } from "../time.js";
import type { Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";
import type { IndexedCulprit, IndexEntry } from "./path-index.js";
import { encodeEntry } from "./path-index.js";

/*
 * Culprits: what `/culprit` writes on a post-mortem (its marker's `culprits` and `related`, a
 * line each in Root Cause Analysis), on each culprit pull request (one comment), and which
 * earlier post-mortems it repeats. Pure: the handler (src/handlers/culprit-handler.ts) reads and
 * writes.
 */

export type Culprit = NonNullable<MarkerData<"postmortem">["culprits"]>[number];

/** A pull request as `/culprit` shows it, read from GitHub. */
export interface CulpritPull {
  number: number;
  title: string;
  author: string;
  state: "open" | "closed";
  mergedAt: string | undefined;
  /** GitHub's count of its changed files. */
  changedFiles: number;
}

/** The culprits a post-mortem's marker records (none for older post-mortems). */
export function culpritsOf(body: string | null | undefined): Culprit[] {
  return findMarker(body, "postmortem")?.culprits ?? [];
}

/** The post-mortems it is linked to as Possibly related. */
export function relatedOf(body: string | null | undefined): number[] {
  return findMarker(body, "postmortem")?.related ?? [];
}

const RCA_SECTION = /^3\.|root cause/i;
const CONTRIBUTING = "Contributing change";
const RELATED = "Possibly related";
const LOGIN = /^[a-z\d](?:[a-z\d-]*[a-z\d])?(?:\[bot\])?$/i;

/** How a pull request is named in a post-mortem: `#41`, or `owner/repo#41` in another repository. */
export function pullReference(number: number, repository?: string): string {
  return `${repository ?? ""}#${number}`;
}

/**
 * `- **Contributing change:** #41 Fix the cache by @alice (merged 2026-11-20)`: the title and the
 * login made inert, the day in the configured zone.
 */
export function contributingLine(pull: CulpritPull, zone: string, repository?: string): string {
  const author = LOGIN.test(pull.author) ? `@${pull.author}` : inlineText(`@${pull.author}`);
  const state = pull.mergedAt
    ? `merged ${formatDate(pull.mergedAt, zone)}`
    : pull.state === "open"
      ? "not merged yet"
      : "closed without merging";
  const title = inlineText(pull.title, 200);
  return `- **${CONTRIBUTING}:** ${pullReference(pull.number, repository)} ${title} by ${author} (${state})`;
}

export function relatedLine(number: number): string {
  return `- **${RELATED}:** #${number} (its culprits changed some of the same paths)`;
}

/** What one `/culprit` (or a follow-up round) changes in a post-mortem's body. */
export interface BodyChange {
  /** Culprits to record, with the line each gets in Root Cause Analysis. */
  add: { pr: number; line: string }[];
  remove: number[];
  /** Post-mortems to link as Possibly related (once: the marker remembers them). */
  related: number[];
  /** Culprits whose pull request comment is written. */
  commented: number[];
  indexKey?: string;
}

/**
 * The body with the change made: the marker's `culprits` and `related`, and the lines. A culprit
 * already recorded gets no second line; a removed one loses its line; a post-mortem already linked
 * is not linked again, even where a person deleted its line. Undefined: the body has no marker.
 */
export function withCulprits(body: string, change: BodyChange): string | undefined {
  const marker = findMarker(body, "postmortem");
  if (!marker) return undefined;
  const before = marker.culprits ?? [];
  const known = new Set(before.map((culprit) => culprit.pr));
  const added = change.add.filter((item) => !known.has(item.pr));
  const culprits = [
    ...before
      .filter((culprit) => !change.remove.includes(culprit.pr))
      .map((culprit) =>
        change.commented.includes(culprit.pr) ? { ...culprit, commented: true } : culprit,
      ),
    ...added.map((item) => ({ pr: item.pr, commented: change.commented.includes(item.pr) })),
  ].slice(0, 100);
  const linked = marker.related ?? [];
  const newlyRelated = change.related.filter((number) => !linked.includes(number));
  const related = [...linked, ...newlyRelated].slice(0, 100);

  // Lines first, by position, then the marker (setMarker keeps its place).
  let text = removeLines(body, change.remove);
  const lines = [
    ...added.filter((item) => !linesOf(text, CONTRIBUTING).has(item.pr)).map((item) => item.line),
    ...newlyRelated
      .filter((number) => !linesOf(text, RELATED).has(number))
      .map((number) => relatedLine(number)),
  ];
  text = insertLines(text, lines);
  const data: MarkerData<"postmortem"> = { ...marker };
  if (culprits.length > 0) data.culprits = culprits;
  else delete data.culprits;
  if (related.length > 0) data.related = related;
  if (change.indexKey !== undefined && data.indexKey === undefined) data.indexKey = change.indexKey;
  return setMarker(text, "postmortem", data);
}

/** The field lines of one name in Root Cause Analysis, by the pull request or issue they name. */
function linesOf(body: string, name: string): Map<number, FieldLine> {
  const document = readDocument(body);
  const section = findSection(document, RCA_SECTION);
  const found = new Map<number, FieldLine>();
  if (!section) return found;
  for (const field of document.fieldsIn(section.span)) {
    if (field.name !== name) continue;
    const match = /^(?:[\w.-]+\/[\w.-]+)?#(\d+)(?!\d)/.exec(field.value);
    if (match && !found.has(Number(match[1]))) found.set(Number(match[1]), field);
  }
  return found;
}

function removeLines(body: string, prs: readonly number[]): string {
  const lines = linesOf(body, CONTRIBUTING);
  const edits: Edit[] = prs.flatMap((pr) => {
    const line = lines.get(pr)?.line;
    if (!line) return [];
    const end = body[line.end] === "\n" ? line.end + 1 : line.end;
    return [{ span: { start: line.start, end }, replacement: "" }];
  });
  return applyEdits(body, edits);
}

/** Lines added at the end of Root Cause Analysis (before its `---`), else at the body's end. */
function insertLines(body: string, lines: readonly string[]): string {
  if (lines.length === 0) return body;
  const section = findSection(readDocument(body), RCA_SECTION);
  if (!section) return `${body.trimEnd()}\n\n${lines.join("\n")}\n`;
  const inside = body.slice(section.span.start, section.span.end);
  // The section's content without its closing thematic break (`---`) and blank lines.
  const content = inside.trimEnd().replace(/(?:^|\n)[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$/, "");
  const at = section.span.start + content.trimEnd().length;
  return applyEdits(body, [{ span: { start: at, end: at }, replacement: `\n${lines.join("\n")}` }]);
}

/** The comment on a culprit pull request: names the post-mortem, or nothing of a private one. */
export function pullComment(
  postmortem: { number: number; private: false } | { key: string; private: true },
): string {
  if (postmortem.private) {
    return `This pull request was recorded as contributing to a private post-mortem.\n\n${formatMarker("culprit", { key: postmortem.key })}`;
  }
  return `This pull request was recorded as a contributing cause of post-mortem #${postmortem.number}.\n\n${formatMarker("culprit", { postmortem: postmortem.number })}`;
}

/**
 * The product's comments for this post-mortem on a pull request beyond the first: two replicas that
 * both found none each wrote one; the later copies are deleted.
 */
export function extraPullComments(
  comments: readonly CommentSnapshot[],
  postmortem: { number: number; private: false } | { key: string; private: true },
  writers: Writers,
): number[] {
  return comments
    .filter((comment) => hasPullComment([comment], postmortem, writers))
    .map((comment) => comment.id)
    .sort((a, b) => a - b)
    .slice(1);
}

/** Whether the product's comment for this post-mortem is on the pull request already. */
export function hasPullComment(
  comments: readonly CommentSnapshot[],
  postmortem: { number: number; private: false } | { key: string; private: true },
  writers: Writers,
): boolean {
  return comments.some((comment) => {
    if (!wroteIt(comment.author, "flows", writers)) return false;
    const marker = findMarker(comment.body, "culprit");
    return postmortem.private
      ? marker?.key === postmortem.key
      : marker?.postmortem === postmortem.number;
  });
}

/** The entry of a post-mortem in the path index. */
export function indexEntryOf(input: {
  postmortem: IssueSnapshot;
  severity: IndexEntry["severity"];
  key?: string;
  culprits: IndexedCulprit[];
  openCapa: { number: number; title: string }[];
}): IndexEntry {
  const { postmortem } = input;
  const open = input.openCapa
    .slice(0, 100)
    .map((child) => ({ number: child.number, title: plainLine(child.title, 512) }));
  const common = {
    ...(input.severity === undefined ? {} : { severity: input.severity }),
    openedAt: new Date(postmortem.createdAt).toISOString(),
    culprits: input.culprits.slice(0, 100),
  };
  const entry: IndexEntry =
    input.key === undefined
      ? {
          postmortem: postmortem.number,
          title: plainLine(postmortem.title, 512),
          private: false,
          ...common,
          openCapa: open,
        }
      : // A private post-mortem's entry names nothing of it, its corrective actions included.
        { private: true, key: input.key, ...common, openCapa: [] };
  return fitted(entry);
}

/** Where an entry's marker must end: a comment holds 65,536 characters, with room for the line. */
export const MAX_ENTRY_DATA = 60_000;

/**
 * The entry, small enough for one comment: while its compressed form is too long, the culprit with
 * the most paths keeps half of them (the rest counted in `morePaths`). Paths compress well, so
 * this happens only for many culprits of hundreds of unusual paths each.
 */
function fitted(entry: IndexEntry): IndexEntry {
  let current = entry;
  while (encodeEntry(current).data.length > MAX_ENTRY_DATA) {
    const largest = [...current.culprits].sort((a, b) => b.paths.length - a.paths.length)[0];
    if (!largest || largest.paths.length === 0) break;
    const keep = Math.floor(largest.paths.length / 2);
    current = {
      ...current,
      culprits: current.culprits.map((culprit) =>
        culprit === largest
          ? {
              ...culprit,
              paths: culprit.paths.slice(0, keep),
              morePaths: culprit.morePaths + culprit.paths.length - keep,
            }
          : culprit,
      ),
    };
  }
  return current;
}

/**
 * The earlier post-mortems a post-mortem repeats: a culprit of it shares at least
 * `changes.repeatOverlap` of its paths (any one, at 0) with the culprits of an earlier
 * post-mortem of this repository opened within `changes.watchDays`. Private entries name no
 * post-mortem and are never linked.
 */
export function repeatsOf(
  postmortem: { number: number },
  culprits: readonly IndexedCulprit[],
  others: readonly IndexEntry[],
  config: Pick<ChangesConfig, "repeatOverlap" | "watchDays">,
  now: Date,
): number[] {
  const since = now.getTime() - config.watchDays * 86_400_000;
  const found = new Set<number>();
  for (const other of others) {
    const number = other.postmortem;
    if (other.private || number === undefined || number >= postmortem.number) continue;
    if (Date.parse(other.openedAt) < since) continue;
    const theirs = new Set(other.culprits.flatMap((culprit) => culprit.paths));
    const repeats = culprits.some((culprit) => {
      if (culprit.paths.length === 0) return false;
      const shared = culprit.paths.filter((path) => theirs.has(path)).length;
      return shared > 0 && shared / culprit.paths.length >= config.repeatOverlap;
    });
    if (repeats) found.add(number);
  }
  return [...found].sort((a, b) => a - b);
}
