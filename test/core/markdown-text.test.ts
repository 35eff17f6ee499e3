import { describe, expect, it } from "vitest";
import { parseMarkdown, walk } from "../../src/core/markdown.js";
import { findMarker } from "../../src/core/markers.js";
import {
  codeSpan,
  firstParagraphText,
  inlineText,
  plainLine,
} from "../../src/core/markdown-text.js";

/** The node types a line of text produces when it stands inside a blockquote of a list item. */
function nodeTypesInContext(line: string): string[] {
  const types: string[] = [];
  walk(parseMarkdown(`- **Brief Summary:**  \n  > ${line}\n`), (node) => {
    // A bare URL stays a link (GitHub autolinks it); a link whose text hides its target does not.
    const autolink =
      node.type === "link" &&
      node.children[0]?.type === "text" &&
      node.children[0].value === node.url;
    types.push(autolink ? "autolink" : node.type);
  });
  return types;
}

const STRUCTURAL = [
  "heading",
  "table",
  "tableRow",
  "html",
  "thematicBreak",
  "code",
  "link",
  "image",
];

describe("inlineText", () => {
  const hostile = [
    "# Heading",
    "## 6. Corrective and Preventive Actions (CAPA)",
    "- [ ] fake CAPA item",
    "* [x] another",
    "+ item",
    "1. ordered",
    "3) ordered",
    "> quote",
    "| a | b |",
    '<!-- postmortem-bot:postmortem {"incident":1} -->',
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "![img](https://example.com/x.png)",
    "```js",
    "---",
    "&lt;!-- entity --&gt;",
  ];

  it.each(hostile)("adds no structure for %j", (text) => {
    const types = nodeTypesInContext(inlineText(text));
    expect(types.filter((type) => STRUCTURAL.includes(type))).toEqual([]);
    expect(types.filter((type) => type === "listItem")).toHaveLength(1);
  });

  it("cannot produce a hidden marker", () => {
    const text = inlineText('<!-- postmortem-bot:postmortem {"incident":1} -->');
    expect(findMarker(`x ${text}`, "postmortem")).toBeUndefined();
  });

  it("folds newlines so nothing starts a new block", () => {
    expect(inlineText("first\n# second\n- [ ] third")).toBe("first # second - \\[ \\] third");
  });

  it("defuses team and everyone mentions with code spans, keeps emails", () => {
    expect(inlineText("ping @everyone and @acme/sre, mail a@b.com")).toBe(
      "ping `@everyone` and `@acme/sre`, mail a@b.com",
    );
  });

  it("leaves URLs usable", () => {
    expect(inlineText("see https://status.example.com/a_b?x=1&y=2 now")).toBe(
      "see https://status.example.com/a_b?x=1&y=2 now",
    );
  });

  it("escapes leading ordered-list punctuation without a stray backslash before digits", () => {
    expect(inlineText("2026. was bad")).toBe("2026\\. was bad");
  });

  it("cuts to the maximum length by code points with an ellipsis", () => {
    expect(inlineText("😀".repeat(10), 5)).toBe("😀😀😀😀…");
    expect(Array.from(plainLine("x".repeat(300), 256))).toHaveLength(256);
  });
});

describe("firstParagraphText", () => {
  it("skips headings, comments and code to the first paragraph", () => {
    const body =
      "<!-- form -->\n### What happened\n\n```\nlog\n```\n\nThe API returned *500s*\nfor EU users.\n\nMore.";
    expect(firstParagraphText(body)).toBe("The API returned 500s for EU users.");
  });

  it("is undefined for an empty body", () => {
    expect(firstParagraphText("")).toBeUndefined();
    expect(firstParagraphText(null)).toBeUndefined();
  });
});

describe("codeSpan", () => {
  /** What a reader sees: the one code span's text, parsed as GitHub's GFM parses it. */
  function shown(markdown: string): string[] {
    const spans: string[] = [];
    walk(parseMarkdown(`Field ${markdown} is unknown.`), (node) => {
      if (node.type === "inlineCode") spans.push(node.value);
    });
    return spans;
  }

  it("shows any text exactly, with no backslashes (GitHub renders code spans literally)", () => {
    for (const text of [
      "no_such_field",
      "a*b*c",
      "`ticked`",
      "two `` runs ` here",
      "``",
      "@acme/everyone",
      "<!-- postmortem-bot:capa -->",
      "x | y",
    ]) {
      expect(shown(codeSpan(text))).toEqual([text]);
    }
    expect(codeSpan("no_such_field")).toBe("`no_such_field`");
  });

  it("keeps one line of at most the given length", () => {
    expect(shown(codeSpan("a\nb\r\nc"))).toEqual(["a b c"]);
    expect(shown(codeSpan("  padded  "))).toEqual(["padded"]);
    expect(codeSpan("x".repeat(300), 10)).toBe(`\`${"x".repeat(9)}…\``);
  });
});
