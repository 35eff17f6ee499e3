// Mermaid's own parser, for checking the charts the report writes. `@mermaid-js/parser` knows
// `pie` but not `xychart-beta`, so the full `mermaid` package parses them; it needs a DOM (its
// sanitizer reads `window`), which jsdom provides.
import { JSDOM } from "jsdom";
import type { Mermaid } from "mermaid";

let loaded: Promise<Mermaid> | undefined;

function mermaid() {
  loaded ??= (async () => {
    const dom = new JSDOM("<!doctype html><html><body></body></html>");
    Object.assign(globalThis, { window: dom.window, document: dom.window.document });
    return (await import("mermaid")).default;
  })();
  return loaded;
}

/** The diagram type Mermaid read from `source`; throws Mermaid's parse error when it is invalid. */
export async function parseMermaid(source: string): Promise<string> {
  const result = await (await mermaid()).parse(source);
  if (!result) throw new Error("mermaid.parse returned false");
  return result.diagramType;
}

/** The contents of the ```mermaid blocks of a markdown text. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((match) => match[1]!);
}
