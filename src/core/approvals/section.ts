import type { FieldLine, MarkdownDocument, Section } from "../document.js";
import { findSection, readDocument } from "../document.js";
import type { ApprovalsConfig } from "./config.js";
import { PLAIN_FIELDS } from "./config.js";

/** Section 9 as the team's template names it. */
export const APPROVALS_SECTION_TITLE = "9. Approvals & Final Notes";

/**
 * Section 9 of a post-mortem: found by its number or its title at any heading level, so a
 * renumbered or re-levelled heading still works; its fields by name, without regard to case.
 */
export interface ApprovalSection {
  document: MarkdownDocument;
  section: Section | undefined;
  /** Field lines of the section by lower-cased, space-normalised name (the first of each). */
  fields: Map<string, FieldLine>;
}

export function readApprovalSection(text: string): ApprovalSection {
  const document = readDocument(text);
  const section =
    findSection(document, /^9\s*[.):]/) ??
    document.sections.find((candidate) => /^9\s*[.):]/.test(candidate.title)) ??
    document.sections.find((candidate) => /\bapprovals?\b/i.test(candidate.title));
  const fields = new Map<string, FieldLine>();
  if (section) {
    for (const field of document.fieldsIn(section.span)) {
      const key = fieldKey(field.name);
      if (!fields.has(key)) fields.set(key, field);
    }
  }
  return { document, section, fields };
}

export function fieldKey(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, " ");
}

/** The field name a `required` key stands for: a role's field, or one of the fixed ones. */
export function fieldNameOf(key: string, config: ApprovalsConfig): string {
  return config.roles[key]?.field ?? PLAIN_FIELDS[key as keyof typeof PLAIN_FIELDS] ?? key;
}

export function findField(approvals: ApprovalSection, name: string): FieldLine | undefined {
  return approvals.fields.get(fieldKey(name));
}

/** 1-based line number of an offset, for messages and annotations. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset && index < text.length; index++) {
    if (text[index] === "\n") line++;
  }
  return line;
}

// ---- values --------------------------------------------------------------------------------

/**
 * Prompts a template may leave in a field instead of a value. The built-in template leaves the
 * fields of section 9 empty; these are what people and other templates typically put there.
 */
const PLACEHOLDERS = new Set([
  "yes/no",
  "yes / no",
  "yyyy-mm-dd",
  "tbd",
  "todo",
  "tba",
  "...",
  "…",
  "-",
  "—",
  "_",
  "?",
]);

/** The value as a person reads it: HTML comments and emphasis markers removed, trimmed. */
export function cleanValue(value: string): string {
  return value
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/\\$/, "")
    .replace(/^[*_~`]+|[*_~`]+$/g, "")
    .trim();
}

export function isPlaceholder(value: string): boolean {
  const clean = cleanValue(value).toLowerCase();
  return clean === "" || PLACEHOLDERS.has(clean) || /^[<[{(].*[>\]})]$/.test(clean);
}

const LOGIN_MENTION = /(?<![\w`])@([a-z\d](?:[a-z\d-]{0,37}[a-z\d])?)(?![\w/-])/i;

/** The first `@login` an Approved By field names, if any. */
export function namedLogin(value: string): string | undefined {
  return LOGIN_MENTION.exec(cleanValue(value))?.[1];
}

/** A real calendar date `YYYY-MM-DD` (optionally followed by a time), as a UTC day. */
export function parseDay(value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?(?:\s*\S+)?)?$/.exec(
    cleanValue(value),
  );
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? date : undefined;
}

export function parseYesNo(value: string): "Yes" | "No" | undefined {
  const clean = cleanValue(value).replace(/[.!]$/, "").toLowerCase();
  return clean === "yes" ? "Yes" : clean === "no" ? "No" : undefined;
}
