import type { Heading, ListItem, Nodes, Paragraph, Root, Table } from "mdast";
import { toString } from "mdast-util-to-string";
import { parseMarkdown, walk } from "./markdown.js";

/**
 * A post-mortem body read as a document: its sections, field lines, task items and tables, each
 * with the offsets where it stands, so the App can rewrite the few lines it owns and leave every
 * other byte as the user wrote it.
 */

/** Offsets into the markdown text: `text.slice(start, end)`. */
export interface Span {
  start: number;
  end: number;
}

export interface Section {
  /** The heading's words, e.g. `6. Corrective and Preventive Actions (CAPA)`. */
  title: string;
  depth: number;
  heading: Span;
  /** From the heading to the next heading of the same or a higher level (or the end). */
  span: Span;
}

/** A list item of the form `- **Name:** value`. */
export interface FieldLine {
  name: string;
  /** The value as written, trimmed (markdown source, not rendered text). */
  value: string;
  /** Where the value stands (after `**Name:**`, up to the end of the item's first line). */
  valueSpan: Span;
  line: Span;
}

export interface TaskItem {
  checked: boolean;
  /** The item's first line after the checkbox, as written, trimmed. */
  text: string;
  textSpan: Span;
  /** The item's whole first line, from the list marker on. */
  line: Span;
  /** Titles of the headings above it, outermost first. */
  headings: string[];
}

export interface TableRow {
  /** Cell source, trimmed. */
  cells: string[];
  line: Span;
}

export interface MarkdownTable {
  header: string[];
  rows: TableRow[];
  span: Span;
}

export interface MarkdownDocument {
  text: string;
  sections: Section[];
  fieldsIn(span: Span): FieldLine[];
  tasksIn(span: Span): TaskItem[];
  tablesIn(span: Span): MarkdownTable[];
}

export function readDocument(text: string): MarkdownDocument {
  const tree = parseMarkdown(text);
  const sections = readSections(tree, text);
  const within = (span: Span, node: Nodes) =>
    node.position !== undefined &&
    node.position.start.offset! >= span.start &&
    node.position.end.offset! <= span.end;
  const nodes = <T extends Nodes>(span: Span, type: T["type"]): T[] => {
    const found: T[] = [];
    walk(tree, (node) => {
      if (node.type === type && within(span, node)) found.push(node as T);
    });
    return found;
  };
  return {
    text,
    sections,
    fieldsIn: (span) =>
      nodes<ListItem>(span, "listItem")
        .map((item) => readField(item, text))
        .filter((field): field is FieldLine => field !== undefined),
    tasksIn: (span) =>
      nodes<ListItem>(span, "listItem")
        .filter((item) => typeof item.checked === "boolean")
        .map((item) => readTask(item, text, sections)),
    tablesIn: (span) => nodes<Table>(span, "table").map((table) => readTable(table, text)),
  };
}

/** The first section whose title matches, e.g. `/^6\.|corrective and preventive/i`. */
export function findSection(
  document: MarkdownDocument,
  title: RegExp,
  depth = 2,
): Section | undefined {
  return document.sections.find((section) => section.depth === depth && title.test(section.title));
}

export interface Edit {
  span: Span;
  replacement: string;
}

/** Applies non-overlapping edits by offset; every byte outside them is kept. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start);
  let result = "";
  let cursor = 0;
  for (const edit of sorted) {
    if (edit.span.start < cursor) throw new Error("overlapping edits");
    result += text.slice(cursor, edit.span.start) + edit.replacement;
    cursor = edit.span.end;
  }
  return result + text.slice(cursor);
}

/** An edit that sets a field line's value, keeping the `**Name:**` and the line's trailing spaces. */
export function setFieldValue(text: string, field: FieldLine, value: string): Edit {
  const { start, end } = field.valueSpan;
  const needsSpace = value !== "" && text[start - 1] !== " ";
  return { span: { start, end }, replacement: `${needsSpace ? " " : ""}${value}` };
}

function spanOf(node: Nodes): Span {
  return { start: node.position!.start.offset!, end: node.position!.end.offset! };
}

function readSections(tree: Root, text: string): Section[] {
  const headings = tree.children.filter((node): node is Heading => node.type === "heading");
  return headings.map((heading, index) => {
    const next = headings.slice(index + 1).find((other) => other.depth <= heading.depth);
    return {
      title: toString(heading).trim(),
      depth: heading.depth,
      heading: spanOf(heading),
      span: { start: spanOf(heading).start, end: next ? spanOf(next).start : text.length },
    };
  });
}

/** The end of the line that `offset` is on (excluding the newline). */
function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf("\n", offset);
  return newline === -1 ? text.length : newline;
}

function firstParagraph(item: ListItem): Paragraph | undefined {
  const first = item.children[0];
  return first?.type === "paragraph" ? first : undefined;
}

const FIELD = /^\*\*([^*\n]+?):\*\*/;

function readField(item: ListItem, text: string): FieldLine | undefined {
  const paragraph = firstParagraph(item);
  if (!paragraph) return undefined;
  const start = spanOf(paragraph).start;
  const end = lineEnd(text, start);
  const match = FIELD.exec(text.slice(start, end));
  if (!match) return undefined;
  const valueStart = start + match[0].length;
  const raw = text.slice(valueStart, end);
  const value = raw.trim();
  // An empty value is written right after `**Name:**`, keeping the line's trailing spaces.
  const leading = value === "" ? 0 : raw.length - raw.trimStart().length;
  return {
    name: match[1]!.trim(),
    value,
    valueSpan: { start: valueStart + leading, end: valueStart + leading + value.length },
    line: { start: spanOf(item).start, end },
  };
}

function readTask(item: ListItem, text: string, sections: Section[]): TaskItem {
  const itemStart = spanOf(item).start;
  const end = lineEnd(text, itemStart);
  const line = text.slice(itemStart, end);
  // The checkbox is `[ ]`, `[x]` or `[X]` right after the list marker.
  const box = /^(?:[-*+]|\d+[.)])\s+\[[ xX]\]\s?/.exec(line);
  const textStart = itemStart + (box ? box[0].length : 0);
  const raw = text.slice(textStart, end);
  const trimmedEnd = textStart + raw.trimEnd().length;
  return {
    checked: item.checked === true,
    text: raw.trim(),
    textSpan: { start: textStart, end: trimmedEnd },
    line: { start: itemStart, end },
    headings: sections
      .filter((section) => section.span.start <= itemStart && itemStart < section.span.end)
      .map((section) => section.title),
  };
}

function readTable(table: Table, text: string): MarkdownTable {
  const [headerRow, ...rows] = table.children;
  const cells = (row: (typeof table.children)[number]) =>
    row.children.map((cell) =>
      cell.position
        ? text.slice(spanOf(cell).start, spanOf(cell).end).replace(/^\|?\s*|\s*\|?$/g, "")
        : "",
    );
  return {
    header: headerRow ? cells(headerRow) : [],
    rows: rows.map((row) => ({ cells: cells(row), line: spanOf(row) })),
    span: spanOf(table),
  };
}
