import { describe, expect, it } from "vitest";
import {
  globToRegExp,
  matchesAny,
  readFrontMatter,
  templateSections,
} from "../../../src/core/approvals/files.js";
import { builtInTemplate } from "../../../src/handlers/built-in-template.js";

describe("post-mortem files", () => {
  it("globs: ** spans directories (or none), * stays within one", () => {
    const glob = "docs/postmortems/**/*.md";
    expect(matchesAny("docs/postmortems/a.md", [glob])).toBe(true);
    expect(matchesAny("docs/postmortems/2026/11/a.md", [glob])).toBe(true);
    expect(matchesAny("./docs/postmortems/a.md", [glob])).toBe(true);
    expect(matchesAny("docs/postmortems/a.txt", [glob])).toBe(false);
    expect(matchesAny("docs/other/a.md", [glob])).toBe(false);
    expect(globToRegExp("pm/*.md").test("pm/sub/a.md")).toBe(false);
    expect(globToRegExp("pm/a?.md").test("pm/ab.md")).toBe(true);
  });

  it("front matter is read and blanked, keeping offsets and lines", () => {
    const text = "---\ntitle: x\nstatus: 'final' # done\n---\n## 1. Incident Summary\n";
    const { status, body } = readFrontMatter(text);
    expect(status).toBe("final");
    expect(body).toHaveLength(text.length);
    expect(body.split("\n")).toHaveLength(text.split("\n").length);
    expect(body.endsWith("## 1. Incident Summary\n")).toBe(true);
    expect(readFrontMatter("## No front matter\n---\n")).toEqual({
      status: undefined,
      body: "## No front matter\n---\n",
    });
  });

  it("the sections every post-mortem needs are the template's, optional ones excepted", () => {
    expect(templateSections(builtInTemplate())).toEqual([
      "1. Incident Summary",
      "2. Impact",
      "3. Root Cause Analysis (RCA)",
      "4. Timeline of Events",
      "5. Immediate Actions Taken",
      "6. Corrective and Preventive Actions (CAPA)",
      "7. Lessons Learned",
      "8. Follow-Up Actions",
      "9. Approvals & Final Notes",
    ]);
  });
});
