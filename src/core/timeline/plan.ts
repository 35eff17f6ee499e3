import { createHash } from "node:crypto";
import type { Config } from "../config.js";
import type { Edit, FieldLine, MarkdownDocument, MarkdownTable } from "../document.js";
import { applyEdits, findSection, readDocument, setFieldValue } from "../document.js";
import type { MarkerData } from "../markers.js";
import { findMarker, setMarker, withoutMarker } from "../markers.js";
import type { Plan } from "../plan.js";
import { MAX_BODY_LENGTH } from "../template.js";
import { formatDateTime } from "../time.js";
import { formatSpan, parseDateTime } from "./datetime.js";
import type { TimelineEntry } from "./events.js";

/**
 * The post-mortem's Timeline of Events (section 4) grows from the incident's history, and End and
 * Duration (section 1) are filled when the incident closes. Rows are inserted in time order among
 * the rows already there; no row is moved, rewritten or deleted. The App's hidden `timeline`
 * marker lists the rows it added (a hash of their time and text), so a redelivery adds nothing and
 * a row a person deleted stays deleted, and the End and Duration values it wrote, so it updates
 * those (after a reopen and a later close) but never a value a person typed.
 */

export type TimelineMarker = MarkerData<"timeline">;

export interface TimelineInput {
  /** The post-mortem's body, read right before planning. */
  body: string;
  postmortemNumber: number;
  entries: readonly TimelineEntry[];
  /** When the incident closed, if it is closed now (the latest close). */
  closedAt?: string;
  config: Config;
}

/** One body update, or nothing when the post-mortem already shows everything. */
export function planTimeline(input: TimelineInput): Plan {
  const zone = input.config.timezone;
  const rows = input.entries.map((entry) => ({
    time: formatDateTime(entry.at, zone),
    event: entry.text,
  }));
  const end = input.closedAt === undefined ? undefined : formatDateTime(input.closedAt, zone);
  const body = editBody(input.body, { rows, end }, zone, input.body);
  return body === undefined
    ? []
    : [{ kind: "updateIssueBody", issueNumber: input.postmortemNumber, body }];
}

export interface RowCells {
  /** The Time cell as written, e.g. `2026-11-27 13:05 UTC`. */
  time: string;
  /** The Event cell, inert markdown. */
  event: string;
}

export interface BodyChanges {
  rows: readonly RowCells[];
  /** The End value the App wants (the close time), if any. */
  end?: string;
}

/**
 * `body` with the rows and End/Duration added where the rules allow, and the marker updated with
 * `basedOn` as the text the write was computed from; undefined when nothing changes (or the body
 * would grow past GitHub's limit).
 */
export function editBody(
  body: string,
  changes: BodyChanges,
  zone: string,
  basedOn: string,
): string | undefined {
  const document = readDocument(body);
  const previous = findMarker(body, "timeline");
  const marker: TimelineMarker = { ...previous, rows: [...(previous?.rows ?? [])] };
  const edits = [
    ...rowEdits(document, changes.rows, zone, marker),
    ...fieldEdits(document, changes.end, zone, marker),
  ].filter((edit) => body.slice(edit.span.start, edit.span.end) !== edit.replacement);
  if (edits.length === 0 && sameMarker(previous ?? { rows: [] }, marker)) return undefined;
  const written = setMarker(applyEdits(body, edits), "timeline", {
    ...marker,
    base: contentFingerprint(basedOn),
  });
  return written.length > MAX_BODY_LENGTH ? undefined : written;
}

/** The hash a row of the App is known by in the marker: its time and its text. */
export function rowId(row: RowCells): string {
  return createHash("sha256").update(`${row.time}\u0000${row.event}`).digest("hex").slice(0, 12);
}

/** The body without the App's bookkeeping markers, whitespace-normalised, as a short hash. */
export function contentFingerprint(body: string): string {
  const text = withoutMarker(withoutMarker(body, "sync"), "timeline")
    .replace(/[ \t]+$/gm, "")
    .replace(/\n{2,}/g, "\n")
    .trim();
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

export function timelineTable(document: MarkdownDocument): MarkdownTable | undefined {
  const section = findSection(document, /^4\.|timeline of events/i);
  return section ? document.tablesIn(section.span)[0] : undefined;
}

/** Where the Time and Event columns are: by their headers, else the first two. */
export function columnsOf(table: MarkdownTable): { time: number; event: number } {
  const time = table.header.findIndex((cell) => /time/i.test(cell));
  const event = table.header.findIndex(
    (cell, index) => index !== time && /event|description/i.test(cell),
  );
  const at = time === -1 ? 0 : time;
  return { time: at, event: event === -1 ? (at === 0 ? 1 : 0) : event };
}

function rowEdits(
  document: MarkdownDocument,
  rows: readonly RowCells[],
  zone: string,
  marker: TimelineMarker,
): Edit[] {
  const table = timelineTable(document);
  if (!table || rows.length === 0) return [];
  const columns = columnsOf(table);
  const cellsOf = (cells: string[]) => ({
    time: cells[columns.time] ?? "",
    event: cells[columns.event] ?? "",
  });
  const present = new Set(table.rows.map((row) => rowId(cellsOf(row.cells))));
  const existing = instantsOf(
    table.rows.map((row) => cellsOf(row.cells).time),
    zone,
  );

  const inserts = new Map<number, string[]>();
  const added = rows
    .filter((row) => {
      const id = rowId(row);
      if (marker.rows.includes(id)) return false;
      marker.rows.push(id);
      return !present.has(id);
    })
    .map((row) => ({ row, at: parseDateTime(row.time, zone) ?? "" }))
    .sort((a, b) => a.at.localeCompare(b.at));
  for (const { row, at } of added) {
    const before = table.rows.findIndex((_, index) => {
      const when = existing[index];
      return when !== undefined && when > at;
    });
    const offset = before === -1 ? table.span.end : table.rows[before]!.line.start;
    const cells = table.header.map(() => "");
    cells[columns.time] = row.time;
    cells[columns.event] = row.event;
    const line = `| ${cells.join(" | ")} |`;
    inserts.set(offset, [...(inserts.get(offset) ?? []), line]);
  }
  return [...inserts].map(([offset, lines]) => ({
    span: { start: offset, end: offset },
    replacement: offset === table.span.end ? `\n${lines.join("\n")}` : `${lines.join("\n")}\n`,
  }));
}

/**
 * The instants of the rows' Time cells (ISO strings compare in time order): a full date-time, or
 * a bare `HH:MM` on the day of the nearest dated row above (else below). Undefined for a cell that
 * says no time; such rows are never moved and never compared.
 */
function instantsOf(cells: readonly string[], zone: string): (string | undefined)[] {
  const dated = cells.map((cell) => parseDateTime(cell, zone));
  const days = dated.map((instant, index) =>
    instant === undefined ? undefined : cells[index]!.trim().slice(0, 10),
  );
  return cells.map((cell, index) => {
    if (dated[index] !== undefined) return dated[index];
    const time = /^(\d{1,2}:\d{2})(?:\s.*)?$/.exec(cell.trim());
    if (!time) return undefined;
    const day =
      days
        .slice(0, index)
        .reverse()
        .find((found) => found !== undefined) ??
      days.slice(index + 1).find((found) => found !== undefined);
    return day === undefined ? undefined : parseDateTime(`${day} ${cell.trim()}`, zone);
  });
}

const FIELD = {
  start: /^date\s*&\s*time\s*\(start\)$/i,
  reported: /^date\s*&\s*time\s*\((?:reported|identified|reported\/identified)\)$/i,
  end: /^date\s*&\s*time\s*\(end\)$/i,
  duration: /^duration$/i,
};

function fieldEdits(
  document: MarkdownDocument,
  end: string | undefined,
  zone: string,
  marker: TimelineMarker,
): Edit[] {
  if (end === undefined) return [];
  const section = findSection(document, /^1\.|incident summary/i);
  if (!section) return [];
  const fields = document.fieldsIn(section.span);
  const field = (name: RegExp): FieldLine | undefined =>
    fields.find((line) => name.test(line.name));
  const edits: Edit[] = [];

  const endField = field(FIELD.end);
  let endShown: string | undefined;
  if (endField && ownedBy(endField.value, marker.end)) {
    edits.push(setFieldValue(document.text, endField, end));
    marker.end = end;
    endShown = end;
  } else if (endField) {
    endShown = endField.value; // typed by a person: Duration is counted to it
  }

  const durationField = field(FIELD.duration);
  if (durationField && endShown !== undefined && ownedBy(durationField.value, marker.duration)) {
    const start =
      parseDateTime(field(FIELD.start)?.value ?? "", zone) ??
      parseDateTime(field(FIELD.reported)?.value ?? "", zone);
    const until = parseDateTime(endShown, zone);
    const duration = start && until ? formatSpan(start, until) : undefined;
    if (duration !== undefined) {
      edits.push(setFieldValue(document.text, durationField, duration));
      marker.duration = duration;
    }
  }
  return edits;
}

/** A field the App may write: blank, or still showing what the App wrote there. */
function ownedBy(value: string, written: string | undefined): boolean {
  return value === "" || (written !== undefined && value === written);
}

function sameMarker(a: TimelineMarker, b: TimelineMarker): boolean {
  return (
    a.end === b.end &&
    a.duration === b.duration &&
    a.rows.length === b.rows.length &&
    a.rows.every((id, index) => b.rows[index] === id)
  );
}
