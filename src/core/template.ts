import Handlebars from "handlebars";
import { inlineText } from "./markdown-text.js";

/** GitHub refuses issue and comment bodies longer than this. */
export const MAX_BODY_LENGTH = 65_536;

export type RenderResult = { ok: true; text: string } | { ok: false; problem: string };

/**
 * Renders markdown, not HTML: Handlebars' HTML escaping is off because the values are already made
 * safe for markdown (markdown-text.ts) and HTML entities would show up literally on GitHub.
 * Template data is never compiled, so text from an issue cannot run template code.
 */
export function renderTemplate(source: string, context: object): RenderResult {
  const handlebars = Handlebars.create();
  handlebars.registerHelper("check", (checked: unknown) => (checked === true ? "x" : " "));
  try {
    const template = handlebars.compile(source, { noEscape: true });
    return { ok: true, text: template(context) };
  } catch (error) {
    return { ok: false, problem: readableError(error) };
  }
}

/**
 * An error as markdown: its first line as text, the rest (Handlebars quotes the template's line
 * there) in a code block, so the template's own words show as written and mention nobody.
 */
function readableError(error: unknown): string {
  const [first = "", ...rest] = (error instanceof Error ? error.message : String(error)).split(
    "\n",
  );
  if (rest.length === 0) return inlineText(first);
  const quoted = rest.join("\n");
  const longestRun = Math.max(2, ...[...quoted.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = "`".repeat(longestRun + 1);
  return `${inlineText(first)}\n\n${fence}text\n${quoted}\n${fence}`;
}
