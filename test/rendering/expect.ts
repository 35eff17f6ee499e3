import { expect } from "vitest";
import { visible } from "./hostile.js";
import type { Rendered } from "./render.js";
import { renderGfm } from "./render.js";

export interface Readable {
  /** People's texts that must be visible exactly as written. */
  shows?: readonly string[];
  /** The only mentions allowed: the logins the product means to notify. */
  mentions?: readonly string[];
}

/**
 * Renders `markdown` as GitHub does and checks what a person sees: each text of `shows` exactly,
 * no backslash anywhere else, no mention but the ones meant, and tables whose rows have their
 * header's number of cells (the cells themselves are checked by each test).
 */
export function expectReadable(markdown: string, { shows = [], mentions = [] }: Readable = {}) {
  const rendered = renderGfm(markdown);
  for (const text of shows) expect(rendered.text).toContain(visible(text));
  let rest = rendered.text;
  for (const text of shows) rest = rest.split(visible(text)).join(" ");
  expect(rest, "a backslash shows outside people's text").not.toContain("\\");
  expect(rendered.mentions.filter((mention) => !mentions.includes(mention))).toEqual([]);
  for (const table of rendered.tables) {
    for (const row of table.rows) expect(row).toHaveLength(table.header.length);
  }
  return rendered;
}

/** The one table whose header is `header`. */
export function tableWith(rendered: Rendered, header: readonly string[]) {
  const tables = rendered.tables.filter(
    (table) => JSON.stringify(table.header) === JSON.stringify(header),
  );
  expect(tables).toHaveLength(1);
  return tables[0]!;
}
