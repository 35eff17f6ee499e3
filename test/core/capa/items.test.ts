import { describe, expect, it } from "vitest";
import {
  itemKey,
  linkedIssueNumbers,
  parseIsoDate,
  parseLine,
  readPostmortemBody,
} from "../../../src/core/capa/items.js";
import { renderedPostmortem } from "./fixtures.js";

describe("parseLine", () => {
  it.each([
    [
      "Add automated validation checks (CI/CD gates)",
      { title: "Add automated validation checks (CI/CD gates)" },
    ],
    [
      "Add automated validation checks (CI/CD gates) @carol due 2026-12-15",
      {
        title: "Add automated validation checks (CI/CD gates)",
        owner: { kind: "user", login: "carol" },
        due: "2026-12-15",
      },
    ],
    [
      "Patch it by 2026-12-01 @bob",
      { title: "Patch it", owner: { kind: "user", login: "bob" }, due: "2026-12-01" },
    ],
    ["Patch it due: 2026-12-01", { title: "Patch it", due: "2026-12-01" }],
    [
      "Runbooks @Acme/SRE-team",
      { title: "Runbooks", owner: { kind: "team", slug: "acme/sre-team" } },
    ],
    [
      "Patch it → #12 · @carol · due 2026-12-15 · Done",
      { title: "Patch it", owner: { kind: "user", login: "carol" }, due: "2026-12-15", linked: 12 },
    ],
    [
      "Patch it @dave → #12 · @carol · due 2026-12-15",
      { title: "Patch it", owner: { kind: "user", login: "dave" }, due: "2026-12-15", linked: 12 },
    ],
    ["Email ops@example.com", { title: "Email ops@example.com" }],
    ["Move traffic → EU region", { title: "Move traffic → EU region" }],
    [
      "Move traffic → EU region → #7 · @bob",
      { title: "Move traffic → EU region", owner: { kind: "user", login: "bob" }, linked: 7 },
    ],
  ])("%s", (line, expected) => {
    expect(parseLine(line)).toEqual({
      owner: undefined,
      due: undefined,
      linked: undefined,
      ...expected,
    });
  });
});

describe("parseIsoDate", () => {
  it("accepts real dates only", () => {
    expect(parseIsoDate("2028-02-29")).toBe("2028-02-29");
    expect(parseIsoDate("2026-02-30")).toBeUndefined();
    expect(parseIsoDate("2026-13-01")).toBeUndefined();
    expect(parseIsoDate("26-01-01")).toBeUndefined();
  });
});

describe("itemKey", () => {
  it("ignores case and spacing, not words", () => {
    expect(itemKey("Patch  it")).toBe(itemKey("patch it"));
    expect(itemKey("Patch it")).not.toBe(itemKey("Patch that"));
  });
});

describe("readPostmortemBody", () => {
  it("reads the twelve CAPA items of the template with their categories, and an empty Follow-Up table", () => {
    const body = readPostmortemBody(renderedPostmortem());
    expect(body.items).toHaveLength(12);
    expect(body.items.map((item) => item.category)).toEqual([
      ...Array(3).fill("Technical Fixes"),
      ...Array(4).fill("Process Improvements"),
      ...Array(2).fill("Customer Engagement/Communication"),
      ...Array(3).fill("Documentation"),
    ]);
    expect(body.followUpTable?.header).toEqual(["Action Item", "Owner", "Due Date", "Status"]);
    expect(body.rows).toEqual([]);
    expect(body.checkedSeverity).toBeUndefined();
  });

  it("finds items in subsections people add, and the checked severity", () => {
    const text = renderedPostmortem()
      .replace(
        "### D. Documentation",
        "### E. Vendors\n- [x] Renegotiate SLA @erin\n\n### D. Documentation",
      )
      .replace("- [ ] P2 - High", "- [x] P2 - High");
    const body = readPostmortemBody(text);
    expect(body.items.find((item) => item.title === "Renegotiate SLA")).toMatchObject({
      checked: true,
      category: "Vendors",
    });
    expect(body.checkedSeverity).toBe("P2");
  });

  it("reads a broken body without throwing", () => {
    const body = readPostmortemBody(
      "## 6. CAPA\n- [x] only item\n\n## 8. Follow-Up Actions\n| a | b |\n|---|\n",
    );
    expect(body.items.map((item) => item.title)).toEqual(["only item"]);
    expect(body.followUpTable).toBeUndefined();
    expect(readPostmortemBody("").capaSection).toBeUndefined();
  });
});

describe("linkedIssueNumbers", () => {
  it("lists the children linked on lines and rows, once each", () => {
    const body = renderedPostmortem()
      .replace(
        "- [ ] Patch or hotfix planned/applied",
        "- [x] Patch or hotfix planned/applied → #31 · @carol",
      )
      .replace(
        "|---------------------------------------------|---------------|------------|----------|\n",
        "|---------------------------------------------|---------------|------------|----------|\n| Patch (#31) | @carol | 2026-12-15 | Open |\n| Review (#40) | @dana | 2026-12-20 | Done |\n",
      );
    expect(linkedIssueNumbers(body)).toEqual([31, 40]);
  });
});
