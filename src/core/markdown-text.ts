import { toString } from "mdast-util-to-string";
import { parseMarkdown, walk } from "./markdown.js";

/**
 * Text copied from an incident (titles, bodies, logins, label names) is data. These functions turn
 * it into markdown that renders as the same words but cannot add structure to the post-mortem:
 * no headings, list or task items, table rows or cells, HTML (so no hidden markers), and no
 * mentions that would notify people or teams.
 */

const MENTION_OR_URL =
  /(?<![\w`@])@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\/[\w.-]+)?|https?:\/\/[^\s<>|`[\]()*~]+/gi;
const ESCAPED_ANYWHERE = /[\\`*_[\]<>|~&]/g;
const LINE_START_BLOCK = /^(?:[#>+=-]|\d+[.)])/;
// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

/** One line of inline markdown showing `text` literally, at most `maxLength` characters of it. */
export function inlineText(text: string, maxLength = Number.POSITIVE_INFINITY): string {
  const line = truncate(singleLine(text), maxLength);
  let result = "";
  let last = 0;
  for (const match of line.matchAll(MENTION_OR_URL)) {
    result += escapeText(line.slice(last, match.index));
    result += match[0].startsWith("@") ? `\`${match[0]}\`` : match[0];
    last = match.index + match[0].length;
  }
  result += escapeText(line.slice(last));
  return escapeLineStart(result);
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
