import { toString } from "mdast-util-to-string";
import { parseMarkdown, walk } from "./markdown.js";

/**
 * Text copied from an incident (titles, bodies, logins, label names) is data. These functions turn
 * it into markdown that renders as the same words but cannot add structure to the post-mortem:
 * no headings, list or task items, table rows or cells, HTML (so no hidden markers), and no
 * mentions that would notify people or teams.
 */

// GitHub mentions `@login` after any character but a letter, digit or `_` (a backtick or another
// `@` included); `www.` starts a link as `http://` does.
const MENTION = /(?<!\w)@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\/[\w.-]+)?/gi;
const MENTION_OR_URL = new RegExp(
  `${MENTION.source}|(?:https?:\\/\\/|www\\.)[^\\s<>|\`[\\]()*~]+`,
  "gi",
);
const ESCAPED_ANYWHERE = /[\\`*_[\]<>|~&]/g;
const LINE_START_BLOCK = /^(?:[#>+=-]|\d+[.)])/;
// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

/** One line of inline markdown showing `text` literally, at most `maxLength` characters of it. */
export function inlineText(text: string, maxLength = Number.POSITIVE_INFINITY): string {
  return escapeLineStart(inlineWords(truncate(singleLine(text), maxLength), MENTION_OR_URL));
}

/** Escaped text with each mention in a code span; addresses matched by `pattern` left to link. */
function inlineWords(line: string, pattern: RegExp): string {
  let result = "";
  let last = 0;
  for (const match of line.matchAll(pattern)) {
    const found = match[0];
    result += escapeText(line.slice(last, match.index));
    if (found.startsWith("@")) result += `\`${found}\``;
    else if (!found.includes("@")) result += found;
    else {
      // An address with an `@` is not left to autolinking (`http://@x` links nothing, so the
      // handle would be a mention; a `www.` link would swallow the mention's code span): its
      // `:` or `.` is escaped so it stays text, and its handles are defused like any other.
      const cut = found.search(/[:.]/);
      result += `${found.slice(0, cut)}\\${found[cut]}${inlineWords(found.slice(cut + 1), MENTION)}`;
    }
    last = match.index + found.length;
  }
  return result + escapeText(line.slice(last));
}

/**
 * `text` as one code span, shown exactly: GitHub renders a code span's content literally, so it
 * gets no backslash escapes; its fence is one backtick longer than any run inside, and it is
 * padded when the text starts or ends with a backtick (CommonMark strips one space each side; the
 * line itself is trimmed).
 */
export function codeSpan(text: string, maxLength = 200): string {
  const line = truncate(singleLine(text), maxLength);
  const longestRun = Math.max(0, ...[...line.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = "`".repeat(longestRun + 1);
  const pad = line.startsWith("`") || line.endsWith("`") ? " " : "";
  return `${fence}${pad}${line}${pad}${fence}`;
}

/**
 * `codeSpan` for a table cell: GFM splits a row at every `|` not escaped, code spans included,
 * and shows `\|` in a cell's code span as `|`.
 */
export function codeSpanInTable(text: string, maxLength = 200): string {
  return codeSpan(text, maxLength).replace(/\|/g, "\\|");
}

/** A single line of plain text (issue titles are not markdown), at most `maxLength` characters. */
export function plainLine(text: string, maxLength: number): string {
  return truncate(singleLine(text), maxLength);
}

/** The words of the first paragraph of a markdown text, ignoring headings, HTML comments and code. */
export function firstParagraphText(markdown: string | null | undefined): string | undefined {
  if (!markdown) return undefined;
  let found: string | undefined;
  walk(parseMarkdown(markdown), (node) => {
    if (found === undefined && node.type === "paragraph") {
      const words = singleLine(toString(node));
      if (words !== "") found = words;
    }
  });
  return found;
}

function singleLine(text: string): string {
  return text.replace(CONTROL_CHARACTERS, " ").replace(/\s+/g, " ").trim();
}

/** Cuts by code points, so no surrogate pair is split, and marks the cut with an ellipsis. */
export function truncate(text: string, maxLength: number): string {
  const codePoints = Array.from(text);
  if (codePoints.length <= maxLength) return text;
  return `${codePoints.slice(0, Math.max(0, maxLength - 1)).join("")}…`;
}

function escapeText(text: string): string {
  return text.replace(ESCAPED_ANYWHERE, (char) => `\\${char}`);
}

function escapeLineStart(line: string): string {
  const match = LINE_START_BLOCK.exec(line);
  if (!match) return line;
  const marker = match[0];
  // An ordered-list marker is defused by escaping its punctuation; the others by a leading backslash.
  return /^\d/.test(marker)
    ? `${marker.slice(0, -1)}\\${marker.slice(-1)}${line.slice(marker.length)}`
    : `\\${line}`;
}
