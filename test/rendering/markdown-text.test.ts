import { describe, expect, it } from "vitest";
import { codeSpan, codeSpanInTable, inlineText } from "../../src/core/markdown-text.js";
import { HOSTILE_CASES, visible } from "./hostile.js";
import { renderGfm } from "./render.js";

describe("text shown as GitHub renders it (cmark-gfm)", () => {
  it.each(HOSTILE_CASES)("inlineText shows $name exactly, with no mention", ({ text }) => {
    const rendered = renderGfm(inlineText(text));
    expect(rendered.text).toBe(visible(text));
    expect(rendered.mentions).toEqual([]);
  });

  it.each(HOSTILE_CASES)("inlineText keeps $name in one table cell", ({ text }) => {
    const rendered = renderGfm(`| A | B |\n|---|---|\n| ${inlineText(text)} | end |\n`);
    expect(rendered.tables).toEqual([{ header: ["A", "B"], rows: [[visible(text), "end"]] }]);
  });

  it.each(HOSTILE_CASES.map(({ name, text }) => ({ name, text: text.slice(0, 200) })))(
    "codeSpan shows $name exactly, without backslashes",
    ({ text }) => {
      const rendered = renderGfm(`id: ${codeSpan(text)}`);
      expect(rendered.text).toBe(`id: ${visible(text)}`);
      expect(rendered.mentions).toEqual([]);
    },
  );

  it.each(HOSTILE_CASES.map(({ name, text }) => ({ name, text: text.slice(0, 200) })))(
    "codeSpanInTable keeps $name in one table cell, shown exactly",
    ({ text }) => {
      const rendered = renderGfm(`| A | B |\n|---|---|\n| ${codeSpanInTable(text)} | end |\n`);
      expect(rendered.tables).toEqual([{ header: ["A", "B"], rows: [[visible(text), "end"]] }]);
      expect(rendered.mentions).toEqual([]);
    },
  );
});
