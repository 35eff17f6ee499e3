import { spawnSync } from "node:child_process";
import { JSDOM } from "jsdom";

/**
 * Renders markdown the way GitHub does, with cmark-gfm (GitHub's Markdown engine, from the Debian
 * package; CI installs it) and its GFM extensions, and reads the HTML back as a person sees it.
 * Raw HTML is let through (`--unsafe`) as GitHub does before its sanitizer, so the product's own
 * `<details>` and hidden markers render as they do on GitHub.
 */
export const CMARK_GFM = process.env.CMARK_GFM ?? "cmark-gfm";
const EXTENSIONS = ["table", "tasklist", "autolink", "strikethrough", "tagfilter"];

export interface Rendered {
  html: string;
  /** What a person reads: the text of every element, HTML comments left out, spaces collapsed. */
  text: string;
  /** `@login` and `@org/team` that GitHub would turn into mentions: text outside code and links. */
  mentions: string[];
  tables: RenderedTable[];
}

export interface RenderedTable {
  header: string[];
  rows: string[][];
}

export function renderGfm(markdown: string): Rendered {
  const result = spawnSync(CMARK_GFM, [...EXTENSIONS.flatMap((name) => ["-e", name]), "--unsafe"], {
    input: markdown,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) {
    throw new Error(
      `The rendering tests need cmark-gfm, GitHub's Markdown engine (Debian/Ubuntu: apt-get install cmark-gfm; or set CMARK_GFM to its path): ${result.error.message}`,
    );
  }
  if (result.status !== 0) {
    throw new Error(`cmark-gfm failed (${result.status}): ${result.stderr}`);
  }
  const html = result.stdout;
  const document = new JSDOM(`<body>${html}</body>`).window.document;
  const body = document.body;
  return {
    html,
    text: collapse(body.textContent ?? ""),
    mentions: mentionsIn(body),
    tables: [...body.querySelectorAll("table")].map((table) => ({
      header: [...table.querySelectorAll("thead tr th")].map(cellText),
      rows: [...table.querySelectorAll("tbody tr")].map((row) =>
        [...row.querySelectorAll("td")].map(cellText),
      ),
    })),
  };
}

/** GitHub's rule: `@` not after a word character, then a login, maybe `/team`. */
const MENTION = /(?<![A-Za-z0-9_])@[A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9][\w.-]*)?/g;

function mentionsIn(root: Element): string[] {
  const found: string[] = [];
  const walker = root.ownerDocument.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement?.closest("code, pre, a")) continue;
    for (const match of (node.nodeValue ?? "").matchAll(MENTION)) found.push(match[0]);
  }
  return found;
}

function cellText(cell: Element): string {
  return collapse(cell.textContent ?? "");
}

export function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
