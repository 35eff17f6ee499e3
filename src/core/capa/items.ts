import { createHash } from "node:crypto";
import type { MarkdownDocument, MarkdownTable, Span, TableRow, TaskItem } from "../document.js";
import { findSection, readDocument } from "../document.js";

/**
 * What a user writes on a CAPA line, and what the App writes back:
 *   - [x] Add automated validation checks (CI/CD gates) @carol due 2026-12-15
 *   - [x] Add automated validation checks (CI/CD gates) → #123 · @carol · due 2026-12-15
 * Everything from the arrow on belongs to the App; the words before it belong to the user.
 */

export const CAPA_SECTION = /^6\.|corrective and preventive|\bcapa\b/i;
export const FOLLOW_UP_SECTION = /^8\.|follow-up actions/i;
export const CLASSIFICATION_SECTION = /^10\.|incident classification/i;

export const LINK_ARROW = "→";
const LINK = /→\s*#(\d+)\b/;
const OWNER = /(?<![\w`/])@([a-z\d](?:[a-z\d-]*[a-z\d])?(?:\/[\w.-]+)?)/i;
/** In the App's part, an owner it wrote inert (`` `@org/team` ``, no mention) counts too. */
const APP_OWNER = /(?<![\w/])`?@([a-z\d](?:[a-z\d-]*[a-z\d])?(?:\/[\w.-]+)?)/i;
const DUE = /(?:\b(?:due:?|by)\s*)?\b(\d{4}-\d{2}-\d{2})\b/i;
const ISSUE_REFERENCE = /(?<![\w&])#(\d+)\b/;

export interface LineParts {
  /** The action in the user's words: the line without owner, date and link. */
  title: string;
  owner?: Owner;
  /** As written; check with `parseIsoDate`. */
  due?: string;
  /** The child issue the App linked (`→ #123`). */
  linked?: number;
}

export type Owner = { kind: "user"; login: string } | { kind: "team"; slug: string };

export function parseLine(text: string): LineParts {
  // Only an arrow followed by an issue link is the App's; "Deploy → prod" is the user's words.
  const arrow = LINK.exec(text)?.index ?? -1;
  const userPart = arrow === -1 ? text : text.slice(0, arrow);
  const appPart = arrow === -1 ? "" : text.slice(arrow);
  const linked = LINK.exec(appPart)?.[1];
  // Owner and date written by the user win over those the App wrote back.
  const ownerMatch = OWNER.exec(userPart) ?? APP_OWNER.exec(appPart);
  const dueMatch = DUE.exec(userPart) ?? DUE.exec(appPart);
  let title = userPart;
  for (const match of [OWNER.exec(userPart), DUE.exec(userPart)]) {
    if (match) title = title.replace(match[0], " ");
  }
  return {
    title: title
      .replace(/\s+/g, " ")
      .replace(/[\s·,;:–—-]+$/, "")
      .trim(),
    owner: ownerMatch ? ownerOf(ownerMatch[1]!) : undefined,
    due: dueMatch?.[1],
    linked: linked === undefined ? undefined : Number(linked),
  };
}

function ownerOf(handle: string): Owner {
  return handle.includes("/")
    ? { kind: "team", slug: handle.toLowerCase() }
    : { kind: "user", login: handle };
}

/** A real calendar date `YYYY-MM-DD`, or undefined (2026-02-30 is not one). */
export function parseIsoDate(text: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? text : undefined;
}

/** The identity of an action across edits of its owner, date and link: its normalized words. */
export function itemKey(title: string): string {
  const normalized = title.toLowerCase().replace(/\s+/g, " ").trim();
  return createHash("sha256").update(normalized).digest("hex").slice(0, 16);
}

export interface CapaItem extends LineParts {
  key: string;
  checked: boolean;
  /** The subsection heading without its "A. " prefix, e.g. "Technical Fixes". */
  category: string;
  task: TaskItem;
}

export interface FollowUpRow extends LineParts {
  key: string;
  /** The child the row is about (`#123` in its first cell), if any. */
  reference?: number;
  row: TableRow;
}

export interface PostmortemBody {
  document: MarkdownDocument;
  /** Undefined when section 6 cannot be found. */
  capaSection?: Span;
  items: CapaItem[];
  /** Undefined when section 8 or its table cannot be found. */
  followUpTable?: MarkdownTable;
  rows: FollowUpRow[];
  /** The checked severity box of section 10 (`P1` … `P4`), if any. */
  checkedSeverity?: "P1" | "P2" | "P3" | "P4";
}

export function readPostmortemBody(body: string): PostmortemBody {
  const document = readDocument(body);
  const capa = findSection(document, CAPA_SECTION);
  const items = capa
    ? document.tasksIn(capa.span).map((task): CapaItem => {
        const parts = parseLine(task.text);
        return {
          ...parts,
          key: itemKey(parts.title),
          checked: task.checked,
          category: categoryOf(task),
          task,
        };
      })
    : [];
  const followUp = findSection(document, FOLLOW_UP_SECTION);
  const followUpTable = followUp
    ? document.tablesIn(followUp.span).find((table) => table.header.length >= 4)
    : undefined;
  const rows = (followUpTable?.rows ?? []).map((row): FollowUpRow => {
    const [action = "", owner = "", due = ""] = row.cells;
    const reference = ISSUE_REFERENCE.exec(action)?.[1];
    const parts = parseLine(
      `${action.replace(ISSUE_REFERENCE, " ").replace(/\(\s*\)/, " ")} ${owner} ${due}`,
    );
    return {
      ...parts,
      key: itemKey(parts.title),
      reference: reference === undefined ? undefined : Number(reference),
      row,
    };
  });
  const classification = findSection(document, CLASSIFICATION_SECTION);
  const checkedSeverity = classification
    ? document
        .tasksIn(classification.span)
        .filter((task) => task.checked)
        .map((task) => /^P([1-4])\b/.exec(task.text)?.[1])
        .filter((level) => level !== undefined)
        .sort()[0]
    : undefined;
  return {
    document,
    capaSection: capa?.span,
    items,
    followUpTable,
    rows,
    checkedSeverity: checkedSeverity
      ? (`P${checkedSeverity}` as "P1" | "P2" | "P3" | "P4")
      : undefined,
  };
}

function categoryOf(task: TaskItem): string {
  // headings: [document title, "6. …", "A. Technical Fixes"] — the subsection is the one after "6.".
  const index = task.headings.findIndex((heading) => CAPA_SECTION.test(heading));
  const subsection = index === -1 ? undefined : task.headings[index + 1];
  return subsection ? subsection.replace(/^[A-Z\d]{1,2}[.)]\s+/, "").trim() : "General";
}

/** Issue numbers linked on CAPA lines (`→ #N`) and Follow-Up rows (`(#N)`), each once. */
export function linkedIssueNumbers(body: string): number[] {
  const parsed = readPostmortemBody(body);
  const numbers = [
    ...parsed.items.map((item) => item.linked),
    ...parsed.rows.map((row) => row.reference),
  ];
  return [...new Set(numbers.filter((number): number is number => number !== undefined))];
}
