import Handlebars from "handlebars";

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
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}
