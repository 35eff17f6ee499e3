/**
 * `npm run screenshots`: pictures of what the demo produced, as a person sees them on GitHub, into
 * docs/images/: the post-mortem, a CAPA child, the gate comment, the report (its Mermaid charts
 * drawn). Runs the demo (`--snapshot`), renders each page's markdown with GFM (micromark, as
 * GitHub's parser does: tables, task lists, hidden HTML comments), styles it with GitHub's own
 * stylesheet (github-markdown-css) and photographs it in Chromium from the Debian packages
 * (puppeteer-core; no browser download), offline.
 *
 *   npm run screenshots               write docs/images/*.png
 *   npm run screenshots -- --check    render into a temporary folder only (CI): fails on a page
 *                                     that does not render, never on pixel differences
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import puppeteer from "puppeteer-core";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const PAGES = [
  { source: "postmortem.md", image: "postmortem.png", width: 1000 },
  { source: "capa-child.md", image: "capa-child.png", width: 900 },
  { source: "gate-comment.md", image: "gate-comment.png", width: 900 },
  { source: "report.md", image: "report.png", width: 1000 },
] as const;

const check = process.argv.includes("--check");
const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", process.env.CHROMIUM_PATH]
  .filter((path): path is string => Boolean(path))
  .find((path) => existsSync(path));
if (!chromium) {
  console.error(
    "Chromium was not found: install the Debian package `chromium` (apt-get install chromium).",
  );
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), "postmortem-screens-"));
const out = check ? join(work, "images") : join(ROOT, "docs/images");
try {
  console.error("running the demo for its pages…");
  const demo = spawnSync(
    process.execPath,
    ["--import", "tsx", join(ROOT, "scripts/demo.ts"), "--snapshot", join(work, "pages")],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (demo.status !== 0) {
    console.error(demo.stdout.slice(-4000), demo.stderr.slice(-4000));
    throw new Error(`the demo failed (exit ${demo.status})`);
  }
  mkdirSync(out, { recursive: true });
  const stylesheet = readFileSync(
    require.resolve("github-markdown-css/github-markdown-light.css"),
    "utf8",
  );
  const mermaidScript = require.resolve("mermaid/dist/mermaid.min.js");
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    // Root in a container has no user namespace for Chromium's sandbox; the pages are our own.
    args: ["--no-sandbox", "--disable-gpu", "--font-render-hinting=none"],
  });
  try {
    for (const page of PAGES) {
      const markdown = readFileSync(join(work, "pages", page.source), "utf8");
      // GitHub shows raw HTML filtered (GFM's tag filter) and hides comments: the product's markers.
      const html = micromark(markdown, {
        allowDangerousHtml: true,
        extensions: [gfm()],
        htmlExtensions: [gfmHtml()],
      });
      const tab = await browser.newPage();
      const problems: string[] = [];
      tab.on("pageerror", (error) => problems.push(String(error)));
      // Nothing leaves the machine: every request but the page itself is refused.
      await tab.setRequestInterception(true);
      tab.on("request", (request) =>
        request.url().startsWith("data:") || request.url() === "about:blank"
          ? void request.continue()
          : void request.abort(),
      );
      await tab.setViewport({ width: page.width, height: 600, deviceScaleFactor: 1 });
      await tab.setContent(
        `<!doctype html><html><head><meta charset="utf-8"><style>${stylesheet}
body { margin: 0; background: #fff; } .markdown-body { box-sizing: border-box; padding: 32px; max-width: ${page.width}px; }</style></head>
<body><article class="markdown-body">${html}</article></body></html>`,
        { waitUntil: "load" },
      );
      const charts = await tab.$$eval("pre > code.language-mermaid", (blocks) => blocks.length);
      if (charts > 0) {
        await tab.addScriptTag({ path: mermaidScript });
        const drawn = await tab.evaluate(async () => {
          const mermaid = (
            window as unknown as {
              mermaid: { initialize(o: object): void; run(o: object): Promise<void> };
            }
          ).mermaid;
          for (const code of document.querySelectorAll("pre > code.language-mermaid")) {
            const div = document.createElement("div");
            div.className = "mermaid";
            div.textContent = code.textContent;
            code.parentElement!.replaceWith(div);
          }
          mermaid.initialize({ startOnLoad: false, theme: "default" });
          await mermaid.run({ querySelector: ".mermaid" });
          return document.querySelectorAll(".mermaid svg").length;
        });
        if (drawn !== charts)
          problems.push(`${charts - drawn} of ${charts} Mermaid charts were not drawn`);
      }
      const body = await tab.$("article");
      const text = await tab.$eval("article", (article) => article.textContent?.trim().length ?? 0);
      if (!body || text === 0) problems.push("the page rendered empty");
      if (problems.length > 0) throw new Error(`${page.source}: ${problems.join("; ")}`);
      await body!.screenshot({ path: join(out, page.image) });
      console.error(
        `${page.image}: ${text} characters of text${charts ? `, ${charts} charts` : ""}`,
      );
      await tab.close();
    }
  } finally {
    await browser.close();
  }
  console.error(check ? "all pages rendered" : `pictures written to ${out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
